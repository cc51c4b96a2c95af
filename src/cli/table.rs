//! `shortfall table RUN_DIR...`

use std::path::PathBuf;
use std::process::ExitCode;

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
    for dir in &args.runs {
        let path: PathBuf = if dir.is_dir() {
            dir.join(shortfall::report::files::SUMMARY_JSON)
        } else {
            dir.clone()
        };
        summaries.push(shortfall::output::read_summary(&path)?);
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
    print!(
        "{}",
        shortfall::output::markdown::comparison_table(&summaries)
    );
    Ok(ExitCode::SUCCESS)
}
