//! Lint for VPC endpoint policies: the constraints of "Control access to VPC endpoints using endpoint
//! policies" (size, `Principal`, gateway principals, system-generated ids, wildcard context, ARN account
//! fields) plus mistakes that make a statement useless or wide open.
//!
//! Codes: `too-large`, `missing-principal`, `gateway-principal`, `system-id-wildcard`,
//! `short-wildcard-context`, `arn-account-wildcard`, `unknown-action`, `never-matches`, `missing-resource`,
//! `wide-open`, `unsupported-condition-key` (an endpoint-owner key, `aws:VpceAccount` / `aws:VpceOrgID` /
//! `aws:VpceOrgPaths`, in a statement whose actions are all of services that never carry it: see
//! [`super::endpoint_keys`]).

use super::document::{Actions, Effect, Policy, PrincipalEntry, Statement};
use super::endpoint_keys::{VPCE_OWNER_KEY_SERVICES, VPCE_OWNER_KEYS};
use super::eval::EndpointKind;
use super::lint_actions::known_actions;
use super::operator::OperatorFamily;
use std::fmt;

/// The largest endpoint policy AWS accepts, in characters including white space.
pub const MAX_ENDPOINT_POLICY_CHARS: usize = 20_480;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LintSeverity {
    /// AWS rejects the policy, or it does not do what it says.
    Error,
    /// Probably a mistake.
    Warning,
    /// Worth knowing.
    Info,
}

impl fmt::Display for LintSeverity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LintSeverity::Error => "error",
            LintSeverity::Warning => "warning",
            LintSeverity::Info => "info",
        })
    }
}

/// One finding: a stable `code`, the JSON `path` it is about, and a sentence for humans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintFinding {
    pub severity: LintSeverity,
    pub code: &'static str,
    pub path: String,
    pub message: String,
}

/// Keys holding system-generated ids: no wildcards, no numeric operators.
const SYSTEM_ID_KEYS: &[&str] = &["aws:principalaccount", "aws:sourcevpc", "aws:sourcevpce", "aws:principalorgid"];

/// Lints an endpoint policy. `text` is the document as written (for the size limit); `kind` the endpoint
/// kind when known (gateway-only rules need it).
pub fn lint(text: &str, policy: &Policy, kind: Option<EndpointKind>) -> Vec<LintFinding> {
    let mut out = Vec::new();
    let mut push = |severity, code, path: String, message: String| {
        out.push(LintFinding { severity, code, path, message });
    };
    let chars = text.chars().count();
    if chars > MAX_ENDPOINT_POLICY_CHARS {
        push(
            LintSeverity::Error,
            "too-large",
            "$".to_owned(),
            format!(
                "the policy has {chars} characters; endpoint policies are limited to {MAX_ENDPOINT_POLICY_CHARS} including white space"
            ),
        );
    }
    for statement in &policy.statements {
        lint_statement(statement, kind, &mut push);
    }
    out
}

type Push<'a> = dyn FnMut(LintSeverity, &'static str, String, String) + 'a;

