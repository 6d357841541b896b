//! `check`: what-if before deploying an endpoint policy. Every request seen through an endpoint that has a
//! candidate policy is replayed against it and folded into counts (allow / deny / unknown) and groups: the
//! requests that pass today and the candidate would deny (`would_break`), may deny (`would_maybe_break`), and
//! the requests denied today, possibly by the endpoint, that the candidate would allow (`would_newly_allow`).
//!
//! Network activity events are the endpoint owner's second record of a request whose API record (data or
//! management event, or S3 access log line) is usually in the input too. They are paired by
//! (principal, event source, operation, denied or not): when the input holds API records with the same key,
//! the network activity events of that key are second copies and are not tallied again
//! (`network_activity.paired`; more of them than API records is `network_activity.unmatched`). When it holds
//! none (the caller's trail is elsewhere, e.g. a foreign principal refused by the endpoint), they are the only
//! record of their requests and are replayed like any other (`network_activity.replayed`).
//!
//! Memory is bounded by distinct group keys and pair keys, never by the number of requests.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;

use super::classify::{Cause, classify};
use crate::ingest::Analyzer;
use crate::model::{Event, Record, Timestamp, VpceId};

/// The candidate policy's answer for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandidateVerdict {
    Allow,
    Deny,
    Unknown,
}

/// A request replayed against its endpoint's candidate policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateReplay {
    pub verdict: CandidateVerdict,
    /// The access the verdict is about: the first denied one for a deny, the first undecided one for an
    /// unknown, the first one for an allow. `None` when the request maps to no IAM action.
    pub action: Option<String>,
    pub resource: Option<String>,
    /// The deciding statements (explicit denies, or the allows), comma-separated.
    pub statement: Option<String>,
    /// For an unknown: the keys whose values the logs do not show.
    pub missing_keys: BTreeSet<String>,
}

/// Replays a request against the candidate policy of its endpoint.
pub trait CandidateReplayer: Send + Sync {
    /// `None` when the request's endpoint has no candidate policy.
    fn replay_candidate(&self, event: &Event) -> Option<CandidateReplay>;
}

/// One group of requests in a report list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub principal: String,
    pub action: String,
    pub resource: Option<String>,
    pub count: u64,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_keys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct GroupKey {
    principal: String,
    action: String,
    resource: Option<String>,
    statement: Option<String>,
    missing_keys: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default)]
struct GroupStats {
    count: u64,
    first_seen: Option<Timestamp>,
    last_seen: Option<Timestamp>,
}

impl GroupStats {
    fn add(&mut self, time: Option<Timestamp>) {
        self.count += 1;
        self.merge(GroupStats { count: 0, first_seen: time, last_seen: time });
    }

    fn merge(&mut self, other: GroupStats) {
        self.count += other.count;
        self.first_seen = min_opt(self.first_seen, other.first_seen);
        self.last_seen = self.last_seen.max(other.last_seen);
    }
}

