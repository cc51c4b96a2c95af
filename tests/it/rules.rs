//! Contract rules (SCENARIO.md) that no other test exercises, each against
//! an answer worked out by hand or in closed form. Deterministic runs are
//! compared exactly; the two statistical ones state their se and power.

use shortfall::engine::{Column, trace_trial};
use shortfall::scenario::load_model;

use crate::helpers::{
    assert_power, assert_within, daily, model, model_with, run_summary, scenario_file, z_tolerance,
};

/// Supplier `a` delivers the whole demand (1 per day) and is cut from day
/// `start` for `days` days.
fn cut_supplier(start: usize, days: usize) -> String {
    format!(
        "[[supplier]]\nid = \"a\"\nvolume = 365.0\n\
         [[event]]\nid = \"cut\"\nprobability = 1.0\nstart_day = {start}\nduration_days = {days}\nsupply = {{ a = 1.0 }}\n"
    )
}

/// With `initial = "stationary"` and fixed 9.5-day outages (10 daily steps
/// once rounded up), P(down at step 0) = 10 / (1/p + 10), p = 1 − e^(−18/365):
/// 0.3249. One step per trial: independent Bernoullis, se = √(π(1−π)/n) =
/// 9.4e-4 at n = 250,000; a 2% bias (0.0065) is 6.9 se against a tolerance
/// of 3.89 (99% power needs 6.22). Using 9.5 days instead of the rounded
/// 10 (π = 0.3137) would be 12 se off.
#[test]
fn stationary_start_of_fixed_outages_uses_the_rounded_mean_duration() {
    let m = model(
        r#"
[scenario]
name = "fixed-stationary"
[time]
steps = 1
[simulation]
trials = 250000
seed = 17
[demand]
annual = 365.0
[[supplier]]
id = "a"
volume = 365.0
outage = { rate_per_year = 18, duration_days = 9.5 }
"#,
    );
    let p = -(-18.0f64 / 365.0).exp_m1();
    let pi = 10.0 / (1.0 / p + 10.0);
    let n = 250_000.0;
    let se = (pi * (1.0 - pi) / n).sqrt();
    let k = z_tolerance(1);
    assert_power("P(down at step 0)", 0.02 * pi, se, k);
    let (_, s) = run_summary(&m);
    let got = s.metrics.shortfall_probability.mean;
    assert_within("P(down at step 0)", got, se, pi, k);
}

/// Overlapping occurrences of a Poisson event each act as their own factor:
/// N ~ Poisson(1.5) occurrences over the year, each active all year and
/// taking half of supplier a, keep 0.5^N of it, E[0.5^N] = e^(−0.75). Per
/// trial supply_lost = 12(1 − 0.5^N) over 12 monthly steps of 1, so
/// E[supply_lost] = 12(1 − e^(−0.75)) = 6.331 with sd 12 √(e^(−1.125) −
/// e^(−1.5)) = 3.82; at n = 60,000, se = 0.0156 and a 2% bias (0.127) is
/// 8.1 se against 3.89. Losses added instead of multiplied (keeping
/// max(0, 1 − N/2), E = e^(−1.5)·1.75 = 0.3905) would give 7.31, 63 se away.
#[test]
fn overlapping_poisson_occurrences_multiply() {
    let m = model(
        r#"
[scenario]
name = "overlap"
[time]
step = "month"
steps = 12
[simulation]
trials = 60000
seed = 23
[demand]
annual = 12.0
[[supplier]]
id = "a"
volume = 12.0
[[event]]
id = "e"
rate_per_year = 1.5
supply = { a = 0.5 }
"#,
    );
    let lost = 12.0 * (1.0 - (-0.75f64).exp());
    let sd = 12.0 * ((-1.125f64).exp() - (-1.5f64).exp()).sqrt();
    let se = sd / 60_000f64.sqrt();
    let k = z_tolerance(1);
    assert_power("E[supply_lost]", 0.02 * lost, se, k);
    let (_, s) = run_summary(&m);
    let got = s.metrics.column(Column::SupplyLost).mean;
    assert_within("E[supply_lost]", got, se, lost, k);
}

