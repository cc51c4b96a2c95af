//! The validated scenario: what [`super::validate`] returns.

use chrono::NaiveDate;

use crate::dist::DistSpec;

/// The length of one simulation step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    /// 8760 steps a year.
    Hour,
    /// 365 steps a year.
    Day,
    /// 52 steps a year.
    Week,
    /// 12 steps a year.
    Month,
}

impl Step {
    /// Steps per year: 8760, 365, 52 or 12.
    pub fn per_year(self) -> usize {
        match self {
            Step::Hour => 8760,
            Step::Day => 365,
            Step::Week => 52,
            Step::Month => 12,
        }
    }

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Step::Hour => "hour",
            Step::Day => "day",
            Step::Week => "week",
            Step::Month => "month",
        }
    }
}

/// How an outage process starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitialState {
    /// In an outage with the stationary probability `E[down] / (E[up] + E[down])`.
    Stationary,
    /// Always up at step 0.
    Up,
}

/// An alternating up/down outage process.
#[derive(Debug, Clone, PartialEq)]
pub struct OutageSpec {
    /// Outages per year of up time.
    pub rate_per_year: f64,
    /// Duration of each outage, in days.
    pub duration_days: DistSpec,
    /// Fraction of volume lost during each outage (clamped to [0, 1]).
    pub loss: DistSpec,
    /// How the process starts.
    pub initial: InitialState,
}

/// A field that is either a number or, given as a distribution table, drawn
/// once per trial (SCENARIO.md, "Uncertain inputs").
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// A number: the same in every trial.
    Fixed(f64),
    /// A distribution: drawn once per trial from a stream of its own, then
    /// clamped at 0.
    Drawn(DistSpec),
}

impl Input {
    /// The value, if it is a number.
    pub fn fixed(&self) -> Option<f64> {
        match self {
            Input::Fixed(v) => Some(*v),
            Input::Drawn(_) => None,
        }
    }
}

/// A storage level that may change with the season: a storage-triggered
/// substitute's `target`.
#[derive(Debug, Clone, PartialEq)]
pub enum LevelPath {
    /// One level all year.
    Constant(f64),
    /// Twelve levels, by the calendar month of the step.
    Monthly(Vec<f64>),
    /// One level per step.
    PerStep(Vec<f64>),
}

/// A supplier of the importer.
#[derive(Debug, Clone, PartialEq)]
pub struct SupplierSpec {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Volume delivered to this market in normal operation, unit/yr.
    pub volume: Input,
    /// Optional nameplate capacity of the plant, unit/yr (reports only).
    pub capacity: Option<f64>,
    /// Optional multipliers: 12 (calendar months) or one per step.
    pub profile: Option<Vec<f64>>,
    /// Source-to-market delay in days.
    pub transit_days: Input,
    /// Optional outage process.
    pub outage: Option<OutageSpec>,
}

/// What makes a substitute deliver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trigger {
    /// Replaces volume lost at source, arriving after the lead time.
    Loss,
    /// Restocks storage toward a target level.
    Storage,
    /// Emergency cover in the same step as a shortfall.
    Shortfall,
}

/// A substitute source of supply.
#[derive(Debug, Clone, PartialEq)]
pub struct SubstituteSpec {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Maximum rate, unit/yr.
    pub capacity: Input,
    /// Order-to-arrival delay in days.
    pub lead_days: Input,
    /// The supplier (index) whose spare capacity it draws on, if any: its
    /// available capacity is scaled by `1 - ` that supplier's loss at source.
    pub source: Option<usize>,
    /// What makes it deliver.
    pub trigger: Trigger,
    /// Storage level ordered up to (trigger = storage only).
    pub target: Option<LevelPath>,
    /// Optional budget over the horizon (unit).
    pub volume: Option<Input>,
    /// Optional outage process.
    pub outage: Option<OutageSpec>,
    /// Cost per unit delivered.
    pub cost: Input,
}

