//! Evaluation of one policy against one [`Request`]: statement matching (principal, action, resource,
//! condition) in three-valued logic, combined into a [`Decision`] by the IAM rule "an explicit deny wins, then
//! an allow, else an implicit deny", with `Unknown` where the inputs do not settle it.

use super::document::{Effect, Policy, PrincipalEntry, PrincipalSpec, Resources, Statement, StatementRef};
use super::request::{Request, Tri, arn_account};
use std::collections::BTreeSet;
use std::fmt;

/// The kind of VPC endpoint a policy is attached to. It changes what an account principal means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndpointKind {
    /// S3 and DynamoDB gateway endpoints: `Principal` must be `*`; an account principal means its root user.
    Gateway,
    /// Interface endpoints (PrivateLink): an account principal means every user and role of the account.
    Interface,
}

/// What `{"AWS": "111122223333"}` / `arn:aws:iam::111122223333:root` matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AccountPrincipal {
    /// Only the account's root user (gateway endpoints).
    #[default]
    RootOnly,
    /// Any principal of the account (interface endpoints, resource policies).
    AnyPrincipalInAccount,
}

/// Evaluation settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EvalOptions {
    pub account_principal_means: AccountPrincipal,
}

impl EvalOptions {
    /// The settings for a policy attached to an endpoint of this kind.
    pub fn for_endpoint(kind: EndpointKind) -> EvalOptions {
        let account_principal_means = match kind {
            EndpointKind::Gateway => AccountPrincipal::RootOnly,
            EndpointKind::Interface => AccountPrincipal::AnyPrincipalInAccount,
        };
        EvalOptions { account_principal_means }
    }
}

/// The outcome of evaluating a policy for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// An `Allow` statement definitely matches and no `Deny` statement can match.
    Allow { statements: Vec<StatementRef> },
    /// No statement matches.
    ImplicitDeny,
    /// At least one `Deny` statement definitely matches (all of them are listed).
    ExplicitDeny { statements: Vec<StatementRef> },
    /// The inputs do not settle it. `statements` are the denies that may match, then the allows that do or
    /// may match; `missing_keys`
    /// the lower-case condition keys whose unknown values matter (plus `resource` / `principal` when those
    /// are unknown); `can_allow` is false when no `Allow` can match, so the request is denied either way and
    /// only explicit-versus-implicit is open.
    Unknown { missing_keys: BTreeSet<String>, statements: Vec<StatementRef>, can_allow: bool },
}

impl Decision {
    /// `Some(true)` for Allow, `Some(false)` for either deny (and for an Unknown that cannot allow), `None`
    /// when it may go either way.
    pub fn is_allowed(&self) -> Option<bool> {
        match self {
            Decision::Allow { .. } => Some(true),
            Decision::ImplicitDeny | Decision::ExplicitDeny { .. } => Some(false),
            Decision::Unknown { can_allow: false, .. } => Some(false),
            Decision::Unknown { .. } => None,
        }
    }

    /// `allow`, `implicit-deny`, `explicit-deny` or `unknown`.
    pub fn name(&self) -> &'static str {
        match self {
            Decision::Allow { .. } => "allow",
            Decision::ImplicitDeny => "implicit-deny",
            Decision::ExplicitDeny { .. } => "explicit-deny",
            Decision::Unknown { .. } => "unknown",
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |s: &[StatementRef]| s.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        match self {
            Decision::Allow { statements } => write!(f, "allow ({})", join(statements)),
            Decision::ImplicitDeny => f.write_str("implicit-deny"),
            Decision::ExplicitDeny { statements } => {
                write!(f, "explicit-deny ({})", join(statements))
            }
            Decision::Unknown { missing_keys, statements, .. } => {
                let keys = missing_keys.iter().map(String::as_str).collect::<Vec<_>>().join(", ");
                write!(f, "unknown ({}; depends on {keys})", join(statements))
            }
        }
    }
}

/// Evaluates with the default options (account principals mean the root user, as on gateway endpoints).
pub fn evaluate(policy: &Policy, request: &Request) -> Decision {
    evaluate_with(policy, request, &EvalOptions::default())
}

