//! `shortfall sensitivity S.toml`: which uncertain inputs drive the result,
//! from one run.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use shortfall::output::timeseries::fmt_f64;
use shortfall::output::{Contents, Staged};
use shortfall::plot::compare::{TornadoBar, tornado};
use shortfall::report::summarise;
use shortfall::scenario;
use shortfall::stats::sensitivity::{BINS, REPLICATES, influences};
use shortfall::{Error, atomic};

use super::memory::Plan;
use super::{SensitivityArgs, progress};

/// Runs the scenario once and ranks its drawn inputs by their influence on
/// the per-trial quantity of `--metric`.
pub fn run_sensitivity(args: &SensitivityArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let sets = args.common.sets(&args.sets);
    let model = scenario::load_model(&args.scenario, &sets)?;
    if model.inputs.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no uncertain inputs (give a supplier's or substitute's volume, transit, capacity, lead time, budget or cost as a distribution), so there is nothing to rank; see shortfall tornado",
            args.scenario.display()
        ))
        .into());
    }
    if model.trials < 2 * BINS as u64 {
        return Err(Error::Usage(format!(
            "sensitivity needs at least {} trials, got {}",
            2 * BINS,
            model.trials
        ))
        .into());
    }
    // The analysis ranks every input and the outcome: two more copies.
    let extra = 8 * 2 * (model.inputs.len() as u64 + 1);
    Plan::of(
        "this analysis".into(),
        &model,
        model.trials,
        args.common.threads,
        0,
        extra,
    )
    .unsplit()
    .check(args.common.max_memory)?;
    let sim = progress::simulate_with_bar(
        &model,
        args.common.threads,
        args.common.quiet,
        String::new(),
    )?;
    let summary = summarise(&model, &sim);
    let outcome = args.metric.per_trial(sim.table.view());
    let names: Vec<String> = model.inputs.iter().map(|i| i.name.clone()).collect();
    let (mut list, r2) = influences(sim.inputs.view(), &names, &outcome, model.seed);
    // Ranked by the variance share, then by |Spearman|.
    list.sort_by(|a, b| {
        b.variance_share
            .0
            .total_cmp(&a.variance_share.0)
            .then(b.spearman.0.abs().total_cmp(&a.spearman.0.abs()))
    });

    let name = format!("sensitivity-{}", model.name);
    let staged = Staged::of(&args.common.out, &name, Contents::Group(&["sensitivity"]))?;
    let dir = staged.path();
    let num = |x: f64| {
        if x.is_finite() {
            fmt_f64(x)
        } else {
            String::new()
        }
    };
    atomic::atomic_write(&dir.join("sensitivity.csv"), |w| {
        writeln!(
            w,
            "input,spearman,spearman_low,spearman_high,srrc,srrc_low,srrc_high,variance_share,variance_share_low,variance_share_high"
        )?;
        for i in &list {
            writeln!(
                w,
                "{},{},{},{},{},{},{},{},{},{}",
                i.name,
                num(i.spearman.0),
                num(i.spearman.1[0]),
                num(i.spearman.1[1]),
                num(i.srrc.0),
                num(i.srrc.1[0]),
                num(i.srrc.1[1]),
                num(i.variance_share.0),
                num(i.variance_share.1[0]),
                num(i.variance_share.1[1]),
            )?;
        }
        Ok(())
    })?;
    if !args.common.no_charts {
        let mut meta = shortfall::plot::meta_of(&summary);
        meta.sources = model.report.sources.clone();
        meta.heading = super::compare::heading(&args.common.charts.titles, "sensitivity");
        let bars: Vec<TornadoBar> = list
            .iter()
            .map(|i| TornadoBar {
                label: i.name.clone(),
                low: 0.0,
                high: i.spearman.0,
            })
            .collect();
        tornado(
            &dir.join(format!("sensitivity_{}", args.metric.name())),
            &args.common.charts.format,
            args.common.charts.canvas(),
            &meta,
            &shortfall::plot::compare::Measure::other(
                &format!(
                    "Spearman rank correlation with the per-trial {} quantity",
                    args.metric.label()
                ),
                None,
            ),
            0.0,
            &bars,
        )?;
    }
    super::interrupt::check()?;
    let dir = staged.commit()?;
    if !args.common.quiet {
        let mut out = format!(
            "{}: {} uncertain inputs against the per-trial {} quantity, {} trials, seed {}\n  rank regression R² {:.3}; variance share from {BINS} quantile bins (about {:.4} with no effect); 95% bootstrap intervals from {REPLICATES} resamples\n",
            summary.scenario,
            list.len(),
            args.metric.label(),
            summary.trials,
            summary.seed,
            r2,
            (BINS - 1) as f64 / (summary.trials - 1) as f64
        );
        let w = list.iter().map(|i| i.name.len()).max().unwrap_or(0);
        for i in &list {
            let _ = writeln!(
                out,
                "  {:<w$}  share {:.3} [{:.3}, {:.3}]  Spearman {:+.3} [{:+.3}, {:+.3}]  SRRC {:+.3}",
                i.name,
                i.variance_share.0,
                i.variance_share.1[0],
                i.variance_share.1[1],
                i.spearman.0,
                i.spearman.1[0],
                i.spearman.1[1],
                i.srrc.0,
            );
        }
        print!("{out}");
        println!(
            "  {:.1} s; wrote {}",
            started.elapsed().as_secs_f64(),
            dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
