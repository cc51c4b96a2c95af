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
    let mut keys: Vec<u64> = Vec::with_capacity(values.size_hint().0);
    crate::pages::advise_huge_pages(keys.spare_capacity_mut());
    keys.extend(values.map(|x| total_key(*x)));
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
/// one key at a time in a pass the caller makes anyway; then
/// [`Buckets::gather`] finds any order statistic in one more pass, by
/// gathering only the keys of the buckets that hold it. A column's minimum
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

    #[inline]
    fn bucket(&self, k: u64) -> usize {
        ((k - self.min - 1) >> self.shift) as usize
    }

    /// Counts one key (every key of the column, once).
    #[inline]
    pub(crate) fn add(&mut self, k: u64) {
        if k == self.min {
            self.lowest += 1;
        } else {
            let b = self.bucket(k);
            self.counts[b] += 1;
        }
    }

    /// Prepares to find the values a full sort of the column counted puts at
    /// the positions `at` and at every position of `tail` (which must start
    /// at 0 or end at the column's end): [`Gather::take`] each key again,
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
        // The tail's keys go straight to their bucket's place (a counting
        // sort on the buckets), to be sorted bucket by bucket at the end.
        let tail_found = vec![0u64; starts[tail_buckets.end] - first];
        let next = tail_buckets.clone().map(|b| starts[b] - first).collect();
        let found = wanted
            .iter()
            .map(|(b, _)| Vec::with_capacity(self.counts[*b]))
            .collect();
        Gather {
            buckets: self,
            starts,
            slot,
            tail_buckets,
            gathered,
            next,
            tail_found,
            wanted,
            found,
        }
    }
}

/// Marks a bucket no position asked for ([`Gather`]).
const NONE: u32 = u32::MAX;
/// Marks a bucket of the tail.
const TAIL: u32 = u32::MAX - 1;

/// The keys of the buckets that hold the positions asked for, gathered in
/// one more pass over the column ([`Buckets::gather`]).
pub(crate) struct Gather {
    buckets: Buckets,
    starts: Vec<usize>,
    /// Per bucket: NONE, TAIL, or its index in `wanted`.
    slot: Vec<u32>,
    tail_buckets: std::ops::Range<usize>,
    gathered: std::ops::Range<usize>,
    /// Per tail bucket, where in `tail_found` its next key goes.
    next: Vec<usize>,
    tail_found: Vec<u64>,
    /// The other buckets asked for, with the positions in them.
    wanted: Vec<(usize, Vec<usize>)>,
    found: Vec<Vec<u64>>,
}

impl Gather {
    /// Takes one key (every key of the column, once, in any order).
    #[inline]
    pub(crate) fn take(&mut self, k: u64) {
        if k != self.buckets.min {
            let b = self.buckets.bucket(k);
            match self.slot[b] {
                NONE => {}
                TAIL => {
                    let at = &mut self.next[b - self.tail_buckets.start];
                    self.tail_found[*at] = k;
                    *at += 1;
                }
                s => self.found[s as usize].push(k),
            }
        }
    }

    /// Sorts the tail's buckets and selects the other positions.
    pub(crate) fn finish(self) -> Placed {
        let Gather {
            buckets,
            starts,
            tail_buckets,
            gathered,
            mut tail_found,
            wanted,
            mut found,
            ..
        } = self;
        let first = starts[tail_buckets.start];
        for b in tail_buckets {
            tail_found[starts[b] - first..starts[b + 1] - first].sort_unstable();
        }
        let mut points: Vec<(usize, u64)> = Vec::new();
        for ((b, mut idx), keys) in wanted.into_iter().zip(&mut found) {
            idx.sort_unstable();
            idx.dedup();
            select(keys, &idx);
            points.extend(idx.iter().map(|&i| (starts[b] + i, keys[i])));
        }
        points.sort_unstable();
        Placed {
            n: *starts.last().expect("at least one bucket"),
            min: buckets.min,
            lowest: buckets.lowest,
            points,
            tail: gathered,
            first,
            tail_found,
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

/// Columns `cols` of a row-major `table` as contiguous vectors of `f` of
/// their values, in one pass over the rows (blocks of rows in parallel),
/// into `out`, reusing its vectors (it ends with one per column).
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
        if v.len() != n {
            // Fresh, untouched memory, so that the hint applies.
            *v = vec![T::default(); n];
            crate::pages::advise_huge_pages(v);
        }
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
