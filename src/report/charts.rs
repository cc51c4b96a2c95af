//! The charts every run draws and the image formats they come in: names,
//! titles and file names, shared by the chart renderer (`plot`) and the
//! writers that link or clean up chart files (`output`).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::scenario::Model;

/// What a run's charts state beyond its data: the titles and source lines
/// of the scenario's `[report]` table (or `--title`), and the events certain
/// to occur at a fixed step, marked on the chart over time. Kept in run.json
/// (absent when empty), so that `shortfall plot` draws the same charts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChartNotes {
    /// Titles by chart file stem (e.g. "exceedance"); a chart not named
    /// keeps its default title.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub titles: BTreeMap<String, String>,
    /// Where the scenario's data come from, one source a line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// Events that occur in every trial at a fixed step: (id, first step).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certain_events: Vec<(String, usize)>,
    /// Events that remove no supply at source, with what they do instead
    /// ("raises demand", "cuts substitute capacity"): the chart of lost
    /// supply says so rather than draw them at zero.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_effects: Vec<(String, String)>,
}

impl ChartNotes {
    /// The notes of `model`: its `[report]` titles and sources, and every
    /// event that occurs in each trial (probability 1, not conditional on
    /// another) at a fixed start day, with the step it starts at.
    pub fn of(model: &Model) -> ChartNotes {
        ChartNotes {
            titles: model.report.titles.clone(),
            sources: model.report.sources.clone(),
            certain_events: model.certain_event_starts(),
            other_effects: model
                .events
                .iter()
                .filter(|e| e.supply.is_empty())
                .filter_map(|e| {
                    let mut does = Vec::new();
                    if e.demand.is_some() {
                        does.push("raises demand");
                    }
                    if !e.substitute.is_empty() {
                        does.push("cuts substitute capacity");
                    }
                    (!does.is_empty()).then(|| (e.id.clone(), does.join(", ")))
                })
                .collect(),
        }
    }

    /// Whether there is nothing to note.
    pub fn is_empty(&self) -> bool {
        self.titles.is_empty()
            && self.sources.is_empty()
            && self.certain_events.is_empty()
            && self.other_effects.is_empty()
    }

    /// The title of `chart`: the one given, else its default.
    pub fn title(&self, chart: Chart) -> String {
        self.titles
            .get(chart.stem())
            .cloned()
            .unwrap_or_else(|| chart.default_heading().to_string())
    }
}

/// One of the charts drawn for every run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Chart {
    /// Histogram of total shortfall.
    ShortfallDistribution,
    /// P(shortfall > x).
    Exceedance,
    /// Storage level percentiles over time.
    StorageFan,
    /// When shortfalls happen: per-step probability and mean.
    ShortfallOverTime,
    /// Mean lost volume by supplier and by event.
    LostSupply,
}

impl Chart {
    /// Every chart, in the order they are written and listed.
    pub const ALL: [Chart; 5] = [
        Chart::ShortfallDistribution,
        Chart::Exceedance,
        Chart::StorageFan,
        Chart::ShortfallOverTime,
        Chart::LostSupply,
    ];

    /// File stem (the file is `STEM.svg` or `STEM.png`).
    pub const fn stem(self) -> &'static str {
        match self {
            Chart::ShortfallDistribution => "shortfall_distribution",
            Chart::Exceedance => "exceedance",
            Chart::StorageFan => "storage_fan",
            Chart::ShortfallOverTime => "shortfall_over_time",
            Chart::LostSupply => "lost_supply",
        }
    }

    /// Title as used in summary.md.
    pub const fn title(self) -> &'static str {
        match self {
            Chart::ShortfallDistribution => "Distribution of total shortfall",
            Chart::Exceedance => "Exceedance curve: P(shortfall > x)",
            Chart::StorageFan => "Storage level over time",
            Chart::ShortfallOverTime => "When shortfalls happen",
            Chart::LostSupply => "Where the supply goes missing",
        }
    }

    /// The title drawn on the chart unless the scenario's `[report]` table
    /// (or `--title`) gives one.
    pub const fn default_heading(self) -> &'static str {
        match self {
            Chart::ShortfallDistribution => "Distribution of total shortfall",
            Chart::Exceedance => "How likely is a shortfall larger than x?",
            Chart::StorageFan => "Storage level: median and spread across trials",
            Chart::ShortfallOverTime => "When shortfalls happen",
            Chart::LostSupply => "Where the supply goes missing",
        }
    }

    /// The chart whose file stem is `stem`.
    pub fn from_stem(stem: &str) -> Option<Chart> {
        Chart::ALL.into_iter().find(|c| c.stem() == stem)
    }

    /// Whether it is drawn taller than the others (two panels).
    pub const fn tall(self) -> bool {
        matches!(self, Chart::ShortfallOverTime)
    }

    /// Whether a preset (print) size draws it taller than the others too:
    /// the lost-supply chart, whose rows need the height in one column.
    pub const fn tall_in_print(self) -> bool {
        matches!(self, Chart::LostSupply)
    }

    /// Its file name in `format`.
    pub fn file_name(self, format: Format) -> String {
        format!("{}.{}", self.stem(), format.ext())
    }
}

/// Image formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Scalable vector graphics, [`SVG_WIDTH`] × 750 user units.
    Svg,
    /// PNG, [`PNG_WIDTH`] pixels wide by default (see `--png-width`).
    Png,
    /// PDF, vector, converted from the SVG with its fonts embedded.
    Pdf,
}

/// Width of SVG charts in user units.
pub const SVG_WIDTH: u32 = 1200;
/// Default PNG width in pixels (print resolution).
pub const PNG_WIDTH: u32 = 2400;

