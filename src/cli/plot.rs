//! `shortfall plot OUTPUT_DIR`

use std::process::ExitCode;

use shortfall::output;
use shortfall::plot::{ChartData, render_all};
use shortfall::stats::sorted_total;

use shortfall::report::{RunInfo, files};

use super::PlotArgs;
use super::folder::with_titles;

/// Re-renders a finished run's charts and summary.md from its files.
pub fn plot(args: &PlotArgs) -> anyhow::Result<ExitCode> {
    let formats = &args.charts.format;
    let run = output::read_run(&args.dir)?;
    // The notes the run recorded (none in a folder from an older version).
    let notes = std::fs::read(args.dir.join(files::RUN_JSON))
        .ok()
        .and_then(|b| serde_json::from_slice::<RunInfo>(&b).ok())
        .and_then(|info| info.charts)
        .unwrap_or_default();
    let notes = with_titles(notes, &args.charts.titles);
    let data =
        ChartData::new(&run.summary, sorted_total(&run.shortfall), run.steps).with_notes(notes);
    let files = render_all(&args.dir, &data, formats, args.charts.canvas())?;
    output::remove_stale(&args.dir, &files, false);
    output::write_summary_md(&args.dir, &run.summary, formats)?;
    println!("wrote {} charts in {}", files.len(), args.dir.display());
    Ok(ExitCode::SUCCESS)
}
