//! De-duplication on event id across all workers: CloudTrail may deliver an event twice, and the same file
//! may be given twice. Keeps a 128-bit hash per distinct id in a sharded set (16 bytes + table overhead).

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::model::LogKind;

const SHARDS: usize = 64;

/// A concurrent set of seen event ids.
pub struct Deduper {
    shards: Vec<Mutex<HashSet<u128>>>,
    distinct: AtomicU64,
}

impl Default for Deduper {
    fn default() -> Self {
        Deduper { shards: (0..SHARDS).map(|_| Mutex::new(HashSet::new())).collect(), distinct: AtomicU64::new(0) }
    }
}

impl Deduper {
    /// Records an event; returns `false` when the same event was seen before. The key is the event id plus
    /// the event's time and name: real duplicate deliveries are identical records, while hand-made or
    /// forged records that reuse an id for different events are not collapsed. Ids of different log kinds
    /// never collide.
    pub fn insert(&self, kind: LogKind, id: &str, time: Option<i64>, name: &str) -> bool {
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        hasher.update(&[kind as u8]);
        hasher.update(&(id.len() as u64).to_le_bytes());
        hasher.update(id.as_bytes());
        hasher.update(&time.unwrap_or(i64::MIN).to_le_bytes());
        hasher.update(name.as_bytes());
        let hash = hasher.digest128();
        let shard = (hash as usize) % SHARDS;
        // A poisoned shard only means another worker panicked mid-insert; the set itself is still valid.
        let mut set = self.shards[shard].lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let fresh = set.insert(hash);
        if fresh {
            self.distinct.fetch_add(1, Ordering::Relaxed);
        }
        fresh
    }

    /// Distinct ids seen so far.
    pub fn len(&self) -> u64 {
        self.distinct.load(Ordering::Relaxed)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_sighting_is_a_duplicate() {
        let dedup = Deduper::default();
        assert!(dedup.insert(LogKind::CloudTrail, "a", Some(1), "GetObject"));
        assert!(!dedup.insert(LogKind::CloudTrail, "a", Some(1), "GetObject"));
        assert!(dedup.insert(LogKind::S3AccessLog, "a", Some(1), "GetObject"), "kinds are separate namespaces");
        assert!(dedup.insert(LogKind::CloudTrail, "b", Some(1), "GetObject"));
        assert!(dedup.insert(LogKind::CloudTrail, "a", Some(2), "GetObject"), "same id, another event");
        assert!(dedup.insert(LogKind::CloudTrail, "a", Some(1), "PutObject"), "same id, another event");
        assert_eq!(dedup.len(), 5);
    }
}
