//! `run --target-se`: a run to a precision. Waves of whole chunks of trials,
//! in trial order, until the chosen metric's relative standard error is at or
//! below the target, or until the most trials allowed.
//!
//! Deterministic: the trials of a wave are those of any run of the model
//! (trial `i`'s row depends only on the seed and `i`), and the size of the
//! next wave depends only on the trials so far; so the stopping point depends
//! only on the scenario and the seed, never on threads or timing, and the
//! result is, byte for byte, the plain run of the trials it ended with
//! ([`SimOutput::into_run_of_its_trials`]).

use std::path::Path;

use ndarray::ArrayView1;
use shortfall::Error;
use shortfall::engine::{CHUNK, Column, SimOutput};
use shortfall::report::TargetInfo;
use shortfall::scenario::{self, Model};
use shortfall::stats::{Metric, Metrics, metrics, paired_diff};

use super::progress;

/// Trials in the first wave (and the least by which a wave grows the run).
const FIRST_WAVE: u64 = 64 * CHUNK as u64;
/// A wave at most multiplies the trials run so far by this.
const MOST_GROWTH: u64 = 4;
/// A wave aims this much beyond the trials the precision so far asks for.
const MARGIN: f64 = 1.1;

/// What a run to a target asks for.
pub struct Target<'a> {
    /// The scenario file.
    pub scenario: &'a Path,
    /// Its overrides (`--set`, `--trials`, `--seed`), in order.
    pub sets: &'a [String],
    /// The relative standard error asked for.
    pub relative_se: f64,
    /// The metric it applies to.
    pub metric: Metric,
    /// The most trials allowed (default: the run's own).
    pub max_trials: Option<u64>,
    /// The run's own trials (from the scenario or `--trials`).
    pub trials: u64,
    /// Worker threads.
    pub threads: usize,
    /// No progress bar.
    pub quiet: bool,
}

/// The outcome: the model of the trials used (its `trials` and scenario hash
/// those of `--trials N` for them), their result, and how it went.
pub struct Reached {
    /// The scenario with `simulation.trials` set to the trials used.
    pub model: Model,
    /// The overrides that give that model (`sets` and the trials used).
    pub sets: Vec<String>,
    /// The result of those trials, as a plain run of them.
    pub sim: SimOutput,
    /// For run.json and the terminal.
    pub info: TargetInfo,
}

/// The metric's relative standard error in `m`: infinite when its value is
/// 0 (or its SE unknown). For P95 and P99 the SE is read from their 95%
/// distribution-free interval, (upper − lower) / (2 × 1.96).
pub fn relative_se(metric: Metric, m: &Metrics) -> f64 {
    let short = m.column(Column::Shortfall);
    let se = match metric {
        Metric::P95 => (short.p95_ci[1] - short.p95_ci[0]) / (2.0 * 1.96),
        Metric::P99 => (short.p99_ci[1] - short.p99_ci[0]) / (2.0 * 1.96),
        Metric::Cvar95 => short.cvar95_se,
        _ => metric.se_of(m),
    };
    let value = metric.of(m).abs();
    if value > 0.0 && se.is_finite() {
        se / value
    } else {
        f64::INFINITY
    }
}

/// The trials after the next wave, from `done` trials whose relative SE is
/// `rel`: about what `target` asks for (SE falls as 1/√n), at least one
/// first wave more, at most [`MOST_GROWTH`] times as many, in whole chunks,
/// at most `max`.
pub fn next_total(done: u64, rel: f64, target: f64, max: u64) -> u64 {
    let wanted = if rel.is_finite() {
        (done as f64 * (rel / target).powi(2) * MARGIN).ceil()
    } else {
        f64::INFINITY
    };
    let lo = done + FIRST_WAVE;
    let hi = done.saturating_mul(MOST_GROWTH).max(lo);
    let next = if wanted.is_finite() {
        (wanted as u64).clamp(lo, hi)
    } else {
        hi
    };
    next.div_ceil(CHUNK as u64)
        .saturating_mul(CHUNK as u64)
        .min(max)
}

/// Runs waves of trials, in trial order, until the relative standard error
/// that `wave` gives for all the trials so far is at or below `target`, or
/// until `max` trials are run. `wave` simulates a range of trials (with a
/// label for its progress bar saying where the precision stands, in terms of
/// `subject`); the result says where the waves stopped.
pub fn run_waves(
    metric: Metric,
    target: f64,
    max: u64,
    subject: &str,
    mut wave: impl FnMut(std::ops::Range<u64>, String) -> anyhow::Result<f64>,
) -> anyhow::Result<TargetInfo> {
    let (mut from, mut total, mut waves) = (0, FIRST_WAVE.min(max), 0);
    let mut label = String::new();
    loop {
        let rel = wave(from..total, label)?;
        waves += 1;
        let converged = rel <= target;
        if converged || total >= max {
            return Ok(TargetInfo {
                metric: metric.name().to_string(),
                target_relative_se: target,
                max_trials: max,
                trials: total,
                relative_se: rel,
                converged,
                waves,
            });
        }
        label = if rel.is_finite() {
            format!(
                "{subject}: relative SE {:.2}% (target {:.2}%) ",
                100.0 * rel,
                100.0 * target
            )
        } else {
            format!("{subject} is 0 so far ")
        };
        from = total;
        total = next_total(total, rel, target, max);
    }
}

