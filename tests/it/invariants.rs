//! Invariants over random valid scenarios (proptest): mass balance in every
//! trial, 0 <= shortfall <= demand, storage within [minimum, capacity], all
//! outputs finite, and the per-trial row agreeing with the step-by-step trace.
//! The scenarios use the model v2 fields too: drawn volumes, transits,
//! capacities, leads, budgets and costs (with supports reaching below 0, so
//! that the clamping is exercised), `source`, monthly targets and `after`.

use proptest::prelude::*;
use shortfall::engine::{NCOLS, trace_trial};

use crate::helpers::{assert_row_matches_trace, model};

#[derive(Debug, Clone)]
struct Sup {
    volume: f64,
    outage: Option<(f64, f64, f64, f64)>, // rate, median, sigma, max loss
    transit: f64,
    profile: Option<Vec<f64>>,
    up: bool,
    drawn_volume: bool,
    drawn_transit: bool,
}

#[derive(Debug, Clone)]
struct Sub {
    trigger: u8, // 0 loss, 1 storage, 2 shortfall
    capacity: f64,
    lead: f64,
    budget: Option<f64>,
    target_frac: f64,
    outage: Option<(f64, f64)>,
    source: Option<usize>,
    monthly_target: Option<Vec<f64>>,
    /// Bits: capacity, lead, budget, cost drawn.
    drawn: u8,
}

#[derive(Debug, Clone)]
struct Ev {
    probability: Option<f64>,
    rate: f64,
    start_max: f64,
    duration: Option<f64>,
    supplier: usize,
    fraction: f64,
    substitute_frac: f64,
    demand: Option<f64>,
    /// Occurs only after the event before it (when both can use probability).
    after: bool,
}

#[derive(Debug, Clone)]
struct Case {
    step: &'static str,
    steps: usize,
    annual: f64,
    seasonality: Option<Vec<f64>>,
    level_sd: f64,
    noise: Option<(f64, f64)>,
    capacity: f64,
    min_frac: f64,
    init_frac: f64,
    init_dist: bool,
    sups: Vec<Sup>,
    subs: Vec<Sub>,
    events: Vec<Ev>,
}

fn sup() -> impl Strategy<Value = Sup> {
    (
        0.0..50.0f64,
        prop::option::of((0.0..30.0f64, 0.5..60.0f64, 0.1..2.0f64, 0.0..1.0f64)),
        0.0..10.0f64,
        prop::option::of(prop::collection::vec(0.0..2.0f64, 12)),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(volume, outage, transit, profile, up, drawn_volume, drawn_transit)| Sup {
                volume,
                outage,
                transit,
                profile,
                up,
                drawn_volume,
                drawn_transit,
            },
        )
}

fn sub() -> impl Strategy<Value = Sub> {
    (
        0u8..3,
        0.0..40.0f64,
        0.0..30.0f64,
        prop::option::of(0.0..5.0f64),
        0.0..1.0f64,
        prop::option::of((0.1..10.0f64, 1.0..30.0f64)),
        prop::option::of(0usize..4),
        prop::option::of(prop::collection::vec(0.0..=1.0f64, 12)),
        0u8..16,
    )
        .prop_map(
            |(
                trigger,
                capacity,
                lead,
                budget,
                target_frac,
                outage,
                source,
                monthly_target,
                drawn,
            )| {
                Sub {
                    trigger,
                    capacity,
                    lead,
                    budget,
                    target_frac,
                    outage,
                    source,
                    monthly_target,
                    drawn,
                }
            },
        )
}

fn ev() -> impl Strategy<Value = Ev> {
    (
        prop::option::of(0.0..=1.0f64),
        0.0..4.0f64,
        -30.0..400.0f64,
        prop::option::of(0.0..200.0f64),
        0usize..4,
        0.0..=1.0f64,
        0.0..=1.0f64,
        prop::option::of(0.0..2.0f64),
        any::<bool>(),
    )
        .prop_map(
            |(
                probability,
                rate,
                start_max,
                duration,
                supplier,
                fraction,
                substitute_frac,
                demand,
                after,
            )| Ev {
                probability,
                rate,
                start_max,
                duration,
                supplier,
                fraction,
                substitute_frac,
                demand,
                after,
            },
        )
}

