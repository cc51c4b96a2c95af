//! An `[[event]]` entry.

use super::fields::{Cx, Fields, check_reachable, dist, suggest};
use super::outage::{FRACTION, check_fixed_duration};
use super::types::{EventSpec, Occurrence};
use crate::dist::DistSpec;
use crate::scenario::raw::Node;

/// Reads the `[[event]]` entries; `suppliers` and `substitutes` are the ids
/// they may name. Then resolves `after`: the named event must exist, both
/// must use `probability`, and the chains must not loop.
pub(super) fn read_events(
    cx: &mut Cx,
    entries: &[(String, &Node)],
    suppliers: &[&str],
    substitutes: &[&str],
) -> Vec<EventSpec> {
    let mut events = Vec::with_capacity(entries.len());
    let mut afters = Vec::with_capacity(entries.len());
    for (id, node) in entries {
        if let Some((event, after)) = read_event(cx, node, id, suppliers, substitutes) {
            events.push(event);
            afters.push(after.map(|name| (name, *node)));
        }
    }
    let ids: Vec<&str> = entries.iter().map(|(id, _)| id.as_str()).collect();
    let read: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
    for (i, after) in afters.iter().enumerate() {
        let Some((name, node)) = after else { continue };
        let path = format!("event.{}.after", read[i]);
        let origin = node.get("after").map(|n| &n.origin);
        let Some(parent) = read.iter().position(|r| r == name) else {
            if !ids.contains(&name.as_str()) {
                let others: Vec<&str> = ids.iter().copied().filter(|x| *x != read[i]).collect();
                let hint = match suggest(name, &others) {
                    Some(h) => format!(" (did you mean `{h}`?)"),
                    None if others.is_empty() => "; there is no other event".to_string(),
                    None => format!("; event ids: {}", others.join(", ")),
                };
                cx.error(origin, &path, format!("no event has id \"{name}\"{hint}"));
            }
            // An event that exists but could not be read is reported on its own.
            continue;
        };
        if parent == i {
            cx.error(origin, &path, "an event cannot occur only after itself");
            continue;
        }
        if !matches!(events[i].occurrence, Occurrence::Probability(_)) {
            cx.error(
                origin,
                &path,
                "an event with `after` must use probability (a conditional probability), not rate_per_year",
            );
        }
        if !matches!(events[parent].occurrence, Occurrence::Probability(_)) {
            cx.error(
                origin,
                &path,
                format!("the named event \"{name}\" must use probability, not rate_per_year"),
            );
        }
        events[i].after = Some(parent);
    }
    // A cycle: following `after` from an event comes back to it. Reported
    // once, at the first event of the cycle in file order.
    let mut reported = vec![false; events.len()];
    for start in 0..events.len() {
        let mut chain = vec![start];
        let mut at = events[start].after;
        while let Some(next) = at {
            if next == start {
                if !chain.iter().any(|&c| reported[c]) {
                    chain.iter().for_each(|&c| reported[c] = true);
                    let names: Vec<&str> = chain
                        .iter()
                        .chain(std::iter::once(&start))
                        .map(|&c| events[c].id.as_str())
                        .collect();
                    let node = afters[start].as_ref().map(|(_, n)| *n);
                    cx.error(
                        node.and_then(|n| n.get("after")).map(|n| &n.origin),
                        &format!("event.{}.after", events[start].id),
                        format!("`after` makes a cycle: {}", names.join(" -> ")),
                    );
                }
                break;
            }
            if chain.contains(&next) || chain.len() > events.len() {
                break;
            }
            chain.push(next);
            at = events[next].after;
        }
    }
    events
}

/// Reads one `[[event]]`, with the id its `after` names, if any.
fn read_event(
    cx: &mut Cx,
    node: &Node,
    id: &str,
    suppliers: &[&str],
    substitutes: &[&str],
) -> Option<(EventSpec, Option<String>)> {
    let path = format!("event.{id}");
    let mut f = Fields::new(cx, node, &path)?;
    f.get("id");
    let name = f.string(cx, "name").unwrap_or_else(|| id.to_string());
    let occurrence = read_occurrence(cx, &mut f, node, &path);
    let after = f.string(cx, "after");
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
    if let Some(d) = &demand {
        check_reachable(
            cx,
            node.get("demand"),
            &format!("{path}.demand"),
            d,
            (0.0, f64::INFINITY),
            ("a demand multiplier", ">= 0"),
        );
    }
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
    let event = EventSpec {
        id: id.into(),
        name,
        occurrence: occurrence?,
        after: None,
        start_day,
        duration_days,
        supply,
        substitute,
        demand,
    };
    Some((event, after))
}

/// The largest expected number of occurrences of a `rate_per_year` event
/// in one trial (`rate_per_year` × the horizon in years). Each occurrence
/// is drawn and laid down, so a larger mean would run for ever; and a
/// Poisson mean above about 1.8e19 cannot be sampled at all.
pub const MAX_EVENT_MEAN: f64 = 1e6;

/// Refuses a `rate_per_year` whose expected number of occurrences over the
/// horizon exceeds [`MAX_EVENT_MEAN`].
pub(super) fn check_event_counts(
    cx: &mut Cx,
    entries: &[(String, &Node)],
    events: &[EventSpec],
    horizon_years: f64,
) {
    for e in events {
        let Occurrence::RatePerYear(rate) = e.occurrence else {
            continue;
        };
        let mean = rate * horizon_years;
        if mean <= MAX_EVENT_MEAN {
            continue;
        }
        let node = entries.iter().find(|(id, _)| *id == e.id).map(|(_, n)| *n);
        cx.error(
            node.and_then(|n| n.get("rate_per_year")).map(|n| &n.origin),
            &format!("event.{}.rate_per_year", e.id),
            format!(
                "gives {mean:e} occurrences expected in one trial ({rate} per year over {horizon_years} years); at most {MAX_EVENT_MEAN:e} are allowed"
            ),
        );
    }
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
            check_reachable(cx, Some(value), &fpath, &d, (0.0, 1.0), FRACTION);
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
