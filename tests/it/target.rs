//! `run`, `compare` and `sweep --target-se`: a run to a precision ends,
//! byte for byte, as the plain run of the trials it used, at any thread
//! count; a target it cannot reach stops at --max-trials and says so; a
//! metric that is 0 is reported, not looped on.

use std::path::Path;

use shortfall::engine::{RunOptions, simulate};
use shortfall::scenario::load_model;

use crate::helpers::{everything_off, read_json, root, shortfall};

const FILES: [&str; 3] = ["summary.json", "timeseries.csv", "trials.npy"];

/// Runs `args` into `out` (quiet, no charts) and returns the stdout.
fn run(out: &Path, args: &[&str]) -> String {
    let o = shortfall()
        .arg("run")
        .args(args)
        .args(["--quiet", "--no-charts", "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn same_files(a: &Path, b: &Path) {
    for f in FILES {
        assert!(
            std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn a_run_to_a_target_is_the_plain_run_of_its_trials_at_any_thread_count() {
    let scenario = root().join("scenarios/sakhalin2-cutoff.toml");
    let s = scenario.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut trials = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("target-{threads}"));
        let said = run(
            &out,
            &[
                s,
                "--target-se",
                "0.02",
                "--metric",
                "p_shortfall",
                "--threads",
                threads,
            ],
        );
        assert!(said.contains("target met"), "{said}");
        let info = read_json(&out.join("sakhalin2-cutoff/run.json"));
        let t = &info["target"];
        assert_eq!(t["converged"], true);
        assert!(t["waves"].as_u64().unwrap() >= 2, "{t}");
        assert!(t["relative_se"].as_f64().unwrap() <= 0.02);
        // The trials the run used, and its scenario hash, are those of --trials N.
        let n = t["trials"].as_u64().unwrap();
        assert_eq!(info["trials"].as_u64(), Some(n));
        trials.push(n);
        let plain = dir.path().join(format!("plain-{threads}"));
        run(
            &plain,
            &[s, "--trials", &n.to_string(), "--threads", threads],
        );
        same_files(
            &out.join("sakhalin2-cutoff"),
            &plain.join("sakhalin2-cutoff"),
        );
    }
    // The stopping point depends on the trials only, not on the threads.
    assert_eq!(trials[0], trials[1]);
}

#[test]
fn an_unreachable_target_stops_at_max_trials_and_says_so() {
    let scenario = root().join("scenarios/sakhalin2-cutoff.toml");
    let s = scenario.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // 40,000 is not a whole number of chunks: the last wave ends the run.
    let out = dir.path().join("target");
    let said = run(&out, &[s, "--target-se", "0.001", "--max-trials", "40000"]);
    assert!(said.contains("target NOT met"), "{said}");
    let t = &read_json(&out.join("sakhalin2-cutoff/run.json"))["target"];
    assert_eq!(t["converged"], false);
    assert_eq!(t["trials"], 40000);
    assert!(t["relative_se"].as_f64().unwrap() > 0.001);
    let plain = dir.path().join("plain");
    run(&plain, &[s, "--trials", "40000"]);
    same_files(
        &out.join("sakhalin2-cutoff"),
        &plain.join("sakhalin2-cutoff"),
    );
}

#[test]
fn a_metric_that_is_zero_is_reported_not_looped_on() {
    let scenario = root().join("scenarios/japan-2024.toml");
    let m = load_model(&scenario, &[]).unwrap();
    let mut args: Vec<String> = vec![scenario.to_str().unwrap().into()];
    for set in everything_off(&m, None) {
        args.extend(["--set".into(), set]);
    }
    args.extend(["--target-se", "0.1", "--max-trials", "70000"].map(String::from));
    let dir = tempfile::tempdir().unwrap();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let said = run(dir.path(), &args);
    assert!(said.contains("is 0 in all 70000 trials"), "{said}");
    let t = &read_json(&dir.path().join("japan-2024/run.json"))["target"];
    assert_eq!(t["converged"], false);
    assert!(t["relative_se"].is_null(), "{t}");
    // 32,768 trials, then four times as many capped at --max-trials: 2 waves.
    assert_eq!(t["waves"], 2);
    assert_eq!(t["trials"], 70000);
}

#[test]
fn the_first_chunks_of_a_longer_run_are_the_shorter_run() {
    let scenario = root().join("scenarios/japan-2024-realised.toml");
    let long = load_model(&scenario, &["simulation.trials=5000".into()]).unwrap();
    let short = load_model(&scenario, &["simulation.trials=2560".into()]).unwrap();
    let opts = |trials| RunOptions {
        threads: 2,
        trials,
        progress: None,
        cancel: None,
    };
    let mut head = simulate(&long, &opts(Some(0..1024))).unwrap();
    head.append(simulate(&long, &opts(Some(1024..2560))).unwrap())
        .unwrap();
    let head = head.into_run_of_its_trials().unwrap();
    assert_eq!(head, simulate(&short, &opts(None)).unwrap());
    // Not the first trials, or not whole chunks: refused.
    let middle = simulate(&long, &opts(Some(512..1024))).unwrap();
    assert!(middle.into_run_of_its_trials().is_err());
}

#[test]
fn the_options_of_a_target_need_one() {
    let scenario = root().join("scenarios/japan-2024.toml");
    for args in [
        vec!["--metric", "eue"],
        vec!["--max-trials", "1000"],
        vec!["--target-se", "0"],
        vec!["--target-se", "1.5"],
        vec!["--target-se", "0.01", "--shard", "0/2"],
    ] {
        let o = shortfall()
            .arg("run")
            .arg(&scenario)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn a_comparison_to_a_target_is_the_comparison_of_its_trials() {
    let scenario = root().join("scenarios/sakhalin2-cutoff.toml");
    let dir = tempfile::tempdir().unwrap();
    let compare = |out: &str, extra: &[&str]| {
        shortfall()
            .arg("compare")
            .arg(&scenario)
            .args(["--variant", "flex12:substitute.us_flex.capacity=12"])
            .args(extra)
            .args(["--quiet", "--no-charts", "--out"])
            .arg(dir.path().join(out))
            .output()
            .unwrap()
    };
    let o = compare("target", &["--target-se", "0.05", "--max-trials", "400000"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("target met"));
    let folder = dir.path().join("target/compare-sakhalin2-cutoff");
    let t = read_json(&folder.join("target.json"));
    assert_eq!(t["converged"], true);
    assert!(t["waves"].as_u64().unwrap() >= 2, "{t}");
    let n = t["trials"].as_u64().unwrap().to_string();
    let o = compare("plain", &["--trials", &n]);
    assert!(o.status.success());
    let plain = dir.path().join("plain/compare-sakhalin2-cutoff");
    for f in ["comparison.json", "comparison.csv", "flex12/trials.npy"] {
        assert!(
            std::fs::read(folder.join(f)).unwrap() == std::fs::read(plain.join(f)).unwrap(),
            "{f} differs"
        );
    }
    // A quantile's paired SE comes from a bootstrap: refused.
    let o = compare("p95", &["--target-se", "0.05", "--metric", "p95"]);
    assert_eq!(o.status.code(), Some(2));
    // A paired SE needs two trials: a single one is refused, not a panic.
    let o = compare("one", &["--target-se", "0.05", "--max-trials", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
}

#[test]
fn a_sweep_to_a_target_is_the_sweep_of_its_trials_at_any_thread_count() {
    let scenario = root().join("scenarios/sakhalin2-cutoff.toml");
    let dir = tempfile::tempdir().unwrap();
    let sweep = |out: &str, extra: &[&str]| {
        shortfall()
            .arg("sweep")
            .arg(&scenario)
            .args(["--set", "substitute.us_flex.capacity=6,9,12"])
            .args(extra)
            .args(["--quiet", "--no-charts", "--out"])
            .arg(dir.path().join(out))
            .output()
            .unwrap()
    };
    let target = ["--target-se", "0.05", "--max-trials", "400000"];
    let o = sweep("t1", &[&target[..], &["--threads", "1"]].concat());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("target met"));
    let folder = |out: &str| dir.path().join(out).join("sweep-sakhalin2-cutoff");
    let t = read_json(&folder("t1").join("target.json"));
    assert_eq!(t["converged"], true);
    assert!(t["waves"].as_u64().unwrap() >= 2, "{t}");
    assert!(t["relative_se"].as_f64().unwrap() <= 0.05, "{t}");
    let n = t["trials"].as_u64().unwrap().to_string();
    let o = sweep("t2", &[&target[..], &["--threads", "2"]].concat());
    assert!(o.status.success());
    let o = sweep("plain", &["--trials", &n]);
    assert!(o.status.success());
    let plain = std::fs::read(folder("plain").join("sweep.csv")).unwrap();
    for out in ["t1", "t2"] {
        assert!(
            std::fs::read(folder(out).join("sweep.csv")).unwrap() == plain,
            "sweep.csv of {out} differs from --trials {n}"
        );
        assert!(read_json(&folder(out).join("target.json")) == t);
    }
    // A plain sweep into the same folder leaves no stale target.json.
    let o = sweep("t1", &["--trials", "1000"]);
    assert!(o.status.success());
    assert!(!folder("t1").join("target.json").exists());
    // A quantile's paired SE comes from a bootstrap: refused; so is a
    // target with shards.
    let o = sweep("p95", &["--target-se", "0.05", "--metric", "p95"]);
    assert_eq!(o.status.code(), Some(2));
    let o = sweep("sh", &["--target-se", "0.05", "--shard", "0/2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
}
