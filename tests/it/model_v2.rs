//! Exact references for the model v2 additions (SCENARIO.md, "Uncertain
//! inputs", "Linked substitutes", "Conditional events" and the seasonal
//! `target`): hand-computed paths in deterministic cases, and occurrence
//! probabilities and input means against closed forms within a few standard
//! errors, with enough trials that a 2% error fails.

use shortfall::engine::{Column, trace_trial};

use crate::helpers::{
    assert_power, assert_within, model, model_with, run, run_summary, z_tolerance,
};

/// Two suppliers of one unit a day each; an event cuts all of `a` and a
/// fraction of `b` over days [5, 10); a loss-triggered substitute of 0.1 a
/// day draws on `b`'s spare capacity (`source = "b"`). `b` has a transit of
/// 3 days, which must not matter: the link is to its loss at source.
fn linked(fraction: f64) -> String {
    format!(
        r#"
[scenario]
name = "linked"
[time]
steps = 20
[simulation]
trials = 1
seed = 3
[demand]
annual = 730.0
[[supplier]]
id = "a"
volume = 365.0
[[supplier]]
id = "b"
volume = 365.0
transit_days = 3
[[substitute]]
id = "tolerance"
capacity = 36.5        # 0.1 a day
source = "b"
[[event]]
id = "cut"
probability = 1.0
start_day = 5
duration_days = 5
supply = {{ a = 1.0, b = {fraction:?} }}
"#
    )
}

/// A `source` substitute delivers nothing while its supplier is cut, half
/// while it loses half, and in full otherwise; the window is the loss at
/// source (days 5-9), not the late arrivals.
#[test]
fn linked_substitute_scales_with_its_suppliers_loss_at_source() {
    for (fraction, keep) in [(1.0, 0.0), (0.5, 0.5), (0.0, 1.0)] {
        let m = model(&linked(fraction));
        let (trace, row) = trace_trial(&m, 0);
        let per_day = 36.5 / 365.0;
        let mut expected = vec![0.0; 20];
        // Ordered at t with lead 0: arrives at t.
        expected[5..10].fill(per_day * keep);
        assert_eq!(trace.substitute, expected, "fraction {fraction}");
        assert_eq!(
            row[Column::SubstituteUsed.index()],
            expected.iter().sum::<f64>()
        );
    }
}

/// Without `source` the same substitute delivers in full through the cut:
/// the link, not the event, removed its capacity above.
#[test]
fn without_source_the_substitute_is_not_linked() {
    let text = linked(1.0).replace("source = \"b\"\n", "");
    let (trace, _) = trace_trial(&model(&text), 0);
    let per_day = 36.5 / 365.0;
    for t in 5..10 {
        assert_eq!(trace.substitute[t], per_day);
    }
}

/// The link applies to emergency (shortfall-triggered) cover too.
#[test]
fn linked_emergency_cover_is_cut_with_its_supplier() {
    let text = linked(1.0)
        .replace(
            "capacity = 36.5        # 0.1 a day",
            "capacity = 36.5\ntrigger = \"shortfall\"",
        )
        .replace("supply = { a = 1.0, b = 1.0 }", "supply = { b = 1.0 }");
    let (trace, _) = trace_trial(&model(&text), 0);
    // b's arrivals stop over days 8-12 (3 days of transit); its spare
    // capacity only over days 5-9 (at source). Emergency cover is needed
    // (one unit a day short, no storage) on days 8-12 and can come only on
    // days 10-12, 0.1 a day.
    let per_day = 36.5 / 365.0;
    let mut expected = vec![0.0; 20];
    expected[10..13].fill(per_day);
    assert_eq!(trace.emergency, expected);
    let mut short = vec![0.0; 20];
    for (t, s) in short.iter_mut().enumerate().take(13).skip(8) {
        *s = 1.0 - expected[t];
    }
    assert_eq!(trace.shortfall, short);
}

