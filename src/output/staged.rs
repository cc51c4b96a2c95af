//! A results folder built beside its final place and swapped in whole, so
//! that an interrupted or failed run leaves the previous results as they
//! were, never a mix of two runs.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::report::{Chart, Format, files};

/// A folder being written at `OUT/.NAME.partial-PID`, to become `OUT/NAME`
/// by [`Staged::commit`]; dropped without a commit, it is removed.
#[derive(Debug)]
pub struct Staged {
    work: PathBuf,
    target: PathBuf,
    committed: bool,
}

/// The names of the files shortfall writes into a run's folder: the rest of
/// an old folder (a user's notes, say) is carried over into the new one.
fn ours(name: &str) -> bool {
    let tables = [
        files::SUMMARY_JSON,
        files::RUN_JSON,
        files::TIMESERIES_CSV,
        files::TRIALS_NPY,
        files::TRIALS_CSV,
        files::INPUTS_NPY,
        files::INPUTS_CSV,
        files::SUMMARY_MD,
    ];
    tables.contains(&name)
        || Chart::ALL
            .iter()
            .any(|c| Format::ALL.iter().any(|f| c.file_name(*f) == name))
}

impl Staged {
    /// Starts the folder `out/name` in a work folder beside it (created,
    /// with `out`; one left by an earlier interrupted run of this process id
    /// is cleared).
    pub fn new(out: &Path, name: &str) -> Result<Staged, Error> {
        std::fs::create_dir_all(out).map_err(|e| Error::write(out, e))?;
        let work = out.join(format!(".{name}.partial-{}", std::process::id()));
        if work.exists() {
            std::fs::remove_dir_all(&work).map_err(|e| Error::write(&work, e))?;
        }
        std::fs::create_dir(&work).map_err(|e| Error::write(&work, e))?;
        Ok(Staged {
            work,
            target: out.join(name),
            committed: false,
        })
    }

    /// Where the files go until the commit.
    pub fn path(&self) -> &Path {
        &self.work
    }

    /// Where the folder ends up.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Puts the new folder in place of the old one: the old folder's files
    /// that shortfall does not write are moved into the new one, the old
    /// folder is renamed aside, the new one renamed into place, and the old
    /// one removed. Until the second rename the old folder is whole at its
    /// place; only between the two renames (two system calls) is neither
    /// there, and the old one is then at `OUT/.NAME.old-PID`.
    pub fn commit(mut self) -> Result<PathBuf, Error> {
        let target = self.target.clone();
        if target.is_dir() {
            let list = std::fs::read_dir(&target).map_err(|e| Error::write(&target, e))?;
            for entry in list.flatten() {
                let name = entry.file_name();
                let keep = !ours(&name.to_string_lossy()) && !self.work.join(&name).exists();
                if keep {
                    std::fs::rename(entry.path(), self.work.join(&name))
                        .map_err(|e| Error::write(entry.path(), e))?;
                }
            }
            let name = target.file_name().unwrap_or_default().to_string_lossy();
            let old = target.with_file_name(format!(".{name}.old-{}", std::process::id()));
            std::fs::rename(&target, &old).map_err(|e| Error::write(&target, e))?;
            std::fs::rename(&self.work, &target).map_err(|e| Error::write(&target, e))?;
            let _ = std::fs::remove_dir_all(&old);
        } else {
            std::fs::rename(&self.work, &target).map_err(|e| Error::write(&target, e))?;
        }
        self.committed = true;
        Ok(target)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.work);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_replaces_the_old_folder_and_keeps_foreign_files() {
        let out = tempfile::tempdir().unwrap();
        let old = out.path().join("run");
        std::fs::create_dir(&old).unwrap();
        std::fs::write(old.join(files::SUMMARY_JSON), "old").unwrap();
        std::fs::write(old.join("exceedance.png"), "old chart").unwrap();
        std::fs::write(old.join("notes.txt"), "mine").unwrap();
        let staged = Staged::new(out.path(), "run").unwrap();
        std::fs::write(staged.path().join(files::SUMMARY_JSON), "new").unwrap();
        // Until the commit the old folder is untouched.
        assert_eq!(
            std::fs::read_to_string(old.join(files::SUMMARY_JSON)).unwrap(),
            "old"
        );
        let dir = staged.commit().unwrap();
        assert_eq!(dir, old);
        assert_eq!(
            std::fs::read_to_string(dir.join(files::SUMMARY_JSON)).unwrap(),
            "new"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
            "mine"
        );
        // A chart this run did not draw does not survive from the old run.
        assert!(!dir.join("exceedance.png").exists());
        // Nothing is left beside it.
        let names: Vec<_> = std::fs::read_dir(out.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("run")]);
    }

    #[test]
    fn a_folder_never_committed_leaves_the_old_one_and_no_trace() {
        let out = tempfile::tempdir().unwrap();
        let old = out.path().join("run");
        std::fs::create_dir(&old).unwrap();
        std::fs::write(old.join(files::SUMMARY_JSON), "old").unwrap();
        {
            let staged = Staged::new(out.path(), "run").unwrap();
            std::fs::write(staged.path().join(files::SUMMARY_JSON), "half").unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(old.join(files::SUMMARY_JSON)).unwrap(),
            "old"
        );
        assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1);
    }
}
