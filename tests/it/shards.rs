//! Scale-out: `shortfall run --shard K/N` and `shortfall merge`. A merged
//! run writes exactly the bytes of a run in one piece, for any number of
//! shards and threads; a merge that cannot be exact refuses, exit 2, and
//! writes nothing.

use std::path::{Path, PathBuf};

use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use shortfall::scenario::{canonical_toml, load, load_model};

use crate::helpers::{root, scenario_file, scenario_files, shortfall};

/// The scenario a shard stores is the run's scenario: loading it gives the
/// same hash, for every shipped scenario, with and without `--set`.
#[test]
fn the_stored_scenario_loads_to_the_same_hash() {
    let mut cases: Vec<(std::path::PathBuf, Vec<String>)> =
        scenario_files().into_iter().map(|f| (f, vec![])).collect();
    cases.push((
        root().join("scenarios/japan-2024.toml"),
        vec![
            "substitute.us_flex.capacity=12".into(),
            "event.hormuz.enabled=false".into(),
            "simulation.trials=777".into(),
        ],
    ));
    cases.push((root().join("tests/fixtures/small.toml"), vec![]));
    for (file, sets) in cases {
        let s = load(&file, &sets).unwrap();
        let text = canonical_toml(&s).unwrap();
        let stored = scenario_file(&text);
        let again = load_model(stored.path(), &[]).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let first = load_model(&file, &sets).unwrap();
        assert_eq!(
            again.scenario_sha256,
            first.scenario_sha256,
            "{}",
            file.display()
        );
    }
}

/// The small scenario with drawn inputs (so that inputs.npy is written) and
/// 9,000 trials: 18 chunks of 512.
const SETS: [&str; 3] = [
    "substitute.spot.capacity={dist=\"uniform\",min=4,max=12}",
    "supplier.b.transit_days={dist=\"empirical\",values=[1,6],weights=[0.5,0.5]}",
    "simulation.trials=9000",
];

fn with_sets(cmd: &mut assert_cmd::Command, sets: &[&str]) {
    for s in sets {
        cmd.arg("--set").arg(s);
    }
}

/// Runs shard `k` of `n` of the small scenario into `out` with extra args.
fn shard(out: &Path, k: u64, n: u64, threads: &str, extra: &[&str]) {
    let mut cmd = shortfall();
    cmd.args([
        "run",
        "tests/fixtures/small.toml",
        "--quiet",
        "--threads",
        threads,
    ])
    .arg("--shard")
    .arg(format!("{k}/{n}"))
    .arg("--out")
    .arg(out);
    with_sets(&mut cmd, &SETS);
    cmd.args(extra).assert().success();
}

fn shard_dirs(out: &Path, n: u64) -> Vec<PathBuf> {
    (0..n)
        .map(|k| out.join(format!("small/shard-{k}-of-{n}")))
        .collect()
}

const COMPARED: [&str; 7] = [
    "summary.json",
    "timeseries.csv",
    "trials.npy",
    "inputs.npy",
    "summary.md",
    "exceedance.svg",
    "storage_fan.svg",
];

/// A merge of N shards, for N = 1, 2, 3, 7 and 16 (some of them empty: 18
/// chunks), run on 1 or 2 threads and given in any order, writes the bytes
/// of the run in one piece: summary.json, timeseries.csv, trials.npy,
/// inputs.npy, summary.md and the charts.
#[test]
fn merged_shards_write_the_bytes_of_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    let single = tmp.path().join("single");
    let mut cmd = shortfall();
    cmd.args([
        "run",
        "tests/fixtures/small.toml",
        "--quiet",
        "--format",
        "svg",
        "--out",
    ])
    .arg(&single);
    with_sets(&mut cmd, &SETS);
    cmd.assert().success();
    for n in [1u64, 2, 3, 7, 16] {
        let out = tmp.path().join(format!("n{n}"));
        for k in 0..n {
            shard(&out, k, n, if k % 2 == 0 { "1" } else { "2" }, &[]);
        }
        let mut dirs = shard_dirs(&out, n);
        dirs.reverse();
        let merged = tmp.path().join(format!("merged{n}"));
        shortfall()
            .args(["merge", "--quiet", "--format", "svg", "--out"])
            .arg(&merged)
            .args(&dirs)
            .assert()
            .success();
        for f in COMPARED {
            let a = std::fs::read(single.join("small").join(f)).unwrap();
            let b = std::fs::read(merged.join("small").join(f)).unwrap();
            assert!(a == b, "{f} differs after merging {n} shards");
        }
        let info = crate::helpers::read_json(&merged.join("small/run.json"));
        assert_eq!(info["merged_shards"], n);
    }
}

/// Runs `shortfall merge DIRS` expecting exit 2 with `message` on stderr
/// and no output folder.
fn refused(dirs: &[PathBuf], message: &str) {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("merged");
    shortfall()
        .args(["merge", "--quiet", "--out"])
        .arg(&target)
        .args(dirs)
        .assert()
        .code(2)
        .stderr(contains(message))
        .stderr(contains("panicked").not());
    assert!(
        !target.exists(),
        "a refused merge wrote {}",
        target.display()
    );
}

