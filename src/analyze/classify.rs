//! Why was a request denied? A pure function from an [`Event`] to a cause, the kind of deny and the
//! evidence behind it, following the wordings AWS uses (see `shared/reference/aws-facts.md`):
//!
//! `User: <arn> is not authorized to perform: <action> [on resource: <arn>] because no <type> allows the
//! <action> action` (implicit) or `... with an explicit deny in <a|an|the> <type>[: <policy arn>]` (explicit).
//!
//! Only one policy type is ever named, even when several denied. A plain `Access Denied` names none: S3 says
//! exactly that for endpoint-policy denials inside an organization, so such a denial through an endpoint is
//! "possibly the endpoint" until a network activity event or a policy replay settles it.

use serde::Serialize;

use crate::model::{Event, Outcome};

/// What denied the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    VpcePolicy,
    /// A VPC endpoint policy, but of an endpoint that is not the customer's (one AWS operates for a console or
    /// a service, or another account's): nothing the customer's endpoint policies did.
    OtherEndpointPolicy,
    Scp,
    Rcp,
    IdentityPolicy,
    ResourcePolicy,
    PermissionsBoundary,
    SessionPolicy,
    RoleTrustPolicy,
    /// A non-policy reason (e.g. S3 blocking SSE-C uploads).
    Other,
    Unknown,
}

impl Cause {
    pub const ALL: [Cause; 11] = [
        Cause::VpcePolicy,
        Cause::OtherEndpointPolicy,
        Cause::Scp,
        Cause::Rcp,
        Cause::IdentityPolicy,
        Cause::ResourcePolicy,
        Cause::PermissionsBoundary,
        Cause::SessionPolicy,
        Cause::RoleTrustPolicy,
        Cause::Other,
        Cause::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Cause::VpcePolicy => "vpce-policy",
            Cause::OtherEndpointPolicy => "other-endpoint-policy",
            Cause::Scp => "scp",
            Cause::Rcp => "rcp",
            Cause::IdentityPolicy => "identity-policy",
            Cause::ResourcePolicy => "resource-policy",
            Cause::PermissionsBoundary => "permissions-boundary",
            Cause::SessionPolicy => "session-policy",
            Cause::RoleTrustPolicy => "role-trust-policy",
            Cause::Other => "other",
            Cause::Unknown => "unknown",
        }
    }
}

/// Explicit (a Deny statement matched) or implicit (no Allow matched).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DenyKind {
    Explicit,
    Implicit,
    Unknown,
}

impl DenyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DenyKind::Explicit => "explicit",
            DenyKind::Implicit => "implicit",
            DenyKind::Unknown => "unknown",
        }
    }
}

/// How we know the cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evidence {
    /// A `VpceAccessDenied` network activity event.
    NetworkActivity,
    /// The error message names the policy type.
    ErrorMessage,
    /// Replaying the request through the endpoint's policy.
    PolicyReplay,
    None,
}

impl Evidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::NetworkActivity => "network-activity",
            Evidence::ErrorMessage => "error-message",
            Evidence::PolicyReplay => "policy-replay",
            Evidence::None => "none",
        }
    }
}

/// The verdict on one denied request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    pub cause: Cause,
    pub deny: DenyKind,
    pub evidence: Evidence,
    /// The policy ARN some explicit-deny messages end with.
    pub policy_arn: Option<String>,
    /// The action the message names (`s3:GetObject`).
    pub action: Option<String>,
    /// The resource the message names (S3 quotes it).
    pub resource: Option<String>,
    /// An AWS service principal (never the customer's endpoint policy without direct evidence).
    pub service_principal: bool,
}

impl Classification {
    fn unknown(service_principal: bool) -> Classification {
        Classification {
            cause: Cause::Unknown,
            deny: DenyKind::Unknown,
            evidence: Evidence::None,
            policy_arn: None,
            action: None,
            resource: None,
            service_principal,
        }
    }
}

/// Classifies a denied request; `None` when the request was not denied.
pub fn classify(event: &Event) -> Option<Classification> {
    let Outcome::Denied { code, message } = &event.outcome else { return None };
    let service_principal = event.principal.is_aws_service();
    if code == "VpceAccessDenied" {
        return Some(Classification {
            cause: Cause::VpcePolicy,
            evidence: Evidence::NetworkActivity,
            ..Classification::unknown(service_principal)
        });
    }
    let Some(message) = message else { return Some(Classification::unknown(service_principal)) };
    let mut verdict = classify_message(message);
    verdict.service_principal = service_principal;
    Some(verdict)
}

