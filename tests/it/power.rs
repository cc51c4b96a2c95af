//! Statistical tests sized to catch a 2% bias. Each states the standard
//! error (se) of what it checks and asserts, before running the engine,
//! that its trial count and tolerance catch a 2% error in that quantity
//! with probability at least 99% (`assert_power`), while a correct engine
//! passes with at least 99.99% (`z_tolerance`, Bonferroni over the test's
//! checks). Every se here is exact (from the model), not estimated.

use shortfall::engine::{Column, trace_trial};

use crate::exact::{THREE_SUPPLIERS, chain, stationary_down, three_suppliers_enumerated};
use crate::helpers::{assert_power, assert_within, model, model_with, run_summary, z_tolerance};

/// The stationary start: step 0 already has the stationary law. Three
/// independent suppliers, no storage; P(shortfall at step 0) by enumerating
/// the 8 states is 0.2337. One step per trial, so every trial is an
/// independent Bernoulli: se = √(p(1−p)/n) = 6.7e-4 at n = 400,000; a 2%
/// bias (0.0047) is 6.99 se, against a tolerance of 3.89 se (99% power
/// needs 3.89 + 2.33 = 6.22).
#[test]
fn stationary_start_gives_the_enumerated_shortfall_probability_at_step_0() {
    let m = model_with(
        THREE_SUPPLIERS,
        &["time.steps=1", "simulation.trials=400000"],
    );
    let (p_short, _) = three_suppliers_enumerated();
    let n = 400_000.0;
    let se = (p_short * (1.0 - p_short) / n).sqrt();
    let k = z_tolerance(1);
    assert_power("P(shortfall at step 0)", 0.02 * p_short, se, k);
    let (sim, _) = run_summary(&m);
    let p0 = sim.sums.shortfall_count[0] as f64 / n;
    assert_within("P(shortfall at step 0)", p0, se, p_short, k);
}

/// With `initial = "up"` nothing is lost at step 0, and P(down at t) =
/// m_t = π(1 − λᵗ) relaxes toward the stationary π with λ = q − p, the
/// chain's second eigenvalue. The down indicators of one trial are
/// correlated: Cov(D_s, D_t) = m_s(π + (1 − π)λ^(t−s)) − m_s m_t (s <= t).
/// Two statistics, each a sum of the per-step frequencies over a window:
/// the relaxation (steps 1-15, where λᵗ falls from 0.83 to 0.06) and the
/// rest (16-59). Their exact se is √(Σ_window Cov / n): at n = 200,000,
/// 0.0090 on a mean of 3.26 and 0.021 on 13.6, so a 2% bias in P(down at
/// t) is 7.2 and 13.0 se, against a tolerance of 4.06 (two checks; 99%
/// power needs 6.39).
#[test]
fn up_start_relaxes_like_the_markov_chain() {
    let m = model(
        r#"
[scenario]
name = "upstart"
[time]
steps = 60
[simulation]
trials = 200000
seed = 5
[demand]
annual = 365.0
[[supplier]]
id = "a"
volume = 365.0
initial = "up"
outage = { rate_per_year = 20, duration_days = { dist = "exponential", mean = 8 } }
"#,
    );
    let (p, q) = chain(20.0, 8.0);
    let pi = stationary_down(p, q);
    let lambda = q - p;
    let down = |t: usize| pi * (1.0 - lambda.powi(t as i32));
    let cov = |s: usize, t: usize| {
        let (s, t) = (s.min(t), s.max(t));
        down(s) * (pi + (1.0 - pi) * lambda.powi((t - s) as i32)) - down(s) * down(t)
    };
    let n = 200_000.0;
    let k = z_tolerance(2);
    let windows = [1..16, 16..60];
    let exact: Vec<(f64, f64)> = windows
        .iter()
        .map(|w| {
            let mean: f64 = w.clone().map(down).sum();
            let var: f64 = w
                .clone()
                .flat_map(|s| w.clone().map(move |t| cov(s, t)))
                .sum();
            (mean, (var / n).sqrt())
        })
        .collect();
    for (w, (mean, se)) in windows.iter().zip(&exact) {
        assert_power(&format!("down steps in {w:?}"), 0.02 * mean, *se, k);
    }
    let (sim, _) = run_summary(&m);
    assert_eq!(sim.sums.shortfall_count[0], 0);
    for (w, (mean, se)) in windows.iter().zip(&exact) {
        let est: f64 = w
            .clone()
            .map(|t| sim.sums.shortfall_count[t] as f64 / n)
            .sum();
        assert_within(&format!("down steps in {w:?}"), est, *se, *mean, k);
    }
}

