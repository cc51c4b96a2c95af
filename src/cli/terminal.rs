//! The short results table printed after a run.

use shortfall::engine::Column;
use shortfall::report::Summary;

fn pct(x: f64) -> String {
    format!("{:.3}%", x * 100.0)
}

/// Renders the terminal table.
pub fn render(s: &Summary) -> String {
    let m = &s.metrics;
    let sh = m.column(Column::Shortfall);
    let u = &s.unit;
    let ci = |c: [f64; 2]| format!("[{:.4}, {:.4}]", c[0], c[1]);
    let mut rows: Vec<(String, String, String)> = vec![
        (
            "P(shortfall > 0)".into(),
            pct(m.shortfall_probability.mean),
            format!("± {} SE", pct(m.shortfall_probability.se)),
        ),
        (
            format!("EUE ({u})"),
            format!("{:.4}", m.eue.mean),
            format!("± {:.4} SE", m.eue.se),
        ),
        (
            format!("LOLE ({}s)", s.step),
            format!("{:.3}", m.lole.mean),
            format!("± {:.3} SE", m.lole.se),
        ),
        (
            format!("P50 shortfall ({u})"),
            format!("{:.4}", sh.p50),
            format!("95% CI {}", ci(sh.p50_ci)),
        ),
        (
            format!("P95 shortfall ({u})"),
            format!("{:.4}", sh.p95),
            format!("95% CI {}", ci(sh.p95_ci)),
        ),
        (
            format!("P99 shortfall ({u})"),
            format!("{:.4}", sh.p99),
            format!("95% CI {}", ci(sh.p99_ci)),
        ),
        (
            format!("CVaR95 shortfall ({u})"),
            format!("{:.4}", sh.cvar95),
            String::new(),
        ),
    ];
    let cost = m.column(Column::Cost);
    if cost.mean > 0.0 {
        let currency = s.currency.as_deref().unwrap_or("cost units");
        rows.push((
            format!("Substitute cost ({currency})"),
            format!("{:.2}", cost.mean),
            format!("± {:.2} SE", cost.se),
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
