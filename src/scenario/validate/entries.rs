//! The arrays of tables `[[supplier]]`, `[[substitute]]` and `[[event]]`:
//! their entries and ids (of the right form, and unique across all three).

use super::fields::{Cx, id_problem};
use crate::error::Location;
use crate::scenario::raw::{Node, Value};

/// The entries of each array, each with its id (`[i]` when it has none,
/// which is reported).
pub(super) struct Entries<'a> {
    pub(super) suppliers: Vec<(String, &'a Node)>,
    pub(super) substitutes: Vec<(String, &'a Node)>,
    pub(super) events: Vec<(String, &'a Node)>,
}

impl Entries<'_> {
    /// The supplier ids, in file order.
    pub(super) fn supplier_ids(&self) -> Vec<&str> {
        self.suppliers.iter().map(|(id, _)| id.as_str()).collect()
    }

    /// The substitute ids, in file order.
    pub(super) fn substitute_ids(&self) -> Vec<&str> {
        self.substitutes.iter().map(|(id, _)| id.as_str()).collect()
    }
}

/// Reads the three arrays and checks their ids; at least one supplier is
/// required.
pub(super) fn read_entries<'a>(cx: &mut Cx, root: &'a Node) -> Entries<'a> {
    let entries = Entries {
        suppliers: entries(cx, root, "supplier"),
        substitutes: entries(cx, root, "substitute"),
        events: entries(cx, root, "event"),
    };
    check_ids(cx, &entries);
    if entries.suppliers.is_empty() {
        cx.error(
            root.get("supplier").map(|n| &n.origin),
            "supplier",
            "at least one [[supplier]] is required (after extends and enabled = false)",
        );
    }
    entries
}

/// The tables of the array `key`, with their ids.
fn entries<'a>(cx: &mut Cx, root: &'a Node, key: &str) -> Vec<(String, &'a Node)> {
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
}

/// Ids must be of a-z, 0-9, '_' and '-', and unique across suppliers,
/// substitutes and events.
fn check_ids(cx: &mut Cx, entries: &Entries<'_>) {
    let mut ids: Vec<(String, Location)> = Vec::new();
    for (kind, list) in [
        ("supplier", &entries.suppliers),
        ("substitute", &entries.substitutes),
        ("event", &entries.events),
    ] {
        for (id, node) in list.iter() {
            if id.starts_with('[') {
                continue;
            }
            let origin = node
                .get("id")
                .map(|n| n.origin.clone())
                .unwrap_or(Location::Generated);
            if let Some(problem) = id_problem(id) {
                cx.error(Some(&origin), &format!("{kind}.{id}.id"), problem);
            }
            if let Some((_, first)) = ids.iter().find(|(i, _)| i == id) {
                cx.error(Some(&origin), &format!("{kind}.{id}.id"), format!("duplicate id \"{id}\" (first used at {}); ids must be unique across suppliers, substitutes and events", first.describe()));
            } else {
                ids.push((id.clone(), origin));
            }
        }
    }
}
