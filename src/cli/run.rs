//! `shortfall run SCENARIO`

use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use shortfall::report::{RunInfo, files, summarise};
use shortfall::{output, scenario};

use super::{RunArgs, folder, progress, terminal};

/// Loads, runs, summarises and writes one scenario.
pub fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
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
    let model = scenario::load_model(&args.scenario, &sets)?;

    let t0 = Instant::now();
    let sim = progress::simulate_with_bar(
        &model,
        args.common.threads,
        args.common.quiet,
        String::new(),
    )?;
    let simulate_seconds = t0.elapsed().as_secs_f64();

    let t1 = Instant::now();
    let summary = summarise(&model, &sim);
    let statistics_seconds = t1.elapsed().as_secs_f64();

    let t2 = Instant::now();
    let dir = output::create_dir(&args.common.out, &model.name)?;
    let written = folder::write(
        &dir,
        &model,
        &sim,
        &summary,
        &folder::Options {
            csv: args.csv,
            charts,
            png_width: args.common.charts.png_width,
        },
    )?;
    let write_seconds = t2.elapsed().as_secs_f64();
    let mut files = written.files;
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
        statistics_seconds,
        write_seconds,
        charts_seconds: written.charts_seconds,
        total_seconds: started.elapsed().as_secs_f64(),
        trials_per_second: model.trials as f64 / simulate_seconds.max(1e-9),
        started_unix,
        scenario_file: args.scenario.display().to_string(),
        overrides: sets,
    };
    let run_json = dir.join(files::RUN_JSON);
    output::write_json(&run_json, &info)?;
    files.push(run_json);

    if !args.common.quiet {
        print!("{}", terminal::render(&summary));
        println!(
            "  {:.0} trials/s on {threads} threads; wrote {}",
            info.trials_per_second,
            dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
