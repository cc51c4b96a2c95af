//! `shortfall table RUN_DIR...`

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ndarray::Array2;
use shortfall::Summary;
use shortfall::engine::Column;
use shortfall::output::markdown::{self, PairedRow};
use shortfall::report::files;
use shortfall::stats::paired_diff;

use super::TableArgs;

/// Prints a Markdown table comparing finished runs.
pub fn table(args: &TableArgs) -> anyhow::Result<ExitCode> {
    if !args.labels.is_empty() && args.labels.len() != args.runs.len() {
        return Err(shortfall::Error::Usage(format!(
            "--labels: give one label per run ({} runs, {} labels)",
            args.runs.len(),
            args.labels.len()
        ))
        .into());
    }
    let mut summaries = Vec::new();
    let mut folders = Vec::new();
    for dir in &args.runs {
        let path: PathBuf = if dir.is_dir() {
            dir.join(files::SUMMARY_JSON)
        } else {
            dir.clone()
        };
        summaries.push(shortfall::output::read_summary(&path)?);
        folders.push(path.parent().map(Path::to_path_buf).unwrap_or_default());
    }
    if let Some(first) = summaries.first() {
        if let Some(other) = summaries
            .iter()
            .find(|s| s.unit != first.unit || s.step != first.step)
        {
            return Err(shortfall::Error::Usage(format!(
                "cannot tabulate runs with different units or steps: {} is in {} per {}, {} in {} per {}",
                first.scenario, first.unit, first.step, other.scenario, other.unit, other.step
            ))
            .into());
        }
    }
    for (s, label) in summaries.iter_mut().zip(&args.labels) {
        s.scenario = label.clone();
    }
    print!("{}", markdown::comparison_table(&summaries));
    if args.paired {
        println!();
        print!("{}", paired(&summaries, &folders)?);
    }
    Ok(ExitCode::SUCCESS)
}

/// The paired-differences table: every run against the first, from their
/// trials.npy, which must hold the same trials under the same seed.
fn paired(summaries: &[Summary], folders: &[PathBuf]) -> Result<String, shortfall::Error> {
    let usage = |m: String| shortfall::Error::Usage(format!("--paired: {m}"));
    let base = &summaries[0];
    if summaries.len() < 2 {
        return Err(usage("give at least two runs".into()));
    }
    if base.trials < 2 {
        return Err(usage(format!(
            "{} has fewer than two trials",
            base.scenario
        )));
    }
    if let Some(s) = summaries
        .iter()
        .find(|s| s.seed != base.seed || s.trials != base.trials)
    {
        return Err(usage(format!(
            "runs are paired only with the same seed and trial count: {} has seed {} and {} trials, {} has seed {} and {}",
            base.scenario, base.seed, base.trials, s.scenario, s.seed, s.trials
        )));
    }
    let tables = folders
        .iter()
        .map(|dir| shortfall::output::read_trials_npy(&dir.join(files::TRIALS_NPY)))
        .collect::<Result<Vec<_>, _>>()?;
    for (dir, t) in folders.iter().zip(&tables) {
        if t.nrows() as u64 != base.trials || t.ncols() != Column::ALL.len() {
            return Err(shortfall::Error::BadFile {
                path: dir.join(files::TRIALS_NPY),
                message: format!(
                    "has {} × {}, expected {} trials × {} columns",
                    t.nrows(),
                    t.ncols(),
                    base.trials,
                    Column::ALL.len()
                ),
            });
        }
    }
    let column = |t: &Array2<f64>, c: Column| t.column(c.index()).to_owned();
    let indicator =
        |t: &Array2<f64>| column(t, Column::Shortfall).mapv(|x| f64::from(u8::from(x > 0.0)));
    let diffs = |t: &Array2<f64>| {
        let b = &tables[0];
        [
            paired_diff(indicator(b).view(), indicator(t).view()),
            paired_diff(
                column(b, Column::Shortfall).view(),
                column(t, Column::Shortfall).view(),
            ),
            paired_diff(
                column(b, Column::ShortfallSteps).view(),
                column(t, Column::ShortfallSteps).view(),
            ),
            paired_diff(
                column(b, Column::Cost).view(),
                column(t, Column::Cost).view(),
            ),
        ]
    };
    let rows: Vec<PairedRow> = summaries
        .iter()
        .zip(&tables)
        .skip(1)
        .map(|(s, t)| PairedRow {
            label: s.scenario.clone(),
            diffs: diffs(t),
        })
        .collect();
    Ok(markdown::paired_table(base, &rows))
}
