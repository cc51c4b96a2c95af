//! Per-step tallies: sums over trials of each step's flows, and of each
//! supplier's and event's losses (timeseries.csv and the lost-supply chart
//! are built from them).

use crate::scenario::Model;

/// Per-step sums over a group of trials (added in trial order).
#[derive(Debug, Clone, PartialEq)]
pub struct StepSums {
    /// Σ demand_t.
    pub demand: Vec<f64>,
    /// Σ supply_t (arrivals from suppliers).
    pub supply: Vec<f64>,
    /// Σ lost_t (at source).
    pub lost: Vec<f64>,
    /// Σ arrivals from loss- and storage-triggered substitutes.
    pub substitute: Vec<f64>,
    /// Σ emergency (shortfall-triggered) use.
    pub emergency: Vec<f64>,
    /// Σ shortfall_t.
    pub shortfall: Vec<f64>,
    /// Number of trials with a shortfall at step t.
    pub shortfall_count: Vec<u64>,
    /// Σ over trials of each supplier's lost volume.
    pub lost_by_supplier: Vec<f64>,
    /// Σ over trials of the volume each event's supply effects remove (gross).
    pub lost_by_event: Vec<f64>,
    /// Σ over trials of the demand each event's demand effect adds (gross;
    /// negative where it lowers demand); empty when no event has one.
    pub demand_by_event: Vec<f64>,
}

impl StepSums {
    /// Zeroed sums for a model.
    pub fn new(model: &Model) -> StepSums {
        let mut sums = StepSums::sized(model.steps, model.suppliers.len(), model.events.len());
        if !model.has_demand_events {
            sums.demand_by_event.clear();
        }
        sums
    }

    /// Zeroed sums of the same shape.
    pub fn zeroed(&self) -> StepSums {
        let mut sums = StepSums::sized(
            self.demand.len(),
            self.lost_by_supplier.len(),
            self.lost_by_event.len(),
        );
        sums.demand_by_event.truncate(self.demand_by_event.len());
        sums
    }

    /// Zeroed sums over `steps` steps, `suppliers` suppliers and `events` events.
    fn sized(steps: usize, suppliers: usize, events: usize) -> StepSums {
        let n = steps;
        StepSums {
            demand: vec![0.0; n],
            supply: vec![0.0; n],
            lost: vec![0.0; n],
            substitute: vec![0.0; n],
            emergency: vec![0.0; n],
            shortfall: vec![0.0; n],
            shortfall_count: vec![0; n],
            lost_by_supplier: vec![0.0; suppliers],
            lost_by_event: vec![0.0; events],
            demand_by_event: vec![0.0; events],
        }
    }

    /// Adds another group's sums (call in a fixed order for reproducible bytes).
    pub fn add(&mut self, o: &StepSums) {
        let pairs = [
            (&mut self.demand, &o.demand),
            (&mut self.supply, &o.supply),
            (&mut self.lost, &o.lost),
            (&mut self.substitute, &o.substitute),
            (&mut self.emergency, &o.emergency),
            (&mut self.shortfall, &o.shortfall),
            (&mut self.lost_by_supplier, &o.lost_by_supplier),
            (&mut self.lost_by_event, &o.lost_by_event),
            (&mut self.demand_by_event, &o.demand_by_event),
        ];
        for (a, b) in pairs {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        self.shortfall_count
            .iter_mut()
            .zip(&o.shortfall_count)
            .for_each(|(x, y)| *x += y);
    }
}

/// The per-step sums of an aligned block of chunks: chunks
/// `index · 2^level .. (index + 1) · 2^level` of the full run (the last block
/// of a level may be cut short by the run's end).
#[derive(Debug, Clone, PartialEq)]
pub struct SumBlock {
    /// Its level: it spans up to `2^level` chunks.
    pub level: u32,
    /// Its index among the blocks of its level.
    pub index: u64,
    /// The sums over its trials.
    pub sums: StepSums,
}

impl SumBlock {
    /// The first chunk it covers.
    pub fn first_chunk(&self) -> u64 {
        self.index << self.level
    }

    /// One past the last chunk it covers, in a run of `chunks` chunks.
    pub fn end_chunk(&self, chunks: u64) -> u64 {
        ((self.index + 1) << self.level).min(chunks)
    }
}

/// Adds per-chunk sums in one fixed tree over the chunk indices of the full
/// run, whatever range of chunks is at hand and however it was split.
///
/// The tree: chunk `c` is block `(0, c)`; block `(l + 1, j)` is block
/// `(l, 2j)` plus block `(l, 2j + 1)`, in that order, or block `(l, 2j)`
/// alone when `(l, 2j + 1)` starts at or after the run's last chunk; the
/// root is the block with index 0 that covers every chunk. Pushing the chunks
/// of a range in order combines every pair of siblings as soon as both are
/// there and keeps the rest: the blocks left are the range's maximal aligned
/// blocks, whose sums are exactly the tree's. Pushing those blocks of
/// contiguous ranges, in order, gives exactly the blocks of the joined
/// range; once every chunk is in, one block is left, the root, with the
/// same bits as a run in one piece.
#[derive(Debug, Clone)]
pub struct SumTree {
    chunks: u64,
    stack: Vec<SumBlock>,
}

impl SumTree {
    /// An empty tree for a run of `chunks` chunks.
    pub fn new(chunks: u64) -> SumTree {
        SumTree {
            chunks,
            stack: Vec::new(),
        }
    }

