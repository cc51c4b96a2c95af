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

use super::columns::{Column, Row};
use super::fold::{add_into, add_scaled, greater, min, sum};
use super::hist::{BinRows, BinScale};
use super::observe::{Observer, Series};
use super::orders::{LoopTotals, Orders, Source, cover, order_for_losses, order_for_storage};
use super::outage::{Interval, draw_steps, for_each_segment, outage_intervals};
use super::rng::{LazyStream, StreamRng, stream};
use super::tally::StepSums;
use crate::dist::{days_to_steps, delay_steps};
use crate::scenario::model::{EventCount, InputField, Model, OutageModel, Trigger};

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
    /// One event's occurrences this trial, as spans `(start, end)`.
    spans: Vec<(usize, usize)>,
    /// This trial's demand effects: (start, end, multiplier, event index).
    demand_effects: Vec<(usize, usize, f64, usize)>,
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
    /// This trial's supplier and substitute parameters: the model's, with
    /// the drawn inputs in their place.
    params: Params,
    /// This trial's drawn inputs, in the order of [`Model::inputs`].
    inputs: Vec<f64>,
    /// Per step: the suppliers' volume before any loss (the model's, or
    /// summed this trial when a volume is drawn).
    base_supply: Vec<f64>,
    /// Per `source` supplier (see `SupplierModel::source_row`), per step: the
    /// fraction kept at source, `1 - loss`; valid where `source_hit` is set.
    source_keep: Vec<f64>,
    /// Per `source` supplier: whether it lost anything this trial.
    source_hit: Vec<bool>,
    /// Per event: the step its occurrence starts at this trial (before it is
    /// cut to the horizon), or `None` when it does not occur.
    event_start: Vec<Option<usize>>,
}

/// Supplier and substitute parameters that may be drawn per trial.
#[derive(Debug, Clone)]
struct Params {
    /// Per supplier: volume per step before the profile.
    volume: Vec<f64>,
    /// Per supplier: transit in whole steps.
    transit: Vec<usize>,
    /// Per substitute: capacity per step.
    capacity: Vec<f64>,
    /// Per substitute: lead in whole steps.
    lead: Vec<usize>,
    /// Per substitute: budget over the horizon.
    budget: Vec<f64>,
    /// Per substitute: cost per unit.
    cost: Vec<f64>,
}

impl Params {
    /// The model's fixed values (those of drawn inputs are set per trial).
    fn of(model: &Model) -> Params {
        let subs = &model.substitutes;
        Params {
            volume: model.suppliers.iter().map(|s| s.volume_per_step).collect(),
            transit: model.suppliers.iter().map(|s| s.transit).collect(),
            capacity: subs.iter().map(|s| s.capacity_per_step).collect(),
            lead: subs.iter().map(|s| s.lead).collect(),
            budget: subs.iter().map(|s| s.budget).collect(),
            cost: subs.iter().map(|s| s.cost).collect(),
        }
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
            spans: Vec::with_capacity(16),
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
            params: Params::of(model),
            inputs: vec![0.0; model.inputs.len()],
            base_supply: model.base_supply.clone(),
            source_keep: vec![1.0; model.source_rows * n],
            source_hit: vec![false; model.source_rows],
            event_start: vec![None; model.events.len()],
        }
    }

    /// The inputs drawn in the last trial, in the order of [`Model::inputs`].
    pub fn inputs(&self) -> &[f64] {
        &self.inputs
    }
}

