//! Reads the merged raw tree into a typed, checked [`Scenario`].
//!
//! Every table is read through `Fields`, which remembers the keys asked
//! for; whatever is left over is an unknown key, reported with a "did you
//! mean" suggestion. All problems of a file are collected and reported at
//! once, sorted by where they are.
//!
//! The parts: `types` (what a valid scenario is), `fields` (reading one
//! table's values, and distributions), one reader per part of the file
//! (`top`: the order of sections and `[scenario]`, `[time]`,
//! `[simulation]`; `demand`: `[demand]` and `[storage]`; `entries`: the ids
//! of the arrays of tables; `supplier`, `substitute`, `event`, and
//! `outage`, shared by suppliers and substitutes) and `demand_csv`
//! (`demand.per_step_csv`).

mod demand;
mod demand_csv;
mod entries;
mod event;
mod fields;
mod outage;
mod report;
mod sensitivity;
mod substitute;
mod supplier;
mod top;
mod types;

pub use types::{
    DemandBase, EventSpec, InitialState, Input, LevelPath, Noise, Occurrence, OutageSpec,
    ReportSpec, Scenario, Step, SubstituteSpec, SupplierSpec, Trigger,
};

use std::borrow::Cow;

use super::raw::Node;
use crate::error::{Location, Problem};
use demand_csv::inline_demand_csv;
use fields::Cx;
use top::read_scenario;

pub use demand_csv::read_demand_csv;
pub use fields::suggest;
pub use report::CHART_STEMS;

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

#[cfg(test)]
mod tests {
    use super::*;

    /// The sort key as it was computed from the location text before
    /// locations were structured; the order must not change.
    fn text_key(text: &str) -> (String, usize, usize) {
        let mut parts = text.rsplitn(3, ':');
        let col = parts.next().and_then(|c| c.parse().ok());
        let line = parts.next().and_then(|l| l.parse().ok());
        match (parts.next(), line, col) {
            (Some(file), Some(line), Some(col)) => (file.to_string(), line, col),
            _ => (text.to_string(), 0, 0),
        }
    }

    fn file(name: &str, line: usize, column: usize) -> Location {
        Location::File {
            file: name.into(),
            line,
            column,
        }
    }

    #[test]
    fn problems_sort_as_their_location_text_did() {
        let locations = vec![
            file("b.toml", 2, 1),
            Location::Set("storage.capacity=x".into()),
            file("a.toml", 10, 3),
            Location::Generated,
            file("a.toml", 9, 30),
            file("a.toml", 10, 2),
            Location::Set("nosuch=1".into()),
            file("--set z.toml", 1, 1),
            file("c:/x.toml", 1, 1),
            Location::WholeFile("a.toml".into()),
            file("", 3, 3),
            file("a.toml", 10, 2),
            Location::Set("a=1".into()),
            Location::Generated,
        ];
        let problems: Vec<Problem> = locations
            .into_iter()
            .enumerate()
            .map(|(i, location)| Problem {
                location,
                field: String::new(),
                message: i.to_string(),
            })
            .collect();
        let mut old = problems.clone();
        old.sort_by_key(|p| text_key(&p.location.describe()));
        let mut new = problems;
        new.sort_by(|a, b| location_key(&a.location).cmp(&location_key(&b.location)));
        let order = |ps: &[Problem]| ps.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        assert_eq!(order(&new), order(&old));
        // Equal locations keep their order.
        let generated: Vec<&str> = new
            .iter()
            .filter(|p| p.location == Location::Generated)
            .map(|p| p.message.as_str())
            .collect();
        assert_eq!(generated, ["3", "13"]);
    }
}
