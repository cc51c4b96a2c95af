//! Chart 2: exceedance curve P(shortfall > x) on a log scale, with a 95%
//! (Wilson score) confidence band.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::ChartData;
use super::theme::{Key, Theme, fmt_percent, fmt_volume, legend_below, palette};
use super::units::DisplayUnit;
use crate::report::Chart;

/// The most a drawn curve may lie above the empirical survival function, as
/// a ratio: 0.5%, a fraction of a pixel on the log axis (a pixel of a chart
/// 750 px high spanning six decades is about 1.8%).
const MAX_OVERSTATEMENT: f64 = 1.005;

/// Wilson score 95% interval for a proportion `p` out of `n`.
pub fn wilson(p: f64, n: f64) -> (f64, f64) {
    let z = 1.959_963_984_540_054;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Points (x, P(S > x)) of the empirical exceedance curve, as a step
/// function. A step is left out only where the curve before it is within
/// [`MAX_OVERSTATEMENT`] of the curve after it, so the drawn curve never
/// lies above the empirical survival function by more than that ratio: in
/// the tail, where each trial is a visible step, every step is kept. The
/// curve ends at the largest trial.
pub fn exceedance_points(sorted: &[f64]) -> Vec<(f64, f64)> {
    let n = sorted.len();
    let first_positive = sorted.partition_point(|x| *x <= 0.0);
    let mut pts = vec![(0.0, (n - first_positive) as f64 / n as f64)];
    let mut i = first_positive;
    while i < n {
        let x = sorted[i];
        // Past every copy of this value: P(S > x) = (n - end) / n.
        let end = i + sorted[i..].partition_point(|v| *v <= x);
        let p = (n - end) as f64 / n as f64;
        let (_, shown) = *pts.last().expect("non-empty");
        // The next value's probability: leaving this step out would show
        // `shown` until then.
        let next = if end < n {
            let x2 = sorted[end];
            let end2 = end + sorted[end..].partition_point(|v| *v <= x2);
            (n - end2) as f64 / n as f64
        } else {
            0.0
        };
        if end == n || next * MAX_OVERSTATEMENT < shown {
            pts.push((x, shown));
            pts.push((x, p));
        }
        i = end;
    }
    pts
}

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    theme: &Theme,
) -> Result<(), String> {
    let area = data.frame(root, theme, Chart::Exceedance)?;
    draw_curves(
        &area,
        theme,
        &[(
            "This scenario".to_string(),
            data.shortfall_sorted.as_slice(),
        )],
        &data.unit,
        false,
    )
}