fn lint_statement(s: &Statement, kind: Option<EndpointKind>, push: &mut Push<'_>) {
    let path = &s.path;
    match &s.principal {
        None => push(
            LintSeverity::Error,
            "missing-principal",
            path.clone(),
            "endpoint policies must have a Principal element".to_owned(),
        ),
        Some(spec) if kind == Some(EndpointKind::Gateway) => {
            let everyone = !spec.negated && spec.entries.iter().all(|e| *e == PrincipalEntry::Everyone);
            if !everyone {
                push(
                    LintSeverity::Error,
                    "gateway-principal",
                    format!("{path}.{}", if spec.negated { "NotPrincipal" } else { "Principal" }),
                    "gateway endpoints need Principal \"*\" (an account principal means only its root user); \
                     restrict principals with aws:PrincipalArn, aws:PrincipalAccount or aws:PrincipalOrgID conditions"
                        .to_owned(),
                );
            }
        }
        Some(_) => {}
    }
    lint_actions(s, push);
    match &s.resources {
        None => push(
            LintSeverity::Warning,
            "missing-resource",
            path.clone(),
            "no Resource or NotResource: the statement applies to every resource".to_owned(),
        ),
        Some(resources) => {
            let element = if resources.negated { "NotResource" } else { "Resource" };
            for (i, pattern) in resources.patterns.iter().enumerate() {
                let p = format!("{path}.{element}[{i}]");
                if resources.negated && pattern.is_any() {
                    push(
                        LintSeverity::Warning,
                        "never-matches",
                        p.clone(),
                        "NotResource \"*\" matches no resource".into(),
                    );
                }
                check_arn_account(&pattern.text, &p, push);
            }
        }
    }
    for entry in &s.conditions {
        let p = format!("{path}.Condition.{}.{}", entry.operator_text, entry.key_text);
        let family = entry.operator.operator.family();
        if SYSTEM_ID_KEYS.contains(&entry.key()) {
            if family == OperatorFamily::Numeric {
                push(
                    LintSeverity::Error,
                    "system-id-wildcard",
                    p.clone(),
                    format!(
                        "numeric operators cannot be used with {}, which holds a system-generated id",
                        entry.key_text
                    ),
                );
            }
            if entry.values_text.iter().any(|v| v.contains(['*', '?'])) {
                push(
                    LintSeverity::Error,
                    "system-id-wildcard",
                    p.clone(),
                    format!("wildcards cannot be used with {}, which holds a system-generated id", entry.key_text),
                );
            }
        }
        if VPCE_OWNER_KEYS.contains(&entry.key())
            && let Some(services) = services_without_owner_keys(&s.actions)
        {
            push(
                LintSeverity::Warning,
                "unsupported-condition-key",
                p.clone(),
                format!(
                    "{} is never in requests to {}: only {} services carry the endpoint-owner keys (s3, kms, lambda, ...), \
                     so this condition never tests anything (a positive operator never matches, a negated or \
                     ...IfExists one always does)",
                    entry.key_text,
                    services.join(", "),
                    VPCE_OWNER_KEY_SERVICES.len()
                ),
            );
        }
        if matches!(family, OperatorFamily::StringLike) {
            for (i, value) in entry.values_text.iter().enumerate() {
                if !wildcards_have_context(value) {
                    push(
                        LintSeverity::Error,
                        "short-wildcard-context",
                        format!("{p}[{i}]"),
                        format!(
                            "`{value}`: each wildcard needs at least six consecutive literal characters before or after it"
                        ),
                    );
                }
            }
        }
        if family == OperatorFamily::Arn {
            for (i, value) in entry.values_text.iter().enumerate() {
                check_arn_account(value, &format!("{p}[{i}]"), push);
            }
        }
    }
    if s.effect == Effect::Allow && s.conditions.is_empty() {
        let everyone = s.principal.as_ref().is_none_or(|p| !p.negated && p.entries.contains(&PrincipalEntry::Everyone));
        let all_resources = s.resources.as_ref().is_none_or(|r| !r.negated && r.patterns.iter().any(|p| p.is_any()));
        let wide_action = !s.actions.negated
            && s.actions
                .patterns
                .iter()
                .any(|a| matches!(a.text.to_ascii_lowercase().as_str(), "*" | "s3:*" | "dynamodb:*"));
        if everyone && all_resources && wide_action {
            push(
                LintSeverity::Warning,
                "wide-open",
                s.path.clone(),
                "allows every principal every action on every resource (the default endpoint policy); \
                 narrow the actions and resources or add conditions"
                    .to_owned(),
            );
        }
    }
}

