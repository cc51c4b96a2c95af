//! The raw scenario: a faithful, ordered mirror of what the TOML file says,
//! with the place (file, line, column) every value came from.
//!
//! Nothing here checks meaning; [`super::validate`] does that. Keeping the
//! origin of every value lets errors found after `extends` and `--set` still
//! point at the right file and line.

use std::sync::Arc;

use toml::de::{DeTable, DeValue};

use crate::error::{Location, Problem};

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
    let at = Source {
        file: &file,
        lines: &lines,
        text,
    };
    let root = convert_table(doc.get_ref(), span.start, "", &at, &mut problems);
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

/// Where the values being converted come from.
struct Source<'a> {
    file: &'a Arc<str>,
    lines: &'a LineIndex,
    text: &'a str,
}

impl Source<'_> {
    fn at(&self, offset: usize) -> Location {
        let (line, column) = self.lines.position(self.text, offset);
        Location::File {
            file: self.file.clone(),
            line,
            column,
        }
    }
}

/// `parent.key`, or `key` at the top.
fn child_path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

fn convert_table(
    table: &DeTable<'_>,
    start: usize,
    path: &str,
    at: &Source<'_>,
    problems: &mut Vec<Problem>,
) -> Node {
    let mut out = Table::with_capacity(table.len());
    for (key, value) in table.iter() {
        let key = key.get_ref().to_string();
        let node = convert_value(
            value.get_ref(),
            value.span().start,
            &child_path(path, &key),
            at,
            problems,
        );
        out.push((key, node));
    }
    Node {
        value: Value::Table(out),
        origin: at.at(start),
    }
}

fn convert_value(
    value: &DeValue<'_>,
    start: usize,
    path: &str,
    at: &Source<'_>,
    problems: &mut Vec<Problem>,
) -> Node {
    let origin = at.at(start);
    let mut problem = |message: String| {
        problems.push(Problem {
            location: origin.clone(),
            field: path.to_string(),
            message,
        })
    };
    let value = match value {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => match i128::from_str_radix(i.as_str(), i.radix()) {
            Ok(v) => Value::Int(v),
            Err(_) => {
                problem(format!(
                    "the integer {i} is out of range (whole numbers here fit in 64 bits: at most 18446744073709551615)"
                ));
                Value::Int(0)
            }
        },
        DeValue::Float(f) => match read_float(f.as_str()) {
            Ok(v) => Value::Float(v),
            Err(message) => {
                problem(message);
                Value::Float(f64::NAN)
            }
        },
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(a) => Value::Array(
            a.iter()
                .enumerate()
                .map(|(i, v)| {
                    let item = format!("{path}[{i}]");
                    convert_value(v.get_ref(), v.span().start, &item, at, problems)
                })
                .collect(),
        ),
        DeValue::Table(t) => return convert_table(t, start, path, at, problems),
    };
    Node { value, origin }
}

/// A TOML float as an `f64`. A number written with digits that is too
/// large for an `f64` (it would read as infinity) or too small (a non-zero
/// number that would read as 0) is refused; `inf` and `nan` written as such
/// are kept, for the field's reader to judge.
fn read_float(text: &str) -> Result<f64, String> {
    let v: f64 = text
        .replace('_', "")
        .parse()
        .map_err(|_| format!("cannot read the number {text}"))?;
    let written_as_digits = text.bytes().any(|b| b.is_ascii_digit());
    if v.is_infinite() && written_as_digits {
        return Err(format!(
            "the number {text} is too large (numbers must be finite, at most about 1.8e308)"
        ));
    }
    let mantissa = text.split(['e', 'E']).next().unwrap_or("");
    if v == 0.0 && mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        return Err(format!(
            "the number {text} is too small to hold (it would read as 0; the smallest is about 5e-324): write 0 if 0 is meant"
        ));
    }
    Ok(v)
}

/// Maps byte offsets to 1-based (line, column).
///
/// Columns count characters from the start of the line. The last position
/// asked for is remembered, so that the values of one long line (a 5 MB
/// `per_step` array), asked for in order, cost time in proportion to the
/// line's length rather than its square.
struct LineIndex {
    starts: Vec<usize>,
    /// (byte offset, its column, the start of its line) of the last answer.
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            starts,
            last: std::cell::Cell::new((0, 1, 0)),
        }
    }

    fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let end = offset.min(text.len());
        let (last_offset, last_column, last_start) = self.last.get();
        let (from, base) = if last_start == start && last_offset <= end {
            (last_offset, last_column)
        } else {
            (start, 1)
        };
        let column = text.get(from..end).map_or(1, |s| base + s.chars().count());
        if text.is_char_boundary(end) {
            self.last.set((end, column, start));
        }
        (line, column)
    }
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

    #[test]
    fn numbers_that_do_not_fit_are_refused_with_their_field() {
        let err = parse(
            "[a]\nx = [1e400]\ny = 1e-400\nz = 99999999999999999999999999999999999999999\n",
            "f.toml",
        )
        .unwrap_err();
        let found: Vec<(&str, &str)> = err
            .iter()
            .map(|p| {
                (
                    p.field.as_str(),
                    p.message.split(' ').take(3).last().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("a.x[0]", "1e400"),
                ("a.y", "1e-400"),
                ("a.z", "99999999999999999999999999999999999999999")
            ]
        );
        assert!(err[0].message.contains("too large"), "{}", err[0].message);
        assert!(err[1].message.contains("too small"), "{}", err[1].message);
        // What fits is read as written; inf and nan are left to the fields.
        assert_eq!(read_float("1_000.5"), Ok(1000.5));
        assert_eq!(read_float("0.0e-999"), Ok(0.0));
        assert_eq!(read_float("4.9e-324"), Ok(4.9e-324));
        assert!(read_float("inf").unwrap().is_infinite());
        assert!(read_float("nan").unwrap().is_nan());
    }

    #[test]
    fn columns_count_characters_in_any_order() {
        let text = "é = [1, 2]\nb = \"ü\"\n";
        let lines = LineIndex::new(text);
        let seen: Vec<(usize, usize)> = [9, 5, 0, 14, 9, 19, 2]
            .iter()
            .map(|&o| lines.position(text, o))
            .collect();
        assert_eq!(
            seen,
            [(1, 9), (1, 5), (1, 1), (2, 3), (1, 9), (2, 7), (1, 2)]
        );
    }
}
