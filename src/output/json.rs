//! summary.json and run.json: pretty JSON with a final newline.

use std::path::Path;

use serde::Serialize;

use crate::atomic::atomic_write;
use crate::error::Error;
use crate::report::Summary;

/// Writes a value as pretty JSON with a final newline.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), Error> {
    atomic_write(path, |w| {
        serde_json::to_writer_pretty(&mut *w, value)?;
        w.write_all(b"\n")
    })
}

/// Reads a summary.json written by a run.
pub fn read_summary(path: &Path) -> Result<Summary, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| Error::BadFile {
        path: path.to_path_buf(),
        message: format!("not a shortfall summary: {e}"),
    })
}
