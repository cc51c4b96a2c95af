//! Reads the merged raw tree into a typed, checked [`Scenario`].
//!
//! Every table is read through `Fields`, which remembers the keys asked
//! for; whatever is left over is an unknown key, reported with a "did you
//! mean" suggestion. All problems of a file are collected and reported at
//! once.

mod demand_csv;
mod event;
mod fields;
mod outage;
mod substitute;
mod supplier;
mod types;

pub use types::{
    DemandBase, EventSpec, InitialState, Noise, Occurrence, OutageSpec, Scenario, Step,
    SubstituteSpec, SupplierSpec, Trigger,
};

use chrono::NaiveDate;

use super::raw::{Node, Origin, Value};
use crate::dist::DistSpec;
use crate::error::Problem;
use demand_csv::inline_demand_csv;
use event::read_event;
use fields::{Cx, Fields, date, integer, valid_id};
use substitute::read_substitute;
use supplier::read_supplier;

pub use demand_csv::read_demand_csv;
pub use fields::suggest;

/// Reads and checks a merged tree. `per_step_csv` paths are already resolved.
pub fn validate(root: &mut Node) -> Result<Scenario, Vec<Problem>> {
    let mut cx = Cx::default();
    // Load a CSV demand first, so that the canonical form holds the numbers.
    inline_demand_csv(root, &mut cx);
    let canonical = canonical_json(&root.to_json());
    let scenario = read_scenario(root, &mut cx, canonical);
    cx.problems.sort_by_key(|p| location_key(&p.location));
    match scenario {
        Some(s) if cx.problems.is_empty() => Ok(s),
        _ => {
            if cx.problems.is_empty() {
                cx.problems.push(Problem {
                    location: String::new(),
                    field: String::new(),
                    message: "invalid scenario".into(),
                });
            }
            Err(cx.problems)
        }
    }
}

/// Sort key so problems come out in file, line, column order.
fn location_key(loc: &str) -> (String, usize, usize) {
    let mut parts = loc.rsplitn(3, ':');
    let col = parts.next().and_then(|c| c.parse().ok());
    let line = parts.next().and_then(|l| l.parse().ok());
    match (parts.next(), line, col) {
        (Some(file), Some(line), Some(col)) => (file.to_string(), line, col),
        _ => (loc.to_string(), 0, 0),
    }
}

/// Serialises JSON with object keys sorted at every level and no spaces.
pub fn canonical_json(v: &serde_json::Value) -> String {
    use serde_json::Value as J;
    match v {
        J::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let inner: Vec<String> = keys
                .iter()
                .map(|k| format!("{}:{}", J::String((*k).clone()), canonical_json(&map[*k])))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        J::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(canonical_json)
                .collect::<Vec<_>>()
                .join(",")
        ),
        other => other.to_string(),
    }
}

const TOP_KEYS: [&str; 8] = [
    "scenario",
    "time",
    "simulation",
    "demand",
    "storage",
    "supplier",
    "substitute",
    "event",
];

