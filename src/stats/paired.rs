//! Paired differences between two runs of the same trials.
//!
//! Two runs with the same seed and trial count see the same random numbers
//! for every entity they share (SCENARIO.md, "Reproducibility"), so trial
//! `i` of one is trial `i` of the other under a changed assumption. The
//! difference of a mean is then estimated from the per-trial differences,
//! whose spread is far smaller than either run's when the change is small
//! ("common random numbers"). The unpaired SE, as if the runs were
//! independent, is given beside it to show the gain.

use ndarray::{ArrayView1, ArrayView2};

use super::summary::{Metrics, ceil_frac};
use crate::engine::Column;

/// The difference `other − base` of the mean of one per-trial quantity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedDiff {
    /// Mean of the base run.
    pub base: f64,
    /// Mean of the other run.
    pub other: f64,
    /// `other − base`.
    pub diff: f64,
    /// Standard error of `diff` from the per-trial differences.
    pub se: f64,
    /// Standard error of `diff` as if the runs were independent,
    /// `sqrt(se_base² + se_other²)`.
    pub se_unpaired: f64,
    /// Share of trials in which `other > base` (beyond 1e-9 of the larger
    /// value: floating-point noise counts as equal).
    pub higher: f64,
    /// Share of trials in which `other < base` (likewise).
    pub lower: f64,
}

/// The paired difference of the means of `other` and `base`, two per-trial
/// columns of the same trials. Panics if their lengths differ or are below 2.
pub fn paired_diff(base: ArrayView1<'_, f64>, other: ArrayView1<'_, f64>) -> PairedDiff {
    let n = base.len();
    assert_eq!(n, other.len(), "paired columns have the same trials");
    assert!(n >= 2, "a standard error needs two trials");
    let nf = n as f64;
    let mean = |x: &ArrayView1<'_, f64>| x.iter().sum::<f64>() / nf;
    let var = |x: &ArrayView1<'_, f64>, m: f64| {
        x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (nf - 1.0)
    };
    let (mb, mo) = (mean(&base), mean(&other));
    let d: Vec<f64> = other.iter().zip(base.iter()).map(|(o, b)| o - b).collect();
    let md = d.iter().sum::<f64>() / nf;
    let vd = d.iter().map(|v| (v - md) * (v - md)).sum::<f64>() / (nf - 1.0);
    // A difference within floating-point noise of the values (1e-9 of the
    // larger, as the step rule treats remainders) counts as equal.
    let noise = |o: f64, b: f64| 1e-9 * o.abs().max(b.abs());
    let (mut higher, mut lower) = (0usize, 0usize);
    for (o, b) in other.iter().zip(base.iter()) {
        if o - b > noise(*o, *b) {
            higher += 1;
        } else if b - o > noise(*o, *b) {
            lower += 1;
        }
    }
    let (higher, lower) = (higher as f64 / nf, lower as f64 / nf);
    PairedDiff {
        base: mb,
        other: mo,
        diff: md,
        se: (vd / nf).sqrt(),
        se_unpaired: ((var(&base, mb) + var(&other, mo)) / nf).sqrt(),
        higher,
        lower,
    }
}

/// A headline metric of a run, as `shortfall compare` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Expected unserved energy: the mean of `shortfall`.
    Eue,
    /// P(shortfall > 0).
    Probability,
    /// Loss of load expectation: the mean of `shortfall_steps`.
    Lole,
    /// The 95th percentile of `shortfall` (1 in 20).
    P95,
    /// The 99th percentile of `shortfall` (1 in 100).
    P99,
    /// The mean of the worst 5% of `shortfall`.
    Cvar95,
    /// The mean substitute cost.
    Cost,
}

impl Metric {
    /// Every metric, in report order.
    pub const ALL: [Metric; 7] = [
        Metric::Eue,
        Metric::Probability,
        Metric::Lole,
        Metric::P95,
        Metric::P99,
        Metric::Cvar95,
        Metric::Cost,
    ];

