//! The judgement calls of `outside`, as pure functions: when a resource is endpoint-bound, and how severe
//! each kind of finding is.

use serde::Serialize;

use crate::analyze::trust::Trust;

/// The kinds of finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A request to an endpoint-bound resource that did not come through an endpoint.
    Bypass,
    /// A request through an endpoint to a resource of an account outside the trusted set.
    ForeignResource,
    /// A principal of an account outside the trusted set using one of our endpoints.
    ForeignPrincipal,
    /// A successful request through an endpoint that the given endpoint policy would not allow.
    OutOfPolicy,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Bypass => "bypass",
            Kind::ForeignResource => "foreign-resource",
            Kind::ForeignPrincipal => "foreign-principal",
            Kind::OutOfPolicy => "out-of-policy",
        }
    }
}

/// How bad a finding is. Sorts high first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    High,
    Medium,
    Low,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

/// Why a resource is endpoint-bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Bound {
    /// The user said so (`--protect`, config `protect`).
    Protected,
    /// The input shows it reached through an endpoint successfully.
    Observed,
}

/// Whether a resource is endpoint-bound: protected by the user, or seen reached through an endpoint with
/// success. Both apply at once: protecting some resources does not stop observation binding others.
pub fn endpoint_bound(protected: bool, reached_through_endpoint: bool) -> Option<Bound> {
    if protected {
        Some(Bound::Protected)
    } else if reached_through_endpoint {
        Some(Bound::Observed)
    } else {
        None
    }
}

/// Severity of a bypass. High: the same principal also used an endpoint and now came from a public address
/// (instance or task credentials used outside the VPC), or an allowed request reached a protected resource.
/// Medium: other allowed requests. Low: other denied ones (someone tried; something refused it).
pub fn bypass_severity(allowed: bool, bound: Bound, principal_uses_endpoint: bool, public_source: bool) -> Severity {
    if (principal_uses_endpoint && public_source) || (allowed && bound == Bound::Protected) {
        Severity::High
    } else if allowed {
        Severity::Medium
    } else {
        Severity::Low
    }
}

/// Severity of a request through an endpoint to a resource of another account: allowed to an untrusted
/// owner is data leaving (high); to an unknown owner, medium; denied ones show the endpoint policy working.
pub fn foreign_resource_severity(allowed: bool, owner: Trust) -> Option<Severity> {
    match (owner, allowed) {
        (Trust::Trusted, _) => None,
        (Trust::Untrusted, true) => Some(Severity::High),
        (Trust::Unknown, true) => Some(Severity::Medium),
        (_, false) => Some(Severity::Low),
    }
}

/// Severity of an untrusted principal using our endpoint: high when it got through, low when refused.
pub fn foreign_principal_severity(allowed: bool, account: Trust) -> Option<Severity> {
    match (account, allowed) {
        (Trust::Untrusted, true) => Some(Severity::High),
        (Trust::Untrusted, false) => Some(Severity::Low),
        _ => None,
    }
}

/// Severity of a successful request the given policy would refuse: it works today, so the deployed policy
/// is not the given one, or the given one would break it.
pub fn out_of_policy_severity() -> Severity {
    Severity::Medium
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_bound_decision() {
        let cases = [
            (true, true, Some(Bound::Protected)),
            (true, false, Some(Bound::Protected)),
            (false, true, Some(Bound::Observed)),
            (false, false, None),
        ];
        for (protected, reached, expected) in cases {
            assert_eq!(endpoint_bound(protected, reached), expected, "{protected} {reached}");
        }
    }

    #[test]
    fn bypass_severities() {
        use Bound::*;
        use Severity::*;
        let cases = [
            // (allowed, bound, principal also through an endpoint, public source) → severity
            (true, Observed, true, true, High),
            (false, Observed, true, true, High),
            (true, Protected, false, false, High),
            (true, Protected, false, true, High),
            (true, Observed, false, true, Medium),
            (true, Observed, true, false, Medium),
            (false, Protected, false, true, Low),
            (false, Observed, true, false, Low),
        ];
        for (allowed, bound, via, public, expected) in cases {
            assert_eq!(bypass_severity(allowed, bound, via, public), expected, "{allowed} {bound:?} {via} {public}");
        }
    }

    #[test]
    fn foreign_severities() {
        use Severity::*;
        let cases = [
            (true, Trust::Untrusted, Some(High)),
            (false, Trust::Untrusted, Some(Low)),
            (true, Trust::Unknown, Some(Medium)),
            (false, Trust::Unknown, Some(Low)),
            (true, Trust::Trusted, None),
        ];
        for (allowed, trust, expected) in cases {
            assert_eq!(foreign_resource_severity(allowed, trust), expected, "{allowed} {trust:?}");
        }
        let cases = [
            (true, Trust::Untrusted, Some(High)),
            (false, Trust::Untrusted, Some(Low)),
            (true, Trust::Unknown, None),
            (true, Trust::Trusted, None),
        ];
        for (allowed, trust, expected) in cases {
            assert_eq!(foreign_principal_severity(allowed, trust), expected, "{allowed} {trust:?}");
        }
    }
}
