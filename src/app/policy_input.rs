//! The request format of `trail-vpce policy eval` (one JSON object) and the decision it prints.
//!
//! ```json
//! {"principal": "arn:aws:iam::111122223333:role/App", "action": "s3:GetObject",
//!  "resource": "arn:aws:s3:::bucket/key",
//!  "context": {"aws:SourceVpce": "vpce-1", "aws:PrincipalTag/team": ["a", "b"]},
//!  "unknown_keys": ["aws:PrincipalOrgID"]}
//! ```
//!
//! Closed world: a condition key not given is absent, except the keys in `unknown_keys`, whose values are
//! unknown (the word `resource` there makes a missing resource unknown too). The principal fills in the keys
//! it determines unless `context` sets them: `aws:PrincipalArn`, `aws:PrincipalAccount` (from
//! `principal_account` or the ARN), `aws:PrincipalIsAWSService`. Context values are strings or lists of
//! strings; booleans and numbers are taken as their text (`true`, `3600`).
//!
//! With `--config`, a request whose context names `aws:SourceVpce` gets the endpoint keys the inventory knows
//! ([`fill_endpoint_keys`]), as a request built from a log record would.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{AccountId, VpceId};
use crate::policy::{Decision, Known, MissingKeys, ReplayEnv, Request, endpoint_keys};

/// A request as the user writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestInput {
    principal: Option<String>,
    principal_account: Option<String>,
    #[serde(default)]
    principal_is_service: bool,
    action: String,
    resource: Option<String>,
    #[serde(default)]
    context: BTreeMap<String, Value>,
    #[serde(default)]
    unknown_keys: Vec<String>,
}

/// Parses one request. Errors name the JSON path of the problem.
pub fn parse_request(text: &str) -> Result<Request, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    let input: RequestInput = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        if path == "." { e.inner().to_string() } else { format!("{path}: {}", e.inner()) }
    })?;
    de.end().map_err(|e| format!("trailing characters after the request object: {e}"))?;
    if input.action.trim().is_empty() || !input.action.contains(':') {
        return Err(format!("action: expected service:Action, got {:?}", input.action));
    }
    let mut request = Request::new(input.action.trim());
    request.principal_account = input.principal_account.clone();
    match &input.principal {
        Some(p) if input.principal_is_service => request = request.service_principal(p),
        Some(p) => request = request.principal(p),
        None if input.principal_is_service => return Err("principal_is_service needs a principal".to_owned()),
        None => {}
    }
    if let Some(account) = &input.principal_account {
        request.principal_account = Some(account.clone());
    }
    if let Some(resource) = &input.resource {
        request = request.resource(resource);
    }
    if let Some(account) = request.principal_account.clone().filter(|_| !input.principal_is_service) {
        request.context.insert("aws:PrincipalAccount", account);
    }
    if input.principal.is_some() {
        request.context.insert("aws:PrincipalIsAWSService", input.principal_is_service.to_string());
    }
    for (key, value) in &input.context {
        let values = context_values(value).ok_or_else(|| {
            format!("context.{key}: expected a string, a number, a boolean or a list of them, got {value}")
        })?;
        request.context.insert_many(key, values);
    }
    if !input.unknown_keys.is_empty() {
        let unknown: BTreeSet<String> = input.unknown_keys.iter().map(|k| k.to_ascii_lowercase()).collect();
        if let Some(key) = unknown.iter().find(|k| request.context.contains(k)) {
            return Err(format!("unknown_keys: {key} is also given in context"));
        }
        request.unknown = MissingKeys::Listed { unknown };
    }
    Ok(request)
}

/// Fills in `aws:SourceVpc`, `aws:SourceVpcArn`, `aws:VpceAccount`, `aws:VpceOrgID` and `aws:VpceOrgPaths`
/// from the inventory for a request whose context names one `aws:SourceVpce`: keys the context gives are
/// kept; the owner keys are absent for services that do not carry them; a key the inventory cannot tell is
/// made unknown (added to `unknown_keys`), never guessed. The context's `aws:VpceAccount`, when given, is
/// the owner the organization keys are looked up for.
pub fn fill_endpoint_keys(request: &mut Request, env: &ReplayEnv) {
    let vpce = match request.context.get_lower("aws:sourcevpce") {
        Some([vpce]) => VpceId::from(vpce.clone()),
        _ => return,
    };
    let owner = match request.context.get_lower("aws:vpceaccount") {
        Some([owner]) => Some(AccountId::from(owner.clone())),
        _ => None,
    };
    for (key, known) in endpoint_keys(&vpce, owner.as_ref(), &request.action, env) {
        let lower = key.to_ascii_lowercase();
        let listed = matches!(&request.unknown, MissingKeys::Listed { unknown } if unknown.contains(&lower));
        if listed || request.context.contains(&lower) {
            continue;
        }
        match known {
            Known::Values(values) => request.context.insert_many(key, values),
            // Closed world: a key not in the context is absent unless listed unknown.
            Known::Absent => {}
            Known::Unknown => {
                match &mut request.unknown {
                    MissingKeys::Listed { unknown } => {
                        unknown.insert(lower);
                    }
                    MissingKeys::Absent => request.unknown = MissingKeys::Listed { unknown: [lower].into() },
                    // Open-world requests are not written by hand; nothing to add.
                    MissingKeys::Unknown { .. } => {}
                }
            }
        }
    }
}

