//! `shortfall plot OUTPUT_DIR`

use std::process::ExitCode;

use shortfall::output;
use shortfall::plot::{ChartData, render_all};
use shortfall::stats::sorted_total;

use super::PlotArgs;

/// Re-renders a finished run's charts and summary.md from its files.
pub fn plot(args: &PlotArgs) -> anyhow::Result<ExitCode> {
    let formats = &args.charts.format;
    let run = output::read_run(&args.dir)?;
    let data = ChartData::new(&run.summary, sorted_total(&run.shortfall), run.steps);
    let files = render_all(&args.dir, &data, formats, args.charts.png_width)?;
    output::remove_stale(&args.dir, &files, false);
    output::write_summary_md(&args.dir, &run.summary, formats)?;
    println!("wrote {} charts in {}", files.len(), args.dir.display());
    Ok(ExitCode::SUCCESS)
}
