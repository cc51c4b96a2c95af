//! Reading the values of a table: [`Fields`] remembers the keys asked for
//! and reports the rest as unknown; [`Cx`] collects the problems.

mod distribution;

use chrono::NaiveDate;

use super::types::Input;
use crate::dist::DistSpec;
use crate::error::{Location, Problem};
use crate::scenario::raw::{Node, Value};

pub(super) use distribution::dist;

/// Collects the problems found while reading.
#[derive(Default)]
pub(super) struct Cx {
    pub(super) problems: Vec<Problem>,
}

impl Cx {
    pub(super) fn error(
        &mut self,
        origin: Option<&Location>,
        field: &str,
        message: impl Into<String>,
    ) {
        self.problems.push(Problem {
            location: origin.cloned().unwrap_or(Location::Generated),
            field: field.to_string(),
            message: message.into(),
        });
    }
}

/// A table being read: remembers which keys were asked for.
pub(super) struct Fields<'a> {
    path: String,
    node: &'a Node,
    known: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    pub(super) fn new(cx: &mut Cx, node: &'a Node, path: &str) -> Option<Fields<'a>> {
        if node.as_table().is_none() {
            cx.error(
                Some(&node.origin),
                path,
                format!("must be a table, not {}", node.value.type_name()),
            );
            return None;
        }
        Some(Fields::of(node, path))
    }

    /// Reads a node already known to be a table.
    pub(super) fn of(node: &'a Node, path: &str) -> Fields<'a> {
        Fields {
            path: path.to_string(),
            node,
            known: Vec::new(),
        }
    }

    pub(super) fn get(&mut self, key: &'static str) -> Option<&'a Node> {
        if !self.known.contains(&key) {
            self.known.push(key);
        }
        self.node.get(key)
    }

    pub(super) fn path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// Reports every key that was never asked for, with a suggestion when
    /// one is close and otherwise the keys allowed here.
    pub(super) fn finish(self, cx: &mut Cx) {
        self.report_unknown(cx, false);
    }

    /// Reports every key that was never asked for, always with the keys
    /// allowed here (and a suggestion when one is close).
    pub(super) fn finish_listing(self, cx: &mut Cx) {
        self.report_unknown(cx, true);
    }

    fn report_unknown(self, cx: &mut Cx, always_list: bool) {
        for (key, value) in self.node.as_table().into_iter().flatten() {
            if !self.known.contains(&key.as_str()) {
                let mut message = format!("unknown key `{key}`");
                let suggestion = suggest(key, &self.known);
                if let Some(s) = suggestion {
                    message.push_str(&format!(" (did you mean `{s}`?)"));
                }
                if always_list || suggestion.is_none() {
                    message.push_str(&format!("; allowed here: {}", self.known.join(", ")));
                }
                cx.error(Some(&value.origin), &self.path(key), message);
            }
        }
    }

    pub(super) fn number(&mut self, cx: &mut Cx, key: &'static str) -> Option<f64> {
        let path = self.path(key);
        self.get(key).and_then(|n| number(cx, n, &path))
    }

    pub(super) fn required(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        what: &str,
    ) -> Option<&'a Node> {
        let node = self.get(key);
        if node.is_none() {
            cx.error(
                Some(&self.node.origin),
                &self.path(key),
                format!("is required ({what})"),
            );
        }
        node
    }

    /// A number >= 0 (required or optional).
    pub(super) fn non_negative(&mut self, cx: &mut Cx, key: &'static str) -> Option<f64> {
        let path = self.path(key);
        let node = self.get(key)?;
        let v = number(cx, node, &path)?;
        if v < 0.0 {
            cx.error(Some(&node.origin), &path, format!("must be >= 0, got {v}"));
            return None;
        }
        Some(v)
    }

    pub(super) fn string(&mut self, cx: &mut Cx, key: &'static str) -> Option<String> {
        let path = self.path(key);
        let node = self.get(key)?;
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            other => {
                cx.error(
                    Some(&node.origin),
                    &path,
                    format!("must be a string, not {}", other.type_name()),
                );
                None
            }
        }
    }

    /// One of a fixed set of words.
    pub(super) fn choice(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        allowed: &[&'static str],
    ) -> Option<&'static str> {
        let path = self.path(key);
        let node = self.get(key)?;
        let Value::Str(s) = &node.value else {
            cx.error(
                Some(&node.origin),
                &path,
                format!("must be one of {}", quoted(allowed)),
            );
            return None;
        };
        match allowed.iter().find(|a| **a == s) {
            Some(a) => Some(a),
            None => {
                let hint = suggest(s, allowed)
                    .map_or(String::new(), |h| format!(" (did you mean \"{h}\"?)"));
                cx.error(
                    Some(&node.origin),
                    &path,
                    format!("must be one of {}, got \"{s}\"{hint}", quoted(allowed)),
                );
                None
            }
        }
    }

    pub(super) fn dist(&mut self, cx: &mut Cx, key: &'static str) -> Option<DistSpec> {
        let path = self.path(key);
        self.get(key).and_then(|n| dist(cx, n, &path))
    }

    /// An uncertain input: a number >= 0, or a distribution table (drawn once
    /// per trial and clamped at 0, so its parameters are checked but its
    /// support may reach below 0).
    pub(super) fn input(&mut self, cx: &mut Cx, key: &'static str) -> Option<Input> {
        let path = self.path(key);
        let node = self.get(key)?;
        match &node.value {
            Value::Table(_) => {
                let d = dist(cx, node, &path)?;
                let range = (0.0, f64::INFINITY);
                check_reachable(cx, Some(node), &path, &d, range, ("a value", ">= 0"));
                Some(Input::Drawn(d))
            }
            Value::Int(_) | Value::Float(_) => self.non_negative(cx, key).map(Input::Fixed),
            other => {
                cx.error(
                    Some(&node.origin),
                    &path,
                    format!("must be a number >= 0 or a distribution table like {{ dist = \"uniform\", min = 1, max = 2 }} (drawn once per trial), not {}", other.type_name()),
                );
                None
            }
        }
    }

    pub(super) fn numbers(&mut self, cx: &mut Cx, key: &'static str) -> Option<Vec<f64>> {
        let path = self.path(key);
        self.get(key).and_then(|n| numbers(cx, n, &path))
    }
}