fn context_values(value: &Value) -> Option<Vec<String>> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match value {
        Value::Array(items) => items.iter().map(scalar).collect(),
        other => scalar(other).map(|s| vec![s]),
    }
}

/// What `policy eval` prints for one request.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct DecisionOutput {
    pub decision: &'static str,
    /// The deciding statements (Sid, else `#index`): the allows for allow, the denies for explicit-deny,
    /// the statements that may apply for unknown.
    pub statements: Vec<String>,
    /// The keys whose unknown values leave the decision open (`resource` / `principal` when those are).
    pub missing_keys: Vec<String>,
}

impl From<&Decision> for DecisionOutput {
    fn from(decision: &Decision) -> DecisionOutput {
        let names = |s: &[crate::policy::StatementRef]| s.iter().map(ToString::to_string).collect();
        let (statements, missing_keys) = match decision {
            Decision::Allow { statements } | Decision::ExplicitDeny { statements } => (names(statements), Vec::new()),
            Decision::ImplicitDeny => (Vec::new(), Vec::new()),
            Decision::Unknown { missing_keys, statements, .. } => {
                (names(statements), missing_keys.iter().cloned().collect())
            }
        };
        DecisionOutput { decision: decision.name(), statements, missing_keys }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{EndpointKind, EvalOptions, Lookup, Policy, evaluate_with};

    const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"Org","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*",
         "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}},
        {"Sid":"Root","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:PutObject","Resource":"*"},
        {"Sid":"NoTags","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*",
         "Condition":{"ForAnyValue:StringEquals":{"aws:PrincipalTag/team":"red"}}}]}"#;

    fn eval(line: &str, kind: EndpointKind) -> DecisionOutput {
        let policy = Policy::parse(POLICY).unwrap();
        let request = parse_request(line).unwrap();
        DecisionOutput::from(&evaluate_with(&policy, &request, &EvalOptions::for_endpoint(kind)))
    }

    #[test]
    fn decisions() {
        let role = r#""principal":"arn:aws:iam::111122223333:role/App""#;
        let get = r#""action":"s3:GetObject","resource":"arn:aws:s3:::b/k""#;
        let put = r#""action":"s3:PutObject","resource":"arn:aws:s3:::b/k""#;
        let g = EndpointKind::Gateway;
        let i = EndpointKind::Interface;
        type Case<'a> = (String, EndpointKind, &'a str, Vec<&'a str>, Vec<&'a str>);
        let cases: Vec<Case> = vec![
            (format!(r#"{{{role},{get},"context":{{"aws:PrincipalOrgID":"o-1"}}}}"#), g, "allow", vec!["Org"], vec![]),
            (format!(r#"{{{role},{get}}}"#), g, "implicit-deny", vec![], vec![]),
            (
                format!(r#"{{{role},{get},"unknown_keys":["aws:PrincipalOrgID"]}}"#),
                g,
                "unknown",
                vec!["Org"],
                vec!["aws:principalorgid"],
            ),
            (
                format!(
                    r#"{{{role},{get},"context":{{"aws:PrincipalOrgID":"o-1","aws:PrincipalTag/team":["blue","red"]}}}}"#
                ),
                g,
                "explicit-deny",
                vec!["NoTags"],
                vec![],
            ),
            (format!(r#"{{{role},{put}}}"#), g, "implicit-deny", vec![], vec![]),
            (format!(r#"{{{role},{put}}}"#), i, "allow", vec!["Root"], vec![]),
            (format!(r#"{{"principal":"arn:aws:iam::111122223333:root",{put}}}"#), g, "allow", vec!["Root"], vec![]),
            (
                r#"{"action":"s3:GetObject","unknown_keys":["resource","aws:PrincipalOrgID"]}"#.to_owned(),
                g,
                "unknown",
                vec!["Org"],
                vec!["aws:principalorgid", "resource"],
            ),
        ];
        for (line, kind, decision, statements, keys) in cases {
            let got = eval(&line, kind);
            assert_eq!(got.decision, decision, "{line}");
            assert_eq!(got.statements, statements, "{line}");
            assert_eq!(got.missing_keys, keys, "{line}");
        }
    }

    #[test]
    fn principal_keys_are_filled_in() {
        let r = parse_request(r#"{"principal":"arn:aws:iam::111122223333:role/App","action":"s3:GetObject"}"#).unwrap();
        assert_eq!(r.lookup("aws:principalaccount"), Lookup::Present(&["111122223333".to_owned()]));
        assert_eq!(r.lookup("aws:principalisawsservice"), Lookup::Present(&["false".to_owned()]));
        assert_eq!(r.lookup("aws:sourcevpce"), Lookup::Absent);
        let r =
            parse_request(r#"{"principal":"s3.amazonaws.com","principal_is_service":true,"action":"s3:PutObject"}"#)
                .unwrap();
        assert!(r.principal_is_service);
        assert_eq!(r.lookup("aws:principalaccount"), Lookup::Absent);
        let r = parse_request(r#"{"action":"s3:GetObject","context":{"aws:SecureTransport":true,"n":3}}"#).unwrap();
        assert_eq!(r.lookup("aws:securetransport"), Lookup::Present(&["true".to_owned()]));
        assert_eq!(r.lookup("n"), Lookup::Present(&["3".to_owned()]));
    }

    #[test]
    fn endpoint_keys_from_the_inventory() {
        let mut env = ReplayEnv::default();
        env.account_orgs.insert("111122223333".into(), "o-abc".into());
        env.endpoints.insert(
            "vpce-1".into(),
            crate::policy::EndpointInventory {
                vpc: Some("vpc-1".into()),
                account: Some("111122223333".into()),
                region: Some("us-east-1".into()),
            },
        );
        let filled = |line: &str| {
            let mut r = parse_request(line).unwrap();
            fill_endpoint_keys(&mut r, &env);
            r
        };
        let present = |v: &str| vec![v.to_owned()];
        let r = filled(r#"{"action":"s3:GetObject","context":{"aws:SourceVpce":"vpce-1"}}"#);
        assert_eq!(r.lookup("aws:vpceaccount"), Lookup::Present(&present("111122223333")));
        assert_eq!(r.lookup("aws:vpceorgid"), Lookup::Present(&present("o-abc")));
        assert_eq!(r.lookup("aws:vpceorgpaths"), Lookup::Unknown);
        assert_eq!(r.lookup("aws:sourcevpc"), Lookup::Present(&present("vpc-1")));
        assert_eq!(
            r.lookup("aws:sourcevpcarn"),
            Lookup::Present(&present("arn:aws:ec2:us-east-1:111122223333:vpc/vpc-1"))
        );
        // A service that does not carry the owner keys.
        let r = filled(r#"{"action":"dynamodb:GetItem","context":{"aws:SourceVpce":"vpce-1"}}"#);
        assert_eq!(r.lookup("aws:vpceorgid"), Lookup::Absent);
        assert_eq!(r.lookup("aws:vpceorgpaths"), Lookup::Absent);
        // The context wins; its owner is the one looked up.
        let r = filled(
            r#"{"action":"s3:GetObject","context":{"aws:SourceVpce":"vpce-1","aws:VpceAccount":"999988887777"},"unknown_keys":["aws:SourceVpc"]}"#,
        );
        assert_eq!(r.lookup("aws:vpceaccount"), Lookup::Present(&present("999988887777")));
        assert_eq!(r.lookup("aws:vpceorgid"), Lookup::Absent);
        assert_eq!(r.lookup("aws:sourcevpc"), Lookup::Unknown);
        // An endpoint the inventory does not know: the keys are unknown, not absent.
        let r = filled(r#"{"action":"s3:GetObject","context":{"aws:SourceVpce":"vpce-9"}}"#);
        assert_eq!(r.lookup("aws:vpceaccount"), Lookup::Unknown);
        assert_eq!(r.lookup("aws:sourcevpcarn"), Lookup::Unknown);
        // No endpoint in the request: nothing filled in.
        let r = filled(r#"{"action":"s3:GetObject"}"#);
        assert_eq!(r.lookup("aws:vpceaccount"), Lookup::Absent);
    }

    #[test]
    fn errors_name_the_problem() {
        let cases = [
            ("{", "EOF"),
            (r#"{"principal":"x"}"#, "action"),
            (r#"{"action":"GetObject"}"#, "service:Action"),
            (r#"{"action":"s3:GetObject","contxt":{}}"#, "contxt"),
            (r#"{"action":"s3:GetObject","context":{"k":{"a":1}}}"#, "context.k"),
            (r#"{"action":"s3:GetObject","context":{"k":"v"},"unknown_keys":["K"]}"#, "unknown_keys"),
            (r#"{"action":"s3:GetObject","resource":5}"#, "resource"),
            (r#"{"action":"s3:GetObject"} x"#, "trailing"),
        ];
        for (line, want) in cases {
            let err = parse_request(line).unwrap_err();
            assert!(err.contains(want), "{line}: {err}");
        }
    }
}
