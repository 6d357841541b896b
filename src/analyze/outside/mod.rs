//! `outside`: traffic that bypassed the VPC endpoints, and traffic that left through them.
//!
//! Four kinds of finding ([`Kind`]): a request to an endpoint-bound resource that did not come through an
//! endpoint (bypass); a request through an endpoint to another account's resource (foreign-resource); a
//! principal of another account using our endpoint (foreign-principal); a successful request the given
//! endpoint policy would refuse (out-of-policy).
//!
//! Whether a resource is endpoint-bound and which accounts are trusted both depend on the whole input (a
//! bucket seen through an endpoint on day 3 makes day 1's internet access a bypass). So `observe` folds
//! requests into candidate groups keyed by principal × resource × endpoint × outcome, plus per-resource and
//! per-principal facts; [`Outside::report`] decides. Memory is bounded by distinct resources, principals and
//! endpoints, never by records.
//!
//! Who operates an endpoint is also only known at the end (`ownership`): requests through an endpoint AWS
//! operates (a console backend) or another account owns are kept with their endpoint id and judged at the
//! end as requests that came through none of the customer's endpoints.

mod group;
mod network;
mod report;
mod rows;
mod rules;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

pub use network::{Network, classify_network, is_protected, is_service_request, resource_key};
pub use report::{AwsOwnedBucket, BoundResource, Finding, OutsideReport, Totals};
pub use rules::{Bound, Kind, Severity, bypass_severity, endpoint_bound};

use super::aws_owned::{AwsOwned, s3_bucket_of};
use super::classify::DenyKind;
use super::denied::{ReplayVerdict, Replayer};
use super::trust::TrustedSet;
use crate::ingest::{Analyzer, EndpointNetwork};
use crate::model::{AccountId, Event, EventCategory, LogKind, Outcome, PrincipalType, Record, VpceId};
use group::{EventActions, Group, merge_groups};

/// What the analysis needs besides the logs.
#[derive(Clone, Default)]
pub struct OutsideConfig {
    /// ARNs the user says must only be reached through an endpoint (a bucket ARN covers its objects).
    pub protect: Vec<String>,
    /// VPC networks behind the configured S3 endpoints (access-log lines from them came through one).
    pub networks: Vec<EndpointNetwork>,
    /// The configured trusted set (observed accounts are added while reading).
    pub trusted: TrustedSet,
    /// Replays successful requests through the endpoint policies given (`--policy`, config).
    pub replayer: Option<Arc<dyn Replayer>>,
    /// AWS-owned buckets (with the configured `aws_owned_buckets`): never foreign resources.
    pub aws_owned: Arc<AwsOwned>,
    /// `--verify`: findings remember the files their requests came from.
    pub track_files: bool,
}

/// A request outside any endpoint, grouped: a bypass when its resource turns out endpoint-bound.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct OutsideKey {
    principal: String,
    resource: String,
    allowed: bool,
    log: LogKind,
    protected: bool,
}

/// A request through an endpoint, grouped: foreign-resource / foreign-principal once trust is known, or a
/// bypass candidate once the endpoint turns out not to be the customer's.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ThroughKey {
    principal: String,
    /// The principal is a credential holder (see `credential_label`).
    credential: bool,
    /// The resource is protected by configuration (as `OutsideKey::protected`).
    protected: bool,
    principal_account: Option<AccountId<'static>>,
    vpce: Option<VpceId<'static>>,
    resource: Option<String>,
    allowed: bool,
    log: LogKind,
    network_activity: bool,
}

/// A successful request through an endpoint that its policy would refuse.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct PolicyKey {
    principal: String,
    vpce: VpceId<'static>,
    resource: Option<String>,
    log: LogKind,
    deny: DenyKind,
    statement: Option<String>,
}

/// What the input shows about one resource.
#[derive(Debug, Clone, Default)]
struct ResourceFacts {
    /// Endpoints it was reached through successfully.
    vpces: BTreeSet<VpceId<'static>>,
    /// Reached successfully through an endpoint the log does not name (access-log private address).
    some_endpoint: bool,
    /// Owner accounts any record named.
    owners: BTreeSet<AccountId<'static>>,
    /// A record listed it without an owner (CloudTrail's `accountId: ""` in a cross-account caller's copy).
    listed_without_owner: bool,
}

/// Plain counters.
#[derive(Debug, Clone, Default)]
struct Counts {
    requests: u64,
    service_principal_requests: u64,
    aws_owned_requests: u64,
    through_endpoint: u64,
    outside_endpoint: u64,
    other_errors: u64,
    without_resource_outside: u64,
    data_events: u64,
    network_activity: u64,
    access_log_lines: u64,
    access_log_some_endpoint: u64,
    replayed: u64,
    replay_undecided: u64,
}

