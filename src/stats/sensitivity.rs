//! Which uncertain inputs drive a result: measures computed from one run's
//! drawn inputs (inputs.npy) and its per-trial outcome.
//!
//! - **Spearman rank correlation** ρ of each input with the outcome: a
//!   monotone association, in [−1, 1], the input alone.
//! - **Standardised rank regression coefficient** (SRRC): the coefficient of
//!   the input's standardised rank in a linear regression of the outcome's
//!   standardised rank on all inputs' ranks: the input's own part when the
//!   inputs are drawn independently. R² of that regression says how much of
//!   the outcome's rank variance a monotone additive model explains; when it
//!   is low, the ranks mislead (interactions, non-monotone effects).
//! - **First-order variance share** (correlation ratio η²): the share of the
//!   outcome's variance explained by the input alone, estimated from the
//!   outcome's means in `BINS` quantile bins of the input. It catches
//!   non-monotone effects; it is biased upwards by about (BINS−1)/(n−1) when
//!   the input has no effect.
//!
//! Each comes with a 95% bootstrap interval (percentile, `REPLICATES`
//! resamples of the trials; ranks and bins are those of the full sample).

use ndarray::ArrayView2;

use super::order::sorted_total;

/// Quantile bins of an input for the variance share.
pub const BINS: usize = 20;
/// Bootstrap resamples of the trials.
pub const REPLICATES: usize = 200;

/// One input's influence on the outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Influence {
    /// The input's column name.
    pub name: String,
    /// Spearman rank correlation and its 95% interval.
    pub spearman: (f64, [f64; 2]),
    /// Standardised rank regression coefficient and its 95% interval (NaN
    /// for an input that does not vary).
    pub srrc: (f64, [f64; 2]),
    /// First-order variance share η² and its 95% interval.
    pub variance_share: (f64, [f64; 2]),
}

/// The measures of one sample (the full one or a resample): per input the
/// Spearman correlation, the SRRC and the variance share; and the R².
struct Measures {
    spearman: Vec<f64>,
    srrc: Vec<f64>,
    share: Vec<f64>,
    r2: f64,
}

/// The influence of every input (columns of `inputs`, named by `names`) on
/// the per-trial `outcome`, and the R² of the rank regression. Deterministic
/// for a given `seed`.
pub fn influences(
    inputs: ArrayView2<'_, f64>,
    names: &[String],
    outcome: &[f64],
    seed: u64,
) -> (Vec<Influence>, f64) {
    use rayon::prelude::*;
    let n = outcome.len();
    let k = inputs.ncols();
    let ry = ranks(outcome);
    let rx: Vec<Vec<f64>> = (0..k).map(|j| ranks(&inputs.column(j).to_vec())).collect();
    let bins: Vec<Vec<usize>> = rx
        .iter()
        .map(|r| {
            r.iter()
                .map(|v| (((v - 1.0) * BINS as f64) / n as f64) as usize)
                .collect()
        })
        .collect();
    let all: Vec<usize> = (0..n).collect();
    let measure = |rows: &[usize]| -> Measures {
        let (srrc, r2) = rank_regression(&rx, &ry, rows);
        Measures {
            spearman: rx.iter().map(|x| pearson(x, &ry, rows)).collect(),
            srrc,
            share: bins
                .iter()
                .map(|b| correlation_ratio(b, outcome, rows))
                .collect(),
            r2,
        }
    };
    let full = measure(&all);
    let key = crate::scenario::model::stream_key("@sensitivity");
    let reps: Vec<Measures> = (0..REPLICATES as u64)
        .into_par_iter()
        .map(|r| {
            use rand::RngExt;
            let mut rng = crate::engine::rng::stream(seed, r, key);
            let rows: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
            measure(&rows)
        })
        .collect();
    let ci = |pick: &dyn Fn(&Measures) -> f64| -> [f64; 2] {
        let v: Vec<f64> = reps.iter().map(pick).filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return [f64::NAN, f64::NAN];
        }
        let s = sorted_total(&v);
        let at = |q: f64| s[((q * s.len() as f64).ceil() as usize).clamp(1, s.len()) - 1];
        [at(0.025), at(0.975)]
    };
    let out = (0..k)
        .map(|j| Influence {
            name: names[j].clone(),
            spearman: (full.spearman[j], ci(&|r| r.spearman[j])),
            srrc: (full.srrc[j], ci(&|r| r.srrc[j])),
            variance_share: (full.share[j], ci(&|r| r.share[j])),
        })
        .collect();
    (out, full.r2)
}

/// Ranks 1..n, ties sharing their average rank.
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut r = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let average = (i + j) as f64 / 2.0 + 1.0;
        for &o in &order[i..=j] {
            r[o] = average;
        }
        i = j + 1;
    }
    r
}

