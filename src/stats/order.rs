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
    let values = values.into_iter();
    let mut keys = key_buffer(values.size_hint().0);
    keys.extend(values.map(|x| total_key(*x)));
    sorted_values(keys)
}

/// The values of `keys` ([`total_key`]s) in ascending order, sorted in a
/// copy ([`sorted_values`]).
pub(crate) fn sorted_copy(keys: &[u64]) -> Vec<f64> {
    let mut copy = key_buffer(keys.len());
    copy.extend_from_slice(keys);
    sorted_values(copy)
}

/// An empty buffer for `capacity` keys whose memory asks for huge pages.
fn key_buffer(capacity: usize) -> Vec<u64> {
    let mut keys = Vec::with_capacity(capacity);
    crate::pages::advise_huge_pages(keys.spare_capacity_mut());
    keys
}

/// The values of `keys` ([`total_key`]s) in ascending order, in the same
/// buffer. Only the keys above the smallest are sorted: a column of
/// shortfalls is mostly its minimum, zero.
pub(crate) fn sorted_values(mut keys: Vec<u64>) -> Vec<f64> {
    let n = keys.len();
    let Some(&min) = keys.iter().min() else {
        return Vec::new();
    };
    keys.retain(|&k| k != min);
    keys.sort_unstable();
    // The minimum's copies first, then the rest.
    let above = keys.len();
    keys.resize(n, min);
    keys.copy_within(0..above, n - above);
    keys[..n - above].fill(min);
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

/// The order statistics of a column that its statistics read: the values a
/// full sort would put at a few positions, and one range of positions (a
/// tail) in order. Built by [`Gather::finish`].
pub(crate) struct Placed {
    n: usize,
    min: u64,
    /// How many keys equal the minimum: positions `0..lowest` hold it.
    lowest: usize,
    /// (position, key), by position.
    points: Vec<(usize, u64)>,
    /// The tail asked for, and the rest of the buckets at its end.
    tail: std::ops::Range<usize>,
    /// The keys above the minimum of the positions `first..` of `tail`,
    /// in order.
    first: usize,
    tail_found: Vec<u64>,
}

impl Placed {
    /// The value a full sort puts at position `i`, which must be one of the
    /// positions asked for.
    pub(crate) fn at(&self, i: usize) -> f64 {
        let key = if i < self.lowest {
            self.min
        } else if self.tail.contains(&i) {
            self.tail_found[i - self.first]
        } else {
            let j = self
                .points
                .binary_search_by_key(&i, |p| p.0)
                .expect("a position asked for");
            self.points[j].1
        };
        from_total_key(key)
    }

    /// The values of positions `range`, in order; `range` must lie in the
    /// tail asked for.
    pub(crate) fn values(
        &self,
        range: std::ops::Range<usize>,
    ) -> impl Iterator<Item = f64> + Clone + '_ {
        debug_assert!(self.tail.start <= range.start && range.end <= self.tail.end);
        range.map(move |p| {
            from_total_key(if p < self.lowest {
                self.min
            } else {
                self.tail_found[p - self.first]
            })
        })
    }

    /// The column's length.
    pub(crate) fn len(&self) -> usize {
        self.n
    }
}

/// A histogram of a column's keys over equal ranges of key (buckets), filled
/// in a pass that also folds the caller's sum ([`Buckets::count_fold`]);
/// then [`Buckets::gather`] finds any order statistic in one more pass
/// ([`Gather::take_fold`], which folds a second sum), by gathering only the
/// keys of the buckets that hold it. A column's minimum
/// is counted apart (columns of shortfalls are mostly zeros, their minimum).
/// Since keys order as values do ([`total_key`]), and their high bits are the
/// sign and the exponent, buckets are close to logarithmic in the value.
pub(crate) struct Buckets {
    min: u64,
    shift: u32,
    lowest: usize,
    counts: Vec<usize>,
}

/// No more than 2^12 buckets (their counts fit in the L1 cache).
const MAX_BUCKET_BITS: u32 = 12;

