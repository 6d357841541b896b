//! The `propose` accumulator: per endpoint, every distinct observed request (as the policy engine sees it)
//! with how it ended and how often, plus the regions and owners seen and the trusted set's observations.
//! Generation is a pure function of these facts (see [`super::generate`]).
//!
//! During the fold an endpoint's requests are an [`EndpointTally`]: a hash table of each distinct request's
//! canonical bytes ([`super::encoded`]) with a count. After it, [`EndpointTally::facts`] decodes each distinct
//! request once into the [`EndpointFacts`] that generation, verification and comparison read.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, OnceLock};

use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use rayon::prelude::*;

use super::encoded;
use super::observed::{Observed, ObservedRequest};
use crate::analyze::trust::TrustedSet;
use crate::ingest::Analyzer;
use crate::model::{Outcome, Record, VpceId};
use crate::policy::{ReplayEnv, requests_from_event};

/// What was seen through one endpoint, ready to read.
#[derive(Debug, Clone, Default)]
pub struct EndpointFacts {
    /// The distinct requests with how many times each was seen, in no particular order (readers whose output
    /// depends on it take [`EndpointFacts::sorted`]).
    pub requests: Vec<(ObservedRequest, u64)>,
    /// Regions of the requests.
    pub regions: BTreeSet<String>,
    /// Requests with no IAM access to replay (tallied, not used).
    pub without_access: u64,
    /// Network activity events with no resource: their action is known but not what it touched.
    pub network_activity_without_resource: u64,
}

impl EndpointFacts {
    /// Requests seen, in total.
    pub fn observed(&self) -> u64 {
        self.requests.iter().map(|(_, n)| n).sum()
    }

    /// The distinct requests with their counts, in the requests' order.
    pub fn sorted(&self) -> Vec<(&ObservedRequest, u64)> {
        let mut sorted: Vec<(&ObservedRequest, u64)> = self.requests.iter().map(|(r, n)| (r, *n)).collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
        sorted
    }

    /// Facts of the given requests (tests): folded as a tally would fold them.
    #[cfg(test)]
    pub fn of(requests: impl IntoIterator<Item = (ObservedRequest, u64)>, regions: &[&str]) -> EndpointFacts {
        let mut tally = EndpointTally::default();
        for (request, n) in requests {
            tally.add(&request, n);
        }
        tally.regions.extend(regions.iter().map(|r| (*r).to_owned()));
        tally.into_facts()
    }
}

/// What is being seen through one endpoint, during the fold. Memory: per distinct request its encoded bytes
/// (about the request's text plus 5 bytes per string) and 32 bytes of table entry.
#[derive(Debug, Clone, Default)]
pub struct EndpointTally {
    requests: HashTable<Tallied>,
    regions: BTreeSet<String>,
    without_access: u64,
    network_activity_without_resource: u64,
}

/// One distinct request: its hash (64-bit xxh3 with a per-run random seed: the requests are attacker-controlled,
/// so where they land in the table must not be predictable offline), its canonical bytes, and its count. Two
/// entries are the same request when their hashes are equal and then their bytes are, compared in full: a
/// collision costs one comparison and can never merge two different requests.
#[derive(Debug, Clone)]
struct Tallied {
    hash: u64,
    bytes: Box<[u8]>,
    count: u64,
}

fn hash_of(bytes: &[u8]) -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    let seed = *SEED.get_or_init(|| RandomState::new().hash_one(0x7472_6169_6c5f_7670_u64));
    xxhash_rust::xxh3::xxh3_64_with_seed(bytes, seed)
}

impl EndpointTally {
    /// Requests seen, in total.
    pub fn observed(&self) -> u64 {
        self.requests.iter().map(|t| t.count).sum()
    }

    /// Distinct requests seen.
    pub fn distinct(&self) -> usize {
        self.requests.len()
    }

    /// Counts `n` more of the request encoded in `bytes` (copied only when it is new).
    fn add_encoded(&mut self, bytes: &[u8], n: u64) {
        let hash = hash_of(bytes);
        match self.requests.entry(hash, |t| t.hash == hash && *t.bytes == *bytes, |t| t.hash) {
            Entry::Occupied(mut found) => found.get_mut().count += n,
            Entry::Vacant(vacant) => {
                vacant.insert(Tallied { hash, bytes: bytes.into(), count: n });
            }
        }
    }

    /// Counts `n` more of `request`.
    pub fn add(&mut self, request: &ObservedRequest, n: u64) {
        let mut bytes = Vec::new();
        encoded::encode_observed(request, &mut bytes);
        self.add_encoded(&bytes, n);
    }

    fn merge(&mut self, other: EndpointTally) {
        self.requests.reserve(other.requests.len(), |t| t.hash);
        for tallied in other.requests {
            let hash = tallied.hash;
            match self.requests.entry(hash, |t| t.hash == hash && t.bytes == tallied.bytes, |t| t.hash) {
                Entry::Occupied(mut found) => found.get_mut().count += tallied.count,
                Entry::Vacant(vacant) => {
                    vacant.insert(tallied);
                }
            }
        }
        self.regions.extend(other.regions);
        self.without_access += other.without_access;
        self.network_activity_without_resource += other.network_activity_without_resource;
    }

    /// The facts to read: each distinct request decoded once (in parallel), its bytes freed as it is.
    pub fn into_facts(self) -> EndpointFacts {
        let distinct = self.requests.len();
        let tallied: Vec<Tallied> = self.requests.into_iter().collect();
        let requests: Vec<(ObservedRequest, u64)> = tallied
            .into_par_iter()
            .filter_map(|tallied| encoded::decode(&tallied.bytes).map(|request| (request, tallied.count)))
            .collect();
        debug_assert_eq!(requests.len(), distinct, "every tallied request decodes");
        EndpointFacts {
            requests,
            regions: self.regions,
            without_access: self.without_access,
            network_activity_without_resource: self.network_activity_without_resource,
        }
    }
}

