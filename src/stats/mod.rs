//! Statistics: per-trial columns ([`summary`]), per-step series ([`steps`])
//! and paired differences between runs of the same trials ([`paired`]).

mod order;
pub mod paired;
pub mod sensitivity;
pub mod steps;
pub mod summary;
mod tail;

pub use order::sorted_total;
pub use paired::{BOOTSTRAP_REPLICATES, Metric, MetricDiff, PairedDiff, compare, paired_diff};
pub use steps::{StepRow, step_rows};
pub use summary::{
    ColumnStats, MeanSe, Metrics, input_stats, metrics, metrics_and_sorted_shortfall,
};
