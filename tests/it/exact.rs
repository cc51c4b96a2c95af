//! The engine against answers computed exactly: by enumeration of supplier
//! states, by hand for deterministic runs, and by a dynamic programme over
//! (supplier state, storage level) for a Markov supplier with storage.
//!
//! With exponential outage durations the discretised process is a two-state
//! Markov chain in whole steps: up → down with p = 1 − exp(−rate/365) per
//! step, down → up with 1 − q, q = exp(−step_days/mean). Started in its
//! stationary law, every step's state has that law, which the exact answers
//! below use.

#![allow(clippy::needless_range_loop)] // the dynamic programme reads best with indices

use shortfall::engine::{Column, trace_trial};

use crate::helpers::{assert_within, model, model_with, run, run_summary};

fn chain(rate: f64, mean_days: f64) -> (f64, f64) {
    let p = 1.0 - (-rate / 365.0f64).exp();
    let q = (-1.0 / mean_days).exp();
    (p, q)
}

fn stationary_down(p: f64, q: f64) -> f64 {
    let e_up = 1.0 / p;
    let e_down = 1.0 / (1.0 - q);
    e_down / (e_up + e_down)
}

/// Three independent suppliers (one with a partial loss), no storage,
/// constant demand: per-step shortfall by enumerating the 8 states.
#[test]
fn independent_suppliers_no_storage_match_enumeration() {
    let m = model(
        r#"
[scenario]
name = "enum"
[simulation]
trials = 40000
seed = 11
[demand]
annual = 365.0
[[supplier]]
id = "a"
volume = 182.5        # 0.5 per day
outage = { rate_per_year = 6, duration_days = { dist = "exponential", mean = 10 } }
[[supplier]]
id = "b"
volume = 109.5        # 0.3 per day
outage = { rate_per_year = 12, duration_days = { dist = "exponential", mean = 3 } }
[[supplier]]
id = "c"
volume = 164.25       # 0.45 per day, loses half when out
outage = { rate_per_year = 4, duration_days = { dist = "exponential", mean = 20 }, loss = 0.5 }
"#,
    );
    let specs = [
        (0.5, 1.0, chain(6.0, 10.0)),
        (0.3, 1.0, chain(12.0, 3.0)),
        (0.45, 0.5, chain(4.0, 20.0)),
    ];
    let (mut p_short, mut e_short) = (0.0f64, 0.0f64);
    for state in 0..8u32 {
        let mut prob = 1.0;
        let mut supply = 0.0f64;
        for (i, (v, loss, (p, q))) in specs.iter().enumerate() {
            let pi = stationary_down(*p, *q);
            if state & (1 << i) != 0 {
                prob *= pi;
                supply += v * (1.0 - loss);
            } else {
                prob *= 1.0 - pi;
                supply += v;
            }
        }
        let short = (1.0 - supply).max(0.0);
        if short > 1e-9 {
            p_short += prob;
            e_short += prob * short;
        }
    }
    let (sim, s) = run_summary(&m);
    let mt = &s.metrics;
    assert_within("EUE", mt.eue.mean, mt.eue.se, 365.0 * e_short, 4.0);
    assert_within("LOLE", mt.lole.mean, mt.lole.se, 365.0 * p_short, 4.0);
    // The first step already has the stationary law (stationary start).
    let n = sim.table.nrows() as f64;
    let p0 = sim.sums.shortfall_count[0] as f64 / n;
    assert_within(
        "P(shortfall at step 0)",
        p0,
        (p_short * (1.0 - p_short) / n).sqrt(),
        p_short,
        4.0,
    );
    let early: f64 = sim.sums.shortfall_count[..5]
        .iter()
        .map(|&c| c as f64)
        .sum::<f64>()
        / (5.0 * n);
    assert_within(
        "P(shortfall in steps 0-4)",
        early,
        (p_short * (1.0 - p_short) / n).sqrt(),
        p_short,
        4.0,
    );
}

