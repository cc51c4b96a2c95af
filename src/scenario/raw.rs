//! The raw scenario: a faithful, ordered mirror of what the TOML file says,
//! with the place (file, line, column) every value came from.
//!
//! Nothing here checks meaning; [`super::validate`] does that. Keeping the
//! origin of every value lets errors found after `extends` and `--set` still
//! point at the right file and line.

use std::path::Path;
use std::sync::Arc;

use toml::de::{DeTable, DeValue};

use crate::error::{Error, Location, Problem};

/// A value and where it came from.
#[derive(Debug, Clone)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Its origin.
    pub origin: Location,
}

/// A TOML value, kept in file order.
#[derive(Debug, Clone)]
pub enum Value {
    /// A string.
    Str(String),
    /// An integer (wide enough for any `u64` or `i64`).
    Int(i128),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A TOML date or date-time, as written.
    Datetime(String),
    /// An array.
    Array(Vec<Node>),
    /// A table, in file order.
    Table(Table),
}

/// An ordered table of key → node.
pub type Table = Vec<(String, Node)>;

impl Value {
    /// The TOML type name, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Bool(_) => "a boolean",
            Value::Datetime(_) => "a date",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

impl Node {
    /// A node made by the loader rather than read from a file.
    pub fn generated(value: Value) -> Node {
        Node {
            value,
            origin: Location::Generated,
        }
    }

    /// The table inside, if this node is a table.
    pub fn as_table(&self) -> Option<&Table> {
        match &self.value {
            Value::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The value under `key`, if this node is a table that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_table()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Converts to JSON with keys sorted, for the canonical serialisation.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Str(s) | Value::Datetime(s) => J::String(s.clone()),
            Value::Int(i) => {
                if let Ok(v) = i64::try_from(*i) {
                    J::from(v)
                } else if let Ok(v) = u64::try_from(*i) {
                    J::from(v)
                } else {
                    J::String(i.to_string())
                }
            }
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or_else(|| J::String(f.to_string())),
            Value::Bool(b) => J::Bool(*b),
            Value::Array(a) => J::Array(a.iter().map(Node::to_json).collect()),
            Value::Table(t) => J::Object(
                t.iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect::<serde_json::Map<_, _>>(),
            ),
        }
    }
}

/// Parses TOML text into a [`Node`] tree. `name` is how the file is named in
/// messages. Syntax errors come back as problems with `file:line:column`.
pub fn parse(text: &str, name: &str) -> Result<Node, Vec<Problem>> {
    let file: Arc<str> = Arc::from(name);
    let lines = LineIndex::new(text);
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        return Err(errors
            .iter()
            .map(|e| {
                let location = match e.span() {
                    Some(span) => {
                        let (line, column) = lines.position(text, span.start);
                        Location::File {
                            file: file.clone(),
                            line,
                            column,
                        }
                    }
                    None => Location::WholeFile(file.clone()),
                };
                Problem {
                    location,
                    field: String::new(),
                    message: format!("TOML syntax error: {}", e.message().trim()),
                }
            })
            .collect());
    }
    let mut problems = Vec::new();
    let span = doc.span();
    let root = convert_table(
        doc.get_ref(),
        span.start,
        &file,
        &lines,
        text,
        &mut problems,
    );
    if problems.is_empty() {
        Ok(root)
    } else {
        Err(problems)
    }
}

/// Parses one value as written on the command line (`--set PATH=VALUE`).
/// Anything that is not valid TOML is taken as a string, so
/// `--set time.step=week` works without quotes.
pub fn parse_set_value(text: &str, arg: &str) -> Node {
    let origin = Location::Set(Arc::from(arg));
    let wrapped = format!("v = {text}");
    if let Ok(mut node) = parse(&wrapped, "--set") {
        if let Value::Table(mut t) = node.value {
            if let Some((_, mut v)) = t.pop() {
                set_origin(&mut v, &origin);
                return v;
            }
        }
        node.origin = origin.clone();
    }
    Node {
        value: Value::Str(text.to_string()),
        origin,
    }
}

