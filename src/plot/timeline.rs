//! Chart 4: when shortfalls happen: the expected shortfall and the share of
//! trials short, step by step (or, on long horizons, averaged over each
//! week, month, ...: a last period shorter than the others is drawn as
//! wide as it is), with a 95% confidence band on the share and a marker
//! where an event certain in the scenario starts.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::exceedance::wilson;
use super::theme::{AxisTitles, Key, Theme, fmt_percent, fmt_volume, legend_below, palette};
use super::{ChartData, Ticks};
use crate::report::Chart;

/// At most this many bars per panel.
const MAX_PERIODS: usize = 400;

/// Steps per period and the period's name, for a step of `step` and `steps` steps.
pub(crate) fn period(step: &str, steps: usize) -> (usize, &'static str) {
    let step_name: &'static str = match step {
        "hour" => "hour",
        "week" => "week",
        "month" => "month",
        _ => "day",
    };
    if steps <= MAX_PERIODS {
        return (1, step_name);
    }
    let options: &[(usize, &'static str)] = match step {
        "hour" => &[(24, "day"), (168, "week"), (730, "month")],
        "day" => &[(7, "week"), (30, "30 days"), (365, "year")],
        "week" => &[(4, "4 weeks"), (13, "quarter"), (52, "year")],
        _ => &[(3, "quarter"), (12, "year")],
    };
    for &(len, name) in options {
        if steps.div_ceil(len) <= MAX_PERIODS {
            return (len, name);
        }
    }
    let len = steps.div_ceil(MAX_PERIODS);
    (len, "period")
}

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    theme: &Theme,
) -> Result<(), String> {
    let area = data.frame(root, theme, Chart::ShortfallOverTime)?;
    let steps = data.steps.len();
    let (len, name) = period(&data.step, steps);
    let step = data.step.as_str();
    let groups: Vec<(usize, usize)> = (0..steps)
        .step_by(len)
        .map(|a| (a, (a + len).min(steps)))
        .collect();
    // Means over each period's steps, so that a short last period reads on
    // the same scale as the others.
    let mean_of = |f: &dyn Fn(&crate::stats::StepRow) -> f64| -> Vec<f64> {
        groups
            .iter()
            .map(|(a, b)| data.steps[*a..*b].iter().map(f).sum::<f64>() / (b - a) as f64)
            .collect()
    };
    let n = data.meta.trials.max(1) as f64;
    let expected = mean_of(&|r| r.shortfall_mean);
    let prob = mean_of(&|r| r.shortfall_prob);
    let prob_lo = mean_of(&|r| wilson(r.shortfall_prob, n).0);
    let prob_hi = mean_of(&|r| wilson(r.shortfall_prob, n).1);
    let u = data.unit_for(expected.iter().copied().fold(0.0, f64::max));
    let expected: Vec<f64> = expected.iter().map(|v| u.of(*v)).collect();

    let per = if len == 1 {
        format!("each {step}")
    } else {
        format!("a {step}, mean over each {name}")
    };
    let top_desc = if len == 1 {
        format!("Expected shortfall on each {step} ({})", u.name)
    } else {
        format!(
            "Expected shortfall per {step}, mean over each {name} ({})",
            u.name
        )
    };
    let bottom_desc = format!("Share of trials short on {per}");

    let mut entries = vec![
        (
            Key::Fill(palette::BLUE.mix(0.85)),
            "Expected shortfall".to_string(),
        ),
        (
            Key::Line(palette::VERMILLION, false),
            "Share of trials with a shortfall".to_string(),
        ),
        (
            Key::Fill(palette::VERMILLION.mix(0.2)),
            if len == 1 {
                "95% confidence band of the share (Wilson)".to_string()
            } else {
                format!("95% confidence band of the share (Wilson, each {step}'s, averaged)")
            },
        ),
    ];
    let events: Vec<(&str, usize)> = data
        .notes
        .certain_events
        .iter()
        .filter(|(_, s)| *s < steps)
        .map(|(id, s)| (id.as_str(), *s))
        .collect();
    for (id, s) in &events {
        entries.push((
            Key::Line(palette::BLACK, true),
            format!(
                "{id} starts ({}; certain in this scenario)",
                data.steps[*s].date
            ),
        ));
    }
    if let Some(&(a, b)) = groups.last() {
        if b - a < len && groups.len() > 1 {
            entries.push((
                Key::Fill(WHITE.mix(1.0)),
                format!("Last {name}: {} {step}(s), drawn at its width", b - a),
            ));
        }
    }
    let area = legend_below(&area, theme, &entries)?;

    let ticks = Ticks::months(&data.steps, theme.month_labels(area.dim_in_pixel().0));
    let label_of = |x: &f64| ticks.label(x);
    let (_, h) = area.dim_in_pixel();
    let (top, bottom) = area.split_vertically(h / 2);
    let x_span = steps.max(1) as f64;
    // Left of step 0, so that a marker at step 0 is not hidden by the axis.
    let x_lo = -0.01 * x_span;

    // The expected shortfall.
    let vmax = expected.iter().copied().fold(0.0, f64::max);
    let y_max = if vmax > 0.0 { vmax * 1.1 } else { 1.0 };
    let top_areas = (theme.px(36.0), theme.y_area(90.0));
    let mut chart = panel(
        &top,
        ticks.axis(x_lo..x_span),
        y_max,
        top_areas,
        theme.px(10.0),
    )?;
    let titles = AxisTitles {
        x: None,
        y: Some(top_desc),
        size: 15.0,
    };
    titles
        .mesh(&mut chart, theme)
        .x_label_formatter(&label_of)
        .y_labels(5)
        .y_label_formatter(&|v| fmt_volume(*v, y_max))
        .draw()
        .map_err(|e| e.to_string())?;
    titles.draw(&top, &chart, theme, top_areas)?;
    chart
        .draw_series([Polygon::new(
            steps_outline(&groups, &expected, |_| 0.0),
            palette::BLUE.mix(0.85).filled(),
        )])
        .map_err(|e| e.to_string())?;
    mark_events(&mut chart, theme, &events, y_max)?;
    if vmax <= 0.0 {
        no_shortfall(&mut chart, theme, x_span, y_max)?;
    }

    // The share of trials short, with its band.
    let pmax = prob_hi.iter().copied().fold(0.0, f64::max);
    let p_max = if pmax > 0.0 {
        (pmax * 1.1).min(1.0)
    } else {
        0.01
    };
    let bottom_areas = (theme.x_area(60.0), theme.y_area(90.0));
    let mut chart = panel(
        &bottom,
        ticks.axis(x_lo..x_span),
        p_max,
        bottom_areas,
        theme.px(10.0),
    )?;
    let titles = AxisTitles {
        x: Some("Date".into()),
        y: Some(bottom_desc),
        size: 15.0,
    };
    titles
        .mesh(&mut chart, theme)
        .x_label_formatter(&label_of)
        .y_labels(5)
        .y_label_formatter(&|v| fmt_percent(*v))
        .draw()
        .map_err(|e| e.to_string())?;
    titles.draw(&bottom, &chart, theme, bottom_areas)?;
    chart
        .draw_series([Polygon::new(
            steps_outline(&groups, &prob_hi, |k| prob_lo[k]),
            palette::VERMILLION.mix(0.2).filled(),
        )])
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(LineSeries::new(
            steps_line(&groups, &prob),
            theme.line(palette::VERMILLION, 2.0),
        ))
        .map_err(|e| e.to_string())?;
    mark_events(&mut chart, theme, &events, p_max)?;
    if pmax <= 0.0 {
        no_shortfall(&mut chart, theme, x_span, p_max)?;
    }
    Ok(())
}