fn read_scenario(root: &Node, cx: &mut Cx, canonical: String) -> Option<Scenario> {
    let mut top = Fields::new(cx, root, "")?;
    for key in TOP_KEYS {
        top.get(key);
    }
    let empty = Node::generated(Value::Table(Vec::new()));
    // A section that is missing, or is not a table (reported), reads as empty
    // so that the rest of the file is still checked.
    let section = |cx: &mut Cx, key: &str| -> &Node {
        match root.get(key) {
            Some(n) if n.as_table().is_some() => n,
            Some(n) => {
                cx.error(
                    Some(&n.origin),
                    key,
                    format!("must be a table ([{key}]), not {}", n.value.type_name()),
                );
                &empty
            }
            None => &empty,
        }
    };

    // [scenario]
    let mut f = Fields::of(section(cx, "scenario"), "scenario");
    let name = f.string(cx, "name");
    if name.is_none() && root.get("scenario").and_then(|s| s.get("name")).is_none() {
        cx.error(
            None,
            "scenario.name",
            "is required (letters a-z, digits, '_' and '-'; it names the output folder)",
        );
    }
    if let Some(n) = &name {
        if !valid_id(n) {
            cx.error(
                root.get("scenario")
                    .and_then(|s| s.get("name"))
                    .map(|n| &n.origin),
                "scenario.name",
                format!("must use only a-z, 0-9, '_' and '-', got \"{n}\""),
            );
        }
    }
    let title = f.string(cx, "title");
    let unit = f.string(cx, "unit").unwrap_or_else(|| "Mt".into());
    let currency = f.string(cx, "currency");
    let _description = f.string(cx, "description");
    f.get("extends");
    f.finish(cx);

    // [time]
    let mut f = Fields::of(section(cx, "time"), "time");
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
    let steps_ok = steps.unwrap_or(step.per_year());

    // [simulation]
    let mut f = Fields::of(section(cx, "simulation"), "simulation");
    let trials = f
        .required(cx, "trials", "a whole number of trials >= 1")
        .and_then(|n| integer(cx, n, "simulation.trials", 1, u32::MAX as i128))
        .map(|v| v as u64);
    let seed = f
        .required(cx, "seed", "a whole number from 0 to 18446744073709551615")
        .and_then(|n| integer(cx, n, "simulation.seed", 0, u64::MAX as i128))
        .map(|v| v as u64);
    f.finish(cx);

    // [demand]
    let demand_node = root.get("demand").filter(|n| n.as_table().is_some());
    if root.get("demand").is_none() {
        cx.error(
            None,
            "demand",
            "is required: give [demand] with annual, per_step or per_step_csv",
        );
    }
    let mut f = Fields::of(section(cx, "demand"), "demand");
    let annual = f.non_negative(cx, "annual");
    let per_step = f.numbers(cx, "per_step");
    f.get("per_step_csv"); // already inlined into per_step
    let seasonality = f.numbers(cx, "seasonality");
    let level = f
        .dist(cx, "level")
        .unwrap_or(DistSpec::Fixed { value: 1.0 });
    let noise = f.get("noise").and_then(|n| {
        let mut g = Fields::new(cx, n, "demand.noise")?;
        let sd = g.non_negative(cx, "sd");
        if n.get("sd").is_none() {
            cx.error(
                Some(&n.origin),
                "demand.noise.sd",
                "is required (standard deviation of the noise, >= 0)",
            );
        }
        let phi = g.number(cx, "autocorrelation").unwrap_or(0.0);
        if !(-1.0..=1.0).contains(&phi) {
            cx.error(
                n.get("autocorrelation").map(|x| &x.origin),
                "demand.noise.autocorrelation",
                format!("must be within [-1, 1], got {phi}"),
            );
        }
        g.finish(cx);
        Some(Noise {
            sd: sd?,
            autocorrelation: phi,
        })
    });
    let demand_origin = demand_node.map(|n| &n.origin);
    let demand_at = |key: &str| {
        demand_node
            .and_then(|n| n.get(key))
            .map(|n| &n.origin)
            .or(demand_origin)
    };
    let demand = match (annual, per_step) {
        (Some(annual), None) => {
            if let Some(w) = &seasonality {
                if w.len() != 12 || w.iter().any(|x| *x < 0.0) || w.iter().sum::<f64>() <= 0.0 {
                    cx.error(
                        demand_origin,
                        "demand.seasonality",
                        format!(
                            "must be 12 monthly weights >= 0, not all 0 (got {} values)",
                            w.len()
                        ),
                    );
                }
            }
            Some(DemandBase::Annual {
                annual,
                seasonality,
            })
        }
        (None, Some(values)) => {
            if seasonality.is_some() {
                cx.error(demand_at("seasonality"), "demand.seasonality", "applies only with demand.annual (per_step values are already volumes per step)");
            }
            if values.len() != steps_ok {
                cx.error(
                    demand_origin,
                    "demand.per_step",
                    format!(
                        "must have one value per step: time.steps is {steps_ok}, got {} values",
                        values.len()
                    ),
                );
            }
            if let Some(v) = values.iter().find(|v| **v < 0.0) {
                cx.error(
                    demand_origin,
                    "demand.per_step",
                    format!("values must be >= 0, got {v}"),
                );
            }
            Some(DemandBase::PerStep(values))
        }
        (Some(_), Some(_)) => {
            cx.error(
                demand_origin,
                "demand",
                "give one of annual, per_step or per_step_csv, not several",
            );
            None
        }
        (None, None) => {
            if demand_node.is_some() && cx.problems.iter().all(|p| !p.field.starts_with("demand."))
            {
                cx.error(demand_origin, "demand", "needs annual (unit/yr), per_step (one value per step) or per_step_csv (a file)");
            }
            None
        }
    };
    f.finish(cx);

    // [storage]
    let storage_node = root.get("storage").filter(|n| n.as_table().is_some());
    let mut f = Fields::of(section(cx, "storage"), "storage");
    let capacity = f.non_negative(cx, "capacity").unwrap_or(0.0);
    let minimum = f.non_negative(cx, "minimum").unwrap_or(0.0);
    let initial_node = f.get("initial");
    let initial = f.dist(cx, "initial");
    f.finish(cx);
    let storage_origin = storage_node.map(|n| &n.origin);
    if minimum > capacity {
        cx.error(
            storage_origin,
            "storage.minimum",
            format!("must be <= storage.capacity ({capacity}), got {minimum}"),
        );
    }
    let initial = match initial {
        Some(DistSpec::Fixed { value }) if value < minimum || value > capacity => {
            cx.error(
                initial_node.map(|n| &n.origin),
                "storage.initial",
                format!(
                    "must lie within [minimum, capacity] = [{minimum}, {capacity}], got {value}"
                ),
            );
            DistSpec::Fixed { value: minimum }
        }
        Some(d) => d,
        None if capacity > 0.0 && initial_node.is_none() => {
            cx.error(storage_origin, "storage.initial", "is required when storage.capacity > 0 (a number or a distribution within [minimum, capacity])");
            DistSpec::Fixed { value: minimum }
        }
        None => DistSpec::Fixed { value: minimum },
    };

    // Ids across suppliers, substitutes and events.
    let mut ids: Vec<(String, Origin)> = Vec::new();
    let entries = |key: &str, cx: &mut Cx| -> Vec<(String, &Node)> {
        let Some(node) = root.get(key) else {
            return Vec::new();
        };
        let Value::Array(items) = &node.value else {
            cx.error(
                Some(&node.origin),
                key,
                format!("must be an array of tables ([[{key}]] entries)"),
            );
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                if item.as_table().is_none() {
                    cx.error(
                        Some(&item.origin),
                        &format!("{key}[{i}]"),
                        "must be a table",
                    );
                    return None;
                }
                let id = match item.get("id").map(|n| &n.value) {
                    Some(Value::Str(s)) => s.clone(),
                    _ => {
                        cx.error(
                            Some(&item.origin),
                            &format!("{key}[{i}].id"),
                            "is required: a unique id of a-z, 0-9, '_' and '-'",
                        );
                        format!("[{i}]")
                    }
                };
                Some((id, item))
            })
            .collect()
    };
    let supplier_nodes = entries("supplier", cx);
    let substitute_nodes = entries("substitute", cx);
    let event_nodes = entries("event", cx);
    for (kind, list) in [
        ("supplier", &supplier_nodes),
        ("substitute", &substitute_nodes),
        ("event", &event_nodes),
    ] {
        for (id, node) in list.iter() {
            if id.starts_with('[') {
                continue;
            }
            let origin = node
                .get("id")
                .map(|n| n.origin.clone())
                .unwrap_or(Origin::Generated);
            if !valid_id(id) {
                cx.error(
                    Some(&origin),
                    &format!("{kind}.{id}.id"),
                    format!("must use only a-z, 0-9, '_' and '-', got \"{id}\""),
                );
            }
            if let Some((_, first)) = ids.iter().find(|(i, _)| i == id) {
                cx.error(Some(&origin), &format!("{kind}.{id}.id"), format!("duplicate id \"{id}\" (first used at {}); ids must be unique across suppliers, substitutes and events", first.describe()));
            } else {
                ids.push((id.clone(), origin));
            }
        }
    }
    if supplier_nodes.is_empty() {
        cx.error(
            root.get("supplier").map(|n| &n.origin),
            "supplier",
            "at least one [[supplier]] is required (after extends and enabled = false)",
        );
    }

    let suppliers: Vec<SupplierSpec> = supplier_nodes
        .iter()
        .filter_map(|(id, node)| read_supplier(cx, node, id, steps_ok))
        .collect();
    let substitutes: Vec<SubstituteSpec> = substitute_nodes
        .iter()
        .filter_map(|(id, node)| read_substitute(cx, node, id, capacity, minimum))
        .collect();
    let supplier_ids: Vec<&str> = supplier_nodes.iter().map(|(id, _)| id.as_str()).collect();
    let substitute_ids: Vec<&str> = substitute_nodes.iter().map(|(id, _)| id.as_str()).collect();
    let events: Vec<EventSpec> = event_nodes
        .iter()
        .filter_map(|(id, node)| read_event(cx, node, id, &supplier_ids, &substitute_ids))
        .collect();
    top.finish(cx);

    Some(Scenario {
        title: title.unwrap_or_else(|| name.clone().unwrap_or_default()),
        name: name?,
        unit,
        currency,
        start: start?,
        step,
        steps: steps?,
        trials: trials?,
        seed: seed?,
        demand: demand?,
        demand_level: level,
        noise,
        storage_capacity: capacity,
        storage_initial: initial,
        storage_minimum: minimum,
        suppliers,
        substitutes,
        events,
        canonical,
    })
}