fn set_origin(node: &mut Node, origin: &Location) {
    node.origin = origin.clone();
    match &mut node.value {
        Value::Array(a) => a.iter_mut().for_each(|n| set_origin(n, origin)),
        Value::Table(t) => t.iter_mut().for_each(|(_, n)| set_origin(n, origin)),
        _ => {}
    }
}

fn convert_table(
    table: &DeTable<'_>,
    start: usize,
    file: &Arc<str>,
    lines: &LineIndex,
    text: &str,
    problems: &mut Vec<Problem>,
) -> Node {
    let mut out = Table::with_capacity(table.len());
    for (key, value) in table.iter() {
        let node = convert_value(
            value.get_ref(),
            value.span().start,
            file,
            lines,
            text,
            problems,
        );
        out.push((key.get_ref().to_string(), node));
    }
    let (line, column) = lines.position(text, start);
    Node {
        value: Value::Table(out),
        origin: Location::File {
            file: file.clone(),
            line,
            column,
        },
    }
}

fn convert_value(
    value: &DeValue<'_>,
    start: usize,
    file: &Arc<str>,
    lines: &LineIndex,
    text: &str,
    problems: &mut Vec<Problem>,
) -> Node {
    let (line, column) = lines.position(text, start);
    let origin = Location::File {
        file: file.clone(),
        line,
        column,
    };
    let value = match value {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => match i128::from_str_radix(i.as_str(), i.radix()) {
            Ok(v) => Value::Int(v),
            Err(_) => {
                problems.push(Problem {
                    location: origin.clone(),
                    field: String::new(),
                    message: format!("integer {i} is out of range"),
                });
                Value::Int(0)
            }
        },
        DeValue::Float(f) => match f.as_str().parse::<f64>() {
            Ok(v) => Value::Float(v),
            Err(_) => {
                problems.push(Problem {
                    location: origin.clone(),
                    field: String::new(),
                    message: format!("cannot read the number {}", f.as_str()),
                });
                Value::Float(f64::NAN)
            }
        },
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(a) => Value::Array(
            a.iter()
                .map(|v| convert_value(v.get_ref(), v.span().start, file, lines, text, problems))
                .collect(),
        ),
        DeValue::Table(t) => return convert_table(t, start, file, lines, text, problems),
    };
    Node { value, origin }
}

/// Maps byte offsets to 1-based (line, column).
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let end = offset.min(text.len());
        let column = text.get(start..end).map_or(1, |s| s.chars().count() + 1);
        (line, column)
    }
}

/// Reads and parses a scenario file.
pub fn load_file(path: &Path) -> Result<Node, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, &path.display().to_string()).map_err(|problems| Error::Scenario {
        file: path.to_path_buf(),
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_point_at_values() {
        let text = "[a]\nx = 1\ny = \"s\"\n";
        let node = parse(text, "f.toml").unwrap();
        let a = node.get("a").unwrap();
        let y = a.get("y").unwrap();
        assert_eq!(y.origin.describe(), "f.toml:3:5");
        assert!(matches!(a.get("x").unwrap().value, Value::Int(1)));
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let err = parse("[a]\nx = = 1\n", "f.toml").unwrap_err();
        assert!(
            matches!(&err[0].location, Location::File { file, line: 2, .. } if &**file == "f.toml"),
            "{:?}",
            err
        );
    }

    #[test]
    fn set_values_fall_back_to_strings() {
        assert!(matches!(parse_set_value("3.5", "a=3.5").value, Value::Float(v) if v == 3.5));
        assert!(
            matches!(parse_set_value("week", "a=week").value, Value::Str(ref s) if s == "week")
        );
        let n = parse_set_value("{ dist = \"fixed\", value = 2 }", "a=..");
        assert!(n.get("value").is_some());
    }
}