/// Pearson correlation of `x` and `y` over `rows` (NaN if either is
/// constant there).
fn pearson(x: &[f64], y: &[f64], rows: &[usize]) -> f64 {
    let n = rows.len() as f64;
    let (mx, my) = (
        rows.iter().map(|&i| x[i]).sum::<f64>() / n,
        rows.iter().map(|&i| y[i]).sum::<f64>() / n,
    );
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for &i in rows {
        let (dx, dy) = (x[i] - mx, y[i] - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    sxy / (sxx * syy).sqrt()
}

/// The correlation ratio η² of `y` on the bins of an input, over `rows`:
/// between-bin over total sum of squares (0 when `y` is constant).
fn correlation_ratio(bins: &[usize], y: &[f64], rows: &[usize]) -> f64 {
    let n = rows.len() as f64;
    let mean = rows.iter().map(|&i| y[i]).sum::<f64>() / n;
    let mut sum = [0.0f64; BINS];
    let mut count = [0.0f64; BINS];
    let mut total = 0.0;
    for &i in rows {
        let b = bins[i].min(BINS - 1);
        sum[b] += y[i];
        count[b] += 1.0;
        total += (y[i] - mean) * (y[i] - mean);
    }
    if total == 0.0 {
        return 0.0;
    }
    let between: f64 = (0..BINS)
        .filter(|&b| count[b] > 0.0)
        .map(|b| {
            let m = sum[b] / count[b];
            count[b] * (m - mean) * (m - mean)
        })
        .sum();
    between / total
}

/// Standardised regression coefficients of the standardised `y` ranks on the
/// standardised input ranks (inputs that do not vary get NaN and are left
/// out of the fit), and the fit's R².
fn rank_regression(x: &[Vec<f64>], y: &[f64], rows: &[usize]) -> (Vec<f64>, f64) {
    let n = rows.len() as f64;
    let standard = |v: &[f64]| -> Option<Vec<f64>> {
        let m = rows.iter().map(|&i| v[i]).sum::<f64>() / n;
        let sd = (rows.iter().map(|&i| (v[i] - m).powi(2)).sum::<f64>() / n).sqrt();
        (sd > 0.0).then(|| rows.iter().map(|&i| (v[i] - m) / sd).collect())
    };
    let Some(zy) = standard(y) else {
        return (vec![f64::NAN; x.len()], f64::NAN);
    };
    let cols: Vec<(usize, Vec<f64>)> = x
        .iter()
        .enumerate()
        .filter_map(|(j, v)| standard(v).map(|z| (j, z)))
        .collect();
    let p = cols.len();
    // Normal equations (Z'Z) b = Z'y, solved by Gaussian elimination with
    // partial pivoting.
    let mut a = vec![vec![0.0; p + 1]; p];
    for r in 0..p {
        for c in r..p {
            let v: f64 = cols[r].1.iter().zip(&cols[c].1).map(|(u, w)| u * w).sum();
            a[r][c] = v;
            a[c][r] = v;
        }
        a[r][p] = cols[r].1.iter().zip(&zy).map(|(u, w)| u * w).sum();
    }
    for c in 0..p {
        let pivot = (c..p)
            .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
            .unwrap_or(c);
        a.swap(c, pivot);
        if a[c][c].abs() < 1e-12 * n {
            return (vec![f64::NAN; x.len()], f64::NAN);
        }
        let pivot_row = a[c].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != c {
                let f = row[c] / pivot_row[c];
                for (x, y) in row[c..=p].iter_mut().zip(&pivot_row[c..=p]) {
                    *x -= f * y;
                }
            }
        }
    }
    let mut beta = vec![f64::NAN; x.len()];
    for (r, (j, _)) in cols.iter().enumerate() {
        beta[*j] = a[r][p] / a[r][r];
    }
    // R² = 1 − RSS/TSS with TSS = n for a standardised y.
    let rss: f64 = (0..rows.len())
        .map(|i| {
            let fit: f64 = cols.iter().map(|(j, z)| beta[*j] * z[i]).sum();
            (zy[i] - fit).powi(2)
        })
        .sum();
    (beta, 1.0 - rss / n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_share_ties() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), [3.5, 1.0, 3.5, 2.0]);
    }

    /// y = 2a + b with independent a, b: the regression on ranks of a
    /// linear, monotone model recovers most of the variance, and a's
    /// coefficient is larger.
    #[test]
    fn rank_regression_of_a_linear_model() {
        let n = 2000;
        let a: Vec<f64> = (0..n).map(|i| ((i * 7919) % n) as f64).collect();
        let b: Vec<f64> = (0..n).map(|i| ((i * 104729) % n) as f64).collect();
        let y: Vec<f64> = a.iter().zip(&b).map(|(a, b)| 2.0 * a + b).collect();
        let rows: Vec<usize> = (0..n).collect();
        let (beta, r2) = rank_regression(&[ranks(&a), ranks(&b)], &ranks(&y), &rows);
        assert!(r2 > 0.95, "{r2}");
        assert!(beta[0] > beta[1] && beta[1] > 0.0, "{beta:?}");
    }
}
