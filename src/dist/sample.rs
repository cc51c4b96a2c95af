//! The compiled sampler the engine draws from.

use rand::Rng;
use rand_distr::weighted::WeightedAliasIndex;
use rand_distr::{
    Beta, Distribution, Exp, Gamma, LogNormal, Normal, Pert, Triangular, Uniform, Weibull,
};
use statrs::distribution::ContinuousCDF;

use super::DistSpec;
use super::spec::{standard_bounds, std_normal, truncated_mass};

impl DistSpec {
    /// Compiles a sampler. Requires [`DistSpec::check`] to have passed.
    pub fn sampler(&self) -> Sampler {
        self.try_sampler().expect("checked")
    }

    /// Compiles a sampler, or says why these parameters cannot be sampled
    /// (for example a range whose width overflows). [`DistSpec::check`]
    /// calls it, so that every checked distribution compiles.
    pub(super) fn try_sampler(&self) -> Result<Sampler, String> {
        let fixed = |v: f64| Sampler::Fixed(v);
        let fail = |e: &dyn std::fmt::Debug| {
            format!(
                "these parameters cannot be sampled ({e:?}): the numbers are too large (a range whose width overflows?)"
            )
        };
        Ok(match self {
            DistSpec::Fixed { value } => fixed(*value),
            DistSpec::Uniform { min, max } => {
                if min == max {
                    fixed(*min)
                } else {
                    Sampler::Uniform(Uniform::new(*min, *max).map_err(|e| fail(&e))?)
                }
            }
            DistSpec::Normal { mean, sd, min, max } => {
                if min.is_none() && max.is_none() {
                    Sampler::Normal(Normal::new(*mean, *sd).map_err(|e| fail(&e))?)
                } else {
                    Sampler::TruncatedNormal(TruncatedNormal::new(*mean, *sd, *min, *max))
                }
            }
            DistSpec::Lognormal { median, sigma } => {
                Sampler::LogNormal(LogNormal::new(median.ln(), *sigma).map_err(|e| fail(&e))?)
            }
            DistSpec::Exponential { mean } => {
                Sampler::Exp(Exp::new(1.0 / mean).map_err(|e| fail(&e))?)
            }
            DistSpec::Triangular { min, mode, max } => {
                Sampler::Triangular(Triangular::new(*min, *max, *mode).map_err(|e| fail(&e))?)
            }
            DistSpec::Pert { min, mode, max } => Sampler::Pert(
                Pert::new(*min, *max)
                    .with_mode(*mode)
                    .map_err(|e| fail(&e))?,
            ),
            DistSpec::Beta { alpha, beta } => {
                Sampler::Beta(Beta::new(*alpha, *beta).map_err(|e| fail(&e))?)
            }
            DistSpec::Gamma { shape, scale } => {
                Sampler::Gamma(Gamma::new(*shape, *scale).map_err(|e| fail(&e))?)
            }
            DistSpec::Weibull { shape, scale } => {
                Sampler::Weibull(Weibull::new(*scale, *shape).map_err(|e| fail(&e))?)
            }
            DistSpec::Empirical { values, weights } => {
                if values.len() == 1 {
                    fixed(values[0])
                } else {
                    Sampler::Empirical {
                        values: values.clone(),
                        index: WeightedAliasIndex::new(weights.clone()).map_err(|e| fail(&e))?,
                    }
                }
            }
        })
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
        // se: the sample mean's, sd/√n = sd/632 at n = 400,000. The checks
        // together pass a correct sampler with 99.99% (Bonferroni: each at
        // k = Φ⁻¹(1 − 10⁻⁴/(2·13)) = 4.47 se); a 2% error in the mean (2% of
        // the sd where the mean is near 0, as for the centred normals) is
        // 0.02·632·max(|mean|, sd)/sd >= 12.6 se, above k + 2.33 (99% power),
        // as asserted for each.
        let n = 400_000;
        let k = statrs::distribution::Normal::standard()
            .inverse_cdf(1.0 - 1e-4 / (2.0 * specs.len() as f64));
        for spec in &specs {
            spec.check().unwrap();
            let (m, se) = mc_mean(spec, n);
            let exact = spec.mean();
            let sd = se * (n as f64).sqrt();
            assert!(0.02 * exact.abs().max(sd) >= (k + 2.33) * se);
            assert!(
                (m - exact).abs() < k * se,
                "{spec:?}: sample mean {m} vs {exact} (se {se})"
            );
        }
    }

    #[test]
    fn truncated_normal_stays_in_range() {
        // [5, 5.5] holds 2.7e-7 of a standard normal, so the sampler takes
        // the inverse-CDF path. The exact truncated mean is
        // (φ(5) − φ(5.5)) / (Φ(5.5) − Φ(5)) = 5.1521 and the exact sd
        // 0.123; at n = 100,000 the sample mean's se is 3.9e-4 (from the
        // exact variance below), so a 2% bias (0.10) is 264 se and draws
        // clamped to the range (mean 5.0) are 390 se away; tolerance 3.89 se.
        use statrs::distribution::Continuous;
        let (a, b) = (5.0f64, 5.5f64);
        let spec = DistSpec::Normal {
            mean: 0.0,
            sd: 1.0,
            min: Some(a),
            max: Some(b),
        };
        spec.check().unwrap();
        let s = spec.sampler();
        let n = std_normal();
        let mass = n.sf(a) - n.sf(b);
        let (pa, pb) = (n.pdf(a), n.pdf(b));
        let mean = (pa - pb) / mass;
        let var = 1.0 + (a * pa - b * pb) / mass - mean * mean;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let trials = 100_000;
        let mut sum = 0.0;
        for _ in 0..trials {
            let x = s.sample(&mut rng);
            assert!((a..=b).contains(&x));
            sum += x;
        }
        let se = (var / trials as f64).sqrt();
        let got = sum / trials as f64;
        assert!((mean - 5.1521).abs() < 1e-4, "{mean}");
        assert!(0.02 * mean >= (3.89 + 2.33) * se);
        assert!(
            (got - mean).abs() < 3.89 * se,
            "sample mean {got} vs {mean} (se {se})"
        );
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
        // se: a binomial proportion's, √(p(1−p)/n) at n = 300,000 (p from
        // 0.31 to 0.5 here). Seven checks, each at Φ⁻¹(1 − 10⁻⁴/14) = 4.34
        // se (99.99% together); a 2% error in p is asserted to be at least
        // 4.34 + 2.33 se (99% power).
        let k = statrs::distribution::Normal::standard()
            .inverse_cdf(1.0 - 1e-4 / (2.0 * specs.len() as f64));
        for spec in &specs {
            let s = spec.sampler();
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
            let n = 300_000;
            let x = spec.mean();
            let hits = (0..n).filter(|_| s.sample(&mut rng) > x).count() as f64 / n as f64;
            let p = spec.survival(x);
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!(0.02 * p >= (k + 2.33) * se, "{spec:?}: p = {p}");
            assert!((hits - p).abs() < k * se, "{spec:?}: {hits} vs {p}");
        }
    }
}