/// Evaluates a policy for a request.
pub fn evaluate_with(policy: &Policy, request: &Request, options: &EvalOptions) -> Decision {
    let mut definite_deny: Vec<StatementRef> = Vec::new();
    let mut maybe_deny: Vec<StatementRef> = Vec::new();
    let mut definite_allow: Vec<StatementRef> = Vec::new();
    let mut maybe_allow: Vec<StatementRef> = Vec::new();
    let mut deny_keys: Vec<String> = Vec::new();
    let mut allow_keys: Vec<String> = Vec::new();
    for statement in &policy.statements {
        let is_deny = statement.effect == Effect::Deny;
        if !is_deny && !definite_deny.is_empty() {
            continue;
        }
        let keys = if is_deny { &mut deny_keys } else { &mut allow_keys };
        let mark = keys.len();
        match statement_applies(statement, request, options, keys) {
            Tri::True => {
                keys.truncate(mark);
                if is_deny { &mut definite_deny } else { &mut definite_allow }.push(statement.reference());
            }
            Tri::Unknown => if is_deny { &mut maybe_deny } else { &mut maybe_allow }.push(statement.reference()),
            Tri::False => keys.truncate(mark),
        }
    }
    if !definite_deny.is_empty() {
        return Decision::ExplicitDeny { statements: definite_deny };
    }
    if !maybe_deny.is_empty() {
        let can_allow = !definite_allow.is_empty() || !maybe_allow.is_empty();
        let mut missing_keys: BTreeSet<String> = deny_keys.into_iter().collect();
        if definite_allow.is_empty() {
            missing_keys.extend(allow_keys);
        }
        maybe_deny.extend(definite_allow);
        maybe_deny.extend(maybe_allow);
        return Decision::Unknown { missing_keys, statements: maybe_deny, can_allow };
    }
    if !definite_allow.is_empty() {
        return Decision::Allow { statements: definite_allow };
    }
    if !maybe_allow.is_empty() {
        return Decision::Unknown {
            missing_keys: allow_keys.into_iter().collect(),
            statements: maybe_allow,
            can_allow: true,
        };
    }
    Decision::ImplicitDeny
}

/// Whether a statement applies to the request (ignoring its effect). Pushes the keys behind an unknown.
pub fn statement_matches(statement: &Statement, request: &Request, options: &EvalOptions) -> Tri {
    statement_applies(statement, request, options, &mut Vec::new())
}

fn statement_applies(statement: &Statement, request: &Request, options: &EvalOptions, keys: &mut Vec<String>) -> Tri {
    let actions = &statement.actions;
    let any_action = actions.patterns.iter().any(|p| p.matches(&request.action));
    if any_action == actions.negated {
        return Tri::False;
    }
    let mut result = match &statement.resources {
        None => Tri::True,
        Some(resources) => resource_match(resources, request),
    };
    if result == Tri::False {
        return Tri::False;
    }
    if result == Tri::Unknown {
        keys.push("resource".to_owned());
    }
    if let Some(spec) = &statement.principal {
        let principal = principal_match(spec, request, options);
        if principal == Tri::Unknown {
            keys.push("principal".to_owned());
        }
        result = result.and(principal);
        if result == Tri::False {
            return Tri::False;
        }
    }
    for entry in &statement.conditions {
        result = result.and(entry.eval(request, keys));
        if result == Tri::False {
            return Tri::False;
        }
    }
    result
}

/// `Resource`/`NotResource` against the request's resource. A request without a resource is matched by
/// `*` alone: other patterns do not match it in the closed world and may match it in the open world.
fn resource_match(resources: &Resources, request: &Request) -> Tri {
    let Some(arn) = &request.resource else {
        let has_any = resources.patterns.iter().any(|p| p.is_any());
        let others = if request.is_open_world() { Tri::Unknown } else { Tri::False };
        let matched = if has_any { Tri::True } else { others };
        return if resources.negated { matched.not() } else { matched };
    };
    let mut any = Tri::False;
    for pattern in &resources.patterns {
        match pattern.arn.matches(arn, request) {
            Some(t) => any = any.or(t),
            // A variable without a value: the pattern matches nothing, and a NotResource built on it fails.
            None if resources.negated => return Tri::False,
            None => {}
        }
        if any == Tri::True {
            break;
        }
    }
    if resources.negated { any.not() } else { any }
}

fn principal_match(spec: &PrincipalSpec, request: &Request, options: &EvalOptions) -> Tri {
    let mut any = Tri::False;
    for entry in &spec.entries {
        any = any.or(entry_match(entry, request, options));
        if any == Tri::True {
            break;
        }
    }
    if spec.negated { any.not() } else { any }
}

