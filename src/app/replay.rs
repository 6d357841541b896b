//! Replaying logged requests through the endpoint policies the user gave (`--policy`, `--config`): for
//! `denied` (was a plain "Access Denied" the endpoint?) and for `check` (what would a candidate policy do?).

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::analyze::check::{CandidateReplay, CandidateReplayer, CandidateVerdict};
use crate::analyze::classify::DenyKind;
use crate::analyze::denied::{ReplayVerdict, Replayer};
use crate::config::Settings;
use crate::model::Event;
use crate::policy::{Decision, ReplayEnv, Request, StatementRef, evaluate_with, requests_from_event};

/// Evaluates a request's every access against its endpoint's policy.
pub struct PolicyReplayer {
    settings: Settings,
    env: ReplayEnv,
}

impl PolicyReplayer {
    /// A replayer over every endpoint policy of the settings.
    pub fn new(settings: &Settings) -> PolicyReplayer {
        PolicyReplayer { env: settings.replay_env(), settings: settings.clone() }
    }

    /// `None` when no endpoint has a policy.
    pub fn from_settings(settings: &Settings) -> Option<Arc<dyn Replayer>> {
        settings.policies().next()?;
        Some(Arc::new(PolicyReplayer::new(settings)))
    }

    /// The requests the event needed and the policy's decision for each; `None` when the event's endpoint has
    /// no policy.
    fn evaluate(&self, event: &Event) -> Option<(Vec<Request>, Vec<Decision>)> {
        let endpoint = self.settings.endpoints.get(event.vpce.as_deref()?)?;
        let policy = &endpoint.policy.as_ref()?.policy;
        let options = endpoint.eval_options();
        let requests = requests_from_event(event, &self.env);
        let decisions = requests.iter().map(|r| evaluate_with(policy, r, &options)).collect();
        Some((requests, decisions))
    }
}

impl Replayer for PolicyReplayer {
    fn replay(&self, event: &Event) -> Option<ReplayVerdict> {
        let (requests, decisions) = self.evaluate(event)?;
        if requests.is_empty() {
            return Some(ReplayVerdict::Undecided);
        }
        Some(verdict(&decisions))
    }
}

impl CandidateReplayer for PolicyReplayer {
    fn replay_candidate(&self, event: &Event) -> Option<CandidateReplay> {
        let (requests, decisions) = self.evaluate(event)?;
        Some(candidate(&requests, &decisions))
    }
}

/// Combines the decisions of all the accesses a request needed: any deny denies the request.
pub fn verdict(decisions: &[Decision]) -> ReplayVerdict {
    if let Some(Decision::ExplicitDeny { statements }) =
        decisions.iter().find(|d| matches!(d, Decision::ExplicitDeny { .. }))
    {
        return ReplayVerdict::Denied { deny: DenyKind::Explicit, statement: Some(names(statements)) };
    }
    if decisions.iter().any(|d| matches!(d, Decision::ImplicitDeny)) {
        return ReplayVerdict::Denied { deny: DenyKind::Implicit, statement: None };
    }
    if decisions.iter().any(|d| matches!(d, Decision::Unknown { can_allow: false, .. })) {
        return ReplayVerdict::Denied { deny: DenyKind::Unknown, statement: None };
    }
    if decisions.iter().all(|d| matches!(d, Decision::Allow { .. })) {
        return ReplayVerdict::Allowed;
    }
    ReplayVerdict::Undecided
}

/// The same combination as [`verdict`], keeping which access decided and why: the first explicitly denied
/// access, else the first implicitly denied, else the first denied either way; when every access is
/// allowed, the first access and every allowing statement; otherwise the first undecided access and the keys
/// every undecided access depends on. A request with no known access is unknown on `action`.
pub fn candidate(requests: &[Request], decisions: &[Decision]) -> CandidateReplay {
    let at = |i: usize, verdict: CandidateVerdict, statement: Option<String>, missing_keys: BTreeSet<String>| {
        CandidateReplay {
            verdict,
            action: requests.get(i).map(|r| r.action.clone()),
            resource: requests.get(i).and_then(|r| r.resource.clone()),
            statement,
            missing_keys,
        }
    };
    if requests.is_empty() {
        return at(0, CandidateVerdict::Unknown, None, ["action".to_owned()].into());
    }
    let find = |pred: fn(&Decision) -> bool| decisions.iter().position(pred);
    let explicit = decisions.iter().enumerate().find_map(|(i, d)| match d {
        Decision::ExplicitDeny { statements } => Some((i, statements)),
        _ => None,
    });
    if let Some((i, statements)) = explicit {
        return at(i, CandidateVerdict::Deny, Some(names(statements)), BTreeSet::new());
    }
    let denied = find(|d| matches!(d, Decision::ImplicitDeny))
        .or_else(|| find(|d| matches!(d, Decision::Unknown { can_allow: false, .. })));
    if let Some(i) = denied {
        return at(i, CandidateVerdict::Deny, None, BTreeSet::new());
    }
    if decisions.iter().all(|d| matches!(d, Decision::Allow { .. })) {
        let mut allowing: Vec<&StatementRef> = Vec::new();
        for d in decisions {
            if let Decision::Allow { statements } = d {
                for s in statements {
                    if !allowing.contains(&s) {
                        allowing.push(s);
                    }
                }
            }
        }
        let statement = allowing.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
        return at(0, CandidateVerdict::Allow, Some(statement).filter(|s| !s.is_empty()), BTreeSet::new());
    }
    let first = find(|d| matches!(d, Decision::Unknown { .. })).unwrap_or(0);
    let keys = decisions
        .iter()
        .filter_map(|d| match d {
            Decision::Unknown { missing_keys, .. } => Some(missing_keys.iter().cloned()),
            _ => None,
        })
        .flatten()
        .collect();
    at(first, CandidateVerdict::Unknown, None, keys)
}

fn names(statements: &[StatementRef]) -> String {
    statements.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let got = candidate(&requests, &decisions);
            assert_eq!(got.verdict, want, "{decisions:?}");
            assert_eq!(got.action.as_deref(), action, "{decisions:?}");
            assert_eq!(got.statement.as_deref(), statement, "{decisions:?}");
            assert_eq!(got.missing_keys.iter().map(String::as_str).collect::<Vec<_>>(), keys, "{decisions:?}");
            // `verdict` agrees on allow / deny / undecided.
            let v = verdict(&decisions);
            let same = match want {
                CandidateVerdict::Allow => v == ReplayVerdict::Allowed,
                CandidateVerdict::Deny => matches!(v, ReplayVerdict::Denied { .. }),
                CandidateVerdict::Unknown => v == ReplayVerdict::Undecided,
            };
            assert!(same, "{decisions:?}: {v:?}");
        }
        let none = candidate(&[], &[]);
        assert_eq!((none.verdict, none.action), (CandidateVerdict::Unknown, None));
        assert!(none.missing_keys.contains("action"));
    }
}
