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

/// At a preset size, the height that gives every row of bars room for its
/// label (the rows, both panels' headings and axes, and the frame), if more
/// than `theme`'s.
pub(crate) fn print_height(data: &ChartData, theme: &Theme) -> u32 {
    if !theme.is_print() {
        return theme.height;
    }
    let rows =
        data.lost_by_supplier.len().max(1) + data.lost_by_event.len() + data.demand_by_event.len();
    let panels = 1
        + usize::from(!data.lost_by_event.is_empty())
        + usize::from(!data.demand_by_event.is_empty());
    let base = 200.0 + FIXED_PRINT * panels as f64 + 20.0 * rows as f64;
    theme.height.max(theme.px(base))
}

/// A panel's height beside its rows at a preset size, in base units: a
/// heading on two lines and an axis with its title.
const FIXED_PRINT: f64 = 150.0;

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
    // In print, names take at most 40% of the width (longer ones are cut).
    let (area_w, _) = area.dim_in_pixel();
    let label_width = if theme.is_print() {
        label_width.min(area_w * 2 / 5)
    } else {
        label_width
    };
    let x_max = room_for_values(&area, theme, &panels, &u, (x_max, label_width))?;

    // Heights in proportion to the rows, plus each panel's heading and axis.
    let (_, h) = area.dim_in_pixel();
    let fixed = theme.px(if theme.is_print() { FIXED_PRINT } else { 100.0 }) as f64;
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
        let font = theme.text(16.0, palette::BLACK);
        let note = "No supply was lost in any trial";
        let lines =
            super::theme::wrap(root, note, &font, w as i32 * 2 / 3 - theme.px(12.0) as i32)?;
        for (k, line) in lines.into_iter().enumerate() {
            let y = h as i32 / 2 + theme.px(20.0) as i32 * k as i32;
            root.draw(&Text::new(line, (w as i32 / 3, y), font.clone()))
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// At a preset size, an axis end far enough right that the widest value
/// label fits beside the longest bar (at the default size `x_max` stays).
fn room_for_values<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    panels: &[Panel<'_>],
    u: &DisplayUnit,
    (x_max, label_width): (f64, u32),
) -> Result<f64, String> {
    let vmax = x_max / 1.2;
    if !theme.is_print() || vmax <= 0.0 {
        return Ok(x_max);
    }
    let font = theme.text(13.0, palette::GREY);
    let mut widest = 0;
    for row in panels.iter().flat_map(|p| p.rows.iter()) {
        let label = format!("{} {}", fmt_sig(u.of(row.1)), u.name);
        let (w, _) = area
            .estimate_text_size(&label, &font)
            .map_err(|e| e.to_string())?;
        widest = widest.max(w);
    }
    let (w, _) = area.dim_in_pixel();
    let plot = w.saturating_sub(label_width + theme.px(12.0)).max(1);
    let share = f64::from(widest + theme.px(16.0)) / f64::from(plot);
    Ok((vmax / (1.0 - share.min(0.6))).max(x_max))
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
    let font = theme.text(14.0, palette::BLACK);
    let room = label_width as i32 - theme.px(24.0) as i32;
    let names = panel
        .rows
        .iter()
        .map(|r| super::theme::shorten(area, &r.0, &font, room))
        .collect::<Result<Vec<_>, _>>()?;
    let ticks = super::Ticks::categories(&names);
    // The heading as plotters' caption when it fits on one line, else
    // wrapped over the panel.
    let heading_font = theme.bold(15.0, palette::BLACK);
    let (w, _) = area.dim_in_pixel();
    let heading = super::theme::wrap(area, panel.heading, &heading_font, w as i32)?;
    let step = theme.px(19.0) as i32;
    let (head, body) = if heading.len() > 1 {
        area.split_vertically(step * heading.len() as i32 + theme.px(8.0) as i32)
    } else {
        (area.clone(), area.clone())
    };
    let mut builder = ChartBuilder::on(&body);
    if heading.len() > 1 {
        let centred = heading_font.pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Top,
        ));
        for (k, line) in heading.iter().enumerate() {
            head.draw(&Text::new(
                line.clone(),
                (w as i32 / 2, step * k as i32),
                centred.clone(),
            ))
            .map_err(|e| e.to_string())?;
        }
    } else {
        builder.caption(panel.heading, heading_font);
    }
    let label_areas = (
        if last {
            theme.x_area(60.0)
        } else {
            theme.px(34.0)
        },
        label_width,
    );
    let mut chart = builder
        .x_label_area_size(label_areas.0)
        .y_label_area_size(label_areas.1)
        .margin_bottom(theme.px(8.0))
        .build_cartesian_2d(x_min..x_max, ticks.axis(0.0..n as f64))
        .map_err(|e| e.to_string())?;
    let x_fmt = |v: &f64| fmt_volume(*v, x_max);
    let y_fmt = |y: &f64| ticks.label(y);
    let titles =
        super::theme::AxisTitles::new(axis.map(|title| format!("{title} ({})", u.name)), None);
    titles
        .mesh(&mut chart, theme)
        .disable_y_mesh()
        .label_style(theme.text(14.0, palette::BLACK))
        .y_labels(n)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()
        .map_err(|e| e.to_string())?;
    titles.draw(&body, &chart, theme, label_areas)?;
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
            let (plot_w, _) = chart.plotting_area().dim_in_pixel();
            let note = format!("{does}; removes no supply at source");
            let note = super::theme::shorten(area, &note, &value_font, plot_w as i32)?;
            chart
                .draw_series([Text::new(
                    note,
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
