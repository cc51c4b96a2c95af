//! `[sensitivity]`: the inputs and ranges of `shortfall tornado` (an
//! extension of SCENARIO.md; the simulation does not read it).

use super::fields::{Cx, Fields, Sections};
use super::types::SensitivityInput;
use crate::scenario::raw::Value;

/// Reads `[sensitivity] inputs = [{ path, low, high }, ...]`.
pub(super) fn read_sensitivity(cx: &mut Cx, sections: &Sections<'_>) -> Vec<SensitivityInput> {
    let Some(node) = sections.get("sensitivity") else {
        return Vec::new();
    };
    let Some(mut f) = Fields::new(cx, node, "sensitivity") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(list) = f.get("inputs") {
        match &list.value {
            Value::Array(items) => {
                if items.is_empty() {
                    cx.error(
                        Some(&list.origin),
                        "sensitivity.inputs",
                        "must list at least one input (leave [sensitivity] out for the default inputs)",
                    );
                }
                for (i, item) in items.iter().enumerate() {
                    let path = format!("sensitivity.inputs[{i}]");
                    let Some(mut g) = Fields::new(cx, item, &path) else {
                        continue;
                    };
                    let field = g.string(cx, "path");
                    if item.get("path").is_none() {
                        cx.error(
                            Some(&item.origin),
                            &format!("{path}.path"),
                            "is required: the field to vary, as for --set (e.g. \"substitute.us_flex.capacity\")",
                        );
                    }
                    let low = g.required(cx, "low", "a number").and_then(|_| g.number(cx, "low"));
                    let high = g
                        .required(cx, "high", "a number")
                        .and_then(|_| g.number(cx, "high"));
                    g.finish(cx);
                    if let (Some(field), Some(low), Some(high)) = (field, low, high) {
                        if field.starts_with("simulation.") {
                            cx.error(
                                item.get("path").map(|n| &n.origin),
                                &format!("{path}.path"),
                                format!("cannot be \"{field}\": every setting runs on the scenario's trials and seed"),
                            );
                        } else if field.trim().is_empty() || !field.contains('.') {
                            cx.error(
                                item.get("path").map(|n| &n.origin),
                                &format!("{path}.path"),
                                format!("must be a dotted field path as for --set, got \"{field}\""),
                            );
                        } else {
                            out.push(SensitivityInput {
                                path: field,
                                low,
                                high,
                            });
                        }
                    }
                }
            }
            other => cx.error(
                Some(&list.origin),
                "sensitivity.inputs",
                format!(
                    "must be an array of {{ path = \"...\", low = ..., high = ... }} tables, not {}",
                    other.type_name()
                ),
            ),
        }
    }
    f.finish(cx);
    out
}
