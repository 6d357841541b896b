//! `denied`: every denied request, classified (cause, deny kind, evidence), paired with its network activity
//! event when both logs saw it, replayed through the endpoint's policy when one is given, and grouped.
//!
//! Who operates each endpoint is decided at the end (`ownership`): [`Denied::report`] re-reads every group
//! and request through an endpoint that is not the customer's as not through any of theirs, so such a denial
//! is never `vpce-policy` (unless a network activity event of the customer's own endpoint paired with it).
//!
//! Memory: final classifications fold straight into groups (bounded by distinct group keys). Only denials
//! whose cause can still change (plain denials through an endpoint, and `VpceAccessDenied` network activity
//! events, which pair up with them) are kept per request until the end, plus every denial when ndjson output
//! asks for one line per request.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Serialize;

use super::classify::{Cause, Classification, DenyKind, Evidence, classify};
use super::integrity::{Integrity, IntegrityCounts, SourceFiles};
use super::series::Series;
use crate::ingest::Analyzer;
use crate::model::{Event, Outcome, Record, Timestamp, VpceId};
use crate::ownership::Ownership;
use group::{Group, GroupKey};

/// Replays a request through the endpoint policy given for its endpoint.
pub trait Replayer: Send + Sync {
    /// `None` when no policy is known for the request's endpoint.
    fn replay(&self, event: &Event) -> Option<ReplayVerdict>;
}

/// What the endpoint policy says about a denied request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplayVerdict {
    /// The endpoint policy denies it: the endpoint is the cause.
    Denied { deny: DenyKind, statement: Option<String> },
    /// The endpoint policy allows it: something else denied it.
    Allowed,
    /// The outcome depends on context the logs cannot supply.
    Undecided,
}

/// Which dimensions rows are grouped by (cause, deny kind and evidence always are).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupBy {
    pub vpce: bool,
    pub principal: bool,
    pub action: bool,
    pub resource: bool,
}

impl Default for GroupBy {
    fn default() -> Self {
        GroupBy { vpce: true, principal: true, action: true, resource: true }
    }
}

/// Settings for the analysis.
#[derive(Clone, Default)]
pub struct DeniedConfig {
    pub all_causes: bool,
    pub group_by: GroupBy,
    /// Keep one record per denied request (ndjson output).
    pub per_request: bool,
    pub replayer: Option<Arc<dyn Replayer>>,
    /// `--verify`: requests remember the file they came from.
    pub track_files: bool,
    /// `report`: count each denial in the time series by endpoint, time and settled cause.
    pub series: bool,
}

/// One denied request, after classification.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DeniedRequest {
    pub time: Option<Timestamp>,
    pub cause: Cause,
    pub deny: DenyKind,
    pub evidence: Evidence,
    pub vpce: Option<VpceId<'static>>,
    /// The operator of an endpoint that is not the customer's (`aws:console`, `foreign:<account>`); `vpce` is
    /// then empty.
    pub vpce_operator: Option<String>,
    pub principal: String,
    pub action: Option<String>,
    pub resource: Option<String>,
    pub source_ip: Option<String>,
    pub statement: Option<String>,
    pub policy_arn: Option<String>,
    pub event_id: Option<String>,
    /// The other record of the same request (the network activity event it was paired with).
    pub paired_event_id: Option<String>,
    pub error_code: String,
    pub log: &'static str,
    pub service_principal: bool,
    /// A replay of the endpoint's policy allows the request: the endpoint did not deny it.
    pub endpoint_ruled_out: bool,
    /// With `--verify`: the file the request's record came from, and that file's integrity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrity: Option<Integrity>,
}

impl DeniedRequest {
    /// Unknown cause, through a customer endpoint, not ruled out: possibly the endpoint policy.
    pub fn possibly_vpce(&self) -> bool {
        self.cause == Cause::Unknown && self.vpce.is_some() && !self.service_principal && !self.endpoint_ruled_out
    }

    /// Whether the default view (without `--all-causes`) shows it.
    pub fn shown_by_default(&self) -> bool {
        self.cause == Cause::VpcePolicy || self.possibly_vpce()
    }
}

/// Requests that may be two records of one request: same endpoint, principal, operation and second.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct PairKey {
    vpce: VpceId<'static>,
    principal: String,
    event_source: String,
    event_name: String,
    /// The request time, in whole seconds.
    second: i64,
}

#[derive(Default)]
struct Pending {
    network_activity: Vec<DeniedRequest>,
    plain: Vec<DeniedRequest>,
}