    /// The name used on the command line and in comparison.json/csv.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Eue => "eue",
            Metric::Probability => "p_shortfall",
            Metric::Lole => "lole",
            Metric::P95 => "p95",
            Metric::P99 => "p99",
            Metric::Cvar95 => "cvar95",
            Metric::Cost => "cost",
        }
    }

    /// A label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Metric::Eue => "EUE",
            Metric::Probability => "P(shortfall)",
            Metric::Lole => "LOLE",
            Metric::P95 => "P95",
            Metric::P99 => "P99",
            Metric::Cvar95 => "CVaR95",
            Metric::Cost => "cost",
        }
    }

    /// The metric whose `name` this is.
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Whether it is a mean of a per-trial quantity (its paired SE then
    /// comes from the per-trial differences; otherwise from a bootstrap).
    pub fn is_mean(self) -> bool {
        !matches!(self, Metric::P95 | Metric::P99 | Metric::Cvar95)
    }

    /// Its estimate in a run's statistics (exactly summary.json's number).
    pub fn of(self, m: &Metrics) -> f64 {
        let short = m.column(Column::Shortfall);
        match self {
            Metric::Eue => m.eue.mean,
            Metric::Probability => m.shortfall_probability.mean,
            Metric::Lole => m.lole.mean,
            Metric::P95 => short.p95,
            Metric::P99 => short.p99,
            Metric::Cvar95 => short.cvar95,
            Metric::Cost => m.column(Column::Cost).mean,
        }
    }

    /// Its standard error in a run's statistics: NaN for a quantile or CVaR
    /// (see [`compare`], which gets one from the bootstrap).
    pub fn se_of(self, m: &Metrics) -> f64 {
        match self {
            Metric::Eue => m.eue.se,
            Metric::Probability => m.shortfall_probability.se,
            Metric::Lole => m.lole.se,
            Metric::Cost => m.column(Column::Cost).se,
            Metric::P95 | Metric::P99 | Metric::Cvar95 => f64::NAN,
        }
    }

    /// The per-trial quantity it is built from: the shortfall (or whether
    /// there is one), the steps short, or the cost.
    pub fn per_trial(self, table: ArrayView2<'_, f64>) -> Vec<f64> {
        let col = |c: Column| table.column(c.index()).to_vec();
        match self {
            Metric::Probability => col(Column::Shortfall)
                .into_iter()
                .map(|x| f64::from(u8::from(x > 0.0)))
                .collect(),
            Metric::Lole => col(Column::ShortfallSteps),
            Metric::Cost => col(Column::Cost),
            _ => col(Column::Shortfall),
        }
    }
}

impl std::str::FromStr for Metric {
    type Err = String;
    fn from_str(s: &str) -> Result<Metric, String> {
        Metric::from_name(s).ok_or_else(|| {
            let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
            format!("unknown metric \"{s}\"; one of {}", names.join(", "))
        })
    }
}

/// Resamples for the paired bootstrap of quantile and CVaR differences.
pub const BOOTSTRAP_REPLICATES: usize = 400;

/// One metric of one run against the base run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricDiff {
    /// Which metric.
    pub metric: Metric,
    /// The base run's estimate.
    pub base: f64,
    /// The base run's standard error (a quantile's from the bootstrap).
    pub base_se: f64,
    /// This run's estimate.
    pub other: f64,
    /// This run's standard error (a quantile's from the bootstrap).
    pub other_se: f64,
    /// `other − base`.
    pub diff: f64,
    /// Paired standard error of `diff`: from the per-trial differences for
    /// a mean, the standard deviation of the bootstrap differences for a
    /// quantile or CVaR.
    pub se: f64,
    /// 95% interval of `diff`: ±1.96 SE for a mean, the 2.5% and 97.5%
    /// points of the bootstrap differences for a quantile or CVaR.
    pub ci: [f64; 2],
    /// The SE of `diff` if the runs were independent, `√(se_base² + se_other²)`.
    pub se_unpaired: f64,
    /// Share of trials in which this run's per-trial quantity is higher
    /// (worse) than the base's.
    pub worse: f64,
    /// Share in which it is lower (better).
    pub better: f64,
    /// Share in which they are equal (within 1e-9 of the larger).
    pub equal: f64,
}

