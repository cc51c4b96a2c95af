//! The short results table printed after a run.

use shortfall::engine::Column;
use shortfall::output::markdown::decimals_for;
use shortfall::report::Summary;
use shortfall::stats::MeanSe;

/// Renders the terminal table.
pub fn render(s: &Summary) -> String {
    let m = &s.metrics;
    let sh = m.column(Column::Shortfall);
    let u = &s.unit;
    // Decimals from the uncertainty: two significant digits of the SE, and
    // for a quantile of a quarter of its interval's width (at least 4).
    let mean_se = |x: MeanSe| {
        let d = decimals_for(x.se);
        (format!("{:.d$}", x.mean), format!("± {:.d$} SE", x.se))
    };
    let quantile = |v: f64, c: [f64; 2]| {
        let d = decimals_for((c[1] - c[0]) / 4.0).max(4);
        (
            format!("{v:.d$}"),
            format!("95% CI [{:.d$}, {:.d$}]", c[0], c[1]),
        )
    };
    let row = |label: String, (value, note): (String, String)| (label, value, note);
    let p = m.shortfall_probability;
    let pd = decimals_for(p.se * 100.0).max(3);
    let mut rows: Vec<(String, String, String)> = vec![
        (
            "P(shortfall > 0)".into(),
            format!("{:.pd$}%", p.mean * 100.0),
            format!("± {:.pd$}% SE", p.se * 100.0),
        ),
        row(format!("EUE ({u})"), mean_se(m.eue)),
        row(format!("LOLE ({}s)", s.step), mean_se(m.lole)),
        row(format!("P50 shortfall ({u})"), quantile(sh.p50, sh.p50_ci)),
        row(format!("P95 shortfall ({u})"), quantile(sh.p95, sh.p95_ci)),
        row(format!("P99 shortfall ({u})"), quantile(sh.p99, sh.p99_ci)),
        row(
            format!("CVaR95 shortfall ({u})"),
            mean_se(MeanSe {
                mean: sh.cvar95,
                se: sh.cvar95_se,
            }),
        ),
    ];
    let cost = m.column(Column::Cost);
    if cost.mean > 0.0 {
        let currency = s.currency.as_deref().unwrap_or("cost units");
        rows.push(row(
            format!("Substitute cost ({currency})"),
            mean_se(MeanSe {
                mean: cost.mean,
                se: cost.se,
            }),
        ));
    }
    let w0 = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let w1 = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    let mut out = format!("{} — {} trials, seed {}\n", s.title, s.trials, s.seed);
    for (a, b, c) in rows {
        out.push_str(&format!("  {a:<w0$}  {b:>w1$}  {c}\n"));
    }
    if !s.inputs.is_empty() {
        out.push_str(&format!(
            "  {} uncertain input{} drawn per trial (summary.md lists them; inputs.npy holds each trial's)\n",
            s.inputs.len(),
            if s.inputs.len() == 1 { "" } else { "s" }
        ));
    }
    out
}
