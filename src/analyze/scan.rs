//! `scan`: the inventory. Per endpoint: records, first/last seen, services, top principals and actions,
//! denials, and who operates it (customer endpoints in `endpoints`, AWS-operated and other accounts' apart);
//! plus what came without an endpoint, what the S3 access logs showed, and the aggregated events' summaries.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::counter::{Counted, TopCounter};
use crate::ingest::Analyzer;
use crate::model::{AccountId, Aggregate, Event, EventCategory, LogKind, Record, Timestamp, VpceId};
use crate::ownership::{Basis, OwnerClass, Ownership, Signal};

mod rows;

/// The scan accumulator.
#[derive(Debug, Default)]
pub struct Scan {
    endpoints: BTreeMap<VpceId<'static>, EndpointStats>,
    without_endpoint: u64,
    aws_internal: u64,
    network_activity: u64,
    data_events: u64,
    access_logs: AccessLogStats,
    /// Aggregated events by event source.
    aggregated: BTreeMap<String, AggregatedStats>,
}

#[derive(Debug, Default)]
struct AggregatedStats {
    records: u64,
    requests: u64,
    error_codes: BTreeMap<String, u64>,
}

#[derive(Debug, Default)]
struct EndpointStats {
    accounts: BTreeSet<AccountId<'static>>,
    records: u64,
    denied: u64,
    network_activity: u64,
    first_seen: Option<Timestamp>,
    last_seen: Option<Timestamp>,
    services: BTreeMap<String, u64>,
    principals: TopCounter,
    actions: TopCounter,
}

#[derive(Debug, Default)]
struct AccessLogStats {
    lines: u64,
    denied: u64,
    buckets: BTreeMap<String, u64>,
    private_source: u64,
    public_source: u64,
}

impl Analyzer for Scan {
    fn observe(&mut self, record: &Record<'_>) {
        let head = record.head();
        if head.kind == LogKind::S3AccessLog {
            self.access_logs.observe(record.event());
            return;
        }
        if head.is_network_activity() {
            self.network_activity += 1;
        }
        if head.category == EventCategory::Data {
            self.data_events += 1;
        }
        if head.vpce.is_none() {
            self.without_endpoint += 1;
            if head.aws_internal_endpoint {
                self.aws_internal += 1;
            }
            return;
        }
        let event = record.event();
        let Some(vpce) = &event.vpce else { return };
        let stats = self.endpoints.entry(vpce.clone()).or_default();
        stats.records += 1;
        if let Some(account) = &event.vpce_account {
            stats.accounts.insert(account.clone());
        }
        if event.outcome.is_denied() {
            stats.denied += 1;
        }
        if event.is_network_activity() {
            stats.network_activity += 1;
        }
        if let Some(time) = event.time {
            stats.first_seen = Some(stats.first_seen.map_or(time, |t| t.min(time)));
            stats.last_seen = Some(stats.last_seen.map_or(time, |t| t.max(time)));
        }
        *stats.services.entry(event.event_source.clone()).or_default() += 1;
        stats.principals.add(&event.principal.label(), 1);
        for action in event.actions() {
            stats.actions.add(action, 1);
        }
    }

    fn aggregated(&mut self, aggregate: &Aggregate) {
        let stats = match self.aggregated.get_mut(&aggregate.event_source) {
            Some(stats) => stats,
            None => self.aggregated.entry(aggregate.event_source.clone()).or_default(),
        };
        stats.records += 1;
        stats.requests = stats.requests.saturating_add(aggregate.requests);
        for (code, count) in &aggregate.error_codes {
            let total = match stats.error_codes.get_mut(code) {
                Some(total) => total,
                None => stats.error_codes.entry(code.clone()).or_default(),
            };
            *total = total.saturating_add(*count);
        }
    }

