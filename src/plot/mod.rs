//! Charts for papers: SVG (vector) and PNG (2400 px wide), one file per chart.
//!
//! Charts are drawn from [`ChartData`], which is built either from a run in
//! memory ([`ChartData::from_run`]) or from a finished run's files
//! ([`ChartData::load`], used by `shortfall plot`); both give the same bytes.

pub mod compare;
mod distribution;
mod exceedance;
mod missing;
mod storage;
pub mod theme;
mod timeline;

use std::path::{Path, PathBuf};

use ndarray::Array2;
use ndarray_npy::ReadNpyExt;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::Summary;
use crate::engine::SimOutput;
use crate::engine::trial::column;
use crate::error::Error;
use crate::stats::StepRow;
use crate::stats::summary::sorted_total;
use theme::{Meta, Theme};

/// Image formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Scalable vector graphics, 1200 × 750 user units.
    Svg,
    /// PNG, 2400 pixels wide by default (see `--png-width`).
    Png,
}

impl Format {
    /// File extension.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
        }
    }

    /// Parses a comma-separated list such as `svg,png`.
    pub fn parse_list(text: &str) -> Result<Vec<Format>, Error> {
        text.split(',')
            .map(|s| match s.trim() {
                "svg" => Ok(Format::Svg),
                "png" => Ok(Format::Png),
                other => Err(Error::Usage(format!(
                    "--format: unknown chart format \"{other}\"; allowed: svg, png (comma-separated)"
                ))),
            })
            .collect()
    }

    /// The theme for this format; PNGs are `png_width` pixels wide.
    pub(crate) fn theme(self, png_width: u32) -> Theme {
        match self {
            Format::Svg => Theme::new(1200),
            Format::Png => Theme::new(png_width),
        }
    }
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
}

fn meta_of(s: &Summary) -> Meta {
    Meta {
        scenario: s.scenario.clone(),
        title: s.title.clone(),
        trials: s.trials,
        seed: s.seed,
        version: s.version.clone(),
        sha: s.scenario_sha256.chars().take(12).collect(),
    }
}

impl ChartData {
    /// From a summary, the sorted per-trial total shortfall and the per-step rows.
    pub fn from_parts(
        summary: &Summary,
        shortfall_sorted: Vec<f64>,
        steps: Vec<StepRow>,
    ) -> ChartData {
        let sh = summary
            .metrics
            .column("shortfall")
            .expect("shortfall stats");
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
        }
    }

    /// From a run in memory; `steps` are its per-step rows (as written to
    /// timeseries.csv).
    pub fn from_run(sim: &SimOutput, summary: &Summary, steps: Vec<StepRow>) -> ChartData {
        let col = column("shortfall").expect("shortfall column");
        ChartData::from_parts(summary, sorted_total(sim.table.column(col)), steps)
    }

    /// From a finished run's folder (summary.json, timeseries.csv, trials.npy).
    pub fn load(dir: &Path) -> Result<(Summary, ChartData), Error> {
        let summary = crate::read_summary(&dir.join("summary.json"))?;
        let col = summary
            .columns
            .iter()
            .position(|c| c == "shortfall")
            .ok_or_else(|| {
                Error::Usage(format!(
                    "{}: `columns` lacks shortfall",
                    dir.join("summary.json").display()
                ))
            })?;
        let np = dir.join("trials.npy");
        let file = std::fs::File::open(&np).map_err(|source| Error::Read {
            path: np.clone(),
            source,
        })?;
        let table = Array2::<f64>::read_npy(file)
            .map_err(|e| Error::Usage(format!("{}: {e}", np.display())))?;
        let steps = read_timeseries(&dir.join("timeseries.csv"))?;
        let data = ChartData::from_parts(&summary, sorted_total(table.column(col)), steps);
        Ok((summary, data))
    }

    /// Fraction of trials with no shortfall.
    pub fn p_none(&self) -> f64 {
        let zero = self.shortfall_sorted.partition_point(|x| *x <= 0.0);
        zero as f64 / self.shortfall_sorted.len().max(1) as f64
    }
}

