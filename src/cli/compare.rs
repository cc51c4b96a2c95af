//! `shortfall compare A.toml [B.toml ...] [--variant NAME:PATH=VALUE[,...]]`

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use shortfall::engine::{Column, SimOutput};
use shortfall::output::{Contents, Staged};
use shortfall::plot::compare::{Curve, Differences, differences_histogram, exceedance_overlay};
use shortfall::plot::theme::Meta;
use shortfall::report::comparison::{
    ComparedRun, Comparison, Difference, MetricValue, RunDifferences,
};
use shortfall::report::{Summary, files};
use shortfall::scenario::{self, Model};
use shortfall::stats::{self, BOOTSTRAP_REPLICATES, Metric, MetricDiff};
use shortfall::{Error, output};

use super::memory::Plan;
use super::{CompareArgs, folder, progress};

/// One run of the comparison, before it is run.
#[derive(Clone)]
pub struct Entry {
    /// Its label, which names its folder.
    pub label: String,
    /// Its model.
    pub model: Model,
    /// Its scenario as run (what a shard stores).
    pub toml: String,
}

/// Runs every scenario (and variant) on the same trials and writes the
/// comparison.
pub fn compare(args: &CompareArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    // Every model first: a mistake in any file stops the comparison before
    // anything is run or written.
    let entries = entries(args)?;
    let models: Vec<&Model> = entries.iter().map(|e| &e.model).collect();
    if let Some(m) = models
        .iter()
        .find(|m| m.unit != models[0].unit || m.step != models[0].step)
    {
        return Err(Error::Usage(format!(
            "cannot compare runs in different units or steps: {} is in {} per {}, {} in {} per {}",
            models[0].name,
            models[0].unit,
            models[0].step.name(),
            m.name,
            m.unit,
            m.step.name()
        ))
        .into());
    }
    check_paired_trials(models[0].trials)?;
    let trials = match (args.shard, args.target_se) {
        (Some(s), _) => {
            let r = shortfall::engine::shard_range(models[0].trials, s.k, s.n);
            r.end - r.start
        }
        (None, Some(_)) => args.max_trials.unwrap_or(models[0].trials),
        (None, None) => models[0].trials,
    };
    plan(
        format!("this comparison ({} runs)", models.len()),
        &models,
        trials,
        args.common.threads,
    )
    .check(args.common.max_memory)?;
    let out = Finish::of(args);
    if let Some(shard) = args.shard {
        return super::compare_shards::run_shard(args, &entries, shard);
    }
    if let Some(relative_se) = args.target_se {
        return super::compare_target::compare_to_target(args, relative_se, out, started);
    }

    // Every run first, then the writing: a comparison asked to stop leaves
    // an earlier one as it was.
    let mut sims = Vec::with_capacity(entries.len());
    for (k, entry) in entries.iter().enumerate() {
        sims.push(progress::simulate_with_bar(
            &entry.model,
            args.common.threads,
            args.common.quiet,
            format!("{} ({}/{}) ", entry.label, k + 1, entries.len()),
        )?);
    }
    super::interrupt::check()?;
    let name = format!("compare-{}", entries[0].label);
    let mut runs = Runs::start(&args.common.out, &name)?;
    for (entry, sim) in entries.iter().zip(sims) {
        runs.add(entry, sim, &out)?;
    }
    runs.finish(&entries, &out, started, |_| Ok(()))
}

/// The memory of a command that keeps every run's table (a comparison, or
/// a merge of its shards): the other runs' tables beside the peak of the
/// largest, and the paired statistics' per-trial differences.
pub fn plan(what: String, models: &[&Model], trials: u64, threads: usize) -> Plan {
    let widest = models
        .iter()
        .max_by_key(|m| m.inputs.len())
        .expect("at least one run");
    Plan::of(
        what,
        widest,
        trials,
        threads,
        models.len() as u64 - 1,
        8 * 4,
    )
}

/// How a comparison's results are written (from `compare` or from a merge
/// of its shards).
pub struct Finish<'a> {
    /// Also write each run's trials.csv.
    pub csv: bool,
    /// Chart formats (none: no charts).
    pub formats: &'a [shortfall::report::Format],
    /// The size the charts are drawn at.
    pub canvas: shortfall::report::charts::Canvas,
    /// Chart titles given with `--title` (chart stem, title).
    pub titles: &'a [(String, String)],
    /// Nothing on the terminal.
    pub quiet: bool,
    /// The metric of the terminal summary.
    pub metric: Metric,
    /// `--max-memory` (for a merge of shards, which checks it).
    pub max_memory: Option<u64>,
}

