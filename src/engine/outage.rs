//! Loss intervals: outage processes sampled as sojourns, and the combination
//! of overlapping losses into segments of constant loss.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, Exp1};

use crate::dist::duration_steps;
use crate::scenario::model::OutageModel;

/// A span of steps `[start, end)` during which a fraction `1 - keep` is lost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// First step.
    pub start: usize,
    /// One past the last step.
    pub end: usize,
    /// Fraction kept, `1 - loss`.
    pub keep: f64,
}

/// Draws a whole-step duration, capped just past the horizon.
#[inline]
pub fn draw_steps(days: f64, steps_per_year: f64, steps: usize) -> usize {
    let s = duration_steps(days, steps_per_year);
    if s > steps as f64 {
        steps + 1
    } else {
        s as usize
    }
}

/// Appends the outages of one alternating up/down process over `steps` steps.
///
/// Up periods are geometric on {1, 2, ...} with per-step failure probability
/// `p_fail`, drawn by inversion as `1 + floor(E · steps_per_year / rate)`
/// with `E ~ Exp(1)` (since `P(floor(E/λ) >= k) = exp(-λk) = (1 - p)^k`); each outage lasts `max(1, ceil(days / step_days))` steps and has
/// its own loss fraction. Draw order: (stationary start: one uniform, then a
/// duration and loss if it starts down), then for each cycle an up length,
/// a duration and a loss.
pub fn outage_intervals<R: Rng + ?Sized>(
    m: &OutageModel,
    steps: usize,
    steps_per_year: f64,
    rng: &mut R,
    out: &mut Vec<Interval>,
) {
    let mut t = 0usize;
    let down = |t: usize, rng: &mut R, out: &mut Vec<Interval>| -> usize {
        let d = draw_steps(m.duration_days.sample(rng), steps_per_year, steps);
        let loss = m.loss.sample(rng).clamp(0.0, 1.0);
        out.push(Interval {
            start: t,
            end: (t + d).min(steps),
            keep: 1.0 - loss,
        });
        t + d
    };
    if m.p_start_down > 0.0 && rng.random::<f64>() < m.p_start_down {
        t = down(0, rng, out);
    }
    while t < steps {
        let e: f64 = Exp1.sample(rng);
        let failures = e * m.up_scale;
        // Past the horizon is as good as forever. (`as` truncates: `floor`
        // for a value that is not negative.)
        let up = if failures < steps as f64 {
            failures as usize + 1
        } else {
            steps + 1
        };
        t = t.saturating_add(up);
        if t >= steps {
            break;
        }
        t = down(t, rng, out);
    }
}

/// Calls `f(start, end, keep)` for each maximal piece of `[0, steps)` over
/// which the combined keep factor `Π keep_i` of the covering intervals is
/// constant and below 1. `bounds` is scratch space.
pub fn for_each_segment(
    intervals: &[Interval],
    bounds: &mut Vec<usize>,
    mut f: impl FnMut(usize, usize, f64),
) {
    match intervals {
        [] => {}
        [one] => {
            if one.keep < 1.0 && one.start < one.end {
                f(one.start, one.end, one.keep);
            }
        }
        _ => {
            bounds.clear();
            for i in intervals {
                bounds.push(i.start);
                bounds.push(i.end);
            }
            bounds.sort_unstable();
            bounds.dedup();
            for w in bounds.windows(2) {
                let (a, b) = (w[0], w[1]);
                let keep: f64 = intervals
                    .iter()
                    .filter(|i| i.start <= a && i.end >= b)
                    .map(|i| i.keep)
                    .product();
                if keep < 1.0 {
                    f(a, b, keep);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::DistSpec;

    #[test]
    fn segments_combine_multiplicatively() {
        let iv = [
            Interval {
                start: 0,
                end: 10,
                keep: 0.5,
            },
            Interval {
                start: 5,
                end: 15,
                keep: 0.0,
            },
            Interval {
                start: 12,
                end: 20,
                keep: 0.8,
            },
        ];
        let mut got = vec![];
        for_each_segment(&iv, &mut vec![], |a, b, k| got.push((a, b, k)));
        assert_eq!(
            got,
            vec![
                (0, 5, 0.5),
                (5, 10, 0.0),
                (10, 12, 0.0),
                (12, 15, 0.0),
                (15, 20, 0.8)
            ]
        );
    }

    #[test]
    fn long_run_fraction_down_matches_stationary_probability() {
        // Rate 6/yr daily, fixed 10-day outages: E[up] = 1/p, E[down] = 10.
        let spy = 365.0;
        let p = -(-6.0f64 / spy).exp_m1();
        let m = OutageModel {
            p_fail: p,
            up_scale: spy / 6.0,
            duration_days: DistSpec::Fixed { value: 10.0 }.sampler(),
            loss: DistSpec::Fixed { value: 1.0 }.sampler(),
            p_start_down: 0.0,
        };
        let mut rng = crate::engine::rng::stream(1, 2, 3);
        let steps = 2_000_000;
        let mut out = vec![];
        outage_intervals(&m, steps, spy, &mut rng, &mut out);
        let down: usize = out.iter().map(|i| i.end - i.start).sum();
        let expected = 10.0 / (1.0 / p + 10.0);
        let frac = down as f64 / steps as f64;
        // About 11,000 cycles: the renewal fraction's sd is well under 0.002.
        assert!((frac - expected).abs() < 0.004, "{frac} vs {expected}");
        assert!(
            out.windows(2).all(|w| w[0].end < w[1].start),
            "up periods last at least one step"
        );
    }
}
