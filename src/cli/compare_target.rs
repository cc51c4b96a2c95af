//! `compare --target-se`: a comparison run to a precision. The runs share
//! their trials, so they stop together: waves of trials (as `run
//! --target-se`, [`super::target`]) until the paired difference in the
//! metric of every run against the first has a relative standard error at
//! or below the target, or until the most trials allowed. The result is, byte
//! for byte, the comparison with `--trials N` for the N used.

use std::process::ExitCode;
use std::time::Instant;

use ndarray::ArrayView1;
use shortfall::engine::SimOutput;
use shortfall::stats::{Metric, paired_diff};
use shortfall::{Error, output};

use super::CompareArgs;
use super::compare::{Finish, Runs, check_paired_trials, entries_with_trials};
use super::progress;
use super::target::{describe, run_waves};

/// The largest relative SE of the paired differences of `sims[1..]` against
/// `sims[0]` in `metric` (infinite where a difference is 0 so far).
fn worst_relative_se(metric: Metric, sims: &[SimOutput]) -> f64 {
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
    check_paired_trials(max)?;
    // The waves run as ranges of one comparison of `max` trials.
    let long = entries_with_trials(args, Some(max))?;
    let mut sims: Vec<SimOutput> = Vec::new();
    let subject = format!("the paired differences in {}", metric.label());
    let info = run_waves(metric, relative_se, max, &subject, |range, label| {
        for (k, e) in long.iter().enumerate() {
            let wave = progress::simulate_range_with_bar(
                &e.model,
                range.clone(),
                args.common.threads,
                args.common.quiet,
                format!("{label}{} ({}/{}) ", e.label, k + 1, long.len()),
            )?;
            match sims.get_mut(k) {
                Some(s) => s.append(wave)?,
                None => sims.push(wave),
            }
        }
        Ok(worst_relative_se(metric, &sims))
    })?;
    // Asked to stop during the simulations: nothing is written or removed.
    super::interrupt::check()?;
    let finals = entries_with_trials(args, Some(info.trials))?;
    let name = format!("compare-{}", finals[0].label);
    let mut runs = Runs::start(&args.common.out, &name)?;
    for (e, sim) in finals.iter().zip(sims) {
        runs.add(e, sim.into_run_of_its_trials()?, &out)?;
    }
    let code = runs.finish(&finals, &out, started, |dir| {
        output::write_json(&dir.join("target.json"), &info)
    })?;
    // Said even with --quiet: the comparison may not have reached its target.
    let zero = format!("a paired difference in {}", metric.label());
    println!("{}", describe(&info, &subject, &zero));
    Ok(code)
}
