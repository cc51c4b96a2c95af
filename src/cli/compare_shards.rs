//! `compare --shard K/N` and the merge of a comparison's shards; the
//! group.json that a sharded comparison or sweep writes beside its runs'
//! shards.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use shortfall::report::shard::{GROUP_FORMAT, GROUP_JSON, Group};
use shortfall::{Error, output};

use super::compare::{Entry, Finish, Runs};
use super::run::ShardRun;
use super::{CompareArgs, ShardArg};

/// `compare --shard K/N`: shard K of every run, into
/// OUT/compare-NAME/shards/LABEL/shard-K-of-N/, with the group's group.json.
pub fn run_shard(
    args: &CompareArgs,
    entries: &[Entry],
    shard: ShardArg,
) -> anyhow::Result<ExitCode> {
    if args.csv {
        return Err(Error::Usage(
            "--csv is for the merged comparison: give it to `shortfall merge`".into(),
        )
        .into());
    }
    let name = format!("compare-{}", entries[0].label);
    let shards = args.common.out.join(&name).join("shards");
    write_group(
        &shards,
        &Group {
            format: GROUP_FORMAT.into(),
            command: "compare".into(),
            name,
            runs: entries.iter().map(|e| e.label.clone()).collect(),
            scenarios: entries
                .iter()
                .map(|e| e.model.scenario_sha256.clone())
                .collect(),
            shards: shard.n,
            details: serde_json::Value::Null,
        },
    )?;
    for (i, e) in entries.iter().enumerate() {
        ShardRun {
            parent: &shards.join(&e.label),
            model: &e.model,
            toml: &e.toml,
            shard,
            threads: args.common.threads,
            quiet: args.common.quiet,
            label: format!("{} ({}/{}) ", e.label, i + 1, entries.len()),
            scenario_file: String::new(),
            overrides: Vec::new(),
        }
        .run()?;
    }
    if !args.common.quiet {
        println!(
            "shard {} of {} of {} runs; wrote {}",
            shard.k,
            shard.n,
            entries.len(),
            shards.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes a group's group.json into `dir` (every shard writes the same
/// bytes), refusing a folder that holds another group's shards.
pub fn write_group(dir: &Path, group: &Group) -> Result<(), Error> {
    let path = dir.join(GROUP_JSON);
    if let Ok(bytes) = std::fs::read(&path)
        && let Ok(old) = serde_json::from_slice::<Group>(&bytes)
        && old != *group
    {
        return Err(Error::Usage(format!(
            "{} holds the shards of another {} (other runs or shard count): give another --out",
            dir.display(),
            old.command
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
    output::write_json(&path, group)
}

/// Merges the shards of a comparison (`compare --shard`, the group in
/// `shards`) into OUT/compare-NAME/, as `compare` writes it in one piece.
pub fn merge_group(
    group: &Group,
    shards: &Path,
    out_dir: &Path,
    out: &Finish<'_>,
    started: Instant,
) -> anyhow::Result<ExitCode> {
    // Every run's shards are checked, and every run merged (which checks
    // the big tables' hashes), before anything is written.
    let checked =
        super::merge::checked_runs(group, shards, "compare-", |e: &Entry| e.label.clone())?;
    if checked.len() < 2 {
        return Err(super::merge::bad_group(shards, "a comparison has at least two runs").into());
    }
    let models: Vec<&shortfall::scenario::Model> = checked.iter().map(|(e, _)| &e.model).collect();
    super::compare::plan(
        format!("this comparison ({} runs)", models.len()),
        &models,
        models[0].trials,
        0,
    )
    .unsplit()
    .check(out.max_memory)?;
    let mut sims = Vec::with_capacity(checked.len());
    for (entry, list) in &checked {
        sims.push(super::merge::merged(entry, list)?);
    }
    let entries: Vec<Entry> = checked.into_iter().map(|(e, _)| e).collect();
    let mut runs = Runs::start(out_dir, &group.name)?;
    for (entry, sim) in entries.iter().zip(sims) {
        runs.add(entry, sim, out)?;
    }
    runs.finish(&entries, out, started, |_| Ok(()))
}
