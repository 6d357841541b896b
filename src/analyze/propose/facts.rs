//! The `propose` accumulator: per endpoint, every distinct observed request (as the policy engine sees it)
//! with how it ended and how often, plus the regions and owners seen and the trusted set's observations.
//! Generation is a pure function of these facts (see [`super::generate`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher, RandomState};
use std::sync::{Arc, OnceLock};

use xxhash_rust::xxh3::Xxh3;

use super::observed::{Observed, ObservedAccess, ObservedRequest};
use crate::analyze::trust::TrustedSet;
use crate::ingest::Analyzer;
use crate::model::{Outcome, Record};
use crate::policy::{ReplayEnv, requests_from_event};

/// What was seen through one endpoint.
#[derive(Debug, Clone, Default)]
pub struct EndpointFacts {
    /// Distinct requests → how many times each was seen (add with [`EndpointFacts::add`]). A hash map whose
    /// keys carry their hash: folding a record hashes its request once, and growing the table or merging
    /// workers never hashes it again (an ordered map compared each request with ~log2(n) others
    /// sharing long prefixes: a quarter of `report`'s time). Readers that need an order take
    /// [`EndpointFacts::sorted`].
    pub requests: HashMap<HashedRequest, u64, BuildHasherDefault<KnownHash>>,
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
        self.requests.values().sum()
    }

    /// The distinct requests with their counts, in the requests' order (what generation, verification and
    /// comparison iterate, so their output does not depend on the hash map's order).
    pub fn sorted(&self) -> Vec<(&ObservedRequest, u64)> {
        let mut sorted: Vec<(&ObservedRequest, u64)> = self.requests.iter().map(|(r, n)| (&r.request, *n)).collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
        sorted
    }

    /// Counts `n` more of `request`.
    pub fn add(&mut self, request: ObservedRequest, n: u64) {
        *self.requests.entry(HashedRequest::new(request)).or_default() += n;
    }

    fn merge(&mut self, other: EndpointFacts) {
        self.requests.reserve(other.requests.len());
        for (request, n) in other.requests {
            *self.requests.entry(request).or_default() += n;
        }
        self.regions.extend(other.regions);
        self.without_access += other.without_access;
        self.network_activity_without_resource += other.network_activity_without_resource;
    }
}

/// The accumulator.
#[derive(Debug, Clone)]
pub struct ProposeFacts {
    env: Arc<ReplayEnv>,
    pub endpoints: BTreeMap<String, EndpointFacts>,
    pub trusted: TrustedSet,
}

impl ProposeFacts {
    /// An empty accumulator; `trusted` comes from the settings (observations are added as events arrive).
    pub fn new(env: Arc<ReplayEnv>, trusted: TrustedSet) -> ProposeFacts {
        ProposeFacts { env, endpoints: BTreeMap::new(), trusted }
    }
}

impl Analyzer for ProposeFacts {
    fn observe(&mut self, record: &Record<'_>) {
        let event = record.event();
        self.trusted.observe(event);
        let Some(vpce) = &event.vpce else { return };
        // Look up before inserting: `entry` would clone the endpoint id for every record.
        if !self.endpoints.contains_key(vpce) {
            self.endpoints.insert(vpce.clone(), EndpointFacts::default());
        }
        let Some(facts) = self.endpoints.get_mut(vpce) else { return };
        if let Some(region) = &event.region
            && !facts.regions.contains(region)
        {
            facts.regions.insert(region.clone());
        }
        let requests = requests_from_event(event, &self.env);
        if requests.is_empty() {
            facts.without_access += 1;
            return;
        }
        if event.is_network_activity() && requests.iter().all(|r| r.resource.is_none()) {
            facts.network_activity_without_resource += 1;
        }
        let outcome = match event.outcome {
            Outcome::Success => Observed::Success,
            Outcome::Denied { .. } => Observed::Denied,
            Outcome::Error { .. } => Observed::Error,
        };
        let accesses = requests.into_iter().map(ObservedAccess::from_request).collect();
        facts.add(ObservedRequest { outcome, accesses, network_activity: event.is_network_activity() }, 1);
    }

