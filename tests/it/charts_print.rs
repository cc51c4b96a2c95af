//! Charts at the print sizes (`--size single|double|slide`): every text of
//! every chart lies inside the canvas and clear of every other text (boxes
//! from the font's own metrics), no text prints below the size's minimum,
//! the PNG is the printed width at 300 dpi, and the SVG and PDF state the
//! printed size. Read back from the files.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};

use crate::charts::BASE;
use crate::helpers::{scenario_file, shortfall};

/// (name, printed width in mm, smallest font in pt).
const SIZES: [(&str, f64, f64); 3] = [
    ("single", 85.0, 7.0),
    ("double", 175.0, 7.0),
    ("slide", 254.0, 12.0),
];

/// The run charts' file stems.
const RUN_CHARTS: [&str; 5] = [
    "shortfall_distribution",
    "exceedance",
    "storage_fan",
    "shortfall_over_time",
    "lost_supply",
];

/// One text of an SVG: its string, box (x0, y0, x1, y1) and font size.
#[derive(Debug, Clone)]
struct TextBox {
    text: String,
    rect: (f64, f64, f64, f64),
    size: f64,
}

fn fonts() -> &'static (FontRef<'static>, FontRef<'static>) {
    static F: OnceLock<(FontRef<'static>, FontRef<'static>)> = OnceLock::new();
    F.get_or_init(|| {
        let regular = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
        let bold = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
        (
            FontRef::try_from_slice(regular).unwrap(),
            FontRef::try_from_slice(bold).unwrap(),
        )
    })
}

/// The advance width of `text` in DejaVu Sans at `scale` (kerning included).
fn advance(text: &str, bold: bool, scale: f32) -> f64 {
    let (regular, heavy) = fonts();
    let font = if bold { heavy } else { regular };
    let scaled = font.as_scaled(PxScale::from(scale));
    let mut w = 0.0f32;
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            w += scaled.kern(p, id);
        }
        w += scaled.h_advance(id);
        prev = Some(id);
    }
    f64::from(w)
}

fn attr(n: &roxmltree::Node<'_, '_>, name: &str) -> f64 {
    n.attribute(name)
        .and_then(|v| v.trim_end_matches("mm").parse().ok())
        .unwrap_or(0.0)
}

/// Every text's box. The SVG gives a font size `s`; the PNG draws the same
/// layout with glyphs of an em of `1.24 s / 1.164` (plotters' scale for
/// DejaVu Sans), the larger of the two, which is what is measured: the
/// advance widths, and from the baseline the cap height (0.73 em) up and
/// the descender (0.24 em) down. A `rotate(270, x, y)` turns the box about
/// its anchor.
fn text_boxes(svg: &str) -> Vec<TextBox> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter(|n| !n.text().unwrap_or("").trim().is_empty())
        .map(|n| {
            let text = n.text().unwrap_or("").trim().to_string();
            let size = attr(&n, "font-size");
            let bold = n.attribute("font-weight") == Some("bold");
            let em = size * 1.24 / 1.164;
            // The PNG's regular glyphs (plotters draws no bold), or the
            // bold ones an SVG viewer draws at the SVG's size.
            let w = advance(&text, false, (size * 1.24) as f32).max(advance(
                &text,
                bold,
                (size * 1.164) as f32,
            ));
            let (x, y) = (attr(&n, "x"), attr(&n, "y"));
            let baseline = match n.attribute("dy") {
                Some("0.76em") => 0.76 * size,
                Some("0.5ex") => 0.25 * size,
                Some("-0.5ex") => -0.25 * size,
                _ => 0.0,
            };
            let (a0, a1) = match n.attribute("text-anchor") {
                Some("middle") => (-w / 2.0, w / 2.0),
                Some("end") => (-w, 0.0),
                _ => (0.0, w),
            };
            let (b0, b1) = (baseline - 0.73 * em, baseline + 0.24 * em);
            let rect = if n
                .attribute("transform")
                .is_some_and(|t| t.starts_with("rotate(270"))
            {
                // (x + a, y + b) turns to (x + b, y - a).
                (x + b0, y - a1, x + b1, y - a0)
            } else {
                (x + a0, y + b0, x + a1, y + b1)
            };
            TextBox { text, rect, size }
        })
        .collect()
}

/// The SVG root's printed width in mm and its view box width and height.
fn svg_size(svg: &str) -> (String, f64, f64) {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let root = doc.root_element();
    let vb: Vec<f64> = root
        .attribute("viewBox")
        .unwrap()
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    (root.attribute("width").unwrap().to_string(), vb[2], vb[3])
}