/// Three suppliers of 12, 24 and 48 units a year (1, 2 and 4 a month), each
/// cut for the whole year by its own event, so that a trial's `supply_lost`
/// (12 × a code of three bits) tells which events occurred.
fn chain(pa: f64, pb: f64, pc: f64, trials: u64) -> String {
    format!(
        r#"
[scenario]
name = "chain"
[time]
step = "month"
steps = 12
[simulation]
trials = {trials}
seed = 11
[demand]
annual = 84.0
[[supplier]]
id = "sa"
volume = 12.0
[[supplier]]
id = "sb"
volume = 24.0
[[supplier]]
id = "sc"
volume = 48.0
# c is listed first: the order of drawing must follow `after`, not the file.
[[event]]
id = "c"
after = "b"
probability = {pc:?}
supply = {{ sc = 1.0 }}
[[event]]
id = "a"
probability = {pa:?}
supply = {{ sa = 1.0 }}
[[event]]
id = "b"
after = "a"
probability = {pb:?}
supply = {{ sb = 1.0 }}
"#
    )
}

/// A conditional chain c after b after a: b occurs only with a, c only with
/// b, and P(c) = P(a)·p_b·p_c. Each occurrence share is checked against its
/// product within 4 SE. With 400,000 trials the SE of P(c) = 0.21 is
/// 0.00064: a 2% error (0.0042) is 6.5 SE, caught with probability > 99%.
#[test]
fn conditional_chain_occurs_with_the_product_of_its_probabilities() {
    let (pa, pb, pc) = (0.6, 0.5, 0.7);
    let trials = 400_000;
    let m = model(&chain(pa, pb, pc, trials));
    let sim = run(&m, 2);
    let mut count = [0u64; 3];
    for lost in sim.column(Column::SupplyLost) {
        let code = (lost / 12.0).round() as u64;
        assert_eq!(
            *lost,
            12.0 * code as f64,
            "whole-year losses are whole units"
        );
        let (a, b, c) = (code & 1 != 0, code & 2 != 0, code & 4 != 0);
        assert!(a || !b, "b occurred without a");
        assert!(b || !c, "c occurred without b");
        for (k, hit) in [a, b, c].into_iter().enumerate() {
            count[k] += u64::from(hit);
        }
    }
    let n = trials as f64;
    // Three checks at 4.15 se (99.99% together); 99% power needs 6.48 se,
    // asserted (P(c): 6.5).
    let tol = z_tolerance(3);
    for (k, exact) in [pa, pa * pb, pa * pb * pc].into_iter().enumerate() {
        let share = count[k] as f64 / n;
        let se = (exact * (1.0 - exact) / n).sqrt();
        assert_power(&format!("P(event {k})"), 0.02 * exact, se, tol);
        assert_within(&format!("P(event {k})"), share, se, exact, tol);
    }
}

/// Start offsets are exact: a starts on day 3; b, after a, 4.5 days later
/// (floor: 4 steps, so day 7); c, after b, 2 days later (day 9); d, after
/// a with a negative offset, adds nothing (day 3).
#[test]
fn conditional_starts_are_offset_from_the_named_event() {
    let m = model(
        r#"
[scenario]
name = "offsets"
[time]
steps = 15
[simulation]
trials = 1
seed = 1
[demand]
annual = 0.0
[[supplier]]
id = "sa"
volume = 365.0
[[supplier]]
id = "sb"
volume = 730.0
[[supplier]]
id = "sc"
volume = 1460.0
[[supplier]]
id = "sd"
volume = 2920.0
[[event]]
id = "c"
after = "b"
probability = 1.0
start_day = 2
supply = { sc = 1.0 }
[[event]]
id = "b"
after = "a"
probability = 1.0
start_day = 4.5
supply = { sb = 1.0 }
[[event]]
id = "a"
probability = 1.0
start_day = 3
supply = { sa = 1.0 }
[[event]]
id = "d"
after = "a"
probability = 1.0
start_day = -6
supply = { sd = 1.0 }
"#,
    );
    let (trace, _) = trace_trial(&m, 0);
    let expected: Vec<f64> = (0..15)
        .map(|t| {
            let on = |from: usize, v: f64| if t >= from { v } else { 0.0 };
            on(3, 1.0) + on(7, 2.0) + on(9, 4.0) + on(3, 8.0)
        })
        .collect();
    assert_eq!(trace.lost, expected);
}

