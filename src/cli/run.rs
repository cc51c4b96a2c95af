//! `shortfall run SCENARIO`

use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use shortfall::engine::shard_range;
use shortfall::report::{RunInfo, files};
use shortfall::{Error, output, scenario};

use shortfall::stats::Metric;

use super::memory::Plan;
use super::{RunArgs, ShardArg, folder, interrupt, progress, target, terminal};

/// Loads, runs, summarises and writes one scenario.
pub fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    if let Some(shard) = args.shard {
        return run_shard(args, shard);
    }
    let started = Instant::now();
    let started_unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // --trials and --seed are overrides like any other, so they enter the scenario hash.
    let sets = args.common.sets(&args.sets);
    let charts = if args.common.no_charts {
        &[][..]
    } else {
        &args.common.charts.format[..]
    };
    // The memory the run will hold, before anything runs.
    let planned = scenario::load_model(&args.scenario, &sets)?;
    let (trials, held) = match args.target_se {
        // Waves append to the table, which may be copied as it grows.
        Some(_) => (args.max_trials.unwrap_or(planned.trials), 1),
        None => (planned.trials, 0),
    };
    Plan::of(
        "this run".into(),
        &planned,
        trials,
        args.common.threads,
        held,
        0,
    )
    .with_charts(charts, args.common.charts.png_width)
    .check(args.common.max_memory)?;
    let t0 = Instant::now();
    let (model, sets, sim, target) = match args.target_se {
        Some(relative_se) => {
            let reached = target::run_to_target(&target::Target {
                scenario: &args.scenario,
                sets: &sets,
                relative_se,
                metric: args.metric.unwrap_or(Metric::Eue),
                max_trials: args.max_trials,
                trials: planned.trials,
                threads: args.common.threads,
                quiet: args.common.quiet,
            })?;
            (reached.model, reached.sets, reached.sim, Some(reached.info))
        }
        None => {
            // The model the estimate was made for.
            let model = planned;
            let sim = progress::simulate_with_bar(
                &model,
                args.common.threads,
                args.common.quiet,
                String::new(),
            )?;
            (model, sets, sim, None)
        }
    };
    let simulate_seconds = t0.elapsed().as_secs_f64();
    // Asked to stop during the simulation: nothing is written.
    interrupt::check()?;

    let written = folder::summarise_and_write(
        &args.common.out,
        &model.name,
        &model,
        &sim,
        &folder::Options {
            csv: args.csv,
            charts,
            canvas: args.common.charts.canvas(),
            titles: &args.common.charts.titles,
        },
    )?;
    let threads = if args.common.threads == 0 {
        rayon::current_num_threads()
    } else {
        args.common.threads
    };
    let info = RunInfo {
        version: shortfall::VERSION.to_string(),
        threads,
        trials: model.trials,
        simulate_seconds,
        statistics_seconds: written.statistics_seconds,
        write_seconds: written.write_seconds,
        charts_seconds: written.charts_seconds,
        total_seconds: started.elapsed().as_secs_f64(),
        trials_per_second: model.trials as f64 / simulate_seconds.max(1e-9),
        started_unix,
        scenario_file: args.scenario.display().to_string(),
        overrides: sets,
        shard: None,
        merged_shards: None,
        target,
        charts: (!written.notes.is_empty()).then(|| written.notes.clone()),
    };
    output::write_json(&written.staged.path().join(files::RUN_JSON), &info)?;
    let summary = written.summary.clone();
    let dir = written.commit()?;

    if !args.common.quiet {
        print!("{}", terminal::render(&summary));
        println!(
            "  {:.0} trials/s on {threads} threads; wrote {}",
            info.trials_per_second,
            dir.display()
        );
    }
    if let Some(t) = &info.target {
        // Said even with --quiet: the run may not have reached its target.
        let label = args.metric.unwrap_or(Metric::Eue).label();
        println!("{}", target::describe(t, label, label));
    }
    Ok(ExitCode::SUCCESS)
}

