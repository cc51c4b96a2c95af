//! An `[[event]]` entry.

use super::fields::{Cx, Fields, dist, suggest};
use super::outage::check_fixed_duration;
use super::types::{EventSpec, Occurrence};
use crate::dist::DistSpec;
use crate::scenario::raw::Node;

/// Reads one `[[event]]`; `suppliers` and `substitutes` are the ids it may
/// name.
pub(super) fn read_event(
    cx: &mut Cx,
    node: &Node,
    id: &str,
    suppliers: &[&str],
    substitutes: &[&str],
) -> Option<EventSpec> {
    let path = format!("event.{id}");
    let mut f = Fields::new(cx, node, &path)?;
    f.get("id");
    let name = f.string(cx, "name").unwrap_or_else(|| id.to_string());
    let occurrence = read_occurrence(cx, &mut f, node, &path);
    let start_day = f
        .dist(cx, "start_day")
        .unwrap_or(DistSpec::Fixed { value: 0.0 });
    let duration_days = f.dist(cx, "duration_days");
    check_fixed_duration(
        cx,
        node.get("duration_days"),
        &format!("{path}.duration_days"),
        duration_days.as_ref(),
    );
    let supply = read_effects(&mut f, cx, "supply", suppliers);
    let substitute = read_effects(&mut f, cx, "substitute", substitutes);
    let demand = f.dist(cx, "demand");
    if let Some(DistSpec::Fixed { value }) = demand {
        if value < 0.0 {
            cx.error(
                node.get("demand").map(|n| &n.origin),
                &format!("{path}.demand"),
                format!("a demand multiplier must be >= 0, got {value}"),
            );
        }
    }
    f.finish(cx);
    Some(EventSpec {
        id: id.into(),
        name,
        occurrence: occurrence?,
        start_day,
        duration_days,
        supply,
        substitute,
        demand,
    })
}

/// `probability` or `rate_per_year`: exactly one of them.
fn read_occurrence(cx: &mut Cx, f: &mut Fields<'_>, node: &Node, path: &str) -> Option<Occurrence> {
    let probability = f.number(cx, "probability");
    let rate = f.non_negative(cx, "rate_per_year");
    match (
        probability,
        rate,
        node.get("probability"),
        node.get("rate_per_year"),
    ) {
        (Some(p), None, _, None) => {
            if !(0.0..=1.0).contains(&p) {
                cx.error(
                    node.get("probability").map(|n| &n.origin),
                    &format!("{path}.probability"),
                    format!("must be within [0, 1], got {p}"),
                );
            }
            Some(Occurrence::Probability(p))
        }
        (None, Some(r), None, _) => Some(Occurrence::RatePerYear(r)),
        (_, _, Some(_), Some(_)) => {
            cx.error(
                Some(&node.origin),
                path,
                "give probability or rate_per_year, not both",
            );
            None
        }
        (_, _, None, None) => {
            cx.error(Some(&node.origin), &format!("{path}.probability"), "is required: give probability (once in the horizon, within [0, 1]) or rate_per_year");
            None
        }
        _ => None,
    }
}

/// The fractions of `supply` (`key` = "supply") or `substitute` capacity
/// lost, by index into `known` (the ids of that kind).
fn read_effects(
    f: &mut Fields<'_>,
    cx: &mut Cx,
    key: &'static str,
    known: &[&str],
) -> Vec<(usize, DistSpec)> {
    let Some(table) = f.get(key) else {
        return Vec::new();
    };
    let epath = f.path(key);
    let Some(entries) = table.as_table() else {
        cx.error(
            Some(&table.origin),
            &epath,
            format!(
                "must be a table of {key} ids to fractions, e.g. {{ {} = 1.0 }}",
                known.first().unwrap_or(&"id")
            ),
        );
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|(target, value)| {
            let fpath = format!("{epath}.{target}");
            let Some(index) = known.iter().position(|k| k == target) else {
                let kind = if key == "supply" {
                    "supplier"
                } else {
                    "substitute"
                };
                let hint = match suggest(target, known) {
                    Some(h) => format!(" (did you mean `{h}`?)"),
                    None if known.is_empty() => format!("; there are no {kind}s"),
                    None => format!("; {kind} ids: {}", known.join(", ")),
                };
                cx.error(
                    Some(&value.origin),
                    &fpath,
                    format!("no {kind} has id \"{target}\"{hint}"),
                );
                return None;
            };
            let d = dist(cx, value, &fpath)?;
            if let DistSpec::Fixed { value: v } = d {
                if !(0.0..=1.0).contains(&v) {
                    cx.error(
                        Some(&value.origin),
                        &fpath,
                        format!("must be a fraction within [0, 1], got {v}"),
                    );
                }
            }
            Some((index, d))
        })
        .collect()
}
