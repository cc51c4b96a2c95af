//! The integration tests, as one test binary: each file of `tests/it/` is a
//! module, and `helpers` holds what they share. One binary links the crate
//! once, where a binary per file linked it once per file.
//!
//! Run one suite with its module name as the filter, e.g.
//! `cargo test --test it cli::`.

mod helpers;

mod bad_inputs;
mod chart_design;
mod charts;
mod charts_print;
mod cli;
mod compare;
mod exact;
mod extremes;
mod failures;
mod hindcast;
mod hostile;
mod interrupt;
mod invariants;
mod layers;
mod memory;
mod model_v2;
mod outputs;
mod power;
mod reproducibility;
mod rules;
mod same_bytes;
mod scenarios;
mod shards;
mod target;
