//! Watching a trial step by step.
//!
//! The trial reports what happens at each step to an [`Observer`]. The
//! engine's runs pass `()`, whose methods do nothing and compile away; a
//! [`Trace`] records everything (for tests and diagnostics, through
//! [`super::trace_trial`]).

/// What a trial reports while it runs. Every method has an empty default.
pub trait Observer {
    /// The trial starts with storage at `level`, over `steps` steps.
    #[inline(always)]
    fn start(&mut self, level: f64, steps: usize) {
        let _ = (level, steps);
    }

    /// Emergency (shortfall-triggered) cover `v` was used at step `t`.
    #[inline(always)]
    fn emergency(&mut self, t: usize, v: f64) {
        let _ = (t, v);
    }

    /// A shortfall `v` (0 when none) at step `t`, where storage hit its floor.
    #[inline(always)]
    fn shortfall(&mut self, t: usize, v: f64) {
        let _ = (t, v);
    }

    /// A surplus `v` spilled above capacity at step `t`.
    #[inline(always)]
    fn surplus(&mut self, t: usize, v: f64) {
        let _ = (t, v);
    }

    /// The trial's per-step series, once its step loop is over.
    #[inline(always)]
    fn finish(&mut self, series: Series<'_>) {
        let _ = series;
    }
}

/// The per-step series of a finished trial.
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    /// Storage level at the end of each step.
    pub level: &'a [f64],
    /// demand_t.
    pub demand: &'a [f64],
    /// supply_t (arrivals from suppliers).
    pub supply: &'a [f64],
    /// lost_t (at source).
    pub lost: &'a [f64],
    /// Substitute arrivals (loss- and storage-triggered) at t.
    pub substitute: &'a [f64],
}

/// The observer of ordinary runs: sees nothing, costs nothing.
impl Observer for () {}

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

impl Observer for Trace {
    fn start(&mut self, level: f64, steps: usize) {
        *self = Trace {
            initial_level: level,
            emergency: vec![0.0; steps],
            shortfall: vec![0.0; steps],
            surplus: vec![0.0; steps],
            ..Trace::default()
        };
    }

    fn emergency(&mut self, t: usize, v: f64) {
        self.emergency[t] = v;
    }

    fn shortfall(&mut self, t: usize, v: f64) {
        self.shortfall[t] = v;
    }

    fn surplus(&mut self, t: usize, v: f64) {
        self.surplus[t] = v;
    }

    fn finish(&mut self, s: Series<'_>) {
        self.level = s.level.to_vec();
        self.demand = s.demand.to_vec();
        self.supply = s.supply.to_vec();
        self.lost = s.lost.to_vec();
        self.substitute = s.substitute.to_vec();
    }
}
