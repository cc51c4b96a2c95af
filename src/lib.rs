//! `shortfall`: a Monte Carlo simulator of an energy importer's supply shortfall.
//!
//! It samples supply shocks across an importer's suppliers (technical
//! outages and common-cause events), lets substitutes arrive after their
//! lead time, runs storage step by step, and reports the distribution of the
//! shortfall. The scenario format and the model are fixed in
//! `docs/scenario-format.md` and `docs/model.md`.
//!
//! The data path:
//! ```text
//! scenario.toml → scenario::raw (tree) → scenario::merge (extends, --set)
//!   → scenario::validate (Scenario) → scenario::model (Model)
//!   → engine (SimOutput: trial table + per-step sums) → stats (Summary) → output
//! ```
//!
//! ```no_run
//! use shortfall::{engine, scenario};
//! let model = scenario::load_model("scenarios/japan-2024.toml".as_ref(), &[]).unwrap();
//! let sim = engine::simulate(&model, &engine::RunOptions::default()).unwrap();
//! let summary = shortfall::summarise(&model, &sim);
//! println!("P(shortfall) = {:.4}", summary.metrics.shortfall_probability.mean);
//! ```
#![warn(missing_docs)]

pub mod dist;
pub mod engine;
pub mod error;
pub mod output;
pub mod plot;
pub mod scenario;
pub mod stats;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use error::{Error, Problem, Result};

use engine::{COLUMNS, SimOutput};
use scenario::Model;
use stats::Metrics;

/// The crate version, written into every summary.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Mean volume lost per trial attributed to one supplier or event.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct EntityMean {
    /// The entity's id.
    pub id: String,
    /// Mean over trials, in the scenario's unit.
    pub mean: f64,
}

/// A supplier as the scenario describes it (for reports).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct SupplierInfo {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Volume to this market in normal operation, unit/yr.
    pub volume: f64,
    /// Plant nameplate capacity, unit/yr, if given.
    pub capacity: Option<f64>,
}

/// Everything in summary.json. Identical inputs give identical bytes: nothing
/// here depends on time, threads or machine.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Scenario title.
    pub title: String,
    /// Base seed.
    pub seed: u64,
    /// Number of trials summarised.
    pub trials: u64,
    /// Version of shortfall that produced it.
    pub version: String,
    /// SHA-256 of the merged scenario's canonical serialisation.
    pub scenario_sha256: String,
    /// Volume unit.
    pub unit: String,
    /// Step length name.
    pub step: String,
    /// Number of steps.
    pub steps: usize,
    /// Date of step 0.
    pub start: String,
    /// Currency of substitute costs (`cost` column), if the scenario names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The suppliers as given (for reports).
    pub suppliers: Vec<SupplierInfo>,
    /// Storage capacity (for charts and reports).
    pub storage_capacity: f64,
    /// Storage operating floor.
    pub storage_minimum: f64,
    /// The per-trial columns, in the order of trials.npy.
    pub columns: Vec<String>,
    /// Statistics of every column plus the adequacy metrics.
    pub metrics: Metrics,
    /// Mean volume lost at source per supplier (outages and events combined).
    pub lost_by_supplier: Vec<EntityMean>,
    /// Mean volume each event's supply effects remove (gross: where losses
    /// overlap, each event is credited with what it alone would remove).
    pub lost_by_event: Vec<EntityMean>,
}

/// Reads a summary.json written by a run.
pub fn read_summary(path: &Path) -> Result<Summary> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text)
        .map_err(|e| Error::Usage(format!("{}: not a shortfall summary: {e}", path.display())))
}

/// Summarises a finished simulation.
pub fn summarise(model: &Model, sim: &SimOutput) -> Summary {
    let n = sim.table.nrows() as f64;
    let means = |ids: Vec<&str>, sums: &[f64]| -> Vec<EntityMean> {
        ids.into_iter()
            .zip(sums)
            .map(|(id, s)| EntityMean {
                id: id.to_string(),
                mean: s / n,
            })
            .collect()
    };
    Summary {
        scenario: model.name.clone(),
        title: model.title.clone(),
        seed: model.seed,
        trials: sim.table.nrows() as u64,
        version: VERSION.to_string(),
        scenario_sha256: model.scenario_sha256.clone(),
        unit: model.unit.clone(),
        step: model.step.name().to_string(),
        steps: model.steps,
        start: model.scenario.start.format("%Y-%m-%d").to_string(),
        currency: model.currency.clone(),
        suppliers: model
            .scenario
            .suppliers
            .iter()
            .map(|s| SupplierInfo {
                id: s.id.clone(),
                name: s.name.clone(),
                volume: s.volume,
                capacity: s.capacity,
            })
            .collect(),
        storage_capacity: model.storage_capacity,
        storage_minimum: model.storage_minimum,
        columns: COLUMNS.iter().map(|c| c.to_string()).collect(),
        metrics: stats::metrics(sim.table.view()),
        lost_by_supplier: means(
            model.suppliers.iter().map(|s| s.id.as_str()).collect(),
            &sim.sums.lost_by_supplier,
        ),
        lost_by_event: means(
            model.events.iter().map(|e| e.id.as_str()).collect(),
            &sim.sums.lost_by_event,
        ),
    }
}

