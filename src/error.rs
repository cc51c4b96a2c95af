//! The library's error type.
//!
//! Variants by cause: usage, bad input, resources, and I/O. Every error that
//! comes from bad input names the file and the field. [`Error::exit_code`]
//! is the one place that maps a cause to the command's exit code: 2 for
//! anything the user can fix in what they asked for (usage, input,
//! resources), 1 for a failure while writing results.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// One thing wrong with a scenario: where it is, which field, and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where the value came from: a place in a file, a `--set`, or nowhere in
    /// particular (e.g. a missing field).
    pub location: Location,
    /// Dotted path of the field, e.g. `supplier.sakhalin2.outage.duration_days`
    /// (array-of-table entries are named by their `id` where they have one).
    pub field: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let location = self.location.describe();
        if !location.is_empty() {
            write!(f, "{location}: ")?;
        }
        if self.field.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

/// Where a scenario value came from, and so where a [`Problem`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A position in a scenario file (1-based line and column).
    File {
        /// The file, as it was named (relative paths resolved against the parent).
        file: Arc<str>,
        /// 1-based line.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
    },
    /// A file as a whole, when the position in it is not known.
    WholeFile(Arc<str>),
    /// A `--set PATH=VALUE` on the command line (the `PATH=VALUE`).
    Set(Arc<str>),
    /// No place: made by the loader (e.g. a value read from a CSV file), or
    /// a problem about something missing.
    Generated,
}

impl Location {
    /// The location text used in error messages: `file:line:col`, the file
    /// name, `--set X=Y`, or empty for [`Location::Generated`].
    pub fn describe(&self) -> String {
        match self {
            Location::File { file, line, column } => format!("{file}:{line}:{column}"),
            Location::WholeFile(file) => file.to_string(),
            Location::Set(arg) => format!("--set {arg}"),
            Location::Generated => String::new(),
        }
    }
}

/// Everything that can go wrong in `shortfall`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A bad command-line value that is not part of a scenario.
    #[error("{0}")]
    Usage(String),
    /// A scenario file (or its `extends` chain, or a `--set`) is invalid.
    #[error("{} in {}:\n{}", plural(problems.len(), "problem"), file.display(), list(problems))]
    Scenario {
        /// The scenario file that was loaded (the top of the `extends` chain).
        file: PathBuf,
        /// All problems found, in file order where possible.
        problems: Vec<Problem>,
    },
    /// An input file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// An input file was read but is not what it should be (a finished
    /// run's summary.json, timeseries.csv or trials.npy that is damaged or
    /// was not written by shortfall).
    #[error("{}: {message}", path.display())]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// The run needs more than this machine can give (memory, threads).
    #[error("{what}; {advice}")]
    Resources {
        /// What could not be had.
        what: String,
        /// What to do instead.
        advice: String,
    },
    /// The run was asked to stop (Ctrl-C or SIGTERM) before it finished.
    #[error("interrupted before the results were written: nothing was written")]
    Interrupted,
    /// An output file or folder could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// The reason.
        source: std::io::Error,
    },
}

impl Error {
    /// The exit code of the `shortfall` command for this error: 1 for a
    /// failure while writing results, 130 for an interrupted run (128 + the
    /// signal's number; the command gives 143 for SIGTERM), 2 for everything
    /// else (the input, the arguments or the size of the run must change).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Write { .. } => 1,
            // The shell's codes for SIGINT; `main` gives 143 for SIGTERM.
            Error::Interrupted => 130,
            Error::Usage(_)
            | Error::Scenario { .. }
            | Error::Read { .. }
            | Error::BadFile { .. }
            | Error::Resources { .. } => 2,
        }
    }

    /// Convenience constructor for a scenario error with a single problem.
    pub fn scenario(file: impl Into<PathBuf>, problem: Problem) -> Error {
        Error::Scenario {
            file: file.into(),
            problems: vec![problem],
        }
    }

    /// A write error for `path`. Libraries whose errors are not
    /// `io::Error`s (the chart backend) pass `io::Error::other(their text)`.
    pub fn write(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Write {
            path: path.into(),
            source,
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Result alias used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
