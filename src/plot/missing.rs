//! Chart 5: where the supply goes missing, in two panels on one scale: the
//! mean volume lost at source per trial by supplier (outages and events
//! together: each unit lost counted once), and below it the volume each
//! event's supply effects remove (gross of overlaps: the same unit may be
//! attributed to two events, and it is already in a supplier's bar); and,
//! when events change demand, a third panel with the demand each adds (gross
//! of overlaps; negative where an event lowers demand).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::ChartData;
use super::theme::{Theme, fmt_sig, fmt_volume, palette};
use super::units::DisplayUnit;
use crate::report::Chart;

/// One panel's bars: its heading and (label, mean) rows, largest first,
/// and what rows that remove no supply do instead (by label).
struct Panel<'a> {
    heading: &'static str,
    rows: Vec<(String, f64)>,
    color: RGBAColor,
    other: &'a [(String, String)],
}

/// Rows sorted by value (largest first), ties by name.
fn sorted(rows: &[(String, f64)]) -> Vec<(String, f64)> {
    let mut v = rows.to_vec();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    theme: &Theme,
) -> Result<(), String> {
    let area = data.frame(root, theme, Chart::LostSupply)?;
    let mut panels = vec![Panel {
        heading: "Lost at source, by supplier (outages and events together)",
        rows: sorted(&data.lost_by_supplier),
        color: palette::BLUE.mix(0.85),
        other: &[],
    }];
    if !data.lost_by_event.is_empty() {
        panels.push(Panel {
            heading: "Of which removed by each event's supply effects (gross of overlaps; already counted above)",
            rows: sorted(&data.lost_by_event),
            color: palette::ORANGE.mix(0.9),
            other: &data.notes.other_effects,
        });
    }
    if !data.demand_by_event.is_empty() {
        panels.push(Panel {
            heading: "Demand added by each event's demand effect (gross of overlaps; not lost supply)",
            rows: sorted(&data.demand_by_event),
            color: palette::PURPLE.mix(0.9),
            other: &[],
        });
    }
    let values = || panels.iter().flat_map(|p| p.rows.iter().map(|r| r.1));
    let vmax = values().fold(0.0, f64::max);
    let vmin = values().fold(0.0, f64::min);
    let u = data.unit_for(vmax.max(-vmin));
    let x_max = if vmax > 0.0 { u.of(vmax) * 1.2 } else { 1.0 };
    let x_min = u.of(vmin) * 1.2;
    let label_font = theme.text(14.0, palette::BLACK);
    let label_width = panels
        .iter()
        .flat_map(|p| p.rows.iter())
        .map(|r| {
            area.estimate_text_size(&r.0, &label_font)
                .map(|(w, _)| w)
                .unwrap_or(0)
        })
        .max()
        .unwrap_or(0)
        + theme.px(24.0);

    // Heights in proportion to the rows, plus each panel's heading and axis.
    let (_, h) = area.dim_in_pixel();
    let fixed = theme.px(100.0) as f64;
    let rows_total: usize = panels.iter().map(|p| p.rows.len().max(1)).sum();
    let per_row = ((h as f64 - fixed * panels.len() as f64) / rows_total as f64).max(1.0);
    let mut rest = area;
    let last = panels.len() - 1;
    for (k, panel) in panels.iter().enumerate() {
        let this = if k == last {
            rest.clone()
        } else {
            let height = fixed + per_row * panel.rows.len().max(1) as f64;
            let (a, b) = rest.split_vertically(height.round() as i32);
            rest = b;
            a
        };
        let axis = (k == last).then_some(if data.demand_by_event.is_empty() {
            "Mean volume lost at source per trial"
        } else {
            "Mean volume per trial"
        });
        draw_panel(&this, theme, panel, &u, x_min..x_max, label_width, axis)?;
    }
    if vmax <= 0.0 {
        let (w, h) = root.dim_in_pixel();
        root.draw(&Text::new(
            "No supply was lost in any trial".to_string(),
            (w as i32 / 3, h as i32 / 2),
            theme.text(16.0, palette::BLACK),
        ))
        .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// One panel: its heading, bars with their values over `x` (in the display
/// unit), and the x axis, titled `axis` (on the last panel only).
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    panel: &Panel<'_>,
    u: &DisplayUnit,
    x: std::ops::Range<f64>,
    label_width: u32,
    axis: Option<&str>,
) -> Result<(), String> {
    let (x_min, x_max) = (x.start, x.end);
    let last = axis.is_some();
    let n = panel.rows.len().max(1);
    let ticks =
        super::Ticks::categories(&panel.rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>());
    let mut chart = ChartBuilder::on(area)
        .caption(panel.heading, theme.bold(15.0, palette::BLACK))
        .x_label_area_size(theme.px(if last { 60.0 } else { 34.0 }))
        .y_label_area_size(label_width)
        .margin_bottom(theme.px(8.0))
        .build_cartesian_2d(x_min..x_max, ticks.axis(0.0..n as f64))
        .map_err(|e| e.to_string())?;
    let x_fmt = |v: &f64| fmt_volume(*v, x_max);
    let y_fmt = |y: &f64| ticks.label(y);
    let mut mesh = super::theme::mesh(&mut chart, theme);
    mesh.disable_y_mesh()
        .label_style(theme.text(14.0, palette::BLACK))
        .y_labels(n)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt);
    if let Some(title) = axis {
        mesh.x_desc(format!("{title} ({})", u.name));
    }
    mesh.draw().map_err(|e| e.to_string())?;
    let value_font = theme
        .text(13.0, palette::GREY)
        .pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Left,
            plotters::style::text_anchor::VPos::Center,
        ));
    for (k, (label, v)) in panel.rows.iter().enumerate() {
        let i = n - 1 - k; // first row at the top
        let v = u.of(*v);
        let instead = panel.other.iter().find(|(id, _)| id == label);
        if let (Some((_, does)), true) = (instead, v <= 0.0) {
            // No bar at zero for an event that acts otherwise.
            chart
                .draw_series([Text::new(
                    format!("{does}; removes no supply at source"),
                    (x_max * 0.01, i as f64 + 0.5),
                    value_font.clone(),
                )])
                .map_err(|e| e.to_string())?;
            continue;
        }
        chart
            .draw_series([Rectangle::new(
                [(v.min(0.0), i as f64 + 0.18), (v.max(0.0), i as f64 + 0.82)],
                panel.color.filled(),
            )])
            .map_err(|e| e.to_string())?;
        chart
            .draw_series([Text::new(
                format!("{} {}", fmt_sig(v), u.name),
                (v.max(0.0) + x_max * 0.01, i as f64 + 0.5),
                value_font.clone(),
            )])
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