fn lint_actions(s: &Statement, push: &mut Push<'_>) {
    let element = if s.actions.negated { "NotAction" } else { "Action" };
    let mut dead = 0;
    for (i, pattern) in s.actions.patterns.iter().enumerate() {
        let p = format!("{}.{element}[{i}]", s.path);
        if s.actions.negated && pattern.text == "*" {
            push(LintSeverity::Warning, "never-matches", p.clone(), "NotAction \"*\" matches no action".to_owned());
        }
        let Some((service, _)) = pattern.text.split_once(':') else {
            continue;
        };
        let Some(known) = known_actions(&service.to_ascii_lowercase()) else {
            continue;
        };
        let prefix = &pattern.text[..service.len() + 1];
        if !known.iter().any(|name| pattern.matches(&format!("{prefix}{name}"))) {
            dead += 1;
            push(
                LintSeverity::Warning,
                "unknown-action",
                p,
                format!("`{}` matches no known {service} action", pattern.text),
            );
        }
    }
    if !s.actions.negated && dead == s.actions.patterns.len() && dead > 0 {
        push(
            LintSeverity::Warning,
            "never-matches",
            format!("{}.Action", s.path),
            "no action of the statement matches a known action: the statement never applies".to_owned(),
        );
    }
}

/// The services of `actions` when none of them carries the endpoint-owner keys; `None` when one may (a
/// `NotAction`, an action pattern with no service, or a service pattern matching a service of the table).
fn services_without_owner_keys(actions: &Actions) -> Option<Vec<String>> {
    if actions.negated {
        return None;
    }
    let mut services: Vec<String> = Vec::new();
    for pattern in &actions.patterns {
        let (service, _) = pattern.text.split_once(':')?;
        let service = service.to_ascii_lowercase();
        if VPCE_OWNER_KEY_SERVICES.iter().any(|carrier| super::string_like(&service, carrier)) {
            return None;
        }
        if !services.contains(&service) {
            services.push(service);
        }
    }
    (!services.is_empty()).then_some(services)
}

/// An ARN's account field is an id or a wildcard, not both.
fn check_arn_account(arn: &str, path: &str, push: &mut Push<'_>) {
    let mut parts = arn.splitn(6, ':');
    if parts.next() != Some("arn") {
        return;
    }
    let Some(account) = parts.nth(3) else { return };
    if parts.next().is_none() {
        return;
    }
    if account.contains(['*', '?']) && account != "*" {
        push(
            LintSeverity::Error,
            "arn-account-wildcard",
            path.to_owned(),
            format!("`{arn}`: the account field must be an account id or a wildcard, not both"),
        );
    }
}

