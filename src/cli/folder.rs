//! Writes a run's results folder beside its final place: the per-trial
//! files while the statistics are computed, then the summaries and the
//! charts, then summary.md; the caller adds run.json and swaps it in.

use std::path::{Path, PathBuf};
use std::time::Instant;

use shortfall::engine::SimOutput;
use shortfall::output::Staged;
use shortfall::plot::{ChartData, render_all};
use shortfall::report::charts::ChartNotes;
use shortfall::report::{Format, Summary, summarise, summarise_with_sorted_shortfall};
use shortfall::scenario::Model;
use shortfall::{Error, output, stats};

/// Which optional files to write.
pub struct Options<'a> {
    /// Also write trials.csv.
    pub csv: bool,
    /// Chart formats to render (none: no charts).
    pub charts: &'a [Format],
    /// The size the charts are drawn at.
    pub canvas: shortfall::report::charts::Canvas,
    /// Chart titles given on the command line (chart stem, title), over
    /// the scenario's `[report]` titles.
    pub titles: &'a [(String, String)],
}

/// What [`summarise_and_write`] made and wrote.
pub struct Written {
    /// The run's summary.
    pub summary: Summary,
    /// The folder being written, beside its final place: add files here,
    /// then [`Written::commit`].
    pub staged: Staged,
    /// Seconds spent on the statistics (while the per-trial files were
    /// being written).
    pub statistics_seconds: f64,
    /// Seconds spent writing files after the statistics (charts included).
    pub write_seconds: f64,
    /// Seconds spent drawing and writing the charts.
    pub charts_seconds: f64,
    /// What the charts state beyond the data (for run.json).
    pub notes: ChartNotes,
}

impl Written {
    /// Puts the folder in place of an earlier one ([`Staged::commit`]),
    /// unless the run was asked to stop meanwhile (during the statistics or
    /// the writing): then the new folder is discarded and an earlier one
    /// stays as it was.
    pub fn commit(self) -> Result<PathBuf, Error> {
        super::interrupt::check()?;
        self.staged.commit()
    }
}

/// Summarises `sim` and writes the folder `out/name`, built beside it and
/// put in place by [`Written::commit`] (so an interrupted or failed run
/// leaves an earlier one whole): trials.npy (and inputs.npy when the
/// scenario draws inputs, and the CSV forms on request) while the
/// statistics are computed; then the charts, and beside them summary.json,
/// timeseries.csv and summary.md. Each file's bytes are the same whatever
/// runs beside it.
pub fn summarise_and_write(
    out: &Path,
    name: &str,
    model: &Model,
    sim: &SimOutput,
    opts: &Options<'_>,
) -> Result<Written, Error> {
    let staged = Staged::new(out, name)?;
    let dir = staged.path().to_path_buf();
    let inputs: Vec<&str> = model.inputs.iter().map(|i| i.name.as_str()).collect();
    let draw = !opts.charts.is_empty();
    let started = Instant::now();
    let ((summary, sorted, statistics_seconds), tables) = rayon::join(
        || {
            // The exceedance chart's sorted shortfalls, beside the statistics.
            let (summary, sorted) = if draw {
                let (summary, sorted) = summarise_with_sorted_shortfall(model, sim);
                (summary, Some(sorted))
            } else {
                (summarise(model, sim), None)
            };
            (summary, sorted, started.elapsed().as_secs_f64())
        },
        || output::write_trial_files(&dir, sim, &inputs, opts.csv),
    );
    tables?;
    let t = Instant::now();
    let steps = stats::step_rows(model, sim);
    let notes = with_titles(ChartNotes::of(model), opts.titles);
    let write_text = || -> Result<(), Error> {
        output::write_summary_files(&dir, &summary, &steps)?;
        output::write_summary_md(&dir, &summary, opts.charts)?;
        Ok(())
    };
    let mut charts_seconds = 0.0;
    if let Some(sorted) = sorted {
        // summary.json, timeseries.csv and summary.md beside the charts.
        let data = ChartData::new(&summary, sorted, steps.clone()).with_notes(notes.clone());
        let ((charts, seconds), text) = rayon::join(
            || {
                let tc = Instant::now();
                let charts = render_all(&dir, &data, opts.charts, opts.canvas);
                (charts, tc.elapsed().as_secs_f64())
            },
            write_text,
        );
        charts?;
        text?;
        charts_seconds = seconds;
    } else {
        write_text()?;
    }
    Ok(Written {
        summary,
        staged,
        statistics_seconds,
        write_seconds: t.elapsed().as_secs_f64(),
        charts_seconds,
        notes,
    })
}

/// `notes` with the titles given on the command line in place of its own.
pub fn with_titles(mut notes: ChartNotes, titles: &[(String, String)]) -> ChartNotes {
    for (stem, title) in titles {
        notes.titles.insert(stem.clone(), title.clone());
    }
    notes
}
