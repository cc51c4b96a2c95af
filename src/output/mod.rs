//! A run's files: one module per format, each with its writer and its
//! reader. Every file is written through [`crate::atomic`], so an
//! interrupted run never leaves a half-written file behind.
//!
//! - [`json`]: summary.json (written and read back) and run.json;
//! - [`timeseries`]: the per-step file, timeseries.csv;
//! - [`trials`]: trials.npy and trials.csv;
//! - [`markdown`]: summary.md and the comparison table of `shortfall table`.
//!
//! Charts are drawn by `plot`; this module only knows their file names
//! ([`crate::report::charts`]).

pub mod comparison;
pub mod json;
pub mod markdown;
mod npy;
pub mod shard;
mod staged;
pub mod timeseries;
pub mod trials;

use std::path::{Path, PathBuf};

use crate::atomic::atomic_write;
use crate::engine::{Column, SimOutput};
use crate::error::Error;
use crate::report::{Format, Summary, files};
use crate::stats::StepRow;

pub use json::{read_summary, write_json};
pub use staged::{Contents, Staged};
pub use timeseries::{read_timeseries, write_timeseries};
pub use trials::{
    read_trials_npy, write_inputs_csv, write_inputs_npy, write_trials_csv, write_trials_npy,
};

/// Creates the output folder `out/name` (and its parents).
pub fn create_dir(out: &Path, name: &str) -> Result<PathBuf, Error> {
    let dir = out.join(name);
    std::fs::create_dir_all(&dir).map_err(|e| Error::write(&dir, e))?;
    Ok(dir)
}

/// Writes summary.json and timeseries.csv into `dir`; returns their paths.
pub fn write_summary_files(
    dir: &Path,
    summary: &Summary,
    steps: &[StepRow],
) -> Result<Vec<PathBuf>, Error> {
    let json = dir.join(files::SUMMARY_JSON);
    write_json(&json, summary)?;
    let csv = dir.join(files::TIMESERIES_CSV);
    write_timeseries(&csv, steps)?;
    Ok(vec![json, csv])
}

/// Writes the per-trial table into `dir`: trials.npy, and trials.csv when
/// `csv` is set; and, when the scenario draws inputs (`inputs` names their
/// columns), inputs.npy and with `csv` inputs.csv. Returns their paths.
pub fn write_trial_files(
    dir: &Path,
    sim: &SimOutput,
    inputs: &[&str],
    csv: bool,
) -> Result<Vec<PathBuf>, Error> {
    let npy = dir.join(files::TRIALS_NPY);
    write_trials_npy(&npy, sim)?;
    let mut written = vec![npy];
    if csv {
        let path = dir.join(files::TRIALS_CSV);
        write_trials_csv(&path, sim)?;
        written.push(path);
    }
    if !inputs.is_empty() {
        let npy = dir.join(files::INPUTS_NPY);
        write_inputs_npy(&npy, sim)?;
        written.push(npy);
        if csv {
            let path = dir.join(files::INPUTS_CSV);
            write_inputs_csv(&path, sim, inputs)?;
            written.push(path);
        }
    }
    Ok(written)
}

/// Writes summary.md into `dir`, linking the charts of the given formats.
pub fn write_summary_md(
    dir: &Path,
    summary: &Summary,
    charts: &[Format],
) -> Result<PathBuf, Error> {
    let md = markdown::render(summary, charts);
    let path = dir.join(files::SUMMARY_MD);
    atomic_write(&path, |w| w.write_all(md.as_bytes()))?;
    Ok(path)
}

/// A finished run read back from its folder (what `shortfall plot` needs).
#[derive(Debug, Clone)]
pub struct FinishedRun {
    /// summary.json.
    pub summary: Summary,
    /// The `shortfall` column of trials.npy, in trial order.
    pub shortfall: Vec<f64>,
    /// timeseries.csv.
    pub steps: Vec<StepRow>,
}

/// Reads a finished run's summary.json, trials.npy and timeseries.csv.
pub fn read_run(dir: &Path) -> Result<FinishedRun, Error> {
    let summary_path = dir.join(files::SUMMARY_JSON);
    let summary = read_summary(&summary_path)?;
    let name = Column::Shortfall.name();
    let col = summary
        .columns
        .iter()
        .position(|c| c == name)
        .ok_or_else(|| Error::BadFile {
            path: summary_path.clone(),
            message: format!("`columns` lacks {name}"),
        })?;
    let table = read_trials_npy(&dir.join(files::TRIALS_NPY))?;
    if col >= table.ncols() {
        return Err(Error::BadFile {
            path: dir.join(files::TRIALS_NPY),
            message: format!(
                "has {} columns, but summary.json lists {}",
                table.ncols(),
                summary.columns.len()
            ),
        });
    }
    let shortfall = table.column(col).to_vec();
    let steps = read_timeseries(&dir.join(files::TIMESERIES_CSV))?;
    Ok(FinishedRun {
        summary,
        shortfall,
        steps,
    })
}