type Plot<'a, DB> = ChartContext<
    'a,
    DB,
    plotters::coord::cartesian::Cartesian2d<super::KeyAxis, plotters::coord::types::RangedCoordf64>,
>;

/// A panel's coordinates: dates across, 0 to `y_max` up, label areas of
/// `(below, left)` pixels and a bottom margin.
fn panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: super::KeyAxis,
    y_max: f64,
    (below, left): (u32, u32),
    margin: u32,
) -> Result<Plot<'a, DB>, String> {
    ChartBuilder::on(area)
        .x_label_area_size(below)
        .y_label_area_size(left)
        .margin_bottom(margin)
        .build_cartesian_2d(x, 0f64..y_max)
        .map_err(|e| e.to_string())
}

/// The outline of a step function over `groups` with tops `upper`, closed
/// along `lower(k)` (the lower edge of group k) back to the start.
fn steps_outline(
    groups: &[(usize, usize)],
    upper: &[f64],
    lower: impl Fn(usize) -> f64,
) -> Vec<(f64, f64)> {
    let mut pts = steps_line(groups, upper);
    for (k, (a, b)) in groups.iter().enumerate().rev() {
        pts.push((*b as f64, lower(k)));
        pts.push((*a as f64, lower(k)));
    }
    pts
}

/// A step function over `groups`: flat at `values[k]` across group k.
fn steps_line(groups: &[(usize, usize)], values: &[f64]) -> Vec<(f64, f64)> {
    groups
        .iter()
        .zip(values)
        .flat_map(|((a, b), v)| [(*a as f64, *v), (*b as f64, *v)])
        .collect()
}

/// Dashed vertical lines where certain events start, labelled with their ids.
fn mark_events<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    theme: &Theme,
    events: &[(&str, usize)],
    y_max: f64,
) -> Result<(), String> {
    // Labels a little right of their line.
    let span = chart.x_range();
    let dx = (span.end - span.start) * 0.004;
    for (id, s) in events {
        let x = *s as f64;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x, 0.0), (x, y_max)],
                theme.px(8.0),
                theme.px(5.0),
                theme.line(palette::BLACK, 1.5),
            ))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series([Text::new(
                id.to_string(),
                (x + dx, y_max * 0.97),
                theme
                    .text(13.0, palette::BLACK)
                    .pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Left,
                        plotters::style::text_anchor::VPos::Top,
                    )),
            )])
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The note drawn on an empty panel.
fn no_shortfall<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    theme: &Theme,
    x_span: f64,
    y_max: f64,
) -> Result<(), String> {
    super::theme::note(
        chart,
        (x_span * 0.04, y_max * 0.6),
        "No shortfall in any trial",
        theme.text(16.0, palette::BLACK),
        theme.px(20.0) as i32,
    )
}

#[cfg(test)]
mod tests {
    use super::period;

    #[test]
    fn periods_keep_bars_readable() {
        assert_eq!(period("day", 365), (1, "day"));
        assert_eq!(period("day", 731), (7, "week"));
        assert_eq!(period("day", 90), (1, "day"));
        assert_eq!(period("hour", 8760), (24, "day"));
        assert_eq!(period("hour", 2000), (24, "day"));
        assert_eq!(period("week", 52), (1, "week"));
        assert_eq!(period("day", 1), (1, "day"));
    }
}
