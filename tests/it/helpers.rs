//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::Write;

use shortfall::engine::{RunOptions, SimOutput, simulate};
use shortfall::scenario::{Model, load_model};
use shortfall::{Summary, summarise};

/// Compiles a scenario given as TOML text (written to a temporary file).
pub fn model(toml: &str) -> Model {
    model_with(toml, &[])
}

/// Same, with `--set` overrides.
pub fn model_with(toml: &str, sets: &[&str]) -> Model {
    let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    f.write_all(toml.as_bytes()).unwrap();
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    match load_model(f.path(), &sets) {
        Ok(m) => m,
        Err(e) => panic!("scenario failed to load: {e}"),
    }
}

/// Runs every trial of a model on `threads` threads.
pub fn run(model: &Model, threads: usize) -> SimOutput {
    simulate(
        model,
        &RunOptions {
            threads,
            ..RunOptions::default()
        },
    )
    .unwrap()
}

/// Runs and summarises.
pub fn run_summary(model: &Model) -> (SimOutput, Summary) {
    let sim = run(model, 2);
    let s = summarise(model, &sim);
    (sim, s)
}

/// Asserts |estimate − exact| <= k·se, with a readable message.
pub fn assert_within(what: &str, estimate: f64, se: f64, exact: f64, k: f64) {
    let z = (estimate - exact) / se;
    assert!(
        (estimate - exact).abs() <= k * se,
        "{what}: estimate {estimate} vs exact {exact} (se {se}, z = {z:.2})"
    );
}
