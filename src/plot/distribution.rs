//! Chart 1: the distribution of total shortfall in two panels: the share
//! of trials with no shortfall as a bar of its own (it is usually most of
//! them), and a histogram of the positive part with the mean, P95 and
//! CVaR95 marked (the axis starts left of zero, so a marker at zero stays
//! visible).

use plotters::coord::Shift;
use plotters::coord::cartesian::Cartesian2d;
use plotters::prelude::*;

use super::theme::{
    AxisTitles, Key, Theme, fmt_percent, fmt_sig, fmt_volume, legend_below, palette,
};
use super::{ChartData, Ticks};
use crate::report::Chart;

const BINS: usize = 40;

/// The label under the no-shortfall bar, and its x-axis title.
pub(crate) const ZERO_LABEL: &str = "No shortfall";

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    theme: &Theme,
) -> Result<(), String> {
    let area = data.frame(root, theme, Chart::ShortfallDistribution)?;
    let n = data.shortfall_sorted.len() as f64;
    let p_none = data.p_none();
    let first_positive = data.shortfall_sorted.partition_point(|x| *x <= 0.0);
    let positive = &data.shortfall_sorted[first_positive..];

    // The axis stops at the 99.5th percentile of the positive part, so that a
    // few extreme trials do not squash the bulk; those beyond are counted in
    // the legend (the exceedance chart shows the whole tail). It reaches
    // every marker.
    let (max, beyond, largest) = match positive.last() {
        Some(&largest) => {
            let cut_rank = (positive.len() * 995).div_ceil(1000).max(1);
            let max = positive[cut_rank - 1];
            let beyond = positive.len() - positive.partition_point(|x| *x <= max);
            (max, beyond, largest)
        }
        None => (0.0, 0, 0.0),
    };
    let reach = [max, data.mean, data.p95, data.cvar95]
        .into_iter()
        .filter(|v| *v <= largest)
        .fold(0.0, f64::max);
    let u = data.unit_for(reach);
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
    let zero_bar = palette::GREY.mix(0.55);
    let width = if max > 0.0 { max / BINS as f64 } else { 1.0 };
    let mut entries = vec![(
        Key::Fill(zero_bar),
        format!("{ZERO_LABEL}: {} of trials", share(p_none)),
    )];
    if !positive.is_empty() {
        entries.push((
            Key::Fill(bar),
            format!(
                "Trials with a shortfall: {} of trials, in bins {} {} wide",
                share(1.0 - p_none),
                fmt_sig(u.of(width)),
                u.name
            ),
        ));
    }
    for (label, value, color, dashed) in markers {
        entries.push((
            Key::Line(color, dashed),
            format!("{label}: {} {}", fmt_sig(u.of(value)), u.name),
        ));
    }
    if beyond > 0 {
        entries.push((
            Key::Fill(WHITE.mix(1.0)),
            format!(
                "{} trials above {} {} not shown (largest {} {})",
                beyond,
                fmt_sig(u.of(max)),
                u.name,
                fmt_sig(u.of(largest)),
                u.name
            ),
        ));
    }
    let area = legend_below(&area, theme, &entries)?;
    let (w, _) = area.dim_in_pixel();
    // A single column has no room for two panels: the legend gives the
    // share with no shortfall.
    let right = if theme.is_print() && w < theme.px(600.0) {
        area
    } else {
        // Room for the y labels and a bar with its value above it.
        let left_w = (w * 22 / 100).max(theme.y_area(90.0) + theme.px(90.0));
        let (left, right) = area.split_horizontally(left_w);
        draw_zero_bar(&left, theme, p_none, zero_bar)?;
        right
    };

    let x_desc = format!("Total shortfall over the horizon ({})", u.name);
    if positive.is_empty() {
        let label_areas = (theme.x_area(60.0), theme.px(20.0));
        let mut chart = ChartBuilder::on(&right)
            .x_label_area_size(label_areas.0)
            .y_label_area_size(label_areas.1)
            .build_cartesian_2d(0f64..1f64, 0f64..1f64)
            .map_err(|e| e.to_string())?;
        let titles = AxisTitles::new(Some(x_desc), None);
        titles
            .mesh(&mut chart, theme)
            .disable_mesh()
            .y_labels(0)
            .x_label_formatter(&|v| fmt_volume(*v, 1.0))
            .draw()
            .map_err(|e| e.to_string())?;
        titles.draw(&right, &chart, theme, label_areas)?;
        let bound = (3.0 / n).min(1.0);
        for (k, line) in [
            "No trial had a shortfall.".to_string(),
            format!("95% upper bound on P(shortfall): {}", fmt_percent(bound)),
        ]
        .into_iter()
        .enumerate()
        {
            let at = (0.05, 0.6 - 0.12 * k as f64);
            let style = theme.text(16.0, palette::BLACK);
            super::theme::note(&mut chart, at, &line, style, theme.px(20.0) as i32)?;
        }
        return Ok(());
    }

    let mut counts = [0usize; BINS];
    for x in positive.iter().take_while(|x| **x <= max) {
        counts[((x / width) as usize).min(BINS - 1)] += 1;
    }
    let shares: Vec<f64> = counts.iter().map(|c| *c as f64 / n).collect();
    let top = shares.iter().copied().fold(0.0, f64::max);
    let y_max = top * 1.08;
    let x_max = u.of(reach * 1.03);
    // Left of zero, so that a marker at zero is not hidden by the axis.
    let x_min = -0.025 * x_max;

    let label_areas = (theme.x_area(60.0), theme.y_area(90.0));
    let mut chart = ChartBuilder::on(&right)
        .x_label_area_size(label_areas.0)
        .y_label_area_size(label_areas.1)
        .build_cartesian_2d(x_min..x_max, 0f64..y_max)
        .map_err(|e| e.to_string())?;
    let titles = AxisTitles::new(Some(x_desc), Some("Share of all trials, per bin".into()));
    titles
        .mesh(&mut chart, theme)
        .x_label_formatter(&|v| fmt_volume(*v, x_max))
        .y_label_formatter(&|v| fmt_percent(*v))
        .draw()
        .map_err(|e| e.to_string())?;
    titles.draw(&right, &chart, theme, label_areas)?;

    chart
        .draw_series(
            shares
                .iter()
                .enumerate()
                .filter(|(_, s)| **s > 0.0)
                .map(|(i, s)| {
                    let x0 = u.of(i as f64 * width);
                    Rectangle::new([(x0, 0.0), (x0 + u.of(width), *s)], bar.filled())
                }),
        )
        .map_err(|e| e.to_string())?;
    for (_, value, color, dashed) in markers {
        let value = u.of(value);
        if value > x_max {
            continue;
        }
        draw_marker(&mut chart, theme, value, y_max, color, dashed)?;
    }
    Ok(())
}

