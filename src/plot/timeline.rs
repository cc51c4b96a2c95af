//! Chart 4: when shortfalls happen: expected shortfall and the probability
//! of a shortfall, by period (steps grouped into days, weeks or months when
//! the horizon is long).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::theme::{Theme, fmt_percent, fmt_volume, frame, palette};
use super::{ChartData, Ticks};

/// At most this many bars per panel.
const MAX_PERIODS: usize = 120;

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
    let area = frame(root, theme, &data.meta, "When shortfalls happen")?;
    let steps = data.steps.len();
    let (len, name) = period(&data.step, steps);
    let groups: Vec<(usize, usize)> = (0..steps)
        .step_by(len)
        .map(|a| (a, (a + len).min(steps)))
        .collect();
    let expected: Vec<f64> = groups
        .iter()
        .map(|(a, b)| data.steps[*a..*b].iter().map(|r| r.shortfall_mean).sum())
        .collect();
    let prob: Vec<f64> = groups
        .iter()
        .map(|(a, b)| {
            data.steps[*a..*b]
                .iter()
                .map(|r| r.shortfall_prob)
                .sum::<f64>()
                / (b - a) as f64
        })
        .collect();

    let ticks = Ticks::months(&data.steps);
    let label_of = |x: &f64| ticks.label(x);

    let (w, h) = area.dim_in_pixel();
    let _ = w;
    let (top, bottom) = area.split_vertically(h / 2);
    let x_span = steps.max(1) as f64;
    // (panel, values, y-axis title, values are probabilities)
    type Panel<'p, DB> = (&'p DrawingArea<DB, Shift>, &'p [f64], String, bool);
    let panels: [Panel<'_, DB>; 2] = [
        (
            &top,
            &expected,
            format!("Expected shortfall per {name} ({})", data.unit),
            false,
        ),
        (
            &bottom,
            &prob,
            format!(
                "Mean P(shortfall) per {}",
                if len == 1 { name } else { data.step.as_str() }
            ),
            true,
        ),
    ];
    for (panel, values, desc, is_prob) in panels {
        let vmax = values.iter().copied().fold(0.0, f64::max);
        let y_max = if vmax > 0.0 {
            vmax * 1.1
        } else if is_prob {
            0.01
        } else {
            1.0
        };
        let mut chart = ChartBuilder::on(panel)
            .x_label_area_size(theme.px(if is_prob { 60.0 } else { 36.0 }))
            .y_label_area_size(theme.px(90.0))
            .margin_bottom(theme.px(10.0))
            .build_cartesian_2d(ticks.axis(0.0..x_span), 0f64..y_max)
            .map_err(|e| e.to_string())?;
        let vol_fmt = |v: &f64| fmt_volume(*v, y_max);
        let pct_fmt = |v: &f64| fmt_percent(*v);
        let mut mesh = super::theme::mesh(&mut chart, theme);
        mesh.y_desc(desc)
            .axis_desc_style(theme.text(15.0, palette::BLACK))
            .x_label_formatter(&label_of)
            .y_labels(5);
        if is_prob {
            mesh.x_desc("Date").y_label_formatter(&pct_fmt);
        } else {
            mesh.y_label_formatter(&vol_fmt);
        }
        mesh.draw().map_err(|e| e.to_string())?;
        let color = if is_prob {
            palette::VERMILLION
        } else {
            palette::BLUE
        };
        let gap = if groups.len() > 1 {
            0.12 * len as f64
        } else {
            0.0
        };
        chart
            .draw_series(
                groups
                    .iter()
                    .zip(values.iter())
                    .filter(|(_, v)| **v > 0.0)
                    .map(|((a, b), v)| {
                        Rectangle::new(
                            [(*a as f64 + gap / 2.0, 0.0), (*b as f64 - gap / 2.0, *v)],
                            color.mix(0.85).filled(),
                        )
                    }),
            )
            .map_err(|e| e.to_string())?;
        if vmax <= 0.0 {
            chart
                .draw_series([Text::new(
                    "No shortfall in any trial".to_string(),
                    (x_span * 0.04, y_max * 0.6),
                    theme.text(16.0, palette::BLACK),
                )])
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::period;

    #[test]
    fn periods_keep_bars_readable() {
        assert_eq!(period("day", 365), (7, "week"));
        assert_eq!(period("day", 90), (1, "day"));
        assert_eq!(period("hour", 8760), (168, "week"));
        assert_eq!(period("week", 52), (1, "week"));
        assert_eq!(period("day", 1), (1, "day"));
    }
}
