//! `shortfall compare`: runs on the same trials compared with the first,
//! trial by trial.

use std::path::Path;

use predicates::str::contains;
use shortfall::engine::Column;

use crate::helpers::{model_with, read_json, run, shortfall};

const SMALL: &str = include_str!("../fixtures/small.toml");

/// Runs `shortfall compare` with `args` into `out`; returns comparison.json.
fn compare(out: &Path, args: &[&str]) -> serde_json::Value {
    shortfall()
        .arg("compare")
        .args(args)
        .args(["--quiet", "--out"])
        .arg(out)
        .assert()
        .success();
    read_json(&out.join("compare-small/comparison.json"))
}

fn metric<'a>(entry: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    entry["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

/// A scenario compared with itself: the same trials, so every difference is
/// exactly zero with a zero SE, every trial is the same, and the second run
/// gets a folder of its own.
#[test]
fn a_scenario_compared_with_itself_differs_in_nothing() {
    let out = tempfile::tempdir().unwrap();
    let c = compare(
        out.path(),
        &[
            "tests/fixtures/small.toml",
            "tests/fixtures/small.toml",
            "--trials",
            "2000",
            "--no-charts",
        ],
    );
    let labels: Vec<&str> = c["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["small", "small-2"]);
    assert!(
        out.path()
            .join("compare-small/small-2/summary.json")
            .exists()
    );
    let d = &c["differences"][0];
    for m in d["metrics"].as_array().unwrap() {
        assert_eq!(m["diff"], 0.0, "{m}");
        assert_eq!(m["se"], 0.0, "{m}");
        assert_eq!(m["equal"], 1.0, "{m}");
        assert_eq!(
            (m["worse"].clone(), m["better"].clone()),
            (0.0.into(), 0.0.into())
        );
    }
}

/// The point of pairing: for a realistic change (more restocking capacity)
/// the paired SE of the EUE difference is several times smaller than the
/// SE the difference would have from independent runs. Each run's metrics
/// and summary.json are exactly those of a single run of the same settings.
#[test]
fn pairing_narrows_the_se_and_runs_match_single_runs() {
    let out = tempfile::tempdir().unwrap();
    let c = compare(
        out.path(),
        &[
            "tests/fixtures/small.toml",
            "--variant",
            "more-spot:substitute.spot.capacity=10",
            "--trials",
            "20000",
            "--no-charts",
        ],
    );
    let eue = metric(&c["differences"][0], "eue");
    let (se, unpaired) = (
        eue["se"].as_f64().unwrap(),
        eue["se_unpaired"].as_f64().unwrap(),
    );
    assert!(
        eue["diff"].as_f64().unwrap() < 0.0,
        "more capacity, less shortfall: {eue}"
    );
    assert!(
        se > 0.0 && se * 3.0 < unpaired,
        "paired {se} vs unpaired {unpaired}"
    );
    // The CI of a mean is ±1.96 SE.
    let diff = eue["diff"].as_f64().unwrap();
    assert!((eue["ci95"][1].as_f64().unwrap() - (diff + 1.96 * se)).abs() < 1e-15);
    // The variant's run is a single run of the same settings.
    let single = tempfile::tempdir().unwrap();
    shortfall()
        .args([
            "run",
            "tests/fixtures/small.toml",
            "--trials",
            "20000",
            "--quiet",
            "--no-charts",
            "--set",
            "substitute.spot.capacity=10",
            "--out",
        ])
        .arg(single.path())
        .assert()
        .success();
    let a = std::fs::read(single.path().join("small/summary.json")).unwrap();
    let b = std::fs::read(out.path().join("compare-small/more-spot/summary.json")).unwrap();
    assert!(
        a == b,
        "the variant's summary.json differs from a single run's"
    );
    let s = read_json(&single.path().join("small/summary.json"));
    let run = &c["runs"][1];
    assert_eq!(metric(run, "eue")["value"], s["metrics"]["eue"]);
    assert_eq!(
        metric(run, "p95")["value"],
        s["metrics"]["shortfall"]["p95"]
    );
    assert_eq!(
        metric(run, "cvar95")["value"],
        s["metrics"]["shortfall"]["cvar95"]
    );
    assert_eq!(
        metric(run, "p_shortfall")["value"],
        s["metrics"]["shortfall_probability"]["mean"]
    );
    // The bootstrap gives the quantiles an SE and an interval around the
    // difference.
    let p99 = metric(&c["differences"][0], "p99");
    let (d, lo, hi) = (
        p99["diff"].as_f64().unwrap(),
        p99["ci95"][0].as_f64().unwrap(),
        p99["ci95"][1].as_f64().unwrap(),
    );
    assert!(
        p99["se"].as_f64().unwrap() > 0.0 && lo <= d && d <= hi,
        "{p99}"
    );
    // comparison.csv: a header and one row per run and metric.
    let csv = std::fs::read_to_string(out.path().join("compare-small/comparison.csv")).unwrap();
    assert!(csv.starts_with("label,scenario,metric,value,se,against,diff,"));
    assert_eq!(csv.lines().count(), 1 + 2 * 7);
}

/// The comparison (bootstrap included) does not depend on the thread count.
#[test]
fn comparison_is_the_same_on_one_and_two_threads() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let args = |threads: &'static str| {
        vec![
            "tests/fixtures/small.toml",
            "--variant",
            "less-sbl:substitute.sbl.volume=0.1",
            "--trials",
            "3000",
            "--threads",
            threads,
            "--format",
            "svg",
        ]
    };
    compare(a.path(), &args("1"));
    compare(b.path(), &args("2"));
    for f in [
        "comparison.json",
        "comparison.csv",
        "exceedance_overlay.svg",
        "differences.svg",
    ] {
        let x = std::fs::read(a.path().join("compare-small").join(f)).unwrap();
        let y = std::fs::read(b.path().join("compare-small").join(f)).unwrap();
        assert!(x == y, "{f} differs between 1 and 2 threads");
    }
}

