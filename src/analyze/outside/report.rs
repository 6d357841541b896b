//! Deciding at the end of the input: which candidate groups are findings, how severe, and why; plus the
//! notes on what the input could not show.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::group::Group;
use super::rules::{
    Bound, Kind, Severity, bypass_severity, endpoint_bound, foreign_principal_severity, foreign_resource_severity,
    out_of_policy_severity,
};
use super::{Outside, ResourceFacts};
use crate::analyze::classify::DenyKind;
use crate::analyze::integrity::{Integrity, IntegrityBook, IntegrityCounts, IntegritySummary, SourceFiles};
use crate::model::{AccountId, LogKind, Timestamp, VpceId};
use crate::ownership::{OwnerClass, Ownership};

/// One finding: a group of requests of one kind, outcome, principal, endpoint and resource.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub kind: Kind,
    pub severity: Severity,
    /// `allowed` or `denied`.
    pub outcome: &'static str,
    pub principal: String,
    pub principal_account: Option<AccountId<'static>>,
    pub vpce: Option<VpceId<'static>>,
    /// The bucket, table or other resource ARN; `null` when the log does not name one.
    pub resource: Option<String>,
    pub resource_account: Option<AccountId<'static>>,
    pub actions: Vec<String>,
    pub source_ips: Vec<String>,
    pub count: u64,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    /// `cloudtrail` or `s3-access-log`; `aws-console`, `aws-service`, `aws-delivery` for a request through an
    /// endpoint AWS operates.
    pub evidence: &'static str,
    /// A request through an endpoint that is not the customer's: its operator (`aws:console`,
    /// `foreign:<account>`) and id. `vpce` stays empty: it did not come through one of yours.
    pub vpce_operator: Option<String>,
    pub operator_vpce: Option<VpceId<'static>>,
    /// Why this is a finding, in words.
    pub reason: String,
    /// The credentials were delivered to an EC2 instance (`ec2RoleDelivery`).
    pub ec2_role_delivery: bool,
    /// Bypass: why the resource is endpoint-bound.
    pub endpoint_bound: Option<Bound>,
    /// Bypass: the endpoints the resource was reached through (`some-endpoint` when the log cannot say).
    pub bound_via: Vec<String>,
    /// The same principal also used an endpoint.
    pub principal_uses_endpoint: bool,
    /// Foreign-resource: the log does not name the resource's owner.
    pub owner_unknown: bool,
    /// Recorded by network activity events (the same request may also have a data event).
    pub network_activity: bool,
    /// Out-of-policy: how the policy refuses (`explicit`, `implicit`, `unknown`) and the deciding statement.
    pub deny: Option<DenyKind>,
    pub statement: Option<String>,
    /// Up to 50 event ids (request ids for access-log lines), smallest first.
    pub event_ids: Vec<String>,
    pub event_ids_truncated: bool,
    pub source_ips_truncated: bool,
    /// With `--verify`: the weakest integrity among the finding's source files, and its requests by integrity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrity: Option<Integrity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrity_counts: Option<IntegrityCounts>,
    /// The finding's source files (kept with `--verify` until the files are judged).
    #[serde(skip)]
    pub source_files: SourceFiles,
}

/// An AWS-owned bucket reached through an endpoint (never a foreign resource).
#[derive(Debug, Clone, Serialize)]
pub struct AwsOwnedBucket {
    pub bucket: String,
    pub service: &'static str,
    pub requests: u64,
}

/// A resource the analysis treated as endpoint-bound.
#[derive(Debug, Clone, Serialize)]
pub struct BoundResource {
    pub resource: String,
    pub bound: Bound,
    pub vpces: Vec<String>,
}

/// Totals over the input.
#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    pub requests: u64,
    pub through_endpoint: u64,
    pub outside_endpoint: u64,
    /// Requests that failed with non-authorization errors (not judged).
    pub other_errors: u64,
    /// Requests outside any endpoint that name no resource (e.g. `ListBuckets`): cannot be a bypass.
    pub outside_without_resource: u64,
    /// Successful requests replayed through a given endpoint policy, and how many it could not decide.
    pub replayed: u64,
    pub replay_undecided: u64,
    pub by_severity: BTreeMap<Severity, u64>,
}

