//! Chart 3: storage fan chart over calendar dates: P5–P95 and P25–P75
//! bands, the median, and the operating minimum.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::theme::{Key, Theme, fmt_volume, frame, legend_below, palette};
use super::{ChartData, Ticks};

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    theme: &Theme,
) -> Result<(), String> {
    let area = frame(
        root,
        theme,
        &data.meta,
        "Storage level: median and spread across trials",
    )?;
    let steps = data.steps.len();
    let (lo, hi) = (data.storage_minimum, data.storage_capacity);
    let y_max = if hi > 0.0 { hi * 1.08 } else { 1.0 };
    let ticks = Ticks::months(&data.steps);
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
                    "Operating minimum ({} {})",
                    fmt_volume(lo, y_max),
                    data.unit
                ),
            ),
            (
                Key::Line(palette::GREY, true),
                format!("Capacity ({} {})", fmt_volume(hi, y_max), data.unit),
            ),
        ]
    } else {
        Vec::new()
    };
    let area = legend_below(&area, theme, &entries)?;

    let mut chart = ChartBuilder::on(&area)
        .x_label_area_size(theme.px(60.0))
        .y_label_area_size(theme.px(90.0))
        .build_cartesian_2d(x_range, 0f64..y_max)
        .map_err(|e| e.to_string())?;
    let label_of = |x: &f64| ticks.label(x);
    super::theme::mesh(&mut chart, theme)
        .x_desc(format!("Date (end of each {})", data.step))
        .y_desc(format!("Storage level ({})", data.unit))
        .x_label_formatter(&label_of)
        .y_label_formatter(&|v| fmt_volume(*v, y_max))
        .draw()
        .map_err(|e| e.to_string())?;

    if hi <= 0.0 {
        chart
            .draw_series([Text::new(
                "No storage in this scenario (capacity 0)".to_string(),
                (steps as f64 * 0.05, 0.55),
                theme.text(18.0, palette::BLACK),
            )])
            .map_err(|e| e.to_string())?;
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
            vec![data.steps[0].storage[k]; 2]
        } else {
            data.steps.iter().map(|r| r.storage[k]).collect()
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
    let cap = theme.line(palette::GREY, 1.5);
    chart
        .draw_series(DashedLineSeries::new(
            vec![(-0.5, hi), (x_end, hi)],
            theme.px(3.0),
            theme.px(4.0),
            cap,
        ))
        .map_err(|e| e.to_string())?;
    Ok(())
}
