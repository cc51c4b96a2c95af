//! `--max-memory`: a run whose estimated memory is above the limit is
//! refused before it simulates (exit code 2, nothing written), with a
//! number of trials that fits, and that number does fit.

use crate::helpers::shortfall;

/// The `--trials N` the refusal suggests.
fn suggested_trials(err: &str) -> u64 {
    let at = err.find("(--trials ").expect("a --trials suggestion") + "(--trials ".len();
    err[at..]
        .split(')')
        .next()
        .unwrap()
        .parse()
        .expect("a number of trials")
}

#[test]
fn a_run_above_max_memory_is_refused_before_it_simulates() {
    let out = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    // 100 million trials would take many minutes to simulate and about
    // 18 GB: the refusal comes at once.
    let o = shortfall()
        .args([
            "run",
            "tests/fixtures/small.toml",
            "--trials",
            "100000000",
            "--max-memory",
            "64M",
            "--no-charts",
            "--quiet",
            "--out",
        ])
        .arg(out.path().join("out"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(started.elapsed().as_secs() < 20, "it simulated first");
    assert!(err.contains("needs about"), "{err}");
    assert!(err.contains("--max-memory 64 MiB"), "{err}");
    assert!(err.contains("--shard K/"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.path().join("out").exists(), "a refused run wrote");

    // The trials it suggests fit, under the same limit.
    let n = suggested_trials(&err);
    assert!((100_000..100_000_000).contains(&n), "{n}");
    shortfall()
        .args(["run", "tests/fixtures/small.toml", "--trials"])
        .arg(n.to_string())
        .args(["--max-memory", "64M", "--no-charts", "--quiet", "--out"])
        .arg(out.path().join("out"))
        .assert()
        .success();
    // A tenth more does not.
    shortfall()
        .args(["run", "tests/fixtures/small.toml", "--trials"])
        .arg((n + n / 10).to_string())
        .args(["--max-memory", "64M", "--no-charts", "--quiet", "--out"])
        .arg(out.path().join("other"))
        .assert()
        .code(2);
}

#[test]
fn compare_sweep_and_merge_check_max_memory_too() {
    let out = tempfile::tempdir().unwrap();
    let small = "tests/fixtures/small.toml";
    for args in [
        &[
            "compare",
            small,
            "--variant",
            "more:substitute.spot.capacity=10",
            "--trials",
            "2000",
        ][..],
        &[
            "sweep",
            small,
            "--set",
            "substitute.spot.capacity=4,8",
            "--trials",
            "2000",
        ][..],
        &["tornado", small, "--trials", "2000"][..],
    ] {
        let o = shortfall()
            .args(args)
            .args(["--max-memory", "1M", "--quiet", "--out"])
            .arg(out.path())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("needs about"), "{err}");
        // Above the estimate it runs.
        shortfall()
            .args(args)
            .args(["--max-memory", "2G", "--quiet", "--no-charts", "--out"])
            .arg(out.path())
            .assert()
            .success();
    }
    let shards = out.path().join("shards");
    shortfall()
        .args([
            "run", small, "--trials", "2000", "--shard", "0/1", "--quiet", "--out",
        ])
        .arg(&shards)
        .assert()
        .success();
    let o = shortfall()
        .arg("merge")
        .arg(shards.join("small/shard-0-of-1"))
        .args(["--max-memory", "1M", "--quiet", "--out"])
        .arg(out.path().join("merged"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.path().join("merged").exists());
}

#[test]
fn a_bad_size_is_a_usage_error() {
    for bad in ["lots", "-1G", "0"] {
        shortfall()
            .args(["run", "tests/fixtures/small.toml", "--max-memory", bad])
            .assert()
            .code(2);
    }
}

/// Run to a precision, a sweep keeps every point's table up to
/// --max-trials: 4 points × 50,000,000 trials of small.toml (13 columns)
/// need over 20 GB, far above 2G, though one point's 2,000 would fit.
#[test]
fn a_sweep_to_a_target_is_estimated_at_its_most_trials() {
    let out = tempfile::tempdir().unwrap();
    let o = shortfall()
        .args(["sweep", "tests/fixtures/small.toml"])
        .args([
            "--set",
            "substitute.spot.capacity=2,4,6,8",
            "--trials",
            "2000",
        ])
        .args(["--target-se", "0.001", "--max-trials", "50000000"])
        .args(["--max-memory", "2G", "--quiet", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("needs about"), "{err}");
    assert!(std::fs::read_dir(out.path()).unwrap().next().is_none());
}
