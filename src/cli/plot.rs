//! `shortfall plot OUTPUT_DIR`

use std::process::ExitCode;

use shortfall::plot::{ChartData, Format, render_all};

use super::PlotArgs;

/// Re-renders a finished run's charts and summary.md from its files.
pub fn plot(args: &PlotArgs) -> anyhow::Result<ExitCode> {
    let formats = Format::parse_list(&args.format)?;
    let (summary, data) = ChartData::load(&args.dir)?;
    let files = render_all(&args.dir, &data, &formats, args.png_width)?;
    shortfall::remove_stale(&args.dir, &files, false);
    shortfall::write_summary_md(&args.dir, &summary, &formats)?;
    println!("wrote {} charts in {}", files.len(), args.dir.display());
    Ok(ExitCode::SUCCESS)
}
