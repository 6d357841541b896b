//! What `propose` keeps of each observed request: the policy [`Request`]s it needed, in a hashable, ordered
//! form so identical requests fold into one entry with a count (memory is bounded by distinct requests).
//!
//! `aws:CurrentTime` and `aws:EpochTime` are dropped before folding: a proposal never uses them, and keeping
//! them would make every request distinct.

use std::collections::BTreeSet;

use crate::model::AccountId;
use crate::policy::{Context, MissingKeys, Request};

/// Condition keys dropped before folding (lower case).
pub(super) const DROPPED_KEYS: &[&str] = &["aws:currenttime", "aws:epochtime"];

/// One access of a request (an IAM action on a resource) with everything the policy engine can see.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObservedAccess {
    pub principal: Option<String>,
    pub principal_account: Option<AccountId<'static>>,
    pub principal_is_service: bool,
    pub action: String,
    pub resource: Option<String>,
    /// Condition keys (lower case) and values, sorted.
    pub context: Vec<(String, Vec<String>)>,
    /// Keys known to be absent (lower case), sorted.
    pub known_absent: Vec<String>,
}

impl ObservedAccess {
    /// Captures a request (time keys dropped), moving its strings rather than copying them.
    pub fn from_request(request: Request) -> ObservedAccess {
        let context = request.context.into_entries().filter(|(k, _)| !DROPPED_KEYS.contains(&k.as_str())).collect();
        let known_absent = match request.unknown {
            MissingKeys::Unknown { known_absent } => known_absent.into_iter().collect(),
            // Requests built from events are always open-world; the closed forms carry no absent list.
            MissingKeys::Absent | MissingKeys::Listed { .. } => Vec::new(),
        };
        ObservedAccess {
            principal: request.principal,
            principal_account: request.principal_account.map(AccountId::from),
            principal_is_service: request.principal_is_service,
            action: request.action,
            resource: request.resource,
            context,
            known_absent,
        }
    }

    /// The request again, in the open world (as `requests_from_event` built it, minus the time keys).
    pub fn to_request(&self) -> Request {
        let mut context = Context::new();
        for (key, values) in &self.context {
            context.insert_many(key, values.iter().cloned());
        }
        Request {
            principal: self.principal.clone(),
            principal_account: self.principal_account.as_ref().map(|a| a.as_str().to_owned()),
            principal_is_service: self.principal_is_service,
            action: self.action.clone(),
            resource: self.resource.clone(),
            context,
            unknown: MissingKeys::Unknown { known_absent: self.known_absent.iter().cloned().collect::<BTreeSet<_>>() },
        }
    }

    /// The value of a single-valued condition key (lower case), if present.
    pub fn key(&self, key_lower: &str) -> Option<&str> {
        self.context.iter().find(|(k, _)| k == key_lower).and_then(|(_, v)| v.first()).map(String::as_str)
    }

    /// The account that owns the resource (`aws:ResourceAccount`), when the log shows it.
    pub fn resource_account(&self) -> Option<AccountId<'_>> {
        self.key("aws:resourceaccount").filter(|a| !a.is_empty()).map(AccountId::from)
    }

    /// The principal's organization (`aws:PrincipalOrgID`), when known.
    pub fn principal_org(&self) -> Option<&str> {
        self.key("aws:principalorgid")
    }

    /// The service name of an AWS service principal.
    pub fn service_name(&self) -> Option<&str> {
        self.key("aws:principalservicename").or(self.principal.as_deref().filter(|_| self.principal_is_service))
    }

    /// True for unsigned requests.
    pub fn is_anonymous(&self) -> bool {
        self.principal.as_deref() == Some("anonymous")
    }

    /// A short description for reports: `principal action resource`.
    pub fn describe(&self) -> String {
        format!(
            "{} {} {}",
            self.principal
                .as_deref()
                .or(self.principal_account.as_ref().map(AccountId::as_str))
                .unwrap_or("unknown-principal"),
            self.action,
            self.resource.as_deref().unwrap_or("(no resource)")
        )
    }
}

/// How a request ended, as far as `propose` cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Observed {
    Success,
    Denied,
    /// Any other error: not evidence either way.
    Error,
}

/// One observed request (all its accesses) with how it ended.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObservedRequest {
    pub outcome: Observed,
    /// A network activity event (`AwsVpceEvent`): it often carries no resource.
    pub network_activity: bool,
    pub accesses: Vec<ObservedAccess>,
}
