//! Charts that compare runs: exceedance curves of several scenarios
//! overlaid, and a tornado chart of how a measure moves with each input.

use std::path::{Path, PathBuf};

use plotters::prelude::*;

use super::theme::{AxisTitles, Key, Meta, Theme, fmt_volume, frame, legend_below, palette};
use super::units::DisplayUnit;
use super::{Drawing, exceedance, theme_for, write_image};
use crate::error::Error;
use crate::report::Format;
use crate::report::charts::Canvas;

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

/// What a comparison chart's values measure, for its axis title.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    /// Its name, without a unit ("EUE", "Shortfall").
    pub name: String,
    /// The values' unit (`None`: no unit, e.g. a correlation).
    pub unit: Option<String>,
    /// Whether the values are volumes in the scenario's `unit`: the chart
    /// then shows them in the unit chosen from the data (t, kt, Mt, ...;
    /// one unit per chart), as the run charts do.
    pub volume: bool,
}

impl Measure {
    /// Volumes in the scenario's `unit`.
    pub fn volume(name: &str, unit: &str) -> Measure {
        Measure {
            name: name.to_string(),
            unit: Some(unit.to_string()),
            volume: true,
        }
    }

    /// Values in a fixed `unit` (or none).
    pub fn other(name: &str, unit: Option<&str>) -> Measure {
        Measure {
            name: name.to_string(),
            unit: unit.map(str::to_string),
            volume: false,
        }
    }

    /// The axis title and the factor to the shown unit for values whose
    /// largest magnitude is `largest`.
    pub fn shown(&self, largest: f64) -> (String, f64) {
        match self.unit_shown(largest) {
            (Some(u), f) => (format!("{} ({u})", self.name), f),
            (None, f) => (self.name.clone(), f),
        }
    }

    /// The unit the values are shown in, when values up to `largest` are
    /// drawn, and the factor from the values to it.
    pub fn unit_shown(&self, largest: f64) -> (Option<String>, f64) {
        match (&self.unit, self.volume) {
            (Some(u), true) => {
                let d = DisplayUnit::for_values(u, largest);
                (Some(d.name), d.factor)
            }
            (Some(u), false) => (Some(u.clone()), 1.0),
            (None, _) => (None, 1.0),
        }
    }
}

/// The largest finite magnitude among `values` (0 when none).
fn largest(values: impl IntoIterator<Item = f64>) -> f64 {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(0.0, |a, v| a.max(v.abs()))
}