/// Reads an AccessDenied message. Pure; covers every wording in aws-facts.md including the irregular ones.
pub fn classify_message(message: &str) -> Classification {
    let mut verdict = Classification::unknown(false);
    let (action, resource) = action_and_resource(message);
    verdict.action = action;
    verdict.resource = resource;
    if let Some(rest) = find_after(message, "with an explicit deny in ") {
        let rest = strip_article(rest);
        if let Some((cause, tail)) = policy_type(rest) {
            verdict.cause = cause;
            verdict.deny = DenyKind::Explicit;
            verdict.evidence = Evidence::ErrorMessage;
            verdict.policy_arn = tail
                .trim_start()
                .strip_prefix(':')
                .map(|arn| arn.trim().trim_end_matches('.').to_owned())
                .filter(|arn| arn.starts_with("arn:"));
            return verdict;
        }
    }
    if let Some(rest) = find_after(message, "because no ")
        && let Some((cause, tail)) = policy_type(rest)
        && tail.trim_start().starts_with("allows")
    {
        verdict.cause = cause;
        verdict.deny = DenyKind::Implicit;
        verdict.evidence = Evidence::ErrorMessage;
        return verdict;
    }
    if message.contains("SSE-C") || message.contains("is not authorized to perform") && has_non_policy_reason(message) {
        verdict.cause = Cause::Other;
        verdict.evidence = Evidence::ErrorMessage;
    }
    verdict
}

/// `... because <reason>` where the reason is complete and names no policy (e.g. an encryption block).
fn has_non_policy_reason(message: &str) -> bool {
    let Some(reason) = find_after(message, " because ") else { return false };
    let reason = reason.trim();
    // A message truncated right after "because" (CloudTrail cuts at ~1 KB) says nothing.
    reason.len() > 12 && !reason.starts_with("no ") && !reason.contains("policy") && !reason.contains("boundary")
}

fn find_after<'a>(haystack: &'a str, needle: &str) -> Option<&'a str> {
    haystack.find(needle).map(|i| &haystack[i + needle.len()..])
}

fn strip_article(text: &str) -> &str {
    ["an ", "a ", "the "].iter().find_map(|article| text.strip_prefix(article)).unwrap_or(text)
}

/// Recognises a policy-type phrase at the start of `text`; returns the cause and what follows it.
fn policy_type(text: &str) -> Option<(Cause, &str)> {
    const TYPES: [(&str, Cause); 11] = [
        ("VPC endpoint policy", Cause::VpcePolicy),
        ("service control policy", Cause::Scp),
        ("resource control policy", Cause::Rcp),
        ("identity-based policy", Cause::IdentityPolicy),
        ("resource-based policy", Cause::ResourcePolicy),
        ("permissions boundary policy", Cause::PermissionsBoundary),
        ("permissions boundary", Cause::PermissionsBoundary),
        ("sessions policy", Cause::SessionPolicy),
        ("session policy", Cause::SessionPolicy),
        ("role trust policy", Cause::RoleTrustPolicy),
        ("trust policy", Cause::RoleTrustPolicy),
    ];
    TYPES.iter().find_map(|(phrase, cause)| {
        let head = text.get(..phrase.len())?;
        head.eq_ignore_ascii_case(phrase).then(|| (*cause, &text[phrase.len()..]))
    })
}

/// `... perform: s3:GetObject on resource: "arn:aws:s3:::b/k" because ...` → (action, resource).
fn action_and_resource(message: &str) -> (Option<String>, Option<String>) {
    let action = find_after(message, "to perform: ").and_then(|rest| {
        let action: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
        let action = action.trim_end_matches([',', '.']).to_owned();
        action.contains(':').then_some(action)
    });
    let resource = find_after(message, "on resource: ").and_then(|rest| {
        let rest = rest.trim_start();
        let arn = match rest.strip_prefix('"') {
            Some(quoted) => quoted.split('"').next().unwrap_or(""),
            None => rest.split_whitespace().next().unwrap_or(""),
        };
        let arn = arn.trim_end_matches([',', '.']);
        arn.starts_with("arn:").then(|| arn.to_owned())
    });
    (action, resource)
}

#[cfg(test)]
mod tests;
