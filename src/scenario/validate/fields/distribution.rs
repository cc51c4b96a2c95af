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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Location, Problem};
    use crate::scenario::raw::parse;

    /// Reads `d = VALUE` (on line 1 of f.toml) as a distribution at `x.d`.
    fn read(value: &str) -> (Option<DistSpec>, Vec<Problem>) {
        let root = parse(&format!("d = {value}\n"), "f.toml").expect("valid TOML");
        let mut cx = Cx::default();
        let spec = dist(&mut cx, root.get("d").unwrap(), "x.d");
        (spec, cx.problems)
    }

    fn at(column: usize) -> Location {
        Location::File {
            file: "f.toml".into(),
            line: 1,
            column,
        }
    }

    /// The single problem, or a panic listing them all.
    fn only(problems: &[Problem]) -> &Problem {
        assert_eq!(problems.len(), 1, "{problems:#?}");
        &problems[0]
    }

    #[test]
    fn a_bare_number_is_fixed() {
        assert_eq!(read("2").0, Some(DistSpec::Fixed { value: 2.0 }));
        assert_eq!(read("0.5").0, Some(DistSpec::Fixed { value: 0.5 }));
    }

    #[test]
    fn tables_read_each_kind() {
        let (spec, problems) = read("{ dist = \"uniform\", min = 1, max = 2 }");
        assert!(problems.is_empty(), "{problems:#?}");
        assert_eq!(spec, Some(DistSpec::Uniform { min: 1.0, max: 2.0 }));
        let (spec, _) = read("{ dist = \"normal\", mean = 1, sd = 0.5, min = 0 }");
        assert_eq!(
            spec,
            Some(DistSpec::Normal {
                mean: 1.0,
                sd: 0.5,
                min: Some(0.0),
                max: None
            })
        );
        let (spec, _) = read("{ dist = \"pert\", min = 1, mode = 2, max = 4 }");
        assert_eq!(
            spec,
            Some(DistSpec::Pert {
                min: 1.0,
                mode: 2.0,
                max: 4.0
            })
        );
        let (spec, _) = read("{ dist = \"empirical\", values = [1, 2] }");
        assert_eq!(
            spec,
            Some(DistSpec::Empirical {
                values: vec![1.0, 2.0],
                weights: vec![1.0, 1.0]
            })
        );
    }

    #[test]
    fn unknown_kind_lists_the_kinds_and_suggests_one() {
        let (spec, problems) = read("{ dist = \"normla\", mean = 1, sd = 1 }");
        assert_eq!(spec, None);
        // Only the kind is reported, not the parameters it would have had.
        let p = only(&problems);
        assert_eq!((p.field.as_str(), &p.location), ("x.d.dist", &at(14)));
        assert!(
            p.message
                .starts_with("must be one of \"fixed\", \"uniform\", \"normal\","),
            "{}",
            p.message
        );
        assert!(
            p.message
                .ends_with("\"empirical\", got \"normla\" (did you mean \"normal\"?)"),
            "{}",
            p.message
        );
    }

    #[test]
    fn missing_kind_is_reported_against_the_table() {
        let (spec, problems) = read("{ mean = 1 }");
        assert_eq!(spec, None);
        let p = only(&problems);
        assert_eq!((p.field.as_str(), &p.location), ("x.d", &at(5)));
        assert!(
            p.message
                .starts_with("a distribution table needs `dist`, one of \"fixed\", \"uniform\""),
            "{}",
            p.message
        );
    }

    #[test]
    fn missing_parameter_names_the_parameters_of_the_kind() {
        let (spec, problems) = read("{ dist = \"normal\", mean = 1 }");
        assert_eq!(spec, None);
        let p = only(&problems);
        assert_eq!((p.field.as_str(), &p.location), ("x.d.sd", &at(5)));
        assert_eq!(
            p.message,
            "is required for dist = \"normal\" (parameters: mean, sd, min, max)"
        );
        let (_, problems) = read("{ dist = \"empirical\", weights = [1] }");
        let p = only(&problems);
        assert_eq!(p.field, "x.d.values");
        assert_eq!(p.message, "is required for dist = \"empirical\"");
    }

    #[test]
    fn bad_parameter_is_reported_where_it_is() {
        let (spec, problems) = read("{ dist = \"uniform\", min = \"a\", max = 2 }");
        assert_eq!(spec, None);
        let p = only(&problems);
        assert_eq!((p.field.as_str(), &p.location), ("x.d.min", &at(31)));
        assert_eq!(p.message, "must be a number, not a string");
    }

    #[test]
    fn parameter_of_another_kind_is_an_unknown_key() {
        let (spec, problems) = read("{ dist = \"uniform\", min = 1, max = 2, sd = 3 }");
        // The distribution is still read; the problem fails the file.
        assert_eq!(spec, Some(DistSpec::Uniform { min: 1.0, max: 2.0 }));
        let p = only(&problems);
        assert_eq!((p.field.as_str(), &p.location), ("x.d.sd", &at(48)));
        assert_eq!(p.message, "unknown key `sd`; allowed here: dist, min, max");
    }

    #[test]
    fn impossible_parameters_are_reported_against_the_value() {
        let (spec, problems) = read("{ dist = \"lognormal\", median = 1, sigma = 0 }");
        assert_eq!(spec, None);
        let p = only(&problems);
        assert_eq!((p.field.as_str(), &p.location), ("x.d", &at(5)));
        assert!(p.message.contains("sigma must be > 0"), "{}", p.message);
    }

    #[test]
    fn other_types_show_an_example() {
        let (spec, problems) = read("\"fixed\"");
        assert_eq!(spec, None);
        let p = only(&problems);
        assert_eq!((p.field.as_str(), &p.location), ("x.d", &at(5)));
        assert_eq!(
            p.message,
            "must be a number or a distribution table like { dist = \"uniform\", min = 1, max = 2 }, not a string"
        );
    }
}
