//! Engine throughput, thread scaling and the floor (issue #4).
//!
//! ```text
//! # once, and again whenever the engine or a case changes: per-trial draw counts
//! CARGO_TARGET_DIR=target/count-draws cargo bench --features count-draws --bench count_draws
//! cargo bench --bench engine                  # all cases; add a filter, e.g. `-- japan`
//! python3 benches/report.py                   # tables from target/criterion
//! ```
//!
//! For each case (`common::CASES`) and 1 and 2 threads, two benchmarks run the
//! same trials `0..case.trials`, with `Throughput::Elements(trials)`:
//!
//! - `engine`: `shortfall::engine::simulate` over those trials, exactly as
//!   `shortfall run` calls it (its own thread pool, chunks, per-step sums,
//!   storage histogram and the per-trial table).
//! - `floor`: the bare cost of what any trial must do. Per trial it creates
//!   the same streams the engine created for that trial, with
//!   `engine::rng::stream(seed, trial, key)`, and draws from each exactly as
//!   many 64-bit words as the engine did (counted per trial and per stream by
//!   `count_draws.rs` with the `count-draws` build), summing them; then it
//!   makes one pass over the steps with a trivial update (a storage level
//!   moved by the base supply minus the base demand and clamped to
//!   [minimum, capacity], tracking its minimum and sum), and writes a
//!   per-trial row into a table of the engine's size. It uses the engine's
//!   chunking: a thread pool of the same size built per call, chunks of
//!   `engine::run::CHUNK` trials run with rayon in waves of 64 chunks.
//!
//! The headline ratio is engine time per trial / floor time per trial.
//! The floor is skipped, with a message, when the counts are missing or were
//! taken for another scenario file or trial range; the benchmark stops with
//! an error when they are stale (the engine's rows for the counted trials no
//! longer match the counted run bit for bit).

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use rand::Rng;
use rayon::prelude::*;
use shortfall::engine::rng::stream;
use shortfall::engine::run::CHUNK;
use shortfall::engine::{NCOLS, RunOptions, simulate};
use shortfall::scenario::Model;

use common::{CASES, Case, DrawCounts, counts_path, load, table_digest};

/// Chunks between two reductions, as in the engine's driver.
const WAVE: usize = 64;

fn run_engine(model: &Model, threads: usize, trials: u64) -> f64 {
    let out = simulate(
        model,
        &RunOptions {
            threads,
            trials: Some(0..trials),
            progress: None,
            cancel: None,
        },
    )
    .expect("simulate");
    out.table[[0, 0]]
}

/// One floor trial: the engine's streams and draws, one trivial pass over
/// the steps, one row.
#[inline(never)]
fn floor_trial(model: &Model, keys: &[u64], streams: &[(u32, u32)], trial: u64, row: &mut [f64]) {
    let mut bits = 0u64;
    for &(k, n) in streams {
        let mut rng = stream(model.seed, trial, keys[k as usize]);
        for _ in 0..n {
            bits = bits.wrapping_add(rng.next_u64());
        }
    }
    let u = (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    let (lo, hi) = (model.storage_minimum, model.storage_capacity);
    let mut level = lo + u * (hi - lo);
    let (mut min, mut sum) = (level, 0.0);
    for (s, d) in model.base_supply.iter().zip(&model.demand_base) {
        level = (level + s - d).clamp(lo, hi);
        min = min.min(level);
        sum += level;
    }
    row[0] = sum;
    row[1] = min;
    row[2] = u;
}

fn run_floor(model: &Model, counts: &DrawCounts, threads: usize, trials: u64) -> f64 {
    let n = trials as usize;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    let mut rows = vec![0.0f64; n * NCOLS];
    pool.install(|| {
        for (w, wave) in rows.chunks_mut(WAVE * CHUNK * NCOLS).enumerate() {
            let partial: Vec<f64> = wave
                .par_chunks_mut(CHUNK * NCOLS)
                .enumerate()
                .map(|(k, chunk_rows)| {
                    let first = (w * WAVE + k) * CHUNK;
                    let mut acc = 0.0;
                    for (i, row) in chunk_rows.chunks_mut(NCOLS).enumerate() {
                        let t = first + i;
                        floor_trial(model, &counts.keys, &counts.streams[t], t as u64, row);
                        acc += row[0];
                    }
                    acc
                })
                .collect();
            black_box(partial);
        }
    });
    black_box(&rows);
    rows[0]
}

/// The case's counts, if present and for this scenario and trial range;
/// otherwise the floor is skipped with a message.
fn read_counts(case: &Case, model: &Model) -> Option<DrawCounts> {
    let path = counts_path(case);
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!(
            "{}: no draw counts at {}; floor skipped ({RERUN})",
            case.name,
            path.display()
        );
        return None;
    };
    let counts: DrawCounts = serde_json::from_slice(&bytes).expect("draw counts file");
    if counts.scenario_sha256 != model.scenario_sha256
        || counts.trials != case.trials
        || counts.first_trial != 0
    {
        eprintln!(
            "{}: draw counts at {} are for another scenario or trial range; floor skipped ({RERUN})",
            case.name,
            path.display()
        );
        return None;
    }
    Some(counts)
}

const RERUN: &str = "run: CARGO_TARGET_DIR=target/count-draws cargo bench --features count-draws --bench count_draws";

/// Checks, before the floor of a case is first measured, that the engine
/// still draws what was counted: its rows for the counted trials must match
/// the counting run's bit for bit (the counting build changes no value).
fn check_counts(case: &Case, model: &Model, counts: &DrawCounts) {
    let out = simulate(
        model,
        &RunOptions {
            threads: 0,
            trials: Some(0..case.trials),
            progress: None,
            cancel: None,
        },
    )
    .expect("simulate");
    let digest = table_digest(
        out.table
            .rows()
            .into_iter()
            .map(|r| r.to_slice().expect("rows are contiguous")),
    );
    assert_eq!(
        digest, counts.table_digest,
        "{}: the engine's rows differ from the counted run: the engine changed, so the draw counts are stale ({RERUN})",
        case.name
    );
    eprintln!(
        "{}: floor replays {:.1} words from {:.1} streams per trial (counts match the engine's rows)",
        case.name, counts.mean_draws, counts.mean_streams
    );
}

fn benches(c: &mut Criterion) {
    for case in &CASES {
        let model = load(case);
        let counts = read_counts(case, &model);
        let checked = std::cell::Cell::new(false);
        let mut g = c.benchmark_group(case.name);
        g.sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(8))
            .throughput(Throughput::Elements(case.trials));
        for threads in [1usize, 2] {
            g.bench_with_input(BenchmarkId::new("engine", threads), &threads, |b, &th| {
                b.iter(|| run_engine(&model, th, case.trials))
            });
            if let Some(counts) = &counts {
                g.bench_with_input(BenchmarkId::new("floor", threads), &threads, |b, &th| {
                    if !checked.replace(true) {
                        check_counts(case, &model, counts);
                    }
                    b.iter(|| run_floor(&model, counts, th, case.trials))
                });
            }
        }
        g.finish();
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c);
    c.final_summary();
}
