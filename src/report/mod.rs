//! What every exporter reads: the run's [`Summary`] (summary.json), the
//! run's facts ([`RunInfo`], run.json), the catalogue of charts and image
//! formats ([`charts`]) and the names of the files a run writes.
//!
//! Output writers and charts both read from here and never from each other,
//! nor from the engine's internals.

pub mod charts;
pub mod comparison;
pub mod shard;
mod summary;
pub mod text;

pub use charts::{Chart, Format};

/// The crate version, written into every summary.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub use summary::{
    EntityMean, InputMetrics, RunInfo, Summary, SupplierInfo, TargetInfo, summarise,
    summarise_with_sorted_shortfall,
};

/// The files of a run's folder.
pub mod files {
    /// Headline statistics (the [`super::Summary`]).
    pub const SUMMARY_JSON: &str = "summary.json";
    /// Timing and machine facts (the [`super::RunInfo`]).
    pub const RUN_JSON: &str = "run.json";
    /// Per-step means and storage percentiles.
    pub const TIMESERIES_CSV: &str = "timeseries.csv";
    /// The per-trial table, float64, trials × columns.
    pub const TRIALS_NPY: &str = "trials.npy";
    /// The per-trial table as CSV (on request).
    pub const TRIALS_CSV: &str = "trials.csv";
    /// The drawn inputs, float64, trials × inputs (only when the scenario
    /// draws any).
    pub const INPUTS_NPY: &str = "inputs.npy";
    /// The drawn inputs as CSV (with trials.csv).
    pub const INPUTS_CSV: &str = "inputs.csv";
    /// A comparison's results (`shortfall compare`).
    pub const COMPARISON_JSON: &str = "comparison.json";
    /// The same as CSV, one row per run and metric.
    pub const COMPARISON_CSV: &str = "comparison.csv";
    /// The results as Markdown, linking the charts.
    pub const SUMMARY_MD: &str = "summary.md";
}
