//! The driver: trials in fixed-size chunks, in parallel with rayon. Chunks
//! are numbered from trial 0 of the full run, and their per-step sums are
//! added in one fixed tree over the chunk numbers ([`SumTree`]), so the
//! results depend neither on the thread count nor on how the run is split
//! into ranges (shards).

use std::ops::Range;
use std::sync::Mutex;

use ndarray::Array2;
use rayon::prelude::*;

use super::columns::{Column, NCOLS, Row};
use super::hist::{BinRows, HIST_WIDTH, StorageHist, add_bins};
use super::observe::Trace;
use super::tally::{StepSums, SumBlock, SumTree};
use super::trial::{Workspace, run_trial};
use crate::error::Error;
use crate::scenario::Model;

/// Trials per chunk. A constant, independent of the number of threads.
pub const CHUNK: usize = 512;

/// The number of chunks of a run of `trials` trials.
pub fn chunk_count(trials: u64) -> u64 {
    trials.div_ceil(CHUNK as u64)
}

/// The trials of shard `k` of `n` (`0 <= k < n`) of a run of `trials`
/// trials: the `k`-th of `n` contiguous ranges of whole chunks, as even as
/// whole chunks allow (chunks `floor(k·C/n) .. floor((k+1)·C/n)` of the
/// run's `C`). A shard may be empty when `n > C`.
pub fn shard_range(trials: u64, k: u64, n: u64) -> Range<u64> {
    assert!(k < n, "shard {k} of {n}");
    let c = u128::from(chunk_count(trials));
    let at = |i: u64| -> u64 {
        let chunk = (u128::from(i) * c / u128::from(n)) as u64;
        chunk.saturating_mul(CHUNK as u64).min(trials)
    };
    at(k)..at(k + 1)
}

/// Chunks run between two reductions (bounds the memory of per-chunk sums).
pub(crate) const WAVE: usize = 64;
/// Steps per lockable block of the storage histogram (64 × 1002 counts).
const HIST_BLOCK_ROWS: usize = 64;
/// Bytes of buffered storage-histogram bins per thread (see `simulate`).
pub(crate) const BIN_BUFFER: usize = 512 * 1024;

/// A worker thread's reusable buffers.
struct Scratch {
    ws: Workspace,
    /// The storage-histogram bins of a group of trials, steps × group.
    bins: Vec<u16>,
    /// This thread's own storage histogram, where the run keeps one per
    /// thread ([`private_histograms`]).
    hist: Option<StorageHist>,
}

/// The most memory that per-thread copies of the storage histogram may take
/// together.
const PRIVATE_HIST_BYTES: usize = 256 << 20;

/// Whether each worker thread counts its trials' storage bins into a
/// histogram of its own, added together at the end, rather than into the
/// one shared histogram behind locks. Threads that share the histogram
/// take its cache lines from each other at every group of trials (measured:
/// a run's simulation 7% slower at 2 threads than without the histogram's
/// cost, against 5% at 1 thread); copies cost `steps × 1002 × 4` bytes per
/// thread, so they are used while all of them fit in 256 MiB (a year of
/// daily steps: 1.5 MB per thread). Counts are integers: the result is the
/// same either way.
pub fn private_histograms(steps: usize, threads: usize) -> bool {
    threads > 1 && threads.saturating_mul(steps * HIST_WIDTH * 4) <= PRIVATE_HIST_BYTES
}

/// How many copies of the storage histogram the worker threads keep beside
/// the run's own: one each where they keep their own
/// ([`private_histograms`]), else none.
pub(crate) fn histogram_copies(steps: usize, threads: usize) -> usize {
    if private_histograms(steps, threads) {
        threads
    } else {
        0
    }
}

/// How to run.
#[derive(Default)]
pub struct RunOptions<'a> {
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// The trials to run (default: all of `0..model.trials`). A shard runs a
    /// range of whole chunks ([`shard_range`]): it must start at a multiple
    /// of [`CHUNK`] and end at one or at `model.trials`. Trial `i` gives the
    /// same row whichever range it is run in.
    pub trials: Option<Range<u64>>,
    /// Called with the number of trials finished so far, from the calling thread.
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
    /// Asked before each chunk: once it says `true`, no further chunk is
    /// started and the run ends with [`Error::Interrupted`] (within about a
    /// chunk's time per thread).
    pub cancel: Option<&'a (dyn Fn() -> bool + Sync)>,
}

