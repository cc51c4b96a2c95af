//! Distributions: a bare number (fixed) or an inline table tagged by `dist`.

use super::{Cx, Fields, number, numbers, quoted};
use crate::dist::{DIST_KINDS, DistSpec};
use crate::scenario::raw::{Node, Value};

/// A distribution: a bare number (fixed) or an inline table tagged by `dist`.
pub(in crate::scenario::validate) fn dist(
    cx: &mut Cx,
    node: &Node,
    path: &str,
) -> Option<DistSpec> {
    let spec = match &node.value {
        Value::Int(_) | Value::Float(_) => DistSpec::Fixed {
            value: number(cx, node, path)?,
        },
        Value::Table(_) => dist_table(cx, node, path)?,
        other => {
            cx.error(
                Some(&node.origin),
                path,
                format!("must be a number or a distribution table like {{ dist = \"uniform\", min = 1, max = 2 }}, not {}", other.type_name()),
            );
            return None;
        }
    };
    if let Err(message) = spec.check() {
        cx.error(Some(&node.origin), path, message);
        return None;
    }
    Some(spec)
}

/// A distribution table: its `dist` kind and the parameters of that kind.
fn dist_table(cx: &mut Cx, node: &Node, path: &str) -> Option<DistSpec> {
    let mut f = Fields::new(cx, node, path)?;
    let kinds: Vec<&'static str> = DIST_KINDS.iter().map(|(k, _)| *k).collect();
    let Some(kind) = f.choice(cx, "dist", &kinds) else {
        if node.get("dist").is_none() {
            cx.error(
                Some(&node.origin),
                path,
                format!(
                    "a distribution table needs `dist`, one of {}",
                    quoted(&kinds)
                ),
            );
        }
        return None;
    };
    let spec = read_params(cx, &mut f, node, kind);
    f.finish(cx);
    spec
}

/// The parameters of a `dist = kind` table; a missing one is reported
/// against the table.
fn read_params(cx: &mut Cx, f: &mut Fields<'_>, node: &Node, kind: &str) -> Option<DistSpec> {
    let params = DIST_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, p)| *p)
        .unwrap_or(&[]);
    let req = |f: &mut Fields<'_>, cx: &mut Cx, key: &'static str| -> Option<f64> {
        if f.node.get(key).is_none() {
            cx.error(
                Some(&node.origin),
                &f.path(key),
                format!(
                    "is required for dist = \"{kind}\" (parameters: {})",
                    params.join(", ")
                ),
            );
            f.known.push(key);
            return None;
        }
        f.number(cx, key)
    };
    match kind {
        "fixed" => req(f, cx, "value").map(|value| DistSpec::Fixed { value }),
        "uniform" => zip2(req(f, cx, "min"), req(f, cx, "max"))
            .map(|(min, max)| DistSpec::Uniform { min, max }),
        "normal" => {
            let ms = zip2(req(f, cx, "mean"), req(f, cx, "sd"));
            let min = f.number(cx, "min");
            let max = f.number(cx, "max");
            ms.map(|(mean, sd)| DistSpec::Normal { mean, sd, min, max })
        }
        "lognormal" => zip2(req(f, cx, "median"), req(f, cx, "sigma"))
            .map(|(median, sigma)| DistSpec::Lognormal { median, sigma }),
        "exponential" => req(f, cx, "mean").map(|mean| DistSpec::Exponential { mean }),
        "triangular" | "pert" => {
            let (a, b, c) = (req(f, cx, "min"), req(f, cx, "mode"), req(f, cx, "max"));
            match (a, b, c) {
                (Some(min), Some(mode), Some(max)) if kind == "pert" => {
                    Some(DistSpec::Pert { min, mode, max })
                }
                (Some(min), Some(mode), Some(max)) => Some(DistSpec::Triangular { min, mode, max }),
                _ => None,
            }
        }
        "beta" => zip2(req(f, cx, "alpha"), req(f, cx, "beta"))
            .map(|(alpha, beta)| DistSpec::Beta { alpha, beta }),
        "gamma" => zip2(req(f, cx, "shape"), req(f, cx, "scale"))
            .map(|(shape, scale)| DistSpec::Gamma { shape, scale }),
        "weibull" => zip2(req(f, cx, "shape"), req(f, cx, "scale"))
            .map(|(shape, scale)| DistSpec::Weibull { shape, scale }),
        "empirical" => {
            let values = match f.get("values") {
                Some(n) => numbers(cx, n, &f.path("values")),
                None => {
                    cx.error(
                        Some(&node.origin),
                        &f.path("values"),
                        "is required for dist = \"empirical\"",
                    );
                    None
                }
            };
            let weights = f.numbers(cx, "weights");
            values.map(|values| {
                let weights = weights.unwrap_or_else(|| vec![1.0; values.len()]);
                DistSpec::Empirical { values, weights }
            })
        }
        _ => None,
    }
}

fn zip2(a: Option<f64>, b: Option<f64>) -> Option<(f64, f64)> {
    Some((a?, b?))
}
