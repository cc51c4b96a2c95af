//! The `outage` table of a supplier or substitute, and the checks shared
//! with events.

use super::fields::{Cx, Fields, check_reachable};
use super::types::{InitialState, OutageSpec};
use crate::dist::DistSpec;
use crate::scenario::raw::Node;

pub(super) fn read_outage(
    cx: &mut Cx,
    f: &mut Fields<'_>,
    initial: InitialState,
) -> Option<OutageSpec> {
    let node = f.get("outage")?;
    let path = f.path("outage");
    let mut g = Fields::new(cx, node, &path)?;
    let rate = g
        .required(cx, "rate_per_year", "outages per year, >= 0")
        .and_then(|_| g.non_negative(cx, "rate_per_year"));
    let duration = g
        .required(cx, "duration_days", "a number or distribution of days")
        .and_then(|_| g.dist(cx, "duration_days"));
    check_fixed_duration(
        cx,
        node.get("duration_days"),
        &format!("{path}.duration_days"),
        duration.as_ref(),
    );
    let loss = g.dist(cx, "loss").unwrap_or(DistSpec::Fixed { value: 1.0 });
    check_reachable(
        cx,
        node.get("loss"),
        &format!("{path}.loss"),
        &loss,
        (0.0, 1.0),
        FRACTION,
    );
    if let DistSpec::Fixed { value } = loss {
        if !(0.0..=1.0).contains(&value) {
            cx.error(
                node.get("loss").map(|n| &n.origin),
                &format!("{path}.loss"),
                format!("must be a fraction within [0, 1], got {value}"),
            );
        }
    }
    g.finish(cx);
    Some(OutageSpec {
        rate_per_year: rate?,
        duration_days: duration?,
        loss,
        initial,
    })
}

/// A fraction, within [0, 1], for [`check_reachable`].
pub(super) const FRACTION: (&str, &str) = ("a fraction", "within [0, 1]");

/// A fixed duration must be >= 0 days (drawn durations are floored at one
/// step), and a drawn one must be able to reach 0 or more.
pub(super) fn check_fixed_duration(
    cx: &mut Cx,
    node: Option<&Node>,
    path: &str,
    d: Option<&DistSpec>,
) {
    if let Some(d) = d {
        let range = (0.0, f64::INFINITY);
        check_reachable(cx, node, path, d, range, ("a duration in days", ">= 0"));
    }
    if let (Some(n), Some(DistSpec::Fixed { value })) = (node, d) {
        if *value < 0.0 {
            cx.error(
                Some(&n.origin),
                path,
                format!("a duration in days must be >= 0, got {value}"),
            );
        }
    }
}

pub(super) fn read_initial(cx: &mut Cx, f: &mut Fields<'_>) -> InitialState {
    match f.choice(cx, "initial", &["stationary", "up"]) {
        Some("up") => InitialState::Up,
        _ => InitialState::Stationary,
    }
}