/// `run --shard K/N`: runs the shard's trials and writes its folder,
/// OUT/NAME/shard-K-of-N/, for `shortfall merge`.
fn run_shard(args: &RunArgs, shard: ShardArg) -> anyhow::Result<ExitCode> {
    if args.csv {
        return Err(Error::Usage(
            "--csv is for the merged run: give it to `shortfall merge`".into(),
        )
        .into());
    }
    let sets = args.common.sets(&args.sets);
    let (scenario, model) = scenario::load_with_model(&args.scenario, &sets)?;
    let range = shard_range(model.trials, shard.k, shard.n);
    Plan::of(
        format!("shard {} of {}", shard.k, shard.n),
        &model,
        range.end - range.start,
        args.common.threads,
        0,
        0,
    )
    .unsplit()
    .check(args.common.max_memory)?;
    let text = scenario::canonical_toml(&scenario).map_err(anyhow::Error::msg)?;
    let shard_run = ShardRun {
        parent: &args.common.out.join(&model.name),
        model: &model,
        toml: &text,
        shard,
        threads: args.common.threads,
        quiet: args.common.quiet,
        label: String::new(),
        scenario_file: args.scenario.display().to_string(),
        overrides: sets.clone(),
    };
    let (dir, info) = shard_run.run()?;
    if !args.common.quiet {
        let range = shard_range(model.trials, shard.k, shard.n);
        println!(
            "{} shard {} of {}: trials {}..{} of {} ({:.0} trials/s on {} threads); wrote {}",
            model.name,
            shard.k,
            shard.n,
            range.start,
            range.end,
            model.trials,
            info.trials_per_second,
            info.threads,
            dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// One shard of one run, to be run and written to `parent/shard-K-of-N/`.
pub struct ShardRun<'a> {
    /// The folder that holds the run's shards.
    pub parent: &'a std::path::Path,
    /// The run's model.
    pub model: &'a shortfall::scenario::Model,
    /// Its scenario as run ([`scenario::canonical_toml`]).
    pub toml: &'a str,
    /// Which shard.
    pub shard: ShardArg,
    /// Worker threads.
    pub threads: usize,
    /// No progress bar.
    pub quiet: bool,
    /// Progress bar label.
    pub label: String,
    /// For run.json: the scenario file as given.
    pub scenario_file: String,
    /// For run.json: the overrides.
    pub overrides: Vec<String>,
}

impl ShardRun<'_> {
    /// Simulates the shard's trials and writes its folder (run.json last).
    pub fn run(self) -> anyhow::Result<(std::path::PathBuf, RunInfo)> {
        let started = Instant::now();
        let started_unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let ShardArg { k, n } = self.shard;
        let model = self.model;
        let range = shard_range(model.trials, k, n);
        let t0 = Instant::now();
        let sim = progress::simulate_range_with_bar(
            model,
            range.clone(),
            self.threads,
            self.quiet,
            format!("{}shard {k}/{n} ", self.label),
        )?;
        let simulate_seconds = t0.elapsed().as_secs_f64();
        let dir = output::create_dir(self.parent, &format!("shard-{k}-of-{n}"))?;
        let t2 = Instant::now();
        let manifest = shortfall::report::shard::Manifest::new(model, &sim, (k, n));
        output::shard::write_shard(&dir, manifest, self.toml, &sim)?;
        let threads = if self.threads == 0 {
            rayon::current_num_threads()
        } else {
            self.threads
        };
        let trials = range.end - range.start;
        let info = RunInfo {
            version: shortfall::VERSION.to_string(),
            threads,
            trials,
            simulate_seconds,
            statistics_seconds: 0.0,
            write_seconds: t2.elapsed().as_secs_f64(),
            charts_seconds: 0.0,
            total_seconds: started.elapsed().as_secs_f64(),
            trials_per_second: trials as f64 / simulate_seconds.max(1e-9),
            started_unix,
            scenario_file: self.scenario_file,
            overrides: self.overrides,
            shard: Some([k, n]),
            merged_shards: None,
            target: None,
            charts: None,
        };
        output::write_json(&dir.join(files::RUN_JSON), &info)?;
        Ok((dir, info))
    }
}