/// A loss-triggered substitute stops at its budget: supplier a is cut on
/// days 2-9, the substitute (1 per day, no lead) has 3 to give.
#[test]
fn loss_triggered_budget_is_spent_then_stops() {
    let text = daily(
        12,
        &format!(
            "{}[[substitute]]\nid = \"spot\"\ncapacity = 365.0\nvolume = 3.0\n",
            cut_supplier(2, 8)
        ),
    );
    let (trace, row) = trace_trial(&model(&text), 0);
    let mut arrivals = vec![0.0; 12];
    arrivals[2..5].fill(1.0);
    assert_eq!(trace.substitute, arrivals);
    assert_eq!(row[Column::SubstituteUsed as usize], 3.0);
    assert_eq!(row[Column::Shortfall as usize], 5.0); // days 5-9
}

/// A storage-triggered substitute with `lead_days = 0` delivers the next
/// step (its lead is at least one step) and stops at its budget: from 2
/// toward a target of 4 at 0.5 per day, with 1.2 to give, orders 0.5, 0.5
/// and 0.2 on days 0-2 arrive on days 1-3.
#[test]
fn storage_triggered_lead_0_arrives_next_step_and_budget_stops_it() {
    let tables = "[storage]\ncapacity = 5.0\ninitial = 2.0\n\
                  [[supplier]]\nid = \"a\"\nvolume = 365.0\n\
                  [[substitute]]\nid = \"spot\"\ntrigger = \"storage\"\ncapacity = 182.5\nlead_days = 0\ntarget = 4.0\n";
    let (trace, row) = trace_trial(&model(&daily(8, tables)), 0);
    assert_eq!(
        trace.substitute,
        vec![0.0, 0.5, 0.5, 0.5, 0.5, 0.0, 0.0, 0.0]
    );
    assert_eq!(trace.level, vec![2.0, 2.5, 3.0, 3.5, 4.0, 4.0, 4.0, 4.0]);
    let budget = format!("{tables}volume = 1.2\n");
    let (trace, row_b) = trace_trial(&model(&daily(8, &budget)), 0);
    let got: Vec<f64> = trace
        .substitute
        .iter()
        .map(|x| (x * 1e9).round() / 1e9)
        .collect();
    assert_eq!(got, vec![0.0, 0.5, 0.5, 0.2, 0.0, 0.0, 0.0, 0.0]);
    assert_eq!(row[Column::SubstituteUsed as usize], 2.0);
    assert!((row_b[Column::SubstituteUsed as usize] - 1.2).abs() < 1e-12);
}

/// `per_step` demand is used as given, and `per_step_csv` (relative to the
/// scenario's folder, header optional) gives the same run.
#[test]
fn per_step_and_per_step_csv_demand_are_used_as_given() {
    let values = [0.5, 1.25, 2.0, 0.0, 3.5];
    let list = values.map(|v| format!("{v:?}")).join(", ");
    let body = |demand: &str| {
        format!(
            "[scenario]\nname = \"perstep\"\n[time]\nsteps = 5\n[simulation]\ntrials = 1\nseed = 1\n\
             [demand]\n{demand}\n[[supplier]]\nid = \"a\"\nvolume = 365.0\n"
        )
    };
    let (trace, row) = trace_trial(&model(&body(&format!("per_step = [{list}]"))), 0);
    assert_eq!(trace.demand, values.to_vec());
    assert_eq!(row[Column::Demand as usize], 7.25);
    // Shortfall where demand exceeds the supplier's 1 per day: 0.25 + 1 + 2.5.
    assert_eq!(row[Column::Shortfall as usize], 3.75);
    let dir = tempfile::tempdir().unwrap();
    let csv: String = std::iter::once("demand".to_string())
        .chain(values.iter().map(|v| v.to_string()))
        .map(|l| l + "\n")
        .collect();
    std::fs::write(dir.path().join("demand.csv"), csv).unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(&path, body("per_step_csv = \"demand.csv\"")).unwrap();
    let m = load_model(&path, &[]).unwrap();
    let (trace_csv, row_csv) = trace_trial(&m, 0);
    assert_eq!(trace_csv.demand, trace.demand);
    assert_eq!(row_csv, row);
}

