//! Extreme but valid inputs run and give finite results, exact where the
//! answer is known: one trial, one step, 100,000 steps, volumes of 1e-9
//! and 1e9, probabilities 0 and 1, zero storage.

use shortfall::engine::Column;

use crate::helpers::{model, read_json, run, run_summary, scenario_file, shortfall};

/// Demand 1 a step; supplier `a` delivers `supply` a step; no storage; an
/// event that cuts `a` off whole from day 100 for 50 days with probability
/// `p`.
fn cut_off(p: f64, supply: f64, step: &str, steps: usize, trials: u64) -> String {
    let per_year = match step {
        "hour" => 8760.0,
        _ => 365.0,
    };
    format!(
        r#"
[scenario]
name = "extreme"
[time]
step = "{step}"
steps = {steps}
[simulation]
trials = {trials}
seed = 5
[demand]
annual = {per_year}
[[supplier]]
id = "a"
volume = {v}
[[event]]
id = "cut"
probability = {p}
start_day = 100
duration_days = 50
supply = {{ a = 1.0 }}
"#,
        v = supply * per_year
    )
}

/// EUE (to 1e-9 relative), P(shortfall) and LOLE are exactly these.
fn headline(s: &shortfall::Summary, eue: f64, p: f64, lole: f64) {
    let m = &s.metrics;
    assert!(
        (m.eue.mean - eue).abs() <= 1e-9 * eue,
        "EUE {} vs {eue}",
        m.eue.mean
    );
    assert_eq!(m.shortfall_probability.mean, p);
    assert_eq!(m.lole.mean, lole);
}

#[test]
fn probability_one_cuts_off_exactly_the_event_s_volume() {
    let m = model(&cut_off(1.0, 1.0, "day", 365, 1000));
    let (sim, s) = run_summary(&m);
    // 50 days of demand 1, nothing else short: exactly 50 in every trial.
    for &x in sim.column(Column::Shortfall) {
        assert!((x - 50.0).abs() < 1e-9, "{x}");
    }
    headline(&s, 50.0, 1.0, 50.0);
    assert_eq!(s.metrics.eue.se, 0.0);
    assert_eq!(s.metrics.column(Column::FirstShortfallStep).min, 100.0);
    assert_eq!(s.metrics.column(Column::LongestShortfallSteps).max, 50.0);
}

#[test]
fn probability_zero_gives_no_shortfall() {
    let m = model(&cut_off(0.0, 1.0, "day", 365, 1000));
    let (_, s) = run_summary(&m);
    headline(&s, 0.0, 0.0, 0.0);
    assert_eq!(s.metrics.column(Column::FirstShortfallStep).max, -1.0);
}

#[test]
fn zero_storage_is_short_by_the_deficit_every_step() {
    // Supply 0.7 of demand, no storage: short by 0.3 every step.
    let m = model(&cut_off(0.0, 0.7, "day", 365, 600));
    let (sim, s) = run_summary(&m);
    let exact = 0.3 * 365.0;
    for &x in sim.column(Column::Shortfall) {
        assert!((x - exact).abs() < 1e-9 * exact, "{x} vs {exact}");
    }
    headline(&s, exact, 1.0, 365.0);
    assert_eq!(s.metrics.column(Column::ShortfallEvents).max, 1.0);
    assert_eq!(s.metrics.column(Column::StorageMin).max, 0.0);
}

#[test]
fn one_step_runs_and_is_exact() {
    let m = model(&cut_off(0.0, 0.7, "day", 1, 600));
    let (sim, s) = run_summary(&m);
    assert_eq!(sim.len(), 600);
    headline(&s, 0.3, 1.0, 1.0);
}

