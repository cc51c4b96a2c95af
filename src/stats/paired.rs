//! Paired differences between two runs of the same trials.
//!
//! Two runs with the same seed and trial count see the same random numbers
//! for every entity they share (SCENARIO.md, "Reproducibility"), so trial
//! `i` of one is trial `i` of the other under a changed assumption. The
//! difference of a mean is then estimated from the per-trial differences,
//! whose spread is far smaller than either run's when the change is small
//! ("common random numbers"). The unpaired SE, as if the runs were
//! independent, is given beside it to show the gain.

use ndarray::ArrayView1;

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
