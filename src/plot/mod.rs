//! Charts for papers: SVG (vector) and PNG (2400 px wide), one file per chart.
//!
//! Charts are drawn from [`ChartData`], which is built from a run's report
//! (its [`Summary`], the sorted total shortfall of every trial and the
//! per-step rows), whether the run is in memory or read back from its
//! folder by `shortfall plot`: both give the same bytes. Which charts exist,
//! their titles and their file names are in [`crate::report::charts`].

pub mod compare;
mod distribution;
mod exceedance;
mod missing;
mod pdf;
mod storage;
pub mod theme;
mod timeline;
pub mod units;

use std::io;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::atomic::atomic_write;
use crate::engine::Column;
use crate::error::Error;
use crate::report::charts::{Canvas, ChartNotes, SVG_WIDTH};
use crate::report::{Chart, Format, Summary};
use crate::stats::StepRow;
use theme::{Meta, Theme};

/// The theme for a format on `canvas`, `tall` for a two-panel chart. At
/// the default size SVGs and PDFs are [`SVG_WIDTH`] user units wide and
/// PNGs `canvas.png_width` pixels; a preset size draws every format at its
/// printed width at 300 dpi.
pub(crate) fn theme_for(format: Format, canvas: Canvas, tall: bool) -> Theme {
    let theme = match (canvas.size.print(), format) {
        (Some(print), _) => return Theme::print(&print, tall),
        (None, Format::Png) => Theme::new(canvas.png_width),
        (None, Format::Svg | Format::Pdf) => Theme::new(SVG_WIDTH),
    };
    if tall { theme.tall() } else { theme }
}

/// Everything the charts draw.
#[derive(Debug, Clone)]
pub struct ChartData {
    /// Provenance for subtitles and source lines.
    pub meta: Meta,
    /// Volume unit.
    pub unit: String,
    /// Step length name (day, week, ...).
    pub step: String,
    /// Total shortfall of every trial, sorted ascending.
    pub shortfall_sorted: Vec<f64>,
    /// Mean total shortfall (EUE).
    pub mean: f64,
    /// P95 of total shortfall.
    pub p95: f64,
    /// CVaR95 of total shortfall.
    pub cvar95: f64,
    /// Per-step rows (dates, means, storage percentiles).
    pub steps: Vec<StepRow>,
    /// Storage operating floor.
    pub storage_minimum: f64,
    /// Storage capacity.
    pub storage_capacity: f64,
    /// Mean lost volume by supplier, labelled by the supplier's name.
    pub lost_by_supplier: Vec<(String, f64)>,
    /// Mean lost volume by event (gross).
    pub lost_by_event: Vec<(String, f64)>,
    /// Mean demand added by each event with a demand effect (gross).
    pub demand_by_event: Vec<(String, f64)>,
    /// Titles, sources and certain events (empty: default titles).
    pub notes: ChartNotes,
}

/// The subtitle and footer facts of a run's charts: its name, title, trials,
/// seed, version and the start of its scenario hash.
pub fn meta_of(s: &Summary) -> Meta {
    Meta {
        scenario: s.scenario.clone(),
        title: s.title.clone(),
        trials: s.trials,
        seed: s.seed,
        version: s.version.clone(),
        sha: s.scenario_sha256.chars().take(12).collect(),
        sources: Vec::new(),
        heading: None,
    }
}

impl ChartData {
    /// From a summary, the sorted per-trial total shortfall and the per-step rows.
    pub fn new(summary: &Summary, shortfall_sorted: Vec<f64>, steps: Vec<StepRow>) -> ChartData {
        let sh = summary.metrics.column(Column::Shortfall);
        ChartData {
            meta: meta_of(summary),
            unit: summary.unit.clone(),
            step: summary.step.clone(),
            shortfall_sorted,
            mean: sh.mean,
            p95: sh.p95,
            cvar95: sh.cvar95,
            steps,
            storage_minimum: summary.storage_minimum,
            storage_capacity: summary.storage_capacity,
            lost_by_supplier: summary
                .lost_by_supplier
                .iter()
                .map(|e| {
                    // The supplier's display name (its id if the summary does
                    // not list it).
                    let info = summary.suppliers.iter().find(|s| s.id == e.id);
                    (info.map_or(e.id.clone(), |s| s.name.clone()), e.mean)
                })
                .collect(),
            lost_by_event: summary
                .lost_by_event
                .iter()
                .map(|e| (e.id.clone(), e.mean))
                .collect(),
            demand_by_event: summary
                .demand_by_event
                .iter()
                .map(|e| (e.id.clone(), e.mean))
                .collect(),
            notes: ChartNotes::default(),
        }
    }

