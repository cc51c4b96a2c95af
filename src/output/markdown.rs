//! summary.md: the results as a Markdown section ready to paste into a report.

use std::fmt::Write as _;

use crate::engine::Column;
use crate::report::text::group_thousands;
use crate::report::{Chart, Format, Summary};
use crate::stats::PairedDiff;

/// Formats a number with `digits` significant decimals, without noise.
fn num(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    format!("{x:.decimals$}")
}

fn pct(x: f64) -> String {
    if !x.is_finite() {
        "n/a".into()
    } else if x == 0.0 {
        "0%".into()
    } else if x < 0.001 {
        format!("{:.3}%", x * 100.0)
    } else {
        format!("{:.2}%", x * 100.0)
    }
}

/// Renders summary.md; `charts` are the chart formats written beside it.
pub fn render(s: &Summary, charts: &[Format]) -> String {
    let m = &s.metrics;
    let short = m.column(Column::Shortfall);
    let u = &s.unit;
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", s.title);
    let _ = writeln!(
        out,
        "Scenario `{}`, {} trials, seed {}, {} steps of one {} from {}. Scenario SHA-256 `{}`; shortfall {}.\n",
        s.scenario,
        s.trials,
        s.seed,
        s.steps,
        s.step,
        s.start,
        &s.scenario_sha256[..16],
        s.version
    );
    let _ = writeln!(out, "| Measure | Estimate | 95% interval |");
    let _ = writeln!(out, "|---|---:|---:|");
    let p = m.shortfall_probability;
    let _ = writeln!(
        out,
        "| P(shortfall > 0) | {} ± {} (SE) | {} – {} |",
        pct(p.mean),
        pct(p.se),
        pct((p.mean - 1.96 * p.se).clamp(0.0, 1.0)),
        pct((p.mean + 1.96 * p.se).clamp(0.0, 1.0))
    );
    let _ = writeln!(
        out,
        "| Expected unserved energy (EUE), {u} | {} ± {} (SE) | {} – {} |",
        num(m.eue.mean, 4),
        num(m.eue.se, 4),
        num((m.eue.mean - 1.96 * m.eue.se).clamp(0.0, f64::INFINITY), 4),
        num(m.eue.mean + 1.96 * m.eue.se, 4)
    );
    let _ = writeln!(
        out,
        "| NEUE, ppm of demand | {} ± {} (SE) | |",
        num(m.neue_ppm.mean, 1),
        num(m.neue_ppm.se, 1)
    );
    let _ = writeln!(
        out,
        "| LOLE, {}s with a shortfall | {} ± {} (SE) | |",
        s.step,
        num(m.lole.mean, 3),
        num(m.lole.se, 3)
    );
    for (name, v, ci) in [
        ("P50", short.p50, short.p50_ci),
        ("P95 (1 in 20)", short.p95, short.p95_ci),
        ("P99 (1 in 100)", short.p99, short.p99_ci),
    ] {
        let _ = writeln!(
            out,
            "| Shortfall {name}, {u} | {} | {} – {} |",
            num(v, 4),
            num(ci[0], 4),
            num(ci[1], 4)
        );
    }
    let _ = writeln!(
        out,
        "| Shortfall CVaR95 (mean of worst 5%), {u} | {} | |",
        num(short.cvar95, 4)
    );
    let st = m.column(Column::StorageMin);
    let _ = writeln!(
        out,
        "| Lowest storage level, median trial, {u} | {} | {} – {} |",
        num(st.p50, 3),
        num(st.p50_ci[0], 3),
        num(st.p50_ci[1], 3)
    );
    for (col, label) in [
        (Column::SupplyLost, "Supply lost at source"),
        (Column::SubstituteUsed, "Substitute deliveries"),
        (Column::EmergencyUsed, "Emergency cover used"),
    ] {
        let c = m.column(col);
        let _ = writeln!(
            out,
            "| {label} (mean), {u} | {} ± {} (SE) | |",
            num(c.mean, 3),
            num(c.se, 3)
        );
    }
    let cost = m.column(Column::Cost);
    if cost.mean > 0.0 {
        let currency = s.currency.as_deref().unwrap_or("cost units");
        let _ = writeln!(
            out,
            "| Substitute cost (mean), {currency} | {} ± {} (SE) | |",
            num(cost.mean, 2),
            num(cost.se, 2)
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Quantile intervals are distribution-free (order statistics, binomial). P(shortfall) and EUE intervals are ±1.96 SE."
    );
    if !s.input_metrics.is_empty() {
        let _ = writeln!(out, "\n## Uncertain inputs\n");
        let _ = writeln!(
            out,
            "Drawn once per trial and clamped at 0 (lead and transit times in days, before rounding to steps); each trial's values are in inputs.npy.\n"
        );
        let _ = writeln!(out, "| Input | Mean | SD | Min | P50 | P95 | Max |");
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|");
        for (name, c) in &s.input_metrics.0 {
            let d = decimals_for(c.std / 10.0).min(6);
            let _ = writeln!(
                out,
                "| `{name}` | {:.d$} | {:.d$} | {:.d$} | {:.d$} | {:.d$} | {:.d$} |",
                c.mean, c.std, c.min, c.p50, c.p95, c.max
            );
        }
    }
    let shown = if charts.contains(&Format::Png) {
        Some(Format::Png)
    } else {
        charts.first().copied()
    };
    if let Some(fmt) = shown {
        let _ = writeln!(out, "\n## Charts\n");
        for chart in Chart::ALL {
            let title = chart.title();
            if fmt == Format::Pdf {
                // A PDF is linked, not shown.
                let _ = write!(out, "[{title} (PDF)]({})", chart.file_name(fmt));
            } else {
                let _ = write!(out, "![{title}]({})", chart.file_name(fmt));
            }
            if fmt == Format::Png && charts.contains(&Format::Svg) {
                let _ = write!(
                    out,
                    "\n\n[{title} (SVG, vector)]({})",
                    chart.file_name(Format::Svg)
                );
            }
            let _ = writeln!(out, "\n");
        }
    }
    out
}

/// `value ± se` with the decimals set by two significant digits of the SE.
pub fn plus_minus(value: f64, se: f64) -> String {
    let d = decimals_for(se);
    format!("{value:.d$} ± {se:.d$}")
}

/// Decimals that show two significant digits of a standard error `se` (4
/// when it is 0 or not finite, at most 10).
pub fn decimals_for(se: f64) -> usize {
    if se > 0.0 && se.is_finite() {
        (1 - se.log10().floor() as i64).clamp(0, 10) as usize
    } else {
        4
    }
}

/// A Markdown table comparing runs: one row per summary with P(shortfall),
/// EUE, LOLE (each ± SE), P95 and P99 with their 95% intervals, and CVaR95 ± SE.
pub fn comparison_table(summaries: &[Summary]) -> String {
    let unit = summaries.first().map_or("Mt", |s| s.unit.as_str());
    let step = summaries.first().map_or("day", |s| s.step.as_str());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| Scenario | Trials | P(shortfall) | EUE ({unit}) | LOLE ({step}s) | P95 ({unit}) [95% CI] | P99 ({unit}) [95% CI] | CVaR95 ({unit}) |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|");
    for s in summaries {
        let m = &s.metrics;
        let sh = m.column(Column::Shortfall);
        let p = m.shortfall_probability;
        let pd = decimals_for(p.se * 100.0);
        let q = |v: f64, ci: [f64; 2]| {
            let d = decimals_for(((ci[1] - ci[0]) / 4.0).max(0.0));
            format!("{v:.d$} [{:.d$}, {:.d$}]", ci[0], ci[1])
        };
        let _ = writeln!(
            out,
            "| {} | {} | {:.pd$}% ± {:.pd$}% | {} | {} | {} | {} | {} |",
            s.scenario,
            group_thousands(s.trials),
            p.mean * 100.0,
            p.se * 100.0,
            plus_minus(m.eue.mean, m.eue.se),
            plus_minus(m.lole.mean, m.lole.se),
            q(sh.p95, sh.p95_ci),
            q(sh.p99, sh.p99_ci),
            plus_minus(sh.cvar95, sh.cvar95_se),
        );
    }
    out
}

/// The paired differences of one run against the base run of a
/// [`paired_table`]: P(shortfall), EUE, LOLE and cost, in that order.
pub struct PairedRow {
    /// Row label.
    pub label: String,
    /// The four differences.
    pub diffs: [PairedDiff; 4],
}

/// A Markdown table of paired differences against the first run: for each
/// other run, the change in P(shortfall) (percentage points), EUE, LOLE and
/// substitute cost, each `± paired SE` with the unpaired SE in brackets, and
/// the shares of trials with a higher and a lower shortfall.
pub fn paired_table(base: &Summary, rows: &[PairedRow]) -> String {
    let (unit, step) = (&base.unit, &base.step);
    let currency = base.currency.as_deref().unwrap_or("cost units");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| Against {} | ΔP(shortfall), points | ΔEUE ({unit}) | ΔLOLE ({step}s) | Δcost ({currency}) | trials with more / less shortfall |",
        base.scenario
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|");
    let cell = |d: &PairedDiff, scale: f64| {
        let dd = decimals_for(d.se * scale);
        format!(
            "{:+.dd$} ± {:.dd$} [{:.dd$}]",
            d.diff * scale,
            d.se * scale,
            d.se_unpaired * scale
        )
    };
    for r in rows {
        let [p, eue, lole, cost] = &r.diffs;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} / {} |",
            r.label,
            cell(p, 100.0),
            cell(eue, 1.0),
            cell(lole, 1.0),
            cell(cost, 1.0),
            pct(eue.higher),
            pct(eue.lower),
        );
    }
    let _ = writeln!(
        out,
        "\nEach difference is the other run minus {}, ± its paired SE (trial by trial, same seed and trials); in brackets the SE if the runs were independent.",
        base.scenario
    );
    out
}
