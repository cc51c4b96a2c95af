//! What the step loop buys and owes: the substitutes as one trial sees them
//! ([`Source`]), the orders on their way ([`Orders`]), the three ways to
//! order (for lost supply, for storage, as emergency cover) and the
//! trial's running totals ([`LoopTotals`]). All of it is inlined into the
//! step loop of [`super::trial`].

use super::fold::{greater, lesser};

/// A substitute as the step loop sees it in one trial.
#[derive(Debug, Clone, Copy)]
pub(super) struct Source {
    /// Steps from order to arrival (at least 1 for storage-triggered orders).
    pub(super) lead: usize,
    /// Capacity per step.
    pub(super) capacity: f64,
    /// Its target level when it is the same at every step (storage trigger).
    pub(super) target: f64,
    /// Start of its target level per step in [`Model::targets`](crate::scenario::Model::targets) (storage
    /// trigger), read when some storage-triggered substitute has a path.
    pub(super) path: usize,
    /// Cost per unit.
    pub(super) cost: f64,
    /// Budget left.
    pub(super) budget: f64,
    /// Start of its availability row in `Workspace::avail` (the row of ones
    /// when it is available in full this trial).
    pub(super) avail: usize,
}

impl Source {
    /// What it can deliver at step `t` against `want`: at most its capacity
    /// (times its availability) and what is left of its budget, which it spends.
    #[inline(always)]
    pub(super) fn draw(&mut self, want: f64, avail: &[f64], t: usize) -> f64 {
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

/// A trial's totals from the step loop.
#[derive(Debug, Default)]
pub(super) struct LoopTotals {
    pub(super) short: f64,
    pub(super) peak: f64,
    pub(super) short_steps: u64,
    pub(super) short_events: u64,
    pub(super) longest: u64,
    /// First step with a shortfall, -1 while there is none.
    pub(super) first: i64,
    /// Steps in the current run of shortfalls.
    pub(super) run: u64,
    pub(super) emergency: f64,
    pub(super) surplus: f64,
    pub(super) cost: f64,
}

impl LoopTotals {
    pub(super) fn new() -> LoopTotals {
        LoopTotals {
            first: -1,
            ..LoopTotals::default()
        }
    }

    /// Step `t` ends short by `short` (> 0).
    #[inline(always)]
    pub(super) fn shortfall(&mut self, t: usize, short: f64) {
        self.short += short;
        self.peak = greater(self.peak, short);
        self.short_steps += 1;
        if self.run == 0 {
            self.short_events += 1;
            if self.first < 0 {
                self.first = t as i64;
            }
        }
        self.run += 1;
        self.longest = self.longest.max(self.run);
    }
}

/// Orders placed and not yet arrived: what lands at each step, and the
/// total on its way (SCENARIO.md's `outstanding`, of every trigger).
pub(super) struct Orders<'a> {
    pub(super) arrivals: &'a mut [f64],
    pub(super) outstanding: f64,
}

impl Orders<'_> {
    /// Places an order of `q` landing at step `at`.
    #[inline(always)]
    pub(super) fn place(&mut self, at: usize, q: f64) {
        self.arrivals[at] += q;
        self.outstanding += q;
    }

    /// Takes delivery of what lands at step `t`.
    #[inline(always)]
    pub(super) fn land(&mut self, t: usize) -> f64 {
        let arrived = self.arrivals[t];
        self.outstanding -= arrived;
        arrived
    }
}

/// Loss-triggered orders at step `t` against `need` (the volume lost at
/// source), from `sources` in file order; an order that would arrive after
/// the horizon is not placed.
#[inline(always)]
pub(super) fn order_for_losses(
    sources: &mut [Source],
    mut need: f64,
    t: usize,
    avail: &[f64],
    orders: &mut Orders<'_>,
    cost: &mut f64,
) {
    let steps = orders.arrivals.len();
    for source in sources.iter_mut() {
        if need <= 0.0 {
            break;
        }
        let arrive = t + source.lead;
        if arrive >= steps {
            continue;
        }
        let q = source.draw(need, avail, t);
        if q > 0.0 {
            orders.place(arrive, q);
            *cost += q * source.cost;
            need -= q;
        }
    }
}

/// Storage-triggered orders after step `t`'s balance, from `sources` in
/// file order: each tops storage up towards its own target, net of what is
/// already on its way.
#[inline(always)]
pub(super) fn order_for_storage<const PATHS: bool>(
    sources: &mut [Source],
    level: f64,
    t: usize,
    (avail, targets): (&[f64], &[f64]),
    orders: &mut Orders<'_>,
    cost: &mut f64,
) {
    let steps = orders.arrivals.len();
    for source in sources.iter_mut() {
        let arrive = t + source.lead;
        if arrive >= steps {
            continue;
        }
        let target = if PATHS {
            targets[source.path + t]
        } else {
            source.target
        };
        let want = target - level - orders.outstanding;
        if want <= 0.0 {
            continue;
        }
        let q = source.draw(want, avail, t);
        if q > 0.0 {
            orders.place(arrive, q);
            *cost += q * source.cost;
        }
    }
}

/// Emergency cover of a `gap` below the floor at step `t`: the
/// shortfall-triggered sources in file order, each giving what it can until
/// the gap is closed. Returns (the cover used, the gap left); adds the cost.
#[inline(always)]
pub(super) fn cover(
    sources: &mut [Source],
    mut gap: f64,
    avail: &[f64],
    t: usize,
    cost: &mut f64,
) -> (f64, f64) {
    let mut emergency = 0.0;
    for source in sources.iter_mut() {
        if gap <= 0.0 {
            break;
        }
        let q = source.draw(gap, avail, t);
        if q > 0.0 {
            emergency += q;
            *cost += q * source.cost;
            gap -= q;
        }
    }
    (emergency, gap)
}
