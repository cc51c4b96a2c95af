//! Atomic file writes: every file shortfall writes goes to a temporary file
//! in the destination folder and is renamed into place only when complete,
//! so an interrupted or failed run never leaves a half-written file behind.
//! Both the data writers (`output`) and the charts (`plot`) write through here.

use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::error::Error;

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
        .map_err(|e| Error::write(path, e))
}

/// Gives a finished temporary file ordinary permissions and renames it over `path`.
pub fn publish(tmp: tempfile::NamedTempFile, path: &Path) -> Result<(), Error> {
    let fail = |e| Error::write(path, e);
    // Temporary files are private (0600); results are ordinary files.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(fail)?;
    }
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
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
        let fail = |e| Error::write(path, e);
        let mut w = BufWriter::new(tmp.as_file());
        fill(&mut w).map_err(fail)?;
        w.flush().map_err(fail)?;
    }
    publish(tmp, path)
}