/// Runs trial `trial` of `model`, adding its per-step values to `sums`,
/// recording its storage-histogram bins in `bins`, and writing its
/// columns into `row`; `observer` sees each step (pass `()` to see nothing).
///
/// The phases are functions of their own, kept out of line: each is a loop
/// over steps (or shocks) that the compiler optimises better alone than
/// inlined into one large function (measured: 2% faster on japan-2024).
pub fn run_trial<O: Observer>(
    model: &Model,
    trial: u64,
    ws: &mut Workspace,
    sums: &mut StepSums,
    bins: BinRows<'_>,
    row: &mut Row,
    observer: &mut O,
) {
    if !model.inputs.is_empty() {
        draw_inputs(model, trial, ws);
    }
    draw_events(model, trial, ws, sums);
    lay_losses(model, trial, ws, sums);
    substitute_availability(model, trial, ws);
    draw_demand(model, trial, ws, sums);
    let (minimum, capacity) = (model.storage_minimum, model.storage_capacity);
    let initial_level = LazyStream::new(model.seed, trial, model.storage_key)
        .sample(&model.storage_initial)
        .clamp(minimum, capacity);
    // The step loop is compiled twice: reading a target level per step only
    // when some storage-triggered substitute has a seasonal path.
    let totals = if model.target_paths {
        storage_loop::<O, true>(model, ws, sums, bins, initial_level, observer)
    } else {
        storage_loop::<O, false>(model, ws, sums, bins, initial_level, observer)
    };
    record(model, ws, sums, &totals, row, observer);
}

/// Phase 0: the uncertain inputs, each from its own stream, clamped at 0
/// (SCENARIO.md, "Uncertain inputs"), set in place of the model's values;
/// then the base supply, if a volume was drawn.
#[inline(never)]
fn draw_inputs(model: &Model, trial: u64, ws: &mut Workspace) {
    let (steps, spy) = (model.steps, model.steps_per_year);
    let p = &mut ws.params;
    for (input, value) in model.inputs.iter().zip(ws.inputs.iter_mut()) {
        let mut rng = stream(model.seed, trial, input.key);
        // Clamped at 0 (NaN too); a draw that overflows to infinity counts as the
        // largest float, so that it can never meet a zero availability as
        // infinity × 0 (NaN).
        let raw = input.sampler.sample(&mut rng);
        let v = if raw > 0.0 { raw.min(f64::MAX) } else { 0.0 };
        *value = v;
        match input.field {
            InputField::SupplierVolume(i) => p.volume[i] = v / spy,
            InputField::SupplierTransit(i) => p.transit[i] = delay_steps(v, spy, steps),
            InputField::SubstituteCapacity(j) => p.capacity[j] = v / spy,
            InputField::SubstituteLead(j) => p.lead[j] = delay_steps(v, spy, steps),
            InputField::SubstituteBudget(j) => p.budget[j] = v,
            InputField::SubstituteCost(j) => p.cost[j] = v,
        }
    }
    if model.volume_drawn {
        // As the model sums the base supply: supplier by supplier, in order.
        let base = &mut ws.base_supply[..steps];
        base.fill(0.0);
        for (s, v) in model.suppliers.iter().zip(&p.volume) {
            add_scaled(base, &model.shapes[s.shape][..steps], *v);
        }
    }
}

