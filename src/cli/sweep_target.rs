//! `sweep --target-se`: a sweep run to a precision. Its points share their
//! trials, so they stop together, as a comparison's runs do
//! ([`super::compare_target`]): waves of trials until the paired difference
//! in the metric of every point against point 0 has a relative standard
//! error at or below the target, or until the most trials allowed. The
//! result is, byte for byte, the sweep with `--trials N` for the N used,
//! plus target.json.

use std::process::ExitCode;
use std::time::Instant;

use shortfall::engine::SimOutput;
use shortfall::scenario::Model;

use super::SweepArgs;
use super::compare::{Finish, check_paired_trials};
use super::sweep::{Axis, Point, Points};
use super::target::{check_paired_metric, describe, paired_wave, run_waves};

/// Runs the sweep's grid (`axes` and their `points`) in waves until the
/// target is met or `max` trials are run; `models(n)` gives every point's
/// model with `n` trials.
pub fn sweep_to_target(
    args: &SweepArgs,
    (axes, points): (&[Axis], &[Point]),
    relative_se: f64,
    max: u64,
    models: impl Fn(u64) -> anyhow::Result<Vec<Model>>,
    started: Instant,
) -> anyhow::Result<ExitCode> {
    let metric = args.metric;
    check_paired_metric("sweep", metric)?;
    check_paired_trials(max)?;
    // The waves run as ranges of one sweep of `max` trials; every point's
    // trials are kept until the end (memory: points × trials × columns).
    let long = models(max)?;
    let mut sims: Vec<SimOutput> = Vec::with_capacity(long.len());
    let subject = format!("the paired differences in {} from point 0", metric.label());
    let runs: Vec<(&Model, String)> = long
        .iter()
        .enumerate()
        .map(|(k, m)| (m, format!("point {}/{} ", k + 1, long.len())))
        .collect();
    let info = run_waves(metric, relative_se, max, &subject, |range, label| {
        paired_wave(&runs, range, (&label, &args.common), metric, &mut sims)
    })?;
    // Asked to stop during the simulations: nothing is written or removed.
    super::interrupt::check()?;
    let finals = models(info.trials)?;
    let mut sweep = Points::default();
    for ((point, model), sim) in points.iter().zip(&finals).zip(sims) {
        sweep.add(point, model, sim.into_run_of_its_trials()?);
    }
    let out = Finish::of_sweep(args);
    let code = sweep.finish(&args.common.out, axes, &out, started, Some(&info))?;
    // Said even with --quiet: the sweep may not have reached its target.
    let zero = format!("a paired difference in {}", metric.label());
    println!("{}", describe(&info, &subject, &zero));
    Ok(code)
}
