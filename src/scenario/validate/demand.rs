//! The `[demand]` and `[storage]` sections.

use super::fields::{Cx, Fields, Sections, check_reachable};
use super::types::{DemandBase, Noise};
use crate::dist::DistSpec;
use crate::scenario::raw::Node;

/// What `[demand]` says.
pub(super) struct Demand {
    /// `None` when missing or invalid (reported).
    pub(super) base: Option<DemandBase>,
    pub(super) level: DistSpec,
    pub(super) noise: Option<Noise>,
}

/// Reads `[demand]`; `steps` is the number of steps (or the default when
/// `time.steps` is invalid).
pub(super) fn read_demand(cx: &mut Cx, sections: &Sections<'_>, steps: usize) -> Demand {
    let demand_node = sections.table("demand");
    if sections.get("demand").is_none() {
        cx.error(
            None,
            "demand",
            "is required: give [demand] with annual, per_step or per_step_csv",
        );
    }
    let mut f = Fields::of(sections.read(cx, "demand"), "demand");
    let annual = f.non_negative(cx, "annual");
    let per_step = f.numbers(cx, "per_step");
    f.get("per_step_csv"); // already inlined into per_step
    let seasonality = f.numbers(cx, "seasonality");
    let level = f
        .dist(cx, "level")
        .unwrap_or(DistSpec::Fixed { value: 1.0 });
    let level_node = demand_node.and_then(|n| n.get("level"));
    let range = (0.0, f64::INFINITY);
    let what = ("a demand multiplier", ">= 0");
    check_reachable(cx, level_node, "demand.level", &level, range, what);
    if let (DistSpec::Fixed { value }, Some(n)) = (&level, level_node) {
        if *value < 0.0 {
            let message = format!("a demand multiplier must be >= 0, got {value}");
            cx.error(Some(&n.origin), "demand.level", message);
        }
    }
    let noise = f.get("noise").and_then(|n| read_noise(cx, n));
    let base = demand_base(cx, demand_node, annual, per_step, seasonality, steps);
    f.finish(cx);
    Demand { base, level, noise }
}

fn read_noise(cx: &mut Cx, n: &Node) -> Option<Noise> {
    let mut g = Fields::new(cx, n, "demand.noise")?;
    let sd = g.non_negative(cx, "sd");
    if n.get("sd").is_none() {
        cx.error(
            Some(&n.origin),
            "demand.noise.sd",
            "is required (standard deviation of the noise, >= 0)",
        );
    }
    let phi = g.number(cx, "autocorrelation").unwrap_or(0.0);
    if !(-1.0..=1.0).contains(&phi) {
        cx.error(
            n.get("autocorrelation").map(|x| &x.origin),
            "demand.noise.autocorrelation",
            format!("must be within [-1, 1], got {phi}"),
        );
    }
    g.finish(cx);
    Some(Noise {
        sd: sd?,
        autocorrelation: phi,
    })
}

/// Checks that exactly one of `annual` and `per_step` is given and fits.
fn demand_base(
    cx: &mut Cx,
    demand_node: Option<&Node>,
    annual: Option<f64>,
    per_step: Option<Vec<f64>>,
    seasonality: Option<Vec<f64>>,
    steps_ok: usize,
) -> Option<DemandBase> {
    let demand_origin = demand_node.map(|n| &n.origin);
    let demand_at = |key: &str| {
        demand_node
            .and_then(|n| n.get(key))
            .map(|n| &n.origin)
            .or(demand_origin)
    };
    match (annual, per_step) {
        (Some(annual), None) => {
            if let Some(w) = &seasonality {
                if w.len() != 12 || w.iter().any(|x| *x < 0.0) || w.iter().sum::<f64>() <= 0.0 {
                    cx.error(
                        demand_origin,
                        "demand.seasonality",
                        format!(
                            "must be 12 monthly weights >= 0, not all 0 (got {} values)",
                            w.len()
                        ),
                    );
                }
            }
            Some(DemandBase::Annual {
                annual,
                seasonality,
            })
        }
        (None, Some(values)) => {
            if seasonality.is_some() {
                cx.error(demand_at("seasonality"), "demand.seasonality", "applies only with demand.annual (per_step values are already volumes per step)");
            }
            if values.len() != steps_ok {
                cx.error(
                    demand_origin,
                    "demand.per_step",
                    format!(
                        "must have one value per step: time.steps is {steps_ok}, got {} values",
                        values.len()
                    ),
                );
            }
            if let Some(v) = values.iter().find(|v| **v < 0.0) {
                cx.error(
                    demand_origin,
                    "demand.per_step",
                    format!("values must be >= 0, got {v}"),
                );
            }
            Some(DemandBase::PerStep(values))
        }
        (Some(_), Some(_)) => {
            cx.error(
                demand_origin,
                "demand",
                "give one of annual, per_step or per_step_csv, not several",
            );
            None
        }
        (None, None) => {
            if demand_node.is_some() && cx.problems.iter().all(|p| !p.field.starts_with("demand."))
            {
                cx.error(demand_origin, "demand", "needs annual (unit/yr), per_step (one value per step) or per_step_csv (a file)");
            }
            None
        }
    }
}

/// What `[storage]` says.
pub(super) struct Storage {
    pub(super) capacity: f64,
    pub(super) minimum: f64,
    pub(super) initial: DistSpec,
}

/// Reads `[storage]`; without it there is no storage (capacity 0).
pub(super) fn read_storage(cx: &mut Cx, sections: &Sections<'_>) -> Storage {
    let storage_node = sections.table("storage");
    let mut f = Fields::of(sections.read(cx, "storage"), "storage");
    let capacity = f.non_negative(cx, "capacity").unwrap_or(0.0);
    let minimum = f.non_negative(cx, "minimum").unwrap_or(0.0);
    let initial_node = f.get("initial");
    let initial = f.dist(cx, "initial");
    f.finish(cx);
    let storage_origin = storage_node.map(|n| &n.origin);
    if minimum > capacity {
        cx.error(
            storage_origin,
            "storage.minimum",
            format!("must be <= storage.capacity ({capacity}), got {minimum}"),
        );
    }
    let initial = match initial {
        Some(DistSpec::Fixed { value }) if value < minimum || value > capacity => {
            cx.error(
                initial_node.map(|n| &n.origin),
                "storage.initial",
                format!(
                    "must lie within [minimum, capacity] = [{minimum}, {capacity}], got {value}"
                ),
            );
            DistSpec::Fixed { value: minimum }
        }
        // A drawn initial level is clamped to [minimum, capacity] (the
        // contract), even when all of it lies outside: a sweep of the
        // minimum or the capacity (down to no storage) keeps its file's
        // distribution.
        Some(d) => d,
        None if capacity > 0.0 && initial_node.is_none() => {
            cx.error(storage_origin, "storage.initial", "is required when storage.capacity > 0 (a number or a distribution within [minimum, capacity])");
            DistSpec::Fixed { value: minimum }
        }
        None => DistSpec::Fixed { value: minimum },
    };
    Storage {
        capacity,
        minimum,
        initial,
    }
}