/// True when every `*`/`?` in `value` has six consecutive literal characters right before or after it.
fn wildcards_have_context(value: &str) -> bool {
    let chars: Vec<char> = value.chars().collect();
    let is_wild = |c: char| c == '*' || c == '?';
    chars.iter().enumerate().filter(|(_, c)| is_wild(**c)).all(|(i, _)| {
        let before = chars[..i].iter().rev().take_while(|c| !is_wild(**c)).count();
        let after = chars[i + 1..].iter().take_while(|c| !is_wild(**c)).count();
        before >= 6 || after >= 6
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str, kind: Option<EndpointKind>) -> Vec<&'static str> {
        let policy = Policy::parse(text).unwrap();
        lint(text, &policy, kind).into_iter().map(|f| f.code).collect()
    }

    #[test]
    fn lint_table() {
        let stmt = |body: &str| format!(r#"{{"Version":"2012-10-17","Statement":[{body}]}}"#);
        let cases: Vec<(String, Option<EndpointKind>, Vec<&str>)> = vec![
            (stmt(r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}"#), None, vec!["wide-open"]),
            (stmt(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#), None, vec!["missing-principal"]),
            (
                stmt(r#"{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"*"}"#),
                Some(EndpointKind::Gateway),
                vec!["gateway-principal"],
            ),
            (
                stmt(r#"{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"*"}"#),
                Some(EndpointKind::Interface),
                vec![],
            ),
            (
                stmt(
                    r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"aws:PrincipalAccount":"1111*"}}}"#,
                ),
                None,
                vec!["system-id-wildcard", "short-wildcard-context"],
            ),
            (
                stmt(
                    r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"NumericEquals":{"aws:SourceVpc":"1"}}}"#,
                ),
                None,
                vec!["system-id-wildcard"],
            ),
            (
                stmt(
                    r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/app-*"}}}"#,
                ),
                None,
                vec![],
            ),
            (
                stmt(
                    r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:dynamodb:*:1111*:table/x"}"#,
                ),
                None,
                vec!["arn-account-wildcard"],
            ),
            (
                stmt(
                    r#"{"Effect":"Allow","Principal":"*","Action":["s3:GetObjects","dynamodb:Querry"],"Resource":"*"}"#,
                ),
                None,
                vec!["unknown-action", "unknown-action", "never-matches"],
            ),
            (stmt(r#"{"Effect":"Deny","Principal":"*","NotAction":"*","Resource":"*"}"#), None, vec!["never-matches"]),
            (
                stmt(r#"{"Effect":"Deny","Principal":"*","Action":"s3:Get*","NotResource":"*"}"#),
                None,
                vec!["never-matches"],
            ),
            (stmt(r#"{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt"}"#), None, vec!["missing-resource"]),
        ];
        let owner_key = |action: &str, operator: &str, key: &str, value: &str| {
            stmt(&format!(
                r#"{{"Effect":"Allow","Principal":"*","Action":{action},"Resource":"*","Condition":{{"{operator}":{{"{key}":"{value}"}}}}}}"#
            ))
        };
        let cases = cases.into_iter().chain([
            (owner_key(r#""s3:GetObject""#, "StringEquals", "aws:VpceOrgID", "o-abc"), None, vec![]),
            (owner_key(r#""dynamodb:GetItem""#, "StringEquals", "aws:VpceOrgID", "o-abc"), None, vec!["unsupported-condition-key"]),
            (owner_key(r#""sqs:*""#, "StringNotEqualsIfExists", "AWS:VPCEACCOUNT", "111122223333"), None, vec!["unsupported-condition-key"]),
            (
                owner_key(r#"["dynamodb:GetItem","sqs:SendMessage"]"#, "ForAnyValue:StringLike", "aws:VpceOrgPaths", "o-abc/r-ab12/*"),
                None,
                vec!["unsupported-condition-key"],
            ),
            (owner_key(r#"["dynamodb:GetItem","kms:Decrypt"]"#, "StringEquals", "aws:VpceAccount", "111122223333"), None, vec![]),
            (owner_key(r#""*""#, "StringEquals", "aws:VpceOrgID", "o-abc"), None, vec![]),
            (owner_key(r#""*:GetObject""#, "StringEquals", "aws:VpceOrgID", "o-abc"), None, vec![]),
            (owner_key(r#""s*:GetObject""#, "StringEquals", "aws:VpceOrgID", "o-abc"), None, vec![]),
            (owner_key(r#""dynamo*:GetItem""#, "StringEquals", "aws:VpceOrgID", "o-abc"), None, vec!["unsupported-condition-key"]),
            (owner_key(r#""dynamodb:GetItem""#, "StringEquals", "aws:SourceVpce", "vpce-1"), None, vec![]),
            (owner_key(r#""dynamodb:GetItem""#, "ArnEquals", "aws:SourceVpcArn", "arn:aws:ec2:us-east-1:111122223333:vpc/vpc-1"), None, vec![]),
            (
                stmt(r#"{"Effect":"Deny","Principal":"*","NotAction":"dynamodb:*","Resource":"*","Condition":{"StringNotEquals":{"aws:VpceOrgID":"o-abc"}}}"#),
                None,
                vec![],
            ),
        ]);
        for (text, kind, want) in cases {
            assert_eq!(codes(&text, kind), want, "{text}");
        }
    }

    #[test]
    fn size_limit_counts_characters() {
        let body = r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}"#;
        let text = format!(r#"{{"Statement":[{body}]}}{}"#, " ".repeat(MAX_ENDPOINT_POLICY_CHARS));
        assert_eq!(codes(&text, None), vec!["too-large"]);
    }

    #[test]
    fn wildcard_context() {
        let cases = [
            ("abcdef*", true),
            ("abcde*", false),
            ("*abcdef", true),
            ("ab*cdefgh*", true),
            ("*", false),
            ("plain", true),
        ];
        for (value, want) in cases {
            assert_eq!(wildcards_have_context(value), want, "{value}");
        }
    }
}
