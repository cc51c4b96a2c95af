//! A progress bar that hides itself when stderr is not a terminal or with --quiet.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// A bar over `total` trials, showing trials/s and ETA.
pub fn bar(total: u64, quiet: bool) -> ProgressBar {
    let target = if quiet {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(Some(total), target);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {msg}{elapsed_precise} {bar:28} {human_pos}/{human_len} trials {rate} ETA {eta}",
        )
        .expect("valid template")
        .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.0}/s", s.per_sec());
        }),
    );
    bar
}

/// Simulates every trial of `model` on `threads` threads behind a bar
/// labelled `message` (hidden with `quiet`).
pub fn simulate_with_bar(
    model: &shortfall::scenario::Model,
    threads: usize,
    quiet: bool,
    message: String,
) -> Result<shortfall::engine::SimOutput, shortfall::Error> {
    simulate_range_with_bar(model, 0..model.trials, threads, quiet, message)
}

/// Simulates the trials `range` of `model` (a range of whole chunks), as
/// [`simulate_with_bar`].
pub fn simulate_range_with_bar(
    model: &shortfall::scenario::Model,
    range: std::ops::Range<u64>,
    threads: usize,
    quiet: bool,
    message: String,
) -> Result<shortfall::engine::SimOutput, shortfall::Error> {
    let bar = bar(range.end - range.start, quiet);
    bar.set_message(message);
    let on_progress = |done: u64| bar.set_position(done);
    let sim = shortfall::engine::simulate(
        model,
        &shortfall::engine::RunOptions {
            threads,
            trials: Some(range),
            progress: Some(&on_progress),
            cancel: Some(&super::interrupt::requested),
        },
    );
    bar.finish_and_clear();
    sim
}
