//! `shortfall plot OUTPUT_DIR`

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use shortfall::Error;

use shortfall::output::{self, Contents, Staged};
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
    // The charts and summary.md are made in a new folder beside the run's,
    // which takes the run's data files and is swapped in whole: a plot that
    // fails or is stopped leaves the run's folder as it was.
    let (out, name) = split_dir(&args.dir)?;
    let staged = Staged::of(&out, &name, Contents::Charts)?;
    let files = render_all(staged.path(), &data, formats, args.charts.canvas())?;
    output::write_summary_md(staged.path(), &run.summary, formats)?;
    super::interrupt::check()?;
    let dir = staged.commit()?;
    println!("wrote {} charts in {}", files.len(), dir.display());
    Ok(ExitCode::SUCCESS)
}

/// A run folder as the folder that holds it and its name (`.` and `..`
/// resolved, so that it has a name).
fn split_dir(dir: &Path) -> Result<(PathBuf, String), Error> {
    let full = dir.canonicalize().map_err(|source| Error::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    match (full.parent(), full.file_name()) {
        (Some(parent), Some(name)) => Ok((parent.to_path_buf(), name.to_string_lossy().into())),
        _ => Err(Error::Usage(format!(
            "{} is not a run's folder",
            dir.display()
        ))),
    }
}