/// How often an event happens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Occurrence {
    /// Once with this probability.
    Probability(f64),
    /// A Poisson number of times at this rate per year.
    RatePerYear(f64),
}

/// A common-cause shock.
#[derive(Debug, Clone, PartialEq)]
pub struct EventSpec {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// How often it happens.
    pub occurrence: Occurrence,
    /// The event (index) it can occur only with, if any; `occurrence` is then
    /// a probability conditional on that event.
    pub after: Option<usize>,
    /// Start, in days from the start of the horizon.
    pub start_day: DistSpec,
    /// Duration in days; `None` means the whole horizon.
    pub duration_days: Option<DistSpec>,
    /// Fraction of each named supplier's volume lost (supplier index, fraction).
    pub supply: Vec<(usize, DistSpec)>,
    /// Fraction of each named substitute's capacity lost (substitute index, fraction).
    pub substitute: Vec<(usize, DistSpec)>,
    /// Demand multiplier while active.
    pub demand: Option<DistSpec>,
}

/// Demand before per-trial randomness.
#[derive(Debug, Clone, PartialEq)]
pub enum DemandBase {
    /// An annual total with optional monthly seasonality weights.
    Annual {
        /// unit/yr.
        annual: f64,
        /// 12 monthly weights, not yet rescaled.
        seasonality: Option<Vec<f64>>,
    },
    /// A volume per step (from `per_step` or `per_step_csv`).
    PerStep(Vec<f64>),
}

/// AR(1) multiplicative demand noise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Noise {
    /// Standard deviation of the stationary noise.
    pub sd: f64,
    /// Lag-one autocorrelation φ.
    pub autocorrelation: f64,
}

/// One input of `shortfall tornado`, from `[sensitivity]`: a field and the
/// low and high values it is set to, one at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityInput {
    /// The field, as a `--set` path.
    pub path: String,
    /// Its low setting.
    pub low: f64,
    /// Its high setting.
    pub high: f64,
}

/// What `[report]` says about a run's charts (an extension of SCENARIO.md).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportSpec {
    /// Chart titles by chart file stem (e.g. "exceedance").
    pub titles: std::collections::BTreeMap<String, String>,
    /// Where the scenario's data come from, one source each.
    pub sources: Vec<String>,
}

/// A validated scenario, still in the file's units.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Name, `[a-z0-9_-]+`; names the output folder.
    pub name: String,
    /// Title for reports and charts.
    pub title: String,
    /// Volume unit (default "Mt").
    pub unit: String,
    /// Currency of substitute costs, if given.
    pub currency: Option<String>,
    /// Calendar date of step 0.
    pub start: NaiveDate,
    /// Step length.
    pub step: Step,
    /// Number of steps.
    pub steps: usize,
    /// Number of trials.
    pub trials: u64,
    /// Base seed.
    pub seed: u64,
    /// Base demand.
    pub demand: DemandBase,
    /// Per-trial demand level multiplier.
    pub demand_level: DistSpec,
    /// Optional per-step noise.
    pub noise: Option<Noise>,
    /// Usable storage volume.
    pub storage_capacity: f64,
    /// Initial storage level.
    pub storage_initial: DistSpec,
    /// Operating floor.
    pub storage_minimum: f64,
    /// Suppliers in file order.
    pub suppliers: Vec<SupplierSpec>,
    /// Substitutes in file order.
    pub substitutes: Vec<SubstituteSpec>,
    /// Events in file order.
    pub events: Vec<EventSpec>,
    /// The inputs and ranges of `shortfall tornado` (`[sensitivity]`; empty
    /// when not given).
    pub sensitivity: Vec<SensitivityInput>,
    /// Chart titles and data sources (`[report]`; empty when not given).
    pub report: ReportSpec,
    /// Canonical JSON of the merged scenario (hashed into `scenario_sha256`).
    pub canonical: String,
}