/// The accumulator.
#[derive(Default)]
pub struct Denied {
    config: DeniedConfig,
    groups: HashMap<GroupKey, Group>,
    pending: HashMap<PairKey, Pending>,
    requests: Vec<DeniedRequest>,
    by_cause: BTreeMap<Cause, u64>,
    denied_requests: u64,
    service_principal_denials: u64,
    data_events: u64,
    network_activity_events: u64,
    /// Plain denials through each endpoint that had no policy to replay.
    unreplayed_plain_through_endpoint: HashMap<VpceId<'static>, u64>,
    /// With `config.series`: denials by endpoint, time bucket and cause.
    series: Series,
}

impl Denied {
    pub fn new(config: DeniedConfig) -> Denied {
        Denied { config, ..Denied::default() }
    }
}

impl Analyzer for Denied {
    /// Every record is tallied (data and network activity events); only denials are classified, so only
    /// their full events are built.
    fn observe(&mut self, record: &Record<'_>) {
        self.observe_from(self.config.track_files.then_some(record.unit()), record);
    }

    fn merge(&mut self, other: Denied) {
        for (key, theirs) in other.groups {
            self.groups.entry(key).or_default().merge(theirs);
        }
        for (key, theirs) in other.pending {
            let ours = self.pending.entry(key).or_default();
            ours.network_activity.extend(theirs.network_activity);
            ours.plain.extend(theirs.plain);
        }
        self.requests.extend(other.requests);
        for (cause, count) in other.by_cause {
            *self.by_cause.entry(cause).or_default() += count;
        }
        self.denied_requests += other.denied_requests;
        self.service_principal_denials += other.service_principal_denials;
        self.data_events += other.data_events;
        self.network_activity_events += other.network_activity_events;
        for (vpce, n) in other.unreplayed_plain_through_endpoint {
            *self.unreplayed_plain_through_endpoint.entry(vpce).or_default() += n;
        }
        self.series.merge(other.series);
    }
}

impl Denied {
    fn observe_from(&mut self, unit: Option<&str>, record: &Record<'_>) {
        let head = record.head();
        if head.is_data_event() {
            self.data_events += 1;
        }
        if head.is_network_activity() {
            self.network_activity_events += 1;
        }
        if !head.is_denied() {
            return;
        }
        let event = record.event();
        let Some(verdict) = classify(event) else { return };
        let mut request = denied_request(event, &verdict);
        request.source_file = unit.map(str::to_owned);
        let pairable = event.time.is_some() && request.vpce.is_some();
        if event.is_network_activity() && request.cause == Cause::VpcePolicy && pairable {
            self.pending.entry(pair_key(event, &request)).or_default().network_activity.push(request);
            return;
        }
        if request.cause == Cause::Unknown && request.vpce.is_some() && !request.service_principal {
            match self.config.replayer.as_ref().and_then(|r| r.replay(event)) {
                Some(ReplayVerdict::Denied { deny, statement }) => {
                    request.cause = Cause::VpcePolicy;
                    request.deny = deny;
                    request.evidence = Evidence::PolicyReplay;
                    request.statement = statement;
                }
                Some(ReplayVerdict::Allowed) => request.endpoint_ruled_out = true,
                Some(ReplayVerdict::Undecided) => {}
                None => {
                    let vpce = request.vpce.clone().unwrap_or_default();
                    *self.unreplayed_plain_through_endpoint.entry(vpce).or_default() += 1;
                }
            }
        }
        // A denial through an endpoint may have its network activity twin in the endpoint owner's trail.
        if pairable && matches!(request.cause, Cause::Unknown | Cause::VpcePolicy) {
            self.pending.entry(pair_key(event, &request)).or_default().plain.push(request);
            return;
        }
        self.record(request);
    }
}

fn pair_key(event: &Event, request: &DeniedRequest) -> PairKey {
    PairKey {
        vpce: request.vpce.clone().unwrap_or_default(),
        principal: request.principal.clone(),
        event_source: event.event_source.clone(),
        event_name: event.event_name.clone(),
        second: event.time.map_or(0, |t| t.millis().div_euclid(1000)),
    }
}

fn denied_request(event: &Event, verdict: &Classification) -> DeniedRequest {
    let first_access = event.accesses.first();
    let error_code = match &event.outcome {
        Outcome::Denied { code, .. } | Outcome::Error { code, .. } => code.clone(),
        Outcome::Success => String::new(),
    };
    DeniedRequest {
        time: event.time,
        cause: verdict.cause,
        deny: verdict.deny,
        evidence: verdict.evidence,
        vpce: event.vpce.clone(),
        vpce_operator: None,
        principal: event.principal.label(),
        action: verdict.action.clone().or_else(|| first_access.map(|a| a.action.clone())),
        resource: verdict
            .resource
            .clone()
            .or_else(|| first_access.and_then(|a| a.resource.clone()))
            .or_else(|| event.resources.first().map(|r| r.arn.clone())),
        source_ip: event.source_ip.clone(),
        statement: None,
        policy_arn: verdict.policy_arn.clone(),
        event_id: event.event_id.clone(),
        paired_event_id: None,
        error_code,
        log: event.kind.evidence_name(),
        service_principal: verdict.service_principal,
        endpoint_ruled_out: false,
        source_file: None,
        integrity: None,
    }
}