/// Shards that cannot merge exactly are refused, exit 2, nothing written:
/// a missing shard, an overlap, another scenario, seed, trial count or
/// shard count, another version or chunk size, a damaged or missing file.
#[test]
fn shards_that_do_not_make_one_run_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("base");
    for k in 0..3 {
        shard(&base, k, 3, "2", &[]);
    }
    let dirs = shard_dirs(&base, 3);
    let other = |name: &str, k: u64, n: u64, extra: &[&str]| {
        let out = tmp.path().join(name);
        shard(&out, k, n, "2", extra);
        out.join(format!("small/shard-{k}-of-{n}"))
    };

    refused(&dirs[..2], "shards missing from the 3 of small");
    refused(
        &[
            dirs[0].clone(),
            dirs[1].clone(),
            dirs[1].clone(),
            dirs[2].clone(),
        ],
        "both shard 1 of 3: they overlap",
    );
    let scenario = other("scenario", 2, 3, &["--set", "storage.capacity=2.5"]);
    refused(
        &[dirs[0].clone(), dirs[1].clone(), scenario],
        "their scenario (SHA-256 after extends and --set) differs",
    );
    let seed = other("seed", 2, 3, &["--seed", "8"]);
    refused(
        &[dirs[0].clone(), dirs[1].clone(), seed],
        "their seed differs",
    );
    let trials = other("trials", 2, 3, &["--trials", "9001"]);
    refused(
        &[dirs[0].clone(), dirs[1].clone(), trials],
        "their trial count differs",
    );
    let count = other("count", 2, 4, &[]);
    refused(
        &[dirs[0].clone(), dirs[1].clone(), count],
        "their shard count differs",
    );
    refused(&[tmp.path().to_path_buf()], "manifest.json");

    // Edited manifests and damaged files, each in a copy of the shards.
    let edit = |name: &str, change: &dyn Fn(&Path)| -> Vec<PathBuf> {
        let copy = tmp.path().join(name);
        let mut out = Vec::new();
        for d in &dirs {
            let to = copy.join(d.file_name().unwrap());
            std::fs::create_dir_all(&to).unwrap();
            for f in std::fs::read_dir(d).unwrap() {
                let f = f.unwrap().path();
                std::fs::copy(&f, to.join(f.file_name().unwrap())).unwrap();
            }
            out.push(to);
        }
        change(&out[1]);
        out
    };
    let manifest = |dir: &Path, from: &str, to: &str| {
        let p = dir.join("manifest.json");
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{from}");
        std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
    };
    refused(
        &edit("version", &|d| {
            manifest(d, "\"version\": \"", "\"version\": \"0.0.")
        }),
        "merge with the version that ran the shards",
    );
    // A header that claims a huge table is never believed (the hash first).
    refused(
        &edit("header", &|d| {
            let p = d.join("trials.npy");
            let bytes = std::fs::read(&p).unwrap();
            let find =
                |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
            let start = find(&bytes, b"'shape': (").unwrap() + 10;
            let end = start + find(&bytes[start..], b")").unwrap();
            let huge = b"99999999999999, 13";
            let pad = huge.len() - (end - start);
            let newline = find(&bytes, b"\n").unwrap();
            let mut header = bytes[..start].to_vec();
            header.extend_from_slice(huge);
            header.extend_from_slice(&bytes[end..newline - pad]);
            header.push(b'\n');
            assert_eq!(header.len(), newline + 1);
            let mut out = header;
            out.extend_from_slice(&bytes[newline + 1..]);
            std::fs::write(&p, out).unwrap();
        }),
        "damaged: its SHA-256 is",
    );
    refused(
        &edit("no-shards", &|d| {
            manifest(d, "\"shards\": 3", "\"shards\": 0")
        }),
        "shards; a run has 1 to 1000000",
    );
    refused(
        &edit("chunk", &|d| {
            manifest(d, "\"chunk_size\": 512", "\"chunk_size\": 1024")
        }),
        "their chunk size differs",
    );
    refused(
        &edit("damaged", &|d| {
            let p = d.join("trials.npy");
            let mut bytes = std::fs::read(&p).unwrap();
            let at = bytes.len() - 5;
            bytes[at] ^= 1;
            std::fs::write(&p, bytes).unwrap();
        }),
        "damaged: its SHA-256 is",
    );
    refused(
        &edit("gone", &|d| {
            std::fs::remove_file(d.join("sums.npy")).unwrap()
        }),
        "sums.npy",
    );
    refused(
        &edit("garbled", &|d| {
            std::fs::write(d.join("manifest.json"), "{ not json").unwrap()
        }),
        "not a shard manifest",
    );
}