/// What a referee checks on one chart at one size: the SVG's printed size,
/// every text inside the canvas and apart from the others, none below the
/// size's minimum; and, when there, the PNG at 300 dpi and the PDF's page.
fn check_chart(stem: &Path, mm: f64, least_pt: f64) {
    let svg_path = stem.with_extension("svg");
    let svg = std::fs::read_to_string(&svg_path)
        .unwrap_or_else(|e| panic!("{}: {e}", svg_path.display()));
    let name = svg_path.display().to_string();
    let (width, w, h) = svg_size(&svg);
    assert_eq!(width, format!("{mm:.2}mm"), "{name}: printed width");
    let px = (mm / 25.4 * 300.0).round();
    assert_eq!(w, px, "{name}: {mm} mm at 300 dpi is {px} px");
    let pt_per_px = mm / 25.4 * 72.0 / w;
    let boxes = text_boxes(&svg);
    assert!(!boxes.is_empty(), "{name}: no text");
    for b in &boxes {
        let pt = b.size * pt_per_px;
        assert!(pt >= least_pt, "{name}: {:?} prints at {pt:.2} pt", b.text);
        let (x0, y0, x1, y1) = b.rect;
        assert!(
            x0 >= 0.0 && y0 >= 0.0 && x1 <= w && y1 <= h,
            "{name}: {:?} at {:?} leaves the {w} x {h} canvas",
            b.text,
            b.rect
        );
    }
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            let dx = a.rect.2.min(b.rect.2) - a.rect.0.max(b.rect.0);
            let dy = a.rect.3.min(b.rect.3) - a.rect.1.max(b.rect.1);
            assert!(
                dx <= 1.0 || dy <= 1.0,
                "{name}: {:?} {:?} overlaps {:?} {:?}",
                a.text,
                a.rect,
                b.text,
                b.rect
            );
        }
    }
    let png_path = stem.with_extension("png");
    if png_path.exists() {
        let img = image::open(&png_path).unwrap();
        assert_eq!(
            (f64::from(img.width()), f64::from(img.height())),
            (w, h),
            "{}: the PNG is the SVG's layout at 300 dpi",
            png_path.display()
        );
    }
    let pdf_path = stem.with_extension("pdf");
    if pdf_path.exists() {
        let pdf = std::fs::read(&pdf_path).unwrap();
        let text = String::from_utf8_lossy(&pdf);
        let at = text.find("/MediaBox").expect("a media box") + "/MediaBox".len();
        let at = at + text[at..].find('[').expect("the box's numbers") + 1;
        let f: Vec<f64> = text[at..]
            .split(']')
            .next()
            .unwrap()
            .split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect();
        let page_mm = (f[2] - f[0]) / 72.0 * 25.4;
        assert!(
            (page_mm - mm).abs() < 0.1,
            "{}: page {page_mm} mm wide",
            pdf_path.display()
        );
        let page_h = (f[3] - f[1]) / 72.0 * 25.4;
        assert!((page_h - mm * h / w).abs() < 0.1, "page {page_h} mm high");
    }
}

