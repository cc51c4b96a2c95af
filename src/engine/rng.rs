//! Random streams.
//!
//! Trial `i`'s draws for an entity come from their own generator, seeded from
//! `(seed, i, key)` where `key` is a stable hash of the entity's id
//! ([`crate::scenario::model::stream_key`]). The seeding map is injective:
//! distinct triples give distinct generator states, so no two (trial,
//! entity) pairs share a stream, and adding, removing or reordering an entity
//! changes no other entity's draws. The generator is xoshiro256++
//! (`rand_xoshiro`), a named algorithm that will not change under us, unlike
//! `StdRng`.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator every stream uses.
pub type StreamRng = Xoshiro256PlusPlus;

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
    StreamRng::from_seed(bytes)
}

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

    const GOLDEN: [u64; 3] = [
        10696650845366350271,
        7042126925794303673,
        2480933305787409644,
    ];
}
