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

/// The per-trial columns recomputed from a trial's step-by-step trace, by
/// the contract's definitions, every column but `cost`: (shortfall, peak,
/// steps, events, longest run, first step, storage_min, demand, lost,
/// substitute, emergency, surplus). Also the trial's mass balance residual,
/// initial + arrivals + emergency − (final + demand − shortfall + surplus),
/// and the scale of the volumes it adds (for a relative tolerance).
pub fn recompute_from_trace(tr: &shortfall::engine::observe::Trace) -> ([f64; 12], f64, f64) {
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    let (mut steps, mut events, mut run, mut longest, mut first) = (0, 0, 0, 0, -1i64);
    let mut peak = 0.0f64;
    for (t, &s) in tr.shortfall.iter().enumerate() {
        if s > 0.0 {
            steps += 1;
            run += 1;
            if run == 1 {
                events += 1;
            }
            longest = longest.max(run);
            peak = peak.max(s);
            if first < 0 {
                first = t as i64;
            }
        } else {
            run = 0;
        }
    }
    let storage_min = tr.level.iter().copied().fold(f64::INFINITY, f64::min);
    let row = [
        sum(&tr.shortfall),
        peak,
        f64::from(steps),
        f64::from(events),
        f64::from(longest),
        first as f64,
        storage_min,
        sum(&tr.demand),
        sum(&tr.lost),
        sum(&tr.substitute),
        sum(&tr.emergency),
        sum(&tr.surplus),
    ];
    let final_level = tr.level.last().copied().unwrap_or(tr.initial_level);
    let balance = tr.initial_level + sum(&tr.supply) + sum(&tr.substitute) + sum(&tr.emergency)
        - (final_level + sum(&tr.demand) - sum(&tr.shortfall) + sum(&tr.surplus));
    let scale = tr.initial_level.abs()
        + sum(&tr.demand)
        + sum(&tr.supply)
        + sum(&tr.substitute)
        + sum(&tr.emergency)
        + 1.0;
    (row, balance, scale)
}

/// Asserts that a trial's row holds what its trace recomputes to (counts
/// and extremes exactly, sums to a relative 1e-12) and that its mass
/// balance closes to 1e-9 of the volumes.
pub fn assert_row_matches_trace(
    what: &str,
    tr: &shortfall::engine::observe::Trace,
    row: &shortfall::engine::Row,
) {
    let (want, balance, scale) = recompute_from_trace(tr);
    for (j, w) in want.iter().enumerate() {
        let tol = if (1..7).contains(&j) {
            0.0
        } else {
            1e-12 * scale
        };
        assert!(
            (row[j] - w).abs() <= tol,
            "{what}: column {j} is {} in the row, {w} from the trace",
            row[j]
        );
    }
    assert!(
        balance.abs() <= 1e-9 * scale,
        "{what}: mass balance off by {balance} (scale {scale})"
    );
}

/// The per-trial columns, in the contract's order.
pub const COLUMNS: [&str; 13] = [
    "shortfall",
    "shortfall_peak",
    "shortfall_steps",
    "shortfall_events",
    "longest_shortfall_steps",
    "first_shortfall_step",
    "storage_min",
    "demand",
    "supply_lost",
    "substitute_used",
    "emergency_used",
    "surplus",
    "cost",
];

/// A daily scenario of `steps` steps and one trial, demand 1 per day, with
/// the given tables appended.
pub fn daily(steps: usize, tables: &str) -> String {
    format!(
        "[scenario]\nname = \"rule\"\n[time]\nsteps = {steps}\n[simulation]\ntrials = 1\nseed = 1\n\
         [demand]\nannual = 365.0\n{tables}"
    )
}
