//! The per-trial table: trials.npy (float64, trials × columns) and, on
//! request, trials.csv (with a `trial` index column).

use std::io;
use std::path::Path;

use ndarray::Array2;
use ndarray_npy::{ReadNpyExt, WriteNpyExt};

use super::timeseries::fmt_f64;
use crate::atomic::atomic_write;
use crate::engine::{Column, SimOutput};
use crate::error::Error;

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
    let header: Vec<&str> = Column::names().collect();
    atomic_write(path, |w| {
        writeln!(w, "trial,{}", header.join(","))?;
        for (i, row) in sim.table.rows().into_iter().enumerate() {
            let trial = sim.trials.start + i as u64;
            let fields: Vec<String> = row.iter().map(|x| fmt_f64(*x)).collect();
            writeln!(w, "{trial},{}", fields.join(","))?;
        }
        Ok(())
    })
}

/// Reads a trials.npy written by a run (float64, trials × columns).
pub fn read_trials_npy(path: &Path) -> Result<Array2<f64>, Error> {
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Array2::<f64>::read_npy(file).map_err(|e| Error::BadFile {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}