/// A step has a shortfall only above 1e-9 × its demand: supplies of 0.1
/// and 0.2 against a demand of 0.3, and against 0.3 plus a few ulps (the
/// sum 0.1 + 0.2 is 0.30000000000000004), count no shortfall anywhere; a
/// gap of 1e-6 does count.
#[test]
fn shortfall_below_one_billionth_of_demand_is_none() {
    let run = |demand: f64| {
        let text = format!(
            "[scenario]\nname = \"eps\"\n[time]\nsteps = 3\n[simulation]\ntrials = 1\nseed = 1\n\
             [demand]\nper_step = [{demand:?}, {demand:?}, {demand:?}]\n\
             [[supplier]]\nid = \"a\"\nvolume = 36.5\n[[supplier]]\nid = \"b\"\nvolume = 73.0\n"
        );
        let m = model(&text);
        let (sim, s) = run_summary(&m);
        (trace_trial(&m, 0).1, sim.sums.shortfall_count.clone(), s)
    };
    for demand in [0.3, 0.300_000_000_000_000_1, 0.300_000_000_000_000_2] {
        let (row, counts, s) = run(demand);
        assert_eq!(row[Column::Shortfall as usize], 0.0, "{demand}");
        assert_eq!(row[Column::ShortfallPeak as usize], 0.0);
        assert_eq!(row[Column::ShortfallSteps as usize], 0.0);
        assert_eq!(row[Column::ShortfallEvents as usize], 0.0);
        assert_eq!(row[Column::FirstShortfallStep as usize], -1.0);
        assert_eq!(counts, vec![0, 0, 0]);
        assert_eq!(s.metrics.shortfall_probability.mean, 0.0);
    }
    let (row, counts, _) = run(0.300_001);
    assert_eq!(row[Column::ShortfallSteps as usize], 3.0);
    assert_eq!(counts, vec![1, 1, 1]);
}

/// Loss-triggered orders that would arrive after the horizon are not
/// placed and their need passes to the next substitute in file order:
/// a is cut on days 5-9 of 10; `far` (lead 3) covers days 5 and 6 (arriving
/// 8 and 9), and `near` (no lead) the days whose `far` cargo would land
/// after day 9, 7-9.
#[test]
fn orders_past_the_horizon_pass_their_need_on() {
    let text = daily(
        10,
        &format!(
            "{}[[substitute]]\nid = \"far\"\ncapacity = 365.0\nlead_days = 3\n\
             [[substitute]]\nid = \"near\"\ncapacity = 365.0\n",
            cut_supplier(5, 5)
        ),
    );
    let (trace, row) = trace_trial(&model(&text), 0);
    assert_eq!(
        trace.substitute,
        vec![0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 2.0]
    );
    assert_eq!(row[Column::SubstituteUsed as usize], 5.0);
    assert_eq!(row[Column::Shortfall as usize], 2.0); // days 5 and 6
}

/// A loss-triggered substitute's capacity is read at the step the order is
/// placed: an event takes all of it on days 5-7, so orders placed on those
/// days are nothing (arrivals on 8-10), while the orders of days 2-4 still
/// arrive on days 5-7.
#[test]
fn substitute_capacity_is_read_when_the_order_is_placed() {
    let text = daily(
        15,
        &format!(
            "{}[[substitute]]\nid = \"spot\"\ncapacity = 365.0\nlead_days = 3\n\
             [[event]]\nid = \"port\"\nprobability = 1.0\nstart_day = 5\nduration_days = 3\nsubstitute = {{ spot = 1.0 }}\n",
            cut_supplier(2, 8)
        ),
    );
    let (trace, _) = trace_trial(&model(&text), 0);
    let mut arrivals = vec![0.0; 15];
    arrivals[5..8].fill(1.0);
    arrivals[11..13].fill(1.0);
    assert_eq!(trace.substitute, arrivals);
}

