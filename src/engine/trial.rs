//! One trial: draw the shocks, lay down the losses, run storage step by step.
//!
//! The per-step rule is SCENARIO.md's, in its order: demand; arrivals and
//! losses at source; loss-triggered orders; the storage balance with
//! emergency cover; storage-triggered orders. All buffers live in a
//! [`Workspace`] that is created once per worker thread and reused: every
//! trial overwrites or clears what it uses, so the trial loop allocates
//! nothing.

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

use super::outage::{Interval, draw_steps, for_each_segment, outage_intervals};
use super::rng::stream;
use crate::dist::days_to_steps;
use crate::scenario::model::{EventCount, Model, OutageModel};
use crate::scenario::validate::Trigger;

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

    /// The bin of a level strictly between the minimum and capacity.
    #[inline(always)]
    pub fn interior(&self, level: f64) -> u16 {
        let x = (level - self.minimum) * self.per_unit;
        // `as` saturates (and truncates, which is `floor` here, x >= 0).
        1 + lesser(x, (STORAGE_BINS - 1) as f64) as u16
    }

    /// The bin of `level` (the reference; the engine's storage loop finds
    /// the floor and capacity cases in its own branches).
    #[inline(always)]
    pub fn bin(&self, level: f64) -> u16 {
        if level <= self.minimum {
            0
        } else if level >= self.capacity {
            STORAGE_BINS as u16 + 1
        } else {
            self.interior(level)
        }
    }
}

/// Where an event's effect lands.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Supplier(usize),
    Substitute(usize),
}

/// Scratch buffers for running trials; one per worker thread, reused.
#[derive(Debug, Clone)]
pub struct Workspace {
    intervals: Vec<Interval>,
    bounds: Vec<usize>,
    effects: Vec<(Target, Interval)>,
    demand_effects: Vec<(usize, usize, f64)>,
    /// Per step: lost at source (the losses are laid down segment by segment).
    lost: Vec<f64>,
    /// Per step: the arrival deficit, then (in place) the supply that arrives.
    supply: Vec<f64>,
    /// Per step: demand.
    demand: Vec<f64>,
    /// Per step: storage level at the end of the step.
    level: Vec<f64>,
    /// Availability fraction per substitute × step (rows used only for
    /// substitutes that can fail), then one row of ones for the others.
    avail: Vec<f64>,
    demand_mult: Vec<f64>,
    /// Per step: substitute arrivals (orders land here when placed).
    arrivals: Vec<f64>,
    /// The substitutes as the step loop sees them this trial, by trigger
    /// (loss, storage, shortfall), each in file order.
    sources: [Vec<Source>; 3],
}

/// A substitute as the step loop sees it in one trial.
#[derive(Debug, Clone, Copy)]
struct Source {
    /// Steps from order to arrival (at least 1 for storage-triggered orders).
    lead: usize,
    /// Capacity per step.
    capacity: f64,
    /// Target storage level (storage trigger).
    target: f64,
    /// Cost per unit.
    cost: f64,
    /// Budget left.
    budget: f64,
    /// Start of its availability row in `Workspace::avail` (the row of ones
    /// when it is available in full this trial).
    avail: usize,
}

impl Source {
    /// What it can deliver at step `t` against `want`: at most its capacity
    /// (times its availability) and what is left of its budget, which it spends.
    #[inline(always)]
    fn draw(&mut self, want: f64, avail: &[f64], t: usize) -> f64 {
        let q = lesser(
            lesser(want, self.capacity * avail[self.avail + t]),
            self.budget,
        );
        if q > 0.0 {
            self.budget -= q;
        }
        q
    }
}