/// A conditional event whose named event did not occur does not occur,
/// whatever its own probability; one whose named event starts after the
/// horizon starts later still, so it has no effect either. (That such a
/// named event still counts as having occurred cannot be seen in any output:
/// its children start no earlier than it.)
#[test]
fn conditional_event_needs_its_named_event() {
    let text = chain(0.0, 1.0, 1.0, 2000);
    let (sim, _) = run_summary(&model(&text));
    assert!(sim.column(Column::SupplyLost).iter().all(|x| *x == 0.0));
    let late = model_with(
        &chain(1.0, 1.0, 1.0, 50),
        &["event.a.start_day=400", "event.b.start_day=-30"],
    );
    let (sim, _) = run_summary(&late);
    assert!(sim.column(Column::SupplyLost).iter().all(|x| *x == 0.0));
}

/// A 12-value target restocks to each month's level: storage starts at 1;
/// the target is 2 in January, 3 in February, 4 in March and 2.5 from April
/// (a level above it is not drawn down: the substitute only orders). Supply
/// equals demand, so only restocking moves the level; orders arrive the
/// next day (lead 1 day).
#[test]
fn monthly_target_restocks_to_each_months_level() {
    let m = model(
        r#"
[scenario]
name = "seasonal"
[time]
start = "2023-01-01"
steps = 100
[simulation]
trials = 1
seed = 1
[demand]
annual = 365.0
[storage]
capacity = 5.0
initial = 1.0
minimum = 0.5
[[supplier]]
id = "a"
volume = 365.0
[[substitute]]
id = "restock"
trigger = "storage"
capacity = 36500.0
lead_days = 1
target = [2.0, 3.0, 4.0, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5]
"#,
    );
    let (trace, row) = trace_trial(&m, 0);
    let expected: Vec<f64> = (0..100)
        .map(|t| match t {
            0 => 1.0,
            1..=31 => 2.0,  // ordered on day 0, arrives day 1
            32..=59 => 3.0, // February starts on day 31
            _ => 4.0,       // March starts on day 59; April's 2.5 is below
        })
        .collect();
    assert_eq!(trace.level, expected);
    assert_eq!(row[Column::SubstituteUsed.index()], 3.0);
}

/// With monthly steps and a start in April, 12 target values are still per
/// calendar month (not per step): step 0 orders up to April's level.
#[test]
fn twelve_targets_are_months_even_with_twelve_monthly_steps() {
    let m = model(
        r#"
[scenario]
name = "months"
[time]
start = "2024-04-01"
step = "month"
steps = 12
[simulation]
trials = 1
seed = 1
[demand]
annual = 0.0
[storage]
capacity = 20.0
initial = 0.0
[[supplier]]
id = "a"
volume = 0.0
[[substitute]]
id = "restock"
trigger = "storage"
capacity = 1000.0
target = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0]
"#,
    );
    let (trace, _) = trace_trial(&m, 0);
    // Ordered at step t (month April + t) up to that month's level, arriving
    // a step later: April's 4 at step 1, May's 5 at step 2, ..., December's
    // 12 at step 9; January-March (1-3) are below the level reached.
    assert_eq!(
        trace.level,
        vec![
            0.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 12.0, 12.0
        ]
    );
}

