//! One trial: draw the shocks, lay down the losses, run storage step by step.
//!
//! The per-step rule is SCENARIO.md's, in its order: demand; arrivals and
//! losses at source; loss-triggered orders; the storage balance with
//! emergency cover; storage-triggered orders. All buffers live in a
//! [`Workspace`] that is created once per chunk of trials and left clean
//! after every trial, so the trial loop allocates nothing.

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

use super::outage::{Interval, draw_steps, for_each_segment, outage_intervals};
use super::rng::stream;
use crate::dist::days_to_steps;
use crate::scenario::model::{EventCount, Model};

/// The per-trial columns, in output order (SCENARIO.md "What a run reports").
pub const COLUMNS: [&str; 13] = [
    "shortfall",
    "shortfall_peak",
    "shortfall_steps",
    "shortfall_events",
    "longest_shortfall_steps",
    "first_shortfall_step",
    "storage_min",
    "demand",
    "supply_lost",
    "substitute_used",
    "emergency_used",
    "surplus",
    "cost",
];

/// Number of per-trial columns.
pub const NCOLS: usize = COLUMNS.len();

/// Index of a column by name.
pub fn column(name: &str) -> Option<usize> {
    COLUMNS.iter().position(|c| *c == name)
}

/// Interior bins of the per-step storage histogram between minimum and
/// capacity; two more bins hold levels exactly at the minimum and at capacity.
pub const STORAGE_BINS: usize = 1000;
/// Bins per step in the storage histogram.
pub const HIST_WIDTH: usize = STORAGE_BINS + 2;

/// Per-step sums over a group of trials (added in trial order).
#[derive(Debug, Clone)]
pub struct StepSums {
    /// Σ demand_t.
    pub demand: Vec<f64>,
    /// Σ supply_t (arrivals from suppliers).
    pub supply: Vec<f64>,
    /// Σ lost_t (at source).
    pub lost: Vec<f64>,
    /// Σ arrivals from loss- and storage-triggered substitutes.
    pub substitute: Vec<f64>,
    /// Σ emergency (shortfall-triggered) use.
    pub emergency: Vec<f64>,
    /// Σ shortfall_t.
    pub shortfall: Vec<f64>,
    /// Number of trials with a shortfall at step t.
    pub shortfall_count: Vec<u64>,
    /// Σ over trials of each supplier's lost volume.
    pub lost_by_supplier: Vec<f64>,
    /// Σ over trials of the volume each event's supply effects remove (gross).
    pub lost_by_event: Vec<f64>,
}

impl StepSums {
    /// Zeroed sums for a model.
    pub fn new(model: &Model) -> StepSums {
        let n = model.steps;
        StepSums {
            demand: vec![0.0; n],
            supply: vec![0.0; n],
            lost: vec![0.0; n],
            substitute: vec![0.0; n],
            emergency: vec![0.0; n],
            shortfall: vec![0.0; n],
            shortfall_count: vec![0; n],
            lost_by_supplier: vec![0.0; model.suppliers.len()],
            lost_by_event: vec![0.0; model.events.len()],
        }
    }

    /// Adds another group's sums (call in a fixed order for reproducible bytes).
    pub fn add(&mut self, o: &StepSums) {
        let pairs = [
            (&mut self.demand, &o.demand),
            (&mut self.supply, &o.supply),
            (&mut self.lost, &o.lost),
            (&mut self.substitute, &o.substitute),
            (&mut self.emergency, &o.emergency),
            (&mut self.shortfall, &o.shortfall),
            (&mut self.lost_by_supplier, &o.lost_by_supplier),
            (&mut self.lost_by_event, &o.lost_by_event),
        ];
        for (a, b) in pairs {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        self.shortfall_count
            .iter_mut()
            .zip(&o.shortfall_count)
            .for_each(|(x, y)| *x += y);
    }
}

/// Maps storage levels to histogram bins: bin 0 holds the minimum exactly,
/// bin `STORAGE_BINS + 1` capacity exactly, the rest split the range evenly.
#[derive(Debug, Clone, Copy)]
pub struct BinScale {
    minimum: f64,
    capacity: f64,
    per_unit: f64,
}

impl BinScale {
    /// The scale for a storage range.
    pub fn new(minimum: f64, capacity: f64) -> BinScale {
        let range = capacity - minimum;
        BinScale {
            minimum,
            capacity,
            per_unit: if range > 0.0 {
                STORAGE_BINS as f64 / range
            } else {
                0.0
            },
        }
    }

