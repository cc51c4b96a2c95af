//! The per-trial tables: trials.npy (float64, trials × columns) and, on
//! request, trials.csv (with a `trial` index column); and the drawn inputs
//! in the same two forms, inputs.npy and inputs.csv.

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
    write_npy(path, &sim.table)
}

/// Writes the drawn inputs as `inputs.npy` (float64, trials × inputs).
pub fn write_inputs_npy(path: &Path, sim: &SimOutput) -> Result<(), Error> {
    write_npy(path, &sim.inputs)
}

fn write_npy(path: &Path, table: &Array2<f64>) -> Result<(), Error> {
    atomic_write(path, |w| {
        table
            .write_npy(w)
            .map_err(|e| io::Error::other(e.to_string()))
    })
}

/// Writes the per-trial table as `trials.csv`, with a `trial` index column.
pub fn write_trials_csv(path: &Path, sim: &SimOutput) -> Result<(), Error> {
    let header: Vec<&str> = Column::names().collect();
    write_csv(path, sim.trials.start, &header, &sim.table)
}

/// Writes the drawn inputs as `inputs.csv`, with a `trial` index column;
/// `names` are the inputs' column names.
pub fn write_inputs_csv(path: &Path, sim: &SimOutput, names: &[&str]) -> Result<(), Error> {
    write_csv(path, sim.trials.start, names, &sim.inputs)
}

fn write_csv(path: &Path, first: u64, header: &[&str], table: &Array2<f64>) -> Result<(), Error> {
    atomic_write(path, |w| {
        writeln!(w, "trial,{}", header.join(","))?;
        for (i, row) in table.rows().into_iter().enumerate() {
            let trial = first + i as u64;
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
