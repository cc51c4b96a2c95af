//! Per-column statistics of the trial table: moments, quantiles with
//! distribution-free confidence intervals, CVaR, and the headline
//! adequacy metrics.
//!
//! Definitions (SCENARIO.md): `se` is the sample standard deviation (n − 1)
//! over √n; quantile q is the order statistic `x_(ceil(q·n))`; `cvar_a` is the
//! mean of the worst `ceil((1 − a)·n)` trials (lowest for `storage_min`,
//! highest for every other column).

use ndarray::ArrayView2;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize};
use statrs::distribution::{Binomial, DiscreteCDF};

use super::order::{Buckets, COLUMN_GROUP, Placed, extract_keys, from_total_key, sorted_copy};
use super::tail::cvar_se;
use crate::engine::Column;

/// Quantiles reported for every column, as (name, per-mille).
pub const QUANTILES: [(&str, u64); 5] = [
    ("p50", 500),
    ("p90", 900),
    ("p95", 950),
    ("p99", 990),
    ("p999", 999),
];

/// Confidence level of the quantile intervals.
pub const CI_LEVEL: f64 = 0.95;

/// Reads a number that may have been written as `null` (a NaN, e.g. the
/// standard deviation of a single trial) back as NaN.
pub fn nan_if_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// Statistics of one per-trial column. Undefined values (the spread of a
/// single trial) are NaN, written as `null` in JSON.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ColumnStats {
    /// Sample mean.
    pub mean: f64,
    /// Standard error of the mean, std / √n.
    #[serde(deserialize_with = "nan_if_null")]
    pub se: f64,
    /// Sample standard deviation (n − 1).
    #[serde(deserialize_with = "nan_if_null")]
    pub std: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Median, `x_(ceil(0.5 n))`.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Mean of the worst 5% of trials.
    pub cvar95: f64,
    /// Mean of the worst 1% of trials.
    pub cvar99: f64,
    /// Standard error of cvar95 (asymptotic: sd of the tail excess over the
    /// quantile, divided by (1 − 0.95)·√n).
    #[serde(deserialize_with = "nan_if_null")]
    pub cvar95_se: f64,
    /// Standard error of cvar99.
    #[serde(deserialize_with = "nan_if_null")]
    pub cvar99_se: f64,
    /// 95% distribution-free confidence interval of p50 (order statistics).
    pub p50_ci: [f64; 2],
    /// 95% confidence interval of p90.
    pub p90_ci: [f64; 2],
    /// 95% confidence interval of p95.
    pub p95_ci: [f64; 2],
    /// 95% confidence interval of p99.
    pub p99_ci: [f64; 2],
    /// 95% confidence interval of p999.
    pub p999_ci: [f64; 2],
}

/// A mean with its standard error.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct MeanSe {
    /// The estimate.
    pub mean: f64,
    /// Its standard error (NaN, `null` in JSON, for a single trial).
    #[serde(deserialize_with = "nan_if_null")]
    pub se: f64,
}

/// `metrics` in summary.json: one entry per column, in column order, then the
/// adequacy metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    /// Per-column statistics, in [`Column::ALL`] order.
    pub columns: Vec<ColumnStats>,
    /// P(shortfall > 0).
    pub shortfall_probability: MeanSe,
    /// Loss of load expectation: mean of `shortfall_steps`, in steps.
    pub lole: MeanSe,
    /// Expected unserved energy: mean of `shortfall`, in the scenario's unit.
    pub eue: MeanSe,
    /// EUE as parts per million of mean demand.
    pub neue_ppm: MeanSe,
}

impl Metrics {
    /// Statistics of a column.
    pub fn column(&self, c: Column) -> &ColumnStats {
        &self.columns[c.index()]
    }
}