/// Draws one or more exceedance curves with their bands on `area`.
pub fn draw_curves<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    curves: &[(String, &[f64])],
    unit: &str,
    legend_always: bool,
) -> Result<(), String> {
    // The floor follows the largest run, so that no curve's tail is cut off.
    let n_max = curves
        .iter()
        .map(|(_, s)| s.len())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let y_min = (0.3 / n_max).min(0.5);
    let x_max = curves
        .iter()
        .filter_map(|(_, s)| s.last().copied())
        .fold(0.0, f64::max);
    let any_positive = x_max > 0.0;
    let u = DisplayUnit::for_values(unit, x_max);
    let x_max = if any_positive {
        u.of(x_max) * 1.03
    } else {
        1.0
    };
    let mut entries: Vec<(Key, String)> = curves
        .iter()
        .enumerate()
        .map(|(k, (label, sorted))| {
            let color = palette::SERIES[k % palette::SERIES.len()];
            let text = if curves.len() > 1 || legend_always {
                label.clone()
            } else {
                format!(
                    "P(shortfall > x), {} trials",
                    super::theme::group_thousands(sorted.len() as u64)
                )
            };
            (Key::Line(color, false), text)
        })
        .collect();
    let band_key = if curves.len() == 1 {
        palette::SERIES[0].mix(0.18)
    } else {
        palette::GREY.mix(0.25)
    };
    entries.push((
        Key::Fill(band_key),
        "95% confidence band (Wilson score)".to_string(),
    ));
    let area = legend_below(area, theme, &entries)?;

    let label_areas = (theme.x_area(60.0), theme.y_area(90.0));
    let mut chart = ChartBuilder::on(&area)
        .x_label_area_size(label_areas.0)
        .y_label_area_size(label_areas.1)
        .build_cartesian_2d(0f64..x_max, (y_min..1.0f64).log_scale())
        .map_err(|e| e.to_string())?;
    let titles = super::theme::AxisTitles::new(
        Some(format!("Total shortfall over the horizon, x ({})", u.name)),
        Some("P(shortfall > x), log scale".into()),
    );
    titles
        .mesh(&mut chart, theme)
        .x_label_formatter(&|v| fmt_volume(*v, x_max))
        .y_label_formatter(&|v| fmt_percent(*v))
        .draw()
        .map_err(|e| e.to_string())?;
    titles.draw(&area, &chart, theme, label_areas)?;

    // Reference levels used in policy papers.
    for (p, label) in [(0.05, "1 in 20"), (0.01, "1 in 100")] {
        if p > y_min {
            let style = theme.line(palette::GREY, 1.0);
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(0.0, p), (x_max, p)],
                    theme.px(4.0),
                    theme.px(5.0),
                    style,
                ))
                .map_err(|e| e.to_string())?;
            chart
                .draw_series([Text::new(
                    label.to_string(),
                    (x_max * 0.985, p),
                    theme
                        .text(13.0, palette::GREY)
                        .pos(plotters::style::text_anchor::Pos::new(
                            plotters::style::text_anchor::HPos::Right,
                            plotters::style::text_anchor::VPos::Bottom,
                        )),
                )])
                .map_err(|e| e.to_string())?;
        }
    }

    for (k, (label, sorted)) in curves.iter().enumerate() {
        let color = palette::SERIES[k % palette::SERIES.len()];
        let n = sorted.len().max(1) as f64;
        let pts: Vec<(f64, f64)> = exceedance_points(sorted)
            .into_iter()
            .map(|(x, p)| (u.of(x), p))
            .collect();
        let clip = |p: f64| p.max(y_min);
        let mut band: Vec<(f64, f64)> = pts
            .iter()
            .map(|(x, p)| (*x, clip(wilson(*p, n).1)))
            .collect();
        band.extend(pts.iter().rev().map(|(x, p)| (*x, clip(wilson(*p, n).0))));
        chart
            .draw_series([Polygon::new(band, color.mix(0.18).filled())])
            .map_err(|e| e.to_string())?;
        let line: Vec<(f64, f64)> = pts.iter().filter(|(_, p)| *p > 0.0).copied().collect();
        let style = theme.line(color, 2.5);
        chart
            .draw_series(LineSeries::new(line, style))
            .map_err(|e| e.to_string())?;
        let _ = label;
    }
    if !any_positive {
        let text = format!(
            "No trial had a shortfall (95% upper bound on P(shortfall): {})",
            fmt_percent((3.0 / n_max).min(1.0))
        );
        let style = theme.text(if theme.is_print() { 14.0 } else { 18.0 }, palette::BLACK);
        // In print the note wraps onto lines, so it starts just below the
        // lowest reference line instead, clear of the lines' labels.
        let at = if theme.is_print() {
            let lowest = [0.01, 0.05].into_iter().find(|p| *p > y_min).unwrap_or(1.0);
            lowest / 1.6
        } else {
            0.2
        };
        super::theme::note(&mut chart, (0.04, at), &text, style, theme.px(22.0) as i32)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exceedance_steps_down_at_each_value() {
        let s = [0.0, 0.0, 1.0, 2.0, 2.0];
        let pts = exceedance_points(&s);
        assert_eq!(pts[0], (0.0, 0.6));
        assert!(pts.contains(&(1.0, 0.4)));
        assert!(pts.contains(&(2.0, 0.0)));
    }

    /// The drawn curve, a step function through its points.
    fn drawn_at(pts: &[(f64, f64)], x: f64) -> f64 {
        // The last point at or before x (points come in pairs at each step).
        pts.iter()
            .take_while(|(px, _)| *px <= x)
            .last()
            .map_or(pts[0].1, |p| p.1)
    }

    /// The empirical survival function P(S > x).
    fn survival(sorted: &[f64], x: f64) -> f64 {
        (sorted.len() - sorted.partition_point(|v| *v <= x)) as f64 / sorted.len() as f64
    }

    /// On a heavy-tailed sample of 200,000 (97% zeros, a Pareto tail), the
    /// drawn curve never lies above the empirical survival function by more
    /// than the plot's resolution, nor below it, anywhere; it ends at the
    /// largest trial; and it keeps far fewer points than trials.
    #[test]
    fn the_curve_never_overstates_the_tail() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        let n = 200_000;
        let mut s: Vec<f64> = (0..n)
            .map(|_| {
                let u: f64 = rng.random();
                if u < 0.97 {
                    0.0
                } else {
                    (rng.random::<f64>()).powf(-1.0 / 1.2) * 0.01
                }
            })
            .collect();
        s.sort_by(f64::total_cmp);
        let pts = exceedance_points(&s);
        assert!(pts.len() < n / 10, "{} points", pts.len());
        assert_eq!(
            pts.last().unwrap().0,
            *s.last().unwrap(),
            "ends at the largest trial"
        );
        // Every trial's value, and points just before and after each.
        for &x in s.iter().skip_while(|x| **x <= 0.0) {
            for x in [x, x * (1.0 - 1e-12), x * (1.0 + 1e-12)] {
                let (d, e) = (drawn_at(&pts, x), survival(&s, x));
                assert!(
                    d <= e * MAX_OVERSTATEMENT + 1e-15,
                    "at {x}: drawn {d}, data {e}"
                );
                assert!(d >= e, "at {x}: drawn {d} below the data {e}");
            }
        }
    }

    #[test]
    fn wilson_interval_contains_p() {
        // The Wilson score bounds (p + z²/2n ∓ z√(p(1−p)/n + z²/4n²)) /
        // (1 + z²/n) with z = 1.959964, computed independently: the Wald
        // interval (0.08141, 0.11859) and z = 1.645 (0.08546, 0.11670) are
        // both rejected at this precision.
        let (lo, hi) = wilson(0.1, 1000.0);
        assert!((lo - 0.082_909_443_593_095_71).abs() < 1e-12, "{lo}");
        assert!((hi - 0.120_151_963_195_348_4).abs() < 1e-12, "{hi}");
        // p = 0: the lower bound is 0 and the upper z²/(n + z²).
        let (lo, hi) = wilson(0.0, 100.0);
        let z2 = 1.959_963_984_540_054f64.powi(2);
        assert!(lo.abs() < 1e-15 && (hi - z2 / (100.0 + z2)).abs() < 1e-15);
    }
}