impl Buckets {
    /// Buckets for a column of `n` keys from `min` to `max`: about 16 keys
    /// per bucket, at least 2^8 and at most 2^[`MAX_BUCKET_BITS`] buckets.
    pub(crate) fn new(n: usize, min: u64, max: u64) -> Buckets {
        let bits = (usize::BITS - n.leading_zeros())
            .saturating_sub(4)
            .clamp(8, MAX_BUCKET_BITS);
        // Keys above the minimum are min + 1 ..= max: offsets 0 ..= span.
        let span = max.saturating_sub(min).saturating_sub(1);
        let shift = (u64::BITS - span.leading_zeros()).saturating_sub(bits);
        Buckets {
            min,
            shift,
            lowest: 0,
            counts: vec![0; (span >> shift) as usize + 1],
        }
    }

    /// Counts every key of the column and folds `f` over their values, in
    /// the keys' order, from `init` (one pass over the column: the caller's
    /// sum and the counting overlap).
    ///
    /// Not inlined: inlined into a column's statistics, the running sum was
    /// stored and loaded back at every key, which lengthened the chain of
    /// additions that bounds the pass; in a function of its own it stays in
    /// a register (one thread, the first group's 8 columns of 1,000,000
    /// trials: 57 → 38 ms).
    #[inline(never)]
    pub(crate) fn count_fold(
        &mut self,
        keys: &[u64],
        init: f64,
        f: impl Fn(f64, f64) -> f64,
    ) -> f64 {
        let (min, shift) = (self.min, self.shift);
        let counts = self.counts.as_mut_slice();
        let (mut lowest, mut acc) = (0, init);
        for &k in keys {
            if k == min {
                lowest += 1;
            } else {
                counts[((k - min - 1) >> shift) as usize] += 1;
            }
            acc = f(acc, from_total_key(k));
        }
        self.lowest += lowest;
        acc
    }

    /// Prepares to find the values a full sort of the column counted puts at
    /// the positions `at` and at every position of `tail` (which must start
    /// at 0 or end at the column's end): [`Gather::take_fold`] the keys again,
    /// then [`Gather::finish`].
    pub(crate) fn gather(self, at: &[usize], tail: std::ops::Range<usize>) -> Gather {
        let n = self.lowest + self.counts.iter().sum::<usize>();
        debug_assert!(tail.start == 0 || tail.end == n);
        // starts[b]: the position of bucket b's first key in sorted order.
        let mut starts = Vec::with_capacity(self.counts.len() + 1);
        let mut acc = self.lowest;
        for c in &self.counts {
            starts.push(acc);
            acc += c;
        }
        starts.push(acc);
        let bucket_of = |p: usize| starts.partition_point(|&s| s <= p) - 1;
        let mut slot = vec![NONE; self.counts.len()];
        // The tail's keys above the minimum: whole buckets.
        let above = tail.start.max(self.lowest)..tail.end.max(self.lowest);
        let tail_buckets = if above.is_empty() {
            0..0
        } else if tail.end == n {
            bucket_of(above.start)..self.counts.len()
        } else {
            0..bucket_of(above.end - 1) + 1
        };
        for b in tail_buckets.clone() {
            slot[b] = TAIL;
        }
        // The positions the tail's buckets and the minimum's run give in
        // order: the tail, and the rest of its end buckets.
        let first = starts[tail_buckets.start];
        let gathered = if tail.end == n {
            tail.start.min(first)..n
        } else {
            0..tail.end.max(starts[tail_buckets.end])
        };
        // The other positions asked for, by bucket.
        let mut wanted: Vec<(usize, Vec<usize>)> = Vec::new();
        for &p in at {
            if p >= self.lowest && !gathered.contains(&p) {
                let b = bucket_of(p);
                if slot[b] == NONE {
                    slot[b] = wanted.len() as u32;
                    wanted.push((b, Vec::new()));
                }
                wanted[slot[b] as usize].1.push(p - starts[b]);
            }
        }
        // Every gathered key goes straight to its bucket's place in one
        // buffer (a counting sort on the buckets): first the tail's buckets,
        // in order, then the others asked for; each bucket is sorted or
        // selected from at the end.
        let tail_len = starts[tail_buckets.end] - first;
        let mut next: Vec<usize> = tail_buckets.clone().map(|b| starts[b] - first).collect();
        let mut end = tail_len;
        for (b, _) in &wanted {
            next.push(end);
            end += self.counts[*b];
        }
        for (i, b) in tail_buckets.clone().enumerate() {
            slot[b] = i as u32;
        }
        for (w, (b, _)) in wanted.iter().enumerate() {
            slot[*b] = (tail_buckets.len() + w) as u32;
        }
        Gather {
            buckets: self,
            starts,
            slot,
            tail_buckets,
            gathered,
            next,
            found: vec![0u64; end],
            wanted,
        }
    }
}