/// Phase 1: events: occurrences, their spans and effects; and the demand
/// multipliers (overlapping occurrences multiply). Events are drawn in the
/// model's order, so that an event named by `after` is drawn before the
/// events that name it.
#[inline(never)]
fn draw_events(model: &Model, trial: u64, ws: &mut Workspace, sums: &mut StepSums) {
    let (steps, spy, seed) = (model.steps, model.steps_per_year, model.seed);
    ws.effects.clear();
    ws.demand_effects.clear();
    for &ei in &model.event_order {
        let ev = &model.events[ei];
        ws.event_start[ei] = None;
        // A conditional event: only if the event it names occurred, and
        // then counted from that event's start.
        let after = match ev.after {
            Some(parent) => match ws.event_start[parent] {
                Some(start) => Some(start),
                None => continue,
            },
            None => None,
        };
        let keys = &ev.keys;
        let count = match &ev.count {
            EventCount::Bernoulli(p) => {
                u64::from(stream(seed, trial, keys.occurrence).random::<f64>() < *p)
            }
            EventCount::Poisson(Some(d)) => {
                d.sample(&mut stream(seed, trial, keys.occurrence)) as u64
            }
            EventCount::Poisson(None) => 0,
        };
        if count == 0 {
            continue;
        }
        // Each quantity from its own stream, and each effect from its own:
        // first every occurrence's span, then the effects target by target.
        let mut starts = LazyStream::new(seed, trial, keys.start);
        let mut durations = LazyStream::new(seed, trial, keys.duration);
        ws.spans.clear();
        for _ in 0..count {
            let offset = days_to_steps(starts.sample(&ev.start_days), spy).floor();
            let offset = if offset > 0.0 { offset as usize } else { 0 };
            let start = after.map_or(offset, |a| a.saturating_add(offset));
            ws.event_start[ei] = Some(start);
            let start = start.min(steps);
            let length = match &ev.duration_days {
                Some(d) => draw_steps(durations.sample(d), spy, steps),
                None => steps,
            };
            ws.spans.push((start, (start + length).min(steps)));
        }
        for effect in &ev.supply {
            let mut fractions = LazyStream::new(seed, trial, effect.key);
            let i = effect.target;
            let cum = &model.shape_cumsum[model.suppliers[i].shape];
            for &(start, end) in &ws.spans {
                let f = fractions.sample(&effect.fraction).clamp(0.0, 1.0);
                let keep = 1.0 - f;
                ws.effects
                    .push((Target::Supplier(i), Interval { start, end, keep }));
                sums.lost_by_event[ei] += ws.params.volume[i] * f * (cum[end] - cum[start]);
            }
        }
        for effect in &ev.substitute {
            let mut fractions = LazyStream::new(seed, trial, effect.key);
            for &(start, end) in &ws.spans {
                let f = fractions.sample(&effect.fraction).clamp(0.0, 1.0);
                let keep = 1.0 - f;
                ws.effects.push((
                    Target::Substitute(effect.target),
                    Interval { start, end, keep },
                ));
            }
        }
        if let Some(d) = &ev.demand {
            let mut multipliers = LazyStream::new(seed, trial, keys.demand);
            for &(start, end) in &ws.spans {
                let m = multipliers.sample(d).max(0.0);
                if start < end {
                    ws.demand_effects.push((start, end, m, ei));
                }
            }
        }
    }
    if model.has_demand_events {
        ws.demand_mult.fill(1.0);
        for &(a, b, m, _) in &ws.demand_effects {
            ws.demand_mult[a..b].iter_mut().for_each(|x| *x *= m);
        }
    }
}

/// Fills `ws.intervals` with what cuts one supplier or substitute this trial:
/// its outages (from its own streams) and the effects of events on it.
#[inline(always)]
fn shock_intervals(
    model: &Model,
    trial: u64,
    outage: Option<&OutageModel>,
    target: Target,
    ws: &mut Workspace,
) {
    ws.intervals.clear();
    if let Some(o) = outage {
        outage_intervals(
            o,
            model.steps,
            model.steps_per_year,
            (model.seed, trial),
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
        shock_intervals(model, trial, s.outage.as_ref(), Target::Supplier(si), ws);
        let shape = &model.shapes[s.shape];
        let cum = &model.shape_cumsum[s.shape];
        let (volume, transit) = (ws.params.volume[si], ws.params.transit[si]);
        let (lost, deficit) = (&mut ws.lost, &mut ws.supply);
        let mut lost_volume = 0.0;
        for_each_segment(&ws.intervals, &mut ws.bounds, |a, b, keep| {
            let v = volume * (1.0 - keep);
            if v == 0.0 {
                return;
            }
            add_scaled(&mut lost[a..b], &shape[a..b], v);
            lost_volume += v * (cum[b] - cum[a]);
            let (ta, tb) = ((a + transit).min(steps), (b + transit).min(steps));
            add_scaled(&mut deficit[ta..tb], &shape[ta..tb], v);
        });
        sums.lost_by_supplier[si] += lost_volume;
        if let Some(r) = s.source_row {
            source_keep(ws, r, steps);
        }
    }
    let supply = &mut ws.supply[..steps];
    supply
        .iter_mut()
        .zip(&ws.base_supply[..steps])
        .for_each(|(s, base)| *s = greater(base - *s, 0.0));
}

/// Keeps the per-step fraction a `source` supplier keeps at source, from the
/// shocks in `ws.intervals` (its outages and events), in its row `r`.
fn source_keep(ws: &mut Workspace, r: usize, steps: usize) {
    let row = &mut ws.source_keep[r * steps..(r + 1) * steps];
    let mut hit = false;
    for_each_segment(&ws.intervals, &mut ws.bounds, |a, b, keep| {
        if !hit {
            row.fill(1.0);
            hit = true;
        }
        row[a..b].fill(keep);
    });
    ws.source_hit[r] = hit;
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
            let p = &ws.params;
            ws.sources[k].push(Source {
                // A storage-triggered order arrives one step later at the soonest.
                lead: if sub.trigger == Trigger::Storage {
                    p.lead[j].max(1)
                } else {
                    p.lead[j]
                },
                capacity: p.capacity[j],
                target: sub.target_constant.unwrap_or(f64::NAN),
                path: sub.target,
                cost: p.cost[j],
                budget: p.budget[j],
                avail,
            });
        }
    }
}