    fn merge(&mut self, other: Scan) {
        for (vpce, theirs) in other.endpoints {
            let ours = self.endpoints.entry(vpce).or_default();
            ours.accounts.extend(theirs.accounts);
            ours.records += theirs.records;
            ours.denied += theirs.denied;
            ours.network_activity += theirs.network_activity;
            ours.first_seen = min_opt(ours.first_seen, theirs.first_seen);
            ours.last_seen = max_opt(ours.last_seen, theirs.last_seen);
            for (service, count) in theirs.services {
                *ours.services.entry(service).or_default() += count;
            }
            ours.principals.merge(theirs.principals);
            ours.actions.merge(theirs.actions);
        }
        self.without_endpoint += other.without_endpoint;
        self.aws_internal += other.aws_internal;
        self.network_activity += other.network_activity;
        self.data_events += other.data_events;
        self.access_logs.lines += other.access_logs.lines;
        self.access_logs.denied += other.access_logs.denied;
        self.access_logs.private_source += other.access_logs.private_source;
        self.access_logs.public_source += other.access_logs.public_source;
        for (bucket, count) in other.access_logs.buckets {
            *self.access_logs.buckets.entry(bucket).or_default() += count;
        }
        for (source, theirs) in other.aggregated {
            let ours = self.aggregated.entry(source).or_default();
            ours.records += theirs.records;
            ours.requests = ours.requests.saturating_add(theirs.requests);
            for (code, count) in theirs.error_codes {
                let total = ours.error_codes.entry(code).or_default();
                *total = total.saturating_add(count);
            }
        }
    }
}

impl AccessLogStats {
    fn observe(&mut self, event: &Event) {
        self.lines += 1;
        if event.outcome.is_denied() {
            self.denied += 1;
        }
        if let Some(bucket) = &event.request.bucket {
            *self.buckets.entry(bucket.clone()).or_default() += 1;
        }
        match event.source_ip.as_deref().and_then(|ip| ip.parse::<std::net::IpAddr>().ok()) {
            Some(ip) if crate::model::is_private_ip(ip) => self.private_source += 1,
            Some(_) => self.public_source += 1,
            None => {}
        }
    }
}

