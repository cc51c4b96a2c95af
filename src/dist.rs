//! Distributions: the typed specification read from a scenario, its checks,
//! and the compiled sampler the engine draws from.
//!
//! A scenario names a distribution with an inline table tagged by `dist`, or
//! with a bare number (a fixed value). Parameters are checked once, when the
//! model is built ([`DistSpec::check`]); sampling never fails.

use rand::Rng;
use rand_distr::weighted::WeightedAliasIndex;
use rand_distr::{
    Beta, Distribution, Exp, Gamma, LogNormal, Normal, Pert, Triangular, Uniform, Weibull,
};
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

/// Converts a duration in days to (fractional) steps: `days × steps_per_year / 365`.
///
/// Multiplying first keeps whole numbers whole (1 day is exactly 24 hourly
/// steps), which `days / (365 / steps_per_year)` would not.
pub fn days_to_steps(days: f64, steps_per_year: f64) -> f64 {
    days * steps_per_year / 365.0
}

/// The discretised duration `max(1, ceil(days / step_days))`, in steps, as a float.
pub fn duration_steps(days: f64, steps_per_year: f64) -> f64 {
    let s = days_to_steps(days, steps_per_year).ceil();
    if s >= 1.0 { s } else { 1.0 }
}

impl DistSpec {
    /// Checks the parameters; the error says what is allowed (the caller adds the field).
    pub fn check(&self) -> Result<(), String> {
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

    /// The mean of the discretised duration `max(1, ceil(X / step_days))` in
    /// steps, where `X` is this distribution in days.
    ///
    /// Closed form for fixed, exponential and empirical durations. Otherwise
    /// `E[D] = 1 + Σ_{k≥1} P(X > k·step_days)`: the first 200,000 terms are
    /// summed exactly; beyond that (only for durations of hundreds of thousands
    /// of steps, e.g. heavy tails at hourly steps) the remaining terms are
    /// replaced by their Euler–Maclaurin integral, whose error there is far
    /// below Monte Carlo noise.
    pub fn expected_duration_steps(&self, steps_per_year: f64) -> f64 {
        self.expected_duration_steps_with(steps_per_year, 200_000)
    }

    /// [`DistSpec::expected_duration_steps`] with the number of exactly summed terms given.
    pub fn expected_duration_steps_with(&self, steps_per_year: f64, exact_terms: u64) -> f64 {
        let step_days = 365.0 / steps_per_year;
        match self {
            DistSpec::Fixed { value } => duration_steps(*value, steps_per_year),
            DistSpec::Exponential { mean } => {
                // P(D >= k+1) = P(X > k s) = q^k, so E[D] = Σ_{k>=0} q^k.
                let q = (-step_days / mean).exp();
                1.0 / (1.0 - q)
            }
            DistSpec::Empirical { values, weights } => {
                let total: f64 = weights.iter().sum();
                values
                    .iter()
                    .zip(weights)
                    .map(|(v, w)| w * duration_steps(*v, steps_per_year))
                    .sum::<f64>()
                    / total
            }
            _ => {
                let (_, hi) = self.support();
                let mut sum = 1.0;
                for k in 1..=exact_terms {
                    let x = k as f64 * step_days;
                    if x >= hi {
                        return sum;
                    }
                    let term = self.survival(x);
                    if term < 1e-15 {
                        return sum;
                    }
                    sum += term;
                }
                // Σ_{k>K} f(k) ≈ ∫_K^∞ f − f(K)/2, with f(k) = P(X > k·s).
                let a = exact_terms as f64 * step_days;
                sum + self.survival_integral(a, hi) / step_days - self.survival(a) / 2.0
            }
        }
    }

    /// `∫_a^hi P(X > x) dx` for `a > 0`, by Simpson's rule in `v = ln(x / a)`.
    fn survival_integral(&self, a: f64, hi: f64) -> f64 {
        let v_max = if hi.is_finite() {
            (hi / a).ln().min(60.0)
        } else {
            60.0
        };
        let n = 6000usize; // even
        let h = v_max / n as f64;
        let g = |v: f64| {
            let x = a * v.exp();
            self.survival(x) * x
        };
        let mut total = g(0.0) + g(v_max);
        for i in 1..n {
            total += g(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        total * h / 3.0
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

    /// Compiles a sampler. Requires [`DistSpec::check`] to have passed.
    pub fn sampler(&self) -> Sampler {
        let fixed = |v: f64| Sampler::Fixed(v);
        match self {
            DistSpec::Fixed { value } => fixed(*value),
            DistSpec::Uniform { min, max } => {
                if min == max {
                    fixed(*min)
                } else {
                    Sampler::Uniform(Uniform::new(*min, *max).expect("checked"))
                }
            }
            DistSpec::Normal { mean, sd, min, max } => {
                if min.is_none() && max.is_none() {
                    Sampler::Normal(Normal::new(*mean, *sd).expect("checked"))
                } else {
                    Sampler::TruncatedNormal(TruncatedNormal::new(*mean, *sd, *min, *max))
                }
            }
            DistSpec::Lognormal { median, sigma } => {
                Sampler::LogNormal(LogNormal::new(median.ln(), *sigma).expect("checked"))
            }
            DistSpec::Exponential { mean } => Sampler::Exp(Exp::new(1.0 / mean).expect("checked")),
            DistSpec::Triangular { min, mode, max } => {
                Sampler::Triangular(Triangular::new(*min, *max, *mode).expect("checked"))
            }
            DistSpec::Pert { min, mode, max } => {
                Sampler::Pert(Pert::new(*min, *max).with_mode(*mode).expect("checked"))
            }
            DistSpec::Beta { alpha, beta } => {
                Sampler::Beta(Beta::new(*alpha, *beta).expect("checked"))
            }
            DistSpec::Gamma { shape, scale } => {
                Sampler::Gamma(Gamma::new(*shape, *scale).expect("checked"))
            }
            DistSpec::Weibull { shape, scale } => {
                Sampler::Weibull(Weibull::new(*scale, *shape).expect("checked"))
            }
            DistSpec::Empirical { values, weights } => {
                if values.len() == 1 {
                    fixed(values[0])
                } else {
                    Sampler::Empirical {
                        values: values.clone(),
                        index: WeightedAliasIndex::new(weights.clone()).expect("checked"),
                    }
                }
            }
        }
    }
}

fn std_normal() -> sd::Normal {
    sd::Normal::standard()
}

/// Standardised truncation bounds `((min-mean)/sd, (max-mean)/sd)`, infinite when absent.
fn standard_bounds(mean: f64, sd: f64, min: Option<f64>, max: Option<f64>) -> (f64, f64) {
    (
        min.map_or(f64::NEG_INFINITY, |v| (v - mean) / sd),
        max.map_or(f64::INFINITY, |v| (v - mean) / sd),
    )
}

/// `Φ(b) - Φ(a)`, computed on the side of the distribution where it is accurate.
fn truncated_mass(a: f64, b: f64) -> f64 {
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

/// A normal truncated to `[min, max]`: rejection from the full normal when
/// the range holds at least a quarter of the mass, otherwise inversion of the
/// CDF on the tail side where it is accurate.
#[derive(Debug, Clone)]
pub struct TruncatedNormal {
    mean: f64,
    sd: f64,
    a: f64,
    b: f64,
    rejection: bool,
    /// For inversion: CDF (or survival, on the upper side) at the bounds.
    lo: f64,
    hi: f64,
    upper_side: bool,
}

impl TruncatedNormal {
    fn new(mean: f64, sd: f64, min: Option<f64>, max: Option<f64>) -> TruncatedNormal {
        let (a, b) = standard_bounds(mean, sd, min, max);
        let n = std_normal();
        let upper_side = a > 0.0;
        let (lo, hi) = if upper_side {
            (n.sf(a), n.sf(b))
        } else {
            (n.cdf(a), n.cdf(b))
        };
        TruncatedNormal {
            mean,
            sd,
            a,
            b,
            rejection: truncated_mass(a, b) >= 0.25,
            lo,
            hi,
            upper_side,
        }
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        if self.rejection {
            loop {
                let z: f64 = rand_distr::StandardNormal.sample(rng);
                if z >= self.a && z <= self.b {
                    return self.mean + self.sd * z;
                }
            }
        }
        let u: f64 = rand::RngExt::random(rng);
        let p = self.lo + u * (self.hi - self.lo);
        let n = std_normal();
        let z = if self.upper_side {
            -n.inverse_cdf(p)
        } else {
            n.inverse_cdf(p)
        };
        self.mean + self.sd * z.clamp(self.a, self.b)
    }
}

/// A compiled distribution, ready to draw from.
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub enum Sampler {
    Fixed(f64),
    Uniform(Uniform<f64>),
    Normal(Normal<f64>),
    TruncatedNormal(TruncatedNormal),
    LogNormal(LogNormal<f64>),
    Exp(Exp<f64>),
    Triangular(Triangular<f64>),
    Pert(Pert<f64>),
    Beta(Beta<f64>),
    Gamma(Gamma<f64>),
    Weibull(Weibull<f64>),
    Empirical {
        values: Vec<f64>,
        index: WeightedAliasIndex<f64>,
    },
}

impl Sampler {
    /// Draws one value. A fixed value draws no random numbers.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Sampler::Fixed(v) => *v,
            Sampler::Uniform(d) => d.sample(rng),
            Sampler::Normal(d) => d.sample(rng),
            Sampler::TruncatedNormal(d) => d.sample(rng),
            Sampler::LogNormal(d) => d.sample(rng),
            Sampler::Exp(d) => d.sample(rng),
            Sampler::Triangular(d) => d.sample(rng),
            Sampler::Pert(d) => d.sample(rng),
            Sampler::Beta(d) => d.sample(rng),
            Sampler::Gamma(d) => d.sample(rng),
            Sampler::Weibull(d) => d.sample(rng),
            Sampler::Empirical { values, index } => values[index.sample(rng)],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn mc_mean(spec: &DistSpec, n: usize) -> (f64, f64) {
        let s = spec.sampler();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let xs: Vec<f64> = (0..n).map(|_| s.sample(&mut rng)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
        (m, (v / n as f64).sqrt())
    }

    #[test]
    fn sample_means_match_closed_forms() {
        let specs = [
            DistSpec::Uniform { min: 2.0, max: 5.0 },
            DistSpec::Normal {
                mean: 1.0,
                sd: 2.0,
                min: None,
                max: None,
            },
            DistSpec::Normal {
                mean: 0.0,
                sd: 1.0,
                min: Some(-0.5),
                max: Some(2.0),
            },
            DistSpec::Normal {
                mean: 0.0,
                sd: 1.0,
                min: Some(3.0),
                max: None,
            },
            DistSpec::Normal {
                mean: 0.0,
                sd: 1.0,
                min: None,
                max: Some(-4.0),
            },
            DistSpec::Lognormal {
                median: 30.0,
                sigma: 0.8,
            },
            DistSpec::Exponential { mean: 12.0 },
            DistSpec::Triangular {
                min: 1.0,
                mode: 2.0,
                max: 9.0,
            },
            DistSpec::Pert {
                min: 1.0,
                mode: 2.0,
                max: 9.0,
            },
            DistSpec::Beta {
                alpha: 2.0,
                beta: 5.0,
            },
            DistSpec::Gamma {
                shape: 2.5,
                scale: 3.0,
            },
            DistSpec::Weibull {
                shape: 1.5,
                scale: 10.0,
            },
            DistSpec::Empirical {
                values: vec![1.0, 4.0, 10.0],
                weights: vec![1.0, 2.0, 1.0],
            },
        ];
        for spec in &specs {
            spec.check().unwrap();
            let (m, se) = mc_mean(spec, 400_000);
            let exact = spec.mean();
            assert!(
                (m - exact).abs() < 4.0 * se,
                "{spec:?}: sample mean {m} vs {exact} (se {se})"
            );
        }
    }

    #[test]
    fn truncated_normal_stays_in_range() {
        let spec = DistSpec::Normal {
            mean: 0.0,
            sd: 1.0,
            min: Some(5.0),
            max: Some(5.5),
        };
        spec.check().unwrap();
        let s = spec.sampler();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        for _ in 0..10_000 {
            let x = s.sample(&mut rng);
            assert!((5.0..=5.5).contains(&x));
        }
    }

    #[test]
    fn survival_matches_sampling() {
        let specs = [
            DistSpec::Lognormal {
                median: 30.0,
                sigma: 1.0,
            },
            DistSpec::Pert {
                min: 1.0,
                mode: 2.0,
                max: 9.0,
            },
            DistSpec::Gamma {
                shape: 0.7,
                scale: 3.0,
            },
            DistSpec::Normal {
                mean: 10.0,
                sd: 5.0,
                min: Some(0.0),
                max: None,
            },
            DistSpec::Weibull {
                shape: 0.8,
                scale: 10.0,
            },
            DistSpec::Beta {
                alpha: 0.5,
                beta: 0.5,
            },
            DistSpec::Triangular {
                min: 0.0,
                mode: 1.0,
                max: 4.0,
            },
        ];
        for spec in &specs {
            let s = spec.sampler();
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
            let n = 200_000;
            let x = spec.mean();
            let hits = (0..n).filter(|_| s.sample(&mut rng) > x).count() as f64 / n as f64;
            let p = spec.survival(x);
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!(
                (hits - p).abs() < 4.5 * se + 1e-12,
                "{spec:?}: {hits} vs {p}"
            );
        }
    }

    #[test]
    fn expected_duration_steps_against_enumeration() {
        // Uniform(0, 10) days, daily steps: D = max(1, ceil(X)); E[D] = 1*0.1 + Σ_{k=2}^{10} k*0.1 = 5.5
        let u = DistSpec::Uniform {
            min: 0.0,
            max: 10.0,
        };
        assert!((u.expected_duration_steps(365.0) - 5.5).abs() < 1e-12);
        // Exponential: closed form equals the series.
        let e = DistSpec::Exponential { mean: 3.0 };
        let series: f64 = 1.0 + (1..10_000).map(|k| (-(k as f64) / 3.0).exp()).sum::<f64>();
        assert!((e.expected_duration_steps(365.0) - series).abs() < 1e-9);
        // Fixed 30 days, weekly steps (7.02 days): ceil(30*52/365) = ceil(4.27) = 5.
        assert_eq!(
            DistSpec::Fixed { value: 30.0 }.expected_duration_steps(52.0),
            5.0
        );
        // One day is exactly 24 hourly steps.
        assert_eq!(duration_steps(1.0, 8760.0), 24.0);
        // The integral tail agrees with brute-force summation.
        for spec in [
            DistSpec::Lognormal {
                median: 300.0,
                sigma: 1.5,
            },
            DistSpec::Gamma {
                shape: 0.5,
                scale: 400.0,
            },
            DistSpec::Weibull {
                shape: 0.6,
                scale: 200.0,
            },
            DistSpec::Normal {
                mean: 500.0,
                sd: 300.0,
                min: Some(0.0),
                max: None,
            },
        ] {
            let brute = spec.expected_duration_steps_with(365.0, 50_000_000);
            let tail = spec.expected_duration_steps_with(365.0, 2_000);
            assert!(
                (brute - tail).abs() < 1e-6 * brute,
                "{spec:?}: {brute} vs {tail}"
            );
        }
        // Lognormal: compare with Monte Carlo.
        let l = DistSpec::Lognormal {
            median: 5.0,
            sigma: 0.7,
        };
        let s = l.sampler();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let n = 400_000;
        let xs: Vec<f64> = (0..n)
            .map(|_| duration_steps(s.sample(&mut rng), 365.0))
            .collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let sd = (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
        let exact = l.expected_duration_steps(365.0);
        assert!(
            (m - exact).abs() < 4.0 * sd / (n as f64).sqrt(),
            "{m} vs {exact}"
        );
    }

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