/// Runs waves until the target is met or `max_trials` are run.
pub fn run_to_target(t: &Target<'_>) -> anyhow::Result<Reached> {
    let max = t.max_trials.unwrap_or(t.trials);
    let with_trials = |n: u64| -> Vec<String> {
        let mut sets = t.sets.to_vec();
        sets.push(format!("simulation.trials={n}"));
        sets
    };
    // The waves run as ranges of one run of `max` trials.
    let long = scenario::load_model(t.scenario, &with_trials(max))?;
    let mut sim: Option<SimOutput> = None;
    let info = run_waves(
        t.metric,
        t.relative_se,
        max,
        t.metric.label(),
        |range, label| {
            let wave = progress::simulate_range_with_bar(&long, range, t.threads, t.quiet, label)?;
            match sim.as_mut() {
                Some(s) => s.append(wave)?,
                None => sim = Some(wave),
            }
            let so_far = sim.as_ref().expect("a wave");
            Ok(relative_se(t.metric, &metrics(so_far.table.view())))
        },
    )?;
    let sim = sim.expect("a wave").into_run_of_its_trials()?;
    let sets = with_trials(info.trials);
    let model = scenario::load_model(t.scenario, &sets)?;
    Ok(Reached {
        model,
        sets,
        sim,
        info,
    })
}

/// The largest relative SE of the paired differences of `sims[1..]` against
/// `sims[0]` in `metric` (infinite where a difference is 0 so far): where a
/// comparison or a sweep run to a precision stands.
pub fn worst_relative_se(metric: Metric, sims: &[SimOutput]) -> f64 {
    let base = metric.per_trial(sims[0].table.view());
    sims[1..]
        .iter()
        .map(|s| {
            let other = metric.per_trial(s.table.view());
            let d = paired_diff(ArrayView1::from(&base), ArrayView1::from(&other));
            if d.diff != 0.0 && d.se.is_finite() {
                d.se / d.diff.abs()
            } else {
                f64::INFINITY
            }
        })
        .fold(0.0, f64::max)
}

/// One wave of a comparison or sweep run to a precision: the trials `range`
/// of every run (a model and its progress-bar label, after the wave's
/// `label`), each appended to its own output in `sims`; returns where the
/// paired differences stand ([`worst_relative_se`]).
pub fn paired_wave(
    runs: &[(&Model, String)],
    range: std::ops::Range<u64>,
    (label, common): (&str, &super::Common),
    metric: Metric,
    sims: &mut Vec<SimOutput>,
) -> anyhow::Result<f64> {
    for (k, (model, name)) in runs.iter().enumerate() {
        let wave = progress::simulate_range_with_bar(
            model,
            range.clone(),
            common.threads,
            common.quiet,
            format!("{label}{name}"),
        )?;
        match sims.get_mut(k) {
            Some(s) => s.append(wave)?,
            None => sims.push(wave),
        }
    }
    Ok(worst_relative_se(metric, sims))
}

/// `--target-se` on paired differences (in `command`) needs a mean metric:
/// the paired SE of a quantile or CVaR comes from a bootstrap, too dear to
/// redo every wave.
pub fn check_paired_metric(command: &str, metric: Metric) -> Result<(), Error> {
    if metric.is_mean() {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "--target-se in {command} needs a mean metric (eue, p_shortfall, lole or cost), got {}: the paired SE of a quantile or CVaR comes from a bootstrap",
        metric.name()
    )))
}

/// One line for the terminal: where the run stopped and why. `subject` is
/// what the relative SE is of; `zero` what is 0 when none can be met.
pub fn describe(info: &TargetInfo, subject: &str, zero: &str) -> String {
    let target = 100.0 * info.target_relative_se;
    if info.converged {
        format!(
            "  target met: relative SE of {subject} {:.2}% <= {target:.2}% after {} trials ({} waves)",
            100.0 * info.relative_se,
            info.trials,
            info.waves
        )
    } else if info.relative_se.is_finite() {
        format!(
            "  target NOT met: relative SE of {subject} {:.2}% > {target:.2}% at --max-trials {} (raise it, or accept this precision)",
            100.0 * info.relative_se,
            info.max_trials
        )
    } else {
        format!(
            "  target NOT met: {zero} is 0 in all {} trials, so no relative SE can be met; stopped at --max-trials",
            info.trials
        )
    }
}
