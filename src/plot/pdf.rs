//! PDF charts: the chart's SVG converted to a vector PDF (svg2pdf, pure
//! Rust), its text kept as text in the embedded DejaVu Sans (subset), so a
//! journal's checks find every font embedded.

use std::sync::{Arc, OnceLock};

use svg2pdf::usvg::{self, fontdb};

use super::theme::{FONT_BOLD, FONT_REGULAR};

/// CSS pixels per inch: the size an SVG user unit is shown at.
pub const CSS_DPI: f32 = 96.0;

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

/// Converts an SVG to a PDF whose page is `width_mm` wide (the height in
/// proportion), or, without a width, one SVG user unit to a CSS pixel.
pub fn svg_to_pdf(svg: &str, width_mm: Option<f64>) -> Result<Vec<u8>, String> {
    let options = usvg::Options {
        fontdb: fonts(),
        font_family: "DejaVu Sans".to_string(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    // Points per user unit = 72 / dpi.
    let dpi = match width_mm {
        Some(mm) if mm > 0.0 => (f64::from(tree.size().width()) / (mm / 25.4)) as f32,
        _ => CSS_DPI,
    };
    let pdf = svg2pdf::to_pdf(
        &tree,
        svg2pdf::ConversionOptions::default(),
        svg2pdf::PageOptions { dpi },
    )
    .map_err(|e| e.to_string())?;
    Ok(pdf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_width_pt(pdf: &[u8]) -> f64 {
        let text = String::from_utf8_lossy(pdf);
        let at = text.find("/MediaBox [").expect("a media box") + "/MediaBox [".len();
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
        let default = svg_to_pdf(svg, None).unwrap();
        assert!(
            (page_width_pt(&default) - 450.0).abs() < 0.5,
            "600 px at 96 dpi"
        );
    }
}