/// Timing and machine facts of one run (run.json); kept out of summary.json
/// so that the summary is byte-identical for identical inputs.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    /// shortfall version.
    pub version: String,
    /// Worker threads used.
    pub threads: usize,
    /// Trials run.
    pub trials: u64,
    /// Seconds spent simulating.
    pub simulate_seconds: f64,
    /// Seconds spent on statistics.
    pub statistics_seconds: f64,
    /// Seconds spent writing files (charts included).
    pub write_seconds: f64,
    /// Seconds spent drawing and writing the charts, part of `write_seconds`
    /// (they are drawn while the per-trial files are being written).
    pub charts_seconds: f64,
    /// Total wall-clock seconds.
    pub total_seconds: f64,
    /// Trials per second of simulation.
    pub trials_per_second: f64,
    /// When the run started, seconds since the Unix epoch.
    pub started_unix: u64,
    /// The scenario file as given.
    pub scenario_file: String,
    /// The `--set` overrides, in order.
    pub overrides: Vec<String>,
}

/// Which optional files to write.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// Also write trials.csv.
    pub csv: bool,
    /// Chart formats to render (none: no charts).
    pub charts: Vec<plot::Format>,
    /// PNG width in pixels (0: the default, [`plot::PNG_WIDTH`]).
    pub png_width: u32,
}

/// What [`write_outputs`] wrote.
#[derive(Debug, Clone)]
pub struct Written {
    /// The files, in a fixed order.
    pub files: Vec<PathBuf>,
    /// Seconds spent drawing and writing the charts.
    pub charts_seconds: f64,
}

/// Writes summary.json, timeseries.csv, trials.npy, the charts, summary.md
/// (and trials.csv on request) into `dir`.
pub fn write_outputs(
    dir: &Path,
    model: &Model,
    sim: &SimOutput,
    summary: &Summary,
    opts: &WriteOptions,
) -> Result<Written> {
    let path = |name: &str| dir.join(name);
    let mut written = Vec::new();
    output::write_json(&path("summary.json"), summary)?;
    written.push(path("summary.json"));
    let step_rows = stats::step_rows(model, sim);
    output::write_timeseries(&path("timeseries.csv"), &step_rows)?;
    written.push(path("timeseries.csv"));
    // The per-trial files and the charts do not depend on each other: written
    // side by side (each file's bytes are the same either way).
    let (tables, charts) = rayon::join(
        || -> Result<Vec<PathBuf>> {
            output::write_trials_npy(&path("trials.npy"), sim)?;
            let mut written = vec![path("trials.npy")];
            if opts.csv {
                output::write_trials_csv(&path("trials.csv"), sim)?;
                written.push(path("trials.csv"));
            }
            Ok(written)
        },
        || -> Result<(Vec<PathBuf>, f64)> {
            if opts.charts.is_empty() {
                return Ok((Vec::new(), 0.0));
            }
            let started = std::time::Instant::now();
            let data = plot::ChartData::from_run(sim, summary, step_rows);
            let width = if opts.png_width == 0 {
                plot::PNG_WIDTH
            } else {
                opts.png_width
            };
            let files = plot::render_all(dir, &data, &opts.charts, width)?;
            Ok((files, started.elapsed().as_secs_f64()))
        },
    );
    written.extend(tables?);
    let (chart_files, charts_seconds) = charts?;
    written.extend(chart_files);
    written.push(write_summary_md(dir, summary, &opts.charts)?);
    remove_stale(dir, &written, true);
    Ok(Written {
        files: written,
        charts_seconds,
    })
}

/// Removes files an earlier run (or plot) wrote into `dir` that this one did
/// not: chart files of other formats or after --no-charts, and with
/// `trials_csv` also a trials.csv not written now. A results folder then
/// never mixes two runs. Only the file names shortfall writes are touched.
pub fn remove_stale(dir: &Path, written: &[PathBuf], trials_csv: bool) {
    let mut ours: Vec<String> = Vec::new();
    if trials_csv {
        ours.push("trials.csv".into());
    }
    for (stem, _) in plot::CHARTS {
        for ext in ["svg", "png"] {
            ours.push(format!("{stem}.{ext}"));
        }
    }
    for name in ours {
        let path = dir.join(&name);
        if !written.contains(&path) && path.exists() {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Writes summary.md, linking the charts of the given formats.
pub fn write_summary_md(dir: &Path, summary: &Summary, charts: &[plot::Format]) -> Result<PathBuf> {
    let md = output::markdown::render(summary, charts);
    let path = dir.join("summary.md");
    output::atomic_write(&path, |w| w.write_all(md.as_bytes()))?;
    Ok(path)
}
