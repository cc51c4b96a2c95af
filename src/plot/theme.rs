//! One look for every chart: font, Okabe–Ito palette, sizes that scale with
//! the image, and the frame (title, subtitle, source line).

use std::sync::Once;

use plotters::chart::{ChartContext, MeshStyle};
use plotters::coord::Shift;
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::prelude::*;
use plotters::style::{FontStyle, RGBColor};

use crate::report::charts::Print;

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
    /// The printed width in millimetres, for a PDF's page and the SVG's
    /// width and height (`None`: one user unit to a CSS pixel).
    pub width_mm: Option<f64>,
    /// The smallest font size, in base units (0 at the default size; a
    /// preset size raises every smaller text to it).
    pub min_font: f64,
}

impl Theme {
    /// A theme for an image `width` pixels wide with the usual 16:10 shape.
    pub fn new(width: u32) -> Theme {
        Theme {
            width,
            height: width * 5 / 8,
            scale: width as f64 / 1200.0,
            width_mm: None,
            min_font: 0.0,
        }
    }

    /// A theme for a preset size: `print.width_px()` pixels wide at 300
    /// dpi, laid out `print.layout` base units wide, with no text below
    /// [`Print::MIN_FONT`].
    pub fn print(print: &Print, tall: bool) -> Theme {
        let width = print.width_px();
        Theme {
            width,
            height: print.height_px(width, tall),
            scale: f64::from(width) / print.layout,
            width_mm: Some(print.width_mm),
            min_font: Print::MIN_FONT,
        }
    }