/// The accumulator.
#[derive(Debug, Clone)]
pub struct ProposeFacts {
    env: Arc<ReplayEnv>,
    pub endpoints: BTreeMap<VpceId<'static>, EndpointTally>,
    pub trusted: TrustedSet,
    /// The encoding buffer, reused for every record.
    scratch: Vec<u8>,
}

impl ProposeFacts {
    /// An empty accumulator; `trusted` comes from the settings (observations are added as events arrive).
    pub fn new(env: Arc<ReplayEnv>, trusted: TrustedSet) -> ProposeFacts {
        ProposeFacts { env, endpoints: BTreeMap::new(), trusted, scratch: Vec::new() }
    }

    /// The endpoints' tallies and the trusted set, once the fold is over.
    pub fn into_parts(self) -> (BTreeMap<VpceId<'static>, EndpointTally>, TrustedSet) {
        (self.endpoints, self.trusted)
    }
}

impl Analyzer for ProposeFacts {
    fn observe(&mut self, record: &Record<'_>) {
        let event = record.event();
        self.trusted.observe(event);
        let Some(vpce) = &event.vpce else { return };
        // Look up before inserting: `entry` would clone the endpoint id for every record.
        if !self.endpoints.contains_key(vpce.as_str()) {
            self.endpoints.insert(vpce.clone(), EndpointTally::default());
        }
        let Some(tally) = self.endpoints.get_mut(vpce.as_str()) else { return };
        if let Some(region) = &event.region
            && !tally.regions.contains(region)
        {
            tally.regions.insert(region.clone());
        }
        let requests = requests_from_event(event, &self.env);
        if requests.is_empty() {
            tally.without_access += 1;
            return;
        }
        if event.is_network_activity() && requests.iter().all(|r| r.resource.is_none()) {
            tally.network_activity_without_resource += 1;
        }
        let outcome = match event.outcome {
            Outcome::Success => Observed::Success,
            Outcome::Denied { .. } => Observed::Denied,
            Outcome::Error { .. } => Observed::Error,
        };
        encoded::encode_requests(outcome, event.is_network_activity(), &requests, &mut self.scratch);
        tally.add_encoded(&self.scratch, 1);
    }

    fn merge(&mut self, other: ProposeFacts) {
        self.trusted.merge(other.trusted);
        for (vpce, tally) in other.endpoints {
            self.endpoints.entry(vpce).or_default().merge(tally);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::propose::observed::ObservedAccess;

    fn request(action: &str, outcome: Observed) -> ObservedRequest {
        let mut policy_request = crate::policy::Request::new(action);
        policy_request.resource = Some("arn:aws:s3:::b/k".to_owned());
        policy_request.context.insert("aws:PrincipalAccount", "111122223333");
        let access = ObservedAccess::from_request(policy_request);
        ObservedRequest { outcome, network_activity: false, accesses: vec![access] }
    }

    /// The same request counts once however often it comes; any difference (action, outcome) is another key;
    /// merged tallies equal a tally folded in one; the facts decode every distinct request with its count, and
    /// `sorted` is in the requests' order (outcome first).
    #[test]
    fn requests_are_keyed_by_their_content() {
        let mut a = EndpointTally::default();
        a.add(&request("s3:GetObject", Observed::Success), 1);
        a.add(&request("s3:GetObject", Observed::Success), 2);
        a.add(&request("s3:GetObject", Observed::Denied), 1);
        let mut b = EndpointTally::default();
        b.add(&request("s3:PutObject", Observed::Success), 1);
        b.add(&request("s3:GetObject", Observed::Success), 4);
        a.merge(b);
        assert_eq!((a.distinct(), a.observed()), (3, 9));
        let facts = a.into_facts();
        let got: Vec<(String, Observed, u64)> =
            facts.sorted().into_iter().map(|(r, n)| (r.accesses[0].action.clone(), r.outcome, n)).collect();
        assert_eq!(
            got,
            [
                ("s3:GetObject".to_owned(), Observed::Success, 7),
                ("s3:PutObject".to_owned(), Observed::Success, 1),
                ("s3:GetObject".to_owned(), Observed::Denied, 1),
            ]
        );
        assert_eq!(facts.observed(), 9);
    }

    /// Two different requests whose hashes collide stay two entries: the bytes are compared in full.
    #[test]
    fn a_hash_collision_never_merges_two_requests() {
        let mut tally = EndpointTally::default();
        for (bytes, n) in [(b"get".as_slice(), 1), (b"put", 1), (b"get", 1)] {
            match tally.requests.entry(7, |t| t.hash == 7 && *t.bytes == *bytes, |t| t.hash) {
                Entry::Occupied(mut found) => found.get_mut().count += n,
                Entry::Vacant(vacant) => {
                    vacant.insert(Tallied { hash: 7, bytes: bytes.into(), count: n });
                }
            }
        }
        assert_eq!((tally.distinct(), tally.observed()), (2, 3));
    }

    /// Folding N records with a tenth of them distinct costs about the same per record at N and 10N: the table
    /// holds one entry per distinct request and its bytes, never per record.
    #[test]
    fn memory_grows_with_distinct_requests_not_records() {
        let held = |records: u64| {
            let mut tally = EndpointTally::default();
            for i in 0..records {
                tally.add(&request(&format!("s3:Action{}", i % 10), Observed::Success), 1);
            }
            (tally.distinct(), tally.requests.iter().map(|t| t.bytes.len()).sum::<usize>())
        };
        assert_eq!(held(100), held(1_000));
    }
}