impl Serialize for Metrics {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.columns.len() + 8))?;
        for (c, stats) in Column::ALL.into_iter().zip(&self.columns) {
            map.serialize_entry(c.name(), stats)?;
        }
        map.serialize_entry("shortfall_probability", &self.shortfall_probability)?;
        map.serialize_entry("lole", &self.lole.mean)?;
        map.serialize_entry("lole_se", &self.lole.se)?;
        map.serialize_entry("eue", &self.eue.mean)?;
        map.serialize_entry("eue_se", &self.eue.se)?;
        map.serialize_entry("neue_ppm", &self.neue_ppm.mean)?;
        map.serialize_entry("neue_ppm_se", &self.neue_ppm.se)?;
        map.end()
    }
}

impl<'de> serde::Deserialize<'de> for Metrics {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Metrics, D::Error> {
        use serde::de::Error as _;
        let mut map = serde_json::Map::deserialize(d)?;
        let mut take = |key: &str| {
            map.remove(key)
                .ok_or_else(|| D::Error::custom(format!("metrics lacks `{key}`")))
        };
        let mut columns = Vec::with_capacity(Column::ALL.len());
        for c in Column::ALL {
            let stats = serde_json::from_value(take(c.name())?).map_err(D::Error::custom)?;
            columns.push(stats);
        }
        let num = |v: serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
        let shortfall_probability =
            serde_json::from_value(take("shortfall_probability")?).map_err(D::Error::custom)?;
        let lole = MeanSe {
            mean: num(take("lole")?),
            se: num(take("lole_se")?),
        };
        let eue = MeanSe {
            mean: num(take("eue")?),
            se: num(take("eue_se")?),
        };
        let neue_ppm = MeanSe {
            mean: num(take("neue_ppm")?),
            se: num(take("neue_ppm_se")?),
        };
        Ok(Metrics {
            columns,
            shortfall_probability,
            lole,
            eue,
            neue_ppm,
        })
    }
}

/// `ceil(num · n / den)` in exact integer arithmetic.
pub(crate) fn ceil_frac(n: u64, num: u64, den: u64) -> u64 {
    ((n as u128 * num as u128).div_ceil(den as u128)) as u64
}

/// 1-based ranks `(j, k)` such that `[x_(j), x_(k)]` covers the q-quantile
/// with probability at least `CI_LEVEL` (for continuous data): the number of
/// observations below the quantile is Binomial(n, q), and
/// `P(j <= B <= k - 1) >= CI_LEVEL`. Ranks are clamped to `[1, n]` when `n`
/// is too small for the level to be reachable.
pub fn quantile_ci_ranks(n: u64, q: f64) -> (u64, u64) {
    let alpha = (1.0 - CI_LEVEL) / 2.0;
    let Ok(b) = Binomial::new(q, n) else {
        return (1, n.max(1));
    };
    // Smallest m in [0, n] with pred(m) true, for a monotone predicate.
    let search = |pred: &dyn Fn(u64) -> bool| -> Option<u64> {
        let (mut lo, mut hi) = (0u64, n);
        if !pred(hi) {
            return None;
        }
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if pred(mid) { hi = mid } else { lo = mid + 1 }
        }
        Some(lo)
    };
    // Lower: the largest m with F(m) <= alpha, so j = m + 1.
    let j = match search(&|m| b.cdf(m) > alpha) {
        Some(0) | None => 1,
        Some(first_above) => first_above, // = (largest m with F(m) <= alpha) + 1
    };
    // Upper: the smallest m with F(m) >= 1 - alpha, so k = m + 1.
    let k = search(&|m| b.cdf(m) >= 1.0 - alpha).map_or(n, |m| (m + 1).min(n));
    (j.clamp(1, n.max(1)), k.clamp(1, n.max(1)))
}

