//! Every chart renders, in both formats, for ordinary and degenerate runs;
//! PNGs decode at the promised size and SVGs parse and carry their axis
//! titles; `shortfall plot` re-renders the same bytes from the files.

use std::path::Path;

use crate::helpers::{read_json, scenario_file, shortfall};

const CHARTS: [(&str, u32, &[&str]); 5] = [
    (
        "shortfall_distribution",
        1500,
        &["Total shortfall over the horizon (", "Share of all trials"],
    ),
    (
        "exceedance",
        1500,
        &[
            "Total shortfall over the horizon, x (",
            "P(shortfall &gt; x), log scale",
        ],
    ),
    (
        "storage_fan",
        1500,
        &["Storage level (", "Date (end of each"],
    ),
    (
        "shortfall_over_time",
        1800,
        &["Expected shortfall ", "Share of trials short on ", "Date"],
    ),
    (
        "lost_supply",
        1500,
        &["Mean volume lost at source per trial ("],
    ),
];

fn run(scenario: &Path, out: &Path, sets: &[&str]) {
    let mut cmd = shortfall();
    cmd.arg("run")
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

pub(crate) const BASE: &str = r#"
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
    let dir = out.path().join("japan-2024");
    check_charts(&dir);
    // Supplier bars carry the scenario's display names, events their ids.
    let svg = std::fs::read_to_string(dir.join("lost_supply.svg")).unwrap();
    for label in [
        "Sakhalin-2 (Russia)",
        "United States",
        "russia_cutoff",
        "Of which removed by each event",
    ] {
        assert!(
            svg.contains(label),
            "lost_supply.svg lacks the label {label:?}"
        );
    }
    assert!(
        !svg.contains(">sakhalin2<"),
        "lost_supply.svg labels a supplier by id"
    );
}

#[test]
fn no_shortfall_at_all() {
    let out = tempfile::tempdir().unwrap();
    let f = scenario_file(&BASE.replace("SUPPLY", "1000.0"));
    run(f.path(), out.path(), &[]);
    let dir = out.path().join("c");
    check_charts(&dir);
    let s = read_json(&dir.join("summary.json"));
    assert_eq!(s["metrics"]["shortfall_probability"]["mean"], 0.0);
}

#[test]
fn every_trial_short() {
    let out = tempfile::tempdir().unwrap();
    let f = scenario_file(&BASE.replace("SUPPLY", "200.0"));
    run(f.path(), out.path(), &[]);
    let dir = out.path().join("c");
    check_charts(&dir);
    let s = read_json(&dir.join("summary.json"));
    assert_eq!(s["metrics"]["shortfall_probability"]["mean"], 1.0);
}

#[test]
fn one_step_horizon() {
    let out = tempfile::tempdir().unwrap();
    let f = scenario_file(&BASE.replace("SUPPLY", "300.0"));
    run(f.path(), out.path(), &["time.steps=1"]);
    check_charts(&out.path().join("c"));
}

#[test]
fn single_trial() {
    let out = tempfile::tempdir().unwrap();
    let f = scenario_file(&BASE.replace("SUPPLY", "330.0"));
    run(f.path(), out.path(), &["simulation.trials=1"]);
    check_charts(&out.path().join("c"));
}

#[test]
fn plot_rerenders_identical_charts_from_files() {
    let out = tempfile::tempdir().unwrap();
    let f = scenario_file(&BASE.replace("SUPPLY", "330.0"));
    run(f.path(), out.path(), &[]);
    let dir = out.path().join("c");
    let before: Vec<Vec<u8>> = CHARTS
        .iter()
        .map(|(n, _, _)| std::fs::read(dir.join(format!("{n}.svg"))).unwrap())
        .collect();
    for (n, _, _) in CHARTS {
        std::fs::remove_file(dir.join(format!("{n}.svg"))).unwrap();
    }
    shortfall()
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
    let f = scenario_file(&BASE.replace("SUPPLY", "330.0"));
    run(f.path(), out.path(), &[]);
    let mut cmd = shortfall();
    let out2 = tempfile::tempdir().unwrap();
    cmd.arg("run")
        .arg(f.path())
        .args(["--quiet", "--no-charts", "--out"])
        .arg(out2.path())
        .assert()
        .success();
    assert!(!out2.path().join("c/exceedance.svg").exists());
    let out3 = tempfile::tempdir().unwrap();
    let mut cmd = shortfall();
    cmd.arg("run")
        .arg(f.path())
        .args(["--quiet", "--format", "svg", "--out"])
        .arg(out3.path())
        .assert()
        .success();
    assert!(out3.path().join("c/exceedance.svg").exists());
    assert!(!out3.path().join("c/exceedance.png").exists());
    let mut cmd = shortfall();
    cmd.arg("run")
        .arg(f.path())
        .args(["--quiet", "--format", "eps", "--out"])
        .arg(out3.path())
        .assert()
        .code(2);
}

