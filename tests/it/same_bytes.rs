//! Results do not change unless we mean them to: every file `shortfall run`
//! writes (run.json, which holds timings, aside) for every shipped scenario
//! has the SHA-256 recorded in tests/fixtures/golden/outputs.sha256, at 1 and
//! at 2 threads. The digests were first written by the binary of 0629ad0,
//! before the architecture rework, so this test is that rework's proof of
//! "same bytes" and guards every later refactoring the same way; they have
//! been rewritten only for deliberate changes, each in CHANGELOG.md (the
//! file's header names the last).
//!
//! After a deliberate change of results (say so in CHANGELOG.md), rewrite
//! the digests with `SHORTFALL_BLESS=1 cargo test same_bytes`.

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::helpers::{root, scenario_files, shortfall};

const GOLDEN: &str = "tests/fixtures/golden/outputs.sha256";

/// The runs: (label, trials, extra flags). The long run crosses two waves of
/// chunks, so the order in which chunks are reduced is exercised; the PDF
/// run holds the PDF charts to their bytes (each thread count is its own
/// process, so a converter that numbered fonts by a hash table's order would
/// fail here).
const RUNS: [(&str, u64, &[&str]); 3] = [
    ("3000", 3000, &[]),
    ("70000", 70_000, &["--no-charts"]),
    ("pdf", 3000, &["--format", "pdf"]),
];

/// Runs every scenario of a run set into `out` and returns the digests of
/// what it wrote, keyed `LABEL/SCENARIO/FILE`.
fn digests(threads: usize, out: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for (label, trials, flags) in RUNS {
        let dir = out.join(label);
        let files = scenario_files();
        // The long run and the PDF run only for the baseline scenario.
        let files: Vec<_> = if label != "3000" {
            files
                .into_iter()
                .filter(|f| f.ends_with("japan-2024.toml"))
                .collect()
        } else {
            files
        };
        for file in files {
            shortfall()
                .arg("run")
                .arg(&file)
                .args(["--quiet", "--csv", "--trials", &trials.to_string()])
                .args(["--threads", &threads.to_string()])
                .args(flags)
                .arg("--out")
                .arg(&dir)
                .assert()
                .success();
        }
        for scenario in std::fs::read_dir(&dir).unwrap() {
            let scenario = scenario.unwrap().path();
            for f in std::fs::read_dir(&scenario).unwrap() {
                let f = f.unwrap().path();
                let name = f.file_name().unwrap().to_string_lossy().into_owned();
                if name == "run.json" {
                    continue;
                }
                let digest = Sha256::digest(std::fs::read(&f).unwrap());
                let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
                let scenario = scenario.file_name().unwrap().to_string_lossy();
                found.insert(format!("{label}/{scenario}/{name}"), hex);
            }
        }
    }
    found
}

fn golden() -> (String, BTreeMap<String, String>) {
    let text = std::fs::read_to_string(root().join(GOLDEN)).unwrap();
    let header: String = text
        .lines()
        .filter(|l| l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let map = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (hash, path) = l.split_once("  ").expect("`HASH  PATH` lines");
            (path.to_string(), hash.to_string())
        })
        .collect();
    (header, map)
}

#[test]
fn every_scenario_writes_the_recorded_bytes_at_one_and_two_threads() {
    let (header, expected) = golden();
    for threads in [1, 2] {
        let out = tempfile::tempdir().unwrap();
        let got = digests(threads, out.path());
        if std::env::var_os("SHORTFALL_BLESS").is_some() && threads == 1 {
            let body: String = got.iter().map(|(p, h)| format!("{h}  {p}\n")).collect();
            std::fs::write(root().join(GOLDEN), header.clone() + &body).unwrap();
            continue;
        }
        let mut wrong = Vec::new();
        for (path, hash) in &expected {
            match got.get(path) {
                None => wrong.push(format!("{path}: not written")),
                Some(h) if h != hash => wrong.push(format!("{path}: bytes differ")),
                Some(_) => {}
            }
        }
        for path in got.keys().filter(|p| !expected.contains_key(*p)) {
            wrong.push(format!("{path}: written, but has no recorded digest"));
        }
        assert!(
            expected.len() > 150,
            "only {} digests recorded",
            expected.len()
        );
        assert!(
            wrong.is_empty(),
            "at {threads} thread(s), {} of {} files differ from {GOLDEN}:\n{}",
            wrong.len(),
            expected.len(),
            wrong.join("\n")
        );
    }
}