/// Statistics of one column. `lower_is_worse` selects the tail for CVaR.
/// `ci_ranks` are from [`quantile_ci_ranks`] for each of [`QUANTILES`].
#[cfg(test)]
fn column_stats(values: &[f64], lower_is_worse: bool, ci_ranks: &[(u64, u64); 5]) -> ColumnStats {
    let keys: Vec<u64> = values.iter().map(|x| super::order::total_key(*x)).collect();
    let range = (*keys.iter().min().unwrap(), *keys.iter().max().unwrap());
    column_stats_of_keys(&keys, range, lower_is_worse, ci_ranks)
}

/// The positions of the sorted column that its statistics read: the
/// quantiles and their intervals, the minimum and maximum, and the worst
/// 5% in order (for CVaR95 and CVaR99 and their SEs, which add the tail's
/// values in sorted order); only those are placed, the rest is not sorted.
fn positions(
    n: usize,
    lower_is_worse: bool,
    ci_ranks: &[(u64, u64); 5],
) -> (Vec<usize>, std::ops::Range<usize>) {
    let index = |rank: u64| (rank.max(1) as usize - 1).min(n - 1);
    let q_index = |permille: u64| index(ceil_frac(n as u64, permille, 1000));
    let k95 = (ceil_frac(n as u64, 5, 100) as usize).clamp(1, n);
    let tail = if lower_is_worse {
        0..k95.max(q_index(50) + 1)
    } else {
        q_index(950).min(n - k95)..n
    };
    let mut at: Vec<usize> = vec![0, n - 1, tail.start, tail.end - 1];
    for (i, (_, permille)) in QUANTILES.iter().enumerate() {
        at.push(q_index(*permille));
        at.push(index(ci_ranks[i].0));
        at.push(index(ci_ranks[i].1));
    }
    (at, tail)
}

/// A column's statistics from its mean, its sum of squared deviations
/// (both added in trial order) and its placed order statistics, whose tail
/// is `tail` of [`positions`]. The numbers are those of a full sort, bit
/// for bit.
fn finish_column(
    mean: f64,
    squares: f64,
    sorted: &Placed,
    tail: std::ops::Range<usize>,
    lower_is_worse: bool,
    ci_ranks: &[(u64, u64); 5],
) -> ColumnStats {
    let n = sorted.len();
    let nf = n as f64;
    let var = if n > 1 {
        squares / (nf - 1.0)
    } else {
        f64::NAN
    };
    let std = var.sqrt();
    let index = |rank: u64| (rank.max(1) as usize - 1).min(n - 1);
    let at = |rank: u64| sorted.at(index(rank));
    let q = |permille: u64| at(ceil_frac(n as u64, permille, 1000));
    let cvar = |percent_tail: u64| {
        let k = (ceil_frac(n as u64, percent_tail, 100) as usize).clamp(1, n);
        let tail = if lower_is_worse { 0..k } else { n - k..n };
        sorted.values(tail).sum::<f64>() / k as f64
    };
    let ci = |i: usize| [at(ci_ranks[i].0), at(ci_ranks[i].1)];
    ColumnStats {
        mean,
        se: std / nf.sqrt(),
        std,
        min: sorted.at(0),
        max: sorted.at(n - 1),
        p50: q(500),
        p90: q(900),
        p95: q(950),
        p99: q(990),
        p999: q(999),
        cvar95: cvar(5),
        cvar99: cvar(1),
        cvar95_se: cvar_se(
            sorted,
            tail.clone(),
            q(if lower_is_worse { 50 } else { 950 }),
            0.05,
            lower_is_worse,
        ),
        cvar99_se: cvar_se(
            sorted,
            tail,
            q(if lower_is_worse { 10 } else { 990 }),
            0.01,
            lower_is_worse,
        ),
        p50_ci: ci(0),
        p90_ci: ci(1),
        p95_ci: ci(2),
        p99_ci: ci(3),
        p999_ci: ci(4),
    }
}

/// Mean and standard error of a sequence. Not inlined, for the reason
/// [`Buckets::count_fold`] gives (the headline metrics took about a fifth
/// less time).
#[inline(never)]
fn mean_se(values: impl Iterator<Item = f64> + Clone) -> MeanSe {
    let n = values.clone().count() as f64;
    let mean = values.clone().sum::<f64>() / n;
    let var = values.map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    MeanSe {
        mean,
        se: (var / n).sqrt(),
    }
}

