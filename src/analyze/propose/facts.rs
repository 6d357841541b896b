//! The `propose` accumulator: per endpoint, every distinct observed request (as the policy engine sees it)
//! with how it ended and how often, plus the regions and owners seen and the trusted set's observations.
//! Generation is a pure function of these facts (see [`super::generate`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::observed::{Observed, ObservedAccess, ObservedRequest};
use crate::analyze::trust::TrustedSet;
use crate::ingest::Analyzer;
use crate::model::{Outcome, Record};
use crate::policy::{ReplayEnv, requests_from_event};

/// What was seen through one endpoint.
#[derive(Debug, Clone, Default)]
pub struct EndpointFacts {
    /// Distinct requests → how many times each was seen. A hash map: folding a record costs one hash of its
    /// request, where an ordered map compared it with ~log2(n) others sharing long prefixes (the principal,
    /// the bucket: a quarter of `report`'s time). Readers that need an order take [`EndpointFacts::sorted`].
    pub requests: HashMap<ObservedRequest, u64>,
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
        let mut sorted: Vec<(&ObservedRequest, u64)> = self.requests.iter().map(|(r, n)| (r, *n)).collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
        sorted
    }

    fn merge(&mut self, other: EndpointFacts) {
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
        let facts = self.endpoints.entry(vpce.clone()).or_default();
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
        let accesses = requests.iter().map(ObservedAccess::from_request).collect();
        *facts
            .requests
            .entry(ObservedRequest { outcome, accesses, network_activity: event.is_network_activity() })
            .or_default() += 1;
    }

    fn merge(&mut self, other: ProposeFacts) {
        self.trusted.merge(other.trusted);
        for (vpce, facts) in other.endpoints {
            self.endpoints.entry(vpce).or_default().merge(facts);
        }
    }
}
