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

use crate::helpers::{assert_power, assert_within, model, run, run_summary, z_tolerance};

/// The two-state chain of an exponential outage in daily steps: up → down
/// with p, down → down with q.
pub fn chain(rate: f64, mean_days: f64) -> (f64, f64) {
    let p = 1.0 - (-rate / 365.0f64).exp();
    let q = (-1.0 / mean_days).exp();
    (p, q)
}

/// Stationary P(down) of the chain: E[down] / (E[up] + E[down]).
pub fn stationary_down(p: f64, q: f64) -> f64 {
    let e_up = 1.0 / p;
    let e_down = 1.0 / (1.0 - q);
    e_down / (e_up + e_down)
}

/// Three independent suppliers (one with a partial loss), no storage,
/// constant demand 1 per day.
pub const THREE_SUPPLIERS: &str = r#"
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
"#;

/// P(shortfall) and E[shortfall] of one step of [`THREE_SUPPLIERS`] in the
/// stationary law, by enumerating the 8 states of the suppliers.
pub fn three_suppliers_enumerated() -> (f64, f64) {
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
    (p_short, e_short)
}

/// [`THREE_SUPPLIERS`] over a year: per-step shortfall by enumeration.
#[test]
fn independent_suppliers_no_storage_match_enumeration() {
    let m = model(THREE_SUPPLIERS);
    let (p_short, e_short) = three_suppliers_enumerated();
    let (_, s) = run_summary(&m);
    let mt = &s.metrics;
    // se: the sample se of the per-trial totals at 40,000 trials, 0.046 on
    // an EUE of 20.1 and 0.137 on a LOLE of 85.3: a 2% bias is 8.7 and
    // 12.5 se, against a tolerance of 4.06 (two checks; 99% power needs
    // 6.39, asserted).
    let k = z_tolerance(2);
    for (what, stat, exact) in [
        ("EUE", mt.eue, 365.0 * e_short),
        ("LOLE", mt.lole, 365.0 * p_short),
    ] {
        assert_power(what, 0.02 * exact, stat.se, k);
        assert_within(what, stat.mean, stat.se, exact, k);
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
trials = 300000
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
    // se: each statistic's sample se at 300,000 trials (EUE 0.0028 on
    // 1.02, LOLE 0.011 on 4.10, P(shortfall) 9.1e-4 on 0.545, storage_min
    // 8.1e-4 on 0.296, surplus 0.0079 on 21.2): a 2% bias is 7.3, 7.3, 12,
    // 7.3 and 54 se. Five checks: tolerance 4.26 se, 99% power needs 6.59
    // (asserted for each).
    let k = z_tolerance(5);
    let smin = mt.column(Column::StorageMin);
    let sur = mt.column(Column::Surplus);
    for (what, mean, se, exact) in [
        ("EUE", mt.eue.mean, mt.eue.se, e_short),
        ("LOLE", mt.lole.mean, mt.lole.se, e_steps),
        (
            "P(shortfall)",
            mt.shortfall_probability.mean,
            mt.shortfall_probability.se,
            p_any,
        ),
        ("E[storage_min]", smin.mean, smin.se, e_min),
        ("E[surplus]", sur.mean, sur.se, e_surplus),
    ] {
        assert_power(what, 0.02 * exact, se, k);
        assert_within(what, mean, se, exact, k);
    }
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
