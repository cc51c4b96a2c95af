//! A shard of a run (`shortfall run --shard K/N`): what its folder holds and
//! the manifest that lets `shortfall merge` check that shards belong
//! together, cover every trial once and arrived intact.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::engine::{CHUNK, SimOutput};
use crate::scenario::Model;

/// The most shards a run can be split into.
pub const MAX_SHARDS: u64 = 1_000_000;

/// The manifest's format tag; a merge refuses any other.
pub const FORMAT: &str = "shortfall shard 2";

/// The files of a shard's folder.
pub mod files {
    /// The [`super::Manifest`].
    pub const MANIFEST_JSON: &str = "manifest.json";
    /// The merged scenario as run (after `extends` and `--set`), from which
    /// a merge rebuilds the model; its hash is the run's scenario hash.
    pub const SCENARIO_TOML: &str = "scenario.toml";
    /// The shard's per-step sums, one row per block of the fixed tree
    /// (float64, blocks × (6 × steps + suppliers + events)).
    pub const SUMS_NPY: &str = "sums.npy";
    /// The shard's per-step counts of trials with a shortfall, one row per
    /// block (uint64, blocks × steps).
    pub const COUNTS_NPY: &str = "counts.npy";
    /// The shard's storage histogram (uint32, steps × bins).
    pub const STORAGE_HIST_NPY: &str = "storage_hist.npy";
}

/// manifest.json: what a shard is part of and what it holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// Version of shortfall that ran it; shards of different versions are
    /// not merged.
    pub version: String,
    /// The scenario's name.
    pub scenario: String,
    /// SHA-256 of the merged scenario (after `extends` and `--set`).
    pub scenario_sha256: String,
    /// The run's seed.
    pub seed: u64,
    /// Trials of the whole run.
    pub trials: u64,
    /// Trials per chunk.
    pub chunk_size: u64,
    /// This shard's index `K`, from 0.
    pub shard: u64,
    /// The number of shards `N`.
    pub shards: u64,
    /// This shard's trials, `[first, end)`.
    pub trial_range: [u64; 2],
    /// Steps of the horizon.
    pub steps: usize,
    /// The blocks of the fixed tree of per-step sums held in sums.npy and
    /// counts.npy, in order: `[level, index]`.
    pub blocks: Vec<[u64; 2]>,
    /// Every other file of the folder with its SHA-256, so that a damaged or
    /// swapped file is found before anything is merged.
    pub files: BTreeMap<String, String>,
}

impl Manifest {
    /// The manifest of shard `k` of `n` of a run of `model`, whose trials
    /// `sim` holds; `files` is left for the writer to fill in.
    pub fn new(model: &Model, sim: &SimOutput, (k, n): (u64, u64)) -> Manifest {
        Manifest {
            format: FORMAT.to_string(),
            version: super::VERSION.to_string(),
            scenario: model.name.clone(),
            scenario_sha256: model.scenario_sha256.clone(),
            seed: model.seed,
            trials: model.trials,
            chunk_size: CHUNK as u64,
            shard: k,
            shards: n,
            trial_range: [sim.trials.start, sim.trials.end],
            steps: model.steps,
            blocks: sim
                .blocks
                .iter()
                .map(|b| [u64::from(b.level), b.index])
                .collect(),
            files: BTreeMap::new(),
        }
    }

    /// Whether `model` is the scenario this shard was run from (same hash,
    /// trials, seed and steps).
    pub fn matches(&self, model: &Model) -> bool {
        model.scenario_sha256 == self.scenario_sha256
            && model.trials == self.trials
            && model.seed == self.seed
            && model.steps == self.steps
    }
}

/// The shards of a command that runs several scenarios on the same trials
/// (`compare`, `sweep`): `group.json` in its `shards` folder, beside one
/// folder of run shards per run (`shards/LABEL/shard-K-of-N/`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Group {
    /// Always [`GROUP_FORMAT`].
    pub format: String,
    /// The command: `compare` or `sweep`.
    pub command: String,
    /// The results folder's name (`compare-NAME`, `sweep-NAME`).
    pub name: String,
    /// The runs, in order: each one's label, which names its folder.
    pub runs: Vec<String>,
    /// Each run's scenario SHA-256 (after extends and --set), in the same
    /// order: a run's shards must be of that scenario.
    pub scenarios: Vec<String>,
    /// The number of shards `N`.
    pub shards: u64,
    /// What else the command needs to write its results (a sweep's grid).
    #[serde(default)]
    pub details: serde_json::Value,
}

/// [`Group`]'s format tag.
pub const GROUP_FORMAT: &str = "shortfall shard group 1";

/// The file that makes a folder a group of shards.
pub const GROUP_JSON: &str = "group.json";
