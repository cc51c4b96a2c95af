//! Measures how many random words each trial draws, for the floor benchmark.
//!
//! Run with the counting build (values drawn are unchanged; each stream counts
//! its words and reports them when dropped):
//!
//! ```text
//! CARGO_TARGET_DIR=target/count-draws cargo bench --features count-draws --bench count_draws
//! ```
//!
//! For every case of `common::CASES` it runs the trials that the engine
//! benchmark simulates (0..case.trials), one at a time through
//! `engine::trace_trial` inside `engine::rng::record_streams`, and writes, per
//! trial, the list of streams created and the words drawn from each to
//! `target/bench-draws/<case>.json`. `benches/engine.rs` replays exactly that.
//! (The separate target folder keeps the counting build from replacing
//! `target/release/shortfall`, which `cargo bench` rebuilds with the feature.)

mod common;

use common::{CASES, DrawCounts, counts_path, load, table_digest};
use shortfall::engine::rng::{draws, record_streams, reset_draws};
use shortfall::engine::trace_trial;

fn main() {
    // `cargo bench` passes `--bench` (and any filter); only a filter matters here.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    for case in &CASES {
        if filter.as_deref().is_some_and(|f| !case.name.contains(f)) {
            continue;
        }
        let model = load(case);
        let t0 = std::time::Instant::now();
        reset_draws();
        let mut keys: Vec<u64> = Vec::new();
        let mut streams = Vec::with_capacity(case.trials as usize);
        let mut rows: Vec<[f64; shortfall::engine::NCOLS]> =
            Vec::with_capacity(case.trials as usize);
        for trial in 0..case.trials {
            let ((_, row), log) = record_streams(|| trace_trial(&model, trial));
            rows.push(row);
            let per_trial: Vec<(u32, u32)> = log
                .into_iter()
                .map(|(key, n)| {
                    let i = keys.iter().position(|k| *k == key).unwrap_or_else(|| {
                        keys.push(key);
                        keys.len() - 1
                    });
                    (
                        i as u32,
                        u32::try_from(n).expect("fewer than 2^32 words per stream"),
                    )
                })
                .collect();
            streams.push(per_trial);
        }
        let total: u64 = streams.iter().flatten().map(|&(_, n)| u64::from(n)).sum();
        assert_eq!(total, draws(), "every stream is logged");
        let n = case.trials as f64;
        let counts = DrawCounts {
            case: case.name.to_string(),
            scenario_sha256: model.scenario_sha256.clone(),
            seed: model.seed,
            first_trial: 0,
            trials: case.trials,
            table_digest: table_digest(rows.iter().map(|r| &r[..])),
            keys,
            mean_draws: total as f64 / n,
            mean_streams: streams.iter().map(Vec::len).sum::<usize>() as f64 / n,
            streams,
        };
        let path = counts_path(case);
        std::fs::create_dir_all(path.parent().expect("a parent folder")).expect("create folder");
        std::fs::write(&path, serde_json::to_vec(&counts).expect("serialise"))
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        let max = counts
            .streams
            .iter()
            .map(|s| s.iter().map(|&(_, n)| u64::from(n)).sum::<u64>())
            .max()
            .unwrap_or(0);
        println!(
            "{:<12} {} trials: {:.1} words/trial (max {max}), {:.1} streams/trial, {} steps; {} ({:.1} s)",
            case.name,
            case.trials,
            counts.mean_draws,
            counts.mean_streams,
            model.steps,
            path.display(),
            t0.elapsed().as_secs_f64()
        );
    }
}