    /// The bin of `level`.
    #[inline(always)]
    pub fn bin(&self, level: f64) -> usize {
        if level <= self.minimum {
            0
        } else if level >= self.capacity {
            STORAGE_BINS + 1
        } else {
            let x = ((level - self.minimum) * self.per_unit) as usize;
            1 + if x < STORAGE_BINS {
                x
            } else {
                STORAGE_BINS - 1
            }
        }
    }
}

/// Where an event's effect lands.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Supplier(usize),
    Substitute(usize),
}

/// Scratch buffers for running trials; reuse one per chunk.
#[derive(Debug, Clone)]
pub struct Workspace {
    intervals: Vec<Interval>,
    bounds: Vec<usize>,
    effects: Vec<(Target, Interval)>,
    demand_effects: Vec<(usize, usize, f64)>,
    /// Difference arrays (per shape class × (steps + 1)) of lost-at-source
    /// volume and of the arrival deficit, with counts of active
    /// contributions so that a class with none is exactly zero.
    lost_diff: Vec<f64>,
    lost_cnt: Vec<i32>,
    arr_diff: Vec<f64>,
    arr_cnt: Vec<i32>,
    /// Availability fraction per substitute × step (rows used only for substitutes that can fail).
    avail: Vec<f64>,
    demand_mult: Vec<f64>,
    arrivals: Vec<f64>,
    budgets: Vec<f64>,
    class_acc: Vec<(f64, i32, f64, i32)>,
    /// Steps at which some difference array changes.
    dirty: Vec<bool>,
    /// Shape classes with a nonzero running loss or deficit.
    active: Vec<usize>,
    /// Whether each substitute's availability row was written this trial
    /// (otherwise it is available in full).
    avail_on: Vec<bool>,
}

impl Workspace {
    /// Buffers sized for `model`.
    pub fn new(model: &Model) -> Workspace {
        let n = model.steps;
        let classes = model.shapes.len();
        Workspace {
            intervals: Vec::with_capacity(64),
            bounds: Vec::with_capacity(128),
            effects: Vec::with_capacity(64),
            demand_effects: Vec::with_capacity(16),
            lost_diff: vec![0.0; classes * (n + 1)],
            lost_cnt: vec![0; classes * (n + 1)],
            arr_diff: vec![0.0; classes * (n + 1)],
            arr_cnt: vec![0; classes * (n + 1)],
            avail: vec![1.0; model.substitutes.len() * n],
            demand_mult: vec![1.0; if model.has_demand_events { n } else { 0 }],
            arrivals: vec![0.0; n],
            budgets: vec![0.0; model.substitutes.len()],
            class_acc: vec![(0.0, 0, 0.0, 0); classes],
            dirty: vec![false; n + 1],
            active: Vec::with_capacity(classes),
            avail_on: vec![false; model.substitutes.len()],
        }
    }
}

/// A step-by-step record of one trial (for tests and diagnostics).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// Storage level at the start of the trial.
    pub initial_level: f64,
    /// Storage level at the end of each step.
    pub level: Vec<f64>,
    /// demand_t.
    pub demand: Vec<f64>,
    /// supply_t (arrivals from suppliers).
    pub supply: Vec<f64>,
    /// lost_t (at source).
    pub lost: Vec<f64>,
    /// Substitute arrivals (loss- and storage-triggered) at t.
    pub substitute: Vec<f64>,
    /// Emergency use at t.
    pub emergency: Vec<f64>,
    /// shortfall_t.
    pub shortfall: Vec<f64>,
    /// surplus_t.
    pub surplus: Vec<f64>,
}

/// `min` for values known not to be NaN (a plain compare, cheaper than `f64::min`).
#[inline(always)]
fn lesser(a: f64, b: f64) -> f64 {
    if a < b { a } else { b }
}

/// `max` for values known not to be NaN.
#[inline(always)]
fn greater(a: f64, b: f64) -> f64 {
    if a > b { a } else { b }
}

#[inline]
fn add_span(diff: &mut [f64], cnt: &mut [i32], a: usize, b: usize, v: f64) {
    diff[a] += v;
    diff[b] -= v;
    cnt[a] += 1;
    cnt[b] -= 1;
}

/// The storage-histogram bins of a group of trials, one row per step
/// (`bins[t * stride + column]`), added into the histogram step by step
/// afterwards so that the histogram is touched one row at a time.
pub struct BinRows<'a> {
    /// The buffer, steps × stride.
    pub bins: &'a mut [u16],
    /// Trials per row.
    pub stride: usize,
    /// This trial's column.
    pub column: usize,
}

