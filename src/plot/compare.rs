//! Charts that compare runs: exceedance curves of several scenarios
//! overlaid, and a tornado chart of how a measure moves with each input.

use std::path::{Path, PathBuf};

use plotters::prelude::*;

use super::theme::{Key, Meta, Theme, fmt_volume, frame, legend_below, palette};
use super::{Drawing, exceedance, theme_for, write_image};
use crate::error::Error;
use crate::report::Format;

/// One scenario's curve: a label and its per-trial total shortfall, sorted ascending.
#[derive(Debug, Clone)]
pub struct Curve {
    /// Legend label.
    pub label: String,
    /// Sorted total shortfall of every trial.
    pub shortfall_sorted: Vec<f64>,
}

/// One input's bar in a tornado chart: the measure at the input's low and
/// high settings.
#[derive(Debug, Clone)]
pub struct TornadoBar {
    /// What was varied, e.g. "US flexible capacity 4–12 Mt/yr".
    pub label: String,
    /// The measure with the input at its low setting.
    pub low: f64,
    /// The measure with the input at its high setting.
    pub high: f64,
}

/// Writes `drawing` to `path_stem.EXT` in each format.
fn write_chart(
    path_stem: &Path,
    formats: &[Format],
    png_width: u32,
    drawing: &impl Drawing,
) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for &f in formats {
        // Append the extension: a stem such as "sbl-0.21" keeps its dot.
        let path = PathBuf::from(format!("{}.{}", path_stem.display(), f.ext()));
        write_image(&path, f, &theme_for(f, png_width), drawing)?;
        out.push(path);
    }
    Ok(out)
}

/// Writes the overlaid exceedance curves of several scenarios to
/// `path_stem.{svg,png}` (PNGs `png_width` pixels wide). `meta` describes the comparison (its `title` and
/// `scenario` name the set); `unit` labels the x axis.
pub fn exceedance_overlay(
    path_stem: &Path,
    formats: &[Format],
    png_width: u32,
    meta: &Meta,
    unit: &str,
    curves: &[Curve],
) -> Result<Vec<PathBuf>, Error> {
    let list: Vec<(String, &[f64])> = curves
        .iter()
        .map(|c| (c.label.clone(), c.shortfall_sorted.as_slice()))
        .collect();
    write_chart(
        path_stem,
        formats,
        png_width,
        &Overlay {
            meta,
            unit,
            curves: &list,
        },
    )
}

/// Exceedance curves of several runs on one chart.
struct Overlay<'a> {
    meta: &'a Meta,
    unit: &'a str,
    curves: &'a [(String, &'a [f64])],
}

impl Drawing for Overlay<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, plotters::coord::Shift>,
        theme: &Theme,
    ) -> Result<(), String> {
        let title = "Shortfall exceedance: scenarios compared";
        let area = frame(root, theme, self.meta, title)?;
        exceedance::draw_curves(&area, theme, self.curves, self.unit, true)
    }
}

/// Writes a tornado chart to `path_stem.{svg,png}` (PNGs `png_width` pixels wide): bars from the measure at
/// each input's low setting to its high setting, around the baseline value,
/// widest at the top. `measure` names the x axis (with its unit).
pub fn tornado(
    path_stem: &Path,
    formats: &[Format],
    png_width: u32,
    meta: &Meta,
    measure: &str,
    baseline: f64,
    bars: &[TornadoBar],
) -> Result<Vec<PathBuf>, Error> {
    let mut sorted: Vec<&TornadoBar> = bars.iter().collect();
    sorted.sort_by(|a, b| (b.high - b.low).abs().total_cmp(&(a.high - a.low).abs()));
    write_chart(
        path_stem,
        formats,
        png_width,
        &Tornado {
            meta,
            measure,
            baseline,
            bars: &sorted,
        },
    )
}

/// Bars of a one-at-a-time sensitivity, widest first.
struct Tornado<'a> {
    meta: &'a Meta,
    measure: &'a str,
    baseline: f64,
    bars: &'a [&'a TornadoBar],
}

impl Drawing for Tornado<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, plotters::coord::Shift>,
        theme: &Theme,
    ) -> Result<(), String> {
        draw_tornado(
            root,
            theme,
            self.meta,
            self.measure,
            self.baseline,
            self.bars,
        )
    }
}

fn draw_tornado<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    theme: &Theme,
    meta: &Meta,
    measure: &str,
    baseline: f64,
    bars: &[&TornadoBar],
) -> Result<(), String> {
    let area = frame(root, theme, meta, "What moves the result most")?;
    let entries = vec![
        (
            Key::Fill(palette::BLUE.mix(0.85)),
            "Input at its low setting".to_string(),
        ),
        (
            Key::Fill(palette::VERMILLION.mix(0.85)),
            "Input at its high setting".to_string(),
        ),
        (
            Key::Line(palette::BLACK, false),
            format!(
                "Baseline: {}",
                fmt_volume(baseline, baseline.abs().max(1e-9))
            ),
        ),
    ];
    let area = legend_below(&area, theme, &entries)?;
    let n = bars.len().max(1);
    let lo = bars
        .iter()
        .flat_map(|b| [b.low, b.high])
        .fold(baseline, f64::min);
    let hi = bars
        .iter()
        .flat_map(|b| [b.low, b.high])
        .fold(baseline, f64::max);
    let pad = ((hi - lo) * 0.08).max(1e-9);
    let (x0, x1) = (lo - pad, hi + pad);
    let font = theme.text(14.0, palette::BLACK);
    let label_width = bars
        .iter()
        .map(|b| {
            area.estimate_text_size(&b.label, &font)
                .map(|(w, _)| w)
                .unwrap_or(0)
        })
        .max()
        .unwrap_or(0)
        + theme.px(24.0);
    let ticks = super::Ticks::categories(&bars.iter().map(|b| b.label.clone()).collect::<Vec<_>>());
    let mut chart = ChartBuilder::on(&area)
        .x_label_area_size(theme.px(60.0))
        .y_label_area_size(label_width)
        .build_cartesian_2d(x0..x1, ticks.axis(0.0..n as f64))
        .map_err(|e| e.to_string())?;
    super::theme::mesh(&mut chart, theme)
        .disable_y_mesh()
        .x_desc(measure.to_string())
        .label_style(font)
        .x_label_formatter(&|v| fmt_volume(*v, x1 - x0))
        .y_label_formatter(&|y| ticks.label(y))
        .draw()
        .map_err(|e| e.to_string())?;
    for (k, b) in bars.iter().enumerate() {
        let y = (n - 1 - k) as f64;
        for (v, color) in [(b.low, palette::BLUE), (b.high, palette::VERMILLION)] {
            chart
                .draw_series([Rectangle::new(
                    [(baseline, y + 0.2), (v, y + 0.8)],
                    color.mix(0.85).filled(),
                )])
                .map_err(|e| e.to_string())?;
        }
    }
    chart
        .draw_series(LineSeries::new(
            vec![(baseline, 0.0), (baseline, n as f64)],
            theme.line(palette::BLACK, 2.0),
        ))
        .map_err(|e| e.to_string())?;
    Ok(())
}
