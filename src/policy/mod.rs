//! The IAM / VPC endpoint policy engine: parse, evaluate, lint. Pure: no I/O, no AWS calls.
//!
//! - [`Policy::parse`] reads a policy document ([`document`] grammar, errors name the JSON path).
//! - [`evaluate`] / [`evaluate_with`] answer a [`Request`] with a [`Decision`].
//! - [`requests_from_event`] turns a logged [`crate::model::Event`] into the requests it needed.
//! - [`lint`] reports endpoint-policy mistakes.
//! - [`replay`]: logged requests through their endpoint's policy, and how the decisions of a request's accesses
//!   combine ([`combine`]); `denied`, `check`, `outside` and `propose` share it.
//! - [`endpoint_keys`]: the services that carry the endpoint-owner keys (`aws:VpceOrgID`, ...), `aws:SourceVpcArn`.
//! - [`literal`] writes observed text into policy text (the escaping chokepoint: `${*}`, `${?}`, `${$}`).
//!
//! # Evaluation semantics and the choices made here
//!
//! Three-valued logic: every element of a statement (action, resource, principal, each condition) is true,
//! false or unknown; a statement applies when all of them are true (Kleene AND). Then:
//! 1. a `Deny` that definitely applies → [`Decision::ExplicitDeny`] (listing every such statement);
//! 2. else a `Deny` that may apply → [`Decision::Unknown`] (with `can_allow: false` if no `Allow` can apply,
//!    i.e. the request is denied either way but explicit-versus-implicit is open);
//! 3. else an `Allow` that definitely applies → [`Decision::Allow`];
//! 4. else an `Allow` that may apply → [`Decision::Unknown`];
//! 5. else [`Decision::ImplicitDeny`].
//!
//! Unknowns come from the open world ([`MissingKeys::Unknown`]): a condition key neither in the context nor in
//! `known_absent`, a policy variable over such a key, a principal the log does not identify, or a resource
//! the log does not show. `Decision::Unknown::missing_keys` names them (condition keys lower case; the words
//! `resource` and `principal` for those two).
//!
//! Matching rules (IAM JSON policy reference):
//! - Actions: case-insensitive, `*`/`?` wildcards spanning anything. `NotAction` is the complement.
//! - Resources: case-sensitive ARN patterns matched per colon-separated segment; `*`/`?` do not cross a colon
//!   except in the last segment of the pattern (the resource part, or the tail of a short pattern such as `*`
//!   or `arn:aws:s3:*`, which follows the documented "a trailing `*` may expand beyond colons" rule). The same
//!   matcher serves `ArnLike` and `ArnEquals` (AWS documents both with identical wildcard semantics).
//! - A request without a resource (`resource: None`) is matched by `Resource: "*"` only; other patterns are
//!   false in the closed world and unknown in the open world (the log may simply not show the resource).
//!   `NotResource` is the complement of the same answer (so `NotResource: "*"` never matches).
//! - A statement without `Resource`/`NotResource` matches every resource; without `Principal`/`NotPrincipal`
//!   every principal (lint flags both for endpoint policies).
//! - Conditions: see [`condition`]. Condition keys are case-insensitive, operator names are accepted in any
//!   case. Values that do not parse for their operator are rejected at parse time.
//! - Policy variables: see [`variables`]. Only with `Version: 2012-10-17`.
//!
//! Principals ("Control access to VPC endpoints using endpoint policies", "AWS JSON policy elements:
//! Principal"):
//! - `"*"` and `{"AWS": "*"}` match everyone, anonymous callers included.
//! - An account principal (`111122223333` or `arn:aws:iam::111122223333:root`) means the root user only on
//!   gateway endpoints and every principal of the account on interface endpoints: chosen by
//!   [`EvalOptions::account_principal_means`] / [`EvalOptions::for_endpoint`]. [`evaluate`] uses the
//!   conservative gateway meaning.
//! - Role and user ARNs match [`Request::principal`] exactly (sessions are represented by their role ARN, so an
//!   STS session ARN in a policy is unknown for a request of its role). `Service` principals match service
//!   principals (case-insensitive). `Federated` and `CanonicalUser` match the principal string exactly.
//! - The principal `anonymous` is matched by `*` only. An unknown principal (`None`) matches `*`, and is
//!   unknown for others unless its known account rules them out.
//! - `NotPrincipal` is the complement.

mod condition;
mod document;
pub mod endpoint_keys;
mod error;
mod eval;
mod from_event;
mod lint;
mod lint_actions;
pub mod literal;
mod operator;
mod pattern;
pub mod replay;
mod request;
mod values;
mod variables;
mod wildcard;

pub use condition::ConditionEntry;
pub use document::{
    ActionPattern, Actions, Effect, MAX_POLICY_BYTES, Policy, PrincipalEntry, PrincipalSpec, ResourcePattern,
    Resources, Statement, StatementRef,
};
pub use error::PolicyError;
pub use eval::{AccountPrincipal, Decision, EndpointKind, EvalOptions, evaluate, evaluate_with, statement_matches};
pub use from_event::{EndpointInventory, Known, ReplayEnv, endpoint_keys, requests_from_event};
pub use lint::{LintFinding, LintSeverity, MAX_ENDPOINT_POLICY_CHARS, lint};
pub(crate) use lint_actions::known_actions;
pub use literal::literal;
pub use operator::{Operator, OperatorFamily, QualifiedOperator, SetQualifier};
pub use replay::{Combined, DeniedBy, EndpointPolicies, Replayed, combine};
pub use request::{Context, Lookup, MissingKeys, Request, Tri};

/// Wildcard matching as `StringLike` does it (`*` and `?` span anything, case-sensitive). For tests and tools.
pub fn string_like(pattern: &str, value: &str) -> bool {
    wildcard::Glob::from_pieces(variables::parse_pieces(pattern, true, false)).matches_static(value, false)
}

/// Wildcard matching as `ArnLike` does it (segment rules above). For tests and tools.
pub fn arn_like(pattern: &str, value: &str) -> bool {
    variables::parse_arn_pattern(pattern, variables::ArnVars::Nowhere).matches(value, &pattern::NoVariables)
        == Some(Tri::True)
}
