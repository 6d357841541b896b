//! Replaying denied requests through the endpoint policies the user gave (`--policy`, `--config`).

use std::sync::Arc;

use crate::analyze::classify::DenyKind;
use crate::analyze::denied::{ReplayVerdict, Replayer};
use crate::config::Settings;
use crate::model::Event;
use crate::policy::{Decision, ReplayEnv, evaluate_with, requests_from_event};

/// Evaluates a request's every access against its endpoint's policy.
pub struct PolicyReplayer {
    settings: Settings,
    env: ReplayEnv,
}

impl PolicyReplayer {
    /// `None` when no endpoint has a policy.
    pub fn from_settings(settings: &Settings) -> Option<Arc<dyn Replayer>> {
        settings.policies().next()?;
        Some(Arc::new(PolicyReplayer { env: settings.replay_env(), settings: settings.clone() }))
    }
}

impl Replayer for PolicyReplayer {
    fn replay(&self, event: &Event) -> Option<ReplayVerdict> {
        let endpoint = self.settings.endpoints.get(event.vpce.as_deref()?)?;
        let policy = &endpoint.policy.as_ref()?.policy;
        let options = endpoint.eval_options();
        let requests = requests_from_event(event, &self.env);
        if requests.is_empty() {
            return Some(ReplayVerdict::Undecided);
        }
        let decisions: Vec<Decision> = requests.iter().map(|r| evaluate_with(policy, r, &options)).collect();
        Some(verdict(&decisions))
    }
}

/// Combines the decisions of all the accesses a request needed: any deny denies the request.
pub fn verdict(decisions: &[Decision]) -> ReplayVerdict {
    if let Some(Decision::ExplicitDeny { statements }) =
        decisions.iter().find(|d| matches!(d, Decision::ExplicitDeny { .. }))
    {
        let statement = statements.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
        return ReplayVerdict::Denied { deny: DenyKind::Explicit, statement: Some(statement) };
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