/// Computes [`Metrics`] from the trial table (rows: trials, columns: [`Column::ALL`]).
/// Columns are summarised in parallel; the result does not depend on the thread count.
pub fn metrics(table: ArrayView2<'_, f64>) -> Metrics {
    metrics_with(table, false).0
}

/// [`metrics`], and the total shortfall of every trial sorted ascending
/// (what [`super::sorted_total`] gives, for the charts), sorted from the
/// statistics' own keys beside them.
pub fn metrics_and_sorted_shortfall(table: ArrayView2<'_, f64>) -> (Metrics, Vec<f64>) {
    let (metrics, sorted) = metrics_with(table, true);
    (metrics, sorted.expect("asked for"))
}

fn metrics_with(table: ArrayView2<'_, f64>, sort: bool) -> (Metrics, Option<Vec<f64>>) {
    let n = table.nrows() as u64;
    assert!(n > 0, "at least one trial");
    let ranks: [(u64, u64); 5] = QUANTILES.map(|(_, pm)| quantile_ci_ranks(n, pm as f64 / 1000.0));
    let lower: Vec<bool> = Column::ALL.iter().map(|c| c.low_is_worse()).collect();
    // The headline metrics read three columns of the first group, from its
    // sort keys (which give back the exact values), beside that group's
    // column statistics; so does the sort of the shortfalls.
    let [sh, st, de] =
        [Column::Shortfall, Column::ShortfallSteps, Column::Demand].map(Column::index);
    assert!(
        sh.max(st).max(de) < COLUMN_GROUP,
        "the headline columns are in the first group"
    );
    let (columns, ((shortfall_probability, eue, lole, neue_ppm), sorted)) =
        columns_stats_with(table, &lower, &ranks, |keys| {
            rayon::join(
                || headline(&keys[sh], &keys[st], &keys[de]),
                || sort.then(|| sorted_copy(&keys[sh])),
            )
        });
    let metrics = Metrics {
        columns,
        shortfall_probability,
        lole,
        eue,
        neue_ppm,
    };
    (metrics, sorted)
}

/// P(shortfall), EUE, LOLE and NEUE (ppm) with their SEs, from the sort
/// keys of the shortfall, shortfall-steps and demand columns.
fn headline(shortfall: &[u64], steps: &[u64], demand: &[u64]) -> (MeanSe, MeanSe, MeanSe, MeanSe) {
    let n = shortfall.len() as f64;
    let value = |k: &u64| from_total_key(*k);
    let probability = mean_se(
        shortfall
            .iter()
            .map(|k| f64::from(u8::from(value(k) > 0.0))),
    );
    let eue = mean_se(shortfall.iter().map(value));
    let lole = mean_se(steps.iter().map(value));
    // NEUE = EUE / mean demand; its SE by the delta method for a ratio of means.
    let mean_demand = demand.iter().map(value).sum::<f64>() / n;
    let ratio = eue.mean / mean_demand;
    let residual = mean_se(
        shortfall
            .iter()
            .zip(demand)
            .map(|(s, d)| value(s) - ratio * value(d)),
    );
    let neue_ppm = MeanSe {
        mean: ratio * 1e6,
        se: residual.se / mean_demand * 1e6,
    };
    (probability, eue, lole, neue_ppm)
}

/// Statistics of each drawn input (rows: trials, columns: inputs), in
/// column order. A value's "worst" tail, for `cvar95` and `cvar99`, is its
/// highest.
pub fn input_stats(inputs: ArrayView2<'_, f64>) -> Vec<ColumnStats> {
    let n = inputs.nrows() as u64;
    if n == 0 {
        return Vec::new();
    }
    let ranks: [(u64, u64); 5] = QUANTILES.map(|(_, pm)| quantile_ci_ranks(n, pm as f64 / 1000.0));
    columns_stats(inputs, &vec![false; inputs.ncols()], &ranks)
}