/// Events with a Poisson count: the number of occurrences in the horizon is
/// Poisson(1.5), visible as the fraction of trials with at least one,
/// 1 − e^(−1.5) = 0.7769 (se √(p(1−p)/n) = 0.0013 at n = 100,000: a 2%
/// bias is 11.8 se). Each occurrence removes one whole day of supply, and
/// occurrences on the same day overlap: each day is hit with probability
/// 1 − e^(−1.5/365), so E[supply_lost] = 365(1 − e^(−1.5/365)) = 1.49693,
/// not 1.5 (the number of days hit is a sum of 365 independent Bernoullis:
/// se = √(365 p(1−p) / n) = 0.0039, a 2% bias is 7.7 se). Tolerance 4.06
/// (two checks).
#[test]
fn poisson_event_count_matches() {
    let m = model(
        r#"
[scenario]
name = "poisson"
[simulation]
trials = 100000
seed = 3
[demand]
annual = 365.0
[[supplier]]
id = "a"
volume = 365.0
[[event]]
id = "e"
rate_per_year = 1.5
start_day = { dist = "uniform", min = 0, max = 365 }
duration_days = 1
supply = { a = 1.0 }
"#,
    );
    let n = 100_000.0;
    let k = z_tolerance(2);
    let p_any = 1.0 - (-1.5f64).exp();
    let se_any = (p_any * (1.0 - p_any) / n).sqrt();
    let p_day = -(-1.5f64 / 365.0).exp_m1();
    let lost = 365.0 * p_day;
    let se_lost = (365.0 * p_day * (1.0 - p_day) / n).sqrt();
    assert_power("P(at least one event)", 0.02 * p_any, se_any, k);
    assert_power("E[supply_lost]", 0.02 * lost, se_lost, k);
    let (_, s) = run_summary(&m);
    let p = s.metrics.shortfall_probability;
    assert_within("P(at least one event)", p.mean, se_any, p_any, k);
    let got = s.metrics.column(Column::SupplyLost).mean;
    assert_within("E[supply_lost]", got, se_lost, lost, k);
    // The reference counts overlaps: 1.49693, not 1.5 (the two are only
    // 0.8 se apart, so the sampling check alone could not tell them apart).
    assert!((lost - 1.49693).abs() < 1e-5, "{lost}");
}

/// Demand noise is a stationary AR(1): with a flat base of 1 per day,
/// demand is 1 + e_t with c(k) = Cov(e_t, e_(t+k)) = sd²φ^|k| at every
/// step. Checked separately at even and odd starting steps (the engine
/// takes the recursion two steps at a time), each pooled over the steps of
/// that parity among 16: the variance (mean of e_s², 8 steps), the lag-1
/// covariance (mean of e_s·e_(s+1), 8 or 7 steps), and the mean of e_s.
/// For a zero-mean normal vector (Isserlis), Cov(e_s e_(s+k), e_t e_(t+k))
/// = c(t−s)² + c(t−s+k) c(t−s−k), summed exactly over the pooled pairs. At
/// n = 100,000 trials the variance's se is 0.195% of sd² and the lag-1
/// covariance's 0.255% (even) and 0.271% (odd) of sd²φ, so a 2% bias is
/// 10.2, 7.8 and 7.4 se. Six checks: tolerance 4.30 se, 99% power needs
/// 6.63 (asserted for each). sd = 0.1 keeps 1 + e_t above zero
/// (P(e < −1) = 10⁻²³), so no clamp distorts the moments.
#[test]
fn demand_noise_is_a_stationary_ar1() {
    let (sd, phi) = (0.1f64, 0.7f64);
    let m = model(
        r#"
[scenario]
name = "ar1"
[time]
steps = 16
[simulation]
trials = 100000
seed = 1
[demand]
annual = 365.0
noise = { sd = 0.1, autocorrelation = 0.7 }
[[supplier]]
id = "a"
volume = 365.0
"#,
    );
    let (n, steps) = (100_000usize, 16usize);
    let c = |k: i64| sd * sd * phi.powi(k.unsigned_abs() as i32);
    let k_tol = z_tolerance(6);
    // (parity, lag): the pooled pairs (s, s + lag) with s of that parity.
    let pairs =
        |parity: usize, lag: usize| -> Vec<usize> { (parity..steps - lag).step_by(2).collect() };
    let se_of = |starts: &[usize], lag: usize| -> f64 {
        let lag = lag as i64;
        let mut v = 0.0;
        for &s in starts {
            for &t in starts {
                let d = t as i64 - s as i64;
                v += c(d) * c(d) + c(d + lag) * c(d - lag);
            }
        }
        (v / (starts.len().pow(2) * n) as f64).sqrt()
    };
    let mut checks = Vec::new();
    for parity in 0..2 {
        for lag in 0..2 {
            let starts = pairs(parity, lag);
            let se = se_of(&starts, lag);
            assert_power(
                &format!("lag {lag}, parity {parity}"),
                0.02 * c(lag as i64),
                se,
                k_tol,
            );
            checks.push((parity, lag, starts, se));
        }
    }
    let mut e = vec![vec![0.0; steps]; n];
    for (i, row) in e.iter_mut().enumerate() {
        let (trace, _) = trace_trial(&m, i as u64);
        for (x, d) in row.iter_mut().zip(&trace.demand) {
            *x = d - 1.0;
        }
    }
    for (parity, lag, starts, se) in &checks {
        let est = e
            .iter()
            .map(|r| starts.iter().map(|&s| r[s] * r[s + lag]).sum::<f64>())
            .sum::<f64>()
            / (starts.len() * n) as f64;
        let what = format!("Cov(e_s, e_s+{lag}), s ≡ {parity} mod 2");
        assert_within(&what, est, *se, c(*lag as i64), k_tol);
    }
    // The mean demand, 1: Var of the pooled mean is Σ_s Σ_t c(t − s) / (S² n);
    // se 2.4e-4 against a 2% bias of 0.02: no power question.
    for parity in 0..2 {
        let starts = pairs(parity, 0);
        let var: f64 = starts
            .iter()
            .flat_map(|&s| starts.iter().map(move |&t| c(t as i64 - s as i64)))
            .sum();
        let se = (var / (starts.len().pow(2) * n) as f64).sqrt();
        let est = e
            .iter()
            .map(|r| starts.iter().map(|&s| r[s]).sum::<f64>())
            .sum::<f64>()
            / (starts.len() * n) as f64;
        assert_within(&format!("E[e_s], s ≡ {parity} mod 2"), est, se, 0.0, k_tol);
    }
}
