//! Every chart renders, in both formats, for ordinary and degenerate runs;
//! PNGs decode at the promised size and SVGs parse and carry their axis
//! titles; `shortfall plot` re-renders the same bytes from the files.

use std::path::Path;

use assert_cmd::Command;

const CHARTS: [(&str, u32, &[&str]); 5] = [
    (
        "shortfall_distribution",
        1500,
        &[
            "Total shortfall over the horizon (Mt)",
            "Share of all trials",
        ],
    ),
    (
        "exceedance",
        1500,
        &[
            "Total shortfall over the horizon, x (Mt)",
            "P(shortfall &gt; x), log scale",
        ],
    ),
    (
        "storage_fan",
        1500,
        &["Storage level (Mt)", "Date (end of each"],
    ),
    (
        "shortfall_over_time",
        1800,
        &["Expected shortfall per", "Mean P(shortfall) per", "Date"],
    ),
    (
        "lost_supply",
        1500,
        &["Mean volume lost at source per trial (Mt)"],
    ),
];

fn run(scenario: &Path, out: &Path, sets: &[&str]) {
    let mut cmd = Command::cargo_bin("shortfall").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("run")
        .arg(scenario)
        .args(["--quiet", "--out"])
        .arg(out);
    for s in sets {
        cmd.args(["--set", s]);
    }
    cmd.assert().success();
}

fn check_charts(dir: &Path) {
    for (name, height, titles) in CHARTS {
        let png = dir.join(format!("{name}.png"));
        let img = image::open(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
        assert_eq!(
            (img.width(), img.height()),
            (2400, height),
            "{name}.png size"
        );
        let svg_path = dir.join(format!("{name}.svg"));
        let svg = std::fs::read_to_string(&svg_path).unwrap();
        roxmltree::Document::parse(&svg)
            .unwrap_or_else(|e| panic!("{}: not XML: {e}", svg_path.display()));
        for t in titles {
            assert!(svg.contains(t), "{name}.svg lacks the axis title {t:?}");
        }
        // Every chart names its scenario, trials and seed, and its source.
        assert!(svg.contains("seed"), "{name}.svg lacks the subtitle");
        assert!(
            svg.contains("Source: shortfall"),
            "{name}.svg lacks the source line"
        );
    }
    let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(md.contains("![Distribution of total shortfall](shortfall_distribution.png)"));
}

fn scenario(text: &str) -> tempfile::NamedTempFile {
    let f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    std::fs::write(f.path(), text).unwrap();
    f
}

const BASE: &str = r#"
[scenario]
name = "c"
[simulation]
trials = 500
seed = 3
[demand]
annual = 365.0
[storage]
capacity = 10.0
initial = 5.0
minimum = 1.0
[[supplier]]
id = "a"
volume = SUPPLY
outage = { rate_per_year = 3, duration_days = 20, loss = 0.5 }
[[event]]
id = "e"
probability = 0.3
supply = { a = 0.2 }
"#;

#[test]
fn baseline_charts() {
    let out = tempfile::tempdir().unwrap();
    run(
        Path::new("scenarios/japan-2024.toml"),
        out.path(),
        &["simulation.trials=3000"],
    );
    check_charts(&out.path().join("japan-2024"));
}

#[test]
fn no_shortfall_at_all() {
    let out = tempfile::tempdir().unwrap();
    let f = scenario(&BASE.replace("SUPPLY", "1000.0"));
    run(f.path(), out.path(), &[]);
    let dir = out.path().join("c");
    check_charts(&dir);
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["metrics"]["shortfall_probability"]["mean"], 0.0);
}

#[test]
fn every_trial_short() {
    let out = tempfile::tempdir().unwrap();
    let f = scenario(&BASE.replace("SUPPLY", "200.0"));
    run(f.path(), out.path(), &[]);
    let dir = out.path().join("c");
    check_charts(&dir);
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["metrics"]["shortfall_probability"]["mean"], 1.0);
}

#[test]
fn one_step_horizon() {
    let out = tempfile::tempdir().unwrap();
    let f = scenario(&BASE.replace("SUPPLY", "300.0"));
    run(f.path(), out.path(), &["time.steps=1"]);
    check_charts(&out.path().join("c"));
}

#[test]
fn single_trial() {
    let out = tempfile::tempdir().unwrap();
    let f = scenario(&BASE.replace("SUPPLY", "330.0"));
    run(f.path(), out.path(), &["simulation.trials=1"]);
    check_charts(&out.path().join("c"));
}

#[test]
fn plot_rerenders_identical_charts_from_files() {
    let out = tempfile::tempdir().unwrap();
    let f = scenario(&BASE.replace("SUPPLY", "330.0"));
    run(f.path(), out.path(), &[]);
    let dir = out.path().join("c");
    let before: Vec<Vec<u8>> = CHARTS
        .iter()
        .map(|(n, _, _)| std::fs::read(dir.join(format!("{n}.svg"))).unwrap())
        .collect();
    for (n, _, _) in CHARTS {
        std::fs::remove_file(dir.join(format!("{n}.svg"))).unwrap();
    }
    Command::cargo_bin("shortfall")
        .unwrap()
        .args(["plot", "--format", "svg"])
        .arg(&dir)
        .assert()
        .success();
    for ((n, _, _), old) in CHARTS.iter().zip(before) {
        let new = std::fs::read(dir.join(format!("{n}.svg"))).unwrap();
        assert!(new == old, "{n}.svg differs after re-rendering");
    }
}

#[test]
fn no_charts_and_format_flags() {
    let out = tempfile::tempdir().unwrap();
    let f = scenario(&BASE.replace("SUPPLY", "330.0"));
    run(f.path(), out.path(), &[]);
    let mut cmd = Command::cargo_bin("shortfall").unwrap();
    let out2 = tempfile::tempdir().unwrap();
    cmd.arg("run")
        .arg(f.path())
        .args(["--quiet", "--no-charts", "--out"])
        .arg(out2.path())
        .assert()
        .success();
    assert!(!out2.path().join("c/exceedance.svg").exists());
    let out3 = tempfile::tempdir().unwrap();
    let mut cmd = Command::cargo_bin("shortfall").unwrap();
    cmd.arg("run")
        .arg(f.path())
        .args(["--quiet", "--format", "svg", "--out"])
        .arg(out3.path())
        .assert()
        .success();
    assert!(out3.path().join("c/exceedance.svg").exists());
    assert!(!out3.path().join("c/exceedance.png").exists());
    let mut cmd = Command::cargo_bin("shortfall").unwrap();
    cmd.arg("run")
        .arg(f.path())
        .args(["--quiet", "--format", "pdf", "--out"])
        .arg(out3.path())
        .assert()
        .code(2);
}
