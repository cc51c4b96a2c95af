//! `shortfall`: a Monte Carlo simulator of an energy importer's supply shortfall.
//!
//! It samples supply shocks across an importer's suppliers (technical
//! outages and common-cause events), lets substitutes arrive after their
//! lead time, runs storage step by step, and reports the distribution of the
//! shortfall. The scenario format and the model are fixed in
//! `docs/scenario-format.md` and `docs/model.md`; the layout of this crate
//! is drawn in `docs/architecture.md`.
//!
//! The data path, one module per arrow; each module imports only those
//! below it:
//! ```text
//! scenario.toml → scenario (raw → merge → validate → Model)
//!   → engine (SimOutput: per-trial table, per-step sums, storage histogram)
//!   → stats (column statistics, per-step rows) → report (Summary, charts, file names)
//!   → output (files: json, csv, npy, md) and plot (charts)
//! ```
//!
//! ```no_run
//! use shortfall::{engine, scenario};
//! let model = scenario::load_model("scenarios/japan-2024.toml".as_ref(), &[]).unwrap();
//! let sim = engine::simulate(&model, &engine::RunOptions::default()).unwrap();
//! let summary = shortfall::report::summarise(&model, &sim);
//! println!("P(shortfall) = {:.4}", summary.metrics.shortfall_probability.mean);
//! ```
#![warn(missing_docs)]

pub mod atomic;
pub mod dist;
pub mod engine;
pub mod error;
pub mod output;
pub mod pages;
pub mod plot;
pub mod report;
pub mod scenario;
pub mod stats;

pub use error::{Error, Location, Problem, Result};
pub use report::{Summary, VERSION, summarise};
