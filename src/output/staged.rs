//! A results folder built beside its final place and swapped in whole, so
//! that an interrupted or failed command leaves the previous results as
//! they were, never a mix of two runs. Every command that writes a folder
//! (`run`, `merge`, `compare`, `sweep`, `tornado`, `sensitivity`, `plot`)
//! writes it through here.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::report::{Chart, Format, files};

/// Which of a folder's entries are shortfall's own, written anew by the
/// command, and so replaced; the rest (a user's notes, a `shards` folder)
/// is carried over into the new folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contents {
    /// A run's folder: its data files, summary.md and the charts.
    Run,
    /// The folder of a comparison, sweep, tornado or sensitivity analysis:
    /// files whose name is one of these stems followed by `.` or `_` (its
    /// tables and charts in every format), and run folders (those holding a
    /// summary.json), whose own foreign files are carried over as well.
    Group(&'static [&'static str]),
    /// A run's charts and summary.md only (`shortfall plot`): the data
    /// files are carried over untouched.
    Charts,
}

impl Contents {
    /// Whether the entry `name` of a folder (at `path`) is one this command
    /// writes anew.
    fn ours(self, path: &Path, name: &str) -> bool {
        match self {
            Contents::Run => run_file(name) || chart_file(name),
            Contents::Charts => name == files::SUMMARY_MD || chart_file(name),
            Contents::Group(stems) => {
                stems.iter().any(|s| group_file(s, name))
                    || (path.is_dir() && path.join(files::SUMMARY_JSON).is_file())
            }
        }
    }
}

/// Whether `name` is a file a comparison, sweep, tornado or sensitivity
/// analysis writes under the stem `stem`: `STEM.EXT` or `STEM_METRIC.EXT`,
/// EXT a table's (csv, json) or a chart's format. A user's `sweep_notes.md`
/// is not one.
fn group_file(stem: &str, name: &str) -> bool {
    let Some((base, ext)) = name.rsplit_once('.') else {
        return false;
    };
    let ext_ours = ["csv", "json"].contains(&ext) || Format::ALL.iter().any(|f| f.ext() == ext);
    ext_ours
        && (base == stem
            || base
                .strip_prefix(stem)
                .and_then(|r| r.strip_prefix('_'))
                .is_some_and(|m| crate::stats::Metric::ALL.iter().any(|x| x.name() == m)))
}

/// A run's data files and summary.md.
fn run_file(name: &str) -> bool {
    [
        files::SUMMARY_JSON,
        files::RUN_JSON,
        files::TIMESERIES_CSV,
        files::TRIALS_NPY,
        files::TRIALS_CSV,
        files::INPUTS_NPY,
        files::INPUTS_CSV,
        files::SUMMARY_MD,
    ]
    .contains(&name)
}

/// A chart file of a run, in any format.
fn chart_file(name: &str) -> bool {
    Chart::ALL
        .iter()
        .any(|c| Format::ALL.iter().any(|f| c.file_name(*f) == name))
}

/// A folder being written at `OUT/.NAME.partial-PID`, to become `OUT/NAME`
/// by [`Staged::commit`]; dropped without a commit, it is removed.
#[derive(Debug)]
pub struct Staged {
    work: PathBuf,
    target: PathBuf,
    contents: Contents,
    committed: bool,
}

impl Staged {
    /// Starts the run folder `out/name` in a work folder beside it (created,
    /// with `out`; one left by an earlier interrupted run of this process id
    /// is cleared).
    pub fn new(out: &Path, name: &str) -> Result<Staged, Error> {
        Staged::of(out, name, Contents::Run)
    }

