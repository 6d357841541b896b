//! How much tighter the proposal is than the current policy.
//!
//! Method: both policies answer the same questions and the answers are compared.
//! 1. Every observed request (all outcomes) is replayed through both.
//! 2. Probe requests: every observed principal plus an outsider (`arn:aws:iam::000000000000:role/TrailVpceProbe`)
//!    × every action the observed traffic or the current policy names (wildcards expanded with the compiled
//!    SAR action list for S3 and DynamoDB) × every resource the traffic touched (bucket ARN and a probe object
//!    per bucket) or the current policy names (wildcards filled in), and no resource. Probes are closed
//!    world: the principal keys, `aws:SourceVpce` and the resource owner (when known) are present, nothing else.
//!
//! What the current policy allows and the proposal does not is "removed" (listed per action, resource and
//! principal that the proposal no longer allows at all); the reverse is "added".

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::facts::EndpointFacts;
use super::observed::ObservedAccess;
use super::select::{Family, place};
use super::units::service_of;
use crate::model::VpceId;
use crate::policy::{Context, Effect, EvalOptions, MissingKeys, Policy, Request, evaluate_with, known_actions};

const PROBE_OBJECT: &str = "trail-vpce-probe";
const OUTSIDER: &str = "arn:aws:iam::000000000000:role/TrailVpceProbe";

/// Both policies over the observed requests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ObservedComparison {
    pub allowed_by_current: u64,
    pub allowed_by_proposal: u64,
    pub allowed_by_current_only: u64,
    pub allowed_by_proposal_only: u64,
    /// Requests the current policy cannot settle (it depends on keys the logs do not show).
    pub unknown_under_current: u64,
}

/// Both policies over the probes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProbeComparison {
    pub total: u64,
    pub allowed_by_current: u64,
    pub allowed_by_proposal: u64,
    /// Allowed by the current policy, not by the proposal.
    pub removed: u64,
    /// Allowed by the proposal, not by the current policy.
    pub added: u64,
}

/// The comparison with the current policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Comparison {
    pub current_policy: String,
    pub method: &'static str,
    pub observed: ObservedComparison,
    pub probes: ProbeComparison,
    /// Actions the current policy allows for some probe and the proposal for none.
    pub actions_removed: Vec<String>,
    /// Resources the current policy allows for some probe and the proposal for none.
    pub resources_removed: Vec<String>,
    /// Principals the current policy admits for some probe and the proposal for none.
    pub principals_removed: Vec<String>,
    /// A few probes the proposal allows and the current policy does not.
    pub added_examples: Vec<String>,
    /// Strictly narrower on the probes: something removed, nothing added.
    pub strictly_narrower: bool,
}

/// A probe principal: what a policy can see of it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ProbePrincipal {
    principal: Option<String>,
    account: Option<String>,
    is_service: bool,
    keys: Vec<(String, Vec<String>)>,
}

