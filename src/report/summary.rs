//! summary.json and run.json: the run's results and the run's facts.

use serde::{Deserialize, Serialize};

use crate::engine::{Column, SimOutput};
use crate::scenario::Model;
use crate::scenario::model::InputField;
use crate::stats::{self, ColumnStats, Metrics};

/// Mean volume lost per trial attributed to one supplier or event.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EntityMean {
    /// The entity's id.
    pub id: String,
    /// Mean over trials, in the scenario's unit.
    pub mean: f64,
}

/// A supplier as the scenario describes it (for reports).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SupplierInfo {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Volume to this market in normal operation, unit/yr (for a volume
    /// drawn per trial, the mean of its draws in this run).
    pub volume: f64,
    /// Plant nameplate capacity, unit/yr, if given.
    pub capacity: Option<f64>,
}

/// Everything in summary.json. Identical inputs give identical bytes: nothing
/// here depends on time, threads or machine.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Scenario title.
    pub title: String,
    /// Base seed.
    pub seed: u64,
    /// Number of trials summarised.
    pub trials: u64,
    /// Version of shortfall that produced it.
    pub version: String,
    /// SHA-256 of the merged scenario's canonical serialisation.
    pub scenario_sha256: String,
    /// Volume unit.
    pub unit: String,
    /// Step length name.
    pub step: String,
    /// Number of steps.
    pub steps: usize,
    /// Date of step 0.
    pub start: String,
    /// Currency of substitute costs (`cost` column), if the scenario names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The suppliers as given (for reports).
    pub suppliers: Vec<SupplierInfo>,
    /// Storage capacity (for charts and reports).
    pub storage_capacity: f64,
    /// Storage operating floor.
    pub storage_minimum: f64,
    /// The per-trial columns, in the order of trials.npy.
    pub columns: Vec<String>,
    /// The drawn inputs' columns, in the order of inputs.npy (left out when
    /// the scenario draws none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<String>,
    /// Statistics of every column plus the adequacy metrics.
    pub metrics: Metrics,
    /// Statistics of every drawn input, by column name, in the order of
    /// `inputs` (left out when the scenario draws none).
    #[serde(default, skip_serializing_if = "InputMetrics::is_empty")]
    pub input_metrics: InputMetrics,
    /// Mean volume lost at source per supplier (outages and events combined).
    pub lost_by_supplier: Vec<EntityMean>,
    /// Mean volume each event's supply effects remove (gross: where losses
    /// overlap, each event is credited with what it alone would remove).
    pub lost_by_event: Vec<EntityMean>,
    /// Mean demand each event with a demand effect adds (gross, as if it
    /// were the only one; negative where it lowers demand), in file order;
    /// left out when no event has a demand effect.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub demand_by_event: Vec<EntityMean>,
}

/// Statistics of the drawn inputs, by column name, kept in column order
/// (a JSON object whose keys come in the order of `inputs.npy`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InputMetrics(pub Vec<(String, ColumnStats)>);

impl InputMetrics {
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The statistics of the input named `name`.
    pub fn get(&self, name: &str) -> Option<&ColumnStats> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, s)| s)
    }
}

impl Serialize for InputMetrics {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, stats) in &self.0 {
            map.serialize_entry(name, stats)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for InputMetrics {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<InputMetrics, D::Error> {
        struct Ordered;
        impl<'de> serde::de::Visitor<'de> for Ordered {
            type Value = InputMetrics;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map of input names to statistics")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<InputMetrics, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, ColumnStats>()? {
                    entries.push(entry);
                }
                Ok(InputMetrics(entries))
            }
        }
        d.deserialize_map(Ordered)
    }
}

/// Summarises a finished simulation of `model`.
pub fn summarise(model: &Model, sim: &SimOutput) -> Summary {
    summary_of(model, sim, stats::metrics(sim.table.view()))
}

/// [`summarise`], and the total shortfall of every trial sorted ascending
/// (what the charts draw), sorted beside the statistics.
pub fn summarise_with_sorted_shortfall(model: &Model, sim: &SimOutput) -> (Summary, Vec<f64>) {
    let (metrics, sorted) = stats::metrics_and_sorted_shortfall(sim.table.view());
    (summary_of(model, sim, metrics), sorted)
}

