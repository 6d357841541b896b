//! De-duplication on event id across all workers: CloudTrail may deliver an event twice, and the same file
//! may be given twice. Keeps a 128-bit hash per distinct id in a sharded set (16 bytes + table overhead).

use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::model::{LogKind, RecordHead, Timestamp};

/// What makes two records the same delivery (see the module doc); the resource ARNs come alongside.
struct Key<'a> {
    kind: LogKind,
    id: Option<&'a str>,
    time: Option<Timestamp>,
    name: &'a str,
    http_status: Option<u16>,
    outcome: &'static str,
    /// Records that reuse an id for different callers (hand-made, anonymised) are not the same delivery.
    principal_id: Option<&'a str>,
}

const SHARDS: usize = 64;

/// The keys are already xxh3-128 digests: hashing them again (SipHash by default) would only cost time.
#[derive(Default)]
struct DigestHasher(u64);

impl Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only reached for non-u128 keys, which this set never holds; fold the bytes in anyway.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u128(&mut self, digest: u128) {
        // The shard index uses the low bits; the table uses the high ones.
        self.0 = (digest >> 64) as u64;
    }
}

type DigestSet = HashSet<u128, BuildHasherDefault<DigestHasher>>;

/// A concurrent set of seen event ids.
pub struct Deduper {
    shards: Vec<Mutex<DigestSet>>,
    distinct: AtomicU64,
    /// A per-run random seed: the records are attacker-controlled, so the digests (which also place keys in
    /// the tables) must not be predictable offline.
    seed: u64,
}

impl Default for Deduper {
    fn default() -> Self {
        Deduper {
            shards: (0..SHARDS).map(|_| Mutex::new(DigestSet::default())).collect(),
            distinct: AtomicU64::new(0),
            seed: RandomState::new().hash_one(0x7472_6169_6c76_7063_u64),
        }
    }
}

impl Deduper {
    /// Records a record that has an id; returns `false` when the same record was seen before, `true` for a
    /// new one (and for records without an id, which cannot be matched). The key is the event id plus the
    /// record's time, name, resources, result and caller: real duplicate deliveries are identical records, while
    /// hand-made, anonymised or forged records that reuse an id for different requests are not collapsed. Ids of
    /// different log kinds never collide.
    pub fn insert(&self, head: &RecordHead<'_>) -> bool {
        let key = Key {
            kind: head.kind,
            id: head.event_id.as_deref(),
            time: head.time,
            name: &head.event_name,
            http_status: head.http_status,
            outcome: head.outcome.name(),
            principal_id: head.principal_id.as_deref(),
        };
        self.insert_key(&key, head.resource_arns())
    }

    /// [`Deduper::insert`] for an aggregated event: its `eventId`, window start and event source.
    pub fn insert_aggregate(&self, aggregate: &crate::model::Aggregate) -> bool {
        let key = Key {
            kind: LogKind::CloudTrail,
            id: aggregate.event_id.as_deref(),
            time: aggregate.window_start,
            name: &aggregate.event_source,
            http_status: None,
            outcome: "aggregated",
            principal_id: None,
        };
        self.insert_key(&key, std::iter::empty())
    }

    fn insert_key<'a>(&self, key: &Key<'_>, arns: impl Iterator<Item = &'a str>) -> bool {
        let Some(id) = key.id else { return true };
        let mut hasher = xxhash_rust::xxh3::Xxh3::with_seed(self.seed);
        let mut field = |bytes: &[u8]| {
            hasher.update(&(bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        };
        field(&[key.kind as u8]);
        field(id.as_bytes());
        field(&key.time.map_or(i64::MIN, |t| t.millis()).to_le_bytes());
        field(key.name.as_bytes());
        for arn in arns {
            field(arn.as_bytes());
        }
        field(&key.http_status.unwrap_or(0).to_le_bytes());
        field(key.outcome.as_bytes());
        field(key.principal_id.unwrap_or_default().as_bytes());
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
    use crate::model::{Event, Outcome, Principal, Resource};

    fn event(kind: LogKind, id: Option<&str>, time: i64, name: &str, key: &str, status: Option<u16>) -> Event {
        Event {
            time: Some(Timestamp(time)),
            kind,
            event_source: "s3.amazonaws.com".into(),
            event_name: name.into(),
            principal: Principal::unknown(),
            resources: vec![Resource {
                arn: format!("arn:aws:s3:::b/{key}"),
                kind: None,
                account: None,
                is_prefix: false,
            }],
            outcome: Outcome::Success,
            category: "Data".into(),
            event_id: id.map(str::to_owned),
            http_status: status,
            ..Event::blank()
        }
    }

    #[test]
    fn only_the_same_request_is_a_duplicate() {
        use LogKind::*;
        let dedup = Deduper::default();
        let cases = [
            (event(CloudTrail, Some("a"), 1, "GetObject", "k", None), true),
            (event(CloudTrail, Some("a"), 1, "GetObject", "k", None), false),
            (event(S3AccessLog, Some("a"), 1, "GetObject", "k", None), true),
            (event(CloudTrail, Some("b"), 1, "GetObject", "k", None), true),
            (event(CloudTrail, Some("a"), 2, "GetObject", "k", None), true),
            (event(CloudTrail, Some("a"), 1, "PutObject", "k", None), true),
            (event(CloudTrail, Some("a"), 1, "GetObject", "other", None), true),
            (event(S3AccessLog, Some("a"), 1, "GetObject", "k", Some(304)), true),
            (event(CloudTrail, None, 1, "GetObject", "k", None), true),
            (event(CloudTrail, None, 1, "GetObject", "k", None), true),
            // The same id, time and request by another caller (an anonymised sample reusing an id): which of
            // the two survived used to depend on thread timing.
            (with_principal_id(event(CloudTrail, Some("a"), 1, "GetObject", "k", None), "AIDAEXAMPLE"), true),
            (with_principal_id(event(CloudTrail, Some("a"), 1, "GetObject", "k", None), "AIDAEXAMPLE"), false),
        ];
        for (i, (event, fresh)) in cases.iter().enumerate() {
            assert_eq!(dedup.insert(&RecordHead::of_event(event)), *fresh, "case {i}");
        }
        assert_eq!(dedup.len(), 8);
    }

    fn with_principal_id(mut event: Event, id: &str) -> Event {
        event.principal.principal_id = Some(id.to_owned());
        event
    }
}
