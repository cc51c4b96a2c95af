//! comparison.csv: a comparison's runs and differences, one row per run and
//! metric (comparison.json is written with [`super::write_json`]).

use std::path::Path;

use super::timeseries::fmt_f64;
use crate::atomic::atomic_write;
use crate::error::Error;
use crate::report::comparison::Comparison;

/// The columns of comparison.csv.
pub const COMPARISON_COLUMNS: [&str; 14] = [
    "label",
    "scenario",
    "metric",
    "value",
    "se",
    "against",
    "diff",
    "diff_se",
    "diff_ci95_low",
    "diff_ci95_high",
    "diff_se_unpaired",
    "worse",
    "better",
    "equal",
];

/// A number as in the other CSV files; empty when it is not finite (an SE
/// that does not apply).
fn num(x: f64) -> String {
    if x.is_finite() {
        fmt_f64(x)
    } else {
        String::new()
    }
}

/// Writes comparison.csv: for every run and metric, its estimate and SE and,
/// for the runs after the first, the difference from the first (empty for
/// the first run).
pub fn write_comparison_csv(path: &Path, c: &Comparison) -> Result<(), Error> {
    atomic_write(path, |w| {
        writeln!(w, "{}", COMPARISON_COLUMNS.join(","))?;
        for run in &c.runs {
            let diffs = c.differences.iter().find(|d| d.label == run.label);
            for m in &run.metrics {
                let mut row = vec![
                    run.label.clone(),
                    run.scenario.clone(),
                    m.metric.clone(),
                    num(m.value),
                    num(m.se),
                ];
                match diffs.and_then(|d| d.metrics.iter().find(|x| x.metric == m.metric)) {
                    Some(d) => row.extend([
                        c.base.clone(),
                        num(d.diff),
                        num(d.se),
                        num(d.ci95[0]),
                        num(d.ci95[1]),
                        num(d.se_unpaired),
                        num(d.worse),
                        num(d.better),
                        num(d.equal),
                    ]),
                    None => row.extend(std::iter::repeat_n(String::new(), 9)),
                }
                writeln!(w, "{}", row.join(","))?;
            }
        }
        Ok(())
    })
}
