//! `shortfall merge SHARD_DIR... --out DIR`

use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use shortfall::engine::StepSums;
use std::path::{Path, PathBuf};

use shortfall::output::shard::{Shard, check_shards, merge_shards};
use shortfall::report::{RunInfo, files, shard};
use shortfall::scenario::Model;
use shortfall::{Error, output, scenario};

use super::compare::{Entry, Finish};
use super::memory::Plan;
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
        .map_err(|e| super::pool_error(args.threads, &e))?;
    pool.install(|| merge_in_pool(args, started, started_unix))
}

fn merge_in_pool(
    args: &MergeArgs,
    started: Instant,
    started_unix: u64,
) -> anyhow::Result<ExitCode> {
    if let [one] = &args.shards[..] {
        let path = one.join(shard::GROUP_JSON);
        if path.exists() {
            return merge_group(args, one, &path, started);
        }
    }
    // Everything is checked and read before the output folder is made.
    let shards = check_shards(&args.shards)?;
    let model = model_of(&shards)?;
    let charts = if args.no_charts {
        &[][..]
    } else {
        &args.charts.format[..]
    };
    Plan::of(
        "this merge".into(),
        &model,
        model.trials,
        args.threads,
        0,
        0,
    )
    .with_charts(charts, args.charts.png_width)
    .unsplit()
    .check(args.max_memory)?;
    let sim = merge_shards(&shards, StepSums::new(&model), model.inputs.len())?;
    let read_seconds = started.elapsed().as_secs_f64();
    let written = folder::summarise_and_write(
        &args.out,
        &model.name,
        &model,
        &sim,
        &folder::Options {
            csv: args.csv,
            charts,
            canvas: args.charts.canvas(),
            titles: &args.charts.titles,
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
        statistics_seconds: written.statistics_seconds,
        write_seconds: written.write_seconds,
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
        target: None,
        charts: (!written.notes.is_empty()).then(|| written.notes.clone()),
    };
    output::write_json(&written.staged.path().join(files::RUN_JSON), &info)?;
    let summary = written.summary.clone();
    let dir = written.commit()?;
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

/// The model of checked shards, from the scenario the first one stores.
fn model_of(shards: &[Shard]) -> Result<Model, Error> {
    let stored = shards[0].dir.join(shard::files::SCENARIO_TOML);
    let model = scenario::load_model(&stored, &[])?;
    if !shards[0].manifest.matches(&model) {
        return Err(Error::BadFile {
            path: stored,
            message: "is not the scenario the shards' manifests name (its SHA-256, trials, seed or steps differ)".into(),
        });
    }
    Ok(model)
}

/// Every run of a group, with its checked shards: all are checked before
/// anything is merged or written.
/// Checks too that each run's label is a plain folder name, its shards are of
/// the scenario group.json records for it, every run has the first's trials
/// and seed, and the group's name is `prefix` followed by `name_of` the
/// first run (the name is a folder under --out).
pub fn checked_runs(
    group: &shard::Group,
    shards: &Path,
    prefix: &str,
    name_of: impl Fn(&Entry) -> String,
) -> Result<Vec<(Entry, Vec<Shard>)>, Error> {
    if group.runs.is_empty() || group.scenarios.len() != group.runs.len() {
        return Err(bad_group(
            shards,
            "its runs and their scenarios do not match",
        ));
    }
    let mut checked: Vec<(Entry, Vec<Shard>)> = Vec::with_capacity(group.runs.len());
    for (label, sha) in group.runs.iter().zip(&group.scenarios) {
        let plain = !label.is_empty()
            && label != "."
            && label != ".."
            && label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        if !plain || checked.iter().any(|(e, _)| &e.label == label) {
            return Err(bad_group(
                shards,
                &format!("run \"{label}\" is not a plain, unique folder name"),
            ));
        }
        let dirs = shard_dirs(&shards.join(label), group.shards)?;
        let list = check_shards(&dirs)?;
        if &list[0].manifest.scenario_sha256 != sha {
            return Err(Error::Usage(format!(
                "{} holds shards of another scenario than the {} ran as {label} (SHA-256 {} against {sha})",
                shards.join(label).display(),
                group.command,
                list[0].manifest.scenario_sha256
            )));
        }
        let entry = entry_of(label, &list)?;
        if let Some((first, _)) = checked.first() {
            let (a, b) = (&first.model, &entry.model);
            if a.trials != b.trials || a.seed != b.seed {
                return Err(Error::Usage(format!(
                    "run {label} has {} trials and seed {}, run {} {} and {}: the runs of a {} share their trials",
                    b.trials, b.seed, first.label, a.trials, a.seed, group.command
                )));
            }
        }
        checked.push((entry, list));
    }
    let name = format!("{prefix}{}", name_of(&checked[0].0));
    if group.name != name {
        return Err(bad_group(
            shards,
            &format!("its name is \"{}\", expected \"{name}\"", group.name),
        ));
    }
    Ok(checked)
}

/// An error about a group's group.json.
pub fn bad_group(shards: &Path, message: &str) -> Error {
    Error::BadFile {
        path: shards.join(shard::GROUP_JSON),
        message: message.to_string(),
    }
}

/// One run of a group, merged from its checked shards.
pub fn merged(entry: &Entry, shards: &[Shard]) -> Result<shortfall::engine::SimOutput, Error> {
    merge_shards(
        shards,
        StepSums::new(&entry.model),
        entry.model.inputs.len(),
    )
}

/// A run of a comparison or sweep, from its checked shards.
pub fn entry_of(label: &str, shards: &[Shard]) -> Result<Entry, Error> {
    let model = model_of(shards)?;
    let path = shards[0].dir.join(shard::files::SCENARIO_TOML);
    let toml = std::fs::read_to_string(&path).map_err(|source| Error::Read { path, source })?;
    Ok(Entry {
        label: label.to_string(),
        model,
        toml,
    })
}

/// The shard folders of one run of a group: `parent/shard-K-of-N` for the
/// group's `N` (whichever are there; the check lists the missing ones).
pub fn shard_dirs(parent: &Path, n: u64) -> Result<Vec<PathBuf>, Error> {
    let suffix = format!("-of-{n}");
    let entries = std::fs::read_dir(parent).map_err(|source| Error::Read {
        path: parent.to_path_buf(),
        source,
    })?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|f| f.to_str())
                .is_some_and(|f| f.starts_with("shard-") && f.ends_with(&suffix))
        })
        .collect();
    dirs.sort();
    if dirs.is_empty() {
        return Err(Error::Usage(format!(
            "no shards of {n} in {}",
            parent.display()
        )));
    }
    Ok(dirs)
}

