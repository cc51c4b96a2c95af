//! A `[[supplier]]` entry.

use super::fields::{Cx, Fields};
use super::outage::{read_initial, read_outage};
use super::types::{Input, SupplierSpec};
use crate::scenario::raw::Node;

pub(super) fn read_supplier(
    cx: &mut Cx,
    node: &Node,
    id: &str,
    steps: usize,
) -> Option<SupplierSpec> {
    let path = format!("supplier.{id}");
    let mut f = Fields::new(cx, node, &path)?;
    f.get("id");
    let name = f.string(cx, "name").unwrap_or_else(|| id.to_string());
    let volume = f
        .required(
            cx,
            "volume",
            "unit/yr delivered in normal operation: a number >= 0 or a distribution",
        )
        .and_then(|_| f.input(cx, "volume"));
    let capacity = f.non_negative(cx, "capacity");
    // A drawn volume is not compared with the nameplate (SCENARIO.md,
    // "Uncertain inputs").
    if let (Some(v), Some(c)) = (volume.as_ref().and_then(Input::fixed), capacity) {
        if c < v {
            cx.error(
                node.get("capacity").map(|n| &n.origin),
                &format!("{path}.capacity"),
                format!("must be >= volume ({v}), got {c}"),
            );
        }
    }
    let profile = f.numbers(cx, "profile");
    if let Some(p) = &profile {
        if p.len() != 12 && p.len() != steps {
            cx.error(
                node.get("profile").map(|n| &n.origin),
                &format!("{path}.profile"),
                format!(
                    "must have 12 values (calendar months) or one per step ({steps}), got {}",
                    p.len()
                ),
            );
        }
        if let Some(v) = p.iter().find(|v| **v < 0.0) {
            cx.error(
                node.get("profile").map(|n| &n.origin),
                &format!("{path}.profile"),
                format!("multipliers must be >= 0, got {v}"),
            );
        }
    }
    let transit_days = f.input(cx, "transit_days").unwrap_or(Input::Fixed(0.0));
    let initial = read_initial(cx, &mut f);
    let outage = read_outage(cx, &mut f, initial);
    f.finish(cx);
    Some(SupplierSpec {
        id: id.into(),
        name,
        volume: volume?,
        capacity,
        profile,
        transit_days,
        outage,
    })
}