/// Compares the proposal with the current policy.
pub fn compare(
    current: &Policy,
    current_name: &str,
    proposal: &Policy,
    facts: &EndpointFacts,
    vpce: &VpceId<'_>,
    options: &EvalOptions,
) -> Comparison {
    let mut c = Comparison {
        current_policy: current_name.to_owned(),
        method: "replay of every observed request and of probe requests (observed principals plus an outsider × actions observed or named by the current policy × resources observed or named by it) through both policies",
        ..Comparison::default()
    };
    let requests = facts.sorted();
    for &(request, count) in &requests {
        let answer = |p: &Policy| {
            let answers: Vec<Option<bool>> =
                request.accesses.iter().map(|a| evaluate_with(p, &a.to_request(), options).is_allowed()).collect();
            if answers.contains(&Some(false)) {
                Some(false)
            } else if answers.iter().all(|a| *a == Some(true)) {
                Some(true)
            } else {
                None
            }
        };
        let (cur_answer, prop_answer) = (answer(current), answer(proposal));
        let (cur, prop) = (cur_answer == Some(true), prop_answer == Some(true));
        c.observed.unknown_under_current += u64::from(cur_answer.is_none()) * count;
        c.observed.allowed_by_current += u64::from(cur) * count;
        c.observed.allowed_by_proposal += u64::from(prop) * count;
        c.observed.allowed_by_current_only += u64::from(cur && !prop) * count;
        c.observed.allowed_by_proposal_only += u64::from(prop && !cur) * count;
    }
    let accesses: Vec<&ObservedAccess> = requests.iter().flat_map(|(r, _)| r.accesses.iter()).collect();
    let principals = probe_principals(&accesses);
    let actions = probe_actions(&accesses, current);
    let resources = probe_resources(&accesses, current);
    let mut by_action: BTreeMap<&str, (bool, bool)> = BTreeMap::new();
    let mut by_resource: BTreeMap<String, (bool, bool)> = BTreeMap::new();
    let mut by_principal: BTreeMap<String, (bool, bool)> = BTreeMap::new();
    for principal in &principals {
        for action in &actions {
            for (resource, owner) in &resources {
                if !fits(action, resource.as_deref()) {
                    continue;
                }
                let request = probe(principal, action, resource.as_deref(), owner.as_deref(), vpce);
                let cur = evaluate_with(current, &request, options).is_allowed() == Some(true);
                let prop = evaluate_with(proposal, &request, options).is_allowed() == Some(true);
                c.probes.total += 1;
                c.probes.allowed_by_current += u64::from(cur);
                c.probes.allowed_by_proposal += u64::from(prop);
                c.probes.removed += u64::from(cur && !prop);
                if prop && !cur {
                    c.probes.added += 1;
                    if c.added_examples.len() < 5 {
                        c.added_examples.push(format!(
                            "{} {action} {}",
                            principal.principal.as_deref().unwrap_or("?"),
                            resource.as_deref().unwrap_or("(no resource)")
                        ));
                    }
                }
                let name = principal
                    .principal
                    .clone()
                    .or_else(|| principal.account.as_ref().map(|a| format!("account:{a}")))
                    .unwrap_or_else(|| "unknown".to_owned());
                for (entry, (a, b)) in [
                    by_action.entry(action.as_str()).or_default(),
                    by_resource.entry(resource.clone().unwrap_or_else(|| "(no resource)".into())).or_default(),
                    by_principal.entry(name).or_default(),
                ]
                .into_iter()
                .map(|e| (e, (cur, prop)))
                {
                    entry.0 |= a;
                    entry.1 |= b;
                }
            }
        }
    }
    let removed = |m: BTreeMap<String, (bool, bool)>| -> Vec<String> {
        m.into_iter().filter(|(_, (cur, prop))| *cur && !*prop).map(|(k, _)| k).collect()
    };
    c.actions_removed = removed(by_action.into_iter().map(|(k, v)| (k.to_owned(), v)).collect());
    c.resources_removed = removed(by_resource);
    c.principals_removed = removed(by_principal);
    c.strictly_narrower = c.probes.removed > 0 && c.probes.added == 0;
    c
}

/// Actions are probed on resources of their own service; S3 object actions on object ARNs only, bucket
/// actions on bucket ARNs only (the other pairs never occur, so they say nothing about either policy).
fn fits(action: &str, resource: Option<&str>) -> bool {
    if let Some(arn_service) = resource.and_then(|r| r.split(':').nth(2))
        && !arn_service.eq_ignore_ascii_case(&service_of(action))
    {
        return false;
    }
    let Some(name) = action.strip_prefix("s3:") else { return true };
    let Some(rest) = resource.and_then(|r| r.strip_prefix("arn:aws:s3:::")) else { return true };
    let object_action = name.contains("Object") || name == "AbortMultipartUpload" || name == "ListMultipartUploadParts";
    object_action == rest.contains('/')
}

fn probe(
    principal: &ProbePrincipal,
    action: &str,
    resource: Option<&str>,
    owner: Option<&str>,
    vpce: &VpceId<'_>,
) -> Request {
    let mut context = Context::new();
    for (key, values) in &principal.keys {
        context.insert_many(key, values.iter().cloned());
    }
    context.insert("aws:SourceVpce", vpce.as_str());
    if let Some(owner) = owner {
        context.insert("aws:ResourceAccount", owner);
        if action.to_ascii_lowercase().starts_with("s3:") {
            context.insert("s3:ResourceAccount", owner);
        }
    }
    Request {
        principal: principal.principal.clone(),
        principal_account: principal.account.clone(),
        principal_is_service: principal.is_service,
        action: action.to_owned(),
        resource: resource.map(str::to_owned),
        context,
        unknown: MissingKeys::Absent,
    }
}

