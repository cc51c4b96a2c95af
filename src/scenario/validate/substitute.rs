//! A `[[substitute]]` entry.

use super::fields::{Cx, Fields, number, numbers, suggest};
use super::outage::{read_initial, read_outage};
use super::types::{Input, LevelPath, SubstituteSpec, Trigger};
use crate::scenario::raw::{Node, Value};

/// Reads one `[[substitute]]`; `suppliers` are the ids `source` may name
/// and `steps` the length a per-step `target` must have.
pub(super) fn read_substitute(
    cx: &mut Cx,
    node: &Node,
    id: &str,
    storage: (f64, f64),
    suppliers: &[&str],
    steps: usize,
) -> Option<SubstituteSpec> {
    let (storage_capacity, minimum) = storage;
    let path = format!("substitute.{id}");
    let mut f = Fields::new(cx, node, &path)?;
    f.get("id");
    let name = f.string(cx, "name").unwrap_or_else(|| id.to_string());
    let capacity = f
        .required(
            cx,
            "capacity",
            "unit/yr at most: a number >= 0 or a distribution",
        )
        .and_then(|_| f.input(cx, "capacity"));
    let lead_days = f.input(cx, "lead_days").unwrap_or(Input::Fixed(0.0));
    let source = read_source(cx, &mut f, suppliers);
    let choice = f.choice(cx, "trigger", &["loss", "storage", "shortfall"]);
    // An invalid trigger is reported on its own; the rules that depend on
    // the trigger are not applied to a guess.
    let trigger_unknown = choice.is_none() && node.get("trigger").is_some();
    let trigger = match choice {
        Some("storage") => Trigger::Storage,
        Some("shortfall") => Trigger::Shortfall,
        _ => Trigger::Loss,
    };
    let target_node = node.get("target");
    let target = f
        .get("target")
        .and_then(|n| read_target(cx, n, &format!("{path}.target"), steps));
    let origin = target_node.map(|n| &n.origin).or(Some(&node.origin));
    match trigger {
        Trigger::Storage => {
            if storage_capacity <= 0.0 {
                cx.error(
                    origin,
                    &format!("{path}.trigger"),
                    "trigger = \"storage\" needs storage.capacity > 0",
                );
            } else if target_node.is_none() {
                cx.error(origin, &format!("{path}.target"), format!("is required with trigger = \"storage\": the level it orders up to, within [minimum, capacity] = [{minimum}, {storage_capacity}]: a number, 12 monthly values or one per step"));
            } else if let Some(t) = &target {
                let levels = match t {
                    LevelPath::Constant(v) => std::slice::from_ref(v),
                    LevelPath::Monthly(v) | LevelPath::PerStep(v) => v.as_slice(),
                };
                if let Some((i, v)) = levels
                    .iter()
                    .enumerate()
                    .find(|(_, v)| **v < minimum || **v > storage_capacity)
                {
                    let field = match t {
                        LevelPath::Constant(_) => format!("{path}.target"),
                        _ => format!("{path}.target[{i}]"),
                    };
                    cx.error(origin, &field, format!("must lie within [minimum, capacity] = [{minimum}, {storage_capacity}], got {v}"));
                }
            }
        }
        _ if trigger_unknown => {}
        _ => {
            if target_node.is_some() {
                cx.error(
                    origin,
                    &format!("{path}.target"),
                    "is only used with trigger = \"storage\"",
                );
            }
        }
    }
    if trigger == Trigger::Shortfall {
        if let Some(n) = node.get("lead_days") {
            let zero = matches!(lead_days, Input::Fixed(v) if v == 0.0)
                && !matches!(n.value, Value::Table(_));
            if !zero {
                let got = match &n.value {
                    Value::Table(_) => "a distribution".to_string(),
                    _ => lead_days
                        .fixed()
                        .map_or_else(String::new, |v| v.to_string()),
                };
                cx.error(Some(&n.origin), &format!("{path}.lead_days"), format!("must be absent or the number 0 for trigger = \"shortfall\" (emergency cover acts in the same step), got {got}"));
            }
        }
    }
    let volume = f.input(cx, "volume");
    let cost = f.input(cx, "cost").unwrap_or(Input::Fixed(0.0));
    let initial = read_initial(cx, &mut f);
    let outage = read_outage(cx, &mut f, initial);
    f.finish(cx);
    Some(SubstituteSpec {
        id: id.into(),
        name,
        capacity: capacity?,
        lead_days,
        source,
        trigger,
        target,
        volume,
        outage,
        cost,
    })
}

/// `source`: the id of the supplier whose spare capacity the substitute
/// draws on, as its index.
fn read_source(cx: &mut Cx, f: &mut Fields<'_>, suppliers: &[&str]) -> Option<usize> {
    let node = f.get("source")?;
    let path = f.path("source");
    let Value::Str(name) = &node.value else {
        cx.error(
            Some(&node.origin),
            &path,
            format!(
                "must be the id of a supplier (a string), not {}",
                node.value.type_name()
            ),
        );
        return None;
    };
    let found = suppliers.iter().position(|s| s == name);
    if found.is_none() {
        let hint = match suggest(name, suppliers) {
            Some(h) => format!(" (did you mean `{h}`?)"),
            None => format!("; supplier ids: {}", suppliers.join(", ")),
        };
        cx.error(
            Some(&node.origin),
            &path,
            format!("no supplier has id \"{name}\"{hint}"),
        );
    }
    found
}

/// `target`: a number, 12 monthly values or one value per step.
fn read_target(cx: &mut Cx, node: &Node, path: &str, steps: usize) -> Option<LevelPath> {
    match &node.value {
        Value::Array(_) => {
            let values = numbers(cx, node, path)?;
            match values.len() {
                12 => Some(LevelPath::Monthly(values)),
                n if n == steps => Some(LevelPath::PerStep(values)),
                n => {
                    cx.error(
                        Some(&node.origin),
                        path,
                        format!("must be a number, 12 values (calendar months) or one per step ({steps}), got {n} values"),
                    );
                    None
                }
            }
        }
        Value::Int(_) | Value::Float(_) => number(cx, node, path).map(LevelPath::Constant),
        other => {
            cx.error(
                Some(&node.origin),
                path,
                format!(
                    "must be a number, 12 values (calendar months) or one per step ({steps}), not {}",
                    other.type_name()
                ),
            );
            None
        }
    }
}