/// `shortfall run SCENARIO --size SIZE` into a temporary folder; the run's
/// folder.
fn run_at(scenario: &Path, size: &str, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    shortfall()
        .arg("run")
        .arg(scenario)
        .args(["--quiet", "--trials", "2000", "--size", size, "--out"])
        .arg(out.path())
        .args(extra)
        .assert()
        .success();
    let name = std::fs::read_dir(out.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    (out, name)
}

fn check_run(dir: &Path, mm: f64, least: f64) {
    for chart in RUN_CHARTS {
        check_chart(&dir.join(chart), mm, least);
    }
}

#[test]
fn run_charts_fit_every_print_size() {
    for (size, mm, least) in SIZES {
        let (_out, dir) = run_at(
            Path::new("scenarios/japan-2024.toml"),
            size,
            &["--format", "svg,png,pdf"],
        );
        check_run(&dir, mm, least);
    }
}

#[test]
fn degenerate_runs_fit_a_single_column() {
    let none = scenario_file(&BASE.replace("SUPPLY", "1000.0"));
    let short = scenario_file(&BASE.replace("SUPPLY", "300.0"));
    let cases: [(&Path, &[&str]); 3] = [
        (none.path(), &[]),
        (short.path(), &["--set", "time.steps=1"]),
        (Path::new("scenarios/sakhalin2-cutoff.toml"), &[]),
    ];
    for (scenario, extra) in cases {
        let args = [&["--format", "svg"], extra].concat();
        let (_out, dir) = run_at(scenario, "single", &args);
        check_run(&dir, 85.0, 7.0);
    }
}

#[test]
fn a_long_title_and_sources_wrap_inside_a_single_column() {
    let (_out, dir) = run_at(
        Path::new("scenarios/japan-2024.toml"),
        "single",
        &[
            "--format",
            "svg",
            "--title",
            "exceedance=A Sakhalin-2 cut-off leaves Japan short in one winter in twenty, by about 0.3 Mt",
        ],
    );
    check_run(&dir, 85.0, 7.0);
}

#[test]
fn png_width_and_a_size_preset_are_refused_together() {
    let f = scenario_file(&BASE.replace("SUPPLY", "1000.0"));
    shortfall()
        .arg("run")
        .arg(f.path())
        .args(["--quiet", "--size", "single", "--png-width", "1200"])
        .assert()
        .code(2);
    shortfall()
        .arg("run")
        .arg(f.path())
        .args(["--quiet", "--size", "a4"])
        .assert()
        .code(2);
}

#[test]
fn comparison_charts_fit_every_print_size() {
    use shortfall::plot::compare::{
        Curve, Measure, SweepLine, TornadoBar, exceedance_overlay, sweep_chart, tornado,
    };
    use shortfall::plot::theme::Meta;
    use shortfall::report::Format;
    use shortfall::report::charts::{Canvas, Size};
    let meta = Meta {
        sources: vec![
            "METI Gas Statistics 2024".into(),
            "GIIGNL Annual Report 2024".into(),
        ],
        scenario: "policy-set".into(),
        title: "Sakhalin-2 cut-off policies".into(),
        trials: 1000,
        seed: 1,
        version: "test".into(),
        sha: "0123456789ab".into(),
        heading: None,
    };
    let curve = |label: &str, scale: f64| Curve {
        label: label.into(),
        shortfall_sorted: (0..1000)
            .map(|i| (i as f64 / 1000.0 - 0.9).max(0.0) * scale)
            .collect(),
    };
    let curves = [curve("baseline", 0.002), curve("more storage", 0.001)];
    let bars = [
        TornadoBar {
            label: "supplier.us.volume 8–14".into(),
            low: 0.11,
            high: 0.007,
        },
        TornadoBar {
            label: "storage.capacity 4.5–8".into(),
            low: 0.03,
            high: 0.01,
        },
    ];
    let lines = [SweepLine {
        label: String::new(),
        points: vec![(4.5, 0.03, 0.002), (6.0, 0.02, 0.002), (8.0, 0.01, 0.001)],
    }];
    let dir = tempfile::tempdir().unwrap();
    let formats = [Format::Svg, Format::Png, Format::Pdf];
    for (size, mm, least) in SIZES {
        let canvas = Canvas {
            size: size.parse::<Size>().unwrap(),
            png_width: 2400,
        };
        let stem = dir.path().join(format!("overlay-{size}"));
        exceedance_overlay(&stem, &formats, canvas, &meta, "Mt", &curves).unwrap();
        check_chart(&stem, mm, least);
        let stem = dir.path().join(format!("tornado-{size}"));
        let eue = Measure::volume("EUE", "Mt");
        tornado(&stem, &formats, canvas, &meta, &eue, 0.02, &bars).unwrap();
        check_chart(&stem, mm, least);
        let stem = dir.path().join(format!("sweep-{size}"));
        sweep_chart(
            &stem,
            &formats,
            canvas,
            &meta,
            ("storage.capacity", &eue),
            &lines,
        )
        .unwrap();
        check_chart(&stem, mm, least);
    }
}

#[test]
fn comparison_charts_choose_their_unit_from_the_data() {
    use shortfall::plot::compare::{Measure, SweepLine, TornadoBar, sweep_chart, tornado};
    use shortfall::plot::theme::Meta;
    use shortfall::report::Format;
    use shortfall::report::charts::Canvas;
    let meta = Meta {
        sources: vec!["METI Gas Statistics 2024".into()],
        scenario: "c".into(),
        title: "Small shortfalls".into(),
        trials: 1000,
        seed: 1,
        version: "test".into(),
        sha: "0123456789ab".into(),
        heading: None,
    };
    let dir = tempfile::tempdir().unwrap();
    let eue = Measure::volume("EUE", "Mt");
    // Tens of tonnes, given in Mt: shown in t, named on the axis.
    let bars = [TornadoBar {
        label: "storage.capacity 4.5–8".into(),
        low: 0.00003,
        high: 0.00001,
    }];
    let stem = dir.path().join("tornado");
    tornado(
        &stem,
        &[Format::Svg],
        Canvas::default(),
        &meta,
        &eue,
        0.00002,
        &bars,
    )
    .unwrap();
    let svg = std::fs::read_to_string(stem.with_extension("svg")).unwrap();
    let texts = crate::chart_design::texts(&svg);
    assert!(texts.iter().any(|t| t == "EUE (t)"), "{texts:?}");
    assert!(texts.iter().any(|t| t == "Baseline: 20 t"), "{texts:?}");
    assert!(
        texts.iter().any(|t| t == "Data: METI Gas Statistics 2024."),
        "the footer cites the sources: {texts:?}"
    );
    let lines = [SweepLine {
        label: String::new(),
        points: vec![(1.0, 0.02, 0.001), (2.0, 0.01, 0.001)],
    }];
    let stem = dir.path().join("sweep");
    sweep_chart(
        &stem,
        &[Format::Svg],
        Canvas::default(),
        &meta,
        ("x", &eue),
        &lines,
    )
    .unwrap();
    let svg = std::fs::read_to_string(stem.with_extension("svg")).unwrap();
    let texts = crate::chart_design::texts(&svg);
    assert!(texts.iter().any(|t| t == "EUE (kt)"), "{texts:?}");
    assert!(!texts.iter().any(|t| t.starts_with("0.0")), "{texts:?}");
}