/// A drawn value outside its field's range is clamped into it; a
/// distribution *all* of whose values lie outside (say `uniform{1.5, 1.5}`
/// for a fraction) can never be meant, so it is an error naming the field
/// and the range. `what` names the quantity ("a fraction"), `allowed` the
/// range as words ("within [0, 1]"), `range` the same as numbers. A fixed
/// value is left to the field's own check.
pub(super) fn check_reachable(
    cx: &mut Cx,
    node: Option<&Node>,
    path: &str,
    d: &DistSpec,
    range: (f64, f64),
    what_allowed: (&str, &str),
) {
    let (Some(node), false) = (node, matches!(d, DistSpec::Fixed { .. })) else {
        return;
    };
    let (lo, hi) = d.support();
    let outside = match d {
        // Its values one by one: [-2, 1.5] spans [0, 1] but neither is in it.
        DistSpec::Empirical { values, weights } => !values
            .iter()
            .zip(weights)
            .any(|(v, w)| *w > 0.0 && (range.0..=range.1).contains(v)),
        _ => hi < range.0 || lo > range.1,
    };
    if outside {
        let (what, allowed) = what_allowed;
        cx.error(
            Some(&node.origin),
            path,
            format!(
                "{what} must be {allowed}, but every value of this distribution is outside it (its values run from {lo} to {hi}); a draw outside the range is clamped, so this distribution would never be used"
            ),
        );
    }
}

pub(super) fn quoted(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The closest known word, if it is close enough to be a likely typo.
pub fn suggest<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(word, k), *k))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// The largest magnitude of any number in a scenario file (1e15): far
/// beyond any volume, duration or rate that means something, and small
/// enough that sums over every step and trial stay finite.
pub(super) const MAX_MAGNITUDE: f64 = 1e15;