/// Adds `columns` trials' bins (see [`BinRows`]) into `hist`.
pub fn add_bins(hist: &mut [u32], bins: &[u16], stride: usize, columns: usize) {
    for (row, counts) in bins.chunks(stride).zip(hist.chunks_mut(HIST_WIDTH)) {
        for &b in &row[..columns] {
            counts[b as usize] += 1;
        }
    }
}

/// Runs trial `trial` of `model`, adding its per-step values to `sums`,
/// recording its storage-histogram bins in `bins`, and writing its
/// [`COLUMNS`] into `row`.
pub fn run_trial(
    model: &Model,
    trial: u64,
    ws: &mut Workspace,
    sums: &mut StepSums,
    bins: BinRows<'_>,
    row: &mut [f64],
    mut trace: Option<&mut Trace>,
) {
    let steps = model.steps;
    let spy = model.steps_per_year;
    let seed = model.seed;
    let width = steps + 1;

    // 1. Events: occurrences, their spans and effects.
    ws.effects.clear();
    ws.demand_effects.clear();
    for (ei, ev) in model.events.iter().enumerate() {
        let mut rng = stream(seed, trial, ev.key);
        let count = match &ev.count {
            EventCount::Bernoulli(p) => u64::from(rng.random::<f64>() < *p),
            EventCount::Poisson(Some(d)) => d.sample(&mut rng) as u64,
            EventCount::Poisson(None) => 0,
        };
        for _ in 0..count {
            let start = days_to_steps(ev.start_days.sample(&mut rng), spy).floor();
            let start = if start > 0.0 {
                (start as usize).min(steps)
            } else {
                0
            };
            let length = match &ev.duration_days {
                Some(d) => draw_steps(d.sample(&mut rng), spy, steps),
                None => steps,
            };
            let end = (start + length).min(steps);
            for (i, d) in &ev.supply {
                let f = d.sample(&mut rng).clamp(0.0, 1.0);
                let span = Interval {
                    start,
                    end,
                    keep: 1.0 - f,
                };
                ws.effects.push((Target::Supplier(*i), span));
                let s = &model.suppliers[*i];
                let cum = &model.shape_cumsum[s.shape];
                sums.lost_by_event[ei] += s.volume_per_step * f * (cum[end] - cum[start]);
            }
            for (j, d) in &ev.substitute {
                let f = d.sample(&mut rng).clamp(0.0, 1.0);
                ws.effects.push((
                    Target::Substitute(*j),
                    Interval {
                        start,
                        end,
                        keep: 1.0 - f,
                    },
                ));
            }
            if let Some(d) = &ev.demand {
                let m = d.sample(&mut rng).max(0.0);
                if start < end {
                    ws.demand_effects.push((start, end, m));
                }
            }
        }
    }

    // 2. Suppliers: outage intervals plus event effects → losses by shape class.
    for (si, s) in model.suppliers.iter().enumerate() {
        ws.intervals.clear();
        if let Some(o) = &s.outage {
            let mut rng = stream(seed, trial, s.key);
            outage_intervals(o, steps, spy, &mut rng, &mut ws.intervals);
        }
        ws.intervals.extend(
            ws.effects
                .iter()
                .filter(|(t, _)| *t == Target::Supplier(si))
                .map(|(_, iv)| *iv),
        );
        let base = s.shape * width;
        let cum = &model.shape_cumsum[s.shape];
        let (lost_diff, lost_cnt) = (&mut ws.lost_diff, &mut ws.lost_cnt);
        let (arr_diff, arr_cnt) = (&mut ws.arr_diff, &mut ws.arr_cnt);
        let dirty = &mut ws.dirty;
        let mut lost_volume = 0.0;
        for_each_segment(&ws.intervals, &mut ws.bounds, |a, b, keep| {
            let v = s.volume_per_step * (1.0 - keep);
            if v == 0.0 {
                return;
            }
            add_span(lost_diff, lost_cnt, base + a, base + b, v);
            dirty[a] = true;
            dirty[b] = true;
            lost_volume += v * (cum[b] - cum[a]);
            let (ta, tb) = ((a + s.transit).min(steps), (b + s.transit).min(steps));
            if ta < tb {
                add_span(arr_diff, arr_cnt, base + ta, base + tb, v);
                dirty[ta] = true;
                dirty[tb] = true;
            }
        });
        sums.lost_by_supplier[si] += lost_volume;
    }

    // 3. Substitutes that can fail: availability fraction per step.
    for (j, sub) in model.substitutes.iter().enumerate() {
        ws.budgets[j] = sub.budget;
        ws.avail_on[j] = false;
        if !sub.can_fail {
            continue;
        }
        ws.intervals.clear();
        if let Some(o) = &sub.outage {
            let mut rng = stream(seed, trial, sub.key);
            outage_intervals(o, steps, spy, &mut rng, &mut ws.intervals);
        }
        ws.intervals.extend(
            ws.effects
                .iter()
                .filter(|(t, _)| *t == Target::Substitute(j))
                .map(|(_, iv)| *iv),
        );
        if ws.intervals.is_empty() {
            continue;
        }
        let row = &mut ws.avail[j * steps..(j + 1) * steps];
        row.fill(1.0);
        for_each_segment(&ws.intervals, &mut ws.bounds, |a, b, keep| {
            row[a..b].fill(keep)
        });
        ws.avail_on[j] = true;
    }

    // 4. Demand multipliers from events (overlapping occurrences multiply).
    if model.has_demand_events {
        ws.demand_mult.fill(1.0);
        for &(a, b, m) in &ws.demand_effects {
            ws.demand_mult[a..b].iter_mut().for_each(|x| *x *= m);
        }
    }

    // 5. The step loop.
    let mut rng_demand = stream(seed, trial, model.demand_key);
    let level_mult = model.demand_level.sample(&mut rng_demand).max(0.0);
    let (noise_sd, phi) = model.noise.unwrap_or((0.0, 0.0));
    let innovation_sd = noise_sd * (1.0 - phi * phi).max(0.0).sqrt();
    let mut e = 0.0;
    let (minimum, capacity) = (model.storage_minimum, model.storage_capacity);
    let mut rng_storage = stream(seed, trial, model.storage_key);
    let mut level = model
        .storage_initial
        .sample(&mut rng_storage)
        .clamp(minimum, capacity);
    if let Some(tr) = trace.as_deref_mut() {
        *tr = Trace {
            initial_level: level,
            ..Trace::default()
        };
    }

    let classes = model.shapes.len();
    let [loss_subs, storage_subs, shortfall_subs] = &model.subs_by_trigger;
    // Running sums of the difference arrays: (lost, lost count, deficit, deficit count).
    let acc = &mut ws.class_acc;
    acc.fill((0.0, 0, 0.0, 0));
    ws.active.clear();

    let mut outstanding = 0.0;
    let (mut total_short, mut peak, mut short_steps, mut short_events) = (0.0, 0.0f64, 0u64, 0u64);
    let (mut run, mut longest, mut first) = (0u64, 0u64, -1i64);
    let mut storage_min = f64::INFINITY;
    let (mut total_demand, mut total_lost, mut sub_used, mut emergency_used) = (0.0, 0.0, 0.0, 0.0);
    let (mut total_surplus, mut cost) = (0.0, 0.0);

    let demand_base = &model.demand_base[..steps];
    let base_supply = &model.base_supply[..steps];
    let (sum_demand, sum_supply) = (&mut sums.demand[..steps], &mut sums.supply[..steps]);
    let (sum_lost, sum_sub) = (&mut sums.lost[..steps], &mut sums.substitute[..steps]);
    let (sum_emergency, sum_short) = (&mut sums.emergency[..steps], &mut sums.shortfall[..steps]);
    let sum_count = &mut sums.shortfall_count[..steps];
    let bin_scale = BinScale::new(minimum, capacity);
    for t in 0..steps {
        // Demand.
        let mut d = demand_base[t] * level_mult;
        if noise_sd > 0.0 {
            let z: f64 = StandardNormal.sample(&mut rng_demand);
            e = if t == 0 {
                noise_sd * z
            } else {
                phi * e + innovation_sd * z
            };
            d *= greater(1.0 + e, 0.0);
        }
        if model.has_demand_events {
            d *= ws.demand_mult[t];
        }

        // Losses at source and arrival deficits, by shape class. The running
        // sums change only at the few steps where a loss starts or ends.
        if ws.dirty[t] {
            ws.dirty[t] = false;
            ws.active.clear();
            for (c, a) in acc.iter_mut().enumerate() {
                let i = c * width + t;
                a.0 += std::mem::take(&mut ws.lost_diff[i]);
                a.1 += std::mem::take(&mut ws.lost_cnt[i]);
                a.2 += std::mem::take(&mut ws.arr_diff[i]);
                a.3 += std::mem::take(&mut ws.arr_cnt[i]);
                if a.1 == 0 {
                    a.0 = 0.0;
                }
                if a.3 == 0 {
                    a.2 = 0.0;
                }
                if a.1 != 0 || a.3 != 0 {
                    ws.active.push(c);
                }
            }
        }
        let mut lost = 0.0;
        let mut deficit = 0.0;
        for &c in &ws.active {
            let shape = model.shapes[c][t];
            lost += shape * acc[c].0;
            deficit += shape * acc[c].2;
        }
        let supply = greater(base_supply[t] - deficit, 0.0);

        // Loss-triggered orders, in file order.
        let mut need = lost;
        for &j in loss_subs {
            if need <= 0.0 {
                break;
            }
            let sub = &model.substitutes[j];
            let arrive = t + sub.lead;
            if arrive >= steps {
                continue;
            }
            let avail = if ws.avail_on[j] {
                ws.avail[j * steps + t]
            } else {
                1.0
            };
            let q = lesser(lesser(need, sub.capacity_per_step * avail), ws.budgets[j]);
            if q > 0.0 {
                ws.budgets[j] -= q;
                ws.arrivals[arrive] += q;
                outstanding += q;
                cost += q * sub.cost;
                need -= q;
            }
        }

        // Storage balance.
        let arrived = ws.arrivals[t];
        ws.arrivals[t] = 0.0;
        // Every order placed and not yet arrived (SCENARIO.md), of any trigger.
        outstanding -= arrived;
        let x = level + supply + arrived - d;
        let (mut short, mut surplus, mut emergency) = (0.0, 0.0, 0.0);
        if x < minimum {
            let mut gap = minimum - x;
            for &j in shortfall_subs {
                if gap <= 0.0 {
                    break;
                }
                let sub = &model.substitutes[j];
                let avail = if ws.avail_on[j] {
                    ws.avail[j * steps + t]
                } else {
                    1.0
                };
                let q = lesser(lesser(gap, sub.capacity_per_step * avail), ws.budgets[j]);
                if q > 0.0 {
                    ws.budgets[j] -= q;
                    emergency += q;
                    cost += q * sub.cost;
                    gap -= q;
                }
            }
            // Remainders below 1e-9 of demand are floating-point noise.
            short = if gap > 1e-9 * d { gap } else { 0.0 };
            level = minimum;
        } else if x > capacity {
            surplus = x - capacity;
            level = capacity;
        } else {
            level = x;
        }

        // Storage-triggered orders, in file order.
        for &j in storage_subs {
            let sub = &model.substitutes[j];
            let arrive = t + sub.lead.max(1);
            if arrive >= steps {
                continue;
            }
            let want = sub.target - level - outstanding;
            if want <= 0.0 {
                continue;
            }
            let avail = if ws.avail_on[j] {
                ws.avail[j * steps + t]
            } else {
                1.0
            };
            let q = lesser(lesser(want, sub.capacity_per_step * avail), ws.budgets[j]);
            if q > 0.0 {
                ws.budgets[j] -= q;
                ws.arrivals[arrive] += q;
                outstanding += q;
                cost += q * sub.cost;
            }
        }

        // Record.
        sum_demand[t] += d;
        sum_supply[t] += supply;
        sum_lost[t] += lost;
        sum_sub[t] += arrived;
        sum_emergency[t] += emergency;
        sum_short[t] += short;
        bins.bins[t * bins.stride + bins.column] = bin_scale.bin(level) as u16;
        if short > 0.0 {
            sum_count[t] += 1;
            total_short += short;
            peak = greater(peak, short);
            short_steps += 1;
            if run == 0 {
                short_events += 1;
                if first < 0 {
                    first = t as i64;
                }
            }
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
        storage_min = lesser(storage_min, level);
        total_demand += d;
        total_lost += lost;
        sub_used += arrived;
        emergency_used += emergency;
        total_surplus += surplus;
        if let Some(tr) = trace.as_deref_mut() {
            tr.level.push(level);
            tr.demand.push(d);
            tr.supply.push(supply);
            tr.lost.push(lost);
            tr.substitute.push(arrived);
            tr.emergency.push(emergency);
            tr.shortfall.push(short);
            tr.surplus.push(surplus);
        }
    }
    // The end sentinels of the difference arrays are never read in the loop.
    ws.dirty[steps] = false;
    for c in 0..classes {
        let i = c * width + steps;
        ws.lost_diff[i] = 0.0;
        ws.lost_cnt[i] = 0;
        ws.arr_diff[i] = 0.0;
        ws.arr_cnt[i] = 0;
    }

    row.copy_from_slice(&[
        total_short,
        peak,
        short_steps as f64,
        short_events as f64,
        longest as f64,
        first as f64,
        storage_min,
        total_demand,
        total_lost,
        sub_used,
        emergency_used,
        total_surplus,
        cost,
    ]);
}