fn min_opt(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

type Groups = HashMap<GroupKey, GroupStats>;

fn merge_groups(into: &mut Groups, from: Groups) {
    for (key, stats) in from {
        into.entry(key).or_default().merge(stats);
    }
}

/// Counts and groups of replayed requests.
#[derive(Debug, Default)]
struct Tally {
    requests: u64,
    allow: u64,
    deny: u64,
    unknown: u64,
    denied_by_other_policies: u64,
    first_seen: Option<Timestamp>,
    last_seen: Option<Timestamp>,
    would_break: Groups,
    would_maybe_break: Groups,
    would_newly_allow: Groups,
}

impl Tally {
    fn add(&mut self, event: &Event, replay: CandidateReplay) {
        self.requests += 1;
        self.first_seen = min_opt(self.first_seen, event.time);
        self.last_seen = self.last_seen.max(event.time);
        match replay.verdict {
            CandidateVerdict::Allow => self.allow += 1,
            CandidateVerdict::Deny => self.deny += 1,
            CandidateVerdict::Unknown => self.unknown += 1,
        }
        let cause = classify(event).map(|c| c.cause);
        let list = match (cause, replay.verdict) {
            (None, CandidateVerdict::Deny) => &mut self.would_break,
            (None, CandidateVerdict::Unknown) => &mut self.would_maybe_break,
            (Some(Cause::VpcePolicy | Cause::Unknown), CandidateVerdict::Allow) => &mut self.would_newly_allow,
            (Some(Cause::VpcePolicy | Cause::Unknown), _) | (None, CandidateVerdict::Allow) => return,
            (Some(_), _) => {
                self.denied_by_other_policies += 1;
                return;
            }
        };
        let key = GroupKey {
            principal: event.principal.label(),
            action: replay.action.unwrap_or_else(|| format!("{}:{}", event.service(), event.event_name)),
            resource: replay.resource,
            statement: replay.statement,
            missing_keys: replay.missing_keys.into_iter().collect(),
        };
        list.entry(key).or_default().add(event.time);
    }

    fn merge(&mut self, other: Tally) {
        self.requests += other.requests;
        self.allow += other.allow;
        self.deny += other.deny;
        self.unknown += other.unknown;
        self.denied_by_other_policies += other.denied_by_other_policies;
        self.first_seen = min_opt(self.first_seen, other.first_seen);
        self.last_seen = self.last_seen.max(other.last_seen);
        merge_groups(&mut self.would_break, other.would_break);
        merge_groups(&mut self.would_maybe_break, other.would_maybe_break);
        merge_groups(&mut self.would_newly_allow, other.would_newly_allow);
    }
}

/// Network activity events and API records that may be two records of the same requests.
type PairKey = (String, String, String, bool);

#[derive(Debug, Default)]
struct Pair {
    api_records: u64,
    network_activity: u64,
    tally: Tally,
}

#[derive(Debug, Default)]
struct EndpointCheck {
    tally: Tally,
    pairs: HashMap<PairKey, Pair>,
}

/// The accumulator.
pub struct Check {
    replayer: Arc<dyn CandidateReplayer>,
    endpoints: HashMap<VpceId<'static>, EndpointCheck>,
}

impl Check {
    pub fn new(replayer: Arc<dyn CandidateReplayer>) -> Check {
        Check { replayer, endpoints: HashMap::new() }
    }
}

impl Analyzer for Check {
    fn observe(&mut self, record: &Record<'_>) {
        if record.head().vpce.is_none() {
            return;
        }
        let event = record.event();
        let Some(vpce) = &event.vpce else { return };
        let Some(replay) = self.replayer.replay_candidate(event) else { return };
        let endpoint = self.endpoints.entry(vpce.clone()).or_default();
        let key =
            (event.principal.label(), event.event_source.clone(), event.event_name.clone(), event.outcome.is_denied());
        let pair = endpoint.pairs.entry(key).or_default();
        if event.is_network_activity() {
            pair.network_activity += 1;
            pair.tally.add(event, replay);
        } else {
            pair.api_records += 1;
            endpoint.tally.add(event, replay);
        }
    }

    fn merge(&mut self, other: Check) {
        for (vpce, theirs) in other.endpoints {
            let ours = self.endpoints.entry(vpce).or_default();
            ours.tally.merge(theirs.tally);
            for (key, pair) in theirs.pairs {
                let mine = ours.pairs.entry(key).or_default();
                mine.api_records += pair.api_records;
                mine.network_activity += pair.network_activity;
                mine.tally.merge(pair.tally);
            }
        }
    }
}

/// What happened to the network activity events of an endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NetworkActivityBook {
    pub events: u64,
    /// Second records of requests also seen as API records: not tallied again.
    pub paired: u64,
    /// The only record of their requests: replayed and tallied.
    pub replayed: u64,
    /// More network activity events than API records for the same key: neither tallied nor listed.
    pub unmatched: u64,
}