/// A run's figures in comparison.json do not depend on the other runs: the
/// base's row (bootstrap SEs of its quantiles included) is the same whatever
/// the variants and their order, and a variant's row is the same in either
/// order.
#[test]
fn a_runs_figures_do_not_depend_on_the_other_runs() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let args = |first: &'static str, second: &'static str| {
        vec![
            "tests/fixtures/small.toml",
            "--variant",
            first,
            "--variant",
            second,
            "--trials",
            "3000",
            "--no-charts",
        ]
    };
    let (less, more) = (
        "less-sbl:substitute.sbl.volume=0.1",
        "more-sbl:substitute.sbl.volume=3",
    );
    let x = compare(a.path(), &args(less, more));
    let y = compare(b.path(), &args(more, less));
    let run = |c: &serde_json::Value, label: &str| {
        c["runs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["label"] == label)
            .unwrap()["metrics"]
            .clone()
    };
    for label in ["small", "less-sbl", "more-sbl"] {
        assert_eq!(run(&x, label), run(&y, label), "{label}");
    }
    // The base's quantile SEs are bootstrap SEs, not missing.
    assert!(metric(&x["runs"][0], "p95")["se"].is_number());
}

/// Bad variants and bad files stop the comparison before anything runs.
#[test]
fn bad_variants_are_usage_errors_and_write_nothing() {
    let out = tempfile::tempdir().unwrap();
    for bad in [
        "no-colon",
        "Bad Name:storage.capacity=2",
        "x:storage.capacity",
        "x:simulation.seed=3",
        "x:substitute.spto.capacity=3",
    ] {
        shortfall()
            .args([
                "compare",
                "tests/fixtures/small.toml",
                "--variant",
                bad,
                "--out",
            ])
            .arg(out.path())
            .assert()
            .code(2);
    }
    shortfall()
        .args(["compare", "tests/fixtures/small.toml", "--out"])
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(contains("at least two runs"));
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

/// Without storage-triggered substitutes, more capacity of a loss-triggered
/// substitute never raises a trial's shortfall, trial by trial (with
/// restocking it can, rarely: docs/policy-questions.md).
#[test]
fn more_loss_triggered_capacity_never_raises_a_trials_shortfall() {
    let base = [
        "substitute.restock.enabled=false",
        "simulation.trials=20000",
    ];
    let m = model_with(SMALL, &base);
    let mut more = base.to_vec();
    more.push("substitute.spot.capacity=16");
    let m2 = model_with(SMALL, &more);
    let (a, b) = (run(&m, 2), run(&m2, 2));
    let (x, y) = (a.column(Column::Shortfall), b.column(Column::Shortfall));
    let mut lower = 0;
    for (i, (x, y)) in x.iter().zip(y.iter()).enumerate() {
        assert!(*y <= *x + 1e-9 * x.abs().max(1.0), "trial {i}: {y} > {x}");
        lower += usize::from(*y < *x);
    }
    assert!(
        lower > 100,
        "the extra capacity helps in some trials ({lower})"
    );
}

/// `shortfall sweep`: every point's metrics are those of a single run of the
/// same settings, exactly; point 0's differences are 0; a second swept field
/// makes a grid; bad ranges are usage errors that write nothing.
#[test]
fn sweep_points_equal_single_runs() {
    let out = tempfile::tempdir().unwrap();
    shortfall()
        .args([
            "sweep",
            "tests/fixtures/small.toml",
            "--set",
            "substitute.spot.capacity=4,8",
            "--set",
            "storage.minimum=0.1..0.2:0.1",
            "--trials",
            "3000",
            "--quiet",
            "--format",
            "svg",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    let dir = out.path().join("sweep-small");
    assert!(dir.join("sweep_eue.svg").exists());
    let csv = std::fs::read_to_string(dir.join("sweep.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 4, "{csv}");
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let cell = |row: usize, name: &str| -> String {
        lines[row + 1]
            .split(',')
            .nth(col(name))
            .unwrap()
            .to_string()
    };
    // Point 2: spot capacity 8, minimum 0.1 (the first field varies slowest).
    assert_eq!(cell(2, "substitute.spot.capacity"), "8");
    assert_eq!(cell(2, "storage.minimum"), "0.1");
    assert_eq!(cell(0, "eue_diff"), "0");
    let single = tempfile::tempdir().unwrap();
    shortfall()
        .args([
            "run",
            "tests/fixtures/small.toml",
            "--trials",
            "3000",
            "--quiet",
            "--no-charts",
            "--set",
            "substitute.spot.capacity=8",
            "--set",
            "storage.minimum=0.1",
            "--out",
        ])
        .arg(single.path())
        .assert()
        .success();
    let s = read_json(&single.path().join("small/summary.json"));
    let num = |t: String| t.parse::<f64>().unwrap();
    assert_eq!(num(cell(2, "eue")), s["metrics"]["eue"].as_f64().unwrap());
    assert_eq!(
        num(cell(2, "eue_se")),
        s["metrics"]["eue_se"].as_f64().unwrap()
    );
    assert_eq!(
        num(cell(2, "p99")),
        s["metrics"]["shortfall"]["p99"].as_f64().unwrap()
    );
    assert_eq!(
        num(cell(2, "p_shortfall")),
        s["metrics"]["shortfall_probability"]["mean"]
            .as_f64()
            .unwrap()
    );
    for bad in [
        "storage.minimum=0.3..0.1:0.1",
        "storage.minimum=0..1:0",
        "storage.minimum",
    ] {
        let out = tempfile::tempdir().unwrap();
        shortfall()
            .args([
                "sweep",
                "tests/fixtures/small.toml",
                "--quiet",
                "--set",
                bad,
                "--out",
            ])
            .arg(out.path())
            .assert()
            .code(2);
        assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0, "{bad}");
    }
}

/// `shortfall tornado`: with `[sensitivity]` (here given by --set) each
/// setting's metric is that of a single run of it, exactly, and the swing
/// is their difference; without it the default inputs run and the ones the
/// scenario refuses are left out with the reason.
#[test]
fn tornado_settings_equal_single_runs() {
    let out = tempfile::tempdir().unwrap();
    shortfall()
        .args([
            "tornado",
            "tests/fixtures/small.toml",
            "--set",
            "sensitivity.inputs=[{path=\"substitute.spot.capacity\",low=4,high=12},{path=\"storage.capacity\",low=0.5,high=2}]",
            "--trials",
            "2000",
            "--quiet",
            "--format",
            "svg",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    let dir = out.path().join("tornado-small");
    assert!(dir.join("tornado_eue.svg").exists());
    let csv = std::fs::read_to_string(dir.join("tornado.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let row = lines
        .iter()
        .find(|l| l.starts_with("substitute.spot.capacity,"))
        .unwrap();
    let cells: Vec<&str> = row.split(',').collect();
    let single = tempfile::tempdir().unwrap();
    shortfall()
        .args([
            "run",
            "tests/fixtures/small.toml",
            "--trials",
            "2000",
            "--quiet",
            "--no-charts",
            "--set",
            "substitute.spot.capacity=12",
            "--out",
        ])
        .arg(single.path())
        .assert()
        .success();
    let s = read_json(&single.path().join("small/summary.json"));
    let num = |t: &str| t.parse::<f64>().unwrap();
    assert_eq!(
        num(cells[col("at_high")]),
        s["metrics"]["eue"].as_f64().unwrap()
    );
    assert_eq!(
        num(cells[col("swing")]),
        num(cells[col("at_high")]) - num(cells[col("at_low")])
    );
    // The storage capacity of 0.5 is below the restocking target: left out.
    let refused = lines
        .iter()
        .find(|l| l.starts_with("storage.capacity,"))
        .unwrap();
    assert!(refused.contains("left out"), "{refused}");
    // Defaults: every volume, capacity, lead time, probability and storage.
    let out = tempfile::tempdir().unwrap();
    shortfall()
        .args([
            "tornado",
            "tests/fixtures/small.toml",
            "--trials",
            "500",
            "--quiet",
            "--no-charts",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.path().join("tornado-small/tornado.csv")).unwrap();
    for input in [
        "supplier.a.volume,±20%",
        "substitute.spot.lead_days,±20%",
        "event.cut.probability,±20%",
        "storage.initial,P10-P90",
    ] {
        assert!(csv.contains(input), "{input} missing:\n{csv}");
    }
}

/// Review fixes: one trial, runs of different steps, a [sensitivity] path
/// the scenario does not have and a grid too large are refused before
/// anything is written; a second comparison into the same folder removes
/// the first one's runs that it does not make.
#[test]
fn refusals_and_reruns() {
    let out = tempfile::tempdir().unwrap();
    let refuse = |args: &[&str], says: &str| {
        shortfall()
            .args(args)
            .args(["--quiet", "--out"])
            .arg(out.path())
            .assert()
            .code(2)
            .stderr(contains(says));
    };
    refuse(
        &[
            "compare",
            "tests/fixtures/small.toml",
            "--variant",
            "a:substitute.spot.capacity=9",
            "--trials",
            "1",
        ],
        "at least 2 trials",
    );
    refuse(
        &[
            "sweep",
            "tests/fixtures/small.toml",
            "--set",
            "substitute.spot.capacity=1,2",
            "--trials",
            "1",
        ],
        "at least 2 trials",
    );
    refuse(
        &[
            "compare",
            "tests/fixtures/small.toml",
            "--variant",
            "w:time.step=week,time.steps=52",
        ],
        "different units or steps",
    );
    refuse(
        &[
            "tornado",
            "tests/fixtures/small.toml",
            "--set",
            "sensitivity.inputs=[{path=\"supplier.nosuch.volume\",low=1,high=2}]",
        ],
        "no supplier has id",
    );
    refuse(
        &[
            "tornado",
            "tests/fixtures/small.toml",
            "--set",
            "sensitivity.inputs=[{path=\"simulation.seed\",low=1,high=2}]",
        ],
        "trials and seed",
    );
    refuse(
        &[
            "sweep",
            "tests/fixtures/small.toml",
            "--set",
            "storage.minimum=0..1e308:1e-308",
        ],
        "at most",
    );
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
    let run = |variant: &str| {
        shortfall()
            .args([
                "compare",
                "tests/fixtures/small.toml",
                "--variant",
                variant,
                "--trials",
                "500",
                "--quiet",
                "--no-charts",
                "--out",
            ])
            .arg(out.path())
            .assert()
            .success();
    };
    run("first:substitute.spot.capacity=9");
    run("second:substitute.spot.capacity=10");
    let dir = out.path().join("compare-small");
    assert!(dir.join("second").is_dir() && !dir.join("first").exists());
}

/// `shortfall sensitivity`: when the shortfall depends on one drawn input
/// only (a supplier's volume, with no storage), that input ranks first with a
/// variance share near 1 and the irrelevant inputs (costs) near 0.
#[test]
fn sensitivity_finds_the_one_input_that_matters() {
    let f = crate::helpers::scenario_file(
        r#"
[scenario]
name = "one-input"
[time]
step = "month"
steps = 12
[simulation]
trials = 4000
seed = 3
[demand]
annual = 36.0
[[supplier]]
id = "a"
volume = { dist = "uniform", min = 20, max = 40 }
[[substitute]]
id = "x"
capacity = 1
cost = { dist = "uniform", min = 1, max = 2 }
[[substitute]]
id = "y"
capacity = 1
cost = { dist = "normal", mean = 5, sd = 1 }
"#,
    );
    let out = tempfile::tempdir().unwrap();
    shortfall()
        .arg("sensitivity")
        .arg(f.path())
        .args(["--quiet", "--no-charts", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let csv =
        std::fs::read_to_string(out.path().join("sensitivity-one-input/sensitivity.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows[0][0], "supplier.a.volume", "{csv}");
    let share = |r: &Vec<&str>| r[7].parse::<f64>().unwrap();
    let spearman = |r: &Vec<&str>| r[1].parse::<f64>().unwrap();
    assert!(share(&rows[0]) > 0.95, "{csv}");
    assert!(
        spearman(&rows[0]) < -0.9,
        "more volume, less shortfall: {csv}"
    );
    for r in &rows[1..] {
        // With no effect the share is about (20 - 1)/(4000 - 1) = 0.005.
        assert!(share(r) < 0.02 && spearman(r).abs() < 0.1, "{csv}");
    }
    // A scenario without drawn inputs has nothing to rank.
    shortfall()
        .args([
            "sensitivity",
            "tests/fixtures/small.toml",
            "--quiet",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(contains("no uncertain inputs"));
}
