//! comparison.json: runs of the same trials compared with the first, metric
//! by metric (written by `shortfall compare`).

use serde::{Deserialize, Serialize};

use crate::stats::Metrics;
use crate::stats::paired::{Metric, MetricDiff};

/// Everything in comparison.json.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Comparison {
    /// Version of shortfall that produced it.
    pub version: String,
    /// The seed every run used.
    pub seed: u64,
    /// The trials every run ran (trial `i` of each is paired with trial `i`
    /// of the others).
    pub trials: u64,
    /// Label of the base run, the first.
    pub base: String,
    /// Resamples of the paired bootstrap (for P95, P99 and CVaR95).
    pub bootstrap_replicates: usize,
    /// The volume unit.
    pub unit: String,
    /// The currency of costs, if the first run's scenario names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The runs, base first.
    pub runs: Vec<ComparedRun>,
    /// Every run after the first against the base.
    pub differences: Vec<RunDifferences>,
}

/// One run of a comparison.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ComparedRun {
    /// Its label (the scenario name, or the variant's name).
    pub label: String,
    /// Its scenario name.
    pub scenario: String,
    /// Its scenario title.
    pub title: String,
    /// SHA-256 of its merged scenario.
    pub scenario_sha256: String,
    /// Its results folder, relative to the comparison's folder.
    pub folder: String,
    /// Each metric's estimate and SE (`null` SE for a quantile or CVaR of a
    /// single run: see its summary.json for intervals).
    pub metrics: Vec<MetricValue>,
}

/// A metric's estimate in one run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MetricValue {
    /// The metric's name (`eue`, `p_shortfall`, ...).
    pub metric: String,
    /// The estimate (exactly the run's summary.json number).
    pub value: f64,
    /// Its standard error (`null` where none applies).
    #[serde(deserialize_with = "crate::stats::summary::nan_if_null")]
    pub se: f64,
}

/// One run against the base.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunDifferences {
    /// The run's label.
    pub label: String,
    /// The base run's label.
    pub against: String,
    /// Every metric's difference.
    pub metrics: Vec<Difference>,
}

/// A metric's difference `run − base`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Difference {
    /// The metric's name.
    pub metric: String,
    /// The base run's estimate.
    pub base: f64,
    /// The run's estimate.
    pub value: f64,
    /// `value − base`.
    pub diff: f64,
    /// Paired standard error of `diff`.
    #[serde(deserialize_with = "crate::stats::summary::nan_if_null")]
    pub se: f64,
    /// 95% confidence interval of `diff`.
    pub ci95: [f64; 2],
    /// The SE of `diff` if the runs were independent.
    #[serde(deserialize_with = "crate::stats::summary::nan_if_null")]
    pub se_unpaired: f64,
    /// Share of trials in which the run's per-trial quantity is higher
    /// (worse) than the base's.
    pub worse: f64,
    /// Share in which it is lower (better).
    pub better: f64,
    /// Share in which they are the same.
    pub equal: f64,
}

impl MetricValue {
    /// Every metric of a run's statistics; `se` gives each metric's SE when
    /// the run's statistics do not (a quantile's, from a bootstrap).
    pub fn all(m: &Metrics, se: impl Fn(Metric) -> Option<f64>) -> Vec<MetricValue> {
        Metric::ALL
            .iter()
            .map(|&metric| MetricValue {
                metric: metric.name().to_string(),
                value: metric.of(m),
                se: se(metric).unwrap_or_else(|| metric.se_of(m)),
            })
            .collect()
    }
}

impl From<&MetricDiff> for Difference {
    fn from(d: &MetricDiff) -> Difference {
        Difference {
            metric: d.metric.name().to_string(),
            base: d.base,
            value: d.other,
            diff: d.diff,
            se: d.se,
            ci95: d.ci,
            se_unpaired: d.se_unpaired,
            worse: d.worse,
            better: d.better,
            equal: d.equal,
        }
    }
}
