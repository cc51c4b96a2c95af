//! Writers for a run's files. Every file is written to a temporary file in
//! the destination folder and renamed into place, so an interrupted run
//! never leaves a half-written file behind.

pub mod markdown;

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use ndarray_npy::WriteNpyExt;
use serde::Serialize;

use crate::engine::{COLUMNS, SimOutput};
use crate::error::Error;
use crate::stats::StepRow;
use crate::stats::steps::TIMESERIES_COLUMNS;

/// A temporary file beside `path` (same folder, so the final rename is
/// atomic), ending in `suffix`.
pub fn temp_beside(path: &Path, suffix: &str) -> Result<tempfile::NamedTempFile, Error> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    tempfile::Builder::new()
        .prefix(".shortfall-")
        .suffix(suffix)
        .tempfile_in(dir)
        .map_err(|e| write_error(path, &e))
}

/// Gives a finished temporary file ordinary permissions and renames it over `path`.
pub fn publish(tmp: tempfile::NamedTempFile, path: &Path) -> Result<(), Error> {
    // Temporary files are private (0600); results are ordinary files.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(|e| write_error(path, &e))?;
    }
    tmp.persist(path).map_err(|e| write_error(path, &e.error))?;
    Ok(())
}

fn write_error(path: &Path, e: &dyn std::fmt::Display) -> Error {
    Error::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Writes `path` atomically: `fill` writes into a temporary file beside it,
/// which is renamed over `path` only when everything succeeded. A run that is
/// interrupted or fails leaves either the old file or the new one, never a
/// half-written one. (The data is not forced to disk with fsync: that
/// guards against power loss, not interruption, and costs seconds.)
pub fn atomic_write(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), Error> {
    let tmp = temp_beside(path, ".tmp")?;
    {
        let mut w = BufWriter::new(tmp.as_file());
        fill(&mut w).map_err(|e| write_error(path, &e))?;
        w.flush().map_err(|e| write_error(path, &e))?;
    }
    publish(tmp, path)
}

/// Writes a value as pretty JSON with a final newline.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), Error> {
    atomic_write(path, |w| {
        serde_json::to_writer_pretty(&mut *w, value)?;
        w.write_all(b"\n")
    })
}

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

/// Writes the per-trial table as `trials.npy` (float64, trials × columns).
pub fn write_trials_npy(path: &Path, sim: &SimOutput) -> Result<(), Error> {
    atomic_write(path, |w| {
        sim.table
            .write_npy(w)
            .map_err(|e| io::Error::other(e.to_string()))
    })
}

/// Writes the per-trial table as `trials.csv`, with a `trial` index column.
pub fn write_trials_csv(path: &Path, sim: &SimOutput) -> Result<(), Error> {
    atomic_write(path, |w| {
        writeln!(w, "trial,{}", COLUMNS.join(","))?;
        for (i, row) in sim.table.rows().into_iter().enumerate() {
            let trial = sim.trials.start + i as u64;
            let fields: Vec<String> = row.iter().map(|x| fmt_f64(*x)).collect();
            writeln!(w, "{trial},{}", fields.join(","))?;
        }
        Ok(())
    })
}

/// Creates the output folder `out/name` (and its parents).
pub fn create_dir(out: &Path, name: &str) -> Result<PathBuf, Error> {
    let dir = out.join(name);
    std::fs::create_dir_all(&dir).map_err(|e| Error::Write {
        path: dir.clone(),
        message: e.to_string(),
    })?;
    Ok(dir)
}