/// With `initial = "up"` nothing is lost at step 0, and the law relaxes
/// toward the stationary one: P(down at t) = π (1 − λᵗ) with λ = q − p... i.e.
/// the two-state chain's second eigenvalue 1 − p − (1 − q).
#[test]
fn up_start_relaxes_like_the_markov_chain() {
    let m = model(
        r#"
[scenario]
name = "upstart"
[time]
steps = 60
[simulation]
trials = 100000
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
    let lambda = 1.0 - p - (1.0 - q);
    let (sim, _) = run_summary(&m);
    let n = sim.table.nrows() as f64;
    assert_eq!(sim.sums.shortfall_count[0], 0);
    for t in [1usize, 5, 20, 59] {
        let exact = pi * (1.0 - lambda.powi(t as i32));
        let est = sim.sums.shortfall_count[t] as f64 / n;
        assert_within(
            &format!("P(down at step {t})"),
            est,
            (exact * (1.0 - exact) / n).sqrt(),
            exact,
            4.0,
        );
    }
}

const CUT_BASE: &str = r#"
[scenario]
name = "cut"
[time]
steps = 60
[simulation]
trials = 3
seed = 1
[demand]
annual = 365.0            # 1 per day
[storage]
capacity = 5.0
initial = 5.0
minimum = 1.0
[[supplier]]
id = "a"
volume = 273.75           # 0.75 per day
[[supplier]]
id = "b"
volume = 91.25            # 0.25 per day
[[event]]
id = "cut"
probability = 1.0
start_day = 10
duration_days = 20
supply = { a = 1.0 }
"#;

/// Supplier a (0.75/day of a 1/day demand) is cut on days 10-29; storage
/// holds 4 above its floor: levels fall by 0.75 a day to 1.25 on day 14,
/// day 15 is short by 0.5 and days 16-29 by 0.75.
#[test]
fn fixed_cut_drains_storage_as_computed_by_hand() {
    let m = model(CUT_BASE);
    let (trace, row) = trace_trial(&m, 0);
    let mut level = vec![5.0; 10];
    level.extend([4.25, 3.5, 2.75, 2.0, 1.25]);
    level.extend([1.0; 45]);
    assert_eq!(trace.level, level);
    let mut short = vec![0.0; 15];
    short.push(0.5);
    short.extend([0.75; 14]);
    short.extend([0.0; 30]);
    assert_eq!(trace.shortfall, short);
    // shortfall, peak, steps, events, longest, first, storage_min, demand, lost, substitute, emergency, surplus, cost
    assert_eq!(
        row,
        [
            11.0, 0.75, 15.0, 1.0, 15.0, 15.0, 1.0, 60.0, 15.0, 0.0, 0.0, 0.0, 0.0
        ]
    );
    // Every trial is the same run.
    let (sim, s) = run_summary(&m);
    for r in sim.table.rows() {
        assert_eq!(r.to_vec(), row.to_vec());
    }
    assert_eq!(s.metrics.shortfall_probability.mean, 1.0);
    assert_eq!(s.metrics.eue.mean, 11.0);
}

/// The same cut with a 0.5/day loss-triggered substitute three days away:
/// orders placed on days 10-29 arrive on days 13-32.
#[test]
fn loss_triggered_substitute_arrives_after_its_lead_time() {
    let text = format!(
        "{CUT_BASE}\n[[substitute]]\nid = \"spot\"\ncapacity = 182.5\nlead_days = 3\ncost = 10\n"
    );
    let m = model(&text);
    let (trace, row) = trace_trial(&m, 0);
    let mut arrivals = vec![0.0; 13];
    arrivals.extend([0.5; 20]);
    arrivals.extend([0.0; 27]);
    assert_eq!(trace.substitute, arrivals);
    // Days 10-12 draw 0.75, then 0.25: the floor is reached on day 19,
    // days 20-29 are short by 0.25, days 30-32 refill by 0.5 each.
    assert_eq!(trace.level[12], 2.75);
    assert_eq!(trace.level[19], 1.0);
    assert_eq!(trace.level[32], 2.5);
    assert_eq!(row[0], 2.5); // shortfall
    assert_eq!(row[2], 10.0); // shortfall steps
    assert_eq!(row[5], 20.0); // first shortfall step
    assert_eq!(row[9], 10.0); // substitute_used
    assert_eq!(row[12], 100.0); // cost
}

/// Transit: losses at source on days 10-29 arrive short on days 13-32.
#[test]
fn transit_delays_the_arrival_of_a_loss() {
    let text = CUT_BASE.replace(
        "volume = 273.75           # 0.75 per day",
        "volume = 273.75\ntransit_days = 3",
    );
    let m = model(&text);
    let (trace, _) = trace_trial(&m, 0);
    for t in 0..60 {
        let lost = if (10..30).contains(&t) { 0.75 } else { 0.0 };
        let supply = if (13..33).contains(&t) { 0.25 } else { 1.0 };
        assert_eq!(trace.lost[t], lost, "lost at {t}");
        assert_eq!(trace.supply[t], supply, "supply at {t}");
    }
}

/// A storage-triggered substitute orders up to its target, counting what is
/// already on order, and its orders take at least one step.
#[test]
fn storage_triggered_substitute_restocks_to_target() {
    let m = model(
        r#"
[scenario]
name = "restock"
[time]
steps = 12
[simulation]
trials = 1
seed = 1
[demand]
annual = 365.0
[storage]
capacity = 5.0
initial = 2.0
[[supplier]]
id = "a"
volume = 365.0
[[substitute]]
id = "spot"
trigger = "storage"
capacity = 182.5      # 0.5 per day
lead_days = 3
target = 4.0
"#,
    );
    let (trace, row) = trace_trial(&m, 0);
    assert_eq!(
        trace.level,
        vec![2.0, 2.0, 2.0, 2.5, 3.0, 3.5, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0]
    );
    assert_eq!(row[9], 2.0); // substitute_used = target − initial
    assert_eq!(row[6], 2.0); // storage_min
}

/// A shortfall-triggered substitute covers up to its capacity until its
/// budget is spent; the rest is shortfall.
#[test]
fn shortfall_triggered_substitute_spends_its_budget() {
    let m = model(
        r#"
[scenario]
name = "emergency"
[time]
steps = 10
[simulation]
trials = 1
seed = 1
[demand]
annual = 365.0
[[supplier]]
id = "a"
volume = 182.5
[[substitute]]
id = "sbl"
trigger = "shortfall"
capacity = 91.25     # 0.25 per day
volume = 1.0         # budget
cost = 3.0
"#,
    );
    let (trace, row) = trace_trial(&m, 0);
    assert_eq!(
        trace.emergency,
        vec![0.25, 0.25, 0.25, 0.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    );
    assert_eq!(row[0], 4.0);
    assert_eq!(row[10], 1.0);
    assert_eq!(row[12], 3.0);
}

/// A 12-value profile is applied per calendar month, as given.
#[test]
fn monthly_profile_follows_the_calendar() {
    let m = model(
        r#"
[scenario]
name = "profile"
[time]
start = "2023-01-01"
steps = 365
[simulation]
trials = 1
seed = 1
[demand]
annual = 365.0
[storage]
capacity = 1000.0
initial = 500.0
[[supplier]]
id = "a"
volume = 365.0
profile = [2.0, 1.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5]
"#,
    );
    let (trace, _) = trace_trial(&m, 0);
    assert_eq!(trace.supply[0], 2.0);
    assert_eq!(trace.supply[30], 2.0); // 31 January
    assert_eq!(trace.supply[31], 1.5); // 1 February
    assert_eq!(trace.supply[58], 1.5); // 28 February
    assert_eq!(trace.supply[59], 1.0); // 1 March
    assert_eq!(trace.supply[364], 0.5); // 31 December
}

/// A Markov supplier with storage against an exact dynamic programme over
/// (supplier state, storage level, lowest level so far, shortfall seen).
#[test]
fn markov_supplier_with_storage_matches_dynamic_programme() {
    // Daily: demand 1, supplier a 0.5 when up, b 0.75 always. Up: +0.25/day,
    // down: −0.25/day. Storage in quarter units: capacity 2 (8), initial 1 (4).
    let m = model(
        r#"
[scenario]
name = "dp"
[time]
steps = 120
[simulation]
trials = 200000
seed = 99
[demand]
annual = 365.0
[storage]
capacity = 2.0
initial = 1.0
[[supplier]]
id = "a"
volume = 182.5
outage = { rate_per_year = 12, duration_days = { dist = "exponential", mean = 5 } }
[[supplier]]
id = "b"
volume = 273.75
"#,
    );
    let (p, q) = chain(12.0, 5.0);
    let pi = stationary_down(p, q);
    const CAP: usize = 8;
    // prob[state][level][min][seen]
    let mut prob = vec![[[[0.0f64; 2]; CAP + 1]; CAP + 1]; 2];
    // Step 0's state is drawn from the stationary law; levels start at 4.
    let (mut e_short, mut e_steps, mut e_surplus) = (0.0, 0.0, 0.0);
    let start = [1.0 - pi, pi];
    let mut first = true;
    for _t in 0..120 {
        let mut next = vec![[[[0.0f64; 2]; CAP + 1]; CAP + 1]; 2];
        // Probability of each state at this step (before the update).
        let mut cur: Vec<(usize, usize, usize, usize, f64)> = Vec::new();
        if first {
            for s in 0..2 {
                // storage_min is over end-of-step levels only: start the running min at the top.
                cur.push((s, 4, CAP, 0, start[s]));
            }
            first = false;
        } else {
            for s in 0..2 {
                for l in 0..=CAP {
                    for mn in 0..=CAP {
                        for seen in 0..2 {
                            let pr = prob[s][l][mn][seen];
                            if pr > 0.0 {
                                // Transition of the supplier between steps.
                                let (to_up, to_down) =
                                    if s == 0 { (1.0 - p, p) } else { (1.0 - q, q) };
                                cur.push((0, l, mn, seen, pr * to_up));
                                cur.push((1, l, mn, seen, pr * to_down));
                            }
                        }
                    }
                }
            }
        }
        for (s, l, mn, seen, pr) in cur {
            let delta: i64 = if s == 0 { 1 } else { -1 };
            let x = l as i64 + delta;
            let (level, short, surplus) = if x < 0 {
                (0usize, (-x) as f64 * 0.25, 0.0)
            } else if x > CAP as i64 {
                (CAP, 0.0, (x - CAP as i64) as f64 * 0.25)
            } else {
                (x as usize, 0.0, 0.0)
            };
            e_short += pr * short;
            e_surplus += pr * surplus;
            let now_short = short > 0.0;
            if now_short {
                e_steps += pr;
            }
            let seen2 = usize::from(seen == 1 || now_short);
            next[s][level][mn.min(level)][seen2] += pr;
        }
        prob = next;
    }
    let (mut p_any, mut e_min) = (0.0, 0.0);
    for s in 0..2 {
        for l in 0..=CAP {
            for mn in 0..=CAP {
                for seen in 0..2 {
                    let pr = prob[s][l][mn][seen];
                    e_min += pr * mn as f64 * 0.25;
                    if seen == 1 {
                        p_any += pr;
                    }
                }
            }
        }
    }
    let (_, s) = run_summary(&m);
    let mt = &s.metrics;
    assert_within("EUE", mt.eue.mean, mt.eue.se, e_short, 4.0);
    assert_within("LOLE", mt.lole.mean, mt.lole.se, e_steps, 4.0);
    assert_within(
        "P(shortfall)",
        mt.shortfall_probability.mean,
        mt.shortfall_probability.se,
        p_any,
        4.0,
    );
    let smin = mt.column(Column::StorageMin);
    assert_within("E[storage_min]", smin.mean, smin.se, e_min, 4.0);
    let sur = mt.column(Column::Surplus);
    assert_within("E[surplus]", sur.mean, sur.se, e_surplus, 4.0);
}

/// Events with a Poisson count: the number of occurrences in the horizon is
/// Poisson(rate × years), visible as the fraction of trials with none.
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
    let (_, s) = run_summary(&m);
    let p_none = (-1.5f64).exp();
    let p = s.metrics.shortfall_probability;
    assert_within("P(at least one event)", p.mean, p.se, 1.0 - p_none, 4.0);
    // Each occurrence removes one day of supply: E[lost] = 1.5 × 1 (an
    // occurrence drawn at 364.x starts on the last day and still counts).
    let lost = s.metrics.column(Column::SupplyLost);
    assert_within("E[supply_lost]", lost.mean, lost.se, 1.5, 4.0);
}

/// `outstanding` counts every order placed and not yet arrived, of any
/// trigger: a loss-triggered cargo on its way stops the storage-triggered
/// substitute from ordering the same volume again.
#[test]
fn restocking_counts_loss_orders_in_transit() {
    let m = model(
        r#"
[scenario]
name = "outstanding"
[time]
steps = 12
[simulation]
trials = 1
seed = 1
[demand]
annual = 365.0
[storage]
capacity = 10.0
initial = 5.0
[[supplier]]
id = "a"
volume = 365.0
[[substitute]]
id = "flex"
capacity = 365.0
lead_days = 5
[[substitute]]
id = "spot"
trigger = "storage"
capacity = 3650.0
lead_days = 1
target = 5.0
[[event]]
id = "cut"
probability = 1.0
start_day = 2
duration_days = 1
supply = { a = 1.0 }
"#,
    );
    let (trace, row) = trace_trial(&m, 0);
    assert_eq!(
        trace.level,
        vec![5.0, 5.0, 4.0, 4.0, 4.0, 4.0, 4.0, 5.0, 5.0, 5.0, 5.0, 5.0]
    );
    assert_eq!(row[9], 1.0); // only the loss-triggered cargo was delivered
}

/// Demand noise is a stationary AR(1): with a flat base of 1 per day, demand
/// is 1 + e_t with Var(e_t) = sd² at every step and Cov(e_t, e_{t+k}) =
/// sd²·φ^k. Checked at odd and even steps and lags (the engine takes the
/// recursion two steps at a time), over 40,000 trials. sd = 0.1 keeps
/// 1 + e_t above zero (P(e < -1) = 10⁻²³), so no clamp distorts the moments.
#[test]
fn demand_noise_is_a_stationary_ar1() {
    let (sd, phi) = (0.1f64, 0.7f64);
    let m = model_with(
        CUT_BASE,
        &[
            "simulation.trials=40000",
            "time.steps=9",
            "demand.noise.sd=0.1",
            "demand.noise.autocorrelation=0.7",
            "event.cut.enabled=false",
        ],
    );
    let n = 40_000;
    let steps = 9;
    let mut e = vec![vec![0.0; steps]; n];
    for (i, row) in e.iter_mut().enumerate() {
        let (trace, _) = trace_trial(&m, i as u64);
        for (x, d) in row.iter_mut().zip(&trace.demand) {
            *x = d - 1.0;
        }
    }
    // Moments of a zero-mean normal pair: Var(e_s·e_t) = σ_s²σ_t² + c², so
    // the sample covariance's standard error is √((sd⁴ + c²)/n).
    let moment = |s: usize, t: usize| e.iter().map(|r| r[s] * r[t]).sum::<f64>() / n as f64;
    for s in [0, 1, 2, 5, 8] {
        let mean = e.iter().map(|r| r[s]).sum::<f64>() / n as f64;
        assert_within(&format!("E[e_{s}]"), mean, sd / (n as f64).sqrt(), 0.0, 4.5);
        for k in [0, 1, 2, 3] {
            if s + k >= steps {
                continue;
            }
            let exact = sd * sd * phi.powi(k as i32);
            let se = ((sd.powi(4) + exact * exact) / n as f64).sqrt();
            assert_within(
                &format!("Cov(e_{s}, e_{})", s + k),
                moment(s, s + k),
                se,
                exact,
                4.5,
            );
        }
    }
}

/// The storage histogram holds every trial's level at every step in the bin
/// `BinScale::bin` gives it (the engine finds the bin inside the storage
/// balance's branches). japan-2024's levels reach the floor, capacity and
/// the range between (all three kinds of bin are checked to be used).
#[test]
fn storage_histogram_counts_each_level_in_its_bin() {
    use shortfall::engine::hist::{BinScale, HIST_WIDTH, STORAGE_BINS};
    let m = shortfall::scenario::load_model(
        // A stress scenario of the library, so that the floor is reached.
        std::path::Path::new("scenarios/combined-stress.toml"),
        &["simulation.trials=1000".to_string()],
    )
    .unwrap();
    let sim = run(&m, 2);
    let scale = BinScale::new(m.storage_minimum, m.storage_capacity);
    let mut expected = vec![0u32; m.steps * HIST_WIDTH];
    for i in 0..1000 {
        let (trace, _) = trace_trial(&m, i);
        for (t, &level) in trace.level.iter().enumerate() {
            expected[t * HIST_WIDTH + scale.bin(level) as usize] += 1;
        }
    }
    assert_eq!(sim.storage_hist.counts(), &expected[..]);
    let used = |b: usize| (0..m.steps).any(|t| expected[t * HIST_WIDTH + b] > 0);
    assert!(used(0), "no level at the floor");
    assert!(used(STORAGE_BINS + 1), "no level at capacity");
    assert!((1..=STORAGE_BINS).any(used), "no level in between");
}
