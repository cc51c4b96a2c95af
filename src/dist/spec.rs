//! The distribution as a scenario writes it: the kinds and their parameters,
//! the checks, and the support, mean and survival function the model and the
//! reports use.

use statrs::distribution::{self as sd, ContinuousCDF};

/// A distribution as written in a scenario file (after parsing, before sampling).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "dist", rename_all = "lowercase")]
pub enum DistSpec {
    /// Always `value`.
    Fixed {
        /// The value.
        value: f64,
    },
    /// Uniform on `[min, max)`.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Normal, optionally truncated to `[min, max]` (truncated, not clamped).
    Normal {
        /// Mean (of the untruncated normal).
        mean: f64,
        /// Standard deviation (of the untruncated normal).
        sd: f64,
        /// Optional lower truncation point.
        min: Option<f64>,
        /// Optional upper truncation point.
        max: Option<f64>,
    },
    /// Log-normal with the given median (`exp(mu)`) and `sigma` of the log.
    Lognormal {
        /// Median, `exp(mu)`.
        median: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
    /// Exponential with the given mean.
    Exponential {
        /// The mean, `1 / rate`.
        mean: f64,
    },
    /// Triangular on `[min, max]` with peak at `mode`.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Peak.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// PERT (a scaled beta with shape 4) on `[min, max]` with the given mode.
    Pert {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// Beta on `[0, 1]`.
    Beta {
        /// First shape parameter.
        alpha: f64,
        /// Second shape parameter.
        beta: f64,
    },
    /// Gamma with `shape` and `scale` (mean `shape × scale`).
    Gamma {
        /// Shape `k`.
        shape: f64,
        /// Scale `θ`.
        scale: f64,
    },
    /// Weibull with `shape` and `scale`.
    Weibull {
        /// Shape `k`.
        shape: f64,
        /// Scale `λ`.
        scale: f64,
    },
    /// A discrete distribution over `values` with (unnormalised) `weights`.
    Empirical {
        /// The possible values.
        values: Vec<f64>,
        /// Their weights (equal when omitted in the file).
        weights: Vec<f64>,
    },
}

/// The parameter names each `dist` accepts (besides `dist` itself), in the
/// order documented.
pub const DIST_KINDS: [(&str, &[&str]); 11] = [
    ("fixed", &["value"]),
    ("uniform", &["min", "max"]),
    ("normal", &["mean", "sd", "min", "max"]),
    ("lognormal", &["median", "sigma"]),
    ("exponential", &["mean"]),
    ("triangular", &["min", "mode", "max"]),
    ("pert", &["min", "mode", "max"]),
    ("beta", &["alpha", "beta"]),
    ("gamma", &["shape", "scale"]),
    ("weibull", &["shape", "scale"]),
    ("empirical", &["values", "weights"]),
];

impl DistSpec {
    /// Checks the parameters; the error says what is allowed (the caller adds
    /// the field). A distribution that passes can be compiled into a sampler.
    pub fn check(&self) -> Result<(), String> {
        self.check_params()?;
        self.try_sampler().map(|_| ())
    }

    /// The parameters' own rules (signs, order, finiteness).
    fn check_params(&self) -> Result<(), String> {
        let finite = |name: &str, v: f64| {
            if v.is_finite() {
                Ok(())
            } else {
                Err(format!("{name} must be a finite number, got {v}"))
            }
        };
        let positive = |name: &str, v: f64| {
            finite(name, v)?;
            if v > 0.0 {
                Ok(())
            } else {
                Err(format!("{name} must be > 0, got {v}"))
            }
        };
        match self {
            DistSpec::Fixed { value } => finite("value", *value),
            DistSpec::Uniform { min, max } => {
                finite("min", *min)?;
                finite("max", *max)?;
                if min <= max {
                    Ok(())
                } else {
                    Err(format!("min must be <= max, got min {min} and max {max}"))
                }
            }
            DistSpec::Normal { mean, sd, min, max } => {
                finite("mean", *mean)?;
                positive("sd", *sd)?;
                if let Some(lo) = min {
                    finite("min", *lo)?;
                }
                if let Some(hi) = max {
                    finite("max", *hi)?;
                }
                if let (Some(lo), Some(hi)) = (min, max) {
                    if lo >= hi {
                        return Err(format!("min must be < max, got min {lo} and max {hi}"));
                    }
                }
                let (a, b) = standard_bounds(*mean, *sd, *min, *max);
                if truncated_mass(a, b) < 1e-12 {
                    return Err(format!(
                        "the truncation range [{}, {}] holds almost no probability (below 1e-12) of normal(mean {mean}, sd {sd})",
                        min.map_or("-inf".into(), |v| v.to_string()),
                        max.map_or("inf".into(), |v| v.to_string())
                    ));
                }
                Ok(())
            }
            DistSpec::Lognormal { median, sigma } => {
                positive("median", *median)?;
                positive("sigma", *sigma)
            }
            DistSpec::Exponential { mean } => positive("mean", *mean),
            DistSpec::Triangular { min, mode, max } | DistSpec::Pert { min, mode, max } => {
                finite("min", *min)?;
                finite("mode", *mode)?;
                finite("max", *max)?;
                if min < max && min <= mode && mode <= max {
                    Ok(())
                } else {
                    Err(format!(
                        "need min <= mode <= max and min < max, got min {min}, mode {mode}, max {max}"
                    ))
                }
            }
            DistSpec::Beta { alpha, beta } => {
                positive("alpha", *alpha)?;
                positive("beta", *beta)
            }
            DistSpec::Gamma { shape, scale } | DistSpec::Weibull { shape, scale } => {
                positive("shape", *shape)?;
                positive("scale", *scale)
            }
            DistSpec::Empirical { values, weights } => {
                if values.is_empty() {
                    return Err("values must not be empty".into());
                }
                if weights.len() != values.len() {
                    return Err(format!(
                        "weights must have one entry per value ({} values, {} weights)",
                        values.len(),
                        weights.len()
                    ));
                }
                for v in values {
                    finite("every value", *v)?;
                }
                for w in weights {
                    finite("every weight", *w)?;
                    if *w < 0.0 {
                        return Err(format!("weights must be >= 0, got {w}"));
                    }
                }
                if weights.iter().sum::<f64>() <= 0.0 {
                    return Err("weights must not all be 0".into());
                }
                Ok(())
            }
        }
    }

    /// The smallest and largest values the distribution can produce.
    pub fn support(&self) -> (f64, f64) {
        let inf = f64::INFINITY;
        match self {
            DistSpec::Fixed { value } => (*value, *value),
            DistSpec::Uniform { min, max }
            | DistSpec::Triangular { min, max, .. }
            | DistSpec::Pert { min, max, .. } => (*min, *max),
            DistSpec::Normal { min, max, .. } => (min.unwrap_or(-inf), max.unwrap_or(inf)),
            DistSpec::Lognormal { .. }
            | DistSpec::Exponential { .. }
            | DistSpec::Gamma { .. }
            | DistSpec::Weibull { .. } => (0.0, inf),
            DistSpec::Beta { .. } => (0.0, 1.0),
            DistSpec::Empirical { values, weights } => values
                .iter()
                .zip(weights)
                .filter(|(_, w)| **w > 0.0)
                .fold((inf, -inf), |(lo, hi), (v, _)| (lo.min(*v), hi.max(*v))),
        }
    }

    /// `P(X > x)`. Requires [`DistSpec::check`] to have passed.
    pub fn survival(&self, x: f64) -> f64 {
        match self {
            DistSpec::Fixed { value } => f64::from(u8::from(*value > x)),
            DistSpec::Uniform { min, max } => {
                if x < *min {
                    1.0
                } else if x >= *max {
                    0.0
                } else {
                    (max - x) / (max - min)
                }
            }
            DistSpec::Normal { mean, sd, min, max } => {
                let (a, b) = standard_bounds(*mean, *sd, *min, *max);
                let z = ((x - mean) / sd).clamp(a, b);
                if x < min.unwrap_or(f64::NEG_INFINITY) {
                    return 1.0;
                }
                truncated_mass(z, b) / truncated_mass(a, b)
            }
            DistSpec::Lognormal { median, sigma } => {
                if x <= 0.0 {
                    1.0
                } else {
                    std_normal().sf((x.ln() - median.ln()) / sigma)
                }
            }
            DistSpec::Exponential { mean } => {
                if x <= 0.0 {
                    1.0
                } else {
                    (-x / mean).exp()
                }
            }
            DistSpec::Triangular { min, mode, max } => {
                if x <= *min {
                    1.0
                } else if x >= *max {
                    0.0
                } else {
                    sd::Triangular::new(*min, *max, *mode).map_or(0.0, |d| d.sf(x))
                }
            }
            DistSpec::Pert { min, mode, max } => {
                let (alpha, beta) = pert_shapes(*min, *mode, *max);
                let u = (x - min) / (max - min);
                beta_sf(alpha, beta, u)
            }
            DistSpec::Beta { alpha, beta } => beta_sf(*alpha, *beta, x),
            DistSpec::Gamma { shape, scale } => {
                if x <= 0.0 {
                    1.0
                } else {
                    sd::Gamma::new(*shape, 1.0 / scale).map_or(0.0, |d| d.sf(x))
                }
            }
            DistSpec::Weibull { shape, scale } => {
                if x <= 0.0 {
                    1.0
                } else {
                    (-(x / scale).powf(*shape)).exp()
                }
            }
            DistSpec::Empirical { values, weights } => {
                let total: f64 = weights.iter().sum();
                values
                    .iter()
                    .zip(weights)
                    .filter(|(v, _)| **v > x)
                    .map(|(_, w)| w)
                    .sum::<f64>()
                    / total
            }
        }
    }

    /// The `p`-quantile (0 < p < 1): the smallest x with P(X <= x) >= p,
    /// found by bisection on [`DistSpec::survival`] (to a relative 1e-12 of
    /// the bracket). A normal's `min`/`max` truncation is honoured.
    pub fn quantile(&self, p: f64) -> f64 {
        let target = 1.0 - p;
        let (lo, hi) = self.support();
        let centre = self.mean();
        let scale = centre.abs().max(1.0);
        // A bracket [a, b] with survival(a) > target >= survival(b).
        let mut a = if lo.is_finite() {
            lo - scale * 1e-12
        } else {
            centre - scale
        };
        let mut width = scale;
        while !lo.is_finite() && self.survival(a) <= target && width < 1e300 {
            a -= width;
            width *= 2.0;
        }
        let mut b = if hi.is_finite() { hi } else { centre + scale };
        let mut width = scale;
        while !hi.is_finite() && self.survival(b) > target && width < 1e300 {
            b += width;
            width *= 2.0;
        }
        for _ in 0..200 {
            let m = 0.5 * (a + b);
            if m <= a || m >= b {
                break;
            }
            if self.survival(m) > target {
                a = m;
            } else {
                b = m;
            }
        }
        b
    }

    /// The mean of the distribution (of the truncated normal where truncated).
    pub fn mean(&self) -> f64 {
        match self {
            DistSpec::Fixed { value } => *value,
            DistSpec::Uniform { min, max } => 0.5 * (min + max),
            DistSpec::Normal { mean, sd, min, max } => {
                let (a, b) = standard_bounds(*mean, *sd, *min, *max);
                let phi = |z: f64| {
                    if z.is_finite() {
                        (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
                    } else {
                        0.0
                    }
                };
                mean + sd * (phi(a) - phi(b)) / truncated_mass(a, b)
            }
            DistSpec::Lognormal { median, sigma } => median * (0.5 * sigma * sigma).exp(),
            DistSpec::Exponential { mean } => *mean,
            DistSpec::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            DistSpec::Pert { min, mode, max } => (min + 4.0 * mode + max) / 6.0,
            DistSpec::Beta { alpha, beta } => alpha / (alpha + beta),
            DistSpec::Gamma { shape, scale } => shape * scale,
            DistSpec::Weibull { shape, scale } => {
                scale * statrs::function::gamma::gamma(1.0 + 1.0 / shape)
            }
            DistSpec::Empirical { values, weights } => {
                let total: f64 = weights.iter().sum();
                values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total
            }
        }
    }
}

pub(super) fn std_normal() -> sd::Normal {
    sd::Normal::standard()
}

/// Standardised truncation bounds `((min-mean)/sd, (max-mean)/sd)`, infinite when absent.
pub(super) fn standard_bounds(
    mean: f64,
    sd: f64,
    min: Option<f64>,
    max: Option<f64>,
) -> (f64, f64) {
    (
        min.map_or(f64::NEG_INFINITY, |v| (v - mean) / sd),
        max.map_or(f64::INFINITY, |v| (v - mean) / sd),
    )
}

/// `Φ(b) - Φ(a)`, computed on the side of the distribution where it is accurate.
pub(super) fn truncated_mass(a: f64, b: f64) -> f64 {
    let n = std_normal();
    if a > 0.0 {
        n.sf(a) - n.sf(b)
    } else {
        n.cdf(b) - n.cdf(a)
    }
}

fn pert_shapes(min: f64, mode: f64, max: f64) -> (f64, f64) {
    let range = max - min;
    (
        1.0 + 4.0 * (mode - min) / range,
        1.0 + 4.0 * (max - mode) / range,
    )
}

fn beta_sf(alpha: f64, beta: f64, u: f64) -> f64 {
    if u <= 0.0 {
        1.0
    } else if u >= 1.0 {
        0.0
    } else {
        sd::Beta::new(alpha, beta).map_or(0.0, |d| d.sf(u))
    }
}

#[cfg(test)]
mod tests {
    /// Quantiles against closed forms: uniform, exponential, empirical steps,
    /// and a lognormal's median.
    #[test]
    fn quantiles_by_bisection() {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
        let u = DistSpec::Uniform { min: 2.0, max: 6.0 };
        assert!(close(u.quantile(0.1), 2.4) && close(u.quantile(0.9), 5.6));
        let e = DistSpec::Exponential { mean: 10.0 };
        assert!(close(e.quantile(0.9), -10.0 * 0.1f64.ln()));
        let l = DistSpec::Lognormal {
            median: 45.0,
            sigma: 1.2,
        };
        assert!(close(l.quantile(0.5), 45.0));
        let emp = DistSpec::Empirical {
            values: vec![21.0, 36.0],
            weights: vec![14.0, 24.0],
        };
        assert!(close(emp.quantile(0.1), 21.0) && close(emp.quantile(0.9), 36.0));
        assert!(close(DistSpec::Fixed { value: 3.0 }.quantile(0.9), 3.0));
    }

    use super::*;

    #[test]
    fn checks_name_the_parameter() {
        let e = DistSpec::Lognormal {
            median: 3.0,
            sigma: 0.0,
        }
        .check()
        .unwrap_err();
        assert!(e.contains("sigma must be > 0"), "{e}");
        assert!(
            DistSpec::Triangular {
                min: 3.0,
                mode: 1.0,
                max: 4.0
            }
            .check()
            .is_err()
        );
        assert!(
            DistSpec::Normal {
                mean: 0.0,
                sd: 1.0,
                min: Some(40.0),
                max: None
            }
            .check()
            .is_err()
        );
    }
}
