//! `compare --target-se`: a comparison run to a precision. The runs share
//! their trials, so they stop together: waves of trials (as `run
//! --target-se`, [`super::target`]) until the paired difference in the
//! metric of every run against the first has a relative standard error at
//! or below the target, or until the most trials allowed. The result is, byte
//! for byte, the comparison with `--trials N` for the N used.

use std::process::ExitCode;
use std::time::Instant;

use shortfall::engine::SimOutput;
use shortfall::report::TargetInfo;
use shortfall::stats::{MeanSe, Metric};
use shortfall::{Error, output};

use super::CompareArgs;
use super::compare::{Finish, Runs, entries_with_trials};
use super::progress;
use super::target::{FIRST_WAVE, next_total};

/// Mean and standard error (n − 1) of the per-trial differences `b − a`.
fn paired(a: &[f64], b: &[f64]) -> MeanSe {
    let n = a.len() as f64;
    let mean = a.iter().zip(b).map(|(x, y)| y - x).sum::<f64>() / n;
    let var = a
        .iter()
        .zip(b)
        .map(|(x, y)| (y - x - mean).powi(2))
        .sum::<f64>()
        / (n - 1.0);
    MeanSe {
        mean,
        se: (var / n).sqrt(),
    }
}

/// The largest relative SE of the paired differences of `sims[1..]` against
/// `sims[0]` in `metric` (infinite where a difference is 0 so far).
fn worst_relative_se(metric: Metric, sims: &[SimOutput]) -> f64 {
    let base = metric.per_trial(sims[0].table.view());
    sims[1..]
        .iter()
        .map(|s| {
            let d = paired(&base, &metric.per_trial(s.table.view()));
            if d.mean != 0.0 && d.se.is_finite() {
                d.se / d.mean.abs()
            } else {
                f64::INFINITY
            }
        })
        .fold(0.0, f64::max)
}

/// Runs the comparison in waves until the target is met or `--max-trials`.
pub fn compare_to_target(
    args: &CompareArgs,
    relative_se: f64,
    out: Finish<'_>,
    started: Instant,
) -> anyhow::Result<ExitCode> {
    let metric = args.metric;
    if !metric.is_mean() {
        return Err(Error::Usage(format!(
            "--target-se in compare needs a mean metric (eue, p_shortfall, lole or cost), got {}: the paired SE of a quantile or CVaR comes from a bootstrap",
            metric.name()
        ))
        .into());
    }
    let max = match args.max_trials {
        Some(m) => m,
        None => {
            entries_with_trials(args, args.common.trials)?[0]
                .model
                .trials
        }
    };
    // The waves run as ranges of one comparison of `max` trials.
    let long = entries_with_trials(args, Some(max))?;
    let mut sims: Vec<SimOutput> = Vec::new();
    let mut total = FIRST_WAVE.min(max);
    let (mut waves, mut label) = (0u32, String::new());
    let (rel, converged) = loop {
        let from = sims.first().map_or(0, SimOutput::len) as u64;
        for (k, e) in long.iter().enumerate() {
            let wave = progress::simulate_range_with_bar(
                &e.model,
                from..total,
                args.common.threads,
                args.common.quiet,
                format!("{label}{} ({}/{}) ", e.label, k + 1, long.len()),
            )?;
            match sims.get_mut(k) {
                Some(s) => s.append(wave)?,
                None => sims.push(wave),
            }
        }
        waves += 1;
        let rel = worst_relative_se(metric, &sims);
        if rel <= relative_se {
            break (rel, true);
        }
        if total >= max {
            break (rel, false);
        }
        total = next_total(total, rel, relative_se, max);
        label = if rel.is_finite() {
            format!(
                "paired relative SE {:.2}% (target {:.2}%): ",
                100.0 * rel,
                100.0 * relative_se
            )
        } else {
            "a paired difference is 0 so far: ".to_string()
        };
    };
    let n = sims[0].len() as u64;
    let finals = entries_with_trials(args, Some(n))?;
    let dir = output::create_dir(&args.common.out, &format!("compare-{}", finals[0].label))?;
    let mut runs = Runs::start(&dir, &finals);
    for (e, sim) in finals.iter().zip(sims) {
        runs.add(e, sim.into_run_of_its_trials()?, &out)?;
    }
    let code = runs.finish(&finals, &out, started)?;
    let info = TargetInfo {
        metric: metric.name().to_string(),
        target_relative_se: relative_se,
        max_trials: max,
        trials: n,
        relative_se: rel,
        converged,
        waves,
    };
    output::write_json(&dir.join("target.json"), &info)?;
    // Said even with --quiet: the comparison may not have reached its target.
    println!("{}", describe(&info, metric));
    Ok(code)
}

/// One line for the terminal: where the comparison stopped and why.
fn describe(info: &TargetInfo, metric: Metric) -> String {
    let target = 100.0 * info.target_relative_se;
    let what = format!("the paired differences in {}", metric.label());
    if info.converged {
        format!(
            "  target met: relative SE of {what} at most {:.2}% <= {target:.2}% after {} trials ({} waves)",
            100.0 * info.relative_se,
            info.trials,
            info.waves
        )
    } else if info.relative_se.is_finite() {
        format!(
            "  target NOT met: relative SE of {what} up to {:.2}% > {target:.2}% at --max-trials {}",
            100.0 * info.relative_se,
            info.max_trials
        )
    } else {
        format!(
            "  target NOT met: a difference in {} is 0 in all {} trials, so no relative SE can be met; stopped at --max-trials",
            metric.label(),
            info.trials
        )
    }
}