/// Writes `drawing` to `path_stem.EXT` in each format.
fn write_chart(
    path_stem: &Path,
    formats: &[Format],
    canvas: Canvas,
    drawing: &impl Drawing,
) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for &f in formats {
        // Append the extension: a stem such as "sbl-0.21" keeps its dot.
        let path = PathBuf::from(format!("{}.{}", path_stem.display(), f.ext()));
        write_image(&path, f, &theme_for(f, canvas, false), drawing)?;
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
    canvas: Canvas,
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
        canvas,
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
/// widest at the top. `measure` names the x axis; volumes are shown in the
/// unit chosen from the data, named in the axis title.
pub fn tornado(
    path_stem: &Path,
    formats: &[Format],
    canvas: Canvas,
    meta: &Meta,
    measure: &Measure,
    baseline: f64,
    bars: &[TornadoBar],
) -> Result<Vec<PathBuf>, Error> {
    let most = largest(bars.iter().flat_map(|b| [b.low, b.high]).chain([baseline]));
    let (axis, f) = measure.shown(most);
    let unit = measure.unit_shown(most).0;
    let baseline = baseline * f;
    let bars: Vec<TornadoBar> = bars
        .iter()
        .map(|b| TornadoBar {
            label: b.label.clone(),
            low: b.low * f,
            high: b.high * f,
        })
        .collect();
    let mut sorted: Vec<&TornadoBar> = bars.iter().collect();
    sorted.sort_by(|a, b| (b.high - b.low).abs().total_cmp(&(a.high - a.low).abs()));
    write_chart(
        path_stem,
        formats,
        canvas,
        &Tornado {
            meta,
            measure: &axis,
            baseline: (baseline, unit.as_deref()),
            bars: &sorted,
        },
    )
}

/// Bars of a one-at-a-time sensitivity, widest first.
struct Tornado<'a> {
    meta: &'a Meta,
    measure: &'a str,
    /// The baseline value and its unit as shown.
    baseline: (f64, Option<&'a str>),
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
    (baseline, unit): (f64, Option<&str>),
    bars: &[&TornadoBar],
) -> Result<(), String> {
    let area = frame(root, theme, meta, "What moves the result most")?;
    // In print, the widest bars that have room for their labels; the
    // legend says how many narrower ones are left out.
    let room = if theme.is_print() {
        let (_, h) = area.dim_in_pixel();
        let rows = h.saturating_sub(theme.px(260.0)) / theme.px(22.0);
        (rows as usize).max(3)
    } else {
        usize::MAX
    };
    let left_out = bars.len().saturating_sub(room);
    let bars = &bars[..bars.len() - left_out];
    let mut entries = vec![
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
                "Baseline: {}{}",
                fmt_volume(baseline, baseline.abs().max(1e-9)),
                unit.map_or(String::new(), |u| format!(" {u}"))
            ),
        ),
    ];
    if left_out > 0 {
        entries.push((
            Key::Fill(WHITE.mix(1.0)),
            format!("{left_out} inputs with narrower bars not shown"),
        ));
    }
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
    // In print, labels take at most 45% of the width (longer ones are cut).
    let (area_w, _) = area.dim_in_pixel();
    let label_width = if theme.is_print() {
        label_width.min(area_w * 9 / 20)
    } else {
        label_width
    };
    let room = label_width as i32 - theme.px(24.0) as i32;
    let names = bars
        .iter()
        .map(|b| super::theme::shorten(&area, &b.label, &font, room))
        .collect::<Result<Vec<_>, _>>()?;
    let ticks = super::Ticks::categories(&names);
    let label_areas = (theme.x_area(60.0), label_width);
    let mut chart = ChartBuilder::on(&area)
        .x_label_area_size(label_areas.0)
        .y_label_area_size(label_areas.1)
        .build_cartesian_2d(x0..x1, ticks.axis(0.0..n as f64))
        .map_err(|e| e.to_string())?;
    let titles = AxisTitles::new(Some(measure.to_string()), None);
    titles
        .mesh(&mut chart, theme)
        .disable_y_mesh()
        .label_style(font)
        .y_labels(n)
        .x_label_formatter(&|v| fmt_volume(*v, x1 - x0))
        .y_label_formatter(&|y| ticks.label(y))
        .draw()
        .map_err(|e| e.to_string())?;
    titles.draw(&area, &chart, theme, label_areas)?;
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

/// One run's per-trial differences from the base run, for
/// [`differences_histogram`].
#[derive(Debug, Clone)]
pub struct Differences {
    /// Legend label (the run's label).
    pub label: String,
    /// Per trial: the run's value minus the base run's.
    pub diffs: Vec<f64>,
}

/// Writes a histogram of per-trial differences to `path_stem.{svg,png}`:
/// for each run, the share of all trials whose difference from the base
/// falls in each bin (about 40, with an edge at 0, over the 0.1-99.9% range
/// of the non-zero differences; the end bins also hold what lies beyond);
/// trials with no difference are left out of the bars and counted in the
/// legend; a vertical line marks 0. Pass differences within rounding noise
/// as exactly 0. `measure`
/// names the x axis (volumes in the unit chosen from the data) and `base`
/// the base run.
pub fn differences_histogram(
    path_stem: &Path,
    formats: &[Format],
    canvas: Canvas,
    meta: &Meta,
    measure: &Measure,
    base: &str,
    runs: &[Differences],
) -> Result<Vec<PathBuf>, Error> {
    let (measure, f) = measure.shown(largest(runs.iter().flat_map(|r| r.diffs.iter().copied())));
    let runs: Vec<Differences> = runs
        .iter()
        .map(|r| Differences {
            label: r.label.clone(),
            diffs: r.diffs.iter().map(|d| d * f).collect(),
        })
        .collect();
    write_chart(
        path_stem,
        formats,
        canvas,
        &DiffHistogram {
            meta,
            measure: &measure,
            base,
            runs: &runs,
        },
    )
}

/// Bins of the per-trial differences of several runs.
struct DiffHistogram<'a> {
    meta: &'a Meta,
    measure: &'a str,
    base: &'a str,
    runs: &'a [Differences],
}

/// Bins of the differences histogram.
const DIFF_BINS: usize = 40;