    /// One past the last chunk pushed (the first chunk of the first block
    /// when nothing is pushed yet: `None`).
    pub fn end_chunk(&self) -> Option<u64> {
        self.stack.last().map(|b| b.end_chunk(self.chunks))
    }

    /// Pushes the next block: it must start where the last one ended.
    pub fn push(&mut self, block: SumBlock) {
        if let Some(end) = self.end_chunk() {
            assert_eq!(block.first_chunk(), end, "blocks are pushed in order");
        }
        self.stack.push(block);
        loop {
            let n = self.stack.len();
            let top = &self.stack[n - 1];
            let (level, index) = (top.level, top.index);
            if index % 2 == 1 {
                // A right child: combine with its left sibling, if here.
                if n >= 2
                    && self.stack[n - 2].level == level
                    && self.stack[n - 2].index == index - 1
                {
                    let right = self.stack.pop().expect("top");
                    let left = self.stack.last_mut().expect("left sibling");
                    left.sums.add(&right.sums);
                    left.level += 1;
                    left.index /= 2;
                    continue;
                }
                break;
            }
            // A left child whose right sibling lies past the run's end
            // stands for its parent (unless it is already the root).
            let sibling_start = (index + 1) << level;
            if index != 0 && sibling_start >= self.chunks {
                let top = self.stack.last_mut().expect("top");
                top.level += 1;
                top.index /= 2;
                continue;
            }
            break;
        }
    }

    /// The blocks held, in chunk order.
    pub fn blocks(&self) -> &[SumBlock] {
        &self.stack
    }

    /// The blocks held, in chunk order.
    pub fn into_blocks(self) -> Vec<SumBlock> {
        self.stack
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sums of one chunk: values of very different sizes, so that the order
    /// of additions shows in the last bits.
    fn leaf(c: u64) -> StepSums {
        let mut x = c.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi((x % 13) as i32 - 6)
        };
        let mut v = |n: usize| (0..n).map(|_| next()).collect::<Vec<f64>>();
        StepSums {
            demand: v(3),
            supply: v(3),
            lost: v(3),
            substitute: v(3),
            emergency: v(3),
            shortfall: v(3),
            shortfall_count: vec![c, 1, 2],
            lost_by_supplier: v(2),
            lost_by_event: v(1),
            demand_by_event: v(1),
        }
    }

    fn chunk(c: u64) -> SumBlock {
        SumBlock {
            level: 0,
            index: c,
            sums: leaf(c),
        }
    }

    /// The tree by its definition: block (l, j) over `n` chunks.
    fn by_definition(l: u32, j: u64, n: u64) -> Option<StepSums> {
        if (j << l) >= n {
            return None;
        }
        if l == 0 {
            return Some(leaf(j));
        }
        let left = by_definition(l - 1, 2 * j, n).expect("starts inside");
        Some(match by_definition(l - 1, 2 * j + 1, n) {
            Some(right) => {
                let mut s = left;
                s.add(&right);
                s
            }
            None => left,
        })
    }

    fn root(n: u64) -> StepSums {
        let l = 64 - (n.max(1) - 1).leading_zeros();
        by_definition(l, 0, n).expect("a chunk")
    }

    #[test]
    fn any_split_gives_the_trees_root_bit_for_bit() {
        for n in 1..=40u64 {
            let mut whole = SumTree::new(n);
            (0..n).for_each(|c| whole.push(chunk(c)));
            let blocks = whole.into_blocks();
            assert_eq!(blocks.len(), 1, "{n} chunks end in one block");
            assert_eq!(blocks[0].sums, root(n), "{n} chunks");
            // Every split into contiguous ranges of chunks (cut points from a
            // bit pattern, for n up to 12; a few patterns beyond).
            let patterns: Vec<u64> = if n <= 12 {
                (0..1u64 << (n - 1)).collect()
            } else {
                vec![
                    0,
                    1,
                    0b1010_1010_1010,
                    0x5555_5555,
                    0xffff_ffff,
                    0x1234_5678_9abc,
                ]
            };
            for cuts in patterns {
                let mut merged = SumTree::new(n);
                let mut part = SumTree::new(n);
                for c in 0..n {
                    part.push(chunk(c));
                    let cut_after = c + 1 == n || (cuts >> c) & 1 == 1;
                    if cut_after {
                        for b in std::mem::replace(&mut part, SumTree::new(n)).into_blocks() {
                            merged.push(b);
                        }
                    }
                }
                let got = merged.into_blocks();
                assert_eq!(got.len(), 1);
                assert_eq!(got[0].sums, blocks[0].sums, "{n} chunks, cuts {cuts:b}");
            }
        }
    }

    #[test]
    fn a_range_keeps_its_maximal_aligned_blocks() {
        // Chunks 1..7 of 7: [1], [2, 4), [4, 7) (the last block stands for
        // block (2, 1), its right child past the end).
        let mut t = SumTree::new(7);
        (1..7).for_each(|c| t.push(chunk(c)));
        let got: Vec<(u32, u64)> = t.blocks().iter().map(|b| (b.level, b.index)).collect();
        assert_eq!(got, [(0, 1), (1, 1), (2, 1)]);
        assert_eq!(t.end_chunk(), Some(7));
    }
}