/// The statistics of every column of a row-major `table` (`lower[c]`:
/// whether column `c`'s low values are its worst). Reading one column of a
/// row-major table touches a cache line of every row, so the columns are
/// read in groups of [`COLUMN_GROUP`] in one pass (blocks of rows in
/// parallel), straight into their keys; then the group's columns are
/// summarised in parallel ([`column_stats_of_keys`]). One group's keys are
/// held at a time: 8 bytes per trial per column of the group. The result
/// does not depend on the thread count.
fn columns_stats(
    table: ArrayView2<'_, f64>,
    lower: &[bool],
    ranks: &[(u64, u64); 5],
) -> Vec<ColumnStats> {
    columns_stats_with(table, lower, ranks, |_| ()).0
}

/// [`columns_stats`], and `first` run on the first group's keys (in column
/// order) beside that group's statistics.
fn columns_stats_with<R: Send>(
    table: ArrayView2<'_, f64>,
    lower: &[bool],
    ranks: &[(u64, u64); 5],
    first: impl FnOnce(&[Vec<u64>]) -> R + Send,
) -> (Vec<ColumnStats>, R) {
    use rayon::prelude::*;
    let mut out = Vec::with_capacity(table.ncols());
    let all: Vec<usize> = (0..table.ncols()).collect();
    let mut first = Some(first);
    let mut found = None;
    // One set of buffers for every group (fresh memory costs a page fault
    // per 4 KiB).
    let mut keys: Vec<Vec<u64>> = Vec::new();
    for cols in all.chunks(COLUMN_GROUP) {
        let range = extract_keys(table, cols, &mut keys);
        let group = || -> Vec<ColumnStats> {
            keys.par_iter()
                .zip(range)
                .zip(cols)
                .map(|((k, range), &c)| column_stats_of_keys(k, range, lower[c], ranks))
                .collect()
        };
        let stats = match first.take() {
            Some(f) => {
                let (stats, r) = rayon::join(group, || f(&keys));
                found = Some(r);
                stats
            }
            None => group(),
        };
        out.extend(stats);
    }
    // Without columns, `first` sees no keys.
    let found = found.unwrap_or_else(|| first.take().map(|f| f(&[])).expect("`first` runs once"));
    (out, found)
}