/// A share of trials as a percentage with one decimal, or as many more as
/// it takes not to round a share short of 100% up to it, or a share above
/// 0 down to 0 (99.96%, 0.04%).
fn share(p: f64) -> String {
    let pct = 100.0 * p;
    let mut decimals = 1;
    while decimals < 6 {
        let shown: f64 = format!("{pct:.decimals$}").parse().unwrap_or(pct);
        if !((shown >= 100.0 && p < 1.0) || (shown <= 0.0 && p > 0.0)) {
            break;
        }
        decimals += 1;
    }
    format!("{pct:.decimals$}%")
}

/// The left panel: one bar, the share of trials with no shortfall, its
/// value written above it.
fn draw_zero_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    p_none: f64,
    color: RGBAColor,
) -> Result<(), String> {
    let ticks = Ticks::categories(&[String::new()]);
    let label_areas = (theme.x_area(60.0), theme.y_area(90.0));
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(label_areas.0)
        .y_label_area_size(label_areas.1)
        .margin_right(theme.px(16.0))
        .build_cartesian_2d(ticks.axis(0.0..1.0), 0f64..1.12)
        .map_err(|e| e.to_string())?;
    let titles = AxisTitles::new(Some(ZERO_LABEL.into()), Some("Share of all trials".into()));
    titles
        .mesh(&mut chart, theme)
        .disable_x_mesh()
        .x_label_formatter(&|_| String::new())
        .y_label_formatter(&|v| {
            if *v <= 1.0 {
                fmt_percent(*v)
            } else {
                String::new()
            }
        })
        .draw()
        .map_err(|e| e.to_string())?;
    titles.draw(area, &chart, theme, label_areas)?;
    chart
        .draw_series([Rectangle::new([(0.2, 0.0), (0.8, p_none)], color.filled())])
        .map_err(|e| e.to_string())?;
    let label = theme
        .bold(15.0, palette::BLACK)
        .pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Bottom,
        ));
    chart
        .draw_series([Text::new(share(p_none), (0.5, p_none + 0.02), label)])
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// A vertical marker line at `x`, solid or dashed.
fn draw_marker<DB: DrawingBackend, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    theme: &Theme,
    x: f64,
    y_max: f64,
    color: RGBColor,
    dashed: bool,
) -> Result<(), String>
where
    X: plotters::coord::ranged1d::Ranged<ValueType = f64>,
    Y: plotters::coord::ranged1d::Ranged<ValueType = f64>,
{
    let style = theme.line(color, 2.5);
    let pts = vec![(x, 0.0), (x, y_max)];
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::share;

    #[test]
    fn a_share_is_never_rounded_to_all_or_none() {
        assert_eq!(share(0.9807), "98.1%");
        assert_eq!(share(0.9996), "99.96%");
        assert_eq!(share(0.0004), "0.04%");
        assert_eq!(share(1.0), "100.0%");
        assert_eq!(share(0.0), "0.0%");
        assert_eq!(share(0.999_999), "99.9999%");
    }
}
