//! One look for every chart: font, Okabe–Ito palette, sizes that scale with
//! the image, and the frame (title, subtitle, source line).

use std::sync::Once;

use plotters::chart::{ChartContext, MeshStyle};
use plotters::coord::Shift;
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::prelude::*;
use plotters::style::{FontStyle, RGBColor};

/// Okabe–Ito colour-blind-safe palette.
pub mod palette {
    use plotters::style::RGBColor;
    /// Black.
    pub const BLACK: RGBColor = RGBColor(0, 0, 0);
    /// Orange.
    pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
    /// Sky blue.
    pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
    /// Bluish green.
    pub const GREEN: RGBColor = RGBColor(0, 158, 115);
    /// Yellow.
    pub const YELLOW: RGBColor = RGBColor(240, 228, 66);
    /// Blue.
    pub const BLUE: RGBColor = RGBColor(0, 114, 178);
    /// Vermillion.
    pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
    /// Reddish purple.
    pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
    /// Series colours in order of use (ordered to stay distinct in greyscale).
    pub const SERIES: [RGBColor; 7] = [BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY_BLUE, BLACK];
    /// Grid lines.
    pub const GRID: RGBColor = RGBColor(225, 225, 225);
    /// Secondary text.
    pub const GREY: RGBColor = RGBColor(90, 90, 90);
}

static FONTS: Once = Once::new();

/// DejaVu Sans, embedded at build time.
pub(crate) const FONT_REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold, embedded at build time.
pub(crate) const FONT_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Registers the embedded DejaVu Sans (regular and bold) as "sans-serif".
pub fn register_fonts() {
    FONTS.call_once(|| {
        // The fonts are embedded at build time; failure would be a packaging bug.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT_REGULAR);
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, FONT_BOLD);
    });
}

/// Image size and the scale of text and strokes.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    /// Width in pixels (SVG user units).
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Multiplier on the base sizes (1.0 at 1200 px wide).
    pub scale: f64,
    /// The printed width in millimetres, for a PDF's page (`None`: one
    /// user unit to a CSS pixel).
    pub width_mm: Option<f64>,
}

impl Theme {
    /// A theme for an image `width` pixels wide with the usual 16:10 shape.
    pub fn new(width: u32) -> Theme {
        Theme {
            width,
            height: width * 5 / 8,
            scale: width as f64 / 1200.0,
            width_mm: None,
        }
    }

    /// A taller variant (for two-panel charts).
    pub fn tall(self) -> Theme {
        Theme {
            height: self.width * 3 / 4,
            ..self
        }
    }

    /// A length in pixels at this scale.
    pub fn px(&self, base: f64) -> u32 {
        (base * self.scale).round().max(1.0) as u32
    }

    /// A font size at this scale.
    pub fn size(&self, base: f64) -> f64 {
        base * self.scale
    }

    /// Text style of the given base size and colour.
    pub fn text(&self, base: f64, color: RGBColor) -> TextStyle<'static> {
        ("sans-serif", self.size(base)).into_font().color(&color)
    }

    /// Bold text style.
    pub fn bold(&self, base: f64, color: RGBColor) -> TextStyle<'static> {
        ("sans-serif", self.size(base))
            .into_font()
            .style(FontStyle::Bold)
            .color(&color)
    }

    /// A line style of the given base width.
    pub fn line(&self, color: RGBColor, base_width: f64) -> ShapeStyle {
        color.stroke_width(self.px(base_width))
    }
}

/// What every chart states about where it came from.
#[derive(Debug, Clone)]
pub struct Meta {
    /// Scenario name.
    pub scenario: String,
    /// Scenario title.
    pub title: String,
    /// Trials.
    pub trials: u64,
    /// Seed.
    pub seed: u64,
    /// shortfall version.
    pub version: String,
    /// First characters of the scenario hash.
    pub sha: String,
    /// Where the scenario's data come from (the footer cites them).
    pub sources: Vec<String>,
}

/// The house style for a chart's axes and grid: light grid at the major
/// ticks only, axis titles and tick labels in the theme's sizes.
pub fn mesh<'a, 'b, DB, X, Y, XT, YT>(
    chart: &'b mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    theme: &Theme,
) -> MeshStyle<'a, 'b, X, Y, DB>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = XT> + ValueFormatter<XT>,
    Y: Ranged<ValueType = YT> + ValueFormatter<YT>,
{
    let mut m = chart.configure_mesh();
    m.light_line_style(palette::GRID.mix(0.0))
        .bold_line_style(palette::GRID)
        .axis_desc_style(theme.text(16.0, palette::BLACK))
        .label_style(theme.text(14.0, palette::BLACK));
    m
}

/// Draws the title, the subtitle (scenario, trials, seed) and the source
/// line, and returns the area left for the plot.
pub fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    theme: &Theme,
    meta: &Meta,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let pad = theme.px(24.0) as i32;
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.draw(&Text::new(
        title.to_string(),
        (pad, theme.px(16.0) as i32),
        theme.bold(24.0, palette::BLACK),
    ))
    .map_err(err)?;
    let subtitle = format!(
        "{} ({}) · {} trials · seed {}",
        meta.title,
        meta.scenario,
        group_thousands(meta.trials),
        meta.seed
    );
    root.draw(&Text::new(
        subtitle,
        (pad, theme.px(50.0) as i32),
        theme.text(16.0, palette::GREY),
    ))
    .map_err(err)?;
    let mut lines = Vec::new();
    if !meta.sources.is_empty() {
        lines.push(format!("Data: {}.", meta.sources.join("; ")));
    }
    lines.push(format!(
        "Source: shortfall {} Monte Carlo simulation, scenario {} (SHA-256 {}).",
        meta.version, meta.scenario, meta.sha
    ));
    let h = theme.height as i32;
    let line_h = theme.px(FOOTER_LINE) as i32;
    let first = h - theme.px(30.0) as i32 - line_h * (lines.len() as i32 - 1);
    for (k, line) in lines.into_iter().enumerate() {
        root.draw(&Text::new(
            line,
            (pad, first + line_h * k as i32),
            theme.text(12.0, palette::GREY),
        ))
        .map_err(err)?;
    }
    let footer = theme.px(40.0) + theme.px(FOOTER_LINE) * meta.sources.len().min(1) as u32;
    Ok(root.margin(theme.px(82.0), footer, theme.px(12.0), theme.px(36.0)))
}

