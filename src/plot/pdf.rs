//! PDF charts: the chart's SVG parsed by usvg and drawn into a vector PDF by
//! krilla (pure Rust), its text kept as text in the embedded DejaVu Sans
//! (subset), so a journal's checks find every font embedded. krilla numbers
//! its objects and fonts in the order they are drawn, so the same SVG gives
//! the same PDF bytes in every process.

use std::sync::{Arc, OnceLock};

use krilla::Document;
use krilla::geom::Size;
use krilla::page::PageSettings;
use krilla_svg::{SurfaceExt, SvgSettings};
use usvg::fontdb;

use super::theme::{FONT_BOLD, FONT_REGULAR};

/// CSS pixels per inch: the size an SVG user unit is shown at.
pub const CSS_DPI: f32 = 96.0;

/// PDF points per inch.
const PT_PER_INCH: f32 = 72.0;

/// The font database of every PDF: the two embedded faces, also standing
/// for the generic "sans-serif" the SVG names.
fn fonts() -> Arc<fontdb::Database> {
    static DB: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_font_data(FONT_REGULAR.to_vec());
        db.load_font_data(FONT_BOLD.to_vec());
        db.set_sans_serif_family("DejaVu Sans");
        Arc::new(db)
    })
    .clone()
}

/// Converts an SVG to a one-page PDF whose page is `width_mm` wide (the
/// height in proportion), or, without a width, one SVG user unit to a CSS
/// pixel (0.75 pt).
pub fn svg_to_pdf(svg: &str, width_mm: Option<f64>) -> Result<Vec<u8>, String> {
    let options = usvg::Options {
        fontdb: fonts(),
        font_family: "DejaVu Sans".to_string(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    let (w, h) = (tree.size().width(), tree.size().height());
    let pt_per_unit = match width_mm {
        Some(mm) if mm > 0.0 => (mm / 25.4) as f32 * PT_PER_INCH / w,
        _ => PT_PER_INCH / CSS_DPI,
    };
    let size = Size::from_wh(w * pt_per_unit, h * pt_per_unit)
        .ok_or_else(|| format!("a chart of {w} x {h} units has no page size"))?;

    let mut document = Document::new();
    let mut page = document.start_page_with(PageSettings::new(size));
    let mut surface = page.surface();
    let drawn = surface.draw_svg(&tree, size, SvgSettings::default());
    surface.finish();
    page.finish();
    drawn.ok_or("the chart could not be drawn into a PDF page")?;
    document
        .finish()
        .map_err(|e| format!("the PDF could not be written: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_width_pt(pdf: &[u8]) -> f64 {
        let text = String::from_utf8_lossy(pdf);
        let at = text.find("/MediaBox").expect("a media box") + "/MediaBox".len();
        let at = at + text[at..].find('[').expect("the box's numbers") + 1;
        let fields: Vec<f64> = text[at..]
            .split(']')
            .next()
            .unwrap()
            .split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect();
        fields[2] - fields[0]
    }

    #[test]
    fn a_pdf_keeps_its_text_in_an_embedded_font_at_the_width_asked() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="600" height="300"><text x="10" y="50" font-family="sans-serif" font-size="20">Share of trials</text></svg>"#;
        let pdf = svg_to_pdf(svg, Some(85.0)).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("DejaVuSans"), "the font is named");
        assert!(text.contains("/FontFile2"), "the font program is embedded");
        let mm = page_width_pt(&pdf) / 72.0 * 25.4;
        assert!((mm - 85.0).abs() < 0.1, "{mm} mm wide");
        assert_eq!(pdf, svg_to_pdf(svg, Some(85.0)).unwrap(), "the same bytes");
        let default = svg_to_pdf(svg, None).unwrap();
        assert!(
            (page_width_pt(&default) - 450.0).abs() < 0.5,
            "600 px at 96 dpi"
        );
    }
}