fn min_opt(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn max_opt(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// The scan report body (the command-specific fields of the JSON contract).
#[derive(Debug, Serialize)]
pub struct ScanReport {
    /// The customer's endpoints (and those whose owner the input does not show: `owner: unknown`).
    pub endpoints: Vec<EndpointReport>,
    /// Endpoints AWS operates (console backends, services acting for a caller, deliveries): never the
    /// customer's, listed with the signal that says so.
    pub aws_operated_endpoints: Vec<OtherEndpointReport>,
    /// Endpoints of accounts outside the known ones (`vpcEndpointAccountId`).
    pub foreign_endpoints: Vec<OtherEndpointReport>,
    /// Aggregated events (5-minute summaries, not requests) by event source.
    pub aggregated_events: BTreeMap<String, AggregatedReport>,
    pub without_endpoint: WithoutEndpoint,
    pub network_activity_events: u64,
    pub data_events: u64,
    pub access_logs: AccessLogReport,
    /// What the input could not show (e.g. no data events).
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct EndpointReport {
    pub vpce: VpceId<'static>,
    /// `customer` or `unknown`.
    pub owner: OwnerClass,
    /// Why: `configured`, `owner-account`, `private-traffic`, `mixed-signals`, `no-evidence`, ...
    pub owner_basis: Basis,
    pub accounts: Vec<AccountId<'static>>,
    pub records: u64,
    pub denied: u64,
    pub network_activity: u64,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    pub services: BTreeMap<String, u64>,
    pub top_principals: Vec<Counted>,
    pub top_actions: Vec<Counted>,
}

/// An endpoint that is not the customer's.
#[derive(Debug, Serialize)]
pub struct OtherEndpointReport {
    pub vpce: VpceId<'static>,
    pub owner: OwnerClass,
    pub basis: Basis,
    /// The AWS signal most of its records carry.
    pub signal: Option<Signal>,
    /// `aws:console`, `aws:service`, `aws:delivery`, `foreign:<account>`: how other reports name it.
    pub label: String,
    /// The owner account (`vpcEndpointAccountId`), when the records name one.
    pub account: Option<AccountId<'static>>,
    pub records: u64,
    /// Records carrying each AWS signal.
    pub console_records: u64,
    pub service_records: u64,
    pub delivery_records: u64,
    pub denied: u64,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    pub services: BTreeMap<String, u64>,
    pub top_principals: Vec<Counted>,
}

/// Aggregated events of one event source.
#[derive(Debug, Serialize)]
pub struct AggregatedReport {
    /// Aggregated event records.
    pub records: u64,
    /// Requests they summarize (their primary dimension's counts).
    pub requests: u64,
    /// Summed `errorCodes` statistics.
    pub error_codes: BTreeMap<String, u64>,
}

#[derive(Debug, Serialize)]
pub struct WithoutEndpoint {
    pub records: u64,
    /// Records with `vpcEndpointId: "AWS Internal"` (AWS-side endpoints, not customer ones).
    pub aws_internal: u64,
}

#[derive(Debug, Serialize)]
pub struct AccessLogReport {
    pub lines: u64,
    pub denied: u64,
    pub private_source_ip: u64,
    pub public_source_ip: u64,
    pub buckets: BTreeMap<String, u64>,
}

impl Scan {
    /// The report, with at most `top` principals and actions per endpoint; `ownership` sorts endpoints into
    /// the customer's and the others.
    pub fn report(self, top: usize, ownership: &Ownership) -> ScanReport {
        let mut notes = Vec::new();
        if self.data_events == 0 {
            notes.push("no CloudTrail data events in input: object- and item-level requests cannot appear".to_owned());
        }
        if self.network_activity == 0 {
            notes.push(
                "no network activity events in input: endpoint-policy denials are only visible in error messages"
                    .to_owned(),
            );
        }
        let mut endpoints = Vec::new();
        let mut aws_operated_endpoints = Vec::new();
        let mut foreign_endpoints = Vec::new();
        for (vpce, s) in self.endpoints {
            let owner = ownership.owner(&vpce).clone();
            if !owner.class.is_customer_side() {
                let evidence = ownership.evidence(&vpce).cloned().unwrap_or_default();
                let report = OtherEndpointReport {
                    label: owner.operator_label().unwrap_or_default(),
                    vpce,
                    owner: owner.class,
                    basis: owner.basis,
                    signal: owner.signal,
                    account: owner.account.clone().or_else(|| s.accounts.iter().next().cloned()),
                    records: s.records,
                    console_records: evidence.console,
                    service_records: evidence.service,
                    delivery_records: evidence.delivery,
                    denied: s.denied,
                    first_seen: s.first_seen,
                    last_seen: s.last_seen,
                    services: s.services,
                    top_principals: s.principals.top(top),
                };
                match owner.class {
                    OwnerClass::Aws => aws_operated_endpoints.push(report),
                    _ => foreign_endpoints.push(report),
                }
                continue;
            }
            endpoints.push(EndpointReport {
                vpce,
                owner: owner.class,
                owner_basis: owner.basis,
                accounts: s.accounts.into_iter().collect(),
                records: s.records,
                denied: s.denied,
                network_activity: s.network_activity,
                first_seen: s.first_seen,
                last_seen: s.last_seen,
                services: s.services,
                top_principals: s.principals.top(top),
                top_actions: s.actions.top(top),
            });
        }
        if !aws_operated_endpoints.is_empty() || !foreign_endpoints.is_empty() {
            notes.push(format!(
                "{} endpoint ids belong to AWS ({}) or to other accounts ({}): requests through them are not through \
                 your endpoints (see aws_operated_endpoints, foreign_endpoints)",
                aws_operated_endpoints.len() + foreign_endpoints.len(),
                aws_operated_endpoints.len(),
                foreign_endpoints.len()
            ));
        }
        let aggregated_events = self
            .aggregated
            .into_iter()
            .map(|(source, a)| {
                (source, AggregatedReport { records: a.records, requests: a.requests, error_codes: a.error_codes })
            })
            .collect();
        ScanReport {
            endpoints,
            aws_operated_endpoints,
            foreign_endpoints,
            aggregated_events,
            without_endpoint: WithoutEndpoint { records: self.without_endpoint, aws_internal: self.aws_internal },
            network_activity_events: self.network_activity,
            data_events: self.data_events,
            access_logs: AccessLogReport {
                lines: self.access_logs.lines,
                denied: self.access_logs.denied,
                private_source_ip: self.access_logs.private_source,
                public_source_ip: self.access_logs.public_source,
                buckets: self.access_logs.buckets,
            },
            notes,
        }
    }
}
