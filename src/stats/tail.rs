//! The standard error of CVaR, and the exact sum of a constant added many
//! times that it needs.

use super::order::Placed;

/// Asymptotic standard error of the CVaR estimator with tail fraction
/// `tail`: CVaR = q + E[(X − q)⁺] / tail (Rockafellar–Uryasev), whose
/// estimator has variance Var[(X − q)⁺] / (tail² · n). For the lower tail
/// the excess is (q − X)⁺.
///
/// The sums run over the values in sorted order. `values` need only hold
/// the part `sorted` in order (the lowest values for the lower tail, the
/// highest for the upper): every value outside it has an excess of exactly
/// 0, so the sums are those of the whole sorted column, bit for bit.
pub(crate) fn cvar_se(
    values: &Placed,
    sorted: std::ops::Range<usize>,
    q: f64,
    tail: f64,
    lower: bool,
) -> f64 {
    let n = values.len();
    if n < 2 {
        return f64::NAN;
    }
    let excess = move |x: f64| {
        if lower {
            (q - x).max(0.0)
        } else {
            (x - q).max(0.0)
        }
    };
    let zeros = n - sorted.len();
    let part = values.values(sorted).map(excess);
    // The sums in sorted order: the zero excesses come after the tail (lower
    // tail) or before it (upper), each adding f(0).
    let empty: f64 = std::iter::empty::<f64>().sum();
    let in_order = |f: &dyn Fn(f64) -> f64| -> f64 {
        if lower {
            add_repeatedly(part.clone().map(f).fold(empty, |a, b| a + b), f(0.0), zeros)
        } else {
            part.clone()
                .map(f)
                .fold(add_repeatedly(empty, f(0.0), zeros), |a, b| a + b)
        }
    };
    let nf = n as f64;
    let mean = in_order(&|e| e) / nf;
    let var = in_order(&|e| (e - mean).powi(2)) / (nf - 1.0);
    (var / nf).sqrt() / tail
}

/// `s` after `count` additions of `c`, one after another: bit for bit
/// `(0..count).fold(s, |s, _| s + c)`, in a few steps per binade instead of
/// `count`.
///
/// Within one binade [2^E, 2^(E+1)) of positive floats, which are the
/// multiples of one ulp `u` there, `s + c` rounds to `s` plus `c` rounded to
/// a multiple of `u`; only when `c` is an odd multiple of `u/2` (a tie) does
/// the result depend on `s`, and then it is always even (in units of `u`),
/// and from an even `s` the same choice repeats. So once one addition has
/// stayed in a binade, every further addition that stays below the
/// binade's top adds the same number of ulps, and those are jumped over at
/// once. Anything else (zero, subnormal, negative or non-finite values, a
/// step across binades) is added one at a time.
pub(crate) fn add_repeatedly(mut s: f64, c: f64, mut count: usize) -> f64 {
    const EXP: u64 = 0x7ff << 52;
    while count > 0 {
        let next = s + c;
        count -= 1;
        if next.to_bits() == s.to_bits() {
            return s;
        }
        let within = s.is_normal()
            && s > 0.0
            && next.is_normal()
            && c > 0.0
            && (s.to_bits() & EXP) == (next.to_bits() & EXP);
        s = next;
        if !within || count == 0 {
            continue;
        }
        let bits = s.to_bits();
        let step = (s + c).to_bits().wrapping_sub(bits);
        // The binade's top, as bits: 2^(E+1). Stop one ulp short of it.
        let top = (bits & EXP) + (1 << 52);
        if step == 0 {
            continue;
        }
        let jumps = ((top - 1 - bits) / step).min(count as u64);
        s = f64::from_bits(bits + jumps * step);
        count -= jumps as usize;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_loop(s: f64, c: f64, count: usize) -> f64 {
        (0..count).fold(s, |s, _| s + c)
    }

    /// Against the plain loop: random and awkward starts and constants,
    /// ties (a constant an odd multiple of half an ulp of the start), runs
    /// that cross many binades, zeros and signed zeros.
    #[test]
    fn add_repeatedly_is_the_plain_loop_bit_for_bit() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        let mut cases: Vec<(f64, f64, usize)> = vec![
            (-0.0, 0.0, 5),
            (0.0, 0.0, 5),
            (-0.0, 1.0, 0),
            (-0.0, 0.1, 100_000),
            (1.0, f64::EPSILON / 2.0, 1000),
            (1.0, f64::EPSILON * 1.5, 1000),
            (3.0, f64::EPSILON * 2.5, 1000),
            (1.0, f64::EPSILON * 0.75, 1000),
            (1e300, 1e300, 1000),
            (1.0, f64::NAN, 3),
            (f64::INFINITY, 1.0, 3),
            (f64::MIN_POSITIVE / 4.0, f64::MIN_POSITIVE / 3.0, 1000),
            (2.0 - f64::EPSILON, f64::EPSILON, 10),
        ];
        for _ in 0..3000 {
            let s: f64 = if rng.random::<bool>() {
                -0.0
            } else {
                rng.random::<f64>() * 10f64.powi(rng.random_range(-5..5))
            };
            let c = match rng.random_range(0..3) {
                // A tie: an odd multiple of half an ulp of s.
                0 if s > 0.0 => {
                    let u = f64::from_bits(s.to_bits() + 1) - s;
                    u * (rng.random_range(0..7) as f64 * 2.0 + 1.0) / 2.0
                }
                1 => rng.random::<f64>() * 10f64.powi(rng.random_range(-20..2)),
                _ => rng.random::<f64>(),
            };
            cases.push((s, c, rng.random_range(0..20_000)));
        }
        // Constants of a few ulps from just below a binade's top: the jumps
        // end next to the top, and the ulp doubles on the way (a constant of
        // 3 ulps becomes a tie of 1.5).
        for _ in 0..3000 {
            let top = 2f64.powi(rng.random_range(-3..4));
            let u = top * f64::EPSILON / 2.0;
            let s = top - u * rng.random_range(1..2000) as f64;
            let c = u * rng.random_range(1..40) as f64 / 2.0;
            cases.push((s, c, rng.random_range(0..5000)));
        }
        for (s, c, count) in cases {
            let (got, want) = (add_repeatedly(s, c, count), by_loop(s, c, count));
            assert!(
                got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                "{s:e} + {c:e} × {count}: {got:e}, the loop gives {want:e}"
            );
        }
    }
}