/// `--shard` checks its argument and refuses what belongs to the merge.
#[test]
fn bad_shard_arguments_are_usage_errors() {
    let out = tempfile::tempdir().unwrap();
    for bad in ["3/3", "1/0", "x/2", "2", "1/2/3"] {
        shortfall()
            .args([
                "run",
                "tests/fixtures/small.toml",
                "--quiet",
                "--shard",
                bad,
                "--out",
            ])
            .arg(out.path())
            .assert()
            .code(2)
            .stderr(contains("K/N"));
    }
    shortfall()
        .args([
            "run",
            "tests/fixtures/small.toml",
            "--quiet",
            "--csv",
            "--shard",
            "0/2",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(contains("give it to `shortfall merge`"));
    assert!(
        std::fs::read_dir(out.path()).unwrap().next().is_none(),
        "nothing written"
    );
}

/// Every file under `dir`, relative to it, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// Asserts that two results folders hold the same files with the same
/// bytes (run.json, which holds timings, aside).
fn same_folders(a: &Path, b: &Path) {
    let (fa, fb) = (files_under(a), files_under(b));
    assert_eq!(fa, fb, "the same files");
    for f in fa.iter().filter(|f| !f.ends_with("run.json")) {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        assert!(x == y, "{} differs", f.display());
    }
}

/// `compare --shard` and `sweep --shard` (each shard on its own thread
/// count) merged with `merge OUT/NAME/shards` write what the command writes
/// in one piece: every run's folder, comparison.json and .csv, sweep.csv and
/// the charts.
#[test]
fn sharded_comparisons_and_sweeps_merge_to_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: [(&str, Vec<&str>); 2] = [
        (
            "compare-small",
            vec![
                "compare",
                "tests/fixtures/small.toml",
                "--variant",
                "less-sbl:substitute.sbl.volume=0.1",
                "--variant",
                "more-spot:substitute.spot.capacity=8,storage.capacity=2",
            ],
        ),
        (
            "sweep-small",
            vec![
                "sweep",
                "tests/fixtures/small.toml",
                "--set",
                "substitute.sbl.volume=0.1,0.3",
                "--set",
                "storage.capacity=1..2:0.5",
            ],
        ),
    ];
    for (name, args) in cases {
        let common = ["--trials", "2600", "--quiet", "--format", "svg", "--out"];
        let whole = tmp.path().join(format!("{name}-whole"));
        shortfall()
            .args(&args)
            .args(common)
            .arg(&whole)
            .assert()
            .success();
        let parts = tmp.path().join(format!("{name}-parts"));
        for k in 0..3 {
            shortfall()
                .args(&args)
                .args(common)
                .arg(&parts)
                .args([
                    "--shard",
                    &format!("{k}/3"),
                    "--threads",
                    if k == 1 { "1" } else { "2" },
                ])
                .assert()
                .success();
        }
        let merged = tmp.path().join(format!("{name}-merged"));
        shortfall()
            .args(["merge", "--quiet", "--format", "svg", "--out"])
            .arg(&merged)
            .arg(parts.join(name).join("shards"))
            .assert()
            .success();
        same_folders(&whole.join(name), &merged.join(name));

        // A run's shards copied in from another comparison or sweep (another
        // seed) and a group.json whose name points elsewhere: refused.
        let shards = parts.join(name).join("shards");
        let other = tmp.path().join(format!("{name}-other"));
        for k in 0..3 {
            shortfall()
                .args(&args)
                .args(common)
                .arg(&other)
                .args(["--seed", "99", "--shard", &format!("{k}/3")])
                .assert()
                .success();
        }
        let run = if name.starts_with("compare") {
            "less-sbl"
        } else {
            "point-2"
        };
        let saved = tmp.path().join(format!("{name}-saved"));
        std::fs::rename(shards.join(run), &saved).unwrap();
        std::fs::rename(other.join(name).join("shards").join(run), shards.join(run)).unwrap();
        refused(
            std::slice::from_ref(&shards),
            "holds shards of another scenario",
        );
        std::fs::remove_dir_all(shards.join(run)).unwrap();
        std::fs::rename(&saved, shards.join(run)).unwrap();
        let group = shards.join("group.json");
        let text = std::fs::read_to_string(&group).unwrap();
        std::fs::write(
            &group,
            text.replacen(&format!("\"{name}\""), "\"/tmp/elsewhere\"", 1),
        )
        .unwrap();
        refused(
            std::slice::from_ref(&shards),
            "its name is \"/tmp/elsewhere\"",
        );
        std::fs::write(&group, text).unwrap();

        // A damaged table in a later run: found before anything is written.
        let table = shards.join(run).join("shard-2-of-3").join("trials.npy");
        let good = std::fs::read(&table).unwrap();
        let mut bad = good.clone();
        let at = bad.len() - 3;
        bad[at] ^= 1;
        std::fs::write(&table, bad).unwrap();
        refused(std::slice::from_ref(&shards), "damaged: its SHA-256 is");
        std::fs::write(&table, good).unwrap();

        // One run's shard missing: refused, nothing written.
        let gone = parts
            .join(name)
            .join("shards")
            .join(if name.starts_with("compare") {
                "less-sbl/shard-1-of-3"
            } else {
                "point-2/shard-1-of-3"
            });
        std::fs::remove_dir_all(&gone).unwrap();
        refused(
            &[parts.join(name).join("shards")],
            "shards missing from the 3",
        );
    }
}
