//! `demand.per_step_csv`: per-step demand read from a CSV file.

use std::path::Path;

use super::fields::Cx;
use crate::scenario::raw::{Node, Value};

/// Replaces `demand.per_step_csv` with `demand.per_step` read from the file.
pub(super) fn inline_demand_csv(root: &mut Node, cx: &mut Cx) {
    let Value::Table(top) = &mut root.value else {
        return;
    };
    let Some((_, demand)) = top.iter_mut().find(|(k, _)| k == "demand") else {
        return;
    };
    let Value::Table(fields) = &mut demand.value else {
        return;
    };
    let Some(pos) = fields.iter().position(|(k, _)| k == "per_step_csv") else {
        return;
    };
    let node = &fields[pos].1;
    let Value::Str(path) = &node.value else {
        cx.error(
            Some(&node.origin),
            "demand.per_step_csv",
            format!(
                "must be a file path (a string), not {}",
                node.value.type_name()
            ),
        );
        return;
    };
    match read_demand_csv(Path::new(path)) {
        Ok(values) => {
            if fields.iter().any(|(k, _)| k == "per_step") {
                cx.error(
                    Some(&node.origin),
                    "demand.per_step_csv",
                    "give per_step or per_step_csv, not both",
                );
                return;
            }
            let origin = node.origin.clone();
            let array = values
                .into_iter()
                .map(|v| Node {
                    value: Value::Float(v),
                    origin: origin.clone(),
                })
                .collect();
            fields[pos] = (
                "per_step".into(),
                Node {
                    value: Value::Array(array),
                    origin,
                },
            );
        }
        Err(message) => cx.error(Some(&node.origin), "demand.per_step_csv", message),
    }
}

/// Reads a one-column CSV of per-step demand (a header row is optional; with
/// several columns, the one headed `demand` is used). The file is read as a
/// scenario file is ([`crate::scenario::files::read_text`]: a regular file
/// of UTF-8 text of at most 16 MiB).
pub fn read_demand_csv(path: &Path) -> Result<Vec<f64>, String> {
    let text = crate::scenario::files::read_text(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut column = None;
    let mut values = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("{}: {e}", path.display()))?;
        let line = record.position().map_or(i as u64 + 1, |p| p.line());
        if i == 0 && record.get(0).is_some_and(|f| f.parse::<f64>().is_err()) {
            // A header row.
            column = if record.len() == 1 {
                Some(0)
            } else {
                Some(record.iter().position(|h| h == "demand").ok_or_else(|| {
                    format!(
                        "{}:1: with several columns, one must be headed `demand`",
                        path.display()
                    )
                })?)
            };
            continue;
        }
        let col = *column.get_or_insert(0);
        let field = record.get(col).unwrap_or("");
        let v: f64 = field.parse().map_err(|_| {
            format!(
                "{}:{line}: expected a number, got \"{field}\"",
                path.display()
            )
        })?;
        if !v.is_finite() || !(0.0..=super::fields::MAX_MAGNITUDE).contains(&v) {
            return Err(format!(
                "{}:{line}: demand must be a finite number >= 0 and at most 1e15, got {v}",
                path.display()
            ));
        }
        values.push(v);
    }
    Ok(values)
}
