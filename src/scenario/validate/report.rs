//! `[report]`: the titles and source lines of a run's charts (an extension
//! of SCENARIO.md; the simulation does not read it).

use std::collections::BTreeMap;

use super::fields::{Cx, Fields, Sections};
use super::types::ReportSpec;
use crate::scenario::raw::Value;

/// The charts a `[report.titles]` table may name, by file stem.
pub const CHART_STEMS: [&str; 5] = [
    "shortfall_distribution",
    "exceedance",
    "storage_fan",
    "shortfall_over_time",
    "lost_supply",
];

/// Reads `[report] sources = ["...", ...]` and `[report.titles]` (a title
/// per chart, keyed by the chart's file stem).
pub(super) fn read_report(cx: &mut Cx, sections: &Sections<'_>) -> ReportSpec {
    let mut out = ReportSpec::default();
    let Some(node) = sections.get("report") else {
        return out;
    };
    let Some(mut f) = Fields::new(cx, node, "report") else {
        return out;
    };
    if let Some(list) = f.get("sources") {
        match &list.value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    match &item.value {
                        Value::Str(s) if !s.trim().is_empty() => {
                            out.sources.push(s.trim().to_string());
                        }
                        _ => cx.error(
                            Some(&item.origin),
                            &format!("report.sources[{i}]"),
                            "must be a non-empty string: one source of the scenario's data",
                        ),
                    }
                }
            }
            other => cx.error(
                Some(&list.origin),
                "report.sources",
                format!(
                    "must be an array of strings (one source each), not {}",
                    other.type_name()
                ),
            ),
        }
    }
    if let Some(titles) = f.get("titles") {
        if let Some(mut g) = Fields::new(cx, titles, "report.titles") {
            let mut given = BTreeMap::new();
            for stem in CHART_STEMS {
                if let Some(t) = g.string(cx, stem) {
                    if t.trim().is_empty() {
                        cx.error(
                            titles.get(stem).map(|n| &n.origin),
                            &format!("report.titles.{stem}"),
                            "must not be empty (leave it out for the default title)",
                        );
                    } else {
                        given.insert(stem.to_string(), t);
                    }
                }
            }
            g.finish_listing(cx);
            out.titles = given;
        }
    }
    f.finish_listing(cx);
    out
}