    /// With the titles, sources and event markers of `notes`.
    pub fn with_notes(mut self, notes: ChartNotes) -> ChartData {
        self.meta.sources = notes.sources.clone();
        self.notes = notes;
        self
    }

    /// The title drawn on `chart`.
    pub fn title(&self, chart: Chart) -> String {
        self.notes.title(chart)
    }

    /// Draws `chart`'s frame (title, subtitle, footer) on `root` and
    /// returns the area left for the plot.
    pub(crate) fn frame<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        theme: &Theme,
        chart: Chart,
    ) -> Result<DrawingArea<DB, Shift>, String> {
        theme::frame(root, theme, &self.meta, &self.title(chart))
    }

    /// The unit this chart's volumes are shown in: the one in which
    /// `largest` (in the scenario's unit) reads between 1 and 1000.
    pub fn unit_for(&self, largest: f64) -> units::DisplayUnit {
        units::DisplayUnit::for_values(&self.unit, largest)
    }

    /// Fraction of trials with no shortfall.
    pub fn p_none(&self) -> f64 {
        let zero = self.shortfall_sorted.partition_point(|x| *x <= 0.0);
        zero as f64 / self.shortfall_sorted.len().max(1) as f64
    }
}

/// Something that draws itself on any plotters backend (SVG or bitmap).
pub(crate) trait Drawing {
    /// Draws on `area` in `theme`'s sizes.
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        theme: &Theme,
    ) -> Result<(), String>;
}

/// One of a run's charts of its data.
struct RunChart<'a> {
    chart: Chart,
    data: &'a ChartData,
}

impl Drawing for RunChart<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        theme: &Theme,
    ) -> Result<(), String> {
        let data = self.data;
        match self.chart {
            Chart::ShortfallDistribution => distribution::draw(area, data, theme),
            Chart::Exceedance => exceedance::draw(area, data, theme),
            Chart::StorageFan => storage::draw(area, data, theme),
            Chart::ShortfallOverTime => timeline::draw(area, data, theme),
            Chart::LostSupply => missing::draw(area, data, theme),
        }
    }
}

/// Writes one image file atomically in `format`.
pub(crate) fn write_image(
    path: &Path,
    format: Format,
    theme: &Theme,
    drawing: &impl Drawing,
) -> Result<(), Error> {
    match format {
        Format::Svg => {
            let svg = svg_string(theme, |root| drawing.draw(root, theme))
                .map_err(|m| Error::write(path, io::Error::other(m)))?;
            atomic_write(path, |w| w.write_all(svg.as_bytes()))
        }
        Format::Png => png_file(path, theme, |root| drawing.draw(root, theme)),
        Format::Pdf => {
            let fail = |m: String| Error::write(path, io::Error::other(m));
            let svg = svg_string(theme, |root| drawing.draw(root, theme)).map_err(fail)?;
            let pdf = pdf::svg_to_pdf(&svg, theme.width_mm).map_err(fail)?;
            atomic_write(path, |w| w.write_all(&pdf))
        }
    }
}

/// Renders an SVG into a string.
pub fn svg_string(
    theme: &Theme,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), String>,
) -> Result<String, String> {
    theme::register_fonts();
    let mut buf = String::new();
    {
        let root =
            SVGBackend::with_string(&mut buf, (theme.width, theme.height)).into_drawing_area();
        draw(&root)?;
        root.present().map_err(|e| e.to_string())?;
    }
    if let Some(mm) = theme.width_mm {
        buf = with_printed_size(&buf, theme, mm);
    }
    Ok(buf)
}

