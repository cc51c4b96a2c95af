//! Random streams.
//!
//! Trial `i`'s draws for one random quantity of an entity (a supplier's up
//! periods, an event's starts, the demand noise, ...) come from their own
//! generator, seeded from `(seed, i, key)` where `key` is a stable hash of the
//! stream's name, e.g. `sakhalin2/duration`
//! ([`crate::scenario::model::sub_stream_key`]). The seeding map is
//! injective: distinct triples give distinct generator states, so no two
//! streams share a state; adding, removing or reordering an entity changes no
//! other entity's draws, and changing how one quantity is drawn changes no
//! other quantity's. The generator is xoshiro256++
//! (`rand_xoshiro`), a named algorithm that will not change under us, unlike
//! `StdRng`.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::dist::Sampler;

/// The generator every stream uses.
#[cfg(not(feature = "count-draws"))]
pub type StreamRng = Xoshiro256PlusPlus;

/// The generator every stream uses: with the `count-draws` feature, the same
/// xoshiro256++ wrapped in a counter (see [`counter`]).
#[cfg(feature = "count-draws")]
pub type StreamRng = counter::CountingRng;

/// SplitMix64's finaliser: a bijection on `u64` with full avalanche.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The generator state words for `(seed, trial, key)`.
///
/// The first three words are a bijection of the three inputs (a chain of
/// invertible steps, each undoable given the words after it), so the state
/// is injective in `(seed, trial, key)`; every word depends on every input.
/// The fourth word is odd, so the state is never all zero.
#[inline]
pub fn stream_state(seed: u64, trial: u64, key: u64) -> [u64; 4] {
    let a = mix(seed ^ 0x5348_4f52_5446_414c); // "SHORTFAL"
    let b = mix(trial ^ a);
    let c = mix(key ^ b);
    let a2 = mix(a ^ c);
    let b2 = mix(b ^ a2);
    let d = mix(c ^ b2 ^ 0x9e37_79b9_7f4a_7c15) | 1;
    [a2, b2, c, d]
}

/// The generator for entity `key` in trial `trial` of a run with `seed`.
#[inline]
pub fn stream(seed: u64, trial: u64, key: u64) -> StreamRng {
    let words = stream_state(seed, trial, key);
    let mut bytes = [0u8; 32];
    for (chunk, w) in bytes.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    #[cfg(not(feature = "count-draws"))]
    {
        StreamRng::from_seed(bytes)
    }
    #[cfg(feature = "count-draws")]
    {
        counter::CountingRng::new(Xoshiro256PlusPlus::from_seed(bytes), key)
    }
}

/// The stream of one random quantity, created on its first draw, so that a
/// quantity that draws nothing in a trial (a fixed value, or a supplier
/// without an outage inside the horizon) costs no seeding.
pub struct LazyStream {
    seed: u64,
    trial: u64,
    key: u64,
    rng: Option<StreamRng>,
}

impl LazyStream {
    /// The stream `(seed, trial, key)`, not yet created.
    #[inline]
    pub fn new(seed: u64, trial: u64, key: u64) -> LazyStream {
        LazyStream {
            seed,
            trial,
            key,
            rng: None,
        }
    }

    /// The generator, created on first use.
    #[inline]
    pub fn rng(&mut self) -> &mut StreamRng {
        let (seed, trial, key) = (self.seed, self.trial, self.key);
        self.rng.get_or_insert_with(|| stream(seed, trial, key))
    }

    /// One draw from `sampler`; a fixed value draws nothing.
    #[inline]
    pub fn sample(&mut self, sampler: &Sampler) -> f64 {
        match sampler {
            Sampler::Fixed(v) => *v,
            _ => sampler.sample(self.rng()),
        }
    }
}

/// Counting of generator outputs, for benchmarks (Cargo feature `count-draws`,
/// off by default).
///
/// With the feature on, every stream counts the words it produces: one per
/// `next_u64` or `next_u32` call (xoshiro256++ advances its state once for
/// either) and one per started 8 bytes of `fill_bytes`. The values drawn are
/// exactly those of the plain generator. When a stream is dropped its count
/// is added to a process-wide total ([`draws`]) and, inside
/// [`record_streams`], logged with the stream's key on the calling thread.
/// Without the feature none of this exists and [`StreamRng`] is plain
/// xoshiro256++.
#[cfg(feature = "count-draws")]
pub mod counter {
    use std::cell::{Cell, RefCell};
    use std::convert::Infallible;
    use std::sync::atomic::{AtomicU64, Ordering};