/// What a simulation produces: a plain value that holds everything the
/// reports need, for a range of trials. Two results of the same model over
/// adjacent ranges can be joined with [`SimOutput::append`].
#[derive(Debug, Clone, PartialEq)]
pub struct SimOutput {
    /// The trials that were run.
    pub trials: Range<u64>,
    /// One row per trial, one column per [`Column`], in [`Column::ALL`] order.
    pub table: Array2<f64>,
    /// One row per trial, one column per drawn input, in the order of
    /// [`Model::inputs`] (no columns when nothing is drawn).
    pub inputs: Array2<f64>,
    /// Per-step sums over the trials: for the full run, exactly the root of
    /// the fixed tree ([`SumTree`]); for a range, its blocks added in order.
    pub sums: StepSums,
    /// The range's per-step sums as the fixed tree's blocks, in chunk order
    /// (one block, the root, for the full run): what a merge of ranges needs
    /// to rebuild the full run's sums bit for bit.
    pub blocks: Vec<SumBlock>,
    /// Chunks in the full run ([`chunk_count`] of the model's trials).
    pub chunks: u64,
    /// Per-step storage histogram.
    pub storage_hist: StorageHist,
}

impl SimOutput {
    /// Number of trials.
    pub fn len(&self) -> usize {
        self.table.nrows()
    }

    /// Whether it holds no trial.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One column of the per-trial table.
    pub fn column(&self, c: Column) -> ndarray::ArrayView1<'_, f64> {
        self.table.column(c.index())
    }

    /// Joins the result of the trials that follow this one's (`next.trials`
    /// must start where `self.trials` ends): rows are appended, histograms
    /// added and the per-step sums' blocks combined in the fixed tree. The
    /// result is exactly, bit for bit, that of one run over both ranges.
    pub fn append(&mut self, next: SimOutput) -> Result<(), Error> {
        if next.trials.start != self.trials.end
            || next.chunks != self.chunks
            || next.sums.demand.len() != self.sums.demand.len()
            || next.sums.lost_by_supplier.len() != self.sums.lost_by_supplier.len()
            || next.sums.lost_by_event.len() != self.sums.lost_by_event.len()
            || next.inputs.ncols() != self.inputs.ncols()
        {
            return Err(Error::Usage(format!(
                "cannot join trials {:?} after {:?}: the ranges must be adjacent and of one model",
                next.trials, self.trials
            )));
        }
        check_trial_count(self.len() + next.len())?;
        self.table
            .append(ndarray::Axis(0), next.table.view())
            .expect("same number of columns");
        self.inputs
            .append(ndarray::Axis(0), next.inputs.view())
            .expect("same number of inputs");
        let mut tree = SumTree::new(self.chunks);
        for b in self.blocks.drain(..).chain(next.blocks) {
            tree.push(b);
        }
        self.blocks = tree.into_blocks();
        self.sums = sum_of(&self.blocks, &self.sums);
        self.storage_hist.add(&next.storage_hist);
        self.trials.end = next.trials.end;
        Ok(())
    }
}

impl SimOutput {
    /// This result, of trials `0..n` of a longer run, as the run of exactly
    /// `n` trials: bit for bit what [`simulate`] gives for the same model with
    /// `trials = n`. The rows are the same (trial `i`'s row does not depend
    /// on the run's length); the per-step sums are the blocks re-added in the
    /// tree of `n` trials' chunks, which gives that run's bits because every
    /// block of a range of whole chunks is a whole block of both trees. `n`
    /// must be a whole number of chunks, or the longer run's own end (an `n`
    /// that is neither is refused only where its chunk count differs from
    /// the longer run's: `simulate` cannot produce one).
    pub fn into_run_of_its_trials(mut self) -> Result<SimOutput, Error> {
        let n = self.trials.end;
        let chunks = chunk_count(n);
        if self.trials.start != 0 || (n % CHUNK as u64 != 0 && chunks != self.chunks) {
            return Err(Error::Usage(format!(
                "trials {:?} are not a run's first whole chunks",
                self.trials
            )));
        }
        let mut tree = SumTree::new(chunks);
        for b in self.blocks.drain(..) {
            tree.push(b);
        }
        self.blocks = tree.into_blocks();
        self.sums = sum_of(&self.blocks, &self.sums);
        self.chunks = chunks;
        Ok(self)
    }
}

