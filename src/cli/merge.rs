//! `shortfall merge SHARD_DIR... --out DIR`

use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use shortfall::engine::StepSums;
use shortfall::output::shard::{check_shards, merge_shards};
use shortfall::report::{RunInfo, files, shard, summarise};
use shortfall::{Error, output, scenario};

use super::{MergeArgs, folder, terminal};

/// Checks the shards, merges them and writes the files of the whole run.
pub fn merge(args: &MergeArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let started_unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()
        .map_err(|e| Error::Resources {
            what: format!("cannot start {} threads: {e}", args.threads),
            advice: "use fewer --threads".into(),
        })?;
    pool.install(|| merge_in_pool(args, started, started_unix))
}

fn merge_in_pool(
    args: &MergeArgs,
    started: Instant,
    started_unix: u64,
) -> anyhow::Result<ExitCode> {
    // Everything is checked and read before the output folder is made.
    let shards = check_shards(&args.shards)?;
    let stored = shards[0].dir.join(shard::files::SCENARIO_TOML);
    let model = scenario::load_model(&stored, &[])?;
    if !shards[0].manifest.matches(&model) {
        return Err(Error::BadFile {
            path: stored,
            message: "is not the scenario the shards' manifests name (its SHA-256, trials, seed or steps differ)".into(),
        }
        .into());
    }
    let sim = merge_shards(&shards, StepSums::new(&model), model.inputs.len())?;
    let read_seconds = started.elapsed().as_secs_f64();

    let t1 = Instant::now();
    let summary = summarise(&model, &sim);
    let statistics_seconds = t1.elapsed().as_secs_f64();
    let charts = if args.no_charts {
        &[][..]
    } else {
        &args.charts.format[..]
    };
    let t2 = Instant::now();
    let dir = output::create_dir(&args.out, &model.name)?;
    let written = folder::write(
        &dir,
        &model,
        &sim,
        &summary,
        &folder::Options {
            csv: args.csv,
            charts,
            png_width: args.charts.png_width,
        },
    )?;
    // The shards' own simulation time, where their run.json gives it.
    let simulate_seconds: f64 = shards
        .iter()
        .filter_map(|s| std::fs::read(s.dir.join(files::RUN_JSON)).ok())
        .filter_map(|b| serde_json::from_slice::<RunInfo>(&b).ok())
        .map(|r| r.simulate_seconds)
        .sum();
    let info = RunInfo {
        version: shortfall::VERSION.to_string(),
        threads: rayon::current_num_threads(),
        trials: model.trials,
        simulate_seconds,
        statistics_seconds,
        write_seconds: t2.elapsed().as_secs_f64(),
        charts_seconds: written.charts_seconds,
        total_seconds: started.elapsed().as_secs_f64(),
        trials_per_second: model.trials as f64 / simulate_seconds.max(1e-9),
        started_unix,
        scenario_file: shards[0]
            .dir
            .join(shard::files::SCENARIO_TOML)
            .display()
            .to_string(),
        overrides: Vec::new(),
        shard: None,
        merged_shards: Some(shards.len() as u64),
    };
    output::write_json(&dir.join(files::RUN_JSON), &info)?;
    if !args.quiet {
        print!("{}", terminal::render(&summary));
        println!(
            "  merged {} shards in {:.1} s (read {read_seconds:.1} s); wrote {}",
            shards.len(),
            started.elapsed().as_secs_f64(),
            dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
