//! Random stream keys: one stable key per random quantity of an entity
//! (docs/model.md, section 1.11), and the check that no two of a model's
//! streams share a key.

use sha2::{Digest, Sha256};

use super::model::EventEffect;
use crate::dist::DistSpec;

/// Stable 64-bit hash of an entity id: the first 8 bytes (little-endian) of
/// SHA-256 of the id's UTF-8 bytes. Unlike `std`'s hasher, this never changes.
pub fn stream_key(id: &str) -> u64 {
    let digest = Sha256::digest(id.as_bytes());
    u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// The stream key of one random quantity of an entity: [`stream_key`] of
/// `<entity>/<quantity>`, e.g. `"sakhalin2/duration"`. No id or input column
/// contains `/`, so these names never equal an entity's own.
pub fn sub_stream_key(entity: &str, quantity: &str) -> u64 {
    stream_key(&format!("{entity}/{quantity}"))
}

/// Every stream name of a model with its key, so that a collision between
/// two of them is found when the model is built.
#[derive(Default)]
pub(super) struct StreamNames(Vec<(u64, String)>);

impl StreamNames {
    /// The key of `name`, recorded.
    pub(super) fn key(&mut self, name: String) -> u64 {
        let key = stream_key(&name);
        self.0.push((key, name));
        key
    }

    /// The key of `<entity>/<quantity>` ([`sub_stream_key`]), recorded.
    pub(super) fn sub(&mut self, entity: &str, quantity: &str) -> u64 {
        self.key(format!("{entity}/{quantity}"))
    }

    /// An event's effects on suppliers or substitutes (`kind`), each with
    /// its stream `<event>/<kind>.<target id>`.
    pub(super) fn effects<'a>(
        &mut self,
        event: &str,
        kind: &str,
        list: &[(usize, DistSpec)],
        id_of: impl Fn(usize) -> &'a str,
    ) -> Vec<EventEffect> {
        list.iter()
            .map(|&(target, ref d)| EventEffect {
                target,
                fraction: d.sampler(),
                key: self.sub(event, &format!("{kind}.{}", id_of(target))),
            })
            .collect()
    }

    /// An error naming two streams whose keys coincide, if any do.
    pub(super) fn check(mut self) -> Result<(), String> {
        self.0.sort();
        match self.0.windows(2).find(|w| w[0].0 == w[1].0) {
            Some(w) => Err(format!(
                "random streams \"{}\" and \"{}\" hash to the same key; rename an id",
                w[0].1, w[1].1
            )),
            None => Ok(()),
        }
    }
}