impl Denied {
    fn record(&mut self, request: DeniedRequest) {
        self.denied_requests += 1;
        *self.by_cause.entry(request.cause).or_default() += 1;
        if request.service_principal {
            self.service_principal_denials += 1;
        }
        if self.config.series
            && let Some(vpce) = &request.vpce
        {
            let network_activity = request.evidence == Evidence::NetworkActivity;
            self.series.add_denial(vpce, request.time, request.cause, network_activity);
        }
        if self.config.all_causes || request.shown_by_default() {
            let key = GroupKey::of(&request, self.config.group_by);
            self.groups.entry(key).or_default().add(&request);
            if self.config.per_request {
                self.requests.push(request);
            }
        }
    }

    /// Pairs network activity events with the plain denials they explain, then folds everything pending.
    fn settle(&mut self) {
        let mut pending: Vec<(PairKey, Pending)> = self.pending.drain().collect();
        pending.sort_by(|a, b| a.0.cmp(&b.0));
        for (_, mut set) in pending {
            set.network_activity.sort();
            set.plain.sort();
            let pairs = set.network_activity.len().min(set.plain.len());
            let unpaired_na = set.network_activity.split_off(pairs);
            for (na, mut plain) in set.network_activity.into_iter().zip(set.plain.drain(..pairs)) {
                // The network activity event is direct evidence; a message naming the endpoint policy is too.
                if plain.evidence != Evidence::ErrorMessage {
                    plain.evidence = Evidence::NetworkActivity;
                }
                plain.cause = Cause::VpcePolicy;
                plain.endpoint_ruled_out = false;
                plain.paired_event_id = na.event_id;
                self.record(plain);
            }
            for request in unpaired_na.into_iter().chain(set.plain) {
                self.record(request);
            }
        }
    }
}

/// The operator label of `vpce` when it is not one of the customer's endpoints.
fn not_customer(ownership: &Ownership, vpce: Option<&VpceId<'_>>) -> Option<String> {
    ownership.operator_label(vpce?)
}

fn move_count(by_cause: &mut BTreeMap<Cause, u64>, from: Cause, to: Cause, n: u64) {
    if let Some(count) = by_cause.get_mut(&from) {
        *count = count.saturating_sub(n);
    }
    *by_cause.entry(to).or_default() += n;
}

/// One row of the report (the JSON contract's `denials[]`).
#[derive(Debug, Clone, Serialize)]
pub struct DenialRow {
    pub cause: Cause,
    pub deny: DenyKind,
    pub evidence: Evidence,
    pub vpce: Option<VpceId<'static>>,
    /// The operator of an endpoint that is not the customer's (`aws:console`, `foreign:<account>`).
    pub vpce_operator: Option<String>,
    pub principal: Option<String>,
    pub action: Option<String>,
    pub resource: Option<String>,
    pub count: u64,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    pub source_ips: Vec<String>,
    pub statement: Option<String>,
    pub sample_event_id: Option<String>,
    /// Unknown cause through a customer endpoint: the endpoint policy may be the cause.
    pub possibly_vpce: bool,
    pub service_principal: bool,
    pub endpoint_ruled_out: bool,
    pub logs: Vec<&'static str>,
    pub policy_arns: Vec<String>,
    /// With `--verify`: the weakest integrity among the row's source files, and its requests by integrity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrity: Option<Integrity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrity_counts: Option<IntegrityCounts>,
    /// The row's source files (kept with `--verify` until the files are judged).
    #[serde(skip)]
    pub source_files: SourceFiles,
}

/// The report body.
#[derive(Debug, Serialize)]
pub struct DeniedReport {
    pub denials: Vec<DenialRow>,
    pub totals: Totals,
    pub notes: Vec<String>,
    /// One entry per denied request shown (only kept for ndjson output).
    #[serde(skip)]
    pub requests: Vec<DeniedRequest>,
    /// With `--verify`: the files judged and the shown requests by their source file's integrity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrity: Option<super::integrity::IntegritySummary>,
    /// With `series` (`report`): denials by endpoint, time bucket and cause, ownership applied.
    #[serde(skip)]
    pub series: Series,
}

#[derive(Debug, Serialize)]
pub struct Totals {
    /// Every denied request in the input (after pairing network activity events with the data events they
    /// explain), whatever the view shows.
    pub denied_requests: u64,
    pub by_cause: BTreeMap<&'static str, u64>,
    pub service_principal_denials: u64,
    /// Rows and requests in this view (`--all-causes` or the default endpoint view).
    pub shown_requests: u64,
}