/// `svg` with its root's `width` and `height` in millimetres (`width_mm`
/// across, the height in proportion); the `viewBox` keeps the pixels.
fn with_printed_size(svg: &str, theme: &Theme, width_mm: f64) -> String {
    let height_mm = width_mm * f64::from(theme.height) / f64::from(theme.width);
    let old = format!(r#"width="{}" height="{}""#, theme.width, theme.height);
    let new = format!(r#"width="{width_mm:.2}mm" height="{height_mm:.2}mm""#);
    svg.replacen(&old, &new, 1)
}

/// Renders a PNG file atomically (written to a temporary file, then
/// renamed): drawn into an RGB buffer, then encoded with png's fast deflate
/// and adaptive row filters (the same pixels as plotters' own encoder gave,
/// in files about 100 bytes smaller and about a third of the encoding time).
pub fn png_file(
    path: &Path,
    theme: &Theme,
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), String>,
) -> Result<(), Error> {
    theme::register_fonts();
    let fail = |m: String| Error::write(path, io::Error::other(m));
    let (w, h) = (theme.width, theme.height);
    let mut pixels = vec![0u8; w as usize * h as usize * 3];
    // Fresh, untouched memory (about 11 MB at the default width): a few
    // 2 MiB faults instead of thousands.
    crate::pages::advise_huge_pages(&pixels);
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
        draw(&root).map_err(fail)?;
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    atomic_write(path, |out| {
        let mut encoder = png::Encoder::new(out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        encoder.set_filter(png::Filter::Adaptive);
        let mut writer = encoder.write_header().map_err(io::Error::other)?;
        writer.write_image_data(&pixels).map_err(io::Error::other)?;
        writer.finish().map_err(io::Error::other)
    })
}

/// Writes every chart in every format into `dir`, drawn on `canvas`;
/// returns the files written.
pub fn render_all(
    dir: &Path,
    data: &ChartData,
    formats: &[Format],
    canvas: Canvas,
) -> Result<Vec<PathBuf>, Error> {
    // Each file is drawn on its own, so they are drawn in parallel; `collect`
    // keeps their order.
    use rayon::prelude::*;
    let jobs: Vec<(Chart, Format)> = Chart::ALL
        .iter()
        .flat_map(|&chart| formats.iter().map(move |&f| (chart, f)))
        .collect();
    jobs.par_iter()
        .map(|&(chart, format)| {
            let print = canvas.size.print().is_some();
            let mut theme = theme_for(
                format,
                canvas,
                chart.tall() || print && chart.tall_in_print(),
            );
            if chart == Chart::LostSupply {
                theme.height = missing::print_height(data, &theme);
            }
            let path = dir.join(chart.file_name(format));
            write_image(&path, format, &theme, &RunChart { chart, data })?;
            Ok(path)
        })
        .collect()
}

/// Tick positions with their labels, for a [`KeyAxis`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Ticks {
    pub(crate) keys: Vec<f64>,
    labels: Vec<String>,
}

impl Ticks {
    /// "Jan 2024" at the first step of each month (at most `most` labels,
    /// evenly thinned).
    pub(crate) fn months(steps: &[StepRow], most: usize) -> Ticks {
        let mut all: Vec<(f64, String)> = Vec::new();
        let mut last = "";
        for (i, row) in steps.iter().enumerate() {
            let ym = row.date.get(..7).unwrap_or("");
            if ym != last {
                if let Ok(d) = chrono::NaiveDate::parse_from_str(&format!("{ym}-01"), "%Y-%m-%d") {
                    all.push((i as f64, d.format("%b %Y").to_string()));
                }
                last = ym;
            }
        }
        let every = all.len().div_ceil(most.max(1)).max(1);
        let (keys, labels) = all.into_iter().step_by(every).unzip();
        Ticks { keys, labels }
    }

    /// Category labels at 0.5, 1.5, ...: the first name at the top.
    pub(crate) fn categories(names: &[String]) -> Ticks {
        Ticks {
            keys: (0..names.len()).map(|i| i as f64 + 0.5).collect(),
            labels: names.iter().rev().cloned().collect(),
        }
    }

    /// The axis for these ticks over `range`.
    pub(crate) fn axis(&self, range: std::ops::Range<f64>) -> KeyAxis {
        KeyAxis::new(range, self.keys.clone())
    }

    /// The label at tick position `x` (empty elsewhere).
    pub(crate) fn label(&self, x: &f64) -> String {
        self.keys
            .iter()
            .position(|k| (k - x).abs() < 1e-9)
            .map(|i| self.labels[i].clone())
            .unwrap_or_default()
    }
}

/// A continuous axis whose ticks sit at given positions (month starts,
/// category centres), labelled by the chart's own formatter.
#[derive(Debug, Clone)]
pub(crate) struct KeyAxis {
    lo: f64,
    hi: f64,
    keys: Vec<f64>,
}

impl KeyAxis {
    pub(crate) fn new(range: std::ops::Range<f64>, keys: Vec<f64>) -> KeyAxis {
        KeyAxis {
            lo: range.start,
            hi: range.end,
            keys,
        }
    }
}

impl plotters::coord::ranged1d::Ranged for KeyAxis {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let f = (value - self.lo) / (self.hi - self.lo);
        limit.0 + (f * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<H: plotters::coord::ranged1d::KeyPointHint>(&self, _hint: H) -> Vec<f64> {
        self.keys.clone()
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}
