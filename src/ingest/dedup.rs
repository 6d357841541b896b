//! De-duplication on event id across all workers: CloudTrail may deliver an event twice, and the same file
//! may be given twice. Keeps a 128-bit hash per distinct id in a sharded set (16 bytes + table overhead).
//!
//! With a record sink ([`Deduper::ordered`], for `export`) it also keeps, per id, the earliest input unit where
//! a copy was seen, in the same 16 bytes (96 bits of the digest and the unit's number): the copy the sink keeps
//! is then the first in input order, as a one-thread run would keep, whichever worker reached its id first.
//! (Within one unit the first copy read is the earliest: a unit is read by one worker, in order.)

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
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
    fn write_u64(&mut self, high: u64) {
        self.0 = high;
    }
}

/// The high 96 bits of a digest, as words aligned to 4 bytes: with a unit number, a claim takes 16 bytes like a
/// digest in the set. (96 bits: two distinct ids of a billion collide with odds below 10^-11.)
#[derive(Clone, Copy, PartialEq, Eq)]
struct Digest96([u32; 3]);

impl Digest96 {
    fn of(digest: u128) -> Digest96 {
        Digest96([(digest >> 96) as u32, (digest >> 64) as u32, (digest >> 32) as u32])
    }
}

impl std::hash::Hash for Digest96 {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // The high 64 bits, as for the set (see `DigestHasher`).
        state.write_u64((u64::from(self.0[0]) << 32) | u64::from(self.0[1]));
    }
}

type DigestSet = HashSet<u128, BuildHasherDefault<DigestHasher>>;
type DigestMap = HashMap<Digest96, u32, BuildHasherDefault<DigestHasher>>;

/// One shard: the digests seen, or (ordered) each digest with the earliest input unit that holds a copy.
enum Table {
    Set(DigestSet),
    Claims(DigestMap),
}

/// What a record is, against the copies seen before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// The first copy seen (or a record without an id).
    New,
    /// Seen before, but this copy's unit is earlier in the input (ordered de-duplication only): the books and the
    /// analyzers have the record already, the sink keeps this copy.
    Earlier,
    /// Seen before, from the same unit or an earlier one (or, unordered, at all).
    Again,
}

/// A record's de-duplication outcome, with the digest of its key (`None` for records without an id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claim {
    pub seen: Seen,
    pub digest: Option<u128>,
}

/// A concurrent set of seen event ids.
pub struct Deduper {
    shards: Vec<Mutex<Table>>,
    distinct: AtomicU64,
    /// A per-run random seed: the records are attacker-controlled, so the digests (which also place keys in
    /// the tables) must not be predictable offline.
    seed: u64,
}

impl Default for Deduper {
    fn default() -> Self {
        Deduper::with(|| Table::Set(DigestSet::default()))
    }
}

impl Deduper {
    /// A de-duplication set that also keeps, per id, the earliest input unit a copy was seen in.
    pub fn ordered() -> Deduper {
        Deduper::with(|| Table::Claims(DigestMap::default()))
    }

    fn with(table: impl Fn() -> Table) -> Deduper {
        Deduper {
            shards: (0..SHARDS).map(|_| Mutex::new(table())).collect(),
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
        self.claim(head, 0).seen == Seen::New
    }

    /// [`Deduper::insert`] of a record read from input unit `unit` (units are numbered in input order).
    /// Unordered, the same as `insert`; ordered, a copy seen before from a later unit is [`Seen::Earlier`]
    /// and its unit takes the claim.
    pub fn claim(&self, head: &RecordHead<'_>, unit: u32) -> Claim {
        let key = Key {
            kind: head.kind,
            id: head.event_id.as_deref(),
            time: head.time,
            name: &head.event_name,
            http_status: head.http_status,
            outcome: head.outcome.name(),
            principal_id: head.principal_id.as_deref(),
        };
        self.insert_key(&key, head.resource_arns(), unit)
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
        self.insert_key(&key, std::iter::empty(), 0).seen == Seen::New
    }

    /// Whether `unit` holds the earliest copy seen of its digest (ordered de-duplication; always true
    /// unordered). Asked when every earlier unit has been read, the answer is final.
    pub fn holds(&self, digest: u128, unit: u32) -> bool {
        let shard = (digest as usize) % SHARDS;
        match &*self.shards[shard].lock().unwrap_or_else(|poisoned| poisoned.into_inner()) {
            Table::Set(_) => true,
            Table::Claims(claims) => claims.get(&Digest96::of(digest)).is_none_or(|&earliest| earliest == unit),
        }
    }

    fn insert_key<'a>(&self, key: &Key<'_>, arns: impl Iterator<Item = &'a str>, unit: u32) -> Claim {
        let Some(id) = key.id else { return Claim { seen: Seen::New, digest: None } };
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
        let mut table = self.shards[shard].lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let seen = match &mut *table {
            Table::Set(set) => {
                if set.insert(hash) {
                    Seen::New
                } else {
                    Seen::Again
                }
            }
            Table::Claims(claims) => match claims.entry(Digest96::of(hash)) {
                Entry::Vacant(entry) => {
                    entry.insert(unit);
                    Seen::New
                }
                Entry::Occupied(mut entry) if unit < *entry.get() => {
                    entry.insert(unit);
                    Seen::Earlier
                }
                Entry::Occupied(_) => Seen::Again,
            },
        };
        if seen == Seen::New {
            self.distinct.fetch_add(1, Ordering::Relaxed);
        }
        Claim { seen, digest: Some(hash) }
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

    /// Ordered, the earliest unit in the input holds a record, whichever copy came first; unordered, the
    /// first copy does and units are ignored.
    #[test]
    fn ordered_keeps_the_earliest_unit() {
        let a = event(LogKind::CloudTrail, Some("a"), 1, "GetObject", "k", None);
        let head = RecordHead::of_event(&a);
        let dedup = Deduper::ordered();
        let late = dedup.claim(&head, 50);
        assert_eq!(late.seen, Seen::New);
        let digest = late.digest.unwrap();
        assert!(dedup.holds(digest, 50));
        assert_eq!(dedup.claim(&head, 60).seen, Seen::Again);
        assert_eq!(dedup.claim(&head, 7), Claim { seen: Seen::Earlier, digest: Some(digest) });
        assert!(dedup.holds(digest, 7) && !dedup.holds(digest, 50) && !dedup.holds(digest, 60));
        assert_eq!(dedup.claim(&head, 9).seen, Seen::Again);
        assert_eq!(dedup.claim(&head, 7).seen, Seen::Again, "a second copy in the same unit is read after");
        assert_eq!(dedup.len(), 1);
        let no_id = event(LogKind::CloudTrail, None, 1, "GetObject", "k", None);
        assert_eq!(dedup.claim(&RecordHead::of_event(&no_id), 3), Claim { seen: Seen::New, digest: None });

        let unordered = Deduper::default();
        assert_eq!(unordered.claim(&head, 50).seen, Seen::New);
        assert_eq!(unordered.claim(&head, 7).seen, Seen::Again);
        assert!(unordered.holds(digest, 7));
        assert_eq!(std::mem::size_of::<(Digest96, u32)>(), 16, "a claim's table entry, as a digest in the set");
    }

    fn with_principal_id(mut event: Event, id: &str) -> Event {
        event.principal.principal_id = Some(id.to_owned());
        event
    }
}