    fn merge(&mut self, other: ProposeFacts) {
        self.trusted.merge(other.trusted);
        for (vpce, facts) in other.endpoints {
            self.endpoints.entry(vpce).or_default().merge(facts);
        }
    }
}

/// An observed request with its 64-bit xxh3 hash (per-run random seed: the requests are attacker-controlled, so
/// where they land in the table must not be predictable offline), computed once. Growing the table or merging
/// workers never hashes a request again; two keys are equal when their hashes are and then their requests
/// compare equal in full, so a collision costs one comparison and can never merge two different requests.
#[derive(Debug, Clone)]
pub struct HashedRequest {
    hash: u64,
    pub request: ObservedRequest,
}

impl HashedRequest {
    pub fn new(request: ObservedRequest) -> HashedRequest {
        static SEED: OnceLock<u64> = OnceLock::new();
        let seed = *SEED.get_or_init(|| RandomState::new().hash_one(0x7472_6169_6c5f_7670_u64));
        let mut hasher = Xxh3::with_seed(seed);
        request.hash(&mut hasher);
        HashedRequest { hash: hasher.digest(), request }
    }
}

impl PartialEq for HashedRequest {
    fn eq(&self, other: &HashedRequest) -> bool {
        self.hash == other.hash && self.request == other.request
    }
}

impl Eq for HashedRequest {}

impl Hash for HashedRequest {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// The hasher of [`HashedRequest`] keys: passes their precomputed hash through.
#[derive(Debug, Default, Clone, Copy)]
pub struct KnownHash(u64);

impl Hasher for KnownHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used (by `HashedRequest`); fold anything else in rather than drop it.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(action: &str, outcome: Observed) -> ObservedRequest {
        let mut policy_request = crate::policy::Request::new(action);
        policy_request.resource = Some("arn:aws:s3:::b/k".to_owned());
        policy_request.context.insert("aws:PrincipalAccount", "111122223333");
        let access = ObservedAccess::from_request(policy_request);
        ObservedRequest { outcome, network_activity: false, accesses: vec![access] }
    }

    /// The same request counts once however often it comes; any difference (action, outcome) is another key;
    /// merged facts equal facts folded in one; `sorted` is in the requests' order (outcome first).
    #[test]
    fn requests_are_keyed_by_their_content() {
        let mut a = EndpointFacts::default();
        a.add(request("s3:GetObject", Observed::Success), 1);
        a.add(request("s3:GetObject", Observed::Success), 2);
        a.add(request("s3:GetObject", Observed::Denied), 1);
        let mut b = EndpointFacts::default();
        b.add(request("s3:PutObject", Observed::Success), 1);
        b.add(request("s3:GetObject", Observed::Success), 4);
        a.merge(b);
        let got: Vec<(String, Observed, u64)> =
            a.sorted().into_iter().map(|(r, n)| (r.accesses[0].action.clone(), r.outcome, n)).collect();
        assert_eq!(
            got,
            [
                ("s3:GetObject".to_owned(), Observed::Success, 7),
                ("s3:PutObject".to_owned(), Observed::Success, 1),
                ("s3:GetObject".to_owned(), Observed::Denied, 1),
            ]
        );
        assert_eq!(a.observed(), 9);
    }

    /// Two different requests whose hashes collide stay two keys: equality compares the requests in full.
    #[test]
    fn a_hash_collision_never_merges_two_requests() {
        let get = HashedRequest { hash: 7, request: request("s3:GetObject", Observed::Success) };
        let put = HashedRequest { hash: 7, request: request("s3:PutObject", Observed::Success) };
        assert_ne!(get, put);
        let mut facts = EndpointFacts::default();
        facts.requests.insert(get.clone(), 1);
        facts.requests.insert(put, 1);
        *facts.requests.entry(get).or_default() += 1;
        assert_eq!(facts.requests.len(), 2);
        assert_eq!(facts.observed(), 3);
    }
}