/// The summary of a finished simulation of `model` whose per-trial
/// statistics are `metrics`.
fn summary_of(model: &Model, sim: &SimOutput, metrics: stats::Metrics) -> Summary {
    let n = sim.len() as f64;
    let input_stats = stats::input_stats(sim.inputs.view());
    let means = |ids: Vec<&str>, sums: &[f64]| -> Vec<EntityMean> {
        ids.into_iter()
            .zip(sums)
            .map(|(id, s)| EntityMean {
                id: id.to_string(),
                mean: s / n,
            })
            .collect()
    };
    Summary {
        scenario: model.name.clone(),
        title: model.title.clone(),
        seed: model.seed,
        trials: sim.len() as u64,
        version: super::VERSION.to_string(),
        scenario_sha256: model.scenario_sha256.clone(),
        unit: model.unit.clone(),
        step: model.step.name().to_string(),
        steps: model.steps,
        start: model.start.format("%Y-%m-%d").to_string(),
        currency: model.currency.clone(),
        suppliers: model
            .suppliers
            .iter()
            .enumerate()
            .map(|(i, s)| SupplierInfo {
                id: s.id.clone(),
                name: s.name.clone(),
                volume: s.volume.unwrap_or_else(|| {
                    let k = model
                        .inputs
                        .iter()
                        .position(|x| x.field == InputField::SupplierVolume(i))
                        .expect("a volume that is not a number is drawn");
                    input_stats[k].mean
                }),
                capacity: s.capacity,
            })
            .collect(),
        storage_capacity: model.storage_capacity,
        storage_minimum: model.storage_minimum,
        columns: Column::names().map(str::to_string).collect(),
        inputs: model.inputs.iter().map(|x| x.name.clone()).collect(),
        metrics,
        input_metrics: InputMetrics(
            model
                .inputs
                .iter()
                .map(|x| x.name.clone())
                .zip(input_stats.iter().cloned())
                .collect(),
        ),
        lost_by_supplier: means(
            model.suppliers.iter().map(|s| s.id.as_str()).collect(),
            &sim.sums.lost_by_supplier,
        ),
        lost_by_event: means(
            model.events.iter().map(|e| e.id.as_str()).collect(),
            &sim.sums.lost_by_event,
        ),
        demand_by_event: model
            .events
            .iter()
            .zip(&sim.sums.demand_by_event)
            .filter(|(e, _)| e.demand.is_some())
            .map(|(e, s)| EntityMean {
                id: e.id.clone(),
                mean: s / n,
            })
            .collect(),
    }
}

/// Timing and machine facts of one run (run.json); kept out of summary.json
/// so that the summary is byte-identical for identical inputs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunInfo {
    /// shortfall version.
    pub version: String,
    /// Worker threads used.
    pub threads: usize,
    /// Trials run.
    pub trials: u64,
    /// Seconds spent simulating.
    pub simulate_seconds: f64,
    /// Seconds spent on statistics (while the per-trial files are written).
    pub statistics_seconds: f64,
    /// Seconds spent writing files after the statistics (charts included).
    pub write_seconds: f64,
    /// Seconds spent drawing and writing the charts, part of `write_seconds`.
    pub charts_seconds: f64,
    /// Total wall-clock seconds.
    pub total_seconds: f64,
    /// Trials per second of simulation.
    pub trials_per_second: f64,
    /// When the run started, seconds since the Unix epoch.
    pub started_unix: u64,
    /// The scenario file as given.
    pub scenario_file: String,
    /// The `--set` overrides, in order.
    pub overrides: Vec<String>,
    /// For a shard (`run --shard K/N`): `[K, N]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<[u64; 2]>,
    /// For a merge: the number of shards merged (`simulate_seconds` is then
    /// the sum of the shards' own, where their run.json gives it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_shards: Option<u64>,
    /// For a run to a precision (`run --target-se`): the target and where
    /// the run stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<TargetInfo>,
    /// What the charts state beyond the data (titles, sources, certain
    /// events), so that `shortfall plot` draws them again; absent when
    /// there is nothing to state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charts: Option<crate::report::charts::ChartNotes>,
}

/// How a run to a precision (`run --target-se`) went: in run.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetInfo {
    /// The metric the target applies to (`eue`, `p_shortfall`, ...).
    pub metric: String,
    /// The relative standard error asked for.
    pub target_relative_se: f64,
    /// The most trials the run could use.
    pub max_trials: u64,
    /// The trials used (the run's `trials`).
    pub trials: u64,
    /// The metric's relative standard error at the end (`null` when its
    /// value is 0: no relative error can be met).
    #[serde(deserialize_with = "crate::stats::summary::nan_if_null")]
    pub relative_se: f64,
    /// Whether the target was met (otherwise the run stopped at `max_trials`).
    pub converged: bool,
    /// How many waves of trials were run.
    pub waves: u32,
}