/// Marks a bucket no position asked for ([`Gather`]).
const NONE: u32 = u32::MAX;
/// Marks a bucket of the tail while the others asked for are numbered.
const TAIL: u32 = u32::MAX - 1;

/// The keys of the buckets that hold the positions asked for, gathered in
/// one more pass over the column ([`Buckets::gather`]).
pub(crate) struct Gather {
    buckets: Buckets,
    starts: Vec<usize>,
    /// Per bucket: NONE, or its index in `next`.
    slot: Vec<u32>,
    tail_buckets: std::ops::Range<usize>,
    gathered: std::ops::Range<usize>,
    /// Per gathered bucket (the tail's, then `wanted`'s), where in `found`
    /// its next key goes.
    next: Vec<usize>,
    /// The gathered keys, bucket by bucket: the tail's buckets in order,
    /// then the other buckets asked for.
    found: Vec<u64>,
    /// The other buckets asked for, with the positions in them.
    wanted: Vec<(usize, Vec<usize>)>,
}

impl Gather {
    /// Takes every key of the column counted and folds `f` over their
    /// values, in the keys' order, from `init` (one pass, as
    /// [`Buckets::count_fold`]; not inlined, for the reason given there).
    #[inline(never)]
    pub(crate) fn take_fold(
        &mut self,
        keys: &[u64],
        init: f64,
        f: impl Fn(f64, f64) -> f64,
    ) -> f64 {
        let (min, shift) = (self.buckets.min, self.buckets.shift);
        let (slot, next, found) = (&self.slot[..], &mut self.next[..], &mut self.found[..]);
        let mut acc = init;
        for &k in keys {
            if k != min {
                let s = slot[((k - min - 1) >> shift) as usize];
                if s != NONE {
                    let at = &mut next[s as usize];
                    found[*at] = k;
                    *at += 1;
                }
            }
            acc = f(acc, from_total_key(k));
        }
        acc
    }

    /// Sorts the tail's buckets and selects the other positions.
    pub(crate) fn finish(self) -> Placed {
        let Gather {
            buckets,
            starts,
            tail_buckets,
            gathered,
            mut found,
            wanted,
            ..
        } = self;
        let first = starts[tail_buckets.start];
        let tail_len = starts[tail_buckets.end] - first;
        for b in tail_buckets {
            found[starts[b] - first..starts[b + 1] - first].sort_unstable();
        }
        let mut points: Vec<(usize, u64)> = Vec::new();
        let mut at = tail_len;
        for (b, mut idx) in wanted {
            let keys = &mut found[at..at + buckets.counts[b]];
            at += keys.len();
            idx.sort_unstable();
            idx.dedup();
            select(keys, &idx);
            points.extend(idx.iter().map(|&i| (starts[b] + i, keys[i])));
        }
        points.sort_unstable();
        found.truncate(tail_len);
        Placed {
            n: *starts.last().expect("at least one bucket"),
            min: buckets.min,
            lowest: buckets.lowest,
            points,
            tail: gathered,
            first,
            tail_found: found,
        }
    }
}

/// Places the order statistics `idx` (ascending, relative to `a`), as a
/// full sort of `a` would.
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