/// The `outside` report body.
#[derive(Debug, Clone, Serialize)]
pub struct OutsideReport {
    pub findings: Vec<Finding>,
    pub service_principal_requests: u64,
    pub aws_owned_requests: u64,
    pub aws_owned_buckets: Vec<AwsOwnedBucket>,
    pub endpoint_bound_resources: Vec<BoundResource>,
    pub trusted_accounts: Vec<AccountId<'static>>,
    pub trusted_orgs: Vec<String>,
    pub totals: Totals,
    pub notes: Vec<String>,
    /// With `--verify`: the files judged and the findings' requests by their source file's integrity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrity: Option<IntegritySummary>,
}

impl OutsideReport {
    /// Labels every finding with the integrity of its source files (`--verify`); the requests by integrity.
    pub fn apply_integrity(&mut self, book: &IntegrityBook) -> IntegrityCounts {
        let mut total = IntegrityCounts::default();
        for finding in &mut self.findings {
            let counts = book.count(finding.source_files.iter());
            finding.integrity = Some(counts.worst());
            finding.integrity_counts = Some(counts);
            total += counts;
        }
        total
    }

    /// True when a finding of medium or high severity was reported (`--fail-on-findings`).
    pub fn has_serious_findings(&self) -> bool {
        self.findings.iter().any(|f| f.severity <= Severity::Medium)
    }
}

fn outcome_name(allowed: bool) -> &'static str {
    if allowed { "allowed" } else { "denied" }
}

fn base_finding(kind: Kind, severity: Severity, allowed: bool, principal: &str, log: LogKind, g: Group) -> Finding {
    Finding {
        kind,
        severity,
        outcome: outcome_name(allowed),
        principal: principal.to_owned(),
        principal_account: g.principal_account,
        vpce: None,
        resource: None,
        resource_account: None,
        actions: g.actions.into_iter().collect(),
        source_ips: g.source_ips.into_iter().collect(),
        count: g.count,
        first_seen: g.first_seen,
        last_seen: g.last_seen,
        evidence: log.evidence_name(),
        vpce_operator: None,
        operator_vpce: None,
        reason: String::new(),
        ec2_role_delivery: g.ec2_role_delivery,
        endpoint_bound: None,
        bound_via: Vec::new(),
        principal_uses_endpoint: false,
        owner_unknown: false,
        network_activity: false,
        deny: None,
        statement: None,
        event_ids: g.event_ids.into_iter().collect(),
        event_ids_truncated: g.event_ids_truncated,
        source_ips_truncated: g.source_ips_truncated,
        integrity: None,
        integrity_counts: None,
        source_files: g.files,
    }
}

/// The single owner the input names for a resource; `None` when none or several (then it is unknown).
fn owner_of(facts: Option<&ResourceFacts>) -> Option<AccountId<'static>> {
    let owners = &facts?.owners;
    (owners.len() == 1).then(|| owners.iter().next().cloned()).flatten()
}

