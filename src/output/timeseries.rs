//! timeseries.csv: one row per step (SCENARIO.md's columns, then additions),
//! written by a run and read back by `shortfall plot`.

use std::path::Path;

use crate::atomic::atomic_write;
use crate::error::Error;
use crate::stats::StepRow;

/// Columns of timeseries.csv, in order (SCENARIO.md, then additions).
pub const TIMESERIES_COLUMNS: [&str; 14] = [
    "step",
    "date",
    "demand_mean",
    "supply_mean",
    "lost_mean",
    "substitute_mean",
    "shortfall_mean",
    "shortfall_prob",
    "storage_p05",
    "storage_p25",
    "storage_p50",
    "storage_p75",
    "storage_p95",
    "emergency_mean",
];

/// Formats a float for CSV: shortest text that reads back to the same value.
pub fn fmt_f64(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x:?}")
    }
}

/// Writes timeseries.csv.
pub fn write_timeseries(path: &Path, rows: &[StepRow]) -> Result<(), Error> {
    atomic_write(path, |w| {
        writeln!(w, "{}", TIMESERIES_COLUMNS.join(","))?;
        for r in rows {
            let mut fields = vec![r.step.to_string(), r.date.clone()];
            fields.extend(
                [
                    r.demand_mean,
                    r.supply_mean,
                    r.lost_mean,
                    r.substitute_mean,
                    r.shortfall_mean,
                    r.shortfall_prob,
                ]
                .into_iter()
                .chain(r.storage)
                .chain([r.emergency_mean])
                .map(fmt_f64),
            );
            writeln!(w, "{}", fields.join(","))?;
        }
        Ok(())
    })
}

/// Reads a timeseries.csv written by [`write_timeseries`] (columns found by
/// name, so a file with extra columns still reads).
pub fn read_timeseries(path: &Path) -> Result<Vec<StepRow>, Error> {
    let bad = |e: &dyn std::fmt::Display| Error::BadFile {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut reader = csv::Reader::from_reader(file);
    let headers = reader.headers().map_err(|e| bad(&e))?.clone();
    let idx = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(&format!("missing column {name}")))
    };
    let cols: Vec<usize> = TIMESERIES_COLUMNS
        .iter()
        .map(|n| idx(n))
        .collect::<Result<_, _>>()?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let r = record.map_err(|e| bad(&e))?;
        let f = |i: usize| -> Result<f64, Error> {
            r.get(cols[i])
                .unwrap_or("")
                .parse::<f64>()
                .map_err(|e| bad(&e))
        };
        rows.push(StepRow {
            step: f(0)? as usize,
            date: r.get(cols[1]).unwrap_or("").to_string(),
            demand_mean: f(2)?,
            supply_mean: f(3)?,
            lost_mean: f(4)?,
            substitute_mean: f(5)?,
            shortfall_mean: f(6)?,
            shortfall_prob: f(7)?,
            storage: [f(8)?, f(9)?, f(10)?, f(11)?, f(12)?],
            emergency_mean: f(13)?,
        });
    }
    Ok(rows)
}
