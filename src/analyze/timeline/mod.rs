//! `timeline`: every request of one principal, access key, IP, endpoint or resource, from CloudTrail and S3
//! access logs merged in time order, with a summary for the incident write-up. Rows are sorted with bounded
//! memory (see [`spill`]); the summary is folded as rows stream out in order.

pub mod spill;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::classify::{Cause, classify};
use super::integrity::{Integrity, IntegrityCounts};
use crate::ingest::Analyzer;
use crate::model::{Event, Record, Timestamp, VpceId, is_private_ip};
use crate::ownership::Ownership;
use spill::{ExternalSorter, Sortable, SortedRows, SpillLimits};

/// What to look for; every given filter must match (they combine).
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    /// A principal as `aws:PrincipalArn` sees it, a session ARN, or `account:<id>`.
    pub principals: BTreeSet<String>,
    pub access_keys: BTreeSet<String>,
    pub ips: BTreeSet<String>,
    /// A resource ARN; a bucket ARN also matches its objects.
    pub resources: BTreeSet<String>,
    pub session: Option<String>,
    /// Pivot mode: an event matches when it shares a principal, access key or public IP with the seed set.
    pub any_of: bool,
}

impl Matcher {
    pub fn is_empty(&self) -> bool {
        self.principals.is_empty()
            && self.access_keys.is_empty()
            && self.ips.is_empty()
            && self.resources.is_empty()
            && self.session.is_none()
    }

    pub fn matches(&self, event: &Event) -> bool {
        let p = &event.principal;
        let principal = self.principals.is_empty()
            || [p.arn.as_deref(), p.identity_arn.as_deref()].into_iter().flatten().any(|a| self.principals.contains(a))
            || self.principals.contains(&p.label());
        let key = self.access_keys.is_empty() || p.access_key_id.as_ref().is_some_and(|k| self.access_keys.contains(k));
        let ip = self.ips.is_empty() || event.source_ip.as_ref().is_some_and(|i| self.ips.contains(i));
        let resource = self.resources.is_empty() || self.resources.iter().any(|wanted| touches(event, wanted));
        let session = self.session.as_ref().is_none_or(|s| p.session_name.as_ref() == Some(s));
        if self.any_of {
            let hit = (!self.principals.is_empty() && principal && p.arn.is_some())
                || (!self.access_keys.is_empty() && key && p.access_key_id.is_some())
                || (!self.ips.is_empty() && ip && event.source_ip.is_some());
            return hit && resource && session;
        }
        principal && key && ip && resource && session
    }
}

fn touches(event: &Event, wanted: &str) -> bool {
    let covers = |arn: &str| arn == wanted || arn.strip_prefix(wanted).is_some_and(|rest| rest.starts_with('/'));
    event.resources.iter().any(|r| covers(&r.arn))
        || event.accesses.iter().any(|a| a.resource.as_deref().is_some_and(covers))
}

/// One request in the timeline (the JSON contract's `events[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineRow {
    pub time: Option<Timestamp>,
    pub principal: String,
    pub session: Option<String>,
    pub access_key: Option<String>,
    pub source_ip: Option<String>,
    /// The customer endpoint, or `null` when the request did not come through one ("outside").
    pub vpce: Option<VpceId<'static>>,
    /// The operator of an endpoint that is not the customer's (`aws:console`, `aws:service`,
    /// `foreign:<account>`): the request came through none of theirs. Set once ownership is decided.
    #[serde(default)]
    pub vpce_operator: Option<String>,
    pub action: String,
    pub resource: Option<String>,
    /// `success`, `denied` or `error`.
    pub outcome: String,
    pub cause: Option<String>,
    pub error_code: Option<String>,
    /// `cloudtrail` or `s3-access-log`.
    pub evidence: String,
    pub event_id: Option<String>,
    pub region: Option<String>,
    pub user_agent: Option<String>,
    pub aws_internal_endpoint: bool,
    /// With `--verify`: the file (object, archive entry) the row came from, and whether that file is verified,
    /// unverified or altered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrity: Option<Integrity>,
}

impl Sortable for TimelineRow {
    type Key = (i64, String, String, String);
    fn key(&self) -> Self::Key {
        (
            self.time.map_or(i64::MIN, Timestamp::millis),
            self.event_id.clone().unwrap_or_default(),
            self.evidence.clone(),
            self.resource.clone().unwrap_or_default(),
        )
    }

