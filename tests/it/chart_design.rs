//! What a reader checks on a run's charts: volumes in a unit chosen from
//! the data and named on the axis, the share of trials with no shortfall as
//! a bar of its own, markers clear of the axis, the storage axis from just
//! below the floor, an unambiguous share per day with its band and the
//! start of a certain event, suppliers apart from events, and titles and
//! sources from `[report]` or `--title`. Read from the SVGs.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::charts::BASE;
use crate::helpers::{read_json, scenario_file, shortfall};

/// The texts of an SVG, in document order.
pub fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG parses");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

/// The polylines of an SVG: stroke colour and width, and points.
fn polylines(svg: &str) -> Vec<(String, Vec<(f64, f64)>)> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG parses");
    doc.descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .map(|n| {
            let pts = n
                .attribute("points")
                .unwrap_or("")
                .split_whitespace()
                .filter_map(|p| {
                    let (x, y) = p.split_once(',')?;
                    Some((x.parse().ok()?, y.parse().ok()?))
                })
                .collect();
            let stroke = format!(
                "{}/{}",
                n.attribute("stroke").unwrap_or(""),
                n.attribute("stroke-width").unwrap_or("")
            );
            (stroke, pts)
        })
        .collect()
}

/// Vertical segments (x, length) drawn in `stroke` ("#RRGGBB", any width)
/// or `stroke/width`.
fn verticals(svg: &str, stroke: &str) -> Vec<(f64, f64)> {
    polylines(svg)
        .into_iter()
        .filter(|(s, _)| s == stroke || s.split('/').next() == Some(stroke))
        .flat_map(|(_, pts)| {
            pts.windows(2)
                .filter(|w| w[0].0 == w[1].0 && w[0].1 != w[1].1)
                .map(|w| (w[0].0, (w[0].1 - w[1].1).abs()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// `shortfall run SCENARIO --quiet --trials 3000 --out OUT ARGS...`.
fn run_with(scenario: &Path, out: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    shortfall()
        .arg("run")
        .arg(scenario)
        .args(["--quiet", "--trials", "3000", "--out"])
        .arg(out)
        .args(args)
        .assert()
}

/// A run that draws SVG charts, with `extra` arguments.
fn run_into(scenario: &Path, out: &Path, extra: &[&str]) {
    run_with(scenario, out, &[&["--format", "svg"], extra].concat()).success();
}

/// The Sakhalin-2 cut-off at 3,000 trials (P95 = 0, shortfalls of tens of
/// tonnes a day, a certain event from day 0), run once for these tests.
fn cutoff() -> &'static Path {
    static RUN: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, dir) = RUN.get_or_init(|| {
        let out = tempfile::tempdir().unwrap();
        run_into(
            Path::new("scenarios/sakhalin2-cutoff.toml"),
            out.path(),
            &[],
        );
        let dir = out.path().join("sakhalin2-cutoff");
        (out, dir)
    });
    dir
}

fn svg(dir: &Path, chart: &str) -> String {
    std::fs::read_to_string(dir.join(format!("{chart}.svg"))).unwrap()
}

#[test]
fn units_come_from_the_data_and_are_named_on_every_axis() {
    let dir = cutoff();
    let titles = [
        (
            "shortfall_distribution",
            "Total shortfall over the horizon (Mt)",
        ),
        ("exceedance", "Total shortfall over the horizon, x (Mt)"),
        ("storage_fan", "Storage level (Mt)"),
        // Tens of tonnes a day: in t, not "0.000020 Mt".
        ("shortfall_over_time", "Expected shortfall on each day (t)"),
        ("lost_supply", "Mean volume lost at source per trial (Mt)"),
    ];
    for (chart, title) in titles {
        let t = texts(&svg(dir, chart));
        assert!(
            t.iter().any(|s| s == title),
            "{chart}: no axis title {title:?}"
        );
        let tiny: Vec<&String> = t.iter().filter(|s| s.starts_with("0.00")).collect();
        assert!(tiny.is_empty(), "{chart}: tick labels {tiny:?}");
    }
}

#[test]
fn the_share_with_no_shortfall_is_a_bar_of_its_own() {
    let dir = cutoff();
    let s = read_json(&dir.join("summary.json"));
    let p_none = 1.0
        - s["metrics"]["shortfall_probability"]["mean"]
            .as_f64()
            .unwrap();
    let t = texts(&svg(dir, "shortfall_distribution"));
    let label = format!("{:.1}%", 100.0 * p_none);
    assert!(t.contains(&label), "no bar labelled {label}: {t:?}");
    assert!(t.iter().any(|s| s == "No shortfall"), "no axis for the bar");
}

#[test]
fn a_marker_at_zero_stays_clear_of_the_axis() {
    let dir = cutoff();
    let s = read_json(&dir.join("summary.json"));
    assert_eq!(
        s["metrics"]["shortfall"]["p95"], 0.0,
        "the case this guards"
    );
    let svg = svg(dir, "shortfall_distribution");
    // The axes: long thin black vertical lines. The P95 marker: vermillion.
    let axes: Vec<f64> = verticals(&svg, "#000000/1")
        .into_iter()
        .filter(|(_, len)| *len > 100.0)
        .map(|(x, _)| x)
        .collect();
    let p95: Vec<(f64, f64)> = verticals(&svg, "#D55E00");
    assert!(!p95.is_empty(), "no P95 marker drawn");
    for (x, _) in p95 {
        for a in &axes {
            assert!(
                (x - a).abs() >= 3.0,
                "the P95 marker at x={x} is on an axis at {a}"
            );
        }
    }
}

#[test]
fn the_storage_axis_starts_just_below_the_floor() {
    let dir = cutoff();
    let t = texts(&svg(dir, "storage_fan"));
    let ticks: Vec<f64> = t.iter().filter_map(|s| s.parse::<f64>().ok()).collect();
    let lowest = ticks.iter().copied().fold(f64::INFINITY, f64::min);
    assert!(
        lowest > 2.0 && lowest <= 3.0,
        "lowest y tick {lowest}: {ticks:?}"
    );
    assert!(
        t.iter()
            .any(|s| s == "Floor kept in reserve: 3.00 Mt (storage.minimum)"),
        "the floor's label: {t:?}"
    );
}

#[test]
fn the_chart_over_time_says_what_its_share_is_and_marks_the_cut_off() {
    let dir = cutoff();
    let svg = svg(dir, "shortfall_over_time");
    let t = texts(&svg);
    for want in [
        "Share of trials short on each day",
        "95% confidence band of the share (Wilson)",
        "russia_cutoff starts (2024-01-01; certain in this scenario)",
        "russia_cutoff",
    ] {
        assert!(t.iter().any(|s| s == want), "lacks {want:?}: {t:?}");
    }
    // The marker: a dashed black vertical line in each panel.
    let marks = verticals(&svg, "#000000")
        .into_iter()
        .filter(|(_, len)| *len < 20.0)
        .count();
    assert!(
        marks >= 10,
        "no dashed event marker ({marks} short segments)"
    );
}

#[test]
fn a_short_last_week_is_said_and_drawn_short() {
    let out = tempfile::tempdir().unwrap();
    let f = scenario_file(
        r#"
[scenario]
name = "w"
[time]
steps = 736
[simulation]
trials = 200
seed = 1
[demand]
annual = 365.0
[[supplier]]
id = "a"
volume = 700.0
outage = { rate_per_year = 3, duration_days = 20, loss = 0.8 }
"#,
    );
    run_into(f.path(), out.path(), &[]);
    let t = texts(&svg(&out.path().join("w"), "shortfall_over_time"));
    assert!(
        t.iter()
            .any(|s| s == "Last week: 1 day(s), drawn at its width"),
        "{t:?}"
    );
    assert!(
        t.iter()
            .any(|s| s.starts_with("Share of trials short on a day, mean over each week"))
    );
}

#[test]
fn lost_supply_keeps_suppliers_and_events_apart_and_names_demand_events() {
    let out = tempfile::tempdir().unwrap();
    run_into(Path::new("scenarios/cold-winter.toml"), out.path(), &[]);
    let t = texts(&svg(&out.path().join("cold-winter"), "lost_supply"));
    for want in [
        "Lost at source, by supplier (outages and events together)",
        "Of which removed by each event's supply effects (gross of overlaps; already counted above)",
        "raises demand; removes no supply at source",
    ] {
        assert!(t.iter().any(|s| s == want), "lacks {want:?}: {t:?}");
    }
}

/// A small scenario with a `[report]` table.
fn reported() -> String {
    format!(
        "{}{}",
        BASE.replace("SUPPLY", "330.0")
            .replace("name = \"c\"", "name = \"r\""),
        r#"
[report]
sources = ["METI Gas Statistics 2024", "GIIGNL Annual Report 2024"]
[report.titles]
exceedance = "One winter in twenty leaves a shortfall"
"#
    )
}

#[test]
fn report_titles_and_sources_reach_the_charts_and_survive_a_replot() {
    let out = tempfile::tempdir().unwrap();
    let f = scenario_file(&reported());
    run_into(
        f.path(),
        out.path(),
        &["--title", "storage_fan=Storage stays above its floor"],
    );
    let dir = out.path().join("r");
    let has = |chart: &str, want: &str| texts(&svg(&dir, chart)).iter().any(|s| s == want);
    assert!(has("exceedance", "One winter in twenty leaves a shortfall"));
    assert!(has("storage_fan", "Storage stays above its floor"));
    assert!(has(
        "shortfall_distribution",
        "Distribution of total shortfall"
    ));
    for chart in ["exceedance", "lost_supply"] {
        assert!(
            has(
                chart,
                "Data: METI Gas Statistics 2024; GIIGNL Annual Report 2024."
            ),
            "{chart}: the footer lacks the sources"
        );
    }
    let before = svg(&dir, "exceedance");
    shortfall()
        .args(["plot", "--format", "svg"])
        .arg(&dir)
        .assert()
        .success();
    assert_eq!(svg(&dir, "exceedance"), before, "plot drew another chart");
    assert!(has("storage_fan", "Storage stays above its floor"));
    shortfall()
        .args([
            "plot",
            "--format",
            "svg",
            "--title",
            "exceedance=Rarely short",
        ])
        .arg(&dir)
        .assert()
        .success();
    assert!(has("exceedance", "Rarely short"));
}

#[test]
fn an_unknown_chart_in_title_is_refused_with_the_allowed_names() {
    let out = tempfile::tempdir().unwrap();
    let f = scenario_file(&reported());
    let assert = run_with(f.path(), out.path(), &["--title", "fan=Storage"]).code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr);
    assert!(
        stderr.contains("unknown chart \"fan\"; allowed: shortfall_distribution, exceedance"),
        "{stderr}"
    );
}

#[test]
fn pdf_charts_are_vector_with_their_fonts_embedded() {
    let out = tempfile::tempdir().unwrap();
    let f = scenario_file(&BASE.replace("SUPPLY", "330.0"));
    run_with(f.path(), out.path(), &["--format", "pdf"]).success();
    let dir = out.path().join("c");
    for chart in shortfall::report::Chart::ALL.map(|c| c.stem()) {
        let pdf = std::fs::read(dir.join(format!("{chart}.pdf"))).unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "{chart}.pdf is not a PDF");
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/FontFile2"), "{chart}.pdf embeds no font");
        assert!(
            text.contains("DejaVuSans"),
            "{chart}.pdf names another font"
        );
        assert!(
            !text.contains("/Subtype /Image") && !text.contains("/Subtype/Image"),
            "{chart}.pdf holds a raster image"
        );
        assert!(
            !dir.join(format!("{chart}.svg")).exists(),
            "only the PDF asked for"
        );
    }
    let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(md.contains("[Distribution of total shortfall (PDF)](shortfall_distribution.pdf)"));
}
