//! A `[[substitute]]` entry.

use super::fields::{Cx, Fields};
use super::outage::{read_initial, read_outage};
use super::types::{SubstituteSpec, Trigger};
use crate::scenario::raw::Node;

pub(super) fn read_substitute(
    cx: &mut Cx,
    node: &Node,
    id: &str,
    storage_capacity: f64,
    minimum: f64,
) -> Option<SubstituteSpec> {
    let path = format!("substitute.{id}");
    let mut f = Fields::new(cx, node, &path)?;
    f.get("id");
    let name = f.string(cx, "name").unwrap_or_else(|| id.to_string());
    let capacity = f
        .required(cx, "capacity", "unit/yr at most, >= 0")
        .and_then(|_| f.non_negative(cx, "capacity"));
    let lead_days = f.non_negative(cx, "lead_days").unwrap_or(0.0);
    let trigger = match f.choice(cx, "trigger", &["loss", "storage", "shortfall"]) {
        Some("storage") => Trigger::Storage,
        Some("shortfall") => Trigger::Shortfall,
        _ => Trigger::Loss,
    };
    let target_node = node.get("target");
    let target = f.non_negative(cx, "target");
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
                cx.error(origin, &format!("{path}.target"), format!("is required with trigger = \"storage\": the level it orders up to, within [minimum, capacity] = [{minimum}, {storage_capacity}]"));
            } else if let Some(t) = target {
                if t < minimum || t > storage_capacity {
                    cx.error(origin, &format!("{path}.target"), format!("must lie within [minimum, capacity] = [{minimum}, {storage_capacity}], got {t}"));
                }
            }
        }
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
    if trigger == Trigger::Shortfall && lead_days > 0.0 {
        cx.error(node.get("lead_days").map(|n| &n.origin), &format!("{path}.lead_days"), format!("must be 0 for trigger = \"shortfall\" (emergency cover acts in the same step), got {lead_days}"));
    }
    let volume = f.non_negative(cx, "volume");
    let cost = f.non_negative(cx, "cost").unwrap_or(0.0);
    let initial = read_initial(cx, &mut f);
    let outage = read_outage(cx, &mut f, initial);
    f.finish(cx);
    Some(SubstituteSpec {
        id: id.into(),
        name,
        capacity: capacity?,
        lead_days,
        trigger,
        target,
        volume,
        outage,
        cost,
    })
}