/// The statistics of one column given as its [`total_key`](super::order::total_key)s, in trial
/// order, and their smallest and largest, in two passes: the first adds the
/// values in trial order and counts the keys into buckets, the second adds
/// the squared deviations in trial order and gathers the keys of the
/// buckets that hold the order statistics ([`Buckets`]).
fn column_stats_of_keys(
    keys: &[u64],
    (min, max): (u64, u64),
    lower: bool,
    ranks: &[(u64, u64); 5],
) -> ColumnStats {
    let n = keys.len();
    let mut buckets = Buckets::new(n, min, max);
    // Both sums start as `Iterator::sum` does, from -0.0.
    let mean = buckets.count_fold(keys, -0.0, |s, x| s + x) / n as f64;
    let (at, tail) = positions(n, lower, ranks);
    let mut gather = buckets.gather(&at, tail.clone());
    let squares = gather.take_fold(keys, -0.0, move |s, x| s + (x - mean) * (x - mean));
    finish_column(mean, squares, &gather.finish(), tail, lower, ranks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::order::sorted_total;

    #[test]
    fn integer_sort_orders_like_total_cmp() {
        let mut v = vec![
            3.5,
            -0.0,
            0.0,
            -2.25,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            1e-300,
            -1e300,
            f64::NAN,
            -f64::NAN,
            7.0,
            7.0,
        ];
        // And a spread of ordinary values.
        v.extend((0..1000).map(|i| ((i * 7919) % 1000) as f64 * 0.37 - 150.0));
        let mut expected = v.clone();
        expected.sort_unstable_by(f64::total_cmp);
        let got = sorted_total(&v);
        let bits = |xs: &[f64]| xs.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&got), bits(&expected));
    }

    /// The statistics from bucketed selection are those of a full sort, bit
    /// for bit: on samples with ties, zeros, a long run of zeros (as
    /// shortfall columns have), negatives, nearly all values in one bucket,
    /// a constant column, of many sizes, both tails.
    #[test]
    fn bucketed_selection_gives_the_full_sorts_bits() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        for n in (1..60).chain([97, 100, 1000, 4001, 20_000, 300_001]) {
            for kind in 0..7 {
                let v: Vec<f64> = (0..n)
                    .map(|_| {
                        let u: f64 = rng.random();
                        match kind {
                            0 => u,
                            1 => (u * 5.0).floor() - 2.0,
                            2 if u < 0.95 => 0.0,
                            2 => u * 1e3,
                            3 => (u - 0.5) * 1e-300 + f64::from(u8::from(u > 0.99)) * 1e300,
                            // Nearly all keys in one bucket, one far away.
                            4 if u < 0.999 => 1.0 + u * 1e-12,
                            4 => 1e300,
                            // More zeros than the worst 5% can skip.
                            5 if u < 0.995 => 0.0,
                            5 => -u,
                            _ => 2.5,
                        }
                    })
                    .collect();
                let ranks =
                    QUANTILES.map(|(_, pm)| quantile_ci_ranks(n as u64, pm as f64 / 1000.0));
                for lower in [false, true] {
                    let got = column_stats(&v, lower, &ranks);
                    let want = by_full_sort(&v, lower, &ranks);
                    assert_eq!(
                        format!("{got:?}"),
                        format!("{want:?}"),
                        "n {n}, kind {kind}, lower {lower}"
                    );
                }
            }
        }
    }

    /// The statistics of a column by a full sort, as they were computed
    /// before the selection by buckets (the reference for the test above).
    fn by_full_sort(values: &[f64], lower: bool, ci_ranks: &[(u64, u64); 5]) -> ColumnStats {
        let n = values.len();
        let sorted = sorted_total(values);
        let at = |rank: u64| sorted[(rank.max(1) as usize - 1).min(n - 1)];
        let q = |permille: u64| at(ceil_frac(n as u64, permille, 1000));
        let cvar = |percent: u64| {
            let k = (ceil_frac(n as u64, percent, 100) as usize).clamp(1, n);
            let tail = if lower {
                &sorted[..k]
            } else {
                &sorted[n - k..]
            };
            tail.iter().sum::<f64>() / k as f64
        };
        let se = |qv: f64, tail: f64| {
            if n < 2 {
                return f64::NAN;
            }
            let ex = |x: &f64| {
                if lower {
                    (qv - x).max(0.0)
                } else {
                    (x - qv).max(0.0)
                }
            };
            let nf = n as f64;
            let mean = sorted.iter().map(ex).sum::<f64>() / nf;
            let var = sorted.iter().map(|x| (ex(x) - mean).powi(2)).sum::<f64>() / (nf - 1.0);
            (var / nf).sqrt() / tail
        };
        let ci = |i: usize| [at(ci_ranks[i].0), at(ci_ranks[i].1)];
        let nf = n as f64;
        let mean = values.iter().sum::<f64>() / nf;
        let var = if n > 1 {
            values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (nf - 1.0)
        } else {
            f64::NAN
        };
        ColumnStats {
            mean,
            se: var.sqrt() / nf.sqrt(),
            std: var.sqrt(),
            min: sorted[0],
            max: sorted[n - 1],
            p50: q(500),
            p90: q(900),
            p95: q(950),
            p99: q(990),
            p999: q(999),
            cvar95: cvar(5),
            cvar99: cvar(1),
            cvar95_se: se(q(if lower { 50 } else { 950 }), 0.05),
            cvar99_se: se(q(if lower { 10 } else { 990 }), 0.01),
            p50_ci: ci(0),
            p90_ci: ci(1),
            p95_ci: ci(2),
            p99_ci: ci(3),
            p999_ci: ci(4),
        }
    }

    #[test]
    fn quantile_is_order_statistic_without_interpolation() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        let ranks = QUANTILES.map(|(_, pm)| quantile_ci_ranks(100, pm as f64 / 1000.0));
        let s = column_stats(&v, false, &ranks);
        assert_eq!(s.p50, 50.0);
        assert_eq!(s.p95, 95.0); // ceil(0.95 × 100) = 95 exactly, not 96
        assert_eq!(s.p999, 100.0);
        assert_eq!(s.cvar95, (96..=100).sum::<i32>() as f64 / 5.0);
        assert!(s.cvar95_se > 0.0 && s.cvar95_se.is_finite());
        let low = column_stats(&v, true, &ranks);
        assert_eq!(low.cvar99, 1.0);
    }

    #[test]
    fn cvar_standard_error_matches_replication() {
        // Exp(1) has CVaR95 = ln 20 + 1 and, with Y = (X − q)⁺ (0 with
        // probability 0.95, Exp(1) otherwise: E[Y] = 0.05, E[Y²] = 0.1),
        // the estimator's asymptotic se is √(Var Y / n) / 0.05 = √(39 / n)
        // exactly. At n = 4,000,000 that is 0.00312: a 2% bias in the
        // CVaR (0.080) is 26 se. The formula's se is itself an estimate,
        // whose relative sd is 5.2/√n = 0.26% (measured over 200
        // replications at n = 10⁶; the Var Y estimate dominates); a
        // tolerance of 1.1% is 4.2 of those sd (passes with 99.99%), and a
        // formula off by 2% is 3.4 sd beyond it (caught with 99.9%).
        use rand::SeedableRng;
        use rand_distr::{Distribution, Exp1};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(42);
        let n = 4_000_000;
        let ranks = QUANTILES.map(|(_, pm)| quantile_ci_ranks(n as u64, pm as f64 / 1000.0));
        let xs: Vec<f64> = (0..n).map(|_| Exp1.sample(&mut rng)).collect();
        let st = column_stats(&xs, false, &ranks);
        let exact_se = (39.0 / n as f64).sqrt();
        let cvar = 20f64.ln() + 1.0;
        assert!(
            (st.cvar95 - cvar).abs() < 4.06 * exact_se,
            "CVaR95 {} vs {cvar} (se {exact_se})",
            st.cvar95
        );
        assert!(
            (st.cvar95_se / exact_se - 1.0).abs() < 0.011,
            "formula se {} vs exact {exact_se}",
            st.cvar95_se
        );
    }

    #[test]
    fn ci_ranks_cover_at_the_stated_level() {
        // Exact coverage from the binomial: P(j <= B <= k-1) >= 0.95 and tight.
        for &(n, q) in &[
            (100u64, 0.5),
            (1000, 0.95),
            (20_000, 0.99),
            (1_000_000, 0.999),
        ] {
            let (j, k) = quantile_ci_ranks(n, q);
            let b = Binomial::new(q, n).unwrap();
            let cover = b.cdf(k - 1) - if j >= 1 { b.cdf(j - 1) } else { 0.0 };
            assert!(cover >= 0.95, "n={n} q={q}: ({j},{k}) covers {cover}");
            assert!(j as f64 <= q * n as f64 + 1.0 && k as f64 >= q * n as f64);
        }
        // Normal approximation check at n = 1e6, q = 0.5: half-width ≈ 1.96·500 = 980.
        let (j, k) = quantile_ci_ranks(1_000_000, 0.5);
        assert!(
            (499_010..=499_030).contains(&j) && (500_970..=500_992).contains(&k),
            "{j} {k}"
        );
    }
}