/// Every metric of `other` against `base`: two per-trial tables of the same
/// trials (same seed, same trial count, row `i` = trial `i`) and their
/// statistics. Quantile and CVaR differences get a paired bootstrap of
/// [`BOOTSTRAP_REPLICATES`] resamples of the trials, each drawn from its own
/// stream of `seed`, so the result does not depend on the thread count.
pub fn compare(
    base: (ArrayView2<'_, f64>, &Metrics),
    other: (ArrayView2<'_, f64>, &Metrics),
    seed: u64,
) -> Vec<MetricDiff> {
    let (bt, bm) = base;
    let (ot, om) = other;
    assert_eq!(bt.nrows(), ot.nrows(), "paired runs have the same trials");
    let boot = bootstrap_tails(&Metric::P95.per_trial(bt), &Metric::P95.per_trial(ot), seed);
    Metric::ALL
        .iter()
        .map(|&metric| {
            let (b, o) = (metric.per_trial(bt), metric.per_trial(ot));
            let p = paired_diff(ArrayView1::from(&b), ArrayView1::from(&o));
            let (base_v, other_v) = (metric.of(bm), metric.of(om));
            let diff = other_v - base_v;
            let equal = 1.0 - p.higher - p.lower;
            let (se, ci, se_unpaired, base_se, other_se) = if metric.is_mean() {
                (
                    p.se,
                    [diff - 1.96 * p.se, diff + 1.96 * p.se],
                    (metric.se_of(bm).powi(2) + metric.se_of(om).powi(2)).sqrt(),
                    metric.se_of(bm),
                    metric.se_of(om),
                )
            } else {
                let k = match metric {
                    Metric::P95 => 0,
                    Metric::P99 => 1,
                    _ => 2,
                };
                boot.summary(k)
            };
            MetricDiff {
                metric,
                base: base_v,
                base_se,
                other: other_v,
                other_se,
                diff,
                se,
                ci,
                se_unpaired,
                worse: p.higher,
                better: p.lower,
                equal,
            }
        })
        .collect()
}

/// The bootstrap replicates of P95, P99 and CVaR95 of two paired columns.
struct Tails {
    /// Per replicate: (base, other) for each of P95, P99, CVaR95.
    reps: Vec<[(f64, f64); 3]>,
}

impl Tails {
    /// For tail metric `k`: (paired SE, 95% percentile interval of the
    /// difference, unpaired SE, the base run's SE, the other run's SE).
    fn summary(&self, k: usize) -> (f64, [f64; 2], f64, f64, f64) {
        let sd = |xs: &[f64]| {
            let n = xs.len() as f64;
            let m = xs.iter().sum::<f64>() / n;
            (xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0)).sqrt()
        };
        let d: Vec<f64> = self.reps.iter().map(|r| r[k].1 - r[k].0).collect();
        let b: Vec<f64> = self.reps.iter().map(|r| r[k].0).collect();
        let o: Vec<f64> = self.reps.iter().map(|r| r[k].1).collect();
        let sorted = super::order::sorted_total(&d);
        let n = sorted.len();
        // The 2.5% and 97.5% points: order statistics ceil(q·B).
        let at = |q: f64| sorted[((q * n as f64).ceil() as usize).clamp(1, n) - 1];
        let (sb, so) = (sd(&b), sd(&o));
        (
            sd(&d),
            [at(0.025), at(0.975)],
            (sb * sb + so * so).sqrt(),
            sb,
            so,
        )
    }
}

/// Resamples the trials with replacement, the same trials for both columns,
/// and computes P95, P99 and CVaR95 of each resample.
///
/// Shortfalls are never negative and most trials of most scenarios have
/// none in either run. A resample of `n` draws puts Binomial(n, z/n) of them
/// on the `z` trials that are 0 in both columns and the rest uniformly on the
/// others, which is the same distribution as `n` uniform draws; only the
/// draws on the others need their values, so a resample costs in proportion
/// to the trials with a shortfall in either run.
fn bootstrap_tails(base: &[f64], other: &[f64], seed: u64) -> Tails {
    use rand::RngExt;
    use rand_distr::{Binomial, Distribution};
    use rayon::prelude::*;
    let n = base.len();
    let nonneg = base.iter().chain(other).all(|x| *x >= 0.0);
    // The trials that are not 0 in both runs (all of them, for columns that
    // can be negative).
    let live: Vec<usize> = (0..n)
        .filter(|&i| !nonneg || base[i] != 0.0 || other[i] != 0.0)
        .collect();
    let zeros = (n - live.len()) as u64;
    let key = crate::scenario::model::stream_key("@bootstrap");
    let reps = (0..BOOTSTRAP_REPLICATES as u64)
        .into_par_iter()
        .map(|r| {
            let mut rng = crate::engine::rng::stream(seed, r, key);
            let on_zeros = if zeros == 0 || live.is_empty() {
                if live.is_empty() { n as u64 } else { 0 }
            } else {
                Binomial::new(n as u64, zeros as f64 / n as f64)
                    .expect("a probability")
                    .sample(&mut rng)
            };
            let m = n - on_zeros as usize;
            let mut a = Vec::with_capacity(m);
            let mut b = Vec::with_capacity(m);
            for _ in 0..m {
                let i = live[rng.random_range(0..live.len())];
                a.push(base[i]);
                b.push(other[i]);
            }
            let z = on_zeros as usize;
            let (ta, tb) = (tail_metrics(&mut a, z), tail_metrics(&mut b, z));
            [(ta[0], tb[0]), (ta[1], tb[1]), (ta[2], tb[2])]
        })
        .collect();
    Tails { reps }
}

/// P95, P99 and CVaR95 (the order statistics and the mean of the worst 5%
/// of SCENARIO.md) of a sample made of `values` and `zeros` further values
/// of 0, all at least 0. Reorders `values`.
fn tail_metrics(values: &mut [f64], zeros: usize) -> [f64; 3] {
    let m = values.len();
    let n = m + zeros;
    let rank = |permille: u64| (ceil_frac(n as u64, permille, 1000) as usize).clamp(1, n) - 1;
    let k = (ceil_frac(n as u64, 5, 100) as usize).clamp(1, n);
    // In sorted order the zeros come first (no value is below 0), then
    // `values`: the worst k are the top min(k, m) of `values` and zeros.
    let top = k.min(m);
    let start = m - top;
    if m > 0 {
        values.select_nth_unstable_by(start.min(m - 1), f64::total_cmp);
    }
    let cvar = values[start..].iter().sum::<f64>() / k as f64;
    // A rank in the full sample: among the zeros, or at rank − zeros of
    // `values`, which lies in the top part or just below it.
    let below_max = values[..start]
        .iter()
        .copied()
        .max_by(f64::total_cmp)
        .unwrap_or(0.0);
    let mut at = |i: usize| {
        if i < zeros {
            0.0
        } else if i - zeros >= start {
            *values[start..]
                .select_nth_unstable_by(i - zeros - start, f64::total_cmp)
                .1
        } else {
            below_max
        }
    };
    let (p95, p99) = (at(rank(950)), at(rank(990)));
    [p95, p99, cvar]
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// Hand-computed: differences 1, 1, 2, 0 (mean 1, sample variance 2/3).
    #[test]
    fn paired_difference_by_hand() {
        let base = array![1.0, 2.0, 3.0, 4.0];
        let other = array![2.0, 3.0, 5.0, 4.0];
        let p = paired_diff(base.view(), other.view());
        assert_eq!((p.base, p.other, p.diff), (2.5, 3.5, 1.0));
        assert!((p.se - (2.0 / 3.0 / 4.0f64).sqrt()).abs() < 1e-15);
        // Variances 5/3 and 5/3 + ... : base 1.6667, other (1.5², 0.5², 1.5², 0.5²)/3 = 5/3.
        assert!((p.se_unpaired - ((5.0 / 3.0 + 5.0 / 3.0) / 4.0f64).sqrt()).abs() < 1e-15);
        assert_eq!((p.higher, p.lower), (0.75, 0.0));
    }

    /// The tail metrics by selection equal the sorted order statistics and
    /// the mean of the sorted worst 5%, for sizes around the rank edges.
    #[test]
    fn tail_metrics_match_the_sorted_definitions() {
        for n in [1usize, 2, 19, 20, 21, 99, 100, 101, 1000, 1013] {
            let v: Vec<f64> = (0..n).map(|i| ((i * 7919) % 997) as f64 * 0.5).collect();
            let sorted = crate::stats::sorted_total(&v);
            let at = |q: u64| sorted[(ceil_frac(n as u64, q, 1000) as usize).clamp(1, n) - 1];
            let k = (ceil_frac(n as u64, 5, 100) as usize).clamp(1, n);
            let cvar = sorted[n - k..].iter().sum::<f64>() / k as f64;
            let got = tail_metrics(&mut v.clone(), 0);
            assert_eq!(got[0], at(950), "n {n}");
            assert_eq!(got[1], at(990), "n {n}");
            assert!(
                (got[2] - cvar).abs() <= 1e-12 * cvar.abs().max(1.0),
                "n {n}"
            );
        }
    }

    /// Zeros given by count are the zeros of the full sample.
    #[test]
    fn tail_metrics_count_implicit_zeros() {
        for (n, positive) in [
            (1000usize, 30usize),
            (1000, 60),
            (100, 1),
            (20, 20),
            (500, 0),
        ] {
            let mut full: Vec<f64> = (0..positive).map(|i| 1.0 + (i * 37 % 11) as f64).collect();
            let given = full.clone();
            full.resize(n, 0.0);
            let want = tail_metrics(&mut full.clone(), 0);
            let got = tail_metrics(&mut given.clone(), n - positive);
            assert_eq!(got[0], want[0], "p95 n {n} positive {positive}");
            assert_eq!(got[1], want[1], "p99 n {n} positive {positive}");
            assert!(
                (got[2] - want[2]).abs() < 1e-12,
                "cvar n {n} positive {positive}"
            );
        }
    }

    /// Differences of rounding noise count as equal.
    #[test]
    fn noise_is_not_a_difference() {
        let base = array![0.1 + 0.2, 1.0, 0.0];
        let other = array![0.3, 1.0 + 1e-12, 0.0];
        let p = paired_diff(base.view(), other.view());
        assert_eq!((p.higher, p.lower), (0.0, 0.0));
    }

    /// A shift that moves every trial by the same amount has a paired SE of 0.
    #[test]
    fn a_constant_shift_is_known_exactly() {
        let base = array![0.5, 7.0, 3.25, 1.0, 9.5];
        let other = &base + 2.0;
        let p = paired_diff(base.view(), other.view());
        assert_eq!(p.diff, 2.0);
        assert!(p.se < 1e-15);
        assert!(p.se_unpaired > 1.0);
    }
}
