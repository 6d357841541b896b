//! The analyzers' verdicts from a policy replay ([`crate::policy::replay`]): [`EndpointPolicies`] is the
//! [`Replayer`] of `denied` and `outside` and the [`CandidateReplayer`] of `check`. The combination of a
//! request's decisions is the policy module's ([`combine`]); this only names it in each analyzer's terms.

use std::sync::Arc;

use super::check::{CandidateReplay, CandidateReplayer, CandidateVerdict};
use super::classify::DenyKind;
use super::denied::{ReplayVerdict, Replayer};
use crate::model::Event;
use crate::policy::replay::statement_names;
use crate::policy::{Combined, DeniedBy, EndpointPolicies, Request, combine};

/// The replayer `denied` and `outside` take: `None` when no endpoint has a policy.
pub fn replayer(policies: EndpointPolicies) -> Option<Arc<dyn Replayer>> {
    if policies.is_empty() { None } else { Some(Arc::new(policies)) }
}

impl Replayer for EndpointPolicies {
    fn replay(&self, event: &Event) -> Option<ReplayVerdict> {
        let replayed = EndpointPolicies::replay(self, event)?;
        Some(verdict(&combine(&replayed.decisions)))
    }
}

impl CandidateReplayer for EndpointPolicies {
    fn replay_candidate(&self, event: &Event) -> Option<CandidateReplay> {
        let replayed = EndpointPolicies::replay(self, event)?;
        Some(candidate(&replayed.requests, &combine(&replayed.decisions)))
    }
}

/// `denied`'s view: was the request denied by the endpoint policy, and how.
pub fn verdict(combined: &Combined<'_>) -> ReplayVerdict {
    match combined {
        Combined::Denied { by: DeniedBy::Explicit(statements), .. } => {
            ReplayVerdict::Denied { deny: DenyKind::Explicit, statement: Some(statement_names(*statements)) }
        }
        Combined::Denied { by: DeniedBy::Implicit, .. } => {
            ReplayVerdict::Denied { deny: DenyKind::Implicit, statement: None }
        }
        Combined::Denied { by: DeniedBy::Unknown, .. } => {
            ReplayVerdict::Denied { deny: DenyKind::Unknown, statement: None }
        }
        Combined::Allowed { .. } => ReplayVerdict::Allowed,
        Combined::Undecided { .. } | Combined::NoAccess => ReplayVerdict::Undecided,
    }
}

/// `check`'s view: the verdict, the access it is about and why. A request with no known access is unknown on
/// `action`.
pub fn candidate(requests: &[Request], combined: &Combined<'_>) -> CandidateReplay {
    let at = |index: usize, verdict, statement: Option<String>, missing_keys| CandidateReplay {
        verdict,
        action: requests.get(index).map(|r| r.action.clone()),
        resource: requests.get(index).and_then(|r| r.resource.clone()),
        statement,
        missing_keys,
    };
    match combined {
        Combined::Denied { index, by } => {
            let statement = match by {
                DeniedBy::Explicit(statements) => Some(statement_names(*statements)),
                DeniedBy::Implicit | DeniedBy::Unknown => None,
            };
            at(*index, CandidateVerdict::Deny, statement, Default::default())
        }
        Combined::Allowed { statements } => {
            let names = statement_names(statements.iter().copied());
            at(0, CandidateVerdict::Allow, Some(names).filter(|s| !s.is_empty()), Default::default())
        }
        Combined::Undecided { index, missing_keys } => {
            at(*index, CandidateVerdict::Unknown, None, missing_keys.clone())
        }
        Combined::NoAccess => at(0, CandidateVerdict::Unknown, None, ["action".to_owned()].into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Decision, StatementRef};

    fn r(i: usize) -> StatementRef {
        StatementRef { sid: Some(format!("S{i}")), index: i }
    }

    #[test]
    fn candidate_picks_the_deciding_access() {
        let requests: Vec<Request> = ["s3:GetObject", "s3:PutObject"]
            .iter()
            .map(|a| Request::new(*a).resource(&format!("arn:aws:s3:::b/{a}")))
            .collect();
        let allow = |i| Decision::Allow { statements: vec![r(i)] };
        let unknown = |key: &str, can_allow| Decision::Unknown {
            missing_keys: [key.to_owned()].into(),
            statements: vec![],
            can_allow,
        };
        let explicit = Decision::ExplicitDeny { statements: vec![r(7), r(8)] };
        type Case = (Vec<Decision>, CandidateVerdict, Option<&'static str>, Option<&'static str>, Vec<&'static str>);
        let cases: Vec<Case> = vec![
            (vec![allow(0), allow(1)], CandidateVerdict::Allow, Some("s3:GetObject"), Some("S0,S1"), vec![]),
            (vec![allow(0), allow(0)], CandidateVerdict::Allow, Some("s3:GetObject"), Some("S0"), vec![]),
            (vec![allow(0), explicit.clone()], CandidateVerdict::Deny, Some("s3:PutObject"), Some("S7,S8"), vec![]),
            (
                vec![Decision::ImplicitDeny, explicit],
                CandidateVerdict::Deny,
                Some("s3:PutObject"),
                Some("S7,S8"),
                vec![],
            ),
            (vec![allow(0), Decision::ImplicitDeny], CandidateVerdict::Deny, Some("s3:PutObject"), None, vec![]),
            (vec![unknown("k", false), allow(1)], CandidateVerdict::Deny, Some("s3:GetObject"), None, vec![]),
            (vec![allow(0), unknown("k", true)], CandidateVerdict::Unknown, Some("s3:PutObject"), None, vec!["k"]),
            (
                vec![unknown("a", true), unknown("b", true)],
                CandidateVerdict::Unknown,
                Some("s3:GetObject"),
                None,
                vec!["a", "b"],
            ),
        ];
        for (decisions, want, action, statement, keys) in cases {
            let combined = combine(&decisions);
            let got = candidate(&requests, &combined);
            assert_eq!(got.verdict, want, "{decisions:?}");
            assert_eq!(got.action.as_deref(), action, "{decisions:?}");
            assert_eq!(got.statement.as_deref(), statement, "{decisions:?}");
            assert_eq!(got.missing_keys.iter().map(String::as_str).collect::<Vec<_>>(), keys, "{decisions:?}");
            // `verdict` agrees on allow / deny / undecided.
            let v = verdict(&combined);
            let same = match want {
                CandidateVerdict::Allow => v == ReplayVerdict::Allowed,
                CandidateVerdict::Deny => matches!(v, ReplayVerdict::Denied { .. }),
                CandidateVerdict::Unknown => v == ReplayVerdict::Undecided,
            };
            assert!(same, "{decisions:?}: {v:?}");
        }
        let none = candidate(&[], &combine(&[]));
        assert_eq!((none.verdict, none.action), (CandidateVerdict::Unknown, None));
        assert!(none.missing_keys.contains("action"));
        assert_eq!(verdict(&combine(&[])), ReplayVerdict::Undecided);
        let explicit = [Decision::ExplicitDeny { statements: vec![r(3)] }];
        assert_eq!(
            verdict(&combine(&explicit)),
            ReplayVerdict::Denied { deny: DenyKind::Explicit, statement: Some("S3".to_owned()) }
        );
    }
}
