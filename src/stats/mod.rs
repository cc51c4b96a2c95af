//! Statistics: per-trial columns ([`summary`]) and per-step series ([`steps`]).

pub mod steps;
pub mod summary;

pub use steps::{StepRow, step_rows};
pub use summary::{ColumnStats, MeanSe, Metrics, input_stats, metrics, sorted_total};
