//! Chart 1: histogram of the positive part of total shortfall, with
//! P(no shortfall) stated and the mean, P95 and CVaR95 marked.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::ChartData;
use super::theme::{Key, Theme, fmt_percent, fmt_sig, fmt_volume, frame, legend_below, palette};

const BINS: usize = 40;

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    theme: &Theme,
) -> Result<(), String> {
    let area = frame(root, theme, &data.meta, "Distribution of total shortfall")?;
    let n = data.shortfall_sorted.len() as f64;
    let p_none = data.p_none();
    let first_positive = data.shortfall_sorted.partition_point(|x| *x <= 0.0);
    let positive = &data.shortfall_sorted[first_positive..];
    let x_desc = format!("Total shortfall over the horizon ({})", data.unit);
    let y_desc = "Share of all trials";

    if positive.is_empty() {
        let mut chart = ChartBuilder::on(&area)
            .x_label_area_size(theme.px(60.0))
            .y_label_area_size(theme.px(80.0))
            .build_cartesian_2d(0f64..1f64, 0f64..1f64)
            .map_err(|e| e.to_string())?;
        super::theme::mesh(&mut chart, theme)
            .disable_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .x_label_formatter(&|v| fmt_volume(*v, 1.0))
            .y_label_formatter(&|v| fmt_percent(*v))
            .draw()
            .map_err(|e| e.to_string())?;
        let bound = (3.0 / n).min(1.0);
        chart
            .draw_series([Text::new(
                format!(
                    "No trial had a shortfall: P(no shortfall) = 100% (95% upper bound on P(shortfall): {})",
                    fmt_percent(bound)
                ),
                (0.04, 0.55),
                theme.text(18.0, palette::BLACK),
            )])
            .map_err(|e| e.to_string())?;
        return Ok(());
    }

    // The axis stops at the 99.5th percentile of the positive part, so that a
    // few extreme trials do not squash the bulk; those beyond are counted in
    // the legend (the exceedance chart shows the whole tail).
    let largest = *positive.last().expect("non-empty");
    let cut_rank = (positive.len() * 995).div_ceil(1000).max(1);
    let max = positive[cut_rank - 1];
    let beyond = positive.len() - positive.partition_point(|x| *x <= max);
    let width = if max > 0.0 { max / BINS as f64 } else { 1.0 };
    let mut counts = [0usize; BINS];
    for x in positive.iter().take_while(|x| **x <= max) {
        counts[((x / width) as usize).min(BINS - 1)] += 1;
    }
    let shares: Vec<f64> = counts.iter().map(|c| *c as f64 / n).collect();
    let top = shares.iter().copied().fold(0.0, f64::max);
    let y_max = top * 1.08;
    let x_max = if max > 0.0 { max * 1.03 } else { 1.0 };

    let markers = [
        ("Mean (EUE)", data.mean, palette::BLACK, false),
        ("P95 (1 in 20)", data.p95, palette::VERMILLION, true),
        (
            "CVaR95 (mean of worst 5%)",
            data.cvar95,
            palette::BLUE,
            true,
        ),
    ];
    let bar = palette::SKY_BLUE.mix(1.0);
    let mut entries = vec![(
        Key::Fill(bar),
        format!(
            "Trials with a shortfall: {:.2}% (P(no shortfall) = {:.2}%)",
            100.0 * (1.0 - p_none),
            100.0 * p_none
        ),
    )];
    for (label, value, color, dashed) in markers {
        entries.push((
            Key::Line(color, dashed),
            format!("{label}: {} {}", fmt_sig(value), data.unit),
        ));
    }
    if beyond > 0 {
        entries.push((
            Key::Fill(WHITE.mix(1.0)),
            format!(
                "{} trials above {} {} not shown (largest {} {})",
                beyond,
                fmt_sig(max),
                data.unit,
                fmt_sig(largest),
                data.unit
            ),
        ));
    }
    let area = legend_below(&area, theme, &entries)?;

    let mut chart = ChartBuilder::on(&area)
        .x_label_area_size(theme.px(60.0))
        .y_label_area_size(theme.px(90.0))
        .build_cartesian_2d(0f64..x_max, 0f64..y_max)
        .map_err(|e| e.to_string())?;
    super::theme::mesh(&mut chart, theme)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&|v| fmt_volume(*v, x_max))
        .y_label_formatter(&|v| fmt_percent(*v))
        .draw()
        .map_err(|e| e.to_string())?;

    chart
        .draw_series(
            shares
                .iter()
                .enumerate()
                .filter(|(_, s)| **s > 0.0)
                .map(|(i, s)| {
                    let x0 = i as f64 * width;
                    Rectangle::new([(x0, 0.0), (x0 + width, *s)], bar.filled())
                }),
        )
        .map_err(|e| e.to_string())?;
    for (_, value, color, dashed) in markers {
        if value > x_max {
            continue;
        }
        let style = theme.line(color, 2.5);
        let pts = vec![(value, 0.0), (value, y_max)];
        if dashed {
            chart
                .draw_series(DashedLineSeries::new(
                    pts,
                    theme.px(10.0),
                    theme.px(6.0),
                    style,
                ))
                .map_err(|e| e.to_string())?;
        } else {
            chart
                .draw_series(LineSeries::new(pts, style))
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}