pub(super) fn number(cx: &mut Cx, node: &Node, path: &str) -> Option<f64> {
    let v = match &node.value {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        other => {
            cx.error(
                Some(&node.origin),
                path,
                format!("must be a number, not {}", other.type_name()),
            );
            return None;
        }
    };
    if !v.is_finite() {
        cx.error(
            Some(&node.origin),
            path,
            format!("must be a finite number, got {v}"),
        );
        return None;
    }
    if v.abs() > MAX_MAGNITUDE {
        cx.error(
            Some(&node.origin),
            path,
            format!("{v:e} is too large: numbers in a scenario must lie within ±{MAX_MAGNITUDE:e}"),
        );
        return None;
    }
    Some(v)
}

pub(super) fn numbers(cx: &mut Cx, node: &Node, path: &str) -> Option<Vec<f64>> {
    let Value::Array(items) = &node.value else {
        cx.error(
            Some(&node.origin),
            path,
            format!(
                "must be an array of numbers, not {}",
                node.value.type_name()
            ),
        );
        return None;
    };
    let before = cx.problems.len();
    let values: Vec<f64> = items
        .iter()
        .enumerate()
        .filter_map(|(i, n)| number(cx, n, &format!("{path}[{i}]")))
        .collect();
    (cx.problems.len() == before).then_some(values)
}

pub(super) fn integer(cx: &mut Cx, node: &Node, path: &str, min: i128, max: i128) -> Option<i128> {
    match &node.value {
        Value::Int(i) if (min..=max).contains(i) => Some(*i),
        Value::Int(i) => {
            cx.error(
                Some(&node.origin),
                path,
                format!("must be between {min} and {max}, got {i}"),
            );
            None
        }
        other => {
            cx.error(
                Some(&node.origin),
                path,
                format!("must be a whole number, not {}", other.type_name()),
            );
            None
        }
    }
}

/// The longest id or scenario name, in characters (a name becomes a folder
/// name, and file systems refuse names over 255 bytes).
pub(super) const MAX_ID_LEN: usize = 64;

/// What is wrong with an id or scenario name, if anything.
pub(super) fn id_problem(id: &str) -> Option<String> {
    if id.len() > MAX_ID_LEN {
        Some(format!(
            "must be at most {MAX_ID_LEN} characters, got {}",
            id.chars().count()
        ))
    } else if !valid_id(id) {
        Some(format!("must use only a-z, 0-9, '_' and '-', got \"{id}\""))
    } else {
        None
    }
}

pub(super) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Parses `YYYY-MM-DD` (a TOML date or a string).
pub(super) fn date(cx: &mut Cx, node: &Node, path: &str) -> Option<NaiveDate> {
    let text = match &node.value {
        Value::Str(s) | Value::Datetime(s) => s.as_str(),
        other => {
            cx.error(
                Some(&node.origin),
                path,
                format!("must be a date like 2024-01-01, not {}", other.type_name()),
            );
            return None;
        }
    };
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            cx.error(
                Some(&node.origin),
                path,
                format!("must be a date like 2024-01-01, got \"{text}\""),
            );
            None
        }
    }
}

/// The top-level tables of a file.
pub(super) struct Sections<'a> {
    root: &'a Node,
    empty: Node,
}

impl<'a> Sections<'a> {
    pub(super) fn new(root: &'a Node) -> Sections<'a> {
        Sections {
            root,
            empty: Node::generated(Value::Table(Vec::new())),
        }
    }

    /// The section as written, whatever it is.
    pub(super) fn get(&self, key: &str) -> Option<&'a Node> {
        self.root.get(key)
    }

    /// The section, if it is a table.
    pub(super) fn table(&self, key: &str) -> Option<&'a Node> {
        self.get(key).filter(|n| n.as_table().is_some())
    }

    /// The section to read. One that is missing, or is not a table
    /// (reported), reads as empty so that the rest of the file is still
    /// checked.
    pub(super) fn read(&self, cx: &mut Cx, key: &str) -> &Node {
        match self.get(key) {
            Some(n) if n.as_table().is_some() => n,
            Some(n) => {
                cx.error(
                    Some(&n.origin),
                    key,
                    format!("must be a table ([{key}]), not {}", n.value.type_name()),
                );
                &self.empty
            }
            None => &self.empty,
        }
    }
}

#[cfg(test)]
mod tests;
