//! How much memory a run holds at its peak, estimated from the sizes of
//! what it allocates, so that a run too large for the machine can be
//! refused before it starts (`--max-memory`).
//!
//! A run keeps, per trial, its row of the per-trial table (8 bytes per
//! column) and of the drawn inputs; when inputs are drawn, the engine's
//! wide table (columns and inputs together) is split into the two at the
//! end, so for a moment both copies exist. After the run the statistics
//! read the table in groups of columns, holding 8 bytes per trial per
//! column of a group, and the exceedance chart a sorted copy of the
//! shortfall column. Per step, a run keeps the storage histogram (1002
//! counts of 4 bytes; and a copy per worker thread where those fit, see
//! `run::private_histograms`), the per-step sums of every chunk of a wave of chunks
//! and of the reduction tree, and every worker thread's buffers. The
//! estimates were checked against measured peaks (BENCHMARKS.md, "Memory").

use super::NCOLS;
use super::hist::HIST_WIDTH;
use super::run::{BIN_BUFFER, WAVE, chunk_count, histogram_copies};
use crate::scenario::Model;

/// Columns of 8 bytes per trial the statistics and charts hold beside the
/// table after a run: a group of 8 columns' sort keys
/// (`stats::order::COLUMN_GROUP`) and the sorted shortfall column.
pub(crate) const STATISTICS_COLUMNS: u64 = 8 + 1;

/// What the program holds whatever the run: its code, the embedded fonts,
/// the thread pool, the allocator's slack (measured: about 10 MB).
pub const BASE_BYTES: u64 = 16 << 20;

/// A run's estimated memory at its peak, by part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Footprint {
    /// The per-trial table and drawn inputs, with the copies made at the
    /// end of the run and by the statistics: grows with the trials.
    pub per_trial: u64,
    /// Bytes of `per_trial` for one trial.
    pub bytes_per_trial: u64,
    /// The storage histogram, the per-step sums held at once and the
    /// worker threads' buffers: grows with the steps (and threads).
    pub per_step: u64,
    /// [`BASE_BYTES`].
    pub base: u64,
}

impl Footprint {
    /// The whole estimate, in bytes.
    pub fn total(&self) -> u64 {
        self.per_trial + self.per_step + self.base
    }

    /// The most trials whose run fits in `limit` bytes (0 when even the
    /// per-step part does not fit).
    pub fn trials_within(&self, limit: u64) -> u64 {
        limit.saturating_sub(self.per_step + self.base) / self.bytes_per_trial.max(1)
    }
}

/// Bytes one trial holds at the peak of a run of `model`.
pub fn bytes_per_trial(model: &Model) -> u64 {
    let cols = NCOLS as u64;
    let inputs = model.inputs.len() as u64;
    let after = cols + inputs + STATISTICS_COLUMNS;
    let during = if inputs > 0 {
        // The wide table and its two parts, for a moment.
        2 * (cols + inputs)
    } else {
        cols
    };
    8 * during.max(after)
}

/// The estimated peak memory of a run of `trials` trials of `model` (or of
/// a range of that many trials of it) on `threads` worker threads.
pub fn footprint(model: &Model, trials: u64, threads: usize) -> Footprint {
    let steps = model.steps as u64;
    let threads = threads.max(1) as u64;
    // The histogram, and a copy per thread where the threads keep their own.
    let copies = histogram_copies(model.steps, threads as usize) as u64;
    let hist = (1 + copies) * steps * HIST_WIDTH as u64 * 4;
    // One set of per-step sums: six f64 and one u64 per step, and a value
    // per supplier and event.
    let sums = 8 * (7 * steps + (model.suppliers.len() + model.events.len()) as u64);
    let chunks = chunk_count(model.trials).max(1);
    let tree = u64::from(64 - chunks.leading_zeros()) + 1;
    let held = chunk_count(trials).clamp(1, WAVE as u64) + threads + tree;
    // A worker's step arrays (level, demand, supply, lost, arrivals and
    // what its substitutes and sources need), and its histogram bins.
    let rows = 8 + model.substitutes.len() as u64 + model.source_rows as u64;
    let worker = 8 * rows * steps + (BIN_BUFFER as u64).max(2 * steps);
    // The per-step table of timeseries.csv and the charts' series.
    let table = 8 * 16 * steps;
    let per_trial = trials * bytes_per_trial(model);
    Footprint {
        per_trial,
        bytes_per_trial: bytes_per_trial(model),
        per_step: hist + held * sums + threads * worker + table,
        base: BASE_BYTES,
    }
}

/// `bytes` for people, in binary units as `--max-memory` reads them:
/// `680 MiB`, `2.7 GiB`.
pub fn human(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= GIB {
        format!("{:.1} GiB", b / GIB)
    } else if b >= MIB {
        format!("{:.0} MiB", b / MIB)
    } else {
        format!("{:.0} KiB", b / 1024.0)
    }
}

const MIB: f64 = 1024.0 * 1024.0;
const GIB: f64 = 1024.0 * MIB;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human(680 << 20), "680 MiB");
        assert_eq!(human(2900 << 20), "2.8 GiB");
    }
}
