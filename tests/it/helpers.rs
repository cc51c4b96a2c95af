//! Helpers shared by the integration tests.

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use shortfall::engine::{RunOptions, SimOutput, simulate};
use shortfall::scenario::model::EventCount;
use shortfall::scenario::{Model, load_model};
use shortfall::{Summary, summarise};

/// The package root (where `Cargo.toml` is).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `shortfall` binary, run from the package root.
pub fn shortfall() -> Command {
    let mut cmd = Command::cargo_bin("shortfall").expect("the shortfall binary is built");
    cmd.current_dir(root());
    cmd
}

/// The shipped scenarios (`scenarios/*.toml`), sorted.
pub fn scenario_files() -> Vec<PathBuf> {
    let dir = root().join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// Writes a scenario given as TOML text to a temporary `.toml` file, deleted
/// when the handle is dropped.
pub fn scenario_file(toml: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    f.write_all(toml.as_bytes()).unwrap();
    f
}

/// Reads a JSON file the tool wrote (`summary.json`, `run.json`).
pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Compiles a scenario given as TOML text (written to a temporary file).
pub fn model(toml: &str) -> Model {
    model_with(toml, &[])
}

/// Same, with `--set` overrides.
pub fn model_with(toml: &str, sets: &[&str]) -> Model {
    let f = scenario_file(toml);
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

/// Overrides that switch off every outage and event of a model, and the
/// demand's randomness. Built from the model itself, so a supplier added to
/// the library later is covered too.
pub fn everything_off(m: &Model, keep_event: Option<&str>) -> Vec<String> {
    let mut sets = vec![
        "demand.level=1".to_string(),
        "demand.noise.sd=0".to_string(),
    ];
    // A model keeps an outage process only where its rate is positive.
    for s in &m.suppliers {
        if s.outage.is_some() {
            sets.push(format!("supplier.{}.outage.rate_per_year=0", s.id));
        }
    }
    for s in &m.substitutes {
        if s.outage.is_some() {
            sets.push(format!("substitute.{}.outage.rate_per_year=0", s.id));
        }
    }
    for e in &m.events {
        if Some(e.id.as_str()) == keep_event {
            continue;
        }
        match e.count {
            EventCount::Bernoulli(_) => sets.push(format!("event.{}.probability=0", e.id)),
            EventCount::Poisson(_) => sets.push(format!("event.{}.rate_per_year=0", e.id)),
        }
    }
    sets
}
