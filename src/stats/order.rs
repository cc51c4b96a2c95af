//! Order statistics without a full sort, and reading columns of a
//! row-major table: what the column statistics ([`super::summary`]) are
//! built on.
//!
//! Values are compared through their [`total_key`], an integer that orders
//! as `f64::total_cmp` does: integers sort and select about twice as fast.

use ndarray::ArrayView2;

/// `values` sorted by [`f64::total_cmp`], as integers: the map below is a
/// bijection from `f64` bit patterns to `u64` that orders them as
/// `total_cmp` does, and integers sort about twice as fast.
pub fn sorted_total<'a>(values: impl IntoIterator<Item = &'a f64>) -> Vec<f64> {
    let mut keys: Vec<u64> = values.into_iter().map(|x| total_key(*x)).collect();
    keys.sort_unstable();
    keys.into_iter().map(from_total_key).collect()
}

const SIGN: u64 = 1 << 63;

/// The integer that orders as `f64::total_cmp` orders (a bijection).
pub(crate) fn total_key(x: f64) -> u64 {
    let b = x.to_bits();
    if b & SIGN != 0 { !b } else { b | SIGN }
}

/// The inverse of [`total_key`].
pub(crate) fn from_total_key(k: u64) -> f64 {
    f64::from_bits(if k & SIGN != 0 { k & !SIGN } else { !k })
}

/// A column's keys ([`total_key`]) read back as values.
#[derive(Clone, Copy)]
pub(crate) struct Keys<'a>(pub(crate) &'a [u64]);

impl Keys<'_> {
    /// The value at position `i`.
    pub(crate) fn at(self, i: usize) -> f64 {
        from_total_key(self.0[i])
    }

    /// The values of positions `range`, in order.
    pub(crate) fn values(self, range: std::ops::Range<usize>) -> impl Iterator<Item = f64> + Clone {
        self.0[range].iter().map(|k| from_total_key(*k))
    }

    pub(crate) fn len(self) -> usize {
        self.0.len()
    }
}

/// Rearranges `keys` so that position `i` holds the key a full sort would
/// put there for every `i` in `at`, and so do all the positions of
/// `sorted`, which must start at 0 or end at `keys.len()` (its inner end,
/// resp. start, must be in `at` or be the other end). The first `lowest`
/// keys are the minimum's run, already in place (columns of shortfalls are
/// mostly zeros, their minimum): only the rest is selected in. Costs about
/// `n · log₂ |at|` plus the sort of `sorted`, instead of `n · log₂ n`.
pub(crate) fn partly_sort(
    keys: &mut [u64],
    lowest: usize,
    at: &[usize],
    sorted: std::ops::Range<usize>,
) {
    /// Places the order statistics `idx` (ascending, relative to `a`).
    fn select(a: &mut [u64], idx: &[usize]) {
        if idx.is_empty() || a.is_empty() {
            return;
        }
        let m = idx.len() / 2;
        let (left, _, right) = a.select_nth_unstable(idx[m]);
        select(left, &idx[..m]);
        let base = idx[m] + 1;
        let upper: Vec<usize> = idx[m + 1..].iter().map(|i| i - base).collect();
        select(right, &upper);
    }
    let mut idx: Vec<usize> = at
        .iter()
        .filter(|&&i| i >= lowest)
        .map(|i| i - lowest)
        .collect();
    idx.sort_unstable();
    idx.dedup();
    select(&mut keys[lowest..], &idx);
    keys[sorted.start.max(lowest).min(sorted.end)..sorted.end].sort_unstable();
}

/// Columns `cols` of a row-major `table` as contiguous vectors of `f` of
/// their values, in one pass over the rows (blocks of rows in parallel).
pub(crate) fn extract<T: Copy + Default + Send + Sync>(
    table: ArrayView2<'_, f64>,
    cols: &[usize],
    f: impl Fn(f64) -> T + Sync,
) -> Vec<Vec<T>> {
    let mut out = Vec::new();
    extract_into(table, cols, f, &mut out);
    out
}

/// [`extract`] into `out`, reusing its vectors (it ends with one per column).
pub(crate) fn extract_into<T: Copy + Default + Send + Sync>(
    table: ArrayView2<'_, f64>,
    cols: &[usize],
    f: impl Fn(f64) -> T + Sync,
    out: &mut Vec<Vec<T>>,
) {
    use rayon::prelude::*;
    let n = table.nrows();
    out.truncate(cols.len());
    out.resize_with(cols.len(), Vec::new);
    for v in out.iter_mut() {
        v.resize(n, T::default());
    }
    let mut blocks: Vec<Vec<&mut [T]>> = (0..n.div_ceil(ROW_BLOCK)).map(|_| Vec::new()).collect();
    for column in out.iter_mut() {
        for (b, part) in column.chunks_mut(ROW_BLOCK).enumerate() {
            blocks[b].push(part);
        }
    }
    blocks
        .into_par_iter()
        .enumerate()
        .for_each(|(b, mut parts)| {
            let start = b * ROW_BLOCK;
            for i in 0..parts[0].len() {
                let row = table.row(start + i);
                for (part, &c) in parts.iter_mut().zip(cols) {
                    part[i] = f(row[c]);
                }
            }
        });
}

/// Columns read together in one pass over a row-major table: 8 adjacent
/// columns of float64 are one cache line of a row.
pub(crate) const COLUMN_GROUP: usize = 8;
/// Rows per block of that pass (each block is one task).
const ROW_BLOCK: usize = 1 << 14;