/// Height of a footer line, in base pixels.
const FOOTER_LINE: f64 = 18.0;

pub use crate::report::text::group_thousands;

/// A volume tick label with enough decimals to tell ticks apart over the
/// axis span (Mt with 1-2 decimals for typical spans, more for tiny ones).
pub fn fmt_volume(v: f64, span: f64) -> String {
    let decimals = if span >= 20.0 || span <= 0.0 || !span.is_finite() {
        0
    } else {
        ((-span.log10()).ceil() as i64 + 1).clamp(1, 8) as usize
    };
    format!("{v:.decimals$}")
}

/// A value with three significant digits ("0.00263", "1.23", "123").
pub fn fmt_sig(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = v.abs().log10().floor() as i64;
    let decimals = (2 - digits).clamp(0, 12) as usize;
    format!("{v:.decimals$}")
}

/// A probability tick label as a percentage.
pub fn fmt_percent(p: f64) -> String {
    let pct = p * 100.0;
    if pct == 0.0 {
        "0%".into()
    } else if pct >= 10.0 || (pct - pct.round()).abs() < 1e-9 && pct >= 1.0 {
        format!("{pct:.0}%")
    } else if pct >= 1.0 {
        format!("{pct:.1}%")
    } else {
        let decimals = (-pct.log10()).ceil() as usize + 1;
        let s = format!("{pct:.decimals$}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        format!("{s}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_formats() {
        assert_eq!(fmt_percent(0.5), "50%");
        assert_eq!(fmt_percent(0.01), "1%");
        assert_eq!(fmt_percent(0.001), "0.1%");
        assert_eq!(fmt_percent(0.0001), "0.01%");
        assert_eq!(fmt_percent(0.025), "2.5%");
        assert_eq!(fmt_volume(1.25, 3.0), "1.2");
        assert_eq!(fmt_volume(0.125, 0.5), "0.12");
        assert_eq!(fmt_volume(0.0001, 0.0005), "0.00010");
        assert_eq!(fmt_volume(12.0, 40.0), "12");
        assert_eq!(fmt_sig(0.002634), "0.00263");
        assert_eq!(fmt_sig(1.2345), "1.23");
        assert_eq!(fmt_sig(123.45), "123");
        assert_eq!(fmt_sig(0.0), "0");
    }
}

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy)]
pub enum Key {
    /// A line, solid or dashed.
    Line(RGBColor, bool),
    /// A filled box.
    Fill(RGBAColor),
}

/// Draws a legend in a strip below the plot (never over the data) and
/// returns the area left above it. Entries wrap onto as many rows as needed.
pub fn legend_below<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    entries: &[(Key, String)],
) -> Result<DrawingArea<DB, Shift>, String> {
    if entries.is_empty() {
        return Ok(area.clone());
    }
    let font = theme.text(14.0, palette::BLACK);
    let (width, height) = area.dim_in_pixel();
    let swatch = theme.px(26.0) as i32;
    let gap = theme.px(10.0) as i32;
    let spacing = theme.px(28.0) as i32;
    let row_h = theme.px(26.0) as i32;
    let left = theme.px(90.0) as i32; // align with the plot, past the y labels
    // Lay out entries left to right, wrapping.
    let mut rows: Vec<Vec<(i32, usize)>> = vec![Vec::new()];
    let mut x = left;
    for (i, (_, label)) in entries.iter().enumerate() {
        let (w, _) = area
            .estimate_text_size(label, &font)
            .map_err(|e| e.to_string())?;
        let item = swatch + gap + w as i32;
        if x + item > width as i32 && x > left {
            rows.push(Vec::new());
            x = left;
        }
        rows.last_mut().expect("a row").push((x, i));
        x += item + spacing;
    }
    let strip = row_h * rows.len() as i32 + theme.px(8.0) as i32;
    let (plot, legend) = area.split_vertically(height as i32 - strip);
    for (r, row) in rows.iter().enumerate() {
        let y = theme.px(8.0) as i32 + r as i32 * row_h + row_h / 2;
        for (x, i) in row {
            let (key, label) = &entries[*i];
            let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
            match key {
                Key::Line(color, dashed) => {
                    let style = theme.line(*color, 2.5);
                    if *dashed {
                        let third = swatch / 3;
                        for k in [0, 2] {
                            legend
                                .draw(&PathElement::new(
                                    vec![(x + k * third, y), (x + (k + 1) * third, y)],
                                    style,
                                ))
                                .map_err(err)?;
                        }
                    } else {
                        legend
                            .draw(&PathElement::new(vec![(*x, y), (x + swatch, y)], style))
                            .map_err(err)?;
                    }
                }
                Key::Fill(color) => {
                    let h = theme.px(7.0) as i32;
                    legend
                        .draw(&Rectangle::new(
                            [(*x, y - h), (x + swatch, y + h)],
                            color.filled(),
                        ))
                        .map_err(err)?;
                }
            }
            let style = font.pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Left,
                plotters::style::text_anchor::VPos::Center,
            ));
            legend
                .draw(&Text::new(label.clone(), (x + swatch + gap, y), style))
                .map_err(err)?;
        }
    }
    Ok(plot)
}