/// The sums over `blocks`, added in order (`like` gives the shape when there
/// is no block).
pub(crate) fn sum_of(blocks: &[SumBlock], like: &StepSums) -> StepSums {
    match blocks {
        [one] => one.sums.clone(),
        _ => {
            let mut sums = like.zeroed();
            for b in blocks {
                sums.add(&b.sums);
            }
            sums
        }
    }
}

/// The storage histogram counts in 32 bits: a run (or a join of runs) holds
/// at most `u32::MAX` trials.
fn check_trial_count(n: usize) -> Result<(), Error> {
    if n > u32::MAX as usize {
        return Err(Error::Usage(format!(
            "at most {} trials per run, got {n}",
            u32::MAX
        )));
    }
    Ok(())
}

/// Runs the model's trials.
pub fn simulate(model: &Model, opts: &RunOptions<'_>) -> Result<SimOutput, Error> {
    let range = opts.trials.clone().unwrap_or(0..model.trials);
    let chunk = CHUNK as u64;
    let aligned = |t: u64| t % chunk == 0 || t == model.trials;
    if range.start > range.end
        || range.end > model.trials
        || !aligned(range.start)
        || !aligned(range.end)
    {
        return Err(Error::Usage(format!(
            "trials {range:?} are not a range of whole chunks of {CHUNK} trials within the run's {}",
            model.trials
        )));
    }
    let chunks = chunk_count(model.trials);
    let first_chunk = range.start / chunk;
    let n =
        usize::try_from(range.end.saturating_sub(range.start)).map_err(|_| Error::Resources {
            what: "too many trials for this machine".into(),
            advice: "run fewer trials".into(),
        })?;
    check_trial_count(n)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(|e| Error::Resources {
            what: format!("cannot start {} threads: {e}", opts.threads),
            advice: "use fewer --threads".into(),
        })?;
    let threads = pool.current_num_threads();
    let hist_len = model.steps * HIST_WIDTH;
    // The big buffers are probed for up front, so that a run too large for
    // the machine stops with an error instead of aborting midway.
    // A trial's row: its columns, then its drawn inputs.
    let width = NCOLS + model.inputs.len();
    let copies = histogram_copies(model.steps, threads);
    let private = copies > 0;
    let need = n * width * 8 + (1 + copies) * hist_len * 4 + threads * BIN_BUFFER;
    Vec::<u8>::new()
        .try_reserve_exact(need)
        .map_err(|_| Error::Resources {
            what: format!(
                "not enough memory for the per-trial table and the storage histogram ({:.1} GB)",
                need as f64 / 1e9
            ),
            advice: "run fewer trials or steps".into(),
        })?;
    // Each thread's own histogram where they fit (`private_histograms`),
    // added into this one at the end; otherwise this one histogram, in
    // blocks of rows behind their own locks: a chunk adds its bins block by
    // block, each thread starting at a different block, so threads rarely
    // wait. Integer counts: the order does not matter.
    let mut storage_hist = StorageHist::new(model.steps);
    let blocks: Vec<Mutex<&mut [u32]>> = storage_hist
        .counts_mut()
        .chunks_mut(HIST_BLOCK_ROWS * HIST_WIDTH)
        .map(Mutex::new)
        .collect();
    // Trials whose histogram bins are buffered before they are added: as many
    // as fit in BIN_BUFFER bytes (so that the buffer stays in L2), at most a chunk.
    let group = (BIN_BUFFER / (2 * model.steps.max(1))).clamp(1, CHUNK);
    // Scratch buffers, one set per worker thread, reused from chunk to chunk
    // (each trial overwrites or clears what it uses).
    let scratch: Vec<Mutex<Option<Scratch>>> = (0..threads).map(|_| Mutex::new(None)).collect();
    let mut rows = vec![0.0f64; n * width];
    crate::pages::advise_huge_pages(&rows);
    let mut tree = SumTree::new(chunks);
    let mut done = 0u64;
    let mut cancelled = false;

    pool.install(|| {
        for (w, wave) in rows.chunks_mut(WAVE * CHUNK * width).enumerate() {
            let results = wave
                .par_chunks_mut(CHUNK * width)
                .enumerate()
                .map(|(k, chunk_rows)| {
                    if opts.cancel.is_some_and(|c| c()) {
                        return None;
                    }
                    let first = range.start + ((w * WAVE + k) * CHUNK) as u64;
                    let tid = rayon::current_thread_index().unwrap_or(0);
                    let mut slot = scratch[tid].lock().expect("scratch lock");
                    let Scratch { ws, bins, hist } = slot.get_or_insert_with(|| Scratch {
                        ws: Workspace::new(model),
                        bins: vec![0u16; model.steps * group],
                        hist: private.then(|| StorageHist::new(model.steps)),
                    });
                    let mut chunk_sums = StepSums::new(model);
                    let rows_per_block = HIST_BLOCK_ROWS * group;
                    let start = tid * blocks.len() / threads;
                    let mut trial = first;
                    for group_rows in chunk_rows.chunks_mut(group * width) {
                        let count = group_rows.len() / width;
                        for (i, wide) in group_rows.chunks_mut(width).enumerate() {
                            let rows = BinRows {
                                bins,
                                stride: group,
                                column: i,
                            };
                            let (row, inputs) = wide.split_at_mut(NCOLS);
                            let row: &mut Row = row.try_into().expect("a row");
                            run_trial(model, trial, ws, &mut chunk_sums, rows, row, &mut ());
                            inputs.copy_from_slice(ws.inputs());
                            trial += 1;
                        }
                        if let Some(own) = hist.as_mut() {
                            add_bins(own.counts_mut(), bins, group, count);
                            continue;
                        }
                        for b in (start..blocks.len()).chain(0..start) {
                            let mut block = blocks[b].lock().expect("histogram lock");
                            let bins = &bins[b * rows_per_block..];
                            let bins = &bins[..rows_per_block.min(bins.len())];
                            add_bins(&mut block[..], bins, group, count);
                        }
                    }
                    Some(chunk_sums)
                })
                .collect::<Option<Vec<StepSums>>>();
            let Some(results) = results else {
                cancelled = true;
                return;
            };
            for (k, sums) in results.into_iter().enumerate() {
                tree.push(SumBlock {
                    level: 0,
                    index: first_chunk + (w * WAVE + k) as u64,
                    sums,
                });
            }
            done += (wave.len() / width) as u64;
            if let Some(p) = opts.progress {
                p(done);
            }
        }
    });
    drop(blocks);
    if cancelled {
        return Err(Error::Interrupted);
    }
    // The threads' own histograms, if they kept them (integer counts: the
    // order of the additions does not matter).
    for slot in scratch {
        let slot = slot.into_inner().expect("scratch lock");
        if let Some(own) = slot.and_then(|s| s.hist) {
            storage_hist.add(&own);
        }
    }

    let wide = Array2::from_shape_vec((n, width), rows).expect("rows × columns");
    let (table, inputs) = if width == NCOLS {
        (wide, Array2::zeros((n, 0)))
    } else {
        (
            wide.slice(ndarray::s![.., ..NCOLS]).to_owned(),
            wide.slice(ndarray::s![.., NCOLS..]).to_owned(),
        )
    };
    let blocks = tree.into_blocks();
    let sums = sum_of(&blocks, &StepSums::new(model));
    Ok(SimOutput {
        trials: range,
        table,
        inputs,
        sums,
        blocks,
        chunks,
        storage_hist,
    })
}

/// Runs one trial and records it step by step (for tests and diagnostics).
/// Gives exactly the row [`simulate`] gives for the same trial.
pub fn trace_trial(model: &Model, trial: u64) -> (Trace, Row) {
    let mut ws = Workspace::new(model);
    let mut sums = StepSums::new(model);
    let mut bins = vec![0u16; model.steps];
    let mut row = [0.0; NCOLS];
    let mut trace = Trace::default();
    let rows = BinRows {
        bins: &mut bins,
        stride: 1,
        column: 0,
    };
    run_trial(model, trial, &mut ws, &mut sums, rows, &mut row, &mut trace);
    (trace, row)
}