impl Outside {
    /// Decides the findings and writes the report. Only the customer's endpoints (by `ownership`) make a
    /// resource endpoint-bound; a request through an endpoint AWS operates or another account owns is judged
    /// as a request outside the customer's endpoints.
    pub fn report(mut self, ownership: &Ownership) -> OutsideReport {
        for (_, owner, _) in ownership.iter() {
            if let (true, Some(account)) = (owner.class.is_customer_side(), &owner.account) {
                self.trust.observe_endpoint_owner(account);
            }
        }
        let customer = |vpce: &VpceId<'_>| ownership.is_customer_side(vpce);
        let mut notes = self.notes(ownership);
        let mut findings = Vec::new();
        let mut bound_resources: BTreeMap<String, BoundResource> = BTreeMap::new();
        let mut owner_not_shown = 0;
        // Principals seen using one of the customer's endpoints.
        let endpoint_principals: std::collections::HashSet<String> = self
            .through
            .keys()
            .filter(|k| k.credential && k.vpce.as_ref().is_none_or(customer))
            .map(|k| k.principal.clone())
            .collect();
        let bound_via = |facts: Option<&ResourceFacts>| -> Vec<String> {
            let mut via: Vec<String> = facts
                .map(|f| f.vpces.iter().filter(|v| customer(v)).map(VpceId::to_string).collect())
                .unwrap_or_default();
            if facts.is_some_and(|f| f.some_endpoint) {
                via.push("some-endpoint".to_owned());
            }
            via
        };
        for (key, group) in self.outside {
            let facts = self.resources.get(&key.resource);
            let via = bound_via(facts);
            let Some(bound) = endpoint_bound(key.protected, !via.is_empty()) else { continue };
            let uses_endpoint = endpoint_principals.contains(&key.principal);
            let severity = bypass_severity(key.allowed, bound, uses_endpoint, group.public_source);
            let reason = bypass_reason(key.allowed, bound, &via, uses_endpoint, &group);
            let mut f = base_finding(Kind::Bypass, severity, key.allowed, &key.principal, key.log, group);
            f.resource_account = owner_of(facts);
            f.resource = Some(key.resource.clone());
            f.endpoint_bound = Some(bound);
            f.bound_via = via.clone();
            f.principal_uses_endpoint = uses_endpoint;
            f.reason = reason;
            let entry = bound_resources.entry(key.resource.clone()).or_insert(BoundResource {
                resource: key.resource,
                bound,
                vpces: via,
            });
            entry.bound = entry.bound.min(bound);
            findings.push(f);
        }
        let mut not_customer_requests = 0;
        for (key, group) in self.through {
            if let Some(vpce) = key.vpce.as_ref().filter(|v| !customer(v)) {
                // Not one of the customer's endpoints: a bypass when the resource is bound to one of theirs.
                let Some(resource) = key.resource.as_deref() else { continue };
                let facts = self.resources.get(resource);
                let via = bound_via(facts);
                let Some(bound) = endpoint_bound(key.protected, !via.is_empty()) else { continue };
                let owner = ownership.owner(vpce);
                let uses_endpoint = endpoint_principals.contains(&key.principal);
                let severity = match owner.class {
                    OwnerClass::Aws => Severity::Low,
                    _ => bypass_severity(key.allowed, bound, uses_endpoint, group.public_source),
                };
                let label = owner.operator_label().unwrap_or_default();
                let reason = format!(
                    "{} through {label} ({vpce}), which is not one of your endpoints, to a resource that is \
                     endpoint-bound ({}){}",
                    if key.allowed { "allowed" } else { "denied" },
                    match bound {
                        Bound::Protected => "protected by configuration".to_owned(),
                        Bound::Observed => format!("reached through {}", via.join(", ")),
                    },
                    match owner.class {
                        OwnerClass::Aws => ": made through AWS on the caller's behalf (console or service)",
                        _ => "",
                    }
                );
                let mut f = base_finding(Kind::Bypass, severity, key.allowed, &key.principal, key.log, group);
                if owner.class == OwnerClass::Aws {
                    f.evidence = owner.evidence_name();
                }
                f.resource_account = owner_of(facts);
                f.resource = Some(resource.to_owned());
                f.endpoint_bound = Some(bound);
                f.bound_via = via.clone();
                f.principal_uses_endpoint = uses_endpoint;
                f.vpce_operator = Some(label);
                f.operator_vpce = Some(vpce.clone());
                f.reason = reason;
                let entry = bound_resources.entry(resource.to_owned()).or_insert(BoundResource {
                    resource: resource.to_owned(),
                    bound,
                    vpces: via,
                });
                entry.bound = entry.bound.min(bound);
                findings.push(f);
                continue;
            }
            let principal_trust = self.trust.trust(key.principal_account.as_ref());
            if let Some(severity) = foreign_principal_severity(key.allowed, principal_trust) {
                let mut f =
                    base_finding(Kind::ForeignPrincipal, severity, key.allowed, &key.principal, key.log, group.clone());
                f.vpce = key.vpce.clone();
                f.resource = key.resource.clone();
                f.resource_account = key.resource.as_deref().and_then(|r| owner_of(self.resources.get(r)));
                f.network_activity = key.network_activity;
                f.reason = format!(
                    "{} of account {} (outside the trusted set) used {}: {}",
                    principal_phrase(&key.principal),
                    key.principal_account.as_ref().map_or("?", AccountId::as_str),
                    endpoint_phrase(key.vpce.as_ref()),
                    if key.allowed { "the request succeeded" } else { "refused" }
                );
                findings.push(f);
            }
            // Access logs are delivered to the bucket owner: their buckets are the log owner's own.
            let Some(resource) = key.resource.as_deref().filter(|_| key.log == LogKind::CloudTrail) else { continue };
            let facts = self.resources.get(resource);
            let owner = owner_of(facts);
            if owner.is_none() && !facts.is_some_and(|f| f.listed_without_owner || f.owners.len() > 1) {
                // The log shows nothing about the owner (no resource list): not judged.
                owner_not_shown += group.count;
                continue;
            }
            let owner_trust = self.trust.trust(owner.as_ref());
            let Some(severity) = foreign_resource_severity(key.allowed, owner_trust) else { continue };
            let mut f = base_finding(Kind::ForeignResource, severity, key.allowed, &key.principal, key.log, group);
            f.vpce = key.vpce.clone();
            f.resource = Some(resource.to_owned());
            f.owner_unknown = owner.is_none();
            f.network_activity = key.network_activity;
            f.reason = foreign_resource_reason(key.allowed, owner.as_ref(), key.vpce.as_ref());
            f.resource_account = owner;
            findings.push(f);
        }
        for (key, group) in self.out_of_policy {
            if !customer(&key.vpce) {
                continue;
            }
            let mut f = base_finding(Kind::OutOfPolicy, out_of_policy_severity(), true, &key.principal, key.log, group);
            f.vpce = Some(key.vpce.clone());
            f.resource_account = key.resource.as_deref().and_then(|r| owner_of(self.resources.get(r)));
            f.resource = key.resource;
            f.reason = match (&key.deny, &key.statement) {
                (DenyKind::Explicit, Some(statement)) => {
                    format!("succeeded, but the policy given for {} denies it explicitly ({statement})", key.vpce)
                }
                (DenyKind::Implicit, _) => {
                    format!("succeeded, but no statement of the policy given for {} allows it", key.vpce)
                }
                _ => format!("succeeded, but the policy given for {} cannot allow it", key.vpce),
            };
            f.deny = Some(key.deny);
            f.statement = key.statement;
            findings.push(f);
        }
        for (vpce, n) in &self.through_by_vpce {
            if !customer(vpce) {
                not_customer_requests += n;
            }
        }
        if not_customer_requests > 0 {
            let labels: BTreeSet<String> = ownership.not_customer().filter_map(|(_, o)| o.operator_label()).collect();
            notes.push(format!(
                "{not_customer_requests} requests went through endpoints that are not yours ({}): they were \
                 judged as requests outside your endpoints, and never make a resource endpoint-bound",
                labels.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        if owner_not_shown > 0 {
            notes.push(format!(
                "{owner_not_shown} requests through endpoints name a resource but not its owner (no resource list \
                 in the record): they could not be checked for foreign resources"
            ));
        }
        findings.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        let mut by_severity = BTreeMap::new();
        for f in &findings {
            *by_severity.entry(f.severity).or_insert(0) += 1;
        }
        OutsideReport {
            findings,
            service_principal_requests: self.counts.service_principal_requests,
            aws_owned_requests: self.counts.aws_owned_requests,
            aws_owned_buckets: self
                .aws_owned
                .into_iter()
                .map(|(bucket, (service, requests))| AwsOwnedBucket { bucket, service, requests })
                .collect(),
            endpoint_bound_resources: bound_resources.into_values().collect(),
            trusted_accounts: self.trust.accounts().into_iter().collect(),
            trusted_orgs: self.trust.orgs().iter().cloned().collect(),
            totals: Totals {
                requests: self.counts.requests,
                through_endpoint: self.counts.through_endpoint - not_customer_requests,
                outside_endpoint: self.counts.outside_endpoint + not_customer_requests,
                other_errors: self.counts.other_errors,
                outside_without_resource: self.counts.without_resource_outside,
                replayed: self.counts.replayed,
                replay_undecided: self.counts.replay_undecided,
                by_severity,
            },
            notes,
            integrity: None,
        }
    }

    fn notes(&self, ownership: &Ownership) -> Vec<String> {
        let c = &self.counts;
        let mut notes = Vec::new();
        if c.data_events == 0 && c.access_log_lines == 0 {
            notes.push(
                "no data events and no S3 access logs in input: object- and item-level bypasses cannot appear"
                    .to_owned(),
            );
        }
        let bound_by_observation =
            |f: &ResourceFacts| f.some_endpoint || f.vpces.iter().any(|v| ownership.is_customer_side(v));
        if self.config.protect.is_empty() && !self.resources.values().any(bound_by_observation) {
            notes.push(
                "no resource was reached through an endpoint and none is protected (--protect): nothing is \
                 endpoint-bound, so no bypass can be reported"
                    .to_owned(),
            );
        }
        if c.access_log_lines > 0 && self.config.networks.is_empty() {
            notes.push(
                "S3 access logs name no endpoint: lines from private addresses (RFC 1918 / RFC 6598) were taken \
                 as through some endpoint; give --vpc-cidr VPCE=CIDR for precision"
                    .to_owned(),
            );
        }
        if !self.trust.is_configured() {
            let accounts = self.trust.accounts();
            let mut shown: Vec<String> = accounts.iter().take(10).map(AccountId::to_string).collect();
            if accounts.len() > 10 {
                shown.push(format!("and {} more", accounts.len() - 10));
            }
            notes.push(format!(
                "trusted accounts default to the endpoint owners and log recipients seen ({}); give \
                 --trusted-account / --trusted-org (or the config) to say otherwise",
                if shown.is_empty() { "none".to_owned() } else { shown.join(", ") }
            ));
        }
        if self.config.replayer.is_none() {
            notes.push("no endpoint policy given (--policy, config): out-of-policy requests were not checked".into());
        }
        if c.network_activity > 0 {
            notes.push(
                "network activity events count only toward foreign principals (a request may be counted once as \
                 a data event and once as a network activity event)"
                    .to_owned(),
            );
        }
        if c.other_errors > 0 {
            notes.push(format!(
                "{} requests failed with other errors (not authorization) and were not judged",
                c.other_errors
            ));
        }
        notes
    }
}

fn sort_key(f: &Finding) -> impl Ord + '_ {
    (
        f.severity,
        f.kind,
        f.outcome,
        &f.principal,
        &f.resource,
        &f.vpce,
        f.evidence,
        f.network_activity,
        &f.statement,
        f.first_seen,
    )
}

fn principal_phrase(label: &str) -> String {
    if label.starts_with("account:") { "an identity".to_owned() } else { label.to_owned() }
}

fn endpoint_phrase(vpce: Option<&VpceId<'_>>) -> String {
    match vpce {
        Some(v) => format!("endpoint {v}"),
        None => "an endpoint (private address in an S3 access log)".to_owned(),
    }
}

fn bypass_reason(allowed: bool, bound: Bound, via: &[String], uses_endpoint: bool, g: &Group) -> String {
    let mut parts = vec![format!(
        "{} outside any VPC endpoint to a resource that is endpoint-bound ({})",
        if allowed { "allowed" } else { "denied" },
        match bound {
            Bound::Protected => "protected by configuration".to_owned(),
            Bound::Observed => format!("reached through {}", via.join(", ")),
        }
    )];
    if uses_endpoint && g.public_source {
        parts.push("the same principal also uses an endpoint and here came from a public address".to_owned());
    }
    if g.ec2_role_delivery {
        parts.push(
            "EC2 instance credentials (ec2RoleDelivery) used outside the VPC: a strong sign of stolen instance \
             credentials"
                .to_owned(),
        );
    }
    if g.anonymous {
        parts.push("unsigned (anonymous) request".to_owned());
    }
    if g.private_source && !g.public_source {
        parts.push("from a private address outside the VPCs behind the endpoints".to_owned());
    }
    parts.join("; ")
}

fn foreign_resource_reason(allowed: bool, owner: Option<&AccountId<'_>>, vpce: Option<&VpceId<'_>>) -> String {
    let endpoint = endpoint_phrase(vpce);
    match (owner, allowed) {
        (Some(owner), true) => {
            format!(
                "allowed through {endpoint} to a resource of account {owner}, outside the trusted set: data may have left"
            )
        }
        (Some(owner), false) => format!(
            "denied through {endpoint} to a resource of account {owner}, outside the trusted set: a policy kept it in"
        ),
        (None, true) => format!(
            "allowed through {endpoint} to a resource whose owner the log does not name: cannot tell if it is trusted"
        ),
        (None, false) => format!(
            "denied through {endpoint} to a resource whose owner the log does not name: cannot tell if it is trusted"
        ),
    }
}