/// The accumulator.
#[derive(Default)]
pub struct Outside {
    config: Arc<OutsideConfig>,
    trust: TrustedSet,
    resources: HashMap<String, ResourceFacts>,
    /// Requests through each named endpoint (moved to the outside totals when it is not the customer's).
    through_by_vpce: HashMap<VpceId<'static>, u64>,
    outside: HashMap<OutsideKey, Group>,
    through: HashMap<ThroughKey, Group>,
    out_of_policy: HashMap<PolicyKey, Group>,
    aws_owned: BTreeMap<String, (&'static str, u64)>,
    counts: Counts,
    /// `--verify`: the unit of the record being observed (a reused buffer).
    file: Option<String>,
}

impl Outside {
    pub fn new(config: Arc<OutsideConfig>) -> Outside {
        Outside { trust: config.trusted.clone(), config, ..Outside::default() }
    }
}

impl Analyzer for Outside {
    fn observe(&mut self, record: &Record<'_>) {
        if self.config.track_files {
            let file = self.file.get_or_insert_with(String::new);
            file.clear();
            file.push_str(record.unit());
        }
        let event = record.event();
        self.trust.observe(event);
        self.counts.requests += 1;
        match event.kind {
            LogKind::S3AccessLog => self.counts.access_log_lines += 1,
            LogKind::CloudTrail if event.is_network_activity() => self.counts.network_activity += 1,
            LogKind::CloudTrail if event.category == EventCategory::Data => self.counts.data_events += 1,
            LogKind::CloudTrail => {}
        }
        if is_service_request(&event.principal, event.source_ip.as_deref()) {
            self.counts.service_principal_requests += 1;
            return;
        }
        let network =
            classify_network(event.kind, event.vpce.as_ref(), event.source_ip.as_deref(), &self.config.networks);
        let keys = network::request_keys(event);
        if network.through_endpoint() {
            self.counts.through_endpoint += 1;
            if network == Network::SomeEndpoint {
                self.counts.access_log_some_endpoint += 1;
            }
            self.through_endpoint(event, &network, &keys);
        } else {
            self.counts.outside_endpoint += 1;
            self.outside_endpoint(event, &keys);
        }
    }

    fn merge(&mut self, other: Outside) {
        self.trust.merge(other.trust);
        for (key, theirs) in other.resources {
            let ours = self.resources.entry(key).or_default();
            ours.vpces.extend(theirs.vpces);
            ours.some_endpoint |= theirs.some_endpoint;
            ours.owners.extend(theirs.owners);
            ours.listed_without_owner |= theirs.listed_without_owner;
        }
        for (vpce, n) in other.through_by_vpce {
            *self.through_by_vpce.entry(vpce).or_default() += n;
        }
        merge_groups(&mut self.outside, other.outside);
        merge_groups(&mut self.through, other.through);
        merge_groups(&mut self.out_of_policy, other.out_of_policy);
        for (bucket, (service, n)) in other.aws_owned {
            self.aws_owned.entry(bucket).or_insert((service, 0)).1 += n;
        }
        let (a, b) = (&mut self.counts, other.counts);
        a.requests += b.requests;
        a.service_principal_requests += b.service_principal_requests;
        a.aws_owned_requests += b.aws_owned_requests;
        a.through_endpoint += b.through_endpoint;
        a.outside_endpoint += b.outside_endpoint;
        a.other_errors += b.other_errors;
        a.without_resource_outside += b.without_resource_outside;
        a.data_events += b.data_events;
        a.network_activity += b.network_activity;
        a.access_log_lines += b.access_log_lines;
        a.access_log_some_endpoint += b.access_log_some_endpoint;
        a.replayed += b.replayed;
        a.replay_undecided += b.replay_undecided;
    }
}

impl Outside {
    fn through_endpoint(&mut self, event: &Event, network: &Network<'_>, keys: &[String]) {
        let principal = &event.principal;
        if let Some(vpce) = network.vpce() {
            match self.through_by_vpce.get_mut(vpce.as_str()) {
                Some(n) => *n += 1,
                None => {
                    self.through_by_vpce.insert(vpce.to_static(), 1);
                }
            }
        }
        let credential = is_credential_holder(event);
        let protected_keys = network::protected_keys(event, &self.config.protect);
        let mut owned = false;
        let mut keys_left = Vec::with_capacity(keys.len());
        for key in keys {
            if let Some(service) = s3_bucket_of(key).and_then(|b| self.config.aws_owned.bucket(b)) {
                owned = true;
                let bucket = s3_bucket_of(key).unwrap_or(key).to_owned();
                self.aws_owned.entry(bucket).or_insert((service, 0)).1 += 1;
            } else {
                keys_left.push(key.as_str());
            }
        }
        if owned {
            self.counts.aws_owned_requests += 1;
        }
        let Some(allowed) = allowed(&event.outcome) else {
            self.counts.other_errors += 1;
            return;
        };
        let na = event.is_network_activity();
        let listing = network::Listing::of(event);
        for key in &keys_left {
            let facts = self.resources.entry((*key).to_owned()).or_default();
            match listing.owner(key) {
                Some(owner) => {
                    facts.owners.insert(owner);
                }
                None => facts.listed_without_owner |= listing.listed(key),
            }
            if allowed && !na {
                match network.vpce() {
                    Some(vpce) => {
                        if !facts.vpces.contains(vpce.as_str()) {
                            facts.vpces.insert(vpce.to_static());
                        }
                    }
                    None => facts.some_endpoint = true,
                }
            }
        }
        let resources: Vec<Option<&str>> =
            if keys_left.is_empty() && !owned { vec![None] } else { keys_left.iter().map(|k| Some(*k)).collect() };
        let actions = EventActions::of(event);
        for resource in resources {
            let protected = resource.is_some_and(|key| protected_keys.binary_search(&key).is_ok());
            let key = ThroughKey {
                principal: principal.label(),
                credential,
                protected,
                principal_account: principal.account.clone().filter(|a| !a.is_empty()),
                vpce: network.vpce().map(VpceId::to_static),
                resource: resource.map(str::to_owned),
                allowed,
                log: event.kind,
                network_activity: na,
            };
            self.through.entry(key).or_default().add(event, &actions, self.file.as_deref());
        }
        if allowed && !na {
            self.replay(event, network, &keys_left);
        }
    }