impl Workspace {
    /// Buffers sized for `model`.
    pub fn new(model: &Model) -> Workspace {
        let n = model.steps;
        Workspace {
            intervals: Vec::with_capacity(64),
            bounds: Vec::with_capacity(128),
            effects: Vec::with_capacity(64),
            demand_effects: Vec::with_capacity(16),
            lost: vec![0.0; n],
            supply: vec![0.0; n],
            demand: vec![0.0; n],
            level: vec![0.0; n],
            avail: vec![1.0; (model.substitutes.len() + 1) * n],
            demand_mult: vec![1.0; if model.has_demand_events { n } else { 0 }],
            arrivals: vec![0.0; n],
            sources: model
                .subs_by_trigger
                .each_ref()
                .map(|subs| Vec::with_capacity(subs.len())),
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

/// `dst[i] += v * shape[i]`.
#[inline]
fn add_scaled(dst: &mut [f64], shape: &[f64], v: f64) {
    dst.iter_mut().zip(shape).for_each(|(x, w)| *x += v * w);
}

/// Folds `xs` with `f` in four interleaved lanes (so that it vectorises),
/// then the lanes pairwise, then the tail: a fixed order, so the same values
/// give the same bits.
#[inline(always)]
fn fold4(xs: &[f64], identity: f64, f: impl Fn(f64, f64) -> f64) -> f64 {
    let mut acc = [identity; 4];
    let chunks = xs.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        for k in 0..4 {
            acc[k] = f(acc[k], c[k]);
        }
    }
    let lanes = f(f(acc[0], acc[1]), f(acc[2], acc[3]));
    tail.iter().fold(lanes, |a, &x| f(a, x))
}

/// `Σ xs` (see [`fold4`]).
fn sum(xs: &[f64]) -> f64 {
    fold4(xs, 0.0, |a, b| a + b)
}

/// The least of `xs`, which are not NaN (see [`fold4`]).
fn min(xs: &[f64]) -> f64 {
    fold4(xs, f64::INFINITY, lesser)
}

/// `acc[i] += xs[i]`.
#[inline]
fn add_into(acc: &mut [f64], xs: &[f64]) {
    acc.iter_mut().zip(xs).for_each(|(a, x)| *a += x);
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
///
/// The phases are functions of their own, kept out of line: each is a loop
/// over steps (or shocks) that the compiler optimises better alone than
/// inlined into one large function (measured: 2% faster on japan-2024).
pub fn run_trial(
    model: &Model,
    trial: u64,
    ws: &mut Workspace,
    sums: &mut StepSums,
    bins: BinRows<'_>,
    row: &mut [f64],
    mut trace: Option<&mut Trace>,
) {
    draw_events(model, trial, ws, sums);
    lay_losses(model, trial, ws, sums);
    substitute_availability(model, trial, ws);
    draw_demand(model, trial, ws);
    let mut rng_storage = stream(model.seed, trial, model.storage_key);
    let (minimum, capacity) = (model.storage_minimum, model.storage_capacity);
    let initial_level = model
        .storage_initial
        .sample(&mut rng_storage)
        .clamp(minimum, capacity);
    let totals = storage_loop(model, ws, sums, bins, initial_level, trace.as_deref_mut());
    record(model, ws, sums, &totals, row, trace);
}

/// Phase 1: events: occurrences, their spans and effects; and the demand
/// multipliers (overlapping occurrences multiply).
#[inline(never)]
fn draw_events(model: &Model, trial: u64, ws: &mut Workspace, sums: &mut StepSums) {
    let (steps, spy, seed) = (model.steps, model.steps_per_year, model.seed);
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
    if model.has_demand_events {
        ws.demand_mult.fill(1.0);
        for &(a, b, m) in &ws.demand_effects {
            ws.demand_mult[a..b].iter_mut().for_each(|x| *x *= m);
        }
    }
}

/// Fills `ws.intervals` with what cuts one supplier or substitute this trial:
/// its outages (from its own stream) and the effects of events on it.
#[inline(always)]
fn shock_intervals(
    model: &Model,
    trial: u64,
    key: u64,
    outage: Option<&OutageModel>,
    target: Target,
    ws: &mut Workspace,
) {
    ws.intervals.clear();
    if let Some(o) = outage {
        let mut rng = stream(model.seed, trial, key);
        outage_intervals(
            o,
            model.steps,
            model.steps_per_year,
            &mut rng,
            &mut ws.intervals,
        );
    }
    ws.intervals.extend(
        ws.effects
            .iter()
            .filter(|(t, _)| *t == target)
            .map(|(_, iv)| *iv),
    );
}

/// Phase 2: suppliers: outage intervals plus event effects → per-step losses at
/// source and arrival deficits (`transit` steps later), laid down segment by
/// segment, so the cost grows with the outages' length, not with steps ×
/// suppliers; then the supply that arrives, the base less the deficit.
#[inline(never)]
fn lay_losses(model: &Model, trial: u64, ws: &mut Workspace, sums: &mut StepSums) {
    let steps = model.steps;
    ws.lost.fill(0.0);
    ws.supply.fill(0.0);
    for (si, s) in model.suppliers.iter().enumerate() {
        shock_intervals(
            model,
            trial,
            s.key,
            s.outage.as_ref(),
            Target::Supplier(si),
            ws,
        );
        let shape = &model.shapes[s.shape];
        let cum = &model.shape_cumsum[s.shape];
        let (lost, deficit) = (&mut ws.lost, &mut ws.supply);
        let mut lost_volume = 0.0;
        for_each_segment(&ws.intervals, &mut ws.bounds, |a, b, keep| {
            let v = s.volume_per_step * (1.0 - keep);
            if v == 0.0 {
                return;
            }
            add_scaled(&mut lost[a..b], &shape[a..b], v);
            lost_volume += v * (cum[b] - cum[a]);
            let (ta, tb) = ((a + s.transit).min(steps), (b + s.transit).min(steps));
            add_scaled(&mut deficit[ta..tb], &shape[ta..tb], v);
        });
        sums.lost_by_supplier[si] += lost_volume;
    }
    let supply = &mut ws.supply[..steps];
    supply
        .iter_mut()
        .zip(&model.base_supply[..steps])
        .for_each(|(s, base)| *s = greater(base - *s, 0.0));
}

/// Phase 3: each substitute's record for the step loop (its full budget),
/// grouped by trigger, and the availability fraction per step of those that
/// are short this trial.
#[inline(never)]
fn substitute_availability(model: &Model, trial: u64, ws: &mut Workspace) {
    for (k, subs) in model.subs_by_trigger.iter().enumerate() {
        ws.sources[k].clear();
        for &j in subs {
            let avail = availability_row(model, trial, j, ws);
            let sub = &model.substitutes[j];
            ws.sources[k].push(Source {
                // A storage-triggered order arrives one step later at the soonest.
                lead: if sub.trigger == Trigger::Storage {
                    sub.lead.max(1)
                } else {
                    sub.lead
                },
                capacity: sub.capacity_per_step,
                target: sub.target,
                cost: sub.cost,
                budget: sub.budget,
                avail,
            });
        }
    }
}

/// Substitute `j`'s availability this trial: the start of its row in
/// `ws.avail`, filled in, or of the last row (all ones) when it is available
/// in full.
fn availability_row(model: &Model, trial: u64, j: usize, ws: &mut Workspace) -> usize {
    let steps = model.steps;
    let ones_row = model.substitutes.len() * steps;
    let sub = &model.substitutes[j];
    if !sub.can_fail {
        return ones_row;
    }
    shock_intervals(
        model,
        trial,
        sub.key,
        sub.outage.as_ref(),
        Target::Substitute(j),
        ws,
    );
    if ws.intervals.is_empty() {
        return ones_row;
    }
    let row = &mut ws.avail[j * steps..(j + 1) * steps];
    row.fill(1.0);
    for_each_segment(&ws.intervals, &mut ws.bounds, |a, b, keep| {
        row[a..b].fill(keep)
    });
    j * steps
}

/// Phase 4: demand, per step: base × level × (1 + AR(1) noise)⁺ × event multipliers.
#[inline(never)]
fn draw_demand(model: &Model, trial: u64, ws: &mut Workspace) {
    let steps = model.steps;
    let mut rng_demand = stream(model.seed, trial, model.demand_key);
    let level_mult = model.demand_level.sample(&mut rng_demand).max(0.0);
    let demand = &mut ws.demand[..steps];
    let demand_base = &model.demand_base[..steps];
    match model.noise {
        Some((noise_sd, phi)) if noise_sd > 0.0 => {
            // The innovations first, in a loop of their own (it runs twice as
            // fast as drawing them inside the recursion), then the AR(1) noise.
            standard_normals(rng_demand, demand);
            // e_0 = sd·z_0 and e_t = φ·e_{t-1} + c_t with c_t = sd·√(1-φ²)·z_t,
            // taken two steps at a time (e_{t+1} = φ²·e_{t-1} + φ·c_t + c_{t+1})
            // so that the chain from step to step is half as long.
            let innovation_sd = noise_sd * (1.0 - phi * phi).max(0.0).sqrt();
            let phi2 = phi * phi;
            let scale =
                |d: &mut f64, base: f64, e: f64| *d = base * level_mult * greater(1.0 + e, 0.0);
            let (first, rest) = demand.split_at_mut(1);
            let mut e = noise_sd * first[0];
            scale(&mut first[0], demand_base[0], e);
            let mut pairs = rest.chunks_exact_mut(2);
            for (k, pair) in (&mut pairs).enumerate() {
                let t = 1 + 2 * k;
                let (c0, c1) = (innovation_sd * pair[0], innovation_sd * pair[1]);
                let e0 = phi * e + c0;
                e = phi2 * e + (phi * c0 + c1);
                scale(&mut pair[0], demand_base[t], e0);
                scale(&mut pair[1], demand_base[t + 1], e);
            }
            if let [last] = pairs.into_remainder() {
                e = phi * e + innovation_sd * *last;
                scale(last, demand_base[steps - 1], e);
            }
        }
        _ => demand
            .iter_mut()
            .zip(demand_base)
            .for_each(|(d, base)| *d = base * level_mult),
    }
    if model.has_demand_events {
        demand
            .iter_mut()
            .zip(&ws.demand_mult)
            .for_each(|(d, m)| *d *= m);
    }
}

/// Fills `out` with standard normal draws from `rng`, taken by value so that
/// the generator's state can live in registers through the loop.
#[inline(never)]
fn standard_normals(mut rng: super::rng::StreamRng, out: &mut [f64]) {
    for z in out.iter_mut() {
        *z = StandardNormal.sample(&mut rng);
    }
}

/// A trial's totals from the step loop.
#[derive(Debug)]
struct LoopTotals {
    short: f64,
    peak: f64,
    short_steps: u64,
    short_events: u64,
    longest: u64,
    first: i64,
    emergency: f64,
    surplus: f64,
    cost: f64,
}

/// Phase 5: the step loop: orders and the storage balance, the only part that
/// depends on the storage level and so must run step after step; it also
/// writes each step's storage-histogram bin.
#[inline(never)]
fn storage_loop(
    model: &Model,
    ws: &mut Workspace,
    sums: &mut StepSums,
    bins: BinRows<'_>,
    initial_level: f64,
    mut trace: Option<&mut Trace>,
) -> LoopTotals {
    let steps = model.steps;
    let (minimum, capacity) = (model.storage_minimum, model.storage_capacity);
    let mut level = initial_level;
    if let Some(tr) = trace.as_deref_mut() {
        *tr = Trace {
            initial_level,
            emergency: vec![0.0; steps],
            shortfall: vec![0.0; steps],
            surplus: vec![0.0; steps],
            ..Trace::default()
        };
    }

    let [loss_sources, storage_sources, shortfall_sources] = &mut ws.sources;
    let mut outstanding = 0.0;
    let (mut total_short, mut peak, mut short_steps, mut short_events) = (0.0, 0.0f64, 0u64, 0u64);
    let (mut run, mut longest, mut first) = (0u64, 0u64, -1i64);
    let (mut emergency_used, mut total_surplus, mut cost) = (0.0, 0.0, 0.0);
    let demand = &ws.demand[..steps];
    let supply = &ws.supply[..steps];
    let lost = &ws.lost[..steps];
    let arrivals = &mut ws.arrivals[..steps];
    let levels = &mut ws.level[..steps];
    let avail = &ws.avail[..];
    let scale = BinScale::new(minimum, capacity);
    for t in 0..steps {
        let d = demand[t];

        // Loss-triggered orders, in file order.
        let mut need = lost[t];
        for source in loss_sources.iter_mut() {
            if need <= 0.0 {
                break;
            }
            let arrive = t + source.lead;
            if arrive >= steps {
                continue;
            }
            let q = source.draw(need, avail, t);
            if q > 0.0 {
                arrivals[arrive] += q;
                outstanding += q;
                cost += q * source.cost;
                need -= q;
            }
        }

        // Storage balance. The inflow does not depend on the level, so the
        // step-to-step dependency is a single addition.
        let arrived = arrivals[t];
        // Every order placed and not yet arrived (SCENARIO.md), of any trigger.
        outstanding -= arrived;
        let x = level + (supply[t] + arrived - d);
        // The histogram bin comes with the branch: 0 at the floor, the top
        // one at capacity (a level exactly at either takes that branch).
        let bin;
        if x <= minimum {
            let mut gap = minimum - x;
            let mut emergency = 0.0;
            for source in shortfall_sources.iter_mut() {
                if gap <= 0.0 {
                    break;
                }
                let q = source.draw(gap, avail, t);
                if q > 0.0 {
                    emergency += q;
                    cost += q * source.cost;
                    gap -= q;
                }
            }
            // Remainders below 1e-9 of demand are floating-point noise.
            let short = if gap > 1e-9 * d { gap } else { 0.0 };
            level = minimum;
            bin = 0;
            if emergency > 0.0 {
                sums.emergency[t] += emergency;
                emergency_used += emergency;
            }
            if short > 0.0 {
                sums.shortfall[t] += short;
                sums.shortfall_count[t] += 1;
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
            if let Some(tr) = trace.as_deref_mut() {
                tr.emergency[t] = emergency;
                tr.shortfall[t] = short;
            }
        } else {
            run = 0;
            if x >= capacity {
                let surplus = x - capacity;
                total_surplus += surplus;
                level = capacity;
                bin = STORAGE_BINS as u16 + 1;
                if let Some(tr) = trace.as_deref_mut() {
                    tr.surplus[t] = surplus;
                }
            } else {
                level = x;
                bin = scale.interior(x);
            }
        }
        levels[t] = level;
        bins.bins[t * bins.stride + bins.column] = bin;

        // Storage-triggered orders, in file order.
        for source in storage_sources.iter_mut() {
            let arrive = t + source.lead;
            if arrive >= steps {
                continue;
            }
            let want = source.target - level - outstanding;
            if want <= 0.0 {
                continue;
            }
            let q = source.draw(want, avail, t);
            if q > 0.0 {
                arrivals[arrive] += q;
                outstanding += q;
                cost += q * source.cost;
            }
        }
    }
    LoopTotals {
        short: total_short,
        peak,
        short_steps,
        short_events,
        longest,
        first,
        emergency: emergency_used,
        surplus: total_surplus,
        cost,
    }
}

/// Phase 6: per-step sums and the trial's totals, from the per-step buffers.
#[inline(never)]
fn record(
    model: &Model,
    ws: &mut Workspace,
    sums: &mut StepSums,
    totals: &LoopTotals,
    row: &mut [f64],
    trace: Option<&mut Trace>,
) {
    let steps = model.steps;
    let demand = &ws.demand[..steps];
    let supply = &ws.supply[..steps];
    let lost = &ws.lost[..steps];
    let arrivals = &mut ws.arrivals[..steps];
    let levels = &ws.level[..steps];
    add_into(&mut sums.demand[..steps], demand);
    add_into(&mut sums.supply[..steps], supply);
    add_into(&mut sums.lost[..steps], lost);
    add_into(&mut sums.substitute[..steps], arrivals);
    let storage_min = min(levels);
    let (total_demand, total_lost, sub_used) = (sum(demand), sum(lost), sum(arrivals));
    if let Some(tr) = trace {
        tr.level = levels.to_vec();
        tr.demand = demand.to_vec();
        tr.supply = supply.to_vec();
        tr.lost = lost.to_vec();
        tr.substitute = arrivals.to_vec();
    }
    arrivals.fill(0.0);

    row.copy_from_slice(&[
        totals.short,
        totals.peak,
        totals.short_steps as f64,
        totals.short_events as f64,
        totals.longest as f64,
        totals.first as f64,
        storage_min,
        total_demand,
        total_lost,
        sub_used,
        totals.emergency,
        totals.surplus,
        totals.cost,
    ]);
}
