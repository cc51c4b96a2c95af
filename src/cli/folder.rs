//! Writes a run's results folder: the data files and the charts side by
//! side, then summary.md, then the removal of files an earlier run left.

use std::path::{Path, PathBuf};
use std::time::Instant;

use shortfall::engine::{Column, SimOutput};
use shortfall::plot::{ChartData, render_all};
use shortfall::report::{Format, Summary};
use shortfall::scenario::Model;
use shortfall::{Error, output, stats};

/// Which optional files to write.
pub struct Options<'a> {
    /// Also write trials.csv.
    pub csv: bool,
    /// Chart formats to render (none: no charts).
    pub charts: &'a [Format],
    /// PNG width in pixels.
    pub png_width: u32,
}

/// What [`write`] wrote.
pub struct Written {
    /// The files, in a fixed order.
    pub files: Vec<PathBuf>,
    /// Seconds spent drawing and writing the charts.
    pub charts_seconds: f64,
}

/// Writes summary.json, timeseries.csv, trials.npy (and inputs.npy when the
/// scenario draws inputs), the charts, summary.md (and the CSV forms of the
/// per-trial tables on request) into `dir`.
pub fn write(
    dir: &Path,
    model: &Model,
    sim: &SimOutput,
    summary: &Summary,
    opts: &Options<'_>,
) -> Result<Written, Error> {
    let steps = stats::step_rows(model, sim);
    let inputs: Vec<&str> = model.inputs.iter().map(|i| i.name.as_str()).collect();
    let mut files = output::write_summary_files(dir, summary, &steps)?;
    // The per-trial files and the charts do not depend on each other: written
    // side by side (each file's bytes are the same either way).
    let (tables, charts) = rayon::join(
        || output::write_trial_files(dir, sim, &inputs, opts.csv),
        || -> Result<(Vec<PathBuf>, f64), Error> {
            if opts.charts.is_empty() {
                return Ok((Vec::new(), 0.0));
            }
            let started = Instant::now();
            let sorted = stats::sorted_total(sim.column(Column::Shortfall));
            let data = ChartData::new(summary, sorted, steps);
            let files = render_all(dir, &data, opts.charts, opts.png_width)?;
            Ok((files, started.elapsed().as_secs_f64()))
        },
    );
    files.extend(tables?);
    let (chart_files, charts_seconds) = charts?;
    files.extend(chart_files);
    files.push(output::write_summary_md(dir, summary, opts.charts)?);
    output::remove_stale(dir, &files, true);
    Ok(Written {
        files,
        charts_seconds,
    })
}
