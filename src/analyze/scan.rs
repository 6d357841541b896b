//! `scan`: the inventory. Per endpoint: records, first/last seen, services, top principals and actions,
//! denials; plus what came without an endpoint and what the S3 access logs showed.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::counter::{Counted, TopCounter};
use crate::ingest::Analyzer;
use crate::model::{Event, LogKind, Timestamp};

/// The scan accumulator.
#[derive(Debug, Default)]
pub struct Scan {
    endpoints: BTreeMap<String, EndpointStats>,
    without_endpoint: u64,
    aws_internal: u64,
    network_activity: u64,
    data_events: u64,
    access_logs: AccessLogStats,
}

#[derive(Debug, Default)]
struct EndpointStats {
    accounts: BTreeSet<String>,
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
    fn observe(&mut self, event: &Event) {
        if event.kind == LogKind::S3AccessLog {
            self.access_logs.observe(event);
            return;
        }
        if event.is_network_activity() {
            self.network_activity += 1;
        }
        if event.category == "Data" {
            self.data_events += 1;
        }
        let Some(vpce) = &event.vpce else {
            self.without_endpoint += 1;
            if event.aws_internal_endpoint {
                self.aws_internal += 1;
            }
            return;
        };
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
    pub endpoints: Vec<EndpointReport>,
    pub without_endpoint: WithoutEndpoint,
    pub network_activity_events: u64,
    pub data_events: u64,
    pub access_logs: AccessLogReport,
    /// What the input could not show (e.g. no data events).
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct EndpointReport {
    pub vpce: String,
    pub accounts: Vec<String>,
    pub records: u64,
    pub denied: u64,
    pub network_activity: u64,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    pub services: BTreeMap<String, u64>,
    pub top_principals: Vec<Counted>,
    pub top_actions: Vec<Counted>,
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
    /// The report, with at most `top` principals and actions per endpoint.
    pub fn report(self, top: usize) -> ScanReport {
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
        let endpoints = self
            .endpoints
            .into_iter()
            .map(|(vpce, s)| EndpointReport {
                vpce,
                accounts: s.accounts.into_iter().collect(),
                records: s.records,
                denied: s.denied,
                network_activity: s.network_activity,
                first_seen: s.first_seen,
                last_seen: s.last_seen,
                services: s.services,
                top_principals: s.principals.top(top),
                top_actions: s.actions.top(top),
            })
            .collect();
        ScanReport {
            endpoints,
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