fn read_timeseries(path: &Path) -> Result<Vec<StepRow>, Error> {
    let bad = |e: &dyn std::fmt::Display| Error::Usage(format!("{}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut reader = csv::Reader::from_reader(file);
    let headers = reader.headers().map_err(|e| bad(&e))?.clone();
    let idx = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(&format!("missing column {name}")))
    };
    let names = crate::stats::steps::TIMESERIES_COLUMNS;
    let cols: Vec<usize> = names.iter().map(|n| idx(n)).collect::<Result<_, _>>()?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let r = record.map_err(|e| bad(&e))?;
        let f = |i: usize| -> Result<f64, Error> {
            r.get(cols[i])
                .unwrap_or("")
                .parse::<f64>()
                .map_err(|e| bad(&e))
        };
        rows.push(StepRow {
            step: f(0)? as usize,
            date: r.get(cols[1]).unwrap_or("").to_string(),
            demand_mean: f(2)?,
            supply_mean: f(3)?,
            lost_mean: f(4)?,
            substitute_mean: f(5)?,
            shortfall_mean: f(6)?,
            shortfall_prob: f(7)?,
            storage: [f(8)?, f(9)?, f(10)?, f(11)?, f(12)?],
            emergency_mean: f(13)?,
        });
    }
    Ok(rows)
}

/// The charts written for every run: (file stem, whether it is tall).
pub const CHARTS: [(&str, bool); 5] = [
    ("shortfall_distribution", false),
    ("exceedance", false),
    ("storage_fan", false),
    ("shortfall_over_time", true),
    ("lost_supply", false),
];

macro_rules! dispatch {
    ($name:expr, $area:expr, $data:expr, $theme:expr) => {
        match $name {
            "shortfall_distribution" => distribution::draw($area, $data, $theme),
            "exceedance" => exceedance::draw($area, $data, $theme),
            "storage_fan" => storage::draw($area, $data, $theme),
            "shortfall_over_time" => timeline::draw($area, $data, $theme),
            "lost_supply" => missing::draw($area, $data, $theme),
            other => Err(format!("unknown chart {other}")),
        }
    };
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
    Ok(buf)
}

/// Renders a PNG file atomically (drawn into a temporary file, then renamed).
pub fn png_file(
    path: &Path,
    theme: &Theme,
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), String>,
) -> Result<(), Error> {
    theme::register_fonts();
    let fail = |m: String| Error::Write {
        path: path.to_path_buf(),
        message: m,
    };
    let tmp = crate::output::temp_beside(path, ".png")?;
    {
        let root = BitMapBackend::new(tmp.path(), (theme.width, theme.height)).into_drawing_area();
        draw(&root).map_err(fail)?;
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    crate::output::publish(tmp, path)
}

/// Chart titles as used in summary.md, by file stem.
pub fn chart_title(stem: &str) -> &'static str {
    match stem {
        "shortfall_distribution" => "Distribution of total shortfall",
        "exceedance" => "Exceedance curve: P(shortfall > x)",
        "storage_fan" => "Storage level over time",
        "shortfall_over_time" => "When shortfalls happen",
        "lost_supply" => "Where the supply goes missing",
        _ => "Chart",
    }
}

/// Default PNG width in pixels (print resolution).
pub const PNG_WIDTH: u32 = 2400;

/// Writes every chart in every format into `dir`; returns the files written.
/// PNGs are `png_width` pixels wide (text and lines scale with it).
pub fn render_all(
    dir: &Path,
    data: &ChartData,
    formats: &[Format],
    png_width: u32,
) -> Result<Vec<PathBuf>, Error> {
    // Each file is drawn on its own, so they are drawn in parallel; `collect`
    // keeps their order.
    use rayon::prelude::*;
    let jobs: Vec<(&str, bool, Format)> = CHARTS
        .iter()
        .flat_map(|&(name, tall)| formats.iter().map(move |&f| (name, tall, f)))
        .collect();
    jobs.par_iter()
        .map(|&(name, tall, format)| {
            let mut theme = format.theme(png_width);
            if tall {
                theme = theme.tall();
            }
            let path = dir.join(format!("{name}.{}", format.ext()));
            match format {
                Format::Svg => {
                    let svg = svg_string(&theme, |root| dispatch!(name, root, data, &theme))
                        .map_err(|m| Error::Write {
                            path: path.clone(),
                            message: m,
                        })?;
                    crate::output::atomic_write(&path, |w| w.write_all(svg.as_bytes()))?;
                }
                Format::Png => png_file(&path, &theme, |root| dispatch!(name, root, data, &theme))?,
            }
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
    /// "Jan 2024" at the first step of each month (at most 13 labels, evenly thinned).
    pub(crate) fn months(steps: &[StepRow]) -> Ticks {
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
        let every = all.len().div_ceil(13).max(1);
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