impl Drawing for DiffHistogram<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, plotters::coord::Shift>,
        theme: &Theme,
    ) -> Result<(), String> {
        let title = format!("How each trial changes against {}", self.base);
        let area = frame(root, theme, self.meta, &title)?;
        let nonzero = |d: &f64| *d != 0.0;
        // Bins with an edge at 0, so that no bar mixes gains and losses,
        // over the 0.1%-99.9% range of the non-zero differences; the end
        // bins also hold what lies beyond.
        let pooled = crate::stats::sorted_total(
            self.runs
                .iter()
                .flat_map(|r| r.diffs.iter().filter(|d| nonzero(d))),
        );
        let pick = |q: f64| {
            if pooled.is_empty() {
                0.0
            } else {
                pooled[((q * pooled.len() as f64) as usize).min(pooled.len() - 1)]
            }
        };
        let (q_lo, q_hi) = (pick(0.001).min(0.0), pick(0.999).max(0.0));
        let reach = q_lo.abs().max(q_hi.abs());
        let width = if reach > 0.0 {
            reach / (DIFF_BINS / 2) as f64
        } else {
            1.0
        };
        let first = (q_lo / width).floor() as i64;
        let last = ((q_hi / width).ceil() as i64).max(first + 1);
        let bins = (last - first) as usize;
        let (lo, hi) = (first as f64 * width, last as f64 * width);
        let bin =
            |d: f64| (((d / width).floor() as i64 - first).clamp(0, bins as i64 - 1)) as usize;
        let mut counts: Vec<Vec<f64>> = Vec::with_capacity(self.runs.len());
        let mut entries = Vec::new();
        for (k, r) in self.runs.iter().enumerate() {
            let n = r.diffs.len().max(1) as f64;
            let mut c = vec![0.0; bins];
            for d in r.diffs.iter().filter(|d| nonzero(d)) {
                c[bin(*d)] += 100.0 / n;
            }
            let higher = r.diffs.iter().filter(|d| **d > 0.0).count() as f64 / n;
            let lower = r.diffs.iter().filter(|d| **d < 0.0).count() as f64 / n;
            let color = palette::SERIES[k % palette::SERIES.len()];
            entries.push((
                Key::Fill(color.mix(0.55)),
                format!(
                    "{}: higher in {:.2}% of trials, lower in {:.2}%, the same in {:.2}%",
                    r.label,
                    higher * 100.0,
                    lower * 100.0,
                    (1.0 - higher - lower) * 100.0
                ),
            ));
            counts.push(c);
        }
        entries.push((Key::Line(palette::BLACK, false), "No change".to_string()));
        let area = legend_below(&area, theme, &entries)?;
        let top = counts
            .iter()
            .flatten()
            .fold(0.0f64, |a, b| a.max(*b))
            .max(1e-6)
            * 1.1;
        let (x0, x1) = (lo, hi);
        let label_areas = (theme.x_area(60.0), theme.y_area(80.0));
        let mut chart = ChartBuilder::on(&area)
            .x_label_area_size(label_areas.0)
            .y_label_area_size(label_areas.1)
            .build_cartesian_2d(x0..x1, 0.0..top)
            .map_err(|e| e.to_string())?;
        let titles = AxisTitles::new(
            Some(format!("{} minus {}", self.measure, self.base)),
            Some("Share of all trials (%)".into()),
        );
        titles
            .mesh(&mut chart, theme)
            .x_label_formatter(&|v| fmt_volume(*v, x1 - x0))
            .y_label_formatter(&|v| format!("{v:.2}"))
            .draw()
            .map_err(|e| e.to_string())?;
        titles.draw(&area, &chart, theme, label_areas)?;
        for (k, c) in counts.iter().enumerate() {
            let color = palette::SERIES[k % palette::SERIES.len()];
            chart
                .draw_series(
                    c.iter()
                        .enumerate()
                        .filter(|(_, h)| **h > 0.0)
                        .map(|(i, h)| {
                            let a = lo + i as f64 * width;
                            Rectangle::new([(a, 0.0), (a + width, *h)], color.mix(0.55).filled())
                        }),
                )
                .map_err(|e| e.to_string())?;
        }
        chart
            .draw_series(LineSeries::new(
                vec![(0.0, 0.0), (0.0, top)],
                theme.line(palette::BLACK, 2.0),
            ))
            .map_err(|e| e.to_string())?;
        Ok(())
    }
}

