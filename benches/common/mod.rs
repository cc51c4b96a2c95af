//! What the engine benchmark (`engine.rs`) and the draw-counting helper
//! (`count_draws.rs`) share: the cases, and the file of per-trial draw counts
//! that the helper writes and the floor benchmark replays.

#![allow(dead_code)]

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use shortfall::scenario::{Model, load_model};

/// One benchmark case: a scenario and the trials simulated per iteration.
pub struct Case {
    /// Name of the criterion group (and of the counts file).
    pub name: &'static str,
    /// Scenario file, relative to the package root.
    pub path: &'static str,
    /// Trials per iteration: a whole number of 1024-trial pairs of chunks,
    /// so that two threads get equal work, and about 0.1-0.5 s per iteration.
    pub trials: u64,
}

/// The three cases of issue #4.
pub const CASES: [Case; 3] = [
    // The v1 baseline: the file this case timed as scenarios/japan-2024.toml
    // before model v2 (the same suppliers, substitutes and events), so that
    // the engine's speed stays comparable across the recalibration.
    Case {
        name: "japan-2024",
        path: "scenarios/japan-2024-realised.toml",
        trials: 20_480,
    },
    Case {
        name: "small",
        path: "tests/fixtures/bench/bench-small.toml",
        trials: 65_536,
    },
    Case {
        name: "large",
        path: "tests/fixtures/bench/bench-large.toml",
        trials: 1_024,
    },
];

/// The package root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Loads a case's model.
pub fn load(case: &Case) -> Model {
    load_model(&root().join(case.path), &[])
        .unwrap_or_else(|e| panic!("cannot load {}: {e:#}", case.path))
}

/// Where the counts of a case are kept: `target/bench-draws/<case>.json`
/// under the package root, whatever target folder the counting build used
/// (run it with its own `CARGO_TARGET_DIR` so that it does not replace the
/// release binary with a counting one).
pub fn counts_path(case: &Case) -> PathBuf {
    root()
        .join("target")
        .join("bench-draws")
        .join(format!("{}.json", case.name))
}

/// Per-trial stream use of trials `first_trial..first_trial + trials`,
/// measured with the `count-draws` build.
#[derive(Debug, Serialize, Deserialize)]
pub struct DrawCounts {
    /// Case name.
    pub case: String,
    /// The model's scenario hash (the counts are for this scenario only).
    pub scenario_sha256: String,
    /// Base seed.
    pub seed: u64,
    /// First trial counted.
    pub first_trial: u64,
    /// Number of trials counted.
    pub trials: u64,
    /// [`table_digest`] of the per-trial rows of those trials: the floor
    /// benchmark checks it against the current engine, so stale counts (an
    /// engine that has changed since) are detected.
    pub table_digest: u64,
    /// Distinct stream keys, in order of first use.
    pub keys: Vec<u64>,
    /// For each trial, the streams it created, in the order they were
    /// dropped: (index into `keys`, words drawn).
    pub streams: Vec<Vec<(u32, u32)>>,
    /// Mean words drawn per trial.
    pub mean_draws: f64,
    /// Mean streams created per trial.
    pub mean_streams: f64,
}

/// An order-dependent digest of the bits of a run of per-trial rows.
pub fn table_digest<'a>(rows: impl IntoIterator<Item = &'a [f64]>) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for row in rows {
        for x in row {
            h = (h ^ x.to_bits()).wrapping_mul(0x0000_0100_0000_01b3);
            h ^= h >> 29;
        }
    }
    h
}