/// Columns `cols` (at most [`COLUMN_GROUP`]) of a row-major `table` as
/// contiguous vectors of their [`total_key`]s, read block of rows by block
/// of rows (blocks in parallel; within a block, column by column), into
/// `out`, reusing its vectors (it ends with one per column). Returns each
/// column's smallest and largest key (`(u64::MAX, 0)` for no rows), found
/// on the way. Every caller's table is row-major (standard layout); a table
/// that is not is copied whole first.
pub(crate) fn extract_keys(
    table: ArrayView2<'_, f64>,
    cols: &[usize],
    out: &mut Vec<Vec<u64>>,
) -> Vec<(u64, u64)> {
    use rayon::prelude::*;
    assert!(cols.len() <= COLUMN_GROUP, "one group of columns");
    let n = table.nrows();
    out.truncate(cols.len());
    out.resize_with(cols.len(), Vec::new);
    for v in out.iter_mut() {
        if v.len() != n {
            // Fresh, untouched memory, so that the hint applies.
            *v = vec![0; n];
            crate::pages::advise_huge_pages(v);
        }
    }
    let mut blocks: Vec<Vec<&mut [u64]>> = (0..n.div_ceil(ROW_BLOCK)).map(|_| Vec::new()).collect();
    for column in out.iter_mut() {
        for (b, part) in column.chunks_mut(ROW_BLOCK).enumerate() {
            blocks[b].push(part);
        }
    }
    type Ranges = [(u64, u64); COLUMN_GROUP];
    let empty: Ranges = [(u64::MAX, 0); COLUMN_GROUP];
    let widest = |mut a: Ranges, b: Ranges| {
        for (x, y) in a.iter_mut().zip(b) {
            *x = (x.0.min(y.0), x.1.max(y.1));
        }
        a
    };
    // Column by column within a block of rows small enough to stay in the
    // cache: each column's loop is a simple strided read.
    let table = table.as_standard_layout();
    let (data, width) = (table.as_slice().expect("standard layout"), table.ncols());
    let range = blocks
        .into_par_iter()
        .enumerate()
        .map(|(b, mut parts)| {
            let start = b * ROW_BLOCK;
            let rows = &data[start * width..(start + parts[0].len()) * width];
            let mut range = empty;
            for ((part, &c), r) in parts.iter_mut().zip(cols).zip(&mut range) {
                assert!(c < width, "a column of the table");
                let (mut lo, mut hi) = *r;
                for (out, row) in part.iter_mut().zip(rows.chunks_exact(width)) {
                    let k = total_key(row[c]);
                    *out = k;
                    lo = lo.min(k);
                    hi = hi.max(k);
                }
                *r = (lo, hi);
            }
            range
        })
        .reduce(|| empty, widest);
    range[..cols.len()].to_vec()
}

/// Columns read together in one pass over a row-major table: 8 adjacent
/// columns of float64 are one cache line of a row.
pub(crate) const COLUMN_GROUP: usize = 8;
/// Rows per block of that pass (each block is one task).
const ROW_BLOCK: usize = 1 << 12;

#[cfg(test)]
mod memory_tests {
    /// The memory estimate counts the statistics' working columns.
    #[test]
    fn the_memory_estimate_counts_a_group_of_keys_and_the_sorted_column() {
        assert_eq!(
            crate::engine::memory::STATISTICS_COLUMNS,
            super::COLUMN_GROUP as u64 + 1
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sorting only the keys above the minimum gives a full sort's bits: on
    /// columns that are mostly their minimum (zero, or -0.0 beside 0.0, or
    /// a NaN), all one value, empty, and without repeats.
    #[test]
    fn sorted_total_is_a_full_sort() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        let bits = |xs: &[f64]| xs.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for n in [0usize, 1, 2, 3, 10, 1000, 50_000] {
            for kind in 0..6 {
                let v: Vec<f64> = (0..n)
                    .map(|_| {
                        let u: f64 = rng.random();
                        match kind {
                            0 if u < 0.97 => 0.0,
                            0 => u,
                            1 if u < 0.5 => -0.0,
                            1 if u < 0.9 => 0.0,
                            1 => u - 0.95,
                            2 if u < 0.8 => -f64::NAN,
                            2 => u,
                            3 => 4.0,
                            4 => u * 1e3 - 500.0,
                            _ => f64::from(u8::from(u < 0.5)),
                        }
                    })
                    .collect();
                let mut want = v.clone();
                want.sort_unstable_by(f64::total_cmp);
                assert_eq!(bits(&sorted_total(&v)), bits(&want), "n {n}, kind {kind}");
            }
        }
    }
}