    use rand::{Rng, TryRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    static TOTAL: AtomicU64 = AtomicU64::new(0);

    thread_local! {
        static RECORDING: Cell<bool> = const { Cell::new(false) };
        static LOG: RefCell<Vec<(u64, u64)>> = const { RefCell::new(Vec::new()) };
    }

    /// xoshiro256++ that counts the words it produces.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct CountingRng {
        inner: Xoshiro256PlusPlus,
        key: u64,
        count: u64,
    }

    impl CountingRng {
        /// Wraps `inner`, the stream of entity `key`.
        pub fn new(inner: Xoshiro256PlusPlus, key: u64) -> CountingRng {
            CountingRng {
                inner,
                key,
                count: 0,
            }
        }

        /// Words drawn from this stream so far.
        pub fn count(&self) -> u64 {
            self.count
        }
    }

    impl TryRng for CountingRng {
        type Error = Infallible;

        #[inline]
        fn try_next_u32(&mut self) -> Result<u32, Infallible> {
            self.count += 1;
            Ok(self.inner.next_u32())
        }

        #[inline]
        fn try_next_u64(&mut self) -> Result<u64, Infallible> {
            self.count += 1;
            Ok(self.inner.next_u64())
        }

        #[inline]
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
            self.count += dst.len().div_ceil(8) as u64;
            self.inner.fill_bytes(dst);
            Ok(())
        }
    }

    impl Drop for CountingRng {
        fn drop(&mut self) {
            TOTAL.fetch_add(self.count, Ordering::Relaxed);
            if RECORDING.with(Cell::get) {
                LOG.with(|l| l.borrow_mut().push((self.key, self.count)));
            }
        }
    }

    /// Words drawn by all streams dropped so far, on every thread, since the
    /// start or the last [`reset_draws`].
    pub fn draws() -> u64 {
        TOTAL.load(Ordering::Relaxed)
    }

    /// Sets [`draws`] back to zero.
    pub fn reset_draws() {
        TOTAL.store(0, Ordering::Relaxed);
    }

    /// Runs `f` on the calling thread and returns its result with
    /// `(key, words drawn)` for every stream dropped on this thread while it
    /// ran, in drop order (streams that drew nothing included). Streams used
    /// on other threads (inside a rayon pool) are not logged; use it around
    /// [`crate::engine::trace_trial`], which runs on the caller's thread.
    pub fn record_streams<T>(f: impl FnOnce() -> T) -> (T, Vec<(u64, u64)>) {
        let was = RECORDING.with(|r| r.replace(true));
        let saved = LOG.with(|l| std::mem::take(&mut *l.borrow_mut()));
        let out = f();
        RECORDING.with(|r| r.set(was));
        let log = LOG.with(|l| std::mem::replace(&mut *l.borrow_mut(), saved));
        (out, log)
    }
}

#[cfg(feature = "count-draws")]
pub use counter::{draws, record_streams, reset_draws};

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;
    use std::collections::HashSet;

    #[test]
    fn states_are_distinct_and_first_outputs_differ() {
        let mut states = HashSet::new();
        let mut firsts = HashSet::new();
        for trial in 0..200u64 {
            for key in [0u64, 1, 2, u64::MAX, 0xdead_beef] {
                assert!(states.insert(stream_state(42, trial, key)));
                let x: u64 = stream(42, trial, key).random();
                firsts.insert(x);
            }
        }
        assert_eq!(
            firsts.len(),
            1000,
            "first outputs must not repeat across streams"
        );
    }

    /// Golden values: the streams are part of the reproducibility contract.
    /// If this fails, results for a given seed have changed.
    #[test]
    fn value_stability() {
        let mut r = stream(20240101, 7, 12345);
        let got: Vec<u64> = (0..3).map(|_| r.random()).collect();
        assert_eq!(got, GOLDEN.to_vec(), "stream values changed: {got:?}");
    }

    #[cfg(feature = "count-draws")]
    #[test]
    fn counter_counts_words_and_keeps_values() {
        use rand::Rng;
        let (xs, log) = record_streams(|| {
            let mut r = stream(20240101, 7, 12345);
            let xs: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
            let _ = r.next_u32();
            let mut buf = [0u8; 9];
            r.fill_bytes(&mut buf);
            assert_eq!(r.count(), 6);
            drop(stream(1, 2, 3));
            xs
        });
        assert_eq!(xs, GOLDEN.to_vec());
        assert_eq!(log, vec![(3, 0), (12345, 6)], "in drop order");
        assert!(draws() >= 6);
    }

    const GOLDEN: [u64; 3] = [
        10696650845366350271,
        7042126925794303673,
        2480933305787409644,
    ];
}