    /// Starts the folder `out/name`, whose own entries are `contents`, in a
    /// work folder beside it, as [`Staged::new`].
    pub fn of(out: &Path, name: &str, contents: Contents) -> Result<Staged, Error> {
        std::fs::create_dir_all(out).map_err(|e| Error::write(out, e))?;
        let work = out.join(format!(".{name}.partial-{}", std::process::id()));
        if work.exists() {
            std::fs::remove_dir_all(&work).map_err(|e| Error::write(&work, e))?;
        }
        std::fs::create_dir(&work).map_err(|e| Error::write(&work, e))?;
        Ok(Staged {
            work,
            target: out.join(name),
            contents,
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

    /// Puts the new folder in place of the old one: the old folder's
    /// entries that this command does not write are moved into the new one,
    /// the old folder is renamed aside, the new one renamed into place, and
    /// the old one removed. Until the second rename the old folder is whole
    /// at its place; only between the two renames (two system calls) is
    /// neither there, and the old one is then at `OUT/.NAME.old-PID`. If a
    /// step fails, what was moved is moved back: the old folder stays as it
    /// was, and the new one is removed.
    pub fn commit(mut self) -> Result<PathBuf, Error> {
        let target = self.target.clone();
        if !target.is_dir() {
            std::fs::rename(&self.work, &target).map_err(|e| Error::write(&target, e))?;
            self.committed = true;
            return Ok(target);
        }
        let mut moved: Vec<(PathBuf, PathBuf)> = Vec::new();
        let swapped = carry_over(&target, &self.work, self.contents, &mut moved)
            .and_then(|()| swap(&self.work, &target));
        if let Err(e) = swapped {
            // Back where they were, newest first.
            for (from, to) in moved.iter().rev() {
                let _ = std::fs::rename(to, from);
            }
            return Err(e);
        }
        self.committed = true;
        Ok(target)
    }
}

/// Moves the entries of `old` that are not `contents`' own into `new`
/// (recording each move); inside a run folder that both hold, the run's
/// foreign files likewise.
fn carry_over(
    old: &Path,
    new: &Path,
    contents: Contents,
    moved: &mut Vec<(PathBuf, PathBuf)>,
) -> Result<(), Error> {
    let list = std::fs::read_dir(old).map_err(|e| Error::write(old, e))?;
    for entry in list.flatten() {
        let (from, name) = (entry.path(), entry.file_name());
        let to = new.join(&name);
        if contents.ours(&from, &name.to_string_lossy()) {
            if matches!(contents, Contents::Group(_)) && from.is_dir() && to.is_dir() {
                carry_over(&from, &to, Contents::Run, moved)?;
            }
        } else if !to.exists() {
            std::fs::rename(&from, &to).map_err(|e| Error::write(&from, e))?;
            moved.push((from, to));
        }
    }
    Ok(())
}

/// Renames `target` aside, `work` into its place, and removes the old one;
/// if the second rename fails, `target` is put back.
fn swap(work: &Path, target: &Path) -> Result<(), Error> {
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let old = target.with_file_name(format!(".{name}.old-{}", std::process::id()));
    std::fs::rename(target, &old).map_err(|e| Error::write(target, e))?;
    if let Err(e) = std::fs::rename(work, target) {
        let _ = std::fs::rename(&old, target);
        return Err(Error::write(target, e));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
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
    fn a_group_owns_its_tables_and_charts_only() {
        for name in [
            "sweep.csv",
            "sweep_eue.svg",
            "sweep_p_shortfall.pdf",
            "target.json",
        ] {
            assert!(
                ["sweep", "target"].iter().any(|s| group_file(s, name)),
                "{name}"
            );
        }
        for name in [
            "sweep_notes.md",
            "sweep_eue_old.svg",
            "target_audience.txt",
            "sweep.txt",
            "sweeps.csv",
        ] {
            assert!(
                !["sweep", "target"].iter().any(|s| group_file(s, name)),
                "{name}"
            );
        }
    }

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

    #[test]
    fn a_group_keeps_the_users_files_and_replaces_its_own() {
        let out = tempfile::tempdir().unwrap();
        let old = out.path().join("compare-a");
        std::fs::create_dir_all(old.join("a")).unwrap();
        std::fs::create_dir_all(old.join("gone")).unwrap();
        std::fs::create_dir_all(old.join("shards")).unwrap();
        for run in ["a", "gone"] {
            std::fs::write(old.join(run).join(files::SUMMARY_JSON), "old").unwrap();
        }
        std::fs::write(old.join("a").join("notes.txt"), "run notes").unwrap();
        std::fs::write(old.join("comparison.json"), "old").unwrap();
        std::fs::write(old.join("differences.svg"), "old").unwrap();
        std::fs::write(old.join("notes.txt"), "mine").unwrap();
        let staged = Staged::of(
            out.path(),
            "compare-a",
            Contents::Group(&["comparison", "differences"]),
        )
        .unwrap();
        std::fs::create_dir(staged.path().join("a")).unwrap();
        std::fs::write(staged.path().join("a").join(files::SUMMARY_JSON), "new").unwrap();
        std::fs::write(staged.path().join("comparison.json"), "new").unwrap();
        let dir = staged.commit().unwrap();
        let read = |p: &str| std::fs::read_to_string(dir.join(p)).ok();
        assert_eq!(read("comparison.json").as_deref(), Some("new"));
        assert_eq!(read("a/summary.json").as_deref(), Some("new"));
        assert_eq!(read("a/notes.txt").as_deref(), Some("run notes"));
        assert_eq!(read("notes.txt").as_deref(), Some("mine"));
        assert!(dir.join("shards").is_dir());
        assert!(!dir.join("gone").exists());
        assert!(!dir.join("differences.svg").exists());
        assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_commit_moves_the_users_files_back() {
        let out = tempfile::tempdir().unwrap();
        let old = out.path().join("run");
        std::fs::create_dir(&old).unwrap();
        std::fs::write(old.join(files::SUMMARY_JSON), "old").unwrap();
        std::fs::write(old.join("notes.txt"), "mine").unwrap();
        let staged = Staged::new(out.path(), "run").unwrap();
        std::fs::write(staged.path().join(files::SUMMARY_JSON), "new").unwrap();
        // The old folder cannot be renamed aside: its spare name is taken
        // by a folder that is not empty. The user's file had been moved.
        let aside = out.path().join(format!(".run.old-{}", std::process::id()));
        std::fs::create_dir(&aside).unwrap();
        std::fs::write(aside.join("x"), "").unwrap();
        assert!(staged.commit().is_err());
        let read = |p: &str| std::fs::read_to_string(old.join(p)).unwrap();
        assert_eq!(read(files::SUMMARY_JSON), "old");
        assert_eq!(read("notes.txt"), "mine");
        std::fs::remove_dir_all(aside).unwrap();
        assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1);
    }
}