impl Finish<'_> {
    /// The title given with `--title` for the chart `stem`, if any.
    pub fn heading(&self, stem: &str) -> Option<String> {
        heading(self.titles, stem)
    }

    /// A sweep's settings.
    pub fn of_sweep(args: &super::SweepArgs) -> Finish<'_> {
        Finish::from_common(&args.common, false, args.metric)
    }

    fn of(args: &CompareArgs) -> Finish<'_> {
        Finish::from_common(&args.common, args.csv, args.metric)
    }

    fn from_common(common: &super::Common, csv: bool, metric: Metric) -> Finish<'_> {
        Finish {
            csv,
            formats: if common.no_charts {
                &[]
            } else {
                &common.charts.format
            },
            canvas: common.charts.canvas(),
            titles: &common.charts.titles,
            quiet: common.quiet,
            metric,
            max_memory: common.max_memory,
        }
    }
}

/// The stems of a comparison's own files (its tables and charts in every
/// format): with the run folders, what a new comparison replaces.
const COMPARE_STEMS: &[&str] = &["comparison", "differences", "exceedance_overlay", "target"];

/// A comparison's runs as they are simulated (or merged), each written to
/// its folder as it comes, inside the comparison's folder being built
/// beside its place (OUT/.compare-NAME.partial-PID), which is swapped in
/// whole by [`Runs::finish`].
pub struct Runs {
    staged: Staged,
    sims: Vec<SimOutput>,
    summaries: Vec<Summary>,
}

impl Runs {
    /// Starts the comparison folder `out/name` beside its place. An earlier
    /// one stays as it was until the finish; then its runs and files are
    /// replaced, and files of the user's carried over.
    pub fn start(out: &Path, name: &str) -> Result<Runs, Error> {
        Ok(Runs {
            staged: Staged::of(out, name, Contents::Group(COMPARE_STEMS))?,
            sims: Vec::new(),
            summaries: Vec::new(),
        })
    }

    /// The next run's result: summarised and written to its folder.
    pub fn add(&mut self, entry: &Entry, sim: SimOutput, out: &Finish<'_>) -> Result<(), Error> {
        let written = folder::summarise_and_write(
            self.staged.path(),
            &entry.label,
            &entry.model,
            &sim,
            &folder::Options {
                csv: out.csv,
                charts: &[],
                canvas: out.canvas,
                titles: &[],
            },
        )?;
        self.sims.push(sim);
        self.summaries.push(written.summary.clone());
        // Into the comparison's own folder, itself still beside its place.
        written.staged.commit()?;
        Ok(())
    }