impl Denied {
    /// Settles pending pairs, applies endpoint ownership and builds the report, rows sorted by count (then
    /// key), at most `top` rows.
    pub fn report(mut self, top: Option<usize>, ownership: &Ownership) -> DeniedReport {
        self.settle();
        let mut groups: HashMap<GroupKey, Group> = HashMap::with_capacity(self.groups.len());
        for (mut key, group) in self.groups.drain() {
            if let Some(operator) = not_customer(ownership, key.vpce.as_ref()) {
                key.vpce = None;
                key.vpce_operator = Some(operator);
                if key.cause == Cause::VpcePolicy && key.evidence != Evidence::NetworkActivity {
                    key.cause = Cause::OtherEndpointPolicy;
                    move_count(&mut self.by_cause, Cause::VpcePolicy, Cause::OtherEndpointPolicy, group.count);
                }
                key.possibly_vpce = false;
                if !self.config.all_causes && key.cause != Cause::VpcePolicy {
                    continue;
                }
            }
            if !self.config.group_by.vpce {
                key.vpce = None;
                key.vpce_operator = None;
            }
            groups.entry(key).or_default().merge(group);
        }
        for request in &mut self.requests {
            if let Some(operator) = not_customer(ownership, request.vpce.as_ref()) {
                request.vpce = None;
                request.vpce_operator = Some(operator);
                if request.cause == Cause::VpcePolicy && request.evidence != Evidence::NetworkActivity {
                    request.cause = Cause::OtherEndpointPolicy;
                }
            }
        }
        if !self.config.all_causes {
            self.requests.retain(DeniedRequest::shown_by_default);
        }
        let unreplayed: u64 = self
            .unreplayed_plain_through_endpoint
            .iter()
            .filter(|(vpce, _)| ownership.is_customer_side(vpce))
            .map(|(_, n)| n)
            .sum();
        let mut rows: Vec<(GroupKey, Group)> = groups.into_iter().collect();
        rows.sort_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(&b.0)));
        let shown_requests = rows.iter().map(|(_, g)| g.count).sum();
        let denials = rows
            .into_iter()
            .take(top.unwrap_or(usize::MAX))
            .map(|(key, group)| DenialRow {
                cause: key.cause,
                deny: key.deny,
                evidence: key.evidence,
                vpce: key.vpce,
                vpce_operator: key.vpce_operator,
                principal: key.principal,
                action: key.action,
                resource: key.resource,
                count: group.count,
                first_seen: group.first_seen,
                last_seen: group.last_seen,
                source_ips: group.source_ips.into_iter().collect(),
                statement: key.statement,
                sample_event_id: group.sample_event_id,
                possibly_vpce: key.possibly_vpce,
                service_principal: key.service_principal,
                endpoint_ruled_out: key.endpoint_ruled_out,
                logs: group.logs.into_iter().collect(),
                policy_arns: group.policy_arns.into_iter().collect(),
                integrity: None,
                integrity_counts: None,
                source_files: group.files,
            })
            .collect();
        let by_cause =
            Cause::ALL.iter().map(|cause| (cause.as_str(), self.by_cause.get(cause).copied().unwrap_or(0))).collect();
        let mut notes = Vec::new();
        if self.data_events == 0 {
            notes.push("no data events in input: denials of object- and item-level calls (GetObject, PutItem...) cannot appear".to_owned());
        }
        if self.network_activity_events == 0 {
            notes.push("no network activity events in input: endpoint denials are known only from error messages or policy replay".to_owned());
        }
        if unreplayed > 0 {
            notes.push(format!(
                "{unreplayed} plain \"Access Denied\" requests through endpoints had no policy to replay: give --policy VPCE=FILE to settle them"
            ));
        }
        let other_endpoint = self.by_cause.get(&Cause::OtherEndpointPolicy).copied().unwrap_or(0);
        if other_endpoint > 0 {
            notes.push(format!(
                "{other_endpoint} denials name a VPC endpoint policy of an endpoint that is not yours (AWS-operated \
                 or another account's): cause other-endpoint-policy, not your endpoint policies"
            ));
        }
        if self.service_principal_denials > 0 {
            notes.push(format!(
                "{} denials of AWS service principals (through AWS-side endpoints): not attributed to your endpoint policies",
                self.service_principal_denials
            ));
        }
        self.requests.sort();
        self.series.reassign(|vpce| !ownership.is_customer_side(vpce));
        DeniedReport {
            denials,
            totals: Totals {
                denied_requests: self.denied_requests,
                by_cause,
                service_principal_denials: self.service_principal_denials,
                shown_requests,
            },
            notes,
            requests: self.requests,
            integrity: None,
            series: self.series,
        }
    }
}

mod group;
mod integrity;
mod rows;
#[cfg(test)]
mod tests;