/// One line of a sweep chart: the metric at each value of the swept
/// parameter, with its standard error.
#[derive(Debug, Clone)]
pub struct SweepLine {
    /// Legend label (the second parameter's value), empty for a single line.
    pub label: String,
    /// (x, value, SE) per point, in x order.
    pub points: Vec<(f64, f64, f64)>,
}

/// Writes a chart of a metric against a swept parameter to
/// `path_stem.{svg,png}`: one line per value of a second parameter, each
/// with a 95% band (±1.96 SE). `x_label` names the x axis and `measure`
/// the y axis (volumes in the unit chosen from the data).
pub fn sweep_chart(
    path_stem: &Path,
    formats: &[Format],
    canvas: Canvas,
    meta: &Meta,
    (x_label, measure): (&str, &Measure),
    lines: &[SweepLine],
) -> Result<Vec<PathBuf>, Error> {
    let all = lines.iter().flat_map(|l| l.points.iter());
    let (y_label, f) = measure.shown(largest(all.map(|p| p.1.abs() + 1.96 * p.2.abs())));
    let lines: Vec<SweepLine> = lines
        .iter()
        .map(|l| SweepLine {
            label: l.label.clone(),
            points: l.points.iter().map(|p| (p.0, p.1 * f, p.2 * f)).collect(),
        })
        .collect();
    write_chart(
        path_stem,
        formats,
        canvas,
        &Sweep {
            meta,
            x_label,
            y_label: &y_label,
            lines: &lines,
        },
    )
}

/// A metric against a swept parameter.
struct Sweep<'a> {
    meta: &'a Meta,
    x_label: &'a str,
    y_label: &'a str,
    lines: &'a [SweepLine],
}

impl Drawing for Sweep<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, plotters::coord::Shift>,
        theme: &Theme,
    ) -> Result<(), String> {
        let title = format!("{} as {} varies", self.y_label, self.x_label);
        let area = frame(root, theme, self.meta, &title)?;
        let mut entries: Vec<(Key, String)> = self
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.label.is_empty())
            .map(|(k, l)| {
                (
                    Key::Line(palette::SERIES[k % palette::SERIES.len()], false),
                    l.label.clone(),
                )
            })
            .collect();
        entries.push((
            Key::Fill(palette::GREY.mix(0.25)),
            "95% confidence band (±1.96 SE)".to_string(),
        ));
        let area = legend_below(&area, theme, &entries)?;
        let all = || self.lines.iter().flat_map(|l| l.points.iter());
        let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
        let (x0, x1) = all().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.0), b.max(p.0))
        });
        let (y0, y1) = all().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            let s = 1.96 * finite(p.2);
            (a.min(p.1 - s), b.max(p.1 + s))
        });
        let (x0, x1) = if x1 > x0 {
            (x0, x1)
        } else {
            (x0 - 1.0, x0 + 1.0)
        };
        let pad = ((y1 - y0) * 0.08).max(1e-12);
        let (y0, y1) = (y0 - pad, y1 + pad);
        let label_areas = (theme.x_area(60.0), theme.y_area(90.0));
        let mut chart = ChartBuilder::on(&area)
            .x_label_area_size(label_areas.0)
            .y_label_area_size(label_areas.1)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(|e| e.to_string())?;
        let titles = AxisTitles::new(
            Some(self.x_label.to_string()),
            Some(self.y_label.to_string()),
        );
        titles
            .mesh(&mut chart, theme)
            .x_label_formatter(&|v| fmt_volume(*v, x1 - x0))
            .y_label_formatter(&|v| fmt_volume(*v, y1 - y0))
            .draw()
            .map_err(|e| e.to_string())?;
        titles.draw(&area, &chart, theme, label_areas)?;
        for (k, l) in self.lines.iter().enumerate() {
            let color = palette::SERIES[k % palette::SERIES.len()];
            let mut band: Vec<(f64, f64)> = l
                .points
                .iter()
                .map(|p| (p.0, p.1 + 1.96 * finite(p.2)))
                .collect();
            band.extend(
                l.points
                    .iter()
                    .rev()
                    .map(|p| (p.0, p.1 - 1.96 * finite(p.2))),
            );
            chart
                .draw_series([Polygon::new(band, color.mix(0.2).filled())])
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(LineSeries::new(
                    l.points.iter().map(|p| (p.0, p.1)),
                    theme.line(color, 3.0),
                ))
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(
                    l.points
                        .iter()
                        .map(|p| Circle::new((p.0, p.1), theme.px(5.0), color.filled())),
                )
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}