/// The clamps: a demand level below 0 gives no demand; the noise factor
/// max(0, 1 + e_t) is never negative; event fractions drawn outside [0, 1]
/// are clamped (a drawn 1.2-1.5 takes all, never more; a negative one
/// nothing) and drawn demand multipliers at 0; a drawn initial level is
/// clamped to [minimum, capacity].
#[test]
fn clamps_on_level_noise_events_and_initial_level() {
    let supplier = "[[supplier]]\nid = \"a\"\nvolume = 365.0\n";
    let level = daily(
        4,
        &format!("level = {{ dist = \"normal\", mean = -5.0, sd = 0.1 }}\n{supplier}"),
    );
    let (trace, _) = trace_trial(&model(&level), 0);
    assert_eq!(trace.demand, vec![0.0; 4]);

    let noise = daily(
        400,
        &format!("noise = {{ sd = 3.0, autocorrelation = 0.0 }}\n{supplier}"),
    );
    let (trace, _) = trace_trial(&model(&noise), 0);
    assert!(trace.demand.iter().all(|&d| d >= 0.0));
    let zeros = trace.demand.iter().filter(|&&d| d == 0.0).count();
    // P(1 + e < 0) = Φ(−1/3) = 0.37: 400 steps give 149 ± 10.
    assert!((100..200).contains(&zeros), "{zeros} steps at 0");

    let events = daily(
        6,
        "[[supplier]]\nid = \"a\"\nvolume = 365.0\n[[supplier]]\nid = \"b\"\nvolume = 365.0\n\
         [[event]]\nid = \"over\"\nprobability = 1.0\nduration_days = 2\n\
         supply = { a = { dist = \"normal\", mean = 1.35, sd = 1e-4 }, b = { dist = \"normal\", mean = -0.35, sd = 1e-4 } }\n\
         [[event]]\nid = \"neg\"\nprobability = 1.0\nstart_day = 3\nduration_days = 2\n\
         demand = { dist = \"normal\", mean = -1.5, sd = 1e-4 }\n",
    );
    // Normals that can reach into the range (a distribution entirely
    // outside it is refused), but whose draws lie thousands of sd outside.
    let (trace, _) = trace_trial(&model(&events), 0);
    assert_eq!(trace.lost, vec![1.0, 1.0, 0.0, 0.0, 0.0, 0.0]);
    assert_eq!(trace.supply, vec![1.0, 1.0, 2.0, 2.0, 2.0, 2.0]);
    assert_eq!(trace.demand, vec![1.0, 1.0, 1.0, 0.0, 0.0, 1.0]);

    for (mean, expected) in [(100.0, 5.0), (-100.0, 1.0)] {
        let text = daily(
            2,
            &format!(
                "{supplier}[storage]\ncapacity = 5.0\nminimum = 1.0\n\
                 initial = {{ dist = \"normal\", mean = {mean:?}, sd = 1.0 }}\n"
            ),
        );
        let (trace, _) = trace_trial(&model(&text), 0);
        assert_eq!(trace.initial_level, expected, "initial from mean {mean}");
        assert_eq!(trace.level, vec![expected; 2]);
    }
}