    fn size_estimate(&self) -> usize {
        let text = |s: &Option<String>| s.as_ref().map_or(0, String::capacity);
        std::mem::size_of::<TimelineRow>()
            + self.principal.capacity()
            + self.action.capacity()
            + self.outcome.capacity()
            + self.evidence.capacity()
            + self.vpce.as_ref().map_or(0, |v| v.as_str().len())
            + [
                &self.session,
                &self.access_key,
                &self.source_ip,
                &self.resource,
                &self.cause,
                &self.error_code,
                &self.event_id,
                &self.region,
                &self.user_agent,
                &self.source_file,
            ]
            .into_iter()
            .map(text)
            .sum::<usize>()
    }
}

impl TimelineRow {
    /// Re-reads the row once endpoint ownership is decided: a request through an endpoint that is not the
    /// customer's names its operator instead, and its denial is never the customer's endpoint policy.
    pub fn apply_ownership(&mut self, ownership: &Ownership) {
        let Some(operator) = self.vpce.as_ref().and_then(|v| ownership.operator_label(v)) else { return };
        self.vpce = None;
        self.vpce_operator = Some(operator);
        if self.cause.as_deref() == Some(Cause::VpcePolicy.as_str()) {
            self.cause = Some(Cause::OtherEndpointPolicy.as_str().to_owned());
        }
    }

    fn from_event(event: &Event) -> TimelineRow {
        let access = event.accesses.first();
        let (outcome, error_code) = match &event.outcome {
            crate::model::Outcome::Success => ("success", None),
            crate::model::Outcome::Denied { code, .. } => ("denied", Some(code.clone())),
            crate::model::Outcome::Error { code, .. } => ("error", Some(code.clone())),
        };
        TimelineRow {
            time: event.time,
            principal: event.principal.label(),
            session: event.principal.session_name.clone(),
            access_key: event.principal.access_key_id.clone(),
            source_ip: event.source_ip.clone(),
            vpce: event.vpce.clone(),
            vpce_operator: None,
            action: access
                .map(|a| a.action.clone())
                .unwrap_or_else(|| format!("{}:{}", event.service(), event.event_name)),
            resource: access
                .and_then(|a| a.resource.clone())
                .or_else(|| event.resources.first().map(|r| r.arn.clone())),
            outcome: outcome.to_owned(),
            cause: classify(event).map(|c| c.cause.as_str().to_owned()),
            error_code,
            evidence: event.kind.evidence_name().to_owned(),
            event_id: event.event_id.clone(),
            region: event.region.clone(),
            user_agent: event.user_agent.clone(),
            aws_internal_endpoint: event.aws_internal_endpoint,
            source_file: None,
            integrity: None,
        }
    }
}

/// Default rows kept in memory per accumulator before sorting spills to disk.
pub const DEFAULT_SPILL_ROWS: usize = 100_000;
/// Default bytes (estimated) kept in memory per accumulator before sorting spills to disk, whichever limit
/// comes first: about 800 rows. Rayon keeps a few accumulators per worker alive, so this, not the row count, is
/// what bounds the timeline's memory (2 MiB measured +8 MB on 20x sample-logs; 512 KiB, +2 MB).
pub const DEFAULT_SPILL_BYTES: usize = 512 << 10;

/// The accumulator: matching rows (spilling past the limit) and the pivot sets.
pub struct Timeline {
    matcher: std::sync::Arc<Matcher>,
    rows: ExternalSorter<TimelineRow>,
    /// False in the first pass of a pivot, which needs only the pivot sets.
    keep_rows: bool,
    /// `--verify`: rows remember their source file.
    track_files: bool,
    pivot: PivotSets,
}

/// What the matching requests used: the second question of every investigation.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PivotSets {
    pub principals: BTreeSet<String>,
    pub access_keys: BTreeSet<String>,
    /// Public source IPs only: private addresses are shared by every workload of a VPC.
    pub public_ips: BTreeSet<String>,
}

impl Timeline {
    pub fn new(matcher: std::sync::Arc<Matcher>, limits: SpillLimits) -> Timeline {
        Timeline {
            matcher,
            rows: ExternalSorter::new(limits),
            keep_rows: true,
            track_files: false,
            pivot: PivotSets::default(),
        }
    }

    /// Rows remember the file they came from (`--verify`).
    pub fn tracking_files(self, track: bool) -> Timeline {
        Timeline { track_files: track, ..self }
    }

    /// Collects only the pivot sets (the first pass of `--pivot`): no rows are kept.
    pub fn pivot_only(matcher: std::sync::Arc<Matcher>) -> Timeline {
        Timeline { keep_rows: false, ..Timeline::new(matcher, SpillLimits { rows: 1, bytes: 1 }) }
    }