/// 100,000 hourly steps (more than eleven years) with a few trials: the run
/// finishes, its files are written, and the deficit adds up exactly.
#[test]
fn a_hundred_thousand_steps_run_and_add_up() {
    let f = scenario_file(&cut_off(0.0, 0.7, "hour", 100_000, 3));
    let out = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    shortfall()
        .arg("run")
        .arg(f.path())
        .args(["--quiet", "--format", "svg", "--out"])
        .arg(out.path())
        .assert()
        .success();
    eprintln!(
        "100,000 steps, 3 trials: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let s = read_json(&out.path().join("extreme/summary.json"));
    let eue = s["metrics"]["eue"].as_f64().unwrap();
    let exact = 0.3 * 100_000.0;
    assert!((eue - exact).abs() < 1e-9 * exact, "{eue} vs {exact}");
    let csv = std::fs::read_to_string(out.path().join("extreme/timeseries.csv")).unwrap();
    assert_eq!(csv.lines().count(), 100_001);
    assert!(!csv.contains("NaN") && !csv.contains("inf"));
}

/// One trial: the standard errors are undefined and written as `null`
/// (as every non-finite number), the means are the trial's values, and the
/// charts and summary.md are drawn without a panic.
#[test]
fn one_trial_writes_null_standard_errors() {
    let f = scenario_file(&cut_off(1.0, 1.0, "day", 365, 1));
    let out = tempfile::tempdir().unwrap();
    let o = shortfall()
        .arg("run")
        .arg(f.path())
        .args(["--format", "svg", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let dir = out.path().join("extreme");
    let s = read_json(&dir.join("summary.json"));
    assert_eq!(s["trials"], 1);
    let m = &s["metrics"];
    assert!((m["eue"].as_f64().unwrap() - 50.0).abs() < 1e-9);
    for se in [
        &m["eue_se"],
        &m["lole_se"],
        &m["shortfall"]["se"],
        &m["shortfall"]["std"],
    ] {
        assert!(se.is_null(), "{m}");
    }
    let text = std::fs::read_to_string(dir.join("summary.json")).unwrap();
    assert!(!text.contains("NaN") && !text.contains("Infinity"));
    // The run reads back (plot) as well.
    shortfall()
        .arg("plot")
        .arg(&dir)
        .args(["--format", "svg"])
        .assert()
        .success();
}

/// A scenario with storage, outages, an event, substitutes of every trigger,
/// drawn demand and noise, every volume times `k`.
fn scaled(k: f64) -> String {
    format!(
        r#"
[scenario]
name = "scaled"
[simulation]
trials = 2048
seed = 3
[demand]
annual = {demand}
level = {{ dist = "normal", mean = 1.0, sd = 0.05 }}
noise = {{ sd = 0.04, autocorrelation = 0.8 }}
[storage]
capacity = {cap}
initial = {init}
minimum = {min}
[[supplier]]
id = "a"
volume = {a}
outage = {{ rate_per_year = 3, duration_days = {{ dist = "lognormal", median = 15, sigma = 0.8 }}, loss = {{ dist = "uniform", min = 0.3, max = 1.0 }} }}
[[supplier]]
id = "b"
volume = {b}
[[substitute]]
id = "spot"
capacity = {spot}
lead_days = 20
[[substitute]]
id = "restock"
capacity = {restock}
trigger = "storage"
target = {target}
lead_days = 10
[[substitute]]
id = "sbl"
capacity = {sbl}
trigger = "shortfall"
volume = {budget}
[[event]]
id = "cut"
probability = 0.3
start_day = {{ dist = "uniform", min = 0, max = 300 }}
duration_days = 40
supply = {{ b = 1.0 }}
"#,
        demand = 36.5 * k,
        cap = 1.0 * k,
        init = 0.7 * k,
        min = 0.1 * k,
        a = 30.0 * k,
        b = 7.0 * k,
        spot = 8.0 * k,
        restock = 4.0 * k,
        target = 0.8 * k,
        sbl = 10.0 * k,
        budget = 0.2 * k,
    )
}

/// The model is linear in volume: with every volume times 1e9 or 1e-9 the
/// volume columns are those of volume 1 times the factor (to rounding), and
/// the counts of steps with a shortfall are the same (the shortfall
/// threshold is relative to the step's demand).
#[test]
fn volumes_of_1e9_and_1e_minus_9_scale_the_results_exactly() {
    let one = run(&model(&scaled(1.0)), 2);
    let short = one.column(Column::Shortfall);
    assert!(
        short.iter().filter(|x| **x > 0.0).count() > 100,
        "the scenario has shortfalls to scale"
    );
    for k in [1e9, 1e-9] {
        let other = run(&model(&scaled(k)), 2);
        for c in Column::ALL {
            let (a, b) = (one.column(c), other.column(c));
            let volume = !matches!(
                c,
                Column::ShortfallSteps
                    | Column::ShortfallEvents
                    | Column::LongestShortfallSteps
                    | Column::FirstShortfallStep
            );
            let scale = if volume { k } else { 1.0 };
            // Rounding differs by a few ulps of the largest volume of a trial.
            let tol = 1e-9 * a.iter().fold(1.0f64, |m, x| m.max(x.abs()));
            for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
                assert!(y.is_finite(), "{c:?} trial {i}: {y}");
                assert!(
                    (y / scale - x).abs() <= tol,
                    "k = {k}, {c:?}, trial {i}: {y} / {k} vs {x}"
                );
            }
        }
    }
}
