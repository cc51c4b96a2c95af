//! The per-step storage histogram: each trial's end-of-step storage level,
//! binned, counted over trials (timeseries.csv's storage percentiles and the
//! storage fan chart come from it).
//!
//! A trial writes its bins into a [`BinRows`] buffer shared by a group of
//! trials; the group's bins are then added into the histogram one step row
//! at a time ([`add_bins`]), so that the large histogram is touched row by
//! row rather than trial by trial.

use super::fold::lesser;

/// Interior bins of the per-step storage histogram between minimum and
/// capacity; two more bins hold levels exactly at the minimum and at capacity.
pub const STORAGE_BINS: usize = 1000;
/// Bins per step in the storage histogram.
pub const HIST_WIDTH: usize = STORAGE_BINS + 2;

/// Maps storage levels to histogram bins: bin 0 holds the minimum exactly,
/// bin `STORAGE_BINS + 1` capacity exactly, the rest split the range evenly.
#[derive(Debug, Clone, Copy)]
pub struct BinScale {
    minimum: f64,
    capacity: f64,
    per_unit: f64,
}

impl BinScale {
    /// The scale for a storage range.
    pub fn new(minimum: f64, capacity: f64) -> BinScale {
        let range = capacity - minimum;
        BinScale {
            minimum,
            capacity,
            per_unit: if range > 0.0 {
                STORAGE_BINS as f64 / range
            } else {
                0.0
            },
        }
    }

    /// The bin of a level strictly between the minimum and capacity.
    #[inline(always)]
    pub fn interior(&self, level: f64) -> u16 {
        let x = (level - self.minimum) * self.per_unit;
        // `as` saturates (and truncates, which is `floor` here, x >= 0).
        1 + lesser(x, (STORAGE_BINS - 1) as f64) as u16
    }

    /// The bin at the floor.
    pub const FLOOR: u16 = 0;
    /// The bin at capacity.
    pub const FULL: u16 = STORAGE_BINS as u16 + 1;

    /// The bin of `level` (the reference; the engine's storage loop finds
    /// the floor and capacity cases in its own branches).
    #[inline(always)]
    pub fn bin(&self, level: f64) -> u16 {
        if level <= self.minimum {
            BinScale::FLOOR
        } else if level >= self.capacity {
            BinScale::FULL
        } else {
            self.interior(level)
        }
    }
}

/// Counts per step and bin over a run's trials: `steps × HIST_WIDTH`.
/// 32 bits are enough (a run has at most `u32::MAX` trials) and halve the
/// memory that every trial touches once per step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageHist {
    counts: Vec<u32>,
}

impl StorageHist {
    /// An empty histogram over `steps` steps.
    pub fn new(steps: usize) -> StorageHist {
        StorageHist {
            counts: vec![0; steps * HIST_WIDTH],
        }
    }

    /// A histogram from its counts, step-major (`steps × HIST_WIDTH` of
    /// them), as [`StorageHist::counts`] gives them.
    pub fn from_counts(steps: usize, counts: Vec<u32>) -> StorageHist {
        assert_eq!(counts.len(), steps * HIST_WIDTH, "steps × bins counts");
        StorageHist { counts }
    }

    /// Step `t`'s counts, one per bin.
    pub fn row(&self, t: usize) -> &[u32] {
        &self.counts[t * HIST_WIDTH..(t + 1) * HIST_WIDTH]
    }

    /// All counts, step-major.
    pub fn counts(&self) -> &[u32] {
        &self.counts
    }

    /// All counts, step-major, for the driver to fill.
    pub(crate) fn counts_mut(&mut self) -> &mut [u32] {
        &mut self.counts
    }

    /// Adds another histogram of the same shape (counts: the order of
    /// additions does not matter).
    pub fn add(&mut self, other: &StorageHist) {
        assert_eq!(self.counts.len(), other.counts.len(), "same steps");
        self.counts
            .iter_mut()
            .zip(&other.counts)
            .for_each(|(a, b)| *a += b);
    }
}

/// The storage-histogram bins of a group of trials, one row per step
/// (`bins[t * stride + column]`), added into the histogram step by step
/// afterwards so that the histogram is touched one row at a time.
pub struct BinRows<'a> {
    /// The buffer, steps × stride.
    pub bins: &'a mut [u16],
    /// Trials per row.
    pub stride: usize,
    /// This trial's column.
    pub column: usize,
}

impl BinRows<'_> {
    /// Records step `t`'s bin.
    #[inline(always)]
    pub fn set(&mut self, t: usize, bin: u16) {
        self.bins[t * self.stride + self.column] = bin;
    }
}

/// Adds `columns` trials' bins (see [`BinRows`]) into `hist`, a run of whole
/// step rows of a [`StorageHist`].
pub fn add_bins(hist: &mut [u32], bins: &[u16], stride: usize, columns: usize) {
    for (row, counts) in bins.chunks(stride).zip(hist.chunks_mut(HIST_WIDTH)) {
        for &b in &row[..columns] {
            counts[b as usize] += 1;
        }
    }
}