/// Step dates: months add calendar months (31 January + 1 month is 29
/// February 2024), weeks add floor(t × 365/52) days, hours add a day every
/// 24 steps.
#[test]
fn dates_of_month_week_and_hour_steps() {
    let labels = |step: &str, start: &str, steps: usize| {
        let text = format!(
            "[scenario]\nname = \"dates\"\n[time]\nstart = \"{start}\"\nstep = \"{step}\"\nsteps = {steps}\n\
             [simulation]\ntrials = 1\nseed = 1\n[demand]\nannual = 1.0\n[[supplier]]\nid = \"a\"\nvolume = 1.0\n"
        );
        let m = model(&text);
        (m.step_labels.clone(), m.months.clone())
    };
    let (l, months) = labels("month", "2024-01-31", 14);
    assert_eq!(l[0], "2024-01-31");
    assert_eq!(l[1], "2024-02-29");
    assert_eq!(l[2], "2024-03-31");
    assert_eq!(l[13], "2025-02-28");
    assert_eq!(months[1], 1);
    assert_eq!(months[13], 1);
    let (l, months) = labels("week", "2023-01-01", 53);
    assert_eq!(l[1], "2023-01-08"); // 7.02 days
    assert_eq!(l[10], "2023-03-12"); // 70.19 days
    assert_eq!(l[51], "2023-12-24"); // 357.98 days: day 357
    assert_eq!(l[52], "2024-01-01"); // exactly 365 days
    assert_eq!((months[51], months[52]), (11, 0));
    let (l, months) = labels("hour", "2024-02-28", 49);
    assert_eq!(l[0], "2024-02-28T00:00");
    assert_eq!(l[25], "2024-02-29T01:00");
    assert_eq!(l[48], "2024-03-01T00:00");
    assert_eq!((months[47], months[48]), (1, 2));
}

/// Two separate cuts make two shortfall events: days 2-3 and 6-8.
#[test]
fn two_separate_cuts_are_two_shortfall_events() {
    let text = daily(
        12,
        &format!(
            "{}[[event]]\nid = \"again\"\nprobability = 1.0\nstart_day = 6\nduration_days = 3\nsupply = {{ a = 1.0 }}\n",
            cut_supplier(2, 2)
        ),
    );
    let (_, row) = trace_trial(&model(&text), 0);
    // shortfall, peak, steps, events, longest, first
    assert_eq!(row[..6], [5.0, 1.0, 5.0, 2.0, 3.0, 2.0]);
}

/// `enabled = false` removes an event whose effect is inside the horizon
/// (a cut of days 2-4 of 6), whether written in the file or given by
/// `--set`: the run is that of the file without the event.
#[test]
fn enabled_false_removes_an_event_inside_the_horizon() {
    let with = daily(6, &cut_supplier(2, 3));
    let (trace, row) = trace_trial(&model(&with), 0);
    assert_eq!(trace.lost, vec![0.0, 0.0, 1.0, 1.0, 1.0, 0.0]);
    assert_eq!(row[Column::Shortfall as usize], 3.0);
    let without = daily(6, "[[supplier]]\nid = \"a\"\nvolume = 365.0\n");
    let (_, row_without) = trace_trial(&model(&without), 0);
    let in_file = format!("{with}enabled = false\n");
    for m in [
        model(&in_file),
        model_with(&with, &["event.cut.enabled=false"]),
    ] {
        let (trace, row) = trace_trial(&m, 0);
        assert_eq!(trace.lost, vec![0.0; 6]);
        assert_eq!(row, row_without);
    }
}

const HASHED: &str = r#"
[scenario]
name = "hash"
[simulation]
trials = 10
seed = 4
[demand]
annual = 365.0
[storage]
capacity = 4.5
initial = 2.0
[[supplier]]
id = "a"
volume = 300.0
outage = { rate_per_year = 2, duration_days = 10 }
"#;