    /// Every run against the first: comparison.json, comparison.csv, the
    /// charts, then `more` (further files into the folder), and the folder
    /// swapped in whole (unless the command was asked to stop meanwhile:
    /// then an earlier one stays as it was); then the terminal summary.
    pub fn finish(
        self,
        entries: &[Entry],
        out: &Finish<'_>,
        started: Instant,
        more: impl FnOnce(&Path) -> Result<(), Error>,
    ) -> anyhow::Result<ExitCode> {
        let Runs {
            staged,
            sims,
            summaries,
        } = self;
        let dir = staged.path();
        let (trials, seed) = (entries[0].model.trials, entries[0].model.seed);
        let diffs: Vec<Vec<MetricDiff>> = sims[1..]
            .iter()
            .zip(&summaries[1..])
            .map(|(sim, s)| {
                stats::compare(
                    (sims[0].table.view(), &summaries[0].metrics),
                    (sim.table.view(), &s.metrics),
                    seed,
                )
            })
            .collect();
        // The base run against itself, for its own bootstrap SEs: they then
        // do not depend on which runs it is compared with (as a sweep's
        // first point).
        let base_own = stats::compare(
            (sims[0].table.view(), &summaries[0].metrics),
            (sims[0].table.view(), &summaries[0].metrics),
            seed,
        );
        let comparison = comparison(entries, &summaries, &base_own, &diffs, trials, seed);
        output::write_json(&dir.join(files::COMPARISON_JSON), &comparison)?;
        output::comparison::write_comparison_csv(&dir.join(files::COMPARISON_CSV), &comparison)?;
        if !out.formats.is_empty() {
            charts(dir, out, entries, &sims, &summaries)?;
        }
        more(dir)?;
        super::interrupt::check()?;
        let dir = staged.commit()?;
        if !out.quiet {
            print!("{}", terminal(&comparison, out.metric));
            println!(
                "  {} runs in {:.1} s; wrote {}",
                entries.len(),
                started.elapsed().as_secs_f64(),
                dir.display()
            );
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// The runs to make: each file, then each variant of the first file; all
/// with the common `--set`s and the same trials and seed (the first file's
/// unless `--trials`/`--seed` are given). Labels are unique folder names.
fn entries(args: &CompareArgs) -> anyhow::Result<Vec<Entry>> {
    entries_with_trials(args, args.common.trials)
}

/// [`entries`] with `trials` trials (default: the first file's).
pub fn entries_with_trials(args: &CompareArgs, trials: Option<u64>) -> anyhow::Result<Vec<Entry>> {
    let mut common = args.sets.clone();
    // The first file fixes the trials and seed of all.
    let first = scenario::load_model(&args.scenarios[0], &common)?;
    common.push(format!(
        "simulation.trials={}",
        trials.unwrap_or(first.trials)
    ));
    common.push(format!(
        "simulation.seed={}",
        args.common.seed.unwrap_or(first.seed)
    ));
    let mut entries = Vec::new();
    for file in &args.scenarios {
        let (s, model) = scenario::load_with_model(file, &common)?;
        entries.push(Entry {
            label: model.name.clone(),
            model,
            toml: scenario::canonical_toml(&s).map_err(anyhow::Error::msg)?,
        });
    }
    let variants = args
        .variants
        .iter()
        .map(|v| parse_variant(v))
        .collect::<Result<Vec<_>, _>>()?;
    if entries.len() + variants.len() < 2 {
        return Err(Error::Usage(
            "compare needs at least two runs: give two or more scenario files, or --variant".into(),
        )
        .into());
    }
    for (name, sets) in variants {
        let mut all = common.clone();
        // The variant's own settings come before the common trials and seed,
        // which no variant may change.
        all.splice(all.len() - 2..all.len() - 2, sets);
        let file = &args.scenarios[0];
        let (s, model) = scenario::load_with_model(file, &all).map_err(|err| {
            anyhow::Error::new(err).context(format!("run {name} ({})", file.display()))
        })?;
        entries.push(Entry {
            label: name,
            model,
            toml: scenario::canonical_toml(&s).map_err(anyhow::Error::msg)?,
        });
    }
    if let Some(e) = entries.iter().find(|e| e.label == "shards") {
        return Err(Error::Usage(format!(
            "a run cannot be named \"shards\" (the folder of a sharded comparison's shards): rename {}",
            e.label
        ))
        .into());
    }
    // A label names a folder: the same name twice gets a suffix, so that no
    // run overwrites another's folder.
    let mut seen: Vec<String> = Vec::new();
    for e in &mut entries {
        let base = e.label.clone();
        let mut k = 2;
        while seen.contains(&e.label) {
            e.label = format!("{base}-{k}");
            k += 1;
        }
        seen.push(e.label.clone());
    }
    Ok(entries)
}

/// Splits `NAME:PATH=VALUE[,PATH=VALUE...]` into the name and the `--set`
/// arguments. Commas inside brackets, braces or quotes belong to a value
/// (an inline table or an array).
pub fn parse_variant(text: &str) -> Result<(String, Vec<String>), Error> {
    let usage = |m: &str| {
        Error::Usage(format!(
            "--variant {text}: {m}; expected NAME:PATH=VALUE[,PATH=VALUE...], e.g. --variant sbl-small:substitute.sbl.volume=0.21"
        ))
    };
    let Some((name, rest)) = text.split_once(':') else {
        return Err(usage("no NAME: before the settings"));
    };
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    {
        return Err(usage(
            "NAME must be made of a-z, 0-9, '_' and '-' (it names a folder)",
        ));
    }
    let sets: Vec<String> = split_top_level(rest)
        .into_iter()
        .map(str::to_string)
        .collect();
    if sets.iter().any(|s| !s.contains('=')) {
        return Err(usage("every setting is PATH=VALUE"));
    }
    if let Some(s) = sets
        .iter()
        .find(|s| s.starts_with("simulation.trials") || s.starts_with("simulation.seed"))
    {
        return Err(usage(&format!(
            "{s}: every run of a comparison has the same trials and seed (use --trials and --seed)"
        )));
    }
    Ok((name.to_string(), sets))
}

/// Paired statistics need at least two trials (a standard error).
pub fn check_paired_trials(trials: u64) -> Result<(), Error> {
    if trials < 2 {
        return Err(Error::Usage(format!(
            "paired comparisons need at least 2 trials, got {trials}"
        )));
    }
    Ok(())
}

/// Splits `text` at commas that are not inside brackets, braces or quotes
/// (so an inline table or an array stays whole); parts are trimmed.
pub fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0usize);
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(text[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(text[start..].trim());
    parts
}

/// comparison.json's content.
fn comparison(
    entries: &[Entry],
    summaries: &[Summary],
    base_own: &[MetricDiff],
    diffs: &[Vec<MetricDiff>],
    trials: u64,
    seed: u64,
) -> Comparison {
    let runs = entries
        .iter()
        .zip(summaries)
        .enumerate()
        .map(|(k, (e, s))| {
            // A quantile's SE comes from the bootstrap: the base's from its
            // comparison with itself, each other run's from its comparison
            // with the base.
            let se = |metric: Metric| -> Option<f64> {
                let d = if k == 0 { base_own } else { &diffs[k - 1] };
                let x = d.iter().find(|x| x.metric == metric)?;
                Some(if k == 0 { x.base_se } else { x.other_se })
            };
            ComparedRun {
                label: e.label.clone(),
                scenario: s.scenario.clone(),
                title: s.title.clone(),
                scenario_sha256: s.scenario_sha256.clone(),
                folder: e.label.clone(),
                metrics: MetricValue::all(&s.metrics, se),
            }
        })
        .collect();
    let differences = entries[1..]
        .iter()
        .zip(diffs)
        .map(|(e, d)| RunDifferences {
            label: e.label.clone(),
            against: entries[0].label.clone(),
            metrics: d.iter().map(Difference::from).collect(),
        })
        .collect();
    Comparison {
        version: shortfall::VERSION.to_string(),
        seed,
        trials,
        base: entries[0].label.clone(),
        bootstrap_replicates: BOOTSTRAP_REPLICATES,
        unit: summaries[0].unit.clone(),
        currency: summaries[0].currency.clone(),
        runs,
        differences,
    }
}

/// The overlaid exceedance curves and the histogram of per-trial
/// differences in shortfall.
fn charts(
    dir: &Path,
    out: &Finish<'_>,
    entries: &[Entry],
    sims: &[SimOutput],
    summaries: &[Summary],
) -> Result<(), Error> {
    let s0 = &summaries[0];
    let labels: Vec<&str> = entries.iter().map(|e| e.label.as_str()).collect();
    let meta = Meta {
        // The base scenario's `[report] sources`, cited in the footer.
        sources: entries[0].model.report.sources.clone(),
        scenario: labels.join(" vs "),
        title: format!("{} compared", s0.title),
        trials: s0.trials,
        seed: s0.seed,
        version: s0.version.clone(),
        sha: s0.scenario_sha256.chars().take(12).collect(),
        heading: out.heading("exceedance_overlay"),
    };
    let curves: Vec<Curve> = entries
        .iter()
        .zip(sims)
        .map(|(e, sim)| Curve {
            label: e.label.clone(),
            shortfall_sorted: stats::sorted_total(sim.column(Column::Shortfall)),
        })
        .collect();
    let formats = out.formats;
    let canvas = out.canvas;
    exceedance_overlay(
        &dir.join("exceedance_overlay"),
        formats,
        canvas,
        &meta,
        &s0.unit,
        &curves,
    )?;
    let base = sims[0].column(Column::Shortfall);
    let runs: Vec<Differences> = entries[1..]
        .iter()
        .zip(&sims[1..])
        .map(|(e, sim)| Differences {
            label: e.label.clone(),
            diffs: sim
                .column(Column::Shortfall)
                .iter()
                .zip(base.iter())
                // Rounding noise (within 1e-9 of the values) is no change.
                .map(|(o, b)| {
                    if (o - b).abs() <= 1e-9 * o.abs().max(b.abs()) {
                        0.0
                    } else {
                        o - b
                    }
                })
                .collect(),
        })
        .collect();
    let meta = Meta {
        heading: out.heading("differences"),
        ..meta
    };
    differences_histogram(
        &dir.join("differences"),
        formats,
        canvas,
        &meta,
        &shortfall::plot::compare::Measure::volume("Shortfall", &s0.unit),
        &entries[0].label,
        &runs,
    )?;
    Ok(())
}

/// The title given with `--title` for the chart `stem` among `titles`, if
/// any (the last one given).
pub fn heading(titles: &[(String, String)], stem: &str) -> Option<String> {
    titles
        .iter()
        .rev()
        .find(|(s, _)| s == stem)
        .map(|(_, t)| t.clone())
}

/// The terminal summary: each run's estimate of `metric` and P(shortfall),
/// then each run against the base (like hyperfine's relative summary).
fn terminal(c: &Comparison, metric: Metric) -> String {
    use shortfall::output::markdown::decimals_for;
    let unit = |m: Metric| match m {
        Metric::Eue | Metric::P95 | Metric::P99 | Metric::Cvar95 => format!(" {}", c.unit),
        Metric::Lole => " steps".to_string(),
        Metric::Cost => format!(" {}", c.currency.as_deref().unwrap_or("cost units")),
        Metric::Probability => String::new(),
    };
    let scale = |m: Metric| if m == Metric::Probability { 100.0 } else { 1.0 };
    let pct = |m: Metric| if m == Metric::Probability { "%" } else { "" };
    let mut out = format!(
        "{} runs of {} trials each, seed {}, trials paired by index\n",
        c.runs.len(),
        c.trials,
        c.seed
    );
    let w = c
        .runs
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0);
    let show = [metric, Metric::Probability];
    for r in &c.runs {
        let mut line = format!("  {:<w$}", r.label);
        for m in show
            .iter()
            .copied()
            .take(if metric == Metric::Probability { 1 } else { 2 })
        {
            let v = r
                .metrics
                .iter()
                .find(|x| x.metric == m.name())
                .expect("every metric");
            let (value, se) = (v.value * scale(m), v.se * scale(m));
            let d = decimals_for(se);
            let se_text = if se.is_finite() {
                format!(" ± {se:.d$}{}", pct(m))
            } else {
                String::new()
            };
            line.push_str(&format!(
                "   {} {value:.d$}{}{se_text}{}",
                m.label(),
                pct(m),
                unit(m)
            ));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(&format!(
        "Against {} ({}; paired SE, 95% CI, unpaired SE):\n",
        c.base,
        metric.label()
    ));
    for d in &c.differences {
        let x = d
            .metrics
            .iter()
            .find(|x| x.metric == metric.name())
            .expect("every metric");
        let s = scale(metric);
        let dd = decimals_for(x.se * s);
        let du = decimals_for(x.se_unpaired * s);
        // A difference of probabilities is in percentage points.
        let p = if metric == Metric::Probability {
            " points"
        } else {
            ""
        };
        out.push_str(&format!(
            "  {:<w$}   {:+.dd$} ± {:.dd$}{p}{u}  [{:+.dd$}, {:+.dd$}]  (unpaired ± {:.du$})  worse in {:.2}% of trials, better in {:.2}%\n",
            d.label,
            x.diff * s,
            x.se * s,
            x.ci95[0] * s,
            x.ci95[1] * s,
            x.se_unpaired * s,
            x.worse * 100.0,
            x.better * 100.0,
            u = unit(metric),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::parse_variant;

    #[test]
    fn variants_split_on_top_level_commas_only() {
        let (name, sets) = parse_variant(
            "cape:substitute.us_flex.lead_days={dist=\"empirical\",values=[21,36],weights=[1,1]},storage.capacity=6",
        )
        .unwrap();
        assert_eq!(name, "cape");
        assert_eq!(
            sets,
            [
                "substitute.us_flex.lead_days={dist=\"empirical\",values=[21,36],weights=[1,1]}",
                "storage.capacity=6"
            ]
        );
        let (_, sets) =
            parse_variant("t:substitute.spot.target=[1, 2, 3],substitute.spot.name='a, b'")
                .unwrap();
        assert_eq!(
            sets,
            [
                "substitute.spot.target=[1, 2, 3]",
                "substitute.spot.name='a, b'"
            ]
        );
        for bad in ["x", ":a=1", "X:a=1", "x:a", "x:simulation.trials=5"] {
            assert!(parse_variant(bad).is_err(), "{bad}");
        }
    }
}