fn case() -> impl Strategy<Value = Case> {
    (
        (
            prop::sample::select(vec!["day", "week", "hour", "month"]),
            1usize..80,
            0.0..100.0f64,
        ),
        prop::option::of(prop::collection::vec(0.1..2.0f64, 12)),
        (0.0..0.3f64, prop::option::of((0.0..0.3f64, -0.9..0.99f64))),
        (0.0..10.0f64, 0.0..1.0f64, 0.0..1.0f64, any::<bool>()),
        prop::collection::vec(sup(), 1..4),
        prop::collection::vec(sub(), 0..4),
        prop::collection::vec(ev(), 0..3),
    )
        .prop_map(
            |(
                (step, steps, annual),
                seasonality,
                (level_sd, noise),
                (capacity, min_frac, init_frac, init_dist),
                sups,
                subs,
                events,
            )| Case {
                step,
                steps,
                annual,
                seasonality,
                level_sd,
                noise,
                capacity,
                min_frac,
                init_frac,
                init_dist,
                sups,
                subs,
                events,
            },
        )
}

fn list(v: &[f64]) -> String {
    format!(
        "[{}]",
        v.iter()
            .map(|x| format!("{x:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn toml(c: &Case) -> String {
    let mut s = format!(
        "[scenario]\nname = \"prop\"\n[time]\nstep = \"{}\"\nsteps = {}\n[simulation]\ntrials = 4\nseed = 17\n[demand]\nannual = {:?}\n",
        c.step, c.steps, c.annual
    );
    if let Some(w) = &c.seasonality {
        s += &format!("seasonality = {}\n", list(w));
    }
    if c.level_sd > 0.0 {
        s += &format!(
            "level = {{ dist = \"normal\", mean = 1.0, sd = {:?} }}\n",
            c.level_sd
        );
    }
    if let Some((sd, phi)) = c.noise {
        s += &format!("noise = {{ sd = {sd:?}, autocorrelation = {phi:?} }}\n");
    }
    let minimum = c.capacity * c.min_frac;
    let initial = minimum + (c.capacity - minimum) * c.init_frac;
    s += &format!(
        "[storage]\ncapacity = {:?}\nminimum = {minimum:?}\n",
        c.capacity
    );
    if c.init_dist {
        s += &format!(
            "initial = {{ dist = \"uniform\", min = {:?}, max = {:?} }}\n",
            minimum - 1.0,
            c.capacity + 1.0
        );
    } else {
        s += &format!("initial = {initial:?}\n");
    }
    for (i, p) in c.sups.iter().enumerate() {
        s += &format!("[[supplier]]\nid = \"s{i}\"\n");
        if p.drawn_volume {
            s += &format!(
                "volume = {{ dist = \"uniform\", min = -5.0, max = {:?} }}\n",
                p.volume
            );
        } else {
            s += &format!("volume = {:?}\n", p.volume);
        }
        if p.drawn_transit {
            s += &format!(
                "transit_days = {{ dist = \"normal\", mean = {:?}, sd = 3.0 }}\n",
                p.transit
            );
        } else {
            s += &format!("transit_days = {:?}\n", p.transit);
        }
        if p.up {
            s += "initial = \"up\"\n";
        }
        if let Some(pr) = &p.profile {
            s += &format!("profile = {}\n", list(pr));
        }
        if let Some((rate, median, sigma, max_loss)) = p.outage {
            s += &format!(
                "outage = {{ rate_per_year = {rate:?}, duration_days = {{ dist = \"lognormal\", median = {median:?}, sigma = {sigma:?} }}, loss = {{ dist = \"uniform\", min = 0.0, max = {max_loss:?} }} }}\n"
            );
        }
    }
    for (j, b) in c.subs.iter().enumerate() {
        let trigger = match b.trigger {
            1 if c.capacity > 0.0 => "storage",
            2 => "shortfall",
            _ => "loss",
        };
        // A drawn value: a normal around the number that reaches below 0.
        let value = |bit: u8, v: f64| {
            if b.drawn & bit != 0 {
                format!(
                    "{{ dist = \"normal\", mean = {v:?}, sd = {:?} }}",
                    v * 0.5 + 0.1
                )
            } else {
                format!("{v:?}")
            }
        };
        s += &format!(
            "[[substitute]]\nid = \"b{j}\"\ncapacity = {}\ntrigger = \"{trigger}\"\ncost = {}\n",
            value(1, b.capacity),
            value(8, 2.0)
        );
        if trigger != "shortfall" {
            s += &format!("lead_days = {}\n", value(2, b.lead));
        }
        if let Some(k) = b.source {
            s += &format!("source = \"s{}\"\n", k.min(c.sups.len() - 1));
        }
        if trigger == "storage" {
            let level = |f: f64| minimum + (c.capacity - minimum) * f;
            match &b.monthly_target {
                Some(fracs) => {
                    let levels: Vec<f64> = fracs.iter().map(|f| level(*f)).collect();
                    s += &format!("target = {}\n", list(&levels));
                }
                None => s += &format!("target = {:?}\n", level(b.target_frac)),
            }
        }
        if let Some(v) = b.budget {
            s += &format!("volume = {}\n", value(4, v));
        }
        if let Some((rate, mean)) = b.outage {
            s += &format!(
                "outage = {{ rate_per_year = {rate:?}, duration_days = {{ dist = \"exponential\", mean = {mean:?} }} }}\n"
            );
        }
    }
    for (k, e) in c.events.iter().enumerate() {
        s += &format!("[[event]]\nid = \"e{k}\"\n");
        let after = e.after && k > 0 && c.events[k - 1].probability.is_some();
        if after {
            s += &format!(
                "after = \"e{}\"\nprobability = {:?}\n",
                k - 1,
                e.probability.unwrap_or(0.5)
            );
        } else {
            match e.probability {
                Some(p) => s += &format!("probability = {p:?}\n"),
                None => s += &format!("rate_per_year = {:?}\n", e.rate),
            }
        }
        s += &format!(
            "start_day = {{ dist = \"uniform\", min = -30.0, max = {:?} }}\n",
            e.start_max.max(-29.0)
        );
        if let Some(d) = e.duration {
            s += &format!("duration_days = {d:?}\n");
        }
        s += &format!(
            "supply = {{ s{} = {:?} }}\n",
            e.supplier.min(c.sups.len() - 1),
            e.fraction
        );
        if !c.subs.is_empty() {
            s += &format!(
                "substitute = {{ b0 = {{ dist = \"uniform\", min = 0.0, max = {:?} }} }}\n",
                e.substitute_frac.max(1e-6)
            );
        }
        if let Some(m) = e.demand {
            s += &format!(
                "demand = {{ dist = \"uniform\", min = 0.5, max = {:?} }}\n",
                m + 0.5
            );
        }
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_in_every_trial(c in case()) {
        let text = toml(&c);
        let m = model(&text);
        let (min, cap) = (m.storage_minimum, m.storage_capacity);
        for trial in 0..4 {
            let (tr, row) = trace_trial(&m, trial);
            prop_assert!(row.iter().all(|x| x.is_finite()), "non-finite row {:?}\n{}", row, text);
            prop_assert_eq!(row.len(), NCOLS);
            let mut scale = tr.initial_level.abs() + 1.0;
            for t in 0..m.steps {
                let (d, s, lv) = (tr.demand[t], tr.shortfall[t], tr.level[t]);
                prop_assert!(d.is_finite() && d >= 0.0);
                prop_assert!(s >= 0.0 && s <= d * (1.0 + 1e-12) + 1e-12, "shortfall {} > demand {} at {}\n{}", s, d, t, text);
                prop_assert!(lv >= min && lv <= cap, "level {} outside [{}, {}]", lv, min, cap);
                prop_assert!(tr.supply[t] >= 0.0 && tr.substitute[t] >= 0.0 && tr.emergency[t] >= 0.0 && tr.surplus[t] >= 0.0);
                scale += d + tr.supply[t] + tr.substitute[t] + tr.emergency[t];
            }
            let sum = |v: &[f64]| v.iter().sum::<f64>();
            let final_level = *tr.level.last().unwrap();
            let balance = tr.initial_level + sum(&tr.supply) + sum(&tr.substitute) + sum(&tr.emergency)
                - (final_level + sum(&tr.demand) - sum(&tr.shortfall) + sum(&tr.surplus));
            // Remainders below 1e-9 of a step's demand are dropped as noise.
            prop_assert!(balance.abs() <= 1e-9 * scale + 1e-9 * sum(&tr.demand), "mass balance off by {}\n{}", balance, text);
            prop_assert!((row[0] - sum(&tr.shortfall)).abs() <= 1e-12 * scale);
            prop_assert_eq!(row[6], tr.level.iter().copied().fold(f64::INFINITY, f64::min));
            prop_assert!((row[7] - sum(&tr.demand)).abs() <= 1e-12 * scale);
            prop_assert!(row[2] <= m.steps as f64 && row[4] <= row[2] && row[3] <= row[2]);
            prop_assert!(row[5] >= -1.0 && row[5] < m.steps as f64);
            // Every other column against a recomputation from the trace
            // (peak, runs, first step, lost, substitute, emergency, surplus).
            assert_row_matches_trace(&text, &tr, &row);
            // Cost: every substitute costs 2 per unit unless its cost is
            // drawn, and orders are placed only if they arrive in the horizon.
            let delivered = row[9] + row[10];
            if c.subs.iter().all(|b| b.drawn & 8 == 0) {
                prop_assert!((row[12] - 2.0 * delivered).abs() <= 1e-12 * scale, "cost {} for {} delivered\n{}", row[12], delivered, text);
            } else {
                prop_assert!(row[12] >= 0.0 && (delivered > 0.0 || row[12] == 0.0));
            }
        }
    }
}