/// `scenario_sha256` hashes the merged scenario in a canonical form: key
/// order, comments, spacing and number spelling (4.5 vs 4.50) do not change
/// it, a changed value does; a `--set` that changes nothing keeps it, and a
/// `--set` hashes like the same value written in the file.
#[test]
fn scenario_hash_is_canonical() {
    let hash = |text: &str, sets: &[&str]| model_with(text, sets).scenario_sha256.clone();
    let base = hash(HASHED, &[]);
    let reordered = r#"
# the same scenario, written differently
[demand]
annual   =   365.0
[simulation]
seed = 4
trials = 10
[[supplier]]
outage = { duration_days = 10, rate_per_year = 2 }
volume = 300.0   # per year
id = "a"
[scenario]
name = "hash"
[storage]
initial = 2.0
capacity = 4.50
"#;
    assert_eq!(hash(reordered, &[]), base);
    assert_ne!(
        hash(&HASHED.replace("capacity = 4.5", "capacity = 4.6"), &[]),
        base
    );
    assert_eq!(hash(HASHED, &["storage.capacity=4.5"]), base);
    assert_eq!(
        hash(HASHED, &["storage.capacity=3.0"]),
        hash(&HASHED.replace("capacity = 4.5", "capacity = 3.0"), &[])
    );
    assert_eq!(
        hash(HASHED, &["supplier.a.volume=200.0"]),
        hash(&HASHED.replace("volume = 300.0", "volume = 200.0"), &[])
    );
    assert_ne!(hash(HASHED, &["supplier.a.volume=200.0"]), base);
    // The file on disk plays no part beyond its contents.
    let f = scenario_file(HASHED);
    let m = load_model(f.path(), &[]).unwrap();
    assert_eq!(m.scenario_sha256, base);
}

/// `demand_by_event` credits each demand event with (m − 1) × the demand
/// without event multipliers over its span, gross. Daily demand of 1;
/// `cold` (certain, days 10-29, m ~ PERT(1.03, 1.07, 1.15): mean 1.07667,
/// sd √((μ−a)(b−μ)/7) = 0.02211) adds 20 × 0.07667 = 1.5333 with se
/// 20 × 0.02211 / √n; `mild` (probability 0.5, days 15-24, m = 0.9) adds −1
/// or 0: mean −0.5, se 0.5 / √n. At n = 160,000 the se are 0.0011 and
/// 0.00125; 2% biases are 28 and 8.0 se against 4.06. Crediting `cold`
/// with the demand net of `mild` (1.4955) would be 34 se off. The supply
/// event `cut` has no demand effect and is not listed.
#[test]
fn demand_events_are_credited_with_the_demand_they_add_gross() {
    let m = model(&daily(
        40,
        "[[supplier]]\nid = \"a\"\nvolume = 365.0\n\
         [[event]]\nid = \"cold\"\nprobability = 1.0\nstart_day = 10\nduration_days = 20\n\
         demand = { dist = \"pert\", min = 1.03, mode = 1.07, max = 1.15 }\n\
         [[event]]\nid = \"cut\"\nprobability = 0.5\nsupply = { a = 0.5 }\n\
         [[event]]\nid = \"mild\"\nprobability = 0.5\nstart_day = 15\nduration_days = 10\ndemand = 0.9\n",
    )
    .replace("trials = 1\n", "trials = 160000\n"));
    let n = 160_000f64;
    let mu = (1.03 + 4.0 * 1.07 + 1.15) / 6.0;
    let sd = ((mu - 1.03) * (1.15 - mu) / 7.0f64).sqrt();
    let (cold, cold_se) = (20.0 * (mu - 1.0), 20.0 * sd / n.sqrt());
    let (mild, mild_se) = (-0.5, 0.5 / n.sqrt());
    let k = z_tolerance(2);
    assert_power("cold's extra demand", 0.02 * cold, cold_se, k);
    assert_power("mild's extra demand", 0.02 * mild, mild_se, k);
    let (_, s) = run_summary(&m);
    let ids: Vec<&str> = s.demand_by_event.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["cold", "mild"]);
    assert_within(
        "cold's extra demand",
        s.demand_by_event[0].mean,
        cold_se,
        cold,
        k,
    );
    assert_within(
        "mild's extra demand",
        s.demand_by_event[1].mean,
        mild_se,
        mild,
        k,
    );
}
