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
        heading: None,
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
        shortfall::report::charts::Canvas {
            png_width: 1200,
            ..Default::default()
        },
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
        shortfall::report::charts::Canvas::default(),
        &meta,
        &shortfall::plot::compare::Measure::volume("EUE", "Mt"),
        0.0206,
        &bars,
    )
    .unwrap();
    let svg = std::fs::read_to_string(dir.path().join("tornado.svg")).unwrap();
    roxmltree::Document::parse(&svg).unwrap();
    // 0.007 to 0.11 Mt: shown in kt, the unit the data read best in.
    assert!(svg.contains("EUE (kt)") && svg.contains("Storage capacity 4-8 Mt"));
    let png = image::open(dir.path().join("tornado.png")).unwrap();
    assert_eq!((png.width(), png.height()), (2400, 1500));
}

/// The polylines of an SVG chart with the given stroke colour and more than
/// two points (a legend sample has two), as pixel points.
fn curves(svg: &str, colour: &str) -> Vec<Vec<(f64, f64)>> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke") == Some(colour))
        .map(|n| {
            n.attribute("points")
                .unwrap()
                .split_whitespace()
                .map(|p| {
                    let (x, y) = p.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect::<Vec<(f64, f64)>>()
        })
        .filter(|pts| pts.len() > 2)
        .collect()
}

/// The y axis of a chart, from its left tick labels: (pixel y, value) of
/// the lowest and highest, with `value` read from the label by `parse`.
fn y_axis(svg: &str, parse: impl Fn(&str) -> Option<f64>) -> ((f64, f64), (f64, f64)) {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let mut ticks: Vec<(f64, f64)> = doc
        .descendants()
        .filter(|n| {
            n.has_tag_name("text")
                && n.attribute("text-anchor") == Some("end")
                && n.attribute("x") == Some("92")
        })
        .filter_map(|n| {
            let y: f64 = n.attribute("y")?.parse().ok()?;
            Some((y, parse(n.text()?.trim())?))
        })
        .collect();
    ticks.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(ticks.len() >= 3, "y ticks {ticks:?}");
    (ticks[0], ticks[ticks.len() - 1])
}

/// One plotted value per chart read back from the SVG: the exceedance
/// curve at x = 0 is P(shortfall) from summary.json, and the storage fan's
/// median at every step is timeseries.csv's storage_p50, each to within a
/// pixel (the axes mapped from their tick labels). With 27.6% of trials
/// short, a curve starting at P(shortfall >= 0) = 1 would be 74 pixels off.
#[test]
fn plotted_values_match_the_written_figures() {
    let out = tempfile::tempdir().unwrap();
    let scenario = crate::helpers::root().join("tests/fixtures/small.toml");
    run(
        &scenario,
        out.path(),
        &["simulation.trials=3000", "demand.annual=32"],
    );
    let dir = out.path().join("small");
    let s = read_json(&dir.join("summary.json"));
    let p = s["metrics"]["shortfall_probability"]["mean"]
        .as_f64()
        .unwrap();
    assert!(p > 0.2 && p < 0.4, "{p}");

    let svg = std::fs::read_to_string(dir.join("exceedance.svg")).unwrap();
    let percent = |t: &str| t.strip_suffix('%')?.parse::<f64>().ok().map(|v| v / 100.0);
    let ((y_top, p_top), (y_low, p_low)) = y_axis(&svg, percent);
    let pixel = |p: f64| {
        y_top + (p.log10() - p_top.log10()) / (p_low.log10() - p_top.log10()) * (y_low - y_top)
    };
    let curve = &curves(&svg, "#0072B2")[0];
    assert!(
        (curve[0].1 - pixel(p)).abs() <= 1.0,
        "curve at 0: {:?} vs {}",
        curve[0],
        pixel(p)
    );

    let svg = std::fs::read_to_string(dir.join("storage_fan.svg")).unwrap();
    let ((y_top, v_top), (y_low, v_low)) = y_axis(&svg, |t| t.parse().ok());
    let pixel = |v: f64| y_top + (v - v_top) / (v_low - v_top) * (y_low - y_top);
    let ts = std::fs::read_to_string(dir.join("timeseries.csv")).unwrap();
    let column = |name: &str| -> Vec<f64> {
        let header: Vec<&str> = ts.lines().next().unwrap().split(',').collect();
        let col = header.iter().position(|h| *h == name).unwrap();
        ts.lines()
            .skip(1)
            .map(|l| l.split(',').nth(col).unwrap().parse().unwrap())
            .collect()
    };
    let p50 = column("storage_p50");
    let median = curves(&svg, "#0072B2");
    assert_eq!(median.len(), 1);
    assert_eq!(median[0].len(), p50.len());
    for (t, ((_, y), v)) in median[0].iter().zip(&p50).enumerate() {
        assert!(
            (y - pixel(*v)).abs() <= 1.0,
            "median at step {t}: y {y} vs {}",
            pixel(*v)
        );
    }

    // When shortfalls happen: a horizon of 365 days is drawn day by day, the
    // upper panel a filled step outline whose top is each day's
    // shortfall_mean, in the unit its axis title names (t, kt or Mt).
    let days = column("shortfall_mean");
    let svg = std::fs::read_to_string(dir.join("shortfall_over_time.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let title = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(str::trim))
        .find(|t| t.starts_with("Expected shortfall on each day ("))
        .expect("the upper panel's axis title")
        .to_string();
    let per_mt = match title.rsplit_once('(').map(|(_, u)| u.trim_end_matches(')')) {
        Some("t") => 1e6,
        Some("kt") => 1e3,
        Some("Mt") => 1.0,
        other => panic!("unit {other:?} in {title:?}"),
    };
    let ((y_top, v_top), (y_low, v_low)) = y_axis(&svg, |t| t.parse().ok());
    let pixel = |v: f64| y_top + (v - v_top) / (v_low - v_top) * (y_low - y_top);
    let outline: Vec<(f64, f64)> = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("polygon")
                && n.attribute("fill") == Some("#0072B2")
                && n.attribute("opacity") == Some("0.85")
        })
        .expect("the expected shortfall's outline")
        .attribute("points")
        .unwrap()
        .split_whitespace()
        .map(|p| {
            let (x, y) = p.split_once(',').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect();
    assert_eq!(outline.len(), 4 * days.len());
    assert!(days.iter().filter(|&&v| v > 0.0).count() > 10);
    for (t, v) in days.iter().enumerate() {
        let (y0, y1) = (outline[2 * t].1, outline[2 * t + 1].1);
        assert_eq!(y0, y1, "day {t} is flat");
        assert!(
            (y0 - pixel(v * per_mt)).abs() <= 1.0,
            "day {t}: top {y0} vs {}",
            pixel(v * per_mt)
        );
    }

    // The distribution's notes and the lost-supply bars' labels.
    let text = |name: &str| {
        let svg = std::fs::read_to_string(dir.join(name)).unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text().map(|t| t.trim().to_string()))
            .collect::<Vec<String>>()
    };
    let m = &s["metrics"];
    let notes = text("shortfall_distribution.svg");
    // The share with no shortfall, to within half its last digit.
    let none = notes
        .iter()
        .find_map(|t| {
            t.strip_prefix("No shortfall: ")?
                .strip_suffix("% of trials")
        })
        .unwrap_or_else(|| panic!("no share of trials without shortfall in {notes:?}"));
    let decimals = none.split_once('.').map_or(0, |(_, d)| d.len());
    assert!(
        (none.parse::<f64>().unwrap() - 100.0 * (1.0 - p)).abs()
            <= 0.5 * 10f64.powi(-(decimals as i32)) * (1.0 + 1e-9),
        "no shortfall {none}% vs {}",
        100.0 * (1.0 - p)
    );
    // Three significant digits: each note within half its last digit.
    for (prefix, value) in [
        ("Mean (EUE): ", &m["eue"]),
        ("P95 (1 in 20): ", &m["shortfall"]["p95"]),
        ("CVaR95 (mean of worst 5%): ", &m["shortfall"]["cvar95"]),
    ] {
        let note = notes.iter().find_map(|t| t.strip_prefix(prefix)).unwrap();
        let shown = note.strip_suffix(" Mt").unwrap();
        let decimals = shown.split_once('.').map_or(0, |(_, d)| d.len());
        let (shown, value) = (shown.parse::<f64>().unwrap(), value.as_f64().unwrap());
        let half = 0.5 * 10f64.powi(-(decimals as i32));
        assert!(
            (shown - value).abs() <= half * (1.0 + 1e-9),
            "{prefix}{shown} vs {value}"
        );
    }
    let labels = text("lost_supply.svg");
    for entry in s["lost_by_supplier"]
        .as_array()
        .unwrap()
        .iter()
        .chain(s["lost_by_event"].as_array().unwrap())
    {
        // Each bar's label, in the chart's unit, to within half its last digit.
        let mt = entry["mean"].as_f64().unwrap();
        let shown = labels.iter().any(|l| {
            let Some((number, unit)) = l.split_once(' ') else {
                return false;
            };
            let per_mt = match unit {
                "t" => 1e6,
                "kt" => 1e3,
                "Mt" => 1.0,
                _ => return false,
            };
            let decimals = number.split_once('.').map_or(0, |(_, d)| d.len());
            number.parse::<f64>().is_ok_and(|v| {
                (v - mt * per_mt).abs() <= 0.5 * 10f64.powi(-(decimals as i32)) * (1.0 + 1e-9)
            })
        });
        assert!(shown, "no bar label for {mt} Mt in {labels:?}");
    }
}

/// `--title` replaces the heading of the comparison charts too (each by its
/// stem), and a chart without one keeps its own.
#[test]
fn comparison_charts_take_finding_titles() {
    let dir = tempfile::tempdir().unwrap();
    let small = crate::helpers::root().join("tests/fixtures/small.toml");
    let texts = |path: std::path::PathBuf| {
        crate::chart_design::texts(&std::fs::read_to_string(&path).unwrap())
    };
    let o = crate::helpers::shortfall()
        .arg("compare")
        .arg(&small)
        .args(["--variant", "more:substitute.spot.capacity=12"])
        .args(["--trials", "2000", "--format", "svg", "--quiet", "--out"])
        .arg(dir.path())
        .args([
            "--title",
            "exceedance_overlay=More spot capacity thins the tail",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let folder = dir.path().join("compare-small");
    let overlay = texts(folder.join("exceedance_overlay.svg"));
    assert!(
        overlay
            .iter()
            .any(|t| t == "More spot capacity thins the tail"),
        "{overlay:?}"
    );
    let differences = texts(folder.join("differences.svg"));
    assert!(
        !differences.iter().any(|t| t.contains("thins the tail")),
        "a title given for one chart stays on it: {differences:?}"
    );
    let o = crate::helpers::shortfall()
        .arg("sweep")
        .arg(&small)
        .args(["--set", "substitute.spot.capacity=4,8"])
        .args(["--trials", "2000", "--format", "svg", "--quiet", "--out"])
        .arg(dir.path())
        .args(["--title", "sweep=Spot capacity buys little past 8"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let sweep = texts(dir.path().join("sweep-small/sweep_eue.svg"));
    assert!(
        sweep
            .iter()
            .any(|t| t == "Spot capacity buys little past 8"),
        "{sweep:?}"
    );
}
