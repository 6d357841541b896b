//! Verification by replay: every observed request goes through the proposal with the policy engine (as the
//! endpoint's kind evaluates it). Covered requests must be allowed; denied ones should stay denied; what the
//! engine cannot settle is reported with the keys it missed.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Serialize;

use super::facts::EndpointFacts;
use super::observed::{Observed, ObservedRequest};
use super::options::ProposeOptions;
use super::select::{Selection, select};
use crate::analyze::trust::TrustedSet;
use crate::policy::{Combined, Decision, EvalOptions, Policy, combine, evaluate_with};

/// A request's verdict under a policy: every access must be allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    NotAllowed,
    Unknown(BTreeSet<String>),
}

/// Evaluates every access of a request; the decisions combine as every replay's do ([`combine`]: any deny
/// denies). A request with no access has nothing to refuse.
pub fn verdict(policy: &Policy, request: &ObservedRequest, options: &EvalOptions) -> Verdict {
    let decisions: Vec<Decision> =
        request.accesses.iter().map(|access| evaluate_with(policy, &access.to_request(), options)).collect();
    match combine(&decisions) {
        Combined::Denied { .. } => Verdict::NotAllowed,
        Combined::Undecided { missing_keys, .. } => Verdict::Unknown(missing_keys),
        Combined::Allowed { .. } | Combined::NoAccess => Verdict::Allowed,
    }
}

/// An unknown outcome, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownOutcome {
    pub request: String,
    pub outcome: &'static str,
    pub missing_keys: Vec<String>,
    pub count: u64,
}

/// What the replay found. Counts are of observed requests (a request seen twice counts twice).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Covered requests the proposal allows.
    pub allowed: u64,
    /// Covered requests the proposal does not allow (a bug if non-zero: the command fails).
    pub not_allowed: u64,
    /// Covered requests the engine cannot settle.
    pub unknown: u64,
    /// Observed denied requests (not covered) that the proposal denies too.
    pub denied_stay_denied: u64,
    /// Observed denied requests the proposal would allow: another policy (identity, resource, SCP...) denied
    /// them, and the endpoint policy is not the place to repeat that.
    pub denied_allowed_by_proposal: u64,
    pub denied_unknown: u64,
    /// Left-out requests (foreign, anonymous, ...) the proposal denies.
    pub left_out_denied: u64,
    /// Left-out requests the proposal still allows (another statement covers them).
    pub left_out_allowed: u64,
    /// Requests not used and not denied (other errors, network activity without a resource), by verdict.
    pub other_allowed: u64,
    pub other_not_allowed: u64,
    pub other_unknown: u64,
    pub unknown_outcomes: Vec<UnknownOutcome>,
    /// The covered requests the proposal does not allow (described), for the error message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<String>,
}

/// Replays every observed request of an endpoint through the proposal. The replays run in parallel (they are
/// independent, and one endpoint often holds most of the requests); only sums and ordered maps come out of the
/// tally after them (the failures are sorted), so the requests are taken in the facts' order: no sort.
pub fn verify(policy: &Policy, facts: &EndpointFacts, trusted: &TrustedSet, options: &ProposeOptions) -> Verification {
    let eval = EvalOptions::for_endpoint(options.kind);
    let mut v = Verification::default();
    let mut unknowns: BTreeMap<(String, &'static str, Vec<String>), u64> = BTreeMap::new();
    let replayed: Vec<(Selection, Verdict)> = facts
        .requests
        .par_iter()
        .map(|(request, _)| (select(request, trusted, options), verdict(policy, request, &eval)))
        .collect();
    for ((request, count), (selection, verdict)) in facts.requests.iter().zip(replayed) {
        let count = *count;
        let describe = || request.accesses.iter().map(|a| a.describe()).collect::<Vec<_>>().join("; ");
        if let Verdict::Unknown(keys) = &verdict {
            let outcome = match request.outcome {
                Observed::Success => "success",
                Observed::Denied => "denied",
                Observed::Error => "error",
            };
            *unknowns.entry((describe(), outcome, keys.iter().cloned().collect())).or_default() += count;
        }
        match (selection, request.outcome, verdict) {
            (Selection::Covered, _, Verdict::Allowed) => v.allowed += count,
            (Selection::Covered, _, Verdict::NotAllowed) => {
                v.not_allowed += count;
                v.failures.push(describe());
            }
            (Selection::Covered, _, Verdict::Unknown(_)) => v.unknown += count,
            (Selection::LeftOut(_), _, Verdict::Allowed) => v.left_out_allowed += count,
            (Selection::LeftOut(_), _, _) => v.left_out_denied += count,
            (Selection::NotUsed, Observed::Denied, Verdict::NotAllowed) => v.denied_stay_denied += count,
            (Selection::NotUsed, Observed::Denied, Verdict::Allowed) => v.denied_allowed_by_proposal += count,
            (Selection::NotUsed, Observed::Denied, Verdict::Unknown(_)) => v.denied_unknown += count,
            (Selection::NotUsed, _, Verdict::Allowed) => v.other_allowed += count,
            (Selection::NotUsed, _, Verdict::NotAllowed) => v.other_not_allowed += count,
            (Selection::NotUsed, _, Verdict::Unknown(_)) => v.other_unknown += count,
        }
    }
    v.failures.sort_unstable();
    v.unknown_outcomes = unknowns
        .into_iter()
        .map(|((request, outcome, missing_keys), count)| UnknownOutcome { request, outcome, missing_keys, count })
        .collect();
    v
}