#[test]
fn single_trial_run_can_be_replotted_and_tabulated() {
    let out = tempfile::tempdir().unwrap();
    let f = scenario_file(&BASE.replace("SUPPLY", "330.0"));
    run(f.path(), out.path(), &["simulation.trials=1"]);
    let dir = out.path().join("c");
    shortfall().arg("plot").arg(&dir).assert().success();
    shortfall().arg("table").arg(&dir).assert().success();
    let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(!md.contains("NaN"), "summary.md shows NaN:\n{md}");
}

#[test]
fn comparison_charts_render() {
    use shortfall::plot::compare::{Curve, TornadoBar, exceedance_overlay, tornado};
    use shortfall::plot::theme::Meta;
    use shortfall::report::Format;
    let dir = tempfile::tempdir().unwrap();
    let meta = Meta {
        sources: Vec::new(),
        scenario: "policy-set".into(),
        title: "Sakhalin-2 cut-off policies".into(),
        trials: 1000,
        seed: 1,
        version: "test".into(),
        sha: "0123456789ab".into(),
    };
    let curve = |label: &str, n: usize, scale: f64| Curve {
        label: label.into(),
        shortfall_sorted: (0..n)
            .map(|i| (i as f64 / n as f64 - 0.9).max(0.0) * scale)
            .collect(),
    };
    let curves = [
        curve("baseline", 1000, 2.0),
        curve("more storage", 4000, 1.0),
        curve("no shortfall", 500, 0.0),
    ];
    let stem = dir.path().join("overlay-0.21");
    let files = exceedance_overlay(
        &stem,
        &[Format::Svg, Format::Png],
        1200,
        &meta,
        "Mt",
        &curves,
    )
    .unwrap();
    assert_eq!(files.len(), 2);
    assert!(
        dir.path().join("overlay-0.21.svg").is_file(),
        "the stem keeps its dot"
    );
    let svg = std::fs::read_to_string(dir.path().join("overlay-0.21.svg")).unwrap();
    roxmltree::Document::parse(&svg).unwrap();
    for label in [
        "baseline",
        "more storage",
        "no shortfall",
        "P(shortfall &gt; x), log scale",
    ] {
        assert!(svg.contains(label), "overlay lacks {label}");
    }
    let png = image::open(dir.path().join("overlay-0.21.png")).unwrap();
    assert_eq!(png.width(), 1200);

    let bars = [
        TornadoBar {
            label: "US flexible capacity 3-12 Mt/yr".into(),
            low: 0.11,
            high: 0.007,
        },
        TornadoBar {
            label: "Storage capacity 4-8 Mt".into(),
            low: 0.03,
            high: 0.01,
        },
        TornadoBar {
            label: "Spot capacity 0-12 Mt/yr".into(),
            low: 0.05,
            high: 0.015,
        },
    ];
    let stem = dir.path().join("tornado");
    tornado(
        &stem,
        &[Format::Svg, Format::Png],
        2400,
        &meta,
        "EUE (Mt)",
        0.0206,
        &bars,
    )
    .unwrap();
    let svg = std::fs::read_to_string(dir.path().join("tornado.svg")).unwrap();
    roxmltree::Document::parse(&svg).unwrap();
    assert!(svg.contains("EUE (Mt)") && svg.contains("Storage capacity 4-8 Mt"));
    let png = image::open(dir.path().join("tornado.png")).unwrap();
    assert_eq!((png.width(), png.height()), (2400, 1500));
}
