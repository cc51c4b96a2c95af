//! `shortfall tornado S.toml`: one input at a time, at a low and a high
//! setting, on the same trials as the scenario itself.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use shortfall::engine::SimOutput;
use shortfall::output::markdown::decimals_for;
use shortfall::output::timeseries::fmt_f64;
use shortfall::output::{Contents, Staged};
use shortfall::plot::compare::{TornadoBar, tornado};
use shortfall::report::{Summary, summarise};
use shortfall::scenario::validate::{Input, Occurrence, Scenario};
use shortfall::scenario::{self, Model};
use shortfall::stats::{self, Metric, MetricDiff};
use shortfall::{Error, atomic};

use super::memory::Plan;
use super::{TornadoArgs, progress};

/// One input of the tornado: a field and its two settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Swing {
    /// The field, as a `--set` path.
    pub path: String,
    /// Its low setting.
    pub low: f64,
    /// Its high setting.
    pub high: f64,
    /// How the range was chosen.
    pub rule: &'static str,
}

/// A swing's results: the metric's difference from the scenario at the low
/// and the high setting, and high against low (the swing, with its paired
/// SE); or why the input was left out.
struct Outcome {
    swing: Swing,
    result: Result<[MetricDiff; 3], String>,
}

/// Runs the scenario and every input at its low and high settings.
pub fn run_tornado(args: &TornadoArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let common = args.common.sets(&args.sets);
    let (spec, base) = scenario::load_with_model(&args.scenario, &common)?;
    let swings = swings(&spec);
    if swings.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no input to vary (give [sensitivity] inputs, or a scenario with volumes, capacities, probabilities or storage)",
            args.scenario.display()
        ))
        .into());
    }
    // Every setting's model first. A setting the scenario refuses (say a
    // storage capacity below a restocking target) leaves its input out,
    // with the reason; nothing is run before all are known.
    let models: Vec<Result<[Model; 2], String>> = swings
        .iter()
        .map(|s| {
            let load = |v: f64| {
                let mut sets = common.clone();
                sets.push(format!("{}={}", s.path, fmt_f64(v)));
                scenario::load_model(&args.scenario, &sets).map_err(|e| format!("{e:#}"))
            };
            Ok([load(s.low)?, load(s.high)?])
        })
        .collect();
    super::compare::check_paired_trials(base.trials)?;
    // A path the scenario does not have is a mistake in [sensitivity], not a
    // setting out of range: refused before anything runs.
    for (s, m) in swings.iter().zip(&models) {
        if let Err(e) = m {
            if s.rule == "[sensitivity]"
                && (e.contains("unknown key")
                    || e.contains(" has id ")
                    || e.contains("never adds one"))
            {
                return Err(Error::Usage(format!("[sensitivity] input {}: {e}", s.path)).into());
            }
        }
    }
    if models.iter().all(|m| m.is_err()) {
        let reasons: Vec<String> = swings
            .iter()
            .zip(&models)
            .filter_map(|(s, m)| m.as_ref().err().map(|e| format!("{}: {e}", s.path)))
            .collect();
        return Err(Error::Usage(format!(
            "no input can be varied: every setting is refused\n{}",
            reasons.join("\n")
        ))
        .into());
    }
    let total = 1 + 2 * models.iter().filter(|m| m.is_ok()).count();
    // The scenario's and the low setting's tables are kept while the high
    // setting runs.
    Plan::of(
        format!("this tornado ({total} runs)"),
        &base,
        base.trials,
        args.common.threads,
        2,
        8 * 4,
    )
    .unsplit()
    .check(args.common.max_memory)?;
    let mut done = 0;
    let mut run_one = |m: &Model| -> Result<(SimOutput, Summary), Error> {
        done += 1;
        let sim = progress::simulate_with_bar(
            m,
            args.common.threads,
            args.common.quiet,
            format!("run {done}/{total} "),
        )?;
        let summary = summarise(m, &sim);
        Ok((sim, summary))
    };
    let (sim0, s0) = run_one(&base)?;
    let seed = base.seed;
    let mut outcomes = Vec::with_capacity(swings.len());
    for (swing, m) in swings.into_iter().zip(models) {
        let result = match m {
            Err(e) => Err(e),
            Ok([lo, hi]) => {
                let pick = |d: Vec<MetricDiff>| {
                    *d.iter()
                        .find(|x| x.metric == args.metric)
                        .expect("every metric")
                };
                let (sim_lo, s_lo) = run_one(&lo)?;
                let (sim_hi, s_hi) = run_one(&hi)?;
                let against = |sim: &SimOutput, s: &Summary| {
                    pick(stats::compare(
                        (sim0.table.view(), &s0.metrics),
                        (sim.table.view(), &s.metrics),
                        seed,
                    ))
                };
                let swing = pick(stats::compare(
                    (sim_lo.table.view(), &s_lo.metrics),
                    (sim_hi.table.view(), &s_hi.metrics),
                    seed,
                ));
                Ok([against(&sim_lo, &s_lo), against(&sim_hi, &s_hi), swing])
            }
        };
        outcomes.push(Outcome { swing, result });
    }
    // Widest swing first.
    outcomes.sort_by(|a, b| width(b).total_cmp(&width(a)));
    let name = format!("tornado-{}", s0.scenario);
    let staged = Staged::of(&args.common.out, &name, Contents::Group(&["tornado"]))?;
    write_csv(&staged.path().join("tornado.csv"), args.metric, &outcomes)?;
    if !args.common.no_charts {
        chart(staged.path(), args, (&s0, &base.report.sources), &outcomes)?;
    }
    super::interrupt::check()?;
    let dir = staged.commit()?;
    if !args.common.quiet {
        print!("{}", terminal(args.metric, &s0, &outcomes));
        println!(
            "  {total} runs of {} trials in {:.1} s; wrote {}",
            s0.trials,
            started.elapsed().as_secs_f64(),
            dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The swing of an outcome: |high − low| of the metric (0 when left out).
fn width(o: &Outcome) -> f64 {
    o.result.as_ref().map_or(-1.0, |[_, _, s]| s.diff.abs())
}

/// The inputs and their settings: `[sensitivity]` when the scenario has
/// one; otherwise every supplier volume, substitute capacity and lead time,
/// event probability (or rate), storage capacity and initial level, at
/// ±20% of a number and at the 10th and 90th percentiles of a drawn input.
/// Inputs whose two settings are equal (a lead time of 0) are left out.
pub fn swings(s: &Scenario) -> Vec<Swing> {
    if !s.sensitivity.is_empty() {
        return s
            .sensitivity
            .iter()
            .map(|x| Swing {
                path: x.path.clone(),
                low: x.low,
                high: x.high,
                rule: "[sensitivity]",
            })
            .collect();
    }
    let mut out = Vec::new();
    let mut add = |path: String, input: &Input, bounds: (f64, f64)| {
        let (low, high, rule) = match input {
            Input::Fixed(v) => (v * 0.8, v * 1.2, "±20%"),
            Input::Drawn(d) => (d.quantile(0.1), d.quantile(0.9), "P10-P90"),
        };
        // Six significant digits: settings to read, not float noise.
        let round = |x: f64| format!("{x:.5e}").parse::<f64>().unwrap_or(x);
        let (low, high) = (
            round(low.clamp(bounds.0, bounds.1)),
            round(high.clamp(bounds.0, bounds.1)),
        );
        if low != high {
            out.push(Swing {
                path,
                low,
                high,
                rule,
            });
        }
    };
    let any = (0.0, f64::INFINITY);
    for sup in &s.suppliers {
        add(format!("supplier.{}.volume", sup.id), &sup.volume, any);
    }
    for sub in &s.substitutes {
        add(
            format!("substitute.{}.capacity", sub.id),
            &sub.capacity,
            any,
        );
        add(
            format!("substitute.{}.lead_days", sub.id),
            &sub.lead_days,
            any,
        );
    }
    for e in &s.events {
        match e.occurrence {
            Occurrence::Probability(p) => add(
                format!("event.{}.probability", e.id),
                &Input::Fixed(p),
                (0.0, 1.0),
            ),
            Occurrence::RatePerYear(r) => add(
                format!("event.{}.rate_per_year", e.id),
                &Input::Fixed(r),
                any,
            ),
        }
    }
    add(
        "storage.capacity".into(),
        &Input::Fixed(s.storage_capacity),
        any,
    );
    let initial = match &s.storage_initial {
        shortfall::dist::DistSpec::Fixed { value } => Input::Fixed(*value),
        d => Input::Drawn(d.clone()),
    };
    add(
        "storage.initial".into(),
        &initial,
        (s.storage_minimum, s.storage_capacity),
    );
    out
}

/// tornado.csv: a row per input, widest swing first.
fn write_csv(path: &Path, metric: Metric, outcomes: &[Outcome]) -> Result<(), Error> {
    atomic::atomic_write(path, |w| {
        writeln!(
            w,
            "input,rule,low,high,metric,base,at_low,at_high,diff_low,diff_low_se,diff_high,diff_high_se,swing,swing_se,note"
        )?;
        let num = |x: f64| {
            if x.is_finite() {
                fmt_f64(x)
            } else {
                String::new()
            }
        };
        for o in outcomes {
            let s = &o.swing;
            let head = format!(
                "{},{},{},{},{}",
                s.path,
                s.rule,
                num(s.low),
                num(s.high),
                metric.name()
            );
            match &o.result {
                Ok([l, h, sw]) => writeln!(
                    w,
                    "{head},{},{},{},{},{},{},{},{},{},",
                    num(l.base),
                    num(l.other),
                    num(h.other),
                    num(l.diff),
                    num(l.se),
                    num(h.diff),
                    num(h.se),
                    num(sw.diff),
                    num(sw.se)
                )?,
                Err(e) => {
                    let note = e.replace(['\n', ','], " ").replace('"', "'");
                    writeln!(w, "{head},,,,,,,,,,\"left out: {note}\"")?
                }
            }
        }
        Ok(())
    })
}

/// The tornado chart of the inputs that ran.
fn chart(
    dir: &Path,
    args: &TornadoArgs,
    (s0, sources): (&Summary, &[String]),
    outcomes: &[Outcome],
) -> Result<(), Error> {
    let bars: Vec<TornadoBar> = outcomes
        .iter()
        .filter_map(|o| {
            let [l, h, _] = o.result.as_ref().ok()?;
            Some(TornadoBar {
                label: format!(
                    "{} {}–{}",
                    o.swing.path,
                    fmt_f64(o.swing.low),
                    fmt_f64(o.swing.high)
                ),
                low: l.other,
                high: h.other,
            })
        })
        .collect();
    let base = outcomes
        .iter()
        .find_map(|o| o.result.as_ref().ok().map(|[l, _, _]| l.base))
        .unwrap_or(f64::NAN);
    let mut meta = shortfall::plot::meta_of(s0);
    meta.sources = sources.to_vec();
    meta.heading = super::compare::heading(&args.common.charts.titles, "tornado");
    tornado(
        &dir.join(format!("tornado_{}", args.metric.name())),
        &args.common.charts.format,
        args.common.charts.canvas(),
        &meta,
        &super::measure_of(args.metric, s0),
        base,
        &bars,
    )?;
    Ok(())
}

/// The ranked swings on the terminal.
fn terminal(metric: Metric, s0: &Summary, outcomes: &[Outcome]) -> String {
    let mut out = format!(
        "{}: {} one at a time, {} trials, seed {}; the metric at the low .. high setting, and the swing (high minus low) ± its paired SE, widest first:\n",
        s0.scenario,
        metric.label(),
        s0.trials,
        s0.seed
    );
    let w = outcomes
        .iter()
        .map(|o| o.swing.path.chars().count())
        .max()
        .unwrap_or(0);
    for o in outcomes {
        match &o.result {
            Ok([l, h, sw]) => {
                let d = decimals_for(l.se.max(h.se)).max(decimals_for(l.base.abs() / 100.0));
                let _ = writeln!(
                    out,
                    "  {:<w$}  {:>9} .. {:<9}  {:.d$} .. {:.d$}  swing {:+.d$} ± {:.d$}",
                    o.swing.path,
                    fmt_f64(o.swing.low),
                    fmt_f64(o.swing.high),
                    l.other,
                    h.other,
                    sw.diff,
                    sw.se
                );
            }
            Err(e) => {
                let first = e.lines().last().unwrap_or("").trim();
                let _ = writeln!(out, "  {:<w$}  left out: {first}", o.swing.path);
            }
        }
    }
    out
}
