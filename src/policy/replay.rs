//! Replaying logged requests through endpoint policies: which policy an event's endpoint has, the requests the
//! event needed ([`requests_from_event`]), the decision for each, and how the decisions of all the accesses a
//! request needed combine into one ([`combine`]: any deny denies it). `denied` (was a plain "Access Denied" the
//! endpoint?), `check` (what would a candidate policy do?), `outside` and `propose` (verification of a proposal)
//! all read their verdicts through [`combine`]; `analyze::replay` turns a [`Combined`] into each analyzer's
//! verdict type.

use std::collections::{BTreeMap, BTreeSet};

use super::{Decision, EvalOptions, Policy, ReplayEnv, Request, StatementRef, evaluate_with, requests_from_event};
use crate::model::{Event, VpceId};

/// The endpoint policies to replay through, and the inventory requests are built with.
#[derive(Debug, Clone, Default)]
pub struct EndpointPolicies {
    env: ReplayEnv,
    policies: BTreeMap<VpceId<'static>, (Policy, EvalOptions)>,
}

/// The requests an event needed and the policy's decision for each, in the same order.
#[derive(Debug, Clone)]
pub struct Replayed {
    pub requests: Vec<Request>,
    pub decisions: Vec<Decision>,
}

impl EndpointPolicies {
    /// Endpoint id → its policy and how to evaluate it.
    pub fn new(
        env: ReplayEnv,
        policies: impl IntoIterator<Item = (VpceId<'static>, Policy, EvalOptions)>,
    ) -> EndpointPolicies {
        let policies = policies.into_iter().map(|(vpce, policy, options)| (vpce, (policy, options))).collect();
        EndpointPolicies { env, policies }
    }

    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// Evaluates every access the event needed against its endpoint's policy; `None` when the event went
    /// through no endpoint, or one without a policy.
    pub fn replay(&self, event: &Event) -> Option<Replayed> {
        let (policy, options) = self.policies.get(event.vpce.as_ref()?.as_str())?;
        let requests = requests_from_event(event, &self.env);
        let decisions = requests.iter().map(|r| evaluate_with(policy, r, options)).collect();
        Some(Replayed { requests, decisions })
    }
}

/// How a denied request was denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeniedBy<'a> {
    /// A `Deny` statement matched (these).
    Explicit(&'a [StatementRef]),
    /// No `Allow` statement matched.
    Implicit,
    /// Undecided, but no value of the missing keys could allow it.
    Unknown,
}

/// The decisions of all the accesses a request needed, combined: any deny denies the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Combined<'a> {
    /// Denied; `index` is the deciding access: the first explicitly denied one, else the first implicitly
    /// denied, else the first that cannot be allowed.
    Denied { index: usize, by: DeniedBy<'a> },
    /// Every access is allowed, by these statements (each once, in order of appearance).
    Allowed { statements: Vec<&'a StatementRef> },
    /// Some access depends on keys the logs cannot supply; `index` is the first such access, `missing_keys`
    /// the keys every undecided access depends on.
    Undecided { index: usize, missing_keys: BTreeSet<String> },
    /// The request maps to no access (no IAM action is known for it).
    NoAccess,
}

/// Combines the decisions of a request's accesses (see [`Combined`]).
pub fn combine(decisions: &[Decision]) -> Combined<'_> {
    if decisions.is_empty() {
        return Combined::NoAccess;
    }
    let explicit = decisions.iter().enumerate().find_map(|(i, d)| match d {
        Decision::ExplicitDeny { statements } => Some((i, statements)),
        _ => None,
    });
    if let Some((index, statements)) = explicit {
        return Combined::Denied { index, by: DeniedBy::Explicit(statements) };
    }
    let find = |pred: fn(&Decision) -> bool| decisions.iter().position(pred);
    if let Some(index) = find(|d| matches!(d, Decision::ImplicitDeny)) {
        return Combined::Denied { index, by: DeniedBy::Implicit };
    }
    if let Some(index) = find(|d| matches!(d, Decision::Unknown { can_allow: false, .. })) {
        return Combined::Denied { index, by: DeniedBy::Unknown };
    }
    if decisions.iter().all(|d| matches!(d, Decision::Allow { .. })) {
        let mut statements: Vec<&StatementRef> = Vec::new();
        for d in decisions {
            if let Decision::Allow { statements: allowing } = d {
                for s in allowing {
                    if !statements.contains(&s) {
                        statements.push(s);
                    }
                }
            }
        }
        return Combined::Allowed { statements };
    }
    let index = find(|d| matches!(d, Decision::Unknown { .. })).unwrap_or(0);
    let missing_keys = decisions
        .iter()
        .filter_map(|d| match d {
            Decision::Unknown { missing_keys, .. } => Some(missing_keys.iter().cloned()),
            _ => None,
        })
        .flatten()
        .collect();
    Combined::Undecided { index, missing_keys }
}

/// Statement names joined with `,` (Sid, else `#index`), as reports print them.
pub fn statement_names<'a>(statements: impl IntoIterator<Item = &'a StatementRef>) -> String {
    statements.into_iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(i: usize) -> StatementRef {
        StatementRef { sid: Some(format!("S{i}")), index: i }
    }

    #[test]
    fn any_deny_denies_and_the_deciding_access_is_named() {
        let allow = |i| Decision::Allow { statements: vec![r(i)] };
        let unknown = |key: &str, can_allow| Decision::Unknown {
            missing_keys: [key.to_owned()].into(),
            statements: vec![],
            can_allow,
        };
        let explicit = Decision::ExplicitDeny { statements: vec![r(7), r(8)] };
        let (s0, s1, s7, s8) = (r(0), r(1), r(7), r(8));
        let both = [s7.clone(), s8.clone()];
        let keys = |k: &[&str]| k.iter().map(|k| (*k).to_owned()).collect::<BTreeSet<String>>();
        let cases: Vec<(Vec<Decision>, Combined)> = vec![
            (vec![allow(0), allow(1)], Combined::Allowed { statements: vec![&s0, &s1] }),
            (vec![allow(0), allow(0)], Combined::Allowed { statements: vec![&s0] }),
            (vec![allow(0), explicit.clone()], Combined::Denied { index: 1, by: DeniedBy::Explicit(&both) }),
            (
                vec![Decision::ImplicitDeny, explicit.clone()],
                Combined::Denied { index: 1, by: DeniedBy::Explicit(&both) },
            ),
            (vec![allow(0), Decision::ImplicitDeny], Combined::Denied { index: 1, by: DeniedBy::Implicit }),
            (vec![unknown("k", false), Decision::ImplicitDeny], Combined::Denied { index: 1, by: DeniedBy::Implicit }),
            (vec![unknown("k", false), allow(1)], Combined::Denied { index: 0, by: DeniedBy::Unknown }),
            (vec![allow(0), unknown("k", true)], Combined::Undecided { index: 1, missing_keys: keys(&["k"]) }),
            (
                vec![unknown("a", true), unknown("b", true)],
                Combined::Undecided { index: 0, missing_keys: keys(&["a", "b"]) },
            ),
            (vec![], Combined::NoAccess),
        ];
        for (decisions, want) in &cases {
            assert_eq!(&combine(decisions), want, "{decisions:?}");
        }
        assert_eq!(statement_names([&s7, &s8]), "S7,S8");
        let _ = (s1, s8);
    }
}