/// The printed size of the charts (`--size`): the default screen-and-paper
/// layout, or a preset for a journal column or a slide, drawn for its
/// physical width with text that stays legible there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Size {
    /// SVG 1200 user units wide (a CSS pixel each), PNG `--png-width` pixels.
    #[default]
    Default,
    /// A single journal column: 85 mm wide, text at least 7 pt.
    Single,
    /// A double (full-page) journal column: 175 mm wide, text at least 7 pt.
    Double,
    /// A presentation slide: 254 mm (10 in) wide, text at least 12 pt.
    Slide,
}

/// What a preset [`Size`] fixes: the printed width, the layout width (the
/// width in the base units every font size, line and margin is given in)
/// and the height as a share of the width, for ordinary and tall charts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Print {
    /// Printed width in millimetres.
    pub width_mm: f64,
    /// Layout width in base units: the smallest text (14 base units, see
    /// [`Print::MIN_FONT`]) prints at 14 / 1.24 × (printed width in pt /
    /// this) pt.
    pub layout: f64,
    /// Height / width of an ordinary chart.
    pub ratio: f64,
    /// Height / width of a tall (two-panel) chart.
    pub tall_ratio: f64,
}

impl Print {
    /// The smallest base font size at a preset size: every smaller text
    /// (source line, value labels) is raised to it.
    pub const MIN_FONT: f64 = 14.0;
    /// Resolution of preset PNGs, dots per inch.
    pub const DPI: f64 = 300.0;

    /// The PNG (and SVG user-unit) width: the printed width at 300 dpi.
    pub fn width_px(&self) -> u32 {
        (self.width_mm / 25.4 * Print::DPI).round() as u32
    }

    /// The height in pixels for `width` pixels across.
    pub fn height_px(&self, width: u32, tall: bool) -> u32 {
        let r = if tall { self.tall_ratio } else { self.ratio };
        (f64::from(width) * r).round() as u32
    }

    /// The smallest font size printed, in points (plotters writes a font
    /// of size s as `font-size` s / 1.24).
    pub fn smallest_pt(&self) -> f64 {
        Print::MIN_FONT / 1.24 * (self.width_mm / 25.4 * 72.0) / self.layout
    }
}

impl Size {
    /// Every size.
    pub const ALL: [Size; 4] = [Size::Default, Size::Single, Size::Double, Size::Slide];

    /// Its name on the command line.
    pub const fn name(self) -> &'static str {
        match self {
            Size::Default => "default",
            Size::Single => "single",
            Size::Double => "double",
            Size::Slide => "slide",
        }
    }

    /// What the preset fixes (`None` for the default size).
    pub const fn print(self) -> Option<Print> {
        match self {
            Size::Default => None,
            Size::Single => Some(Print {
                width_mm: 85.0,
                layout: 388.0,
                ratio: 1.5,
                tall_ratio: 2.0,
            }),
            Size::Double => Some(Print {
                width_mm: 175.0,
                layout: 795.0,
                ratio: 0.625,
                tall_ratio: 0.75,
            }),
            Size::Slide => Some(Print {
                width_mm: 254.0,
                layout: 675.0,
                ratio: 0.75,
                tall_ratio: 0.75,
            }),
        }
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Size {
    type Err = String;

    /// `default`, `single`, `double` or `slide`.
    fn from_str(s: &str) -> Result<Size, String> {
        Size::ALL
            .into_iter()
            .find(|z| z.name() == s.trim())
            .ok_or_else(|| {
                format!(
                    "unknown chart size \"{}\"; allowed: default, single, double, slide",
                    s.trim()
                )
            })
    }
}

/// How big the charts are drawn: the [`Size`] and, at the default size,
/// the PNG width in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Canvas {
    /// The size preset.
    pub size: Size,
    /// PNG width at the default size (presets are 300 dpi at their width).
    pub png_width: u32,
}

impl Default for Canvas {
    fn default() -> Canvas {
        Canvas {
            size: Size::Default,
            png_width: PNG_WIDTH,
        }
    }
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 3] = [Format::Svg, Format::Png, Format::Pdf];

    /// File extension.
    pub const fn ext(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
            Format::Pdf => "pdf",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.ext())
    }
}

impl FromStr for Format {
    type Err = String;

    /// `svg`, `png` or `pdf`.
    fn from_str(s: &str) -> Result<Format, String> {
        match s.trim() {
            "svg" => Ok(Format::Svg),
            "png" => Ok(Format::Png),
            "pdf" => Ok(Format::Pdf),
            other => Err(format!(
                "unknown chart format \"{other}\"; allowed: svg, png, pdf (comma-separated)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_back_and_keep_text_legible_at_their_width() {
        for z in Size::ALL {
            assert_eq!(z.to_string().parse::<Size>(), Ok(z));
        }
        assert!(
            "a4".parse::<Size>()
                .unwrap_err()
                .contains("allowed: default")
        );
        let single = Size::Single.print().unwrap();
        assert_eq!(single.width_px(), 1004, "85 mm at 300 dpi");
        assert_eq!(Size::Double.print().unwrap().width_px(), 2067);
        for (z, least) in [
            (Size::Single, 7.0),
            (Size::Double, 7.0),
            (Size::Slide, 12.0),
        ] {
            let pt = z.print().unwrap().smallest_pt();
            assert!(pt >= least && pt < least + 0.2, "{z}: {pt} pt");
        }
    }

    #[test]
    fn formats_read_back_and_charts_have_distinct_files() {
        for f in Format::ALL {
            assert_eq!(f.to_string().parse::<Format>(), Ok(f));
        }
        assert!(
            "eps"
                .parse::<Format>()
                .unwrap_err()
                .contains("allowed: svg, png, pdf")
        );
        let mut names: Vec<String> = Chart::ALL
            .iter()
            .map(|c| c.file_name(Format::Png))
            .collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Chart::ALL.len());
    }
}