/// Merges the shards of a comparison or sweep: `dir` holds its group.json.
fn merge_group(
    args: &MergeArgs,
    dir: &Path,
    path: &Path,
    started: Instant,
) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let group: shard::Group = serde_json::from_slice(&bytes).map_err(|e| Error::BadFile {
        path: path.to_path_buf(),
        message: format!("not a group of shards: {e}"),
    })?;
    if group.format != shard::GROUP_FORMAT {
        return Err(Error::BadFile {
            path: path.to_path_buf(),
            message: format!(
                "format \"{}\", expected \"{}\"",
                group.format,
                shard::GROUP_FORMAT
            ),
        }
        .into());
    }
    let out = Finish {
        csv: args.csv,
        formats: if args.no_charts {
            &[]
        } else {
            &args.charts.format
        },
        canvas: args.charts.canvas(),
        titles: &args.charts.titles,
        quiet: args.quiet,
        metric: args.metric,
        max_memory: args.max_memory,
    };
    match group.command.as_str() {
        "compare" => super::compare_shards::merge_group(&group, dir, &args.out, &out, started),
        "sweep" => super::sweep::merge_group(&group, dir, &args.out, &out, started),
        other => Err(Error::BadFile {
            path: path.to_path_buf(),
            message: format!("shards of `{other}`, which merge does not know"),
        }
        .into()),
    }
}