/// A per-step target (one value per step) is read at the step the order is
/// placed.
#[test]
fn per_step_target_is_read_at_each_step() {
    let targets: Vec<String> = (0..6).map(|t| format!("{:?}", 1.0 + t as f64)).collect();
    let m = model(&format!(
        r#"
[scenario]
name = "path"
[time]
steps = 6
[simulation]
trials = 1
seed = 1
[demand]
annual = 0.0
[storage]
capacity = 10.0
initial = 1.0
[[supplier]]
id = "a"
volume = 0.0
[[substitute]]
id = "restock"
trigger = "storage"
capacity = 36500.0
target = [{}]
"#,
        targets.join(", ")
    ));
    let (trace, _) = trace_trial(&m, 0);
    // Ordered at t to 1 + t, arriving at t + 1 (a storage order takes at
    // least a step).
    assert_eq!(trace.level, vec![1.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
}

/// A scenario with one input of each kind drawn.
const DRAWN: &str = r#"
[scenario]
name = "drawn"
[time]
steps = 60
[simulation]
trials = 40
seed = 5
[demand]
annual = 40.0
level = { dist = "normal", mean = 1.0, sd = 0.05 }
[storage]
capacity = 2.0
initial = 1.0
minimum = 0.2
[[supplier]]
id = "a"
volume = { dist = "uniform", min = 25, max = 45 }
transit_days = { dist = "empirical", values = [2, 9], weights = [0.5, 0.5] }
outage = { rate_per_year = 6, duration_days = { dist = "exponential", mean = 8 } }
[[supplier]]
id = "b"
volume = 5.0
outage = { rate_per_year = 3, duration_days = 10 }
[[substitute]]
id = "flex"
capacity = { dist = "triangular", min = 2, mode = 5, max = 9 }
lead_days = { dist = "uniform", min = 3, max = 20 }
source = "a"
cost = { dist = "normal", mean = 10, sd = 4 }
[[substitute]]
id = "restock"
trigger = "storage"
capacity = 6
target = [1.5, 1.5, 1.2, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.2, 1.5, 1.5]
lead_days = 4
[[substitute]]
id = "sbl"
trigger = "shortfall"
capacity = 10
volume = { dist = "uniform", min = -0.1, max = 0.3 }
[[event]]
id = "cut"
probability = 0.5
start_day = { dist = "uniform", min = 0, max = 50 }
duration_days = 20
supply = { a = 1.0 }
"#;

/// The fields drawn in [`DRAWN`], as `--set` paths, in inputs.npy order.
const DRAWN_FIELDS: [&str; 6] = [
    "supplier.a.volume",
    "supplier.a.transit_days",
    "substitute.flex.capacity",
    "substitute.flex.lead_days",
    "substitute.flex.cost",
    "substitute.sbl.volume",
];

/// Each trial's row equals the row of a run in which every drawn input is
/// fixed at the value that trial drew (inputs.npy holds the value after
/// clamping, lead and transit in days before rounding).
#[test]
fn a_drawn_trial_equals_the_same_trial_with_its_values_fixed() {
    let m = model(DRAWN);
    let names: Vec<&str> = m.inputs.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, DRAWN_FIELDS);
    let sim = run(&m, 2);
    assert!(sim.inputs.iter().all(|v| *v >= 0.0), "clamped at 0");
    let budget = sim.inputs.column(5);
    assert!(
        budget.iter().any(|v| *v == 0.0),
        "some budgets are clamped to 0"
    );
    // A few trials, and every trial in which an input was clamped to 0 (so
    // that a clamped cost or budget is checked as fixed at 0).
    let clamped: Vec<usize> = (0..sim.len())
        .filter(|&i| sim.inputs.row(i).iter().any(|v| *v == 0.0))
        .collect();
    assert!(
        clamped.iter().any(|&i| sim.inputs[[i, 4]] == 0.0),
        "some trial draws a negative cost, clamped to 0"
    );
    let mut trials = vec![0usize, 7, 19, 33, 39];
    trials.extend(clamped);
    for trial in trials {
        let mut sets: Vec<String> = DRAWN_FIELDS
            .iter()
            .zip(sim.inputs.row(trial))
            .map(|(path, v)| format!("{path}={v:?}"))
            .collect();
        sets.push(format!("simulation.trials={}", trial + 1));
        let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
        let fixed = model_with(DRAWN, &sets);
        assert!(fixed.inputs.is_empty());
        let one = run(&fixed, 1);
        assert_eq!(
            one.table.row(trial),
            sim.table.row(trial),
            "trial {trial} with its inputs fixed: {sets:?}"
        );
    }
}

/// Common random numbers: a field drawn from `fixed` at its own value
/// changes no row (its stream is its own), and drawing one more field
/// leaves every other input and every column it cannot touch unchanged.
#[test]
fn drawing_one_more_field_changes_no_other_draw() {
    let m = model(DRAWN);
    let base = run(&m, 2);
    // b's volume drawn as `fixed` 5: the same rows, one more input column
    // (b comes after a, so its column is the third).
    let m2 = model_with(DRAWN, &["supplier.b.volume={dist=\"fixed\",value=5.0}"]);
    assert_eq!(m2.inputs[2].name, "supplier.b.volume");
    let with_b = run(&m2, 2);
    assert_eq!(with_b.table, base.table);
    assert!(with_b.inputs.column(2).iter().all(|v| *v == 5.0));
    let mut others = with_b.inputs.clone();
    others.remove_index(ndarray::Axis(1), 2);
    assert_eq!(others, base.inputs);
    // The restocking cost drawn: only the cost column can change.
    let m3 = model_with(
        DRAWN,
        &["substitute.restock.cost={dist=\"uniform\",min=1,max=3}"],
    );
    let with_cost = run(&m3, 2);
    let k = m3
        .inputs
        .iter()
        .position(|i| i.name == "substitute.restock.cost")
        .unwrap();
    assert_eq!(k, 5, "after flex's fields, before sbl's budget");
    let mut others = with_cost.inputs.clone();
    others.remove_index(ndarray::Axis(1), k);
    assert_eq!(others, base.inputs);
    for c in Column::ALL {
        if c != Column::Cost {
            assert_eq!(with_cost.column(c), base.column(c), "{}", c.name());
        }
    }
    assert_ne!(with_cost.column(Column::Cost), base.column(Column::Cost));
}

/// Empirical and uniform inputs reproduce their means (and spreads) within
/// 4 SE. With 200,000 trials the SE of the empirical mean (19, sd 11.36) is
/// 0.025: a 2% error (0.38) is 15 SE; of the uniform's (4, sd 1.155) 0.0026,
/// against 0.08 for 2%.
#[test]
fn drawn_inputs_reproduce_their_means() {
    let m = model(
        r#"
[scenario]
name = "means"
[time]
step = "month"
steps = 1
[simulation]
trials = 200000
seed = 9
[demand]
annual = 1.0
[[supplier]]
id = "a"
volume = { dist = "empirical", values = [10, 20, 40], weights = [0.5, 0.3, 0.2] }
[[substitute]]
id = "s"
capacity = { dist = "uniform", min = 2, max = 6 }
"#,
    );
    let (sim, summary) = run_summary(&m);
    assert_eq!(
        summary.inputs,
        vec!["supplier.a.volume", "substitute.s.capacity"]
    );
    let n = sim.len() as f64;
    let emp_mean = 0.5 * 10.0 + 0.3 * 20.0 + 0.2 * 40.0;
    let emp_var = 0.5 * 100.0 + 0.3 * 400.0 + 0.2 * 1600.0 - emp_mean * emp_mean;
    let a = summary.input_metrics.get("supplier.a.volume").unwrap();
    // Three checks at 4.15 se (99.99% together); 99% power needs 6.48 se.
    let tol = z_tolerance(3);
    let checks = [
        ("empirical mean", emp_mean, (emp_var / n).sqrt()),
        ("uniform mean", 4.0, (16.0 / 12.0 / n).sqrt()),
        (
            "uniform variance",
            16.0 / 12.0,
            ((16.0 / 5.0 - 16.0 / 9.0) / n).sqrt(),
        ),
    ];
    for (what, exact, se) in checks {
        assert_power(what, 0.02 * exact, se, tol);
    }
    assert_within("empirical mean", a.mean, checks[0].2, emp_mean, tol);
    assert_eq!((a.min, a.max), (10.0, 40.0));
    let s = summary.input_metrics.get("substitute.s.capacity").unwrap();
    assert_within("uniform mean", s.mean, checks[1].2, 4.0, tol);
    // The uniform's variance, 4/3: its sample variance has SE about
    // sqrt((μ4 - σ⁴)/n) = sqrt((16/5 - 16/9)/n).
    let var = s.std * s.std;
    assert_within("uniform variance", var, checks[2].2, 16.0 / 12.0, tol);
    // summary.json's supplier volume is the mean of the draws.
    assert_eq!(summary.suppliers[0].volume, a.mean);
    // The drawn volume sets each trial's demand-free supply: the step's
    // supply is the drawn volume / 12.
    for (row, v) in sim
        .table
        .rows()
        .into_iter()
        .zip(sim.inputs.column(0))
        .take(50)
    {
        assert_eq!(row[Column::Surplus.index()], v / 12.0 - 1.0 / 12.0);
    }
}
