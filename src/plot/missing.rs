//! Chart 5: where the supply goes missing: mean volume lost at source per
//! trial, by supplier and by event.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::ChartData;
use super::theme::{Key, Theme, fmt_sig, fmt_volume, frame, legend_below, palette};

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    theme: &Theme,
) -> Result<(), String> {
    let area = frame(root, theme, &data.meta, "Where the supply goes missing")?;
    let mut rows: Vec<(String, f64, bool)> = Vec::new();
    let mut sup: Vec<&(String, f64)> = data.lost_by_supplier.iter().collect();
    sup.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    rows.extend(sup.into_iter().map(|(name, v)| (name.clone(), *v, false)));
    let mut ev: Vec<&(String, f64)> = data.lost_by_event.iter().collect();
    ev.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    rows.extend(
        ev.into_iter()
            .map(|(id, v)| (format!("event: {id}"), *v, true)),
    );

    let entries = vec![
        (
            Key::Fill(palette::BLUE.mix(0.85)),
            "Supplier: outages and events combined".to_string(),
        ),
        (
            Key::Fill(palette::ORANGE.mix(0.9)),
            "Event: volume its supply effects remove (gross of overlaps)".to_string(),
        ),
    ];
    let area = legend_below(&area, theme, &entries)?;
    let n = rows.len().max(1);
    let vmax = rows.iter().map(|r| r.1).fold(0.0, f64::max);
    let x_max = if vmax > 0.0 { vmax * 1.18 } else { 1.0 };
    let label_font = theme.text(14.0, palette::BLACK);
    let label_width = rows
        .iter()
        .map(|r| {
            area.estimate_text_size(&r.0, &label_font)
                .map(|(w, _)| w)
                .unwrap_or(0)
        })
        .max()
        .unwrap_or(0)
        + theme.px(24.0);
    let ticks = super::Ticks::categories(&rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>());
    let mut chart = ChartBuilder::on(&area)
        .x_label_area_size(theme.px(60.0))
        .y_label_area_size(label_width)
        .build_cartesian_2d(0f64..x_max, ticks.axis(0.0..n as f64))
        .map_err(|e| e.to_string())?;
    super::theme::mesh(&mut chart, theme)
        .disable_y_mesh()
        .x_desc(format!(
            "Mean volume lost at source per trial ({})",
            data.unit
        ))
        .label_style(label_font.clone())
        .y_labels(n)
        .x_label_formatter(&|v| fmt_volume(*v, x_max))
        .y_label_formatter(&|y| ticks.label(y))
        .draw()
        .map_err(|e| e.to_string())?;
    let value_font = theme
        .text(13.0, palette::GREY)
        .pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Left,
            plotters::style::text_anchor::VPos::Center,
        ));
    for (k, (_, v, is_event)) in rows.iter().enumerate() {
        let i = n - 1 - k; // first row at the top
        let color = if *is_event {
            palette::ORANGE.mix(0.9)
        } else {
            palette::BLUE.mix(0.85)
        };
        chart
            .draw_series([Rectangle::new(
                [(0.0, i as f64 + 0.18), (*v, i as f64 + 0.82)],
                color.filled(),
            )])
            .map_err(|e| e.to_string())?;
        chart
            .draw_series([Text::new(
                format!("{} {}", fmt_sig(*v), data.unit),
                (*v + x_max * 0.01, i as f64 + 0.5),
                value_font.clone(),
            )])
            .map_err(|e| e.to_string())?;
    }
    if rows.is_empty() || vmax <= 0.0 {
        chart
            .draw_series([Text::new(
                "No supply was lost in any trial".to_string(),
                (x_max * 0.05, n as f64 / 2.0),
                theme.text(16.0, palette::BLACK),
            )])
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