    /// Whether this is a preset (print) size rather than the default.
    pub fn is_print(&self) -> bool {
        self.width_mm.is_some()
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
        base.max(self.min_font) * self.scale
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

    /// The depth of an x label area of `base` base units: at a preset size
    /// room for an x-axis title wrapped onto two lines.
    pub fn x_area(&self, base: f64) -> u32 {
        self.px(if self.is_print() { base + 10.0 } else { base })
    }

    /// The width of a y label area of `base` base units: at a preset size
    /// one more line, for a y-axis title wrapped onto two.
    pub fn y_area(&self, base: f64) -> u32 {
        self.px(if self.is_print() { base + 20.0 } else { base })
    }

    /// How many month labels ("Jan 2024") fit across a plot on an area
    /// `width` pixels wide: 13 at the default size, fewer on a narrow print.
    pub fn month_labels(&self, width: u32) -> usize {
        if self.is_print() {
            let plot = width.saturating_sub(self.y_area(90.0) + self.px(48.0));
            (plot / self.px(88.0)).clamp(2, 13) as usize
        } else {
            13
        }
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
    /// A finding title in place of the chart's own (`--title`); `None`:
    /// the chart's own.
    pub heading: Option<String>,
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
    let (w, h) = chart.plotting_area().dim_in_pixel();
    let mut m = chart.configure_mesh();
    m.light_line_style(palette::GRID.mix(0.0))
        .bold_line_style(palette::GRID)
        .axis_desc_style(theme.text(16.0, palette::BLACK))
        .label_style(theme.text(14.0, palette::BLACK));
    if theme.is_print() {
        // As many tick labels as the plot has room for at this size.
        let (across, up) = tick_counts(theme, w, h);
        m.x_labels(across).y_labels(up);
        // Ticks below the x axis keep its labels clear of the lowest y label.
        m.set_tick_mark_size(plotters::chart::LabelAreaPosition::Bottom, theme.px(7.0));
    }
    m
}

/// The axis titles of a chart. At the default size plotters draws them (one
/// line each); at a preset size they are drawn here, each wrapped onto as
/// many lines as the plot's width (or height, for the y axis) needs.
#[derive(Debug, Clone, Default)]
pub struct AxisTitles {
    /// Under the x axis.
    pub x: Option<String>,
    /// Beside the y axis (rotated).
    pub y: Option<String>,
    /// Base font size (16 unless a chart says otherwise).
    pub size: f64,
}

impl AxisTitles {
    /// Titles for the x and y axes in the usual size.
    pub fn new(x: Option<String>, y: Option<String>) -> AxisTitles {
        AxisTitles { x, y, size: 16.0 }
    }

    /// The house mesh ([`mesh`]) with these titles where plotters draws them.
    pub fn mesh<'a, 'b, DB, X, Y, XT, YT>(
        &self,
        chart: &'b mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
        theme: &Theme,
    ) -> MeshStyle<'a, 'b, X, Y, DB>
    where
        DB: DrawingBackend,
        X: Ranged<ValueType = XT> + ValueFormatter<XT>,
        Y: Ranged<ValueType = YT> + ValueFormatter<YT>,
    {
        let mut m = mesh(chart, theme);
        m.axis_desc_style(theme.text(self.size, palette::BLACK));
        if !theme.is_print() {
            if let Some(x) = &self.x {
                m.x_desc(x.clone());
            }
            if let Some(y) = &self.y {
                m.y_desc(y.clone());
            }
        }
        m
    }

    /// At a preset size, draws the titles of the chart built on `area`
    /// with an x label area `x_area` and a y label area `y_area` pixels
    /// deep: wrapped, the x title centred under the plot and ending at the
    /// bottom of its label area, the y title rotated at the left edge of
    /// its label area.
    pub fn draw<DB: DrawingBackend, X: Ranged, Y: Ranged>(
        &self,
        area: &DrawingArea<DB, Shift>,
        chart: &ChartContext<'_, DB, Cartesian2d<X, Y>>,
        theme: &Theme,
        (x_area, y_area): (u32, u32),
    ) -> Result<(), String> {
        use plotters::style::text_anchor::{HPos, Pos, VPos};
        if !theme.is_print() {
            return Ok(());
        }
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        let (base_x, base_y) = area.get_base_pixel();
        let (px, py) = chart.plotting_area().get_pixel_range();
        let font = theme.text(self.size, palette::BLACK);
        let step = theme.px(self.size * 1.2) as i32;
        if let Some(x) = &self.x {
            // Centred under the plot and its y labels together.
            let lines = wrap(area, x, &font, px.end - px.start + y_area as i32)?;
            let centre = (px.start - y_area as i32 + px.end) / 2 - base_x;
            // Just below the tick labels, within the label area.
            let n = lines.len() as i32;
            let top =
                (py.end + theme.px(30.0) as i32).min(py.end + x_area as i32 - step * n) - base_y;
            let style = font.pos(Pos::new(HPos::Center, VPos::Top));
            for (k, line) in lines.into_iter().enumerate() {
                let y = top + step * k as i32;
                area.draw(&Text::new(line, (centre, y), style.clone()))
                    .map_err(err)?;
            }
        }
        if let Some(y) = &self.y {
            // Centred on the plot, as long as the area has room on both
            // sides of its middle.
            let (_, h) = area.dim_in_pixel();
            let middle = (py.start + py.end) / 2 - base_y;
            let reach = 2 * middle.min(h as i32 - middle);
            let lines = wrap(area, y, &font, reach.max(py.end - py.start))?;
            let left = px.start - y_area as i32 - base_x;
            let style = font
                .transform(FontTransform::Rotate270)
                .pos(Pos::new(HPos::Center, VPos::Top));
            for (k, line) in lines.into_iter().enumerate() {
                area.draw(&Text::new(
                    line,
                    (left + step * k as i32, middle),
                    style.clone(),
                ))
                .map_err(err)?;
            }
        }
        Ok(())
    }
}

/// How many tick labels fit across a plot `w` pixels wide and up one `h`
/// pixels high at a preset size (plotters places at most this many).
pub fn tick_counts(theme: &Theme, w: u32, h: u32) -> (usize, usize) {
    let across = (w / theme.px(80.0)).clamp(2, 10) as usize;
    let up = (h / theme.px(34.0)).clamp(2, 10) as usize;
    (across, up)
}

/// Draws the title, the subtitle (scenario, trials, seed) and the source
/// line, each wrapped onto as many lines as the width needs, and returns
/// the area left for the plot.
pub fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    theme: &Theme,
    meta: &Meta,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let pad = theme.px(24.0) as i32;
    let room = theme.width as i32 - 2 * pad;
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    // A smaller title in print, where the caption carries most of it.
    let title_size = if theme.is_print() { 18.0 } else { 24.0 };
    let title = meta.heading.as_deref().unwrap_or(title);
    let title_font = theme.bold(title_size, palette::BLACK);
    let title_step = theme.px(title_size * 1.25) as i32;
    // Bold text is a little wider in an SVG viewer than plotters measures.
    let title_lines = wrap(root, title, &title_font, room * 94 / 100)?;
    for (k, line) in title_lines.iter().enumerate() {
        let y = theme.px(16.0) as i32 + title_step * k as i32;
        root.draw(&Text::new(line.clone(), (pad, y), title_font.clone()))
            .map_err(err)?;
    }
    let subtitle = format!(
        "{} ({}) · {} trials · seed {}",
        meta.title,
        meta.scenario,
        group_thousands(meta.trials),
        meta.seed
    );
    let sub_font = theme.text(16.0, palette::GREY);
    let sub_step = theme.px(20.0) as i32;
    let below_title = title_step * (title_lines.len() as i32 - 1);
    let sub_lines = wrap(root, &subtitle, &sub_font, room)?;
    for (k, line) in sub_lines.iter().enumerate() {
        let y = theme.px(50.0) as i32 + below_title + sub_step * k as i32;
        root.draw(&Text::new(line.clone(), (pad, y), sub_font.clone()))
            .map_err(err)?;
    }
    let top = theme.px(82.0) as i32 + below_title + sub_step * (sub_lines.len() as i32 - 1);
    let mut paragraphs = Vec::new();
    if !meta.sources.is_empty() {
        paragraphs.push(format!("Data: {}.", meta.sources.join("; ")));
    }
    paragraphs.push(format!(
        "Source: shortfall {} Monte Carlo simulation, scenario {} (SHA-256 {}).",
        meta.version, meta.scenario, meta.sha
    ));
    let foot_font = theme.text(12.0, palette::GREY);
    let mut lines = Vec::new();
    for p in &paragraphs {
        lines.extend(wrap(root, p, &foot_font, room)?);
    }
    let h = theme.height as i32;
    let line_h = theme.px(FOOTER_LINE) as i32;
    let first = h - theme.px(30.0) as i32 - line_h * (lines.len() as i32 - 1);
    for (k, line) in lines.iter().enumerate() {
        root.draw(&Text::new(
            line.clone(),
            (pad, first + line_h * k as i32),
            foot_font.clone(),
        ))
        .map_err(err)?;
    }
    let footer = theme.px(40.0) as i32 + line_h * (lines.len() as i32 - 1);
    Ok(root.margin(
        top.max(0) as u32,
        footer.max(0) as u32,
        theme.px(12.0),
        theme.px(36.0),
    ))
}

/// Draws a note inside a plot at the data point `at`, wrapped onto lines
/// that fit between `at` and the plot's right edge (one text, exactly as a
/// plain [`Text`], when it fits).
pub fn note<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    at: (X::ValueType, Y::ValueType),
    text: &str,
    style: TextStyle<'static>,
    step: i32,
) -> Result<(), String>
where
    DB: DrawingBackend,
    X: Ranged,
    Y: Ranged,
    X::ValueType: Clone + 'static,
    Y::ValueType: Clone + 'static,
{
    let (x, _) = chart.backend_coord(&at);
    let (range, _) = chart.plotting_area().get_pixel_range();
    let lines = wrap(chart.plotting_area(), text, &style, range.end - x)?;
    if lines.len() == 1 {
        return chart
            .draw_series([Text::new(text.to_string(), at, style)])
            .map(|_| ())
            .map_err(|e| e.to_string());
    }
    for (k, line) in lines.into_iter().enumerate() {
        let element =
            EmptyElement::at(at.clone()) + Text::new(line, (0, step * k as i32), style.clone());
        chart.draw_series([element]).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// `text` cut to fit `width` pixels in `font`, ending in "…" when cut.
pub fn shorten<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    font: &TextStyle<'_>,
    width: i32,
) -> Result<String, String> {
    let fits = |s: &str| {
        area.estimate_text_size(s, font)
            .map(|(w, _)| w as i32 <= width)
            .map_err(|e| e.to_string())
    };
    if fits(text)? {
        return Ok(text.to_string());
    }
    let chars: Vec<char> = text.chars().collect();
    for keep in (1..chars.len()).rev() {
        let s: String = chars[..keep]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_string()
            + "…";
        if fits(&s)? {
            return Ok(s);
        }
    }
    Ok("…".to_string())
}

/// `text` broken at spaces into lines no wider than `width` pixels in
/// `font`, measured with the font's metrics (a single word wider than
/// `width` keeps a line of its own). Text that fits stays one line.
pub fn wrap<DB: DrawingBackend, CT: plotters::coord::CoordTranslate>(
    area: &DrawingArea<DB, CT>,
    text: &str,
    font: &TextStyle<'_>,
    width: i32,
) -> Result<Vec<String>, String> {
    let measure = |s: &str| {
        area.estimate_text_size(s, font)
            .map(|(w, _)| w as i32)
            .map_err(|e| e.to_string())
    };
    if measure(text)? <= width {
        return Ok(vec![text.to_string()]);
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && measure(&candidate)? > width {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    lines.push(line);
    Ok(lines)
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
    let line_step = theme.px(18.0) as i32; // further lines of a wrapped label
    // Align with the plot, past the y labels; in print, with the title.
    let left = theme.px(if theme.is_print() { 24.0 } else { 90.0 }) as i32;
    // Lay out entries left to right, wrapping; a label too long for a row
    // of its own is wrapped onto more lines.
    let room = width as i32 - left - swatch - gap;
    let mut rows: Vec<Vec<(i32, usize, Vec<String>)>> = vec![Vec::new()];
    let mut x = left;
    for (i, (_, label)) in entries.iter().enumerate() {
        let lines = wrap(area, label, &font, room)?;
        let mut w = 0;
        for line in &lines {
            let (lw, _) = area
                .estimate_text_size(line, &font)
                .map_err(|e| e.to_string())?;
            w = w.max(lw as i32);
        }
        let item = swatch + gap + w;
        if x + item > width as i32 && x > left {
            rows.push(Vec::new());
            x = left;
        }
        rows.last_mut().expect("a row").push((x, i, lines));
        x += item + spacing;
    }
    let heights: Vec<i32> = rows
        .iter()
        .map(|row| {
            let most = row.iter().map(|(_, _, l)| l.len()).max().unwrap_or(1) as i32;
            row_h + line_step * (most - 1)
        })
        .collect();
    let strip = heights.iter().sum::<i32>() + theme.px(8.0) as i32;
    let (plot, legend) = area.split_vertically(height as i32 - strip);
    let mut top = theme.px(8.0) as i32;
    for (row, row_height) in rows.iter().zip(&heights) {
        let y = top + row_h / 2;
        top += row_height;
        for (x, i, lines) in row {
            let key = &entries[*i].0;
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
            for (k, line) in lines.iter().enumerate() {
                legend
                    .draw(&Text::new(
                        line.clone(),
                        (x + swatch + gap, y + line_step * k as i32),
                        style.clone(),
                    ))
                    .map_err(err)?;
            }
        }
    }
    Ok(plot)
}
