//! Proposals for every endpoint in the facts: the customer's endpoints get one each, the others are skipped
//! with the reason (an endpoint AWS or another account operates, or a policy that cannot be generated).

use serde::Serialize;

use super::{Current, Proposal, ProposeError, ProposeFacts, ProposeOptions, propose_endpoint};
use crate::config::{LoadedPolicy, Settings};
use crate::model::VpceId;
use crate::ownership::Ownership;
use crate::policy::EndpointKind;

/// An endpoint that got no proposal, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub vpce: VpceId<'static>,
    pub reason: String,
    #[serde(skip)]
    pub cause: SkipCause,
}

/// Why an endpoint was skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipCause {
    /// AWS or another account operates it: no policy of the customer's applies.
    NotCustomers,
    /// No policy could be generated within the limits (the reason says which).
    GenerationFailed,
}

/// The accounts that own the customer's endpoints are trusted (they are the proposals' own accounts).
pub fn trust_endpoint_owners(facts: &mut ProposeFacts, ownership: &Ownership) {
    for (_, owner, _) in ownership.iter() {
        if let (true, Some(account)) = (owner.class.is_customer_side(), &owner.account) {
            facts.trusted.observe_endpoint_owner(account);
        }
    }
}

/// Every endpoint's verified proposal, or why it got none. A generation failure is a skip unless `single` (one
/// endpoint was asked for): then it is the error. `current_file` is the policy to compare with (`--current`),
/// else each endpoint's policy in the config.
pub fn propose_all(
    facts: ProposeFacts,
    settings: &Settings,
    ownership: &Ownership,
    base: &ProposeOptions,
    current_file: Option<&LoadedPolicy>,
    single: bool,
) -> Result<(Vec<Proposal>, Vec<Skipped>), ProposeError> {
    let mut proposals = Vec::new();
    let mut skipped = Vec::new();
    let (endpoints, trusted) = facts.into_parts();
    // One endpoint's requests are decoded at a time, and freed once its proposal is made.
    for (vpce, tally) in endpoints {
        if let Some(operator) = ownership.operator_label(&vpce) {
            skipped.push(Skipped {
                vpce: vpce.clone(),
                reason: format!(
                    "not your endpoint ({operator}): no policy proposed for an endpoint you do not operate"
                ),
                cause: SkipCause::NotCustomers,
            });
            continue;
        }
        let endpoint = settings.endpoints.get(&vpce);
        let options =
            ProposeOptions { kind: endpoint.and_then(|e| e.kind).unwrap_or(EndpointKind::Gateway), ..base.clone() };
        let loaded = current_file.or_else(|| endpoint.and_then(|e| e.policy.as_ref()));
        let name = loaded.map(|l| l.path.display().to_string()).unwrap_or_default();
        let current = loaded.map(|l| Current { name: &name, policy: &l.policy });
        match propose_endpoint(&vpce, &tally.into_facts(), &trusted, &options, current) {
            Ok(p) => proposals.push(p),
            Err(ProposeError::Generate { source, .. }) if !single => {
                skipped.push(Skipped { vpce, reason: source.to_string(), cause: SkipCause::GenerationFailed });
            }
            Err(e) => return Err(e),
        }
    }
    Ok((proposals, skipped))
}
