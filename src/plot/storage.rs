//! Chart 3: storage fan chart over calendar dates: P5–P95 and P25–P75
//! bands, the median, the scenario's floor (`storage.minimum`) and its
//! capacity. The y axis runs from just below the floor to just above the
//! capacity: storage never leaves that range.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::theme::{Key, Theme, fmt_sig, fmt_volume, legend_below, palette};
use super::{ChartData, Ticks};
use crate::report::Chart;

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    theme: &Theme,
) -> Result<(), String> {
    let area = data.frame(root, theme, Chart::StorageFan)?;
    let steps = data.steps.len();
    let u = data.unit_for(data.storage_capacity);
    let (lo, hi) = (u.of(data.storage_minimum), u.of(data.storage_capacity));
    let (y_min, y_max) = y_range(lo, hi);
    let ticks = Ticks::months(&data.steps, theme.month_labels(area.dim_in_pixel().0));
    let x_range = ticks.axis(-0.5..(steps as f64 - 0.5).max(0.5));
    let outer = palette::SKY_BLUE.mix(0.35);
    let inner = palette::BLUE.mix(0.45);
    let entries = if hi > 0.0 {
        vec![
            (Key::Fill(outer), "5th–95th percentile".to_string()),
            (Key::Fill(inner), "25th–75th percentile".to_string()),
            (Key::Line(palette::BLUE, false), "Median".to_string()),
            (
                Key::Line(palette::VERMILLION, true),
                format!(
                    "Floor kept in reserve: {} {} (storage.minimum)",
                    fmt_sig(lo),
                    u.name
                ),
            ),
            (
                Key::Line(palette::GREY, false),
                format!("Capacity {} {}", fmt_sig(hi), u.name),
            ),
        ]
    } else {
        Vec::new()
    };
    let area = legend_below(&area, theme, &entries)?;

    let label_areas = (theme.x_area(60.0), theme.y_area(90.0));
    let mut chart = ChartBuilder::on(&area)
        .x_label_area_size(label_areas.0)
        .y_label_area_size(label_areas.1)
        .build_cartesian_2d(x_range, y_min..y_max)
        .map_err(|e| e.to_string())?;
    let label_of = |x: &f64| ticks.label(x);
    let titles = super::theme::AxisTitles::new(
        Some(format!("Date (end of each {})", data.step)),
        Some(format!("Storage level ({})", u.name)),
    );
    titles
        .mesh(&mut chart, theme)
        .x_label_formatter(&label_of)
        .y_label_formatter(&|v| fmt_volume(*v, y_max - y_min))
        .draw()
        .map_err(|e| e.to_string())?;
    titles.draw(&area, &chart, theme, label_areas)?;

    if hi <= 0.0 {
        super::theme::note(
            &mut chart,
            (steps as f64 * 0.05, 0.55),
            "No storage in this scenario (capacity 0)",
            theme.text(if theme.is_print() { 14.0 } else { 18.0 }, palette::BLACK),
            theme.px(22.0) as i32,
        )?;
        return Ok(());
    }

    // x positions: one per step, widened for a single step so bands show.
    let xs: Vec<f64> = if steps == 1 {
        vec![-0.4, 0.4]
    } else {
        (0..steps).map(|t| t as f64).collect()
    };
    let at = |k: usize| -> Vec<f64> {
        if steps == 1 {
            vec![u.of(data.steps[0].storage[k]); 2]
        } else {
            data.steps.iter().map(|r| u.of(r.storage[k])).collect()
        }
    };
    let (p05, p25, p50, p75, p95) = (at(0), at(1), at(2), at(3), at(4));
    let band = |upper: &[f64], lower: &[f64]| -> Vec<(f64, f64)> {
        let mut pts: Vec<(f64, f64)> = xs.iter().copied().zip(upper.iter().copied()).collect();
        pts.extend(xs.iter().rev().copied().zip(lower.iter().rev().copied()));
        pts
    };
    chart
        .draw_series([Polygon::new(band(&p95, &p05), outer.filled())])
        .map_err(|e| e.to_string())?;
    chart
        .draw_series([Polygon::new(band(&p75, &p25), inner.filled())])
        .map_err(|e| e.to_string())?;
    let median = theme.line(palette::BLUE, 2.5);
    chart
        .draw_series(LineSeries::new(
            xs.iter().copied().zip(p50.iter().copied()),
            median,
        ))
        .map_err(|e| e.to_string())?;
    let floor = theme.line(palette::VERMILLION, 2.0);
    let x_end = (steps as f64 - 0.5).max(0.5);
    chart
        .draw_series(DashedLineSeries::new(
            vec![(-0.5, lo), (x_end, lo)],
            theme.px(10.0),
            theme.px(6.0),
            floor,
        ))
        .map_err(|e| e.to_string())?;
    // Solid, as its legend key.
    let cap = theme.line(palette::GREY, 1.5);
    chart
        .draw_series(LineSeries::new(vec![(-0.5, hi), (x_end, hi)], cap))
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// The y range: from a little below the floor `lo` (or 0 when the floor is
/// 0) to a little above the capacity `hi`.
fn y_range(lo: f64, hi: f64) -> (f64, f64) {
    if hi <= 0.0 {
        return (0.0, 1.0);
    }
    let pad = 0.06 * (hi - lo).max(hi * 1e-3);
    let y_min = if lo > 0.0 { (lo - pad).max(0.0) } else { 0.0 };
    (y_min, hi + pad)
}

#[cfg(test)]
mod tests {
    use super::y_range;

    #[test]
    fn the_axis_starts_just_below_the_floor() {
        let (a, b) = y_range(3.0, 8.0);
        assert!(a > 2.5 && a < 3.0, "{a}");
        assert!(b > 8.0 && b < 8.5, "{b}");
        assert_eq!(y_range(0.0, 8.0).0, 0.0);
        assert_eq!(y_range(0.0, 0.0), (0.0, 1.0));
    }
}
