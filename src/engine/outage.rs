//! Loss intervals: outage processes sampled as sojourns, and the combination
//! of overlapping losses into segments of constant loss.

use rand::RngExt;
use rand_distr::{Distribution, Exp1};

use super::rng::{LazyStream, stream};
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

/// Appends the outages of one alternating up/down process over `steps` steps,
/// drawn in trial `trial` of a run with `seed`.
///
/// Up periods are geometric on {1, 2, ...} with per-step failure probability
/// `p_fail`, drawn by inversion as `1 + floor(E · steps_per_year / rate)`
/// with `E ~ Exp(1)` (since `P(floor(E/λ) >= k) = exp(-λk) = (1 - p)^k`);
/// each outage lasts `max(1, ceil(days / step_days))` steps and has its own
/// loss fraction. Each of the three quantities has its own stream
/// ([`OutageKeys`](crate::scenario::model::OutageKeys)): the `up` stream
/// gives, for a stationary start, one uniform (down at step 0 if below
/// `p_start_down`), then one `E` per up period; the `duration` and `loss`
/// streams give one value per outage. So the k-th up period, duration and
/// loss do not depend on how the other two are drawn.
pub fn outage_intervals(
    m: &OutageModel,
    steps: usize,
    steps_per_year: f64,
    (seed, trial): (u64, u64),
    out: &mut Vec<Interval>,
) {
    let mut durations = LazyStream::new(seed, trial, m.keys.duration);
    let mut losses = LazyStream::new(seed, trial, m.keys.loss);
    let mut down = |t: usize, out: &mut Vec<Interval>| -> usize {
        let d = draw_steps(durations.sample(&m.duration_days), steps_per_year, steps);
        let loss = losses.sample(&m.loss).clamp(0.0, 1.0);
        out.push(Interval {
            start: t,
            end: (t + d).min(steps),
            keep: 1.0 - loss,
        });
        t + d
    };
    let mut ups = stream(seed, trial, m.keys.up);
    let mut t = 0usize;
    if m.p_start_down > 0.0 && ups.random::<f64>() < m.p_start_down {
        t = down(0, out);
    }
    while t < steps {
        let e: f64 = Exp1.sample(&mut ups);
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
        t = down(t, out);
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
    use crate::scenario::model::OutageKeys;

    const KEYS: OutageKeys = OutageKeys {
        up: 11,
        duration: 12,
        loss: 13,
    };

    /// The up lengths and losses of one history, in order.
    fn ups_and_losses(out: &[Interval]) -> (Vec<usize>, Vec<f64>) {
        let mut ups = Vec::new();
        let mut end = 0;
        for iv in out {
            ups.push(iv.start - end);
            end = iv.end;
        }
        (ups, out.iter().map(|iv| iv.keep).collect())
    }

    #[test]
    fn changing_the_durations_moves_no_up_period_or_loss() {
        // Sub-streams: the k-th up period and the k-th loss are the same
        // whatever the durations, here fixed 10 days against a lognormal with
        // a median of 40 days (which draws more words per value).
        let spy = 365.0;
        let model = |duration: DistSpec| OutageModel {
            p_fail: -(-4.0f64 / spy).exp_m1(),
            up_scale: spy / 4.0,
            duration_days: duration.sampler(),
            loss: DistSpec::Uniform { min: 0.2, max: 0.9 }.sampler(),
            p_start_down: 0.0,
            keys: KEYS,
        };
        let short = model(DistSpec::Fixed { value: 10.0 });
        let long = model(DistSpec::Lognormal {
            median: 40.0,
            sigma: 1.0,
        });
        let mut compared = 0;
        for trial in 0..200 {
            let (mut a, mut b) = (vec![], vec![]);
            outage_intervals(&short, 3650, spy, (7, trial), &mut a);
            outage_intervals(&long, 3650, spy, (7, trial), &mut b);
            let (ups_a, loss_a) = ups_and_losses(&a);
            let (ups_b, loss_b) = ups_and_losses(&b);
            let n = ups_a.len().min(ups_b.len());
            assert!(n >= 1, "ten years at 4 outages a year");
            // The durations differ, so the later starts do; the up periods do not.
            if n >= 2 {
                assert_ne!(a[n - 1].start, b[n - 1].start);
            }
            assert_eq!(ups_a[..n], ups_b[..n], "trial {trial}");
            assert_eq!(loss_a[..n], loss_b[..n], "trial {trial}");
            compared += n;
        }
        assert!(compared > 4000, "{compared} outages compared");
    }

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
        // Rate 6/yr daily, fixed 10-day outages: up periods are geometric
        // on {1, 2, ...} with p = 1 − e^(−6/365), E[up] = 1/p = 61.34 and
        // Var(up) = (1 − p)/p² = 61.34² (1 − p); every outage is 10 steps.
        // Over 10,000,000 steps that is about 140,000 cycles of 71.34 steps.
        // se of the mean up period: √((1 − p)/p² / N) = 0.164; a 2% bias
        // (1.23) is 7.5 se. The long-run fraction down, f = 10/(1/p + 10) =
        // 0.1402, is a renewal-reward ratio with se f·sd(up)/(E[cycle]·√N)
        // = 3.2e-4; a 2% bias in E[up] or E[down] moves it by f(1 − f)·2% =
        // 0.0024, 7.5 se. Two checks, each at 4.06 se (together 99.99% for
        // a correct engine); 99% power needs 4.06 + 2.33 = 6.39 se.
        let spy = 365.0;
        let p = -(-6.0f64 / spy).exp_m1();
        let m = OutageModel {
            p_fail: p,
            up_scale: spy / 6.0,
            duration_days: DistSpec::Fixed { value: 10.0 }.sampler(),
            loss: DistSpec::Fixed { value: 1.0 }.sampler(),
            p_start_down: 0.0,
            keys: KEYS,
        };
        let steps = 10_000_000;
        let mut out = vec![];
        outage_intervals(&m, steps, spy, (1, 2), &mut out);
        assert!(
            out.windows(2).all(|w| w[0].end < w[1].start),
            "up periods last at least one step"
        );
        // Every outage but a last one cut by the horizon lasts 10 steps.
        let whole = &out[..out.len() - 1];
        assert!(whole.iter().all(|i| i.end - i.start == 10));
        let (ups, _) = ups_and_losses(whole);
        let n = ups.len() as f64;
        assert!(n > 130_000.0, "{n} cycles");
        let k = 4.06;
        let e_up = 1.0 / p;
        let sd_up = (1.0 - p).sqrt() / p;
        let mean_up = ups.iter().sum::<usize>() as f64 / n;
        let se_up = sd_up / n.sqrt();
        assert!(0.02 * e_up >= (k + 2.33) * se_up);
        assert!(
            (mean_up - e_up).abs() < k * se_up,
            "mean up {mean_up} vs {e_up} (se {se_up})"
        );
        let down: usize = out.iter().map(|i| i.end - i.start).sum();
        let f = 10.0 / (e_up + 10.0);
        let frac = down as f64 / steps as f64;
        let se_f = f * sd_up / ((e_up + 10.0) * n.sqrt());
        assert!(0.02 * f * (1.0 - f) >= (k + 2.33) * se_f);
        assert!(
            (frac - f).abs() < k * se_f,
            "fraction down {frac} vs {f} (se {se_f})"
        );
    }
}
