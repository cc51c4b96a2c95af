//! The driver: trials in fixed-size chunks, in parallel with rayon, reduced
//! in chunk order so that the results do not depend on the thread count.

use std::ops::Range;
use std::sync::Mutex;

use ndarray::Array2;
use rayon::prelude::*;

use super::columns::{Column, NCOLS, Row};
use super::hist::{BinRows, HIST_WIDTH, StorageHist, add_bins};
use super::observe::Trace;
use super::tally::StepSums;
use super::trial::{Workspace, run_trial};
use crate::error::Error;
use crate::scenario::Model;

/// Trials per chunk. A constant, independent of the number of threads.
pub const CHUNK: usize = 512;
/// Chunks run between two reductions (bounds the memory of per-chunk sums).
const WAVE: usize = 64;
/// Steps per lockable block of the storage histogram (64 × 1002 counts).
const HIST_BLOCK_ROWS: usize = 64;
/// Bytes of buffered storage-histogram bins per thread (see `simulate`).
const BIN_BUFFER: usize = 512 * 1024;

/// A worker thread's reusable buffers.
struct Scratch {
    ws: Workspace,
    /// The storage-histogram bins of a group of trials, steps × group.
    bins: Vec<u16>,
}

/// How to run.
#[derive(Default)]
pub struct RunOptions<'a> {
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// The trials to run (default: all of `0..model.trials`). A shard runs a
    /// sub-range; trial `i` gives the same row whichever range it is run in.
    pub trials: Option<Range<u64>>,
    /// Called with the number of trials finished so far, from the calling thread.
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
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
    /// Per-step sums over the trials.
    pub sums: StepSums,
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
    /// must start where `self.trials` ends): rows are appended and the
    /// per-step sums and histograms added. Rows and histogram counts are
    /// exactly those of one run over both ranges; the per-step sums are added
    /// in a different grouping, so they can differ from one run's in the
    /// last bits.
    pub fn append(&mut self, next: SimOutput) -> Result<(), Error> {
        if next.trials.start != self.trials.end
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
        self.sums.add(&next.sums);
        self.storage_hist.add(&next.storage_hist);
        self.trials.end = next.trials.end;
        Ok(())
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
    let need = n * width * 8 + hist_len * 4 + threads * BIN_BUFFER;
    Vec::<u8>::new()
        .try_reserve_exact(need)
        .map_err(|_| Error::Resources {
            what: format!(
                "not enough memory for the per-trial table and the storage histogram ({:.1} GB)",
                need as f64 / 1e9
            ),
            advice: "run fewer trials or steps".into(),
        })?;
    // One histogram for the whole run, in blocks of rows behind their own
    // locks: a chunk adds its bins block by block, each thread starting at a
    // different block, so threads rarely wait and no per-thread copy has to
    // be allocated and folded. Integer counts: the order does not matter.
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
    let mut sums = StepSums::new(model);
    let mut done = 0u64;

    pool.install(|| {
        for (w, wave) in rows.chunks_mut(WAVE * CHUNK * width).enumerate() {
            let results: Vec<StepSums> = wave
                .par_chunks_mut(CHUNK * width)
                .enumerate()
                .map(|(k, chunk_rows)| {
                    let first = range.start + ((w * WAVE + k) * CHUNK) as u64;
                    let tid = rayon::current_thread_index().unwrap_or(0);
                    let mut slot = scratch[tid].lock().expect("scratch lock");
                    let Scratch { ws, bins } = slot.get_or_insert_with(|| Scratch {
                        ws: Workspace::new(model),
                        bins: vec![0u16; model.steps * group],
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
                        for b in (start..blocks.len()).chain(0..start) {
                            let mut block = blocks[b].lock().expect("histogram lock");
                            let bins = &bins[b * rows_per_block..];
                            let bins = &bins[..rows_per_block.min(bins.len())];
                            add_bins(&mut block[..], bins, group, count);
                        }
                    }
                    chunk_sums
                })
                .collect();
            for r in &results {
                sums.add(r);
            }
            done += (wave.len() / width) as u64;
            if let Some(p) = opts.progress {
                p(done);
            }
        }
    });
    drop(blocks);

    let wide = Array2::from_shape_vec((n, width), rows).expect("rows × columns");
    let (table, inputs) = if width == NCOLS {
        (wide, Array2::zeros((n, 0)))
    } else {
        (
            wide.slice(ndarray::s![.., ..NCOLS]).to_owned(),
            wide.slice(ndarray::s![.., NCOLS..]).to_owned(),
        )
    };
    Ok(SimOutput {
        trials: range,
        table,
        inputs,
        sums,
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
