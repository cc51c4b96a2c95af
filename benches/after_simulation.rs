//! What follows the simulation in `shortfall run` (issue #18): the column
//! statistics (`metrics`; `metrics_and_sorted_shortfall`, what a run with
//! charts computes), the sort of a column read from the table
//! (`sorted_shortfall`: `sorted_total`, as `plot` and `compare` use it) and
//! the charts (with that sort), at 1 and 2 threads.
//!
//! ```text
//! cargo bench --bench after_simulation
//! ```
//!
//! The input is the real thing: japan-2024-realised simulated once for
//! 1,000,000 trials (13 columns; 3% of trials short, so the shortfall
//! columns are mostly zeros). Each benchmark runs in a rayon pool of the
//! given size, as `--threads` sets it.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode};
use shortfall::engine::{Column, RunOptions, SimOutput, simulate};
use shortfall::plot::{ChartData, render_all};
use shortfall::report::charts::{Canvas, Format};
use shortfall::report::summarise;
use shortfall::scenario::{Model, load_model};
use shortfall::stats::{metrics, metrics_and_sorted_shortfall, sorted_total, step_rows};

const SCENARIO: &str = "scenarios/japan-2024-realised.toml";
const TRIALS: u64 = 1_000_000;

fn simulated() -> (Model, SimOutput) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SCENARIO);
    let mut model = load_model(&path, &[]).expect("the scenario loads");
    model.trials = TRIALS;
    let sim = simulate(
        &model,
        &RunOptions {
            threads: 2,
            trials: None,
            progress: None,
            cancel: None,
        },
    )
    .expect("simulate");
    (model, sim)
}

fn benches(c: &mut Criterion) {
    let (model, sim) = simulated();
    let summary = summarise(&model, &sim);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut g = c.benchmark_group("after_simulation");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        g.bench_function(BenchmarkId::new("metrics", threads), |b| {
            b.iter(|| pool.install(|| black_box(metrics(sim.table.view()))))
        });
        g.bench_function(
            BenchmarkId::new("metrics_and_sorted_shortfall", threads),
            |b| {
                b.iter(|| {
                    pool.install(|| black_box(metrics_and_sorted_shortfall(sim.table.view())))
                })
            },
        );
        g.bench_function(BenchmarkId::new("sorted_shortfall", threads), |b| {
            b.iter(|| black_box(sorted_total(sim.column(Column::Shortfall))))
        });
        g.bench_function(BenchmarkId::new("charts_svg_png", threads), |b| {
            b.iter(|| {
                pool.install(|| {
                    let data = ChartData::new(
                        &summary,
                        sorted_total(sim.column(Column::Shortfall)),
                        step_rows(&model, &sim),
                    );
                    render_all(
                        dir.path(),
                        &data,
                        &[Format::Svg, Format::Png],
                        Canvas::default(),
                    )
                    .expect("charts")
                })
            })
        });
    }
    g.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c);
    c.final_summary();
}
