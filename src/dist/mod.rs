//! Distributions: the typed specification read from a scenario, its checks,
//! and the compiled sampler the engine draws from.
//!
//! A scenario names a distribution with an inline table tagged by `dist`, or
//! with a bare number (a fixed value). Parameters are checked once, when the
//! model is built ([`DistSpec::check`]); sampling never fails.
//!
//! [`DistSpec`] and its checks, support, mean and survival function are in
//! `spec`, the [`Sampler`] compiled from it in `sample`, and the discretised
//! durations (days to whole steps, and their mean) in `duration`.

mod duration;
mod sample;
mod spec;

pub use duration::{MeanDurations, days_to_steps, delay_steps, duration_steps};
pub use sample::{Sampler, TruncatedNormal};
pub use spec::{DIST_KINDS, DistSpec};