/// One endpoint's result.
#[derive(Debug, Clone, Serialize)]
pub struct EndpointReport {
    pub vpce: VpceId<'static>,
    pub policy: String,
    /// Requests replayed (API records, access log lines, and network activity events with no API record).
    pub requests: u64,
    pub allow: u64,
    pub deny: u64,
    pub unknown: u64,
    /// Requests denied today by another policy type (the error names it): the candidate changes nothing.
    pub denied_by_other_policies: u64,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    pub would_break: Vec<Group>,
    pub would_maybe_break: Vec<Group>,
    pub would_newly_allow: Vec<Group>,
    pub network_activity: NetworkActivityBook,
}

/// The command's fields.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub checks: Vec<EndpointReport>,
    pub notes: Vec<String>,
}

impl CheckReport {
    /// True when a candidate would deny a request that passes today.
    pub fn breaks_anything(&self) -> bool {
        self.checks.iter().any(|c| !c.would_break.is_empty())
    }
}

impl Check {
    /// The report for the candidates `(vpce, policy path)`, in the order given. Candidates with no request
    /// in the input get an empty entry and a note.
    pub fn report(mut self, candidates: &[(VpceId<'static>, String)]) -> CheckReport {
        let mut checks = Vec::new();
        let mut notes = Vec::new();
        for (vpce, policy) in candidates {
            let endpoint = self.endpoints.remove(vpce.as_str()).unwrap_or_default();
            if endpoint.tally.requests == 0 && endpoint.pairs.is_empty() {
                notes.push(format!(
                    "{vpce}: no request through this endpoint in the input (after filters); nothing to check"
                ));
            }
            let (tally, book) = settle(endpoint);
            if book.unmatched > 0 {
                notes.push(format!(
                    "{vpce}: {} network activity events outnumber the API records of the same principal and \
                     operation; they were not replayed",
                    book.unmatched
                ));
            }
            checks.push(EndpointReport {
                vpce: vpce.clone(),
                policy: policy.clone(),
                requests: tally.requests,
                allow: tally.allow,
                deny: tally.deny,
                unknown: tally.unknown,
                denied_by_other_policies: tally.denied_by_other_policies,
                first_seen: tally.first_seen,
                last_seen: tally.last_seen,
                would_break: sorted(tally.would_break),
                would_maybe_break: sorted(tally.would_maybe_break),
                would_newly_allow: sorted(tally.would_newly_allow),
                network_activity: book,
            });
        }
        CheckReport { checks, notes }
    }
}

/// Pairs network activity events with API records and folds the unpaired ones in.
fn settle(endpoint: EndpointCheck) -> (Tally, NetworkActivityBook) {
    let mut tally = endpoint.tally;
    let mut book = NetworkActivityBook::default();
    for pair in endpoint.pairs.into_values() {
        book.events += pair.network_activity;
        if pair.network_activity == 0 {
            continue;
        }
        if pair.api_records == 0 {
            book.replayed += pair.network_activity;
            tally.merge(pair.tally);
        } else {
            book.paired += pair.network_activity.min(pair.api_records);
            book.unmatched += pair.network_activity.saturating_sub(pair.api_records);
        }
    }
    (tally, book)
}

/// Most frequent first; ties by principal, action, resource, statement, keys.
fn sorted(groups: Groups) -> Vec<Group> {
    let mut out: Vec<Group> = groups
        .into_iter()
        .map(|(key, stats)| Group {
            principal: key.principal,
            action: key.action,
            resource: key.resource,
            count: stats.count,
            first_seen: stats.first_seen,
            last_seen: stats.last_seen,
            statement: key.statement,
            missing_keys: key.missing_keys,
        })
        .collect();
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.principal.cmp(&b.principal))
            .then_with(|| a.action.cmp(&b.action))
            .then_with(|| a.resource.cmp(&b.resource))
            .then_with(|| a.statement.cmp(&b.statement))
            .then_with(|| a.missing_keys.cmp(&b.missing_keys))
    });
    out
}

pub mod rows;
#[cfg(test)]
mod tests;
