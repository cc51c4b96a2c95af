//! Reads the merged raw tree into a typed, checked [`Scenario`].
//!
//! Every table is read through `Fields`, which remembers the keys asked
//! for; whatever is left over is an unknown key, reported with a "did you
//! mean" suggestion. All problems of a file are collected and reported at
//! once.

mod demand;
mod demand_csv;
mod entries;
mod event;
mod fields;
mod outage;
mod substitute;
mod supplier;
mod top;
mod types;

pub use types::{
    DemandBase, EventSpec, InitialState, Noise, Occurrence, OutageSpec, Scenario, Step,
    SubstituteSpec, SupplierSpec, Trigger,
};

use std::borrow::Cow;

use super::raw::Node;
use crate::error::{Location, Problem};
use demand_csv::inline_demand_csv;
use fields::Cx;
use top::read_scenario;

pub use demand_csv::read_demand_csv;
pub use fields::suggest;

/// Reads and checks a merged tree. `per_step_csv` paths are already resolved.
pub fn validate(root: &mut Node) -> Result<Scenario, Vec<Problem>> {
    let mut cx = Cx::default();
    // Load a CSV demand first, so that the canonical form holds the numbers.
    inline_demand_csv(root, &mut cx);
    let canonical = canonical_json(&root.to_json());
    let scenario = read_scenario(root, &mut cx, canonical);
    // A stable sort: problems at the same place keep the order they were found in.
    cx.problems
        .sort_by(|a, b| location_key(&a.location).cmp(&location_key(&b.location)));
    match scenario {
        Some(s) if cx.problems.is_empty() => Ok(s),
        _ => {
            if cx.problems.is_empty() {
                cx.problems.push(Problem {
                    location: Location::Generated,
                    field: String::new(),
                    message: "invalid scenario".into(),
                });
            }
            Err(cx.problems)
        }
    }
}

/// Sort key so problems come out in file, line, column order. A location
/// that is not a position in a file sorts by its text (`--set X=Y`, or empty)
/// as if that were a file name, at line 0, column 0.
fn location_key(location: &Location) -> (Cow<'_, str>, usize, usize) {
    match location {
        Location::File { file, line, column } => (Cow::Borrowed(&**file), *line, *column),
        other => (Cow::Owned(other.describe()), 0, 0),
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
