//! The whole file: which sections it may have, the order they are read in,
//! and the `[scenario]`, `[time]` and `[simulation]` sections.

use chrono::NaiveDate;

use super::demand::{read_demand, read_storage};
use super::entries::read_entries;
use super::event::{check_event_counts, read_events};
use super::fields::{Cx, Fields, Sections, date, id_problem, integer};
use super::report::read_report;
use super::sensitivity::read_sensitivity;
use super::substitute::read_substitute;
use super::supplier::read_supplier;
use super::types::{Scenario, Step, SubstituteSpec, SupplierSpec};
use crate::scenario::raw::Node;

const TOP_KEYS: [&str; 10] = [
    "scenario",
    "time",
    "simulation",
    "demand",
    "storage",
    "supplier",
    "substitute",
    "event",
    "sensitivity",
    "report",
];

/// Reads every section in turn. Problems at the same place come out in the
/// order they are found, so the order of the readers matters.
pub(super) fn read_scenario(root: &Node, cx: &mut Cx, canonical: String) -> Option<Scenario> {
    let mut top = Fields::new(cx, root, "")?;
    for key in TOP_KEYS {
        top.get(key);
    }
    let sections = Sections::new(root);
    let about = read_about(cx, &sections);
    let time = read_time(cx, &sections);
    let steps_ok = time.steps.unwrap_or(time.step.per_year());
    let simulation = read_simulation(cx, &sections);
    let demand = read_demand(cx, &sections, steps_ok);
    let storage = read_storage(cx, &sections);

    let entries = read_entries(cx, root);
    let suppliers: Vec<SupplierSpec> = entries
        .suppliers
        .iter()
        .filter_map(|(id, node)| read_supplier(cx, node, id, steps_ok))
        .collect();
    let supplier_ids = entries.supplier_ids();
    let substitute_ids = entries.substitute_ids();
    let substitutes: Vec<SubstituteSpec> = entries
        .substitutes
        .iter()
        .filter_map(|(id, node)| {
            read_substitute(
                cx,
                node,
                id,
                (storage.capacity, storage.minimum),
                &supplier_ids,
                steps_ok,
            )
        })
        .collect();
    let events = read_events(cx, &entries.events, &supplier_ids, &substitute_ids);
    let horizon_years = steps_ok as f64 / time.step.per_year() as f64;
    check_event_counts(cx, &entries.events, &events, horizon_years);
    let sensitivity = read_sensitivity(cx, &sections);
    let report = read_report(cx, &sections);
    top.finish(cx);

    let name = about.name;
    Some(Scenario {
        title: about
            .title
            .unwrap_or_else(|| name.clone().unwrap_or_default()),
        name: name?,
        unit: about.unit,
        currency: about.currency,
        start: time.start?,
        step: time.step,
        steps: time.steps?,
        trials: simulation.trials?,
        seed: simulation.seed?,
        demand: demand.base?,
        demand_level: demand.level,
        noise: demand.noise,
        storage_capacity: storage.capacity,
        storage_initial: storage.initial,
        storage_minimum: storage.minimum,
        suppliers,
        substitutes,
        events,
        sensitivity,
        report,
        canonical,
    })
}

/// What `[scenario]` says.
struct About {
    name: Option<String>,
    title: Option<String>,
    unit: String,
    currency: Option<String>,
}

fn read_about(cx: &mut Cx, sections: &Sections<'_>) -> About {
    let section = sections.read(cx, "scenario");
    let mut f = Fields::of(section, "scenario");
    let name = f.string(cx, "name");
    if name.is_none() && section.get("name").is_none() {
        cx.error(
            None,
            "scenario.name",
            "is required (letters a-z, digits, '_' and '-'; it names the output folder)",
        );
    }
    if let Some(problem) = name.as_deref().and_then(id_problem) {
        cx.error(
            section.get("name").map(|n| &n.origin),
            "scenario.name",
            problem,
        );
    }
    let title = f.string(cx, "title");
    let unit = f.string(cx, "unit").unwrap_or_else(|| "Mt".into());
    let currency = f.string(cx, "currency");
    let _description = f.string(cx, "description");
    f.get("extends");
    f.finish(cx);
    About {
        name,
        title,
        unit,
        currency,
    }
}

/// What `[time]` says.
struct Time {
    start: Option<NaiveDate>,
    step: Step,
    steps: Option<usize>,
}

fn read_time(cx: &mut Cx, sections: &Sections<'_>) -> Time {
    let mut f = Fields::of(sections.read(cx, "time"), "time");
    let start = match f.get("start") {
        Some(n) => date(cx, n, "time.start"),
        None => NaiveDate::from_ymd_opt(2024, 1, 1),
    };
    let step = match f.choice(cx, "step", &["hour", "day", "week", "month"]) {
        Some("hour") => Step::Hour,
        Some("week") => Step::Week,
        Some("month") => Step::Month,
        _ => Step::Day,
    };
    let steps = match f.get("steps") {
        Some(n) => integer(cx, n, "time.steps", 1, 200_000).map(|v| v as usize),
        None => Some(step.per_year()),
    };
    f.finish(cx);
    Time { start, step, steps }
}

/// What `[simulation]` says.
struct Simulation {
    trials: Option<u64>,
    seed: Option<u64>,
}

fn read_simulation(cx: &mut Cx, sections: &Sections<'_>) -> Simulation {
    let mut f = Fields::of(sections.read(cx, "simulation"), "simulation");
    let trials = f
        .required(cx, "trials", "a whole number of trials >= 1")
        .and_then(|n| integer(cx, n, "simulation.trials", 1, u32::MAX as i128))
        .map(|v| v as u64);
    let seed = f
        .required(cx, "seed", "a whole number from 0 to 18446744073709551615")
        .and_then(|n| integer(cx, n, "simulation.seed", 0, u64::MAX as i128))
        .map(|v| v as u64);
    f.finish(cx);
    Simulation { trials, seed }
}
