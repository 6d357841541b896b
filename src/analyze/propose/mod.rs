//! `propose`: the tightest endpoint policy that still allows what the workloads did, verified by replay.
//!
//! - [`facts`]: the accumulator (an [`crate::ingest::Analyzer`]): distinct observed requests per endpoint.
//! - [`select`]: what a proposal covers, leaves out on purpose (foreign, anonymous) or does not use.
//! - [`units`] → [`statements`] → [`document`]: resource families, statements with conditions and Sids, the
//!   printed document; [`generate`] widens step by step until it fits the size limit.
//! - [`verify`]: every observed request replayed through the proposal; [`compare`]: against the current policy.
//!
//! [`propose_endpoint`] ties them together and is a pure function of the facts and the options; [`endpoints`]
//! runs it for every customer endpoint and says why the others got none.

pub mod action_class;
pub mod compare;
pub mod document;
pub mod encoded;
pub mod endpoints;
pub mod facts;
pub mod generate;
pub mod observed;
pub mod options;
pub mod select;
pub mod statements;
pub mod units;
pub mod verify;

use std::collections::BTreeMap;

use serde::Serialize;

pub use compare::Comparison;
pub use document::PolicyDocument;
pub use endpoints::{SkipCause, Skipped, propose_all, trust_endpoint_owners};
pub use facts::{EndpointFacts, EndpointTally, ProposeFacts};
pub use generate::{GenerateError, Widening};
pub use options::{Granularity, ProposeOptions, Scope};
pub use verify::Verification;

use crate::analyze::trust::TrustedSet;
use crate::model::{AccountId, VpceId};
use crate::policy::{EvalOptions, Policy};
use observed::Observed;
use select::{LeftOutReason, Selection, select};

/// Requests left out of a proposal on purpose, grouped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    pub reason: &'static str,
    pub principal: Option<String>,
    pub action: String,
    pub resource: Option<String>,
    pub resource_account: Option<AccountId<'static>>,
    pub outcome: &'static str,
    pub count: u64,
}

/// One endpoint's proposal, as the JSON report prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Proposal {
    pub vpce: VpceId<'static>,
    pub policy: PolicyDocument,
    pub size_chars: usize,
    pub observed_requests: u64,
    pub verified: Verification,
    pub widened: Vec<Widening>,
    pub compared_with_current: Option<Comparison>,
    pub left_out: Vec<LeftOut>,
    /// Folds made by `--action-wildcards`, with the unobserved (read-class) actions each adds.
    pub action_wildcards: Vec<action_class::Fold>,
    pub notes: Vec<String>,
    /// The printed policy document (what `size_chars` counts).
    #[serde(skip)]
    pub text: String,
}

/// Why an endpoint got no proposal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProposeError {
    #[error("{vpce}: {source}")]
    Generate { vpce: String, source: GenerateError },
    #[error("{vpce}: the generated policy does not parse: {message}")]
    Invalid { vpce: String, message: String },
    #[error(
        "{vpce}: BUG: the proposal does not allow {count} observed request(s) it is meant to cover; first: {first}"
    )]
    NotAllowed { vpce: String, count: u64, first: String },
}

/// The current policy to compare with, by name.
pub struct Current<'a> {
    pub name: &'a str,
    pub policy: &'a Policy,
}

/// Generates, verifies and compares the proposal for one endpoint.
pub fn propose_endpoint(
    vpce: &VpceId<'_>,
    facts: &EndpointFacts,
    trusted: &TrustedSet,
    options: &ProposeOptions,
    current: Option<Current<'_>>,
) -> Result<Proposal, ProposeError> {
    let generated = generate::generate(facts, trusted, options)
        .map_err(|source| ProposeError::Generate { vpce: vpce.to_string(), source })?;
    let policy = Policy::parse(&generated.text)
        .map_err(|e| ProposeError::Invalid { vpce: vpce.to_string(), message: e.to_string() })?;
    let verified = verify::verify(&policy, facts, trusted, options);
    if verified.not_allowed > 0 {
        return Err(ProposeError::NotAllowed {
            vpce: vpce.to_string(),
            count: verified.not_allowed,
            first: verified.failures.first().cloned().unwrap_or_default(),
        });
    }
    let eval = EvalOptions::for_endpoint(options.kind);
    let compared_with_current = current.map(|c| compare::compare(c.policy, c.name, &policy, facts, vpce, &eval));
    Ok(Proposal {
        vpce: vpce.to_static(),
        policy: generated.document,
        size_chars: generated.size_chars,
        observed_requests: facts.observed(),
        verified,
        widened: generated.widened,
        compared_with_current,
        left_out: left_out(facts, trusted, options),
        action_wildcards: generated.folds,
        notes: generated.notes,
        text: generated.text,
    })
}

fn left_out(facts: &EndpointFacts, trusted: &TrustedSet, options: &ProposeOptions) -> Vec<LeftOut> {
    type Key<'a> = (LeftOutReason, Option<String>, String, Option<String>, Option<AccountId<'static>>, &'a str);
    let mut groups: BTreeMap<Key<'_>, u64> = BTreeMap::new();
    for (request, count) in &facts.requests {
        let count = *count;
        let Selection::LeftOut(reason) = select(request, trusted, options) else { continue };
        let outcome = match request.outcome {
            Observed::Success => "success",
            Observed::Denied => "denied",
            Observed::Error => "error",
        };
        for access in &request.accesses {
            let principal =
                access.principal.clone().or_else(|| access.principal_account.as_ref().map(AccountId::to_string));
            let key = (
                reason.clone(),
                principal,
                access.action.clone(),
                access.resource.clone(),
                access.resource_account().map(AccountId::into_owned),
                outcome,
            );
            *groups.entry(key).or_default() += count;
        }
    }
    groups
        .into_iter()
        .map(|((reason, principal, action, resource, resource_account, outcome), count)| LeftOut {
            reason: reason.as_str(),
            principal,
            action,
            resource,
            resource_account,
            outcome,
            count,
        })
        .collect()
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod escape_tests;