    /// The pivot sets (principals, access keys, public IPs) of the matching requests.
    pub fn pivot_sets(&self) -> &PivotSets {
        &self.pivot
    }

    /// The rows in time order.
    pub fn into_sorted(self) -> std::io::Result<SortedRows<TimelineRow>> {
        self.rows.into_sorted()
    }
}

impl Analyzer for Timeline {
    fn observe(&mut self, record: &Record<'_>) {
        self.observe_from(self.track_files.then_some(record.unit()), record);
    }

    fn merge(&mut self, other: Timeline) {
        self.rows.merge(other.rows);
        self.pivot.principals.extend(other.pivot.principals);
        self.pivot.access_keys.extend(other.pivot.access_keys);
        self.pivot.public_ips.extend(other.pivot.public_ips);
    }
}

impl Timeline {
    fn observe_from(&mut self, unit: Option<&str>, record: &Record<'_>) {
        let event = record.event();
        if !self.matcher.matches(event) {
            return;
        }
        if event.principal.arn.is_some() {
            self.pivot.principals.insert(event.principal.label());
        }
        if let Some(key) = &event.principal.access_key_id {
            self.pivot.access_keys.insert(key.clone());
        }
        if let Some(ip) = &event.source_ip
            && ip.parse().is_ok_and(|addr| !is_private_ip(addr))
        {
            self.pivot.public_ips.insert(ip.clone());
        }
        if self.keep_rows {
            let mut row = TimelineRow::from_event(event);
            row.source_file = unit.map(str::to_owned);
            self.rows.push(row);
        }
    }
}

/// The summary header, folded over the rows in time order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub requests: u64,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    /// Endpoint → requests through it.
    pub endpoints: BTreeMap<VpceId<'static>, u64>,
    pub requests_outside_endpoints: u64,
    pub public_ips: BTreeSet<String>,
    pub principals: BTreeSet<String>,
    pub access_keys: BTreeSet<String>,
    pub resources_touched: u64,
    /// The most frequent resources, with counts (at most 20).
    pub top_resources: Vec<super::counter::Counted>,
    pub outcomes: BTreeMap<String, u64>,
    pub denials_by_cause: BTreeMap<String, u64>,
    /// The first request that came from a public IP without any endpoint, when the identity otherwise used
    /// endpoints: the moment it appeared outside its usual path (e.g. instance credentials used elsewhere).
    pub first_outside_usual_endpoint: Option<TimelineRow>,
    /// With `--verify`: the rows by their source file's integrity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrity: Option<IntegrityCounts>,
}

/// Folds rows (in time order) into the summary. Call [`SummaryBuilder::finish`] at the end.
#[derive(Default)]
pub struct SummaryBuilder {
    summary: Summary,
    resources: super::counter::TopCounter,
    first_public_outside: Option<TimelineRow>,
}

impl SummaryBuilder {
    pub fn add(&mut self, row: &TimelineRow) {
        let s = &mut self.summary;
        s.requests += 1;
        if let Some(integrity) = row.integrity {
            s.integrity.get_or_insert_default().add(integrity, 1);
        }
        if let Some(time) = row.time {
            s.first_seen.get_or_insert(time);
            s.last_seen = Some(time);
        }
        match &row.vpce {
            Some(vpce) => *s.endpoints.entry(vpce.clone()).or_default() += 1,
            None => s.requests_outside_endpoints += 1,
        }
        let public = row.source_ip.as_ref().is_some_and(|ip| ip.parse().is_ok_and(|addr| !is_private_ip(addr)));
        if public && let Some(ip) = &row.source_ip {
            s.public_ips.insert(ip.clone());
        }
        if public && row.vpce.is_none() && !row.aws_internal_endpoint && self.first_public_outside.is_none() {
            self.first_public_outside = Some(row.clone());
        }
        s.principals.insert(row.principal.clone());
        if let Some(key) = &row.access_key {
            s.access_keys.insert(key.clone());
        }
        if let Some(resource) = &row.resource {
            self.resources.add(resource, 1);
        }
        *s.outcomes.entry(row.outcome.clone()).or_default() += 1;
        if let (Some(cause), "denied") = (&row.cause, row.outcome.as_str()) {
            *s.denials_by_cause.entry(cause.clone()).or_default() += 1;
        }
    }

    pub fn finish(mut self) -> Summary {
        if !self.summary.endpoints.is_empty() {
            self.summary.first_outside_usual_endpoint = self.first_public_outside;
        }
        self.summary.resources_touched = self.resources.len() as u64;
        self.summary.top_resources = self.resources.top(20);
        self.summary
    }
}

mod rows;
#[cfg(test)]
mod tests;
