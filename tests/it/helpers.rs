//! Helpers shared by the integration tests.

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use shortfall::engine::{RunOptions, SimOutput, simulate};
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

/// The tolerance, in standard errors, of `checks` two-sided z checks that
/// together pass a correct engine with probability at least 99.99%
/// (Bonferroni: each fails with probability 10⁻⁴ / checks). One check:
/// 3.89; two: 4.06; four: 4.22.
pub fn z_tolerance(checks: usize) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    Normal::standard().inverse_cdf(1.0 - 1e-4 / (2.0 * checks as f64))
}

/// The one-sided normal quantile of 99%: a bias of (k + Z_POWER) standard
/// errors is caught by a tolerance of k with probability at least 99%.
pub const Z_POWER: f64 = 2.326_347_874_040_841;

/// Asserts that a tolerance of `k` standard errors `se` catches a bias of
/// `bias` (2% of the checked quantity) with probability at least 99%.
pub fn assert_power(what: &str, bias: f64, se: f64, k: f64) {
    let z = bias.abs() / se;
    assert!(
        z >= k + Z_POWER,
        "{what}: a 2% bias is {z:.2} se, below the {:.2} needed for 99% power",
        k + Z_POWER
    );
}
