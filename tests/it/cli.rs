//! The `shortfall` binary end to end: the files a run writes and their
//! contract (names and shapes from SCENARIO.md), flags, and exit codes.

use std::path::Path;

use ndarray::Array2;
use ndarray_npy::ReadNpyExt;
use predicates::str::contains;

use crate::helpers::{COLUMNS, read_json, scenario_files, shortfall};

/// Runs the small fixture, 3,000 trials, into `out`.
pub fn run_small(out: &Path, extra: &[&str]) {
    shortfall()
        .args([
            "run",
            "tests/fixtures/small.toml",
            "--trials",
            "3000",
            "--quiet",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

#[test]
fn run_writes_the_contracted_files() {
    let out = tempfile::tempdir().unwrap();
    run_small(out.path(), &["--csv"]);
    let dir = out.path().join("small");
    for f in [
        "summary.json",
        "run.json",
        "timeseries.csv",
        "trials.npy",
        "trials.csv",
        "summary.md",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");

    let s = read_json(&dir.join("summary.json"));
    for key in [
        "scenario",
        "seed",
        "trials",
        "version",
        "scenario_sha256",
        "metrics",
        "columns",
    ] {
        assert!(s.get(key).is_some(), "summary.json lacks {key}");
    }
    assert_eq!(s["scenario"], "small");
    assert_eq!(s["trials"], 3000);
    assert_eq!(s["seed"], 7);
    assert_eq!(s["scenario_sha256"].as_str().unwrap().len(), 64);
    let cols: Vec<&str> = s["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(cols, COLUMNS);
    for c in COLUMNS {
        let m = &s["metrics"][c];
        for stat in [
            "mean", "se", "std", "min", "max", "p50", "p90", "p95", "p99", "p999", "cvar95",
            "cvar99",
        ] {
            assert!(m[stat].is_number(), "metrics.{c}.{stat} missing");
        }
        assert!(m["p95_ci"].as_array().is_some_and(|a| a.len() == 2));
    }
    let m = &s["metrics"];
    assert!(
        m["shortfall_probability"]["mean"].is_number()
            && m["shortfall_probability"]["se"].is_number()
    );
    for k in ["lole", "eue", "neue_ppm"] {
        assert!(m[k].is_number(), "metrics.{k} missing");
    }
    assert_eq!(m["eue"], m["shortfall"]["mean"]);
    assert_eq!(m["lole"], m["shortfall_steps"]["mean"]);

    let ts = std::fs::read_to_string(dir.join("timeseries.csv")).unwrap();
    let header = ts.lines().next().unwrap();
    assert!(header.starts_with(
        "step,date,demand_mean,supply_mean,lost_mean,substitute_mean,shortfall_mean,shortfall_prob,storage_p05,storage_p25,storage_p50,storage_p75,storage_p95"
    ));
    assert_eq!(ts.lines().count(), 366);
    assert!(ts.lines().nth(1).unwrap().starts_with("0,2024-01-01,"));

    let table =
        Array2::<f64>::read_npy(std::fs::File::open(dir.join("trials.npy")).unwrap()).unwrap();
    assert_eq!(table.dim(), (3000, 13));
    let csv = std::fs::read_to_string(dir.join("trials.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3001);
    assert_eq!(
        csv.lines().next().unwrap(),
        format!("trial,{}", COLUMNS.join(","))
    );

    let run = read_json(&dir.join("run.json"));
    assert!(run["trials_per_second"].as_f64().unwrap() > 0.0);
}

#[test]
fn summary_is_independent_of_threads_and_time() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run_small(a.path(), &["--threads", "1"]);
    run_small(b.path(), &["--threads", "3"]);
    for f in ["summary.json", "timeseries.csv", "trials.npy", "summary.md"] {
        let x = std::fs::read(a.path().join("small").join(f)).unwrap();
        let y = std::fs::read(b.path().join("small").join(f)).unwrap();
        assert!(x == y, "{f} differs");
    }
}

#[test]
fn set_and_seed_change_the_scenario_hash() {
    let read = |dir: &Path| read_json(&dir.join("small/summary.json"));
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    run_small(a.path(), &[]);
    run_small(b.path(), &["--set", "storage.capacity=2.0"]);
    run_small(c.path(), &["--seed", "8"]);
    let (x, y, z) = (read(a.path()), read(b.path()), read(c.path()));
    assert_ne!(x["scenario_sha256"], y["scenario_sha256"]);
    assert_ne!(x["scenario_sha256"], z["scenario_sha256"]);
    assert_eq!(z["seed"], 8);
    assert_ne!(x["metrics"]["shortfall"], y["metrics"]["shortfall"]);
    // A --set that changes nothing keeps the hash; a --set hashes as the
    // same value written in the file does.
    let (d, e) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run_small(d.path(), &["--set", "storage.capacity=1.0"]);
    assert_eq!(read(d.path())["scenario_sha256"], x["scenario_sha256"]);
    let text = std::fs::read_to_string(crate::helpers::root().join("tests/fixtures/small.toml"))
        .unwrap()
        .replace("capacity = 1.0\n", "capacity = 2.0\n");
    let edited = crate::helpers::scenario_file(&text);
    shortfall()
        .args(["run", "--trials", "3000", "--quiet", "--out"])
        .arg(e.path())
        .arg(edited.path())
        .assert()
        .success();
    let w = read(e.path());
    assert_eq!(w["scenario_sha256"], y["scenario_sha256"]);
    assert_eq!(w["metrics"], y["metrics"]);
}

#[test]
fn terminal_table_names_the_headline_figures() {
    let out = tempfile::tempdir().unwrap();
    shortfall()
        .args([
            "run",
            "tests/fixtures/small.toml",
            "--trials",
            "2000",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success()
        .stdout(contains("P(shortfall > 0)"))
        .stdout(contains("EUE (Mt)"))
        .stdout(contains("P95 shortfall (Mt)"))
        .stdout(contains("95% CI"))
        .stdout(contains("CVaR95"));
}

#[test]
fn bad_set_is_an_input_error_and_writes_nothing() {
    let out = tempfile::tempdir().unwrap();
    shortfall()
        .args([
            "run",
            "tests/fixtures/small.toml",
            "--set",
            "storage.capacity=-1",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(contains("storage.capacity"))
        .stderr(contains("--set storage.capacity=-1"));
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
    shortfall()
        .args([
            "run",
            "tests/fixtures/small.toml",
            "--set",
            "nonsense",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(contains("PATH=VALUE"));
    shortfall()
        .args(["run", "no/such/file.toml"])
        .assert()
        .code(2)
        .stderr(contains("no/such/file.toml"));
}

#[test]
fn usage_errors_exit_2() {
    shortfall().args(["run"]).assert().code(2);
    shortfall().args(["frobnicate"]).assert().code(2);
    shortfall()
        .args(["run", "tests/fixtures/small.toml", "--trials", "many"])
        .assert()
        .code(2);
}

#[test]
fn validate_accepts_every_shipped_scenario() {
    let files = scenario_files();
    assert!(!files.is_empty());
    shortfall().arg("validate").args(&files).assert().success();
}

#[test]
fn table_compares_runs() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run_small(a.path(), &["--no-charts"]);
    run_small(b.path(), &["--no-charts", "--set", "storage.capacity=2.0"]);
    let out = shortfall()
        .args(["table", "--labels", "base,more storage"])
        .arg(a.path().join("small"))
        .arg(b.path().join("small/summary.json"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("| Scenario | Trials | P(shortfall) | EUE (Mt)"));
    assert!(text.contains("\n| base | 3,000 | "));
    assert!(text.contains("\n| more storage | 3,000 | "));
    shortfall()
        .args(["table", "--labels", "one"])
        .arg(a.path().join("small"))
        .arg(b.path().join("small"))
        .assert()
        .code(2);
}

#[test]
fn extends_cannot_come_from_the_command_line() {
    for arg in [
        "scenario.extends=other.toml",
        "scenario={extends=\"other.toml\"}",
    ] {
        shortfall()
            .args(["validate", "tests/fixtures/small.toml", "--set", arg])
            .assert()
            .code(2)
            .stderr(contains("scenario.extends"));
    }
}

/// `--set` changes entries and never adds one: a mistyped id is an error
/// naming the nearest id, and nothing is written.
#[test]
fn set_with_an_unknown_id_is_an_error() {
    let out = tempfile::tempdir().unwrap();
    shortfall()
        .args([
            "run",
            "tests/fixtures/small.toml",
            "--quiet",
            "--set",
            "substitute.spto.capacity=12",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(contains("--set substitute.spto.capacity=12"))
        .stderr(contains(
            "substitute.spto.capacity: no substitute has id \"spto\" (did you mean `spot`?)",
        ))
        .stderr(contains("never adds one"));
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
    // An id of another kind says which kind it is.
    shortfall()
        .args([
            "validate",
            "tests/fixtures/small.toml",
            "--set",
            "supplier.spot.volume=1",
        ])
        .assert()
        .code(2)
        .stderr(contains("\"spot\" is a substitute"));
    shortfall()
        .args([
            "validate",
            "tests/fixtures/small.toml",
            "--set",
            "event.cut.enabled=false",
        ])
        .assert()
        .success();
    // An entry a file removed cannot be changed or brought back, and an id
    // cannot be changed.
    for set in ["substitute.sbl.capacity=2", "substitute.sbl.enabled=true"] {
        shortfall()
            .args(["validate", "scenarios/sbl-none.toml", "--set", set])
            .assert()
            .code(2)
            .stderr(contains("substitute \"sbl\" is removed by enabled = false"));
    }
    shortfall()
        .args([
            "validate",
            "tests/fixtures/small.toml",
            "--set",
            "supplier.a.id=z",
        ])
        .assert()
        .code(2)
        .stderr(contains("an entry's id cannot be changed with --set"));
}

/// `--set` takes an inline distribution table, which replaces the value
/// whole (no parameter of the old distribution leaks in), and the field is
/// then drawn per trial: summary.json lists it and inputs.npy holds it.
#[test]
fn set_takes_an_inline_distribution() {
    let out = tempfile::tempdir().unwrap();
    shortfall()
        .args([
            "run",
            "tests/fixtures/small.toml",
            "--quiet",
            "--no-charts",
            "--csv",
            "--trials",
            "500",
            "--set",
            "substitute.spot.lead_days={dist=\"empirical\",values=[21,36],weights=[0.4,0.6]}",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    let dir = out.path().join("small");
    let summary = read_json(&dir.join("summary.json"));
    assert_eq!(
        summary["inputs"],
        serde_json::json!(["substitute.spot.lead_days"])
    );
    let stats = &summary["input_metrics"]["substitute.spot.lead_days"];
    assert_eq!(
        (stats["min"].as_f64(), stats["max"].as_f64()),
        (Some(21.0), Some(36.0))
    );
    let inputs = shortfall::output::read_trials_npy(&dir.join("inputs.npy")).unwrap();
    assert_eq!(inputs.dim(), (500, 1));
    let csv = std::fs::read_to_string(dir.join("inputs.csv")).unwrap();
    assert!(
        csv.starts_with("trial,substitute.spot.lead_days\n0,"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 501);
    // A run without drawn inputs in the same folder removes them.
    shortfall()
        .args([
            "run",
            "tests/fixtures/small.toml",
            "--quiet",
            "--no-charts",
            "--trials",
            "500",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    assert!(!dir.join("inputs.npy").exists() && !dir.join("inputs.csv").exists());
    let summary = read_json(&dir.join("summary.json"));
    assert!(summary.get("inputs").is_none() && summary.get("input_metrics").is_none());
}

/// `table --paired` gives each run's differences from the first, trial by
/// trial: the change in EUE is the change of the two runs' means, its paired
/// SE is that of the per-trial differences, and runs that do not share a
/// seed and trial count are refused.
#[test]
fn table_paired_differences() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    run_small(a.path(), &["--no-charts"]);
    run_small(b.path(), &["--no-charts", "--set", "storage.capacity=2.0"]);
    run_small(c.path(), &["--no-charts", "--seed", "99"]);
    let out = shortfall()
        .args(["table", "--paired", "--labels", "base,more storage"])
        .arg(a.path().join("small"))
        .arg(b.path().join("small"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    // The per-trial shortfalls of both runs, and the SE of their differences.
    let col = |dir: &Path| {
        let t = shortfall::output::read_trials_npy(&dir.join("small/trials.npy")).unwrap();
        t.column(0).to_vec()
    };
    let (x, y) = (col(a.path()), col(b.path()));
    let n = x.len() as f64;
    let d: Vec<f64> = y.iter().zip(&x).map(|(y, x)| y - x).collect();
    let mean = d.iter().sum::<f64>() / n;
    let se = (d.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0) / n).sqrt();
    assert!(
        se > 0.0 && mean < 0.0,
        "more storage, less shortfall: {mean} ± {se}"
    );
    let row = text
        .lines()
        .skip_while(|l| !l.starts_with("| Against base |"))
        .find(|l| l.starts_with("| more storage | "))
        .unwrap_or_else(|| panic!("no paired row:\n{text}"));
    let eue_cell = row.split(" | ").nth(2).unwrap();
    let shown: Vec<f64> = eue_cell
        .split([' ', '[', ']', '±'])
        .filter_map(|w| w.parse().ok())
        .collect();
    assert_eq!(shown.len(), 3, "{eue_cell}");
    let step = 10f64.powi(
        -(eue_cell
            .split('.')
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .len() as i32),
    );
    assert!((shown[0] - mean).abs() <= step, "{eue_cell} vs {mean}");
    assert!((shown[1] - se).abs() <= step, "{eue_cell} vs se {se}");
    assert!(
        shown[2] > 3.0 * shown[1],
        "pairing narrows the SE: {eue_cell}"
    );
    shortfall()
        .args(["table", "--paired"])
        .arg(a.path().join("small"))
        .arg(c.path().join("small"))
        .assert()
        .code(2)
        .stderr(contains("same seed and trial count"));
}

/// `--threads 1` holds the whole command to one worker thread: the
/// statistics and the charts too, not only the simulation. With
/// RAYON_NUM_THREADS=8, a command that left its statistics and charts on
/// rayon's default pool would start eight more threads; the process is
/// watched through /proc while it runs.
#[cfg(target_os = "linux")]
#[test]
fn threads_one_is_one_worker_thread_for_the_whole_command() {
    let out = tempfile::tempdir().unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_shortfall"))
        .current_dir(crate::helpers::root())
        .args(["run", "tests/fixtures/small.toml", "--trials", "200000"])
        .args(["--threads", "1", "--quiet", "--format", "svg,png", "--out"])
        .arg(out.path())
        .env("RAYON_NUM_THREADS", "8")
        .spawn()
        .unwrap();
    let tasks = std::path::PathBuf::from(format!("/proc/{}/task", child.id()));
    let mut most = 0;
    let mut child = child;
    loop {
        if let Ok(dir) = std::fs::read_dir(&tasks) {
            most = most.max(dir.count());
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert!(child.wait().unwrap().success());
    // The main thread, the simulation's worker, the statistics' and
    // charts' worker, and the signal handler's thread.
    assert!(
        (2..=4).contains(&most),
        "{most} threads at once with --threads 1"
    );
}