fn probe_principals(accesses: &[&ObservedAccess]) -> BTreeSet<ProbePrincipal> {
    let mut out: BTreeSet<ProbePrincipal> = accesses
        .iter()
        .map(|a| ProbePrincipal {
            principal: a.principal.clone(),
            account: a.principal_account.as_ref().map(|a| a.as_str().to_owned()),
            is_service: a.principal_is_service,
            keys: a.context.iter().filter(|(k, _)| k.starts_with("aws:principal")).cloned().collect(),
        })
        .collect();
    out.insert(ProbePrincipal {
        principal: Some(OUTSIDER.to_owned()),
        account: Some("000000000000".to_owned()),
        is_service: false,
        keys: vec![
            ("aws:principalaccount".into(), vec!["000000000000".into()]),
            ("aws:principalarn".into(), vec![OUTSIDER.into()]),
            ("aws:principalisawsservice".into(), vec!["false".into()]),
        ],
    });
    out
}

fn probe_actions(accesses: &[&ObservedAccess], current: &Policy) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = accesses.iter().map(|a| a.action.clone()).collect();
    let services: BTreeSet<String> = out.iter().map(|a| service_of(a)).collect();
    for statement in current.statements.iter().filter(|s| s.effect == Effect::Allow && !s.actions.negated) {
        for pattern in &statement.actions.patterns {
            let text = &pattern.text;
            if !text.contains(['*', '?']) {
                out.insert(text.clone());
                continue;
            }
            let wanted: Vec<String> = match text.split_once(':') {
                Some((service, _)) if !service.contains(['*', '?']) => vec![service.to_ascii_lowercase()],
                _ => services.iter().cloned().collect(),
            };
            for service in wanted {
                for name in known_actions(&service).unwrap_or_default() {
                    let action = format!("{service}:{name}");
                    if pattern.matches(&action) {
                        out.insert(action);
                    }
                }
            }
        }
    }
    out
}

fn probe_resources(accesses: &[&ObservedAccess], current: &Policy) -> BTreeSet<(Option<String>, Option<String>)> {
    let mut owners: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut s3_named: Vec<(String, String)> = Vec::new();
    let mut out = BTreeSet::new();
    for access in accesses {
        let owner = access.resource_account().map(|a| a.as_str().to_owned());
        match place(access) {
            (_, Family::S3Bucket(bucket), _) => {
                let entry = owners.entry(bucket.clone()).or_default();
                if entry.is_none() {
                    *entry = owner;
                }
            }
            (_, Family::NoResource, _) => {
                out.insert((None, None));
            }
            _ => {
                out.insert((access.resource.clone(), owner));
            }
        }
    }
    for statement in current.statements.iter().filter(|s| s.effect == Effect::Allow) {
        for pattern in statement.resources.iter().filter(|r| !r.negated).flat_map(|r| r.patterns.iter()) {
            let filled = pattern.text.replace('*', PROBE_OBJECT).replace('?', "x");
            match crate::analyze::aws_owned::s3_bucket_of(&filled) {
                Some(bucket) => {
                    owners.entry(bucket.to_owned()).or_default();
                    s3_named.push((bucket.to_owned(), filled.clone()));
                }
                None if filled.starts_with("arn:") => {
                    let owner =
                        filled.split(':').nth(4).filter(|a| a.chars().all(|c| c.is_ascii_digit()) && !a.is_empty());
                    out.insert((Some(filled.clone()), owner.map(str::to_owned)));
                }
                None => {}
            }
        }
    }
    for (bucket, arn) in s3_named {
        out.insert((Some(arn), owners.get(&bucket).cloned().flatten()));
    }
    for (bucket, owner) in owners {
        out.insert((Some(format!("arn:aws:s3:::{bucket}")), owner.clone()));
        out.insert((Some(format!("arn:aws:s3:::{bucket}/{PROBE_OBJECT}")), owner));
    }
    out
}