fn entry_match(entry: &PrincipalEntry, request: &Request, options: &EvalOptions) -> Tri {
    let principal = request.principal.as_deref();
    if matches!(entry, PrincipalEntry::Everyone) {
        return Tri::True;
    }
    if principal == Some("anonymous") {
        return Tri::False;
    }
    let account = || request.principal_account.as_deref().or_else(|| principal.and_then(arn_account));
    match entry {
        PrincipalEntry::Everyone => Tri::True,
        PrincipalEntry::Account(id) => {
            if request.principal_is_service {
                return Tri::False;
            }
            match options.account_principal_means {
                AccountPrincipal::RootOnly => match principal {
                    Some(p) => Tri::from_bool(is_root_of(p, id)),
                    None => match account() {
                        Some(a) if a != id => Tri::False,
                        _ => Tri::Unknown,
                    },
                },
                AccountPrincipal::AnyPrincipalInAccount => match account() {
                    Some(a) => Tri::from_bool(a == id),
                    None => Tri::Unknown,
                },
            }
        }
        PrincipalEntry::Arn(arn) => {
            if request.principal_is_service {
                return Tri::False;
            }
            match principal {
                Some(p) if p == arn => Tri::True,
                // A session ARN names one session of the role; the request shows only the role.
                Some(p) if session_role(arn).is_some_and(|role| role == p) => Tri::Unknown,
                Some(_) => Tri::False,
                None => match (account(), arn_account(arn)) {
                    (Some(a), Some(b)) if a != b => Tri::False,
                    _ => Tri::Unknown,
                },
            }
        }
        PrincipalEntry::Service(service) => match principal {
            Some(p) if request.principal_is_service => Tri::from_bool(p.eq_ignore_ascii_case(service)),
            Some(_) => Tri::False,
            None => Tri::Unknown,
        },
        PrincipalEntry::Federated(name) | PrincipalEntry::CanonicalUser(name) => match principal {
            Some(p) => Tri::from_bool(p == name),
            None => Tri::Unknown,
        },
    }
}

/// `arn:<partition>:iam::<id>:root`.
fn is_root_of(principal: &str, account: &str) -> bool {
    principal.strip_prefix("arn:").and_then(|rest| rest.split_once(':')).is_some_and(|(_, rest)| {
        rest.strip_prefix("iam::").and_then(|r| r.strip_prefix(account)).is_some_and(|r| r == ":root")
    })
}

/// `arn:aws:sts::1:assumed-role/Role/session` → `arn:aws:iam::1:role/Role`.
fn session_role(arn: &str) -> Option<String> {
    let rest = arn.strip_prefix("arn:")?;
    let (partition, rest) = rest.split_once(':')?;
    let rest = rest.strip_prefix("sts::")?;
    let (account, rest) = rest.split_once(':')?;
    let (role, _session) = rest.strip_prefix("assumed-role/")?.split_once('/')?;
    Some(format!("arn:{partition}:iam::{account}:role/{role}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_and_sessions() {
        assert!(is_root_of("arn:aws:iam::111122223333:root", "111122223333"));
        assert!(is_root_of("arn:aws-cn:iam::111122223333:root", "111122223333"));
        assert!(!is_root_of("arn:aws:iam::111122223333:role/root", "111122223333"));
        assert!(!is_root_of("arn:aws:iam::111122223333:root", "111122223334"));
        assert_eq!(session_role("arn:aws:sts::1:assumed-role/App/s-1").as_deref(), Some("arn:aws:iam::1:role/App"));
        assert_eq!(session_role("arn:aws:iam::1:role/App"), None);
    }

    #[test]
    fn decision_table() {
        let policy = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":[
                {"Sid":"A","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"},
                {"Sid":"D","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"*",
                 "Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}}]}"#,
        )
        .unwrap();
        let base = || Request::new("s3:PutObject").resource("arn:aws:s3:::b/k");
        let cases = [
            (base().with("aws:SourceVpce", "vpce-1"), "allow"),
            (base().with("aws:SourceVpce", "vpce-2"), "explicit-deny"),
            (base(), "explicit-deny"),
            (base().open_world(), "unknown"),
            (Request::new("s3:GetObject").open_world(), "allow"),
            (Request::new("ec2:RunInstances"), "implicit-deny"),
        ];
        for (request, want) in cases {
            assert_eq!(evaluate(&policy, &request).name(), want, "{request:?}");
        }
    }
}