/// Substitute `j`'s availability this trial: the start of its row in
/// `ws.avail`, filled in, or of the last row (all ones) when it is available
/// in full. The row is what its own outages and events leave, times what its
/// `source` supplier keeps at source.
fn availability_row(model: &Model, trial: u64, j: usize, ws: &mut Workspace) -> usize {
    let steps = model.steps;
    let ones_row = model.substitutes.len() * steps;
    let sub = &model.substitutes[j];
    if !sub.can_fail {
        return ones_row;
    }
    shock_intervals(model, trial, sub.outage.as_ref(), Target::Substitute(j), ws);
    let source = sub
        .source
        .and_then(|i| model.suppliers[i].source_row)
        .filter(|&r| ws.source_hit[r]);
    if ws.intervals.is_empty() && source.is_none() {
        return ones_row;
    }
    let row = &mut ws.avail[j * steps..(j + 1) * steps];
    row.fill(1.0);
    for_each_segment(&ws.intervals, &mut ws.bounds, |a, b, keep| {
        row[a..b].fill(keep)
    });
    if let Some(r) = source {
        let keep = &ws.source_keep[r * steps..(r + 1) * steps];
        row.iter_mut().zip(keep).for_each(|(a, k)| *a *= k);
    }
    j * steps
}

/// Phase 4: demand, per step: base × level × (1 + AR(1) noise)⁺ × event multipliers.
#[inline(never)]
fn draw_demand(model: &Model, trial: u64, ws: &mut Workspace, sums: &mut StepSums) {
    let steps = model.steps;
    let level_mult = LazyStream::new(model.seed, trial, model.demand_level_key)
        .sample(&model.demand_level)
        .max(0.0);
    let demand = &mut ws.demand[..steps];
    let demand_base = &model.demand_base[..steps];
    match model.noise {
        Some((noise_sd, phi)) if noise_sd > 0.0 => {
            // The innovations first, in a loop of their own (it runs twice as
            // fast as drawing them inside the recursion), then the AR(1) noise.
            standard_normals(stream(model.seed, trial, model.demand_noise_key), demand);
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
        // What each occurrence adds, gross: (m − 1) × the demand without
        // event multipliers over its span, as if it were the only one.
        for &(a, b, m, ei) in &ws.demand_effects {
            sums.demand_by_event[ei] += (m - 1.0) * demand[a..b].iter().sum::<f64>();
        }
        demand
            .iter_mut()
            .zip(&ws.demand_mult)
            .for_each(|(d, m)| *d *= m);
    }
}

/// Fills `out` with standard normal draws from `rng`, taken by value so that
/// the generator's state can live in registers through the loop.
#[inline(never)]
fn standard_normals(mut rng: StreamRng, out: &mut [f64]) {
    for z in out.iter_mut() {
        *z = StandardNormal.sample(&mut rng);
    }
}

/// Phase 5: the step loop: orders and the storage balance, the only part that
/// depends on the storage level and so must run step after step; it also
/// writes each step's storage-histogram bin. With `PATHS`, storage-triggered
/// orders read their target per step from [`Model::targets`].
#[inline(never)]
fn storage_loop<O: Observer, const PATHS: bool>(
    model: &Model,
    ws: &mut Workspace,
    sums: &mut StepSums,
    mut bins: BinRows<'_>,
    initial_level: f64,
    observer: &mut O,
) -> LoopTotals {
    let steps = model.steps;
    let (minimum, capacity) = (model.storage_minimum, model.storage_capacity);
    let mut level = initial_level;
    observer.start(initial_level, steps);

    let [loss_sources, storage_sources, shortfall_sources] = &mut ws.sources;
    let mut tot = LoopTotals::new();
    let demand = &ws.demand[..steps];
    let supply = &ws.supply[..steps];
    let lost = &ws.lost[..steps];
    let mut orders = Orders {
        arrivals: &mut ws.arrivals[..steps],
        outstanding: 0.0,
    };
    let levels = &mut ws.level[..steps];
    let avail = &ws.avail[..];
    let targets = &model.targets[..];
    let scale = BinScale::new(minimum, capacity);
    for t in 0..steps {
        let d = demand[t];
        order_for_losses(loss_sources, lost[t], t, avail, &mut orders, &mut tot.cost);

        // Storage balance. The inflow does not depend on the level, so the
        // step-to-step dependency is a single addition.
        let arrived = orders.land(t);
        let x = level + (supply[t] + arrived - d);
        // The histogram bin comes with the branch: the floor's, capacity's
        // (a level exactly at either takes that branch) or an interior one.
        let bin;
        if x <= minimum {
            let (emergency, gap) = cover(shortfall_sources, minimum - x, avail, t, &mut tot.cost);
            // Remainders below 1e-9 of demand are floating-point noise.
            let short = if gap > 1e-9 * d { gap } else { 0.0 };
            level = minimum;
            bin = BinScale::FLOOR;
            if emergency > 0.0 {
                sums.emergency[t] += emergency;
                tot.emergency += emergency;
            }
            if short > 0.0 {
                sums.shortfall[t] += short;
                sums.shortfall_count[t] += 1;
                tot.shortfall(t, short);
            } else {
                tot.run = 0;
            }
            observer.emergency(t, emergency);
            observer.shortfall(t, short);
        } else {
            tot.run = 0;
            if x >= capacity {
                let surplus = x - capacity;
                tot.surplus += surplus;
                level = capacity;
                bin = BinScale::FULL;
                observer.surplus(t, surplus);
            } else {
                level = x;
                bin = scale.interior(x);
            }
        }
        levels[t] = level;
        bins.set(t, bin);

        order_for_storage::<PATHS>(
            storage_sources,
            level,
            t,
            (avail, targets),
            &mut orders,
            &mut tot.cost,
        );
    }
    tot
}

/// Phase 6: per-step sums and the trial's totals, from the per-step buffers.
#[inline(never)]
fn record<O: Observer>(
    model: &Model,
    ws: &mut Workspace,
    sums: &mut StepSums,
    tot: &LoopTotals,
    row: &mut Row,
    observer: &mut O,
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
    observer.finish(Series {
        level: levels,
        demand,
        supply,
        lost,
        substitute: arrivals,
    });
    for c in Column::ALL {
        row[c.index()] = match c {
            Column::Shortfall => tot.short,
            Column::ShortfallPeak => tot.peak,
            Column::ShortfallSteps => tot.short_steps as f64,
            Column::ShortfallEvents => tot.short_events as f64,
            Column::LongestShortfallSteps => tot.longest as f64,
            Column::FirstShortfallStep => tot.first as f64,
            Column::StorageMin => min(levels),
            Column::Demand => sum(demand),
            Column::SupplyLost => sum(lost),
            Column::SubstituteUsed => sum(arrivals),
            Column::EmergencyUsed => tot.emergency,
            Column::Surplus => tot.surplus,
            Column::Cost => tot.cost,
        };
    }
    arrivals.fill(0.0);
}