    fn replay(&mut self, event: &Event, network: &Network<'_>, keys: &[&str]) {
        let (Some(replayer), Some(vpce)) = (&self.config.replayer, network.vpce()) else { return };
        let Some(verdict) = replayer.replay(event) else { return };
        self.counts.replayed += 1;
        let (deny, statement) = match verdict {
            ReplayVerdict::Allowed => return,
            ReplayVerdict::Undecided => {
                self.counts.replay_undecided += 1;
                return;
            }
            ReplayVerdict::Denied { deny, statement } => (deny, statement),
        };
        let resources: Vec<Option<&str>> =
            if keys.is_empty() { vec![None] } else { keys.iter().map(|k| Some(*k)).collect() };
        let actions = EventActions::of(event);
        for resource in resources {
            let key = PolicyKey {
                principal: event.principal.label(),
                vpce: vpce.to_static(),
                resource: resource.map(str::to_owned),
                log: event.kind,
                deny,
                statement: statement.clone(),
            };
            self.out_of_policy.entry(key).or_default().add(event, &actions, self.file.as_deref());
        }
    }

    fn outside_endpoint(&mut self, event: &Event, keys: &[String]) {
        let Some(allowed) = allowed(&event.outcome) else {
            self.counts.other_errors += 1;
            return;
        };
        if keys.is_empty() {
            self.counts.without_resource_outside += 1;
            return;
        }
        let listing = network::Listing::of(event);
        let protected_keys = network::protected_keys(event, &self.config.protect);
        let actions = EventActions::of(event);
        for key in keys {
            let protected = protected_keys.binary_search(&key.as_str()).is_ok();
            let outside_key = OutsideKey {
                principal: event.principal.label(),
                resource: key.clone(),
                allowed,
                log: event.kind,
                protected,
            };
            self.outside.entry(outside_key).or_default().add(event, &actions, self.file.as_deref());
            if let Some(owner) = listing.owner(key) {
                self.resources.entry(key.clone()).or_default().owners.insert(owner);
            }
        }
    }
}

/// `Some(true)` for success, `Some(false)` for an authorization failure, `None` for other errors (which say
/// nothing about who may reach what).
fn allowed(outcome: &Outcome) -> Option<bool> {
    match outcome {
        Outcome::Success => Some(true),
        Outcome::Denied { .. } => Some(false),
        Outcome::Error { .. } => None,
    }
}

/// Whether the principal is a credential holder (for "seen through an endpoint and from the internet"): only
/// identities with an ARN; anonymous callers and bare account ids are nobody in particular.
fn is_credential_holder(event: &Event) -> bool {
    let p = &event.principal;
    p.arn.is_some() && p.kind != PrincipalType::Anonymous
}
