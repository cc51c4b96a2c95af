//! `compare --target-se`: a comparison run to a precision. The runs share
//! their trials, so they stop together: waves of trials (as `run
//! --target-se`, [`super::target`]) until the paired difference in the
//! metric of every run against the first has a relative standard error at
//! or below the target, or until the most trials allowed. The result is, byte
//! for byte, the comparison with `--trials N` for the N used.

use std::process::ExitCode;
use std::time::Instant;

use shortfall::engine::SimOutput;
use shortfall::output;
use shortfall::scenario::Model;

use super::CompareArgs;
use super::compare::{Finish, Runs, check_paired_trials, entries_with_trials};
use super::target::{check_paired_metric, describe, paired_wave, run_waves};

/// Runs the comparison in waves until the target is met or `--max-trials`.
pub fn compare_to_target(
    args: &CompareArgs,
    relative_se: f64,
    out: Finish<'_>,
    started: Instant,
) -> anyhow::Result<ExitCode> {
    let metric = args.metric;
    check_paired_metric("compare", metric)?;
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
    let runs: Vec<(&Model, String)> = long
        .iter()
        .enumerate()
        .map(|(k, e)| (&e.model, format!("{} ({}/{}) ", e.label, k + 1, long.len())))
        .collect();
    let info = run_waves(metric, relative_se, max, &subject, |range, label| {
        paired_wave(&runs, range, (&label, &args.common), metric, &mut sims)
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
