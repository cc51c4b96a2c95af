//! Small numeric helpers of the hot loops: NaN-free `min`/`max`, slice
//! additions, and sums and minima folded in a fixed order (so the same
//! values always give the same bits, and the folds vectorise).

/// `min` for values known not to be NaN (a plain compare, cheaper than `f64::min`).
#[inline(always)]
pub(crate) fn lesser(a: f64, b: f64) -> f64 {
    if a < b { a } else { b }
}

/// `max` for values known not to be NaN.
#[inline(always)]
pub(crate) fn greater(a: f64, b: f64) -> f64 {
    if a > b { a } else { b }
}

/// `dst[i] += v * shape[i]`.
#[inline]
pub(crate) fn add_scaled(dst: &mut [f64], shape: &[f64], v: f64) {
    dst.iter_mut().zip(shape).for_each(|(x, w)| *x += v * w);
}

/// `acc[i] += xs[i]`.
#[inline]
pub(crate) fn add_into(acc: &mut [f64], xs: &[f64]) {
    acc.iter_mut().zip(xs).for_each(|(a, x)| *a += x);
}

/// Folds `xs` with `f` in four interleaved lanes (so that it vectorises),
/// then the lanes pairwise, then the tail: a fixed order, so the same values
/// give the same bits.
#[inline(always)]
fn fold4(xs: &[f64], identity: f64, f: impl Fn(f64, f64) -> f64) -> f64 {
    let mut acc = [identity; 4];
    let chunks = xs.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        for k in 0..4 {
            acc[k] = f(acc[k], c[k]);
        }
    }
    let lanes = f(f(acc[0], acc[1]), f(acc[2], acc[3]));
    tail.iter().fold(lanes, |a, &x| f(a, x))
}

/// `Σ xs` (see [`fold4`]).
pub(crate) fn sum(xs: &[f64]) -> f64 {
    fold4(xs, 0.0, |a, b| a + b)
}

/// The least of `xs`, which are not NaN (see [`fold4`]).
pub(crate) fn min(xs: &[f64]) -> f64 {
    fold4(xs, f64::INFINITY, lesser)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_match_plain_ones_on_exact_values() {
        // Integers are added exactly in any order, so the lanes must agree
        // with a left fold; the minimum must find a value in the tail too.
        for n in 0..11 {
            let xs: Vec<f64> = (0..n).map(|i| ((i * 7) % 5) as f64 - 2.0).collect();
            assert_eq!(sum(&xs), xs.iter().sum::<f64>(), "n = {n}");
            let m = xs.iter().copied().fold(f64::INFINITY, f64::min);
            assert_eq!(min(&xs), m, "n = {n}");
        }
        assert_eq!(min(&[3.0, 2.0, 5.0, 4.0, 1.0]), 1.0);
    }
}
