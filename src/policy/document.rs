//! The policy grammar: [`Policy`], [`Statement`], principals, actions, resources; parsed from JSON text with
//! every pattern compiled once. Errors name the JSON path of the offending element.

use super::condition::{ConditionEntry, parse_condition_block};
use super::error::PolicyError;
use super::variables::{ArnVars, parse_arn_pattern, parse_pieces};
use super::wildcard::{ArnPattern, Glob};
use serde_json::{Map, Value};
use std::fmt;

/// The largest document [`Policy::parse`] accepts (endpoint policies may not exceed 20,480 characters; this
/// bound only protects the parser).
pub const MAX_POLICY_BYTES: usize = 1 << 20;

/// A parsed IAM policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// `2012-10-17`, `2008-10-17`, or `None` when absent (then policy variables are literal text).
    pub version: Option<String>,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sid: Option<String>,
    /// Position in the `Statement` array (0 when `Statement` is a single object).
    pub index: usize,
    /// JSON path of the statement: `Statement[2]`, or `Statement` when it is a single object.
    pub path: String,
    pub effect: Effect,
    /// `Principal` or `NotPrincipal`; `None` when the statement has neither (identity policies).
    pub principal: Option<PrincipalSpec>,
    pub actions: Actions,
    /// `Resource` or `NotResource`; `None` when the statement has neither (treated as every resource).
    pub resources: Option<Resources>,
    pub conditions: Vec<ConditionEntry>,
}

/// `Principal` (or `NotPrincipal` when `negated`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalSpec {
    pub negated: bool,
    pub entries: Vec<PrincipalEntry>,
}

/// One principal named by a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalEntry {
    /// `"*"` or `{"AWS": "*"}`: everyone, including anonymous callers.
    Everyone,
    /// `{"AWS": "111122223333"}` or `{"AWS": "arn:aws:iam::111122223333:root"}`.
    Account(String),
    /// `{"AWS": "<role, user, session or other ARN>"}` (or an unrecognised string, kept verbatim).
    Arn(String),
    /// `{"Service": "cloudtrail.amazonaws.com"}`.
    Service(String),
    /// `{"Federated": "..."}`.
    Federated(String),
    /// `{"CanonicalUser": "..."}`.
    CanonicalUser(String),
}

/// `Action` or `NotAction`.
#[derive(Debug, Clone, PartialEq)]
pub struct Actions {
    pub negated: bool,
    pub patterns: Vec<ActionPattern>,
}

/// One action pattern (`s3:Get*`), compiled lower case.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionPattern {
    pub text: String,
    pub(crate) glob: Glob,
}

impl ActionPattern {
    /// True when the pattern matches `action` (case-insensitive).
    pub fn matches(&self, action: &str) -> bool {
        self.glob.matches_static(action, true)
    }
}

/// `Resource` or `NotResource`.
#[derive(Debug, Clone, PartialEq)]
pub struct Resources {
    pub negated: bool,
    pub patterns: Vec<ResourcePattern>,
}

/// One resource ARN pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourcePattern {
    pub text: String,
    pub(crate) arn: ArnPattern,
}

impl ResourcePattern {
    /// True for `*`.
    pub fn is_any(&self) -> bool {
        self.arn.is_any()
    }
}

/// How a statement is named in decisions: its `Sid`, else `#index`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StatementRef {
    pub sid: Option<String>,
    pub index: usize,
}

impl fmt::Display for StatementRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.sid {
            Some(sid) if !sid.is_empty() => f.write_str(sid),
            _ => write!(f, "#{}", self.index),
        }
    }
}

impl Statement {
    /// The statement's name for decisions.
    pub fn reference(&self) -> StatementRef {
        StatementRef { sid: self.sid.clone(), index: self.index }
    }
}

impl Policy {
    /// Parses a policy document.
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        if text.len() > MAX_POLICY_BYTES {
            return Err(PolicyError::TooLarge { size: text.len(), limit: MAX_POLICY_BYTES });
        }
        let value: Value = serde_json::from_str(text).map_err(|e| PolicyError::Json(e.to_string()))?;
        Policy::from_value(&value)
    }

    /// Builds a policy from parsed JSON.
    pub fn from_value(value: &Value) -> Result<Policy, PolicyError> {
        let Value::Object(top) = value else {
            return Err(PolicyError::at("$", "a policy must be a JSON object"));
        };
        check_keys(top, "$", &["Version", "Id", "Statement"])?;
        let version = optional_string(top, "Version", "Version")?;
        if let Some(v) = &version
            && v != "2012-10-17"
            && v != "2008-10-17"
        {
            return Err(PolicyError::at("Version", format!("unknown policy version `{v}`")));
        }
        let variables = version.as_deref() == Some("2012-10-17");
        let id = optional_string(top, "Id", "Id")?;
        let statements = match top.get("Statement") {
            None => return Err(PolicyError::at("Statement", "missing Statement")),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, s)| parse_statement(s, i, &format!("Statement[{i}]"), variables))
                .collect::<Result<Vec<_>, _>>()?,
            Some(single @ Value::Object(_)) => {
                vec![parse_statement(single, 0, "Statement", variables)?]
            }
            Some(_) => {
                return Err(PolicyError::at("Statement", "Statement must be an object or an array"));
            }
        };
        Ok(Policy { version, id, statements })
    }
}

fn check_keys(map: &Map<String, Value>, path: &str, allowed: &[&str]) -> Result<(), PolicyError> {
    match map.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(key) => Err(PolicyError::at(
            path,
            format!("unknown element `{key}` (expected one of {}; names are case-sensitive)", allowed.join(", ")),
        )),
        None => Ok(()),
    }
}

fn optional_string(map: &Map<String, Value>, key: &str, path: &str) -> Result<Option<String>, PolicyError> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(PolicyError::at(path, format!("{key} must be a string"))),
    }
}

/// A string or a non-empty array of strings.
fn string_list(value: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s.clone()),
                _ => Err(PolicyError::at(&format!("{path}[{i}]"), "expected a string")),
            })
            .collect(),
        Value::Array(_) => Err(PolicyError::at(path, "empty list")),
        _ => Err(PolicyError::at(path, "expected a string or an array of strings")),
    }
}

/// Exactly one of two mutually exclusive elements (`Action`/`NotAction`), if any.
fn one_of<'a>(
    map: &'a Map<String, Value>,
    plain: &'static str,
    negated: &'static str,
    path: &str,
) -> Result<Option<(&'a Value, bool, String)>, PolicyError> {
    match (map.get(plain), map.get(negated)) {
        (Some(_), Some(_)) => Err(PolicyError::at(path, format!("a statement cannot have both {plain} and {negated}"))),
        (Some(v), None) => Ok(Some((v, false, format!("{path}.{plain}")))),
        (None, Some(v)) => Ok(Some((v, true, format!("{path}.{negated}")))),
        (None, None) => Ok(None),
    }
}

fn parse_statement(value: &Value, index: usize, path: &str, variables: bool) -> Result<Statement, PolicyError> {
    let Value::Object(map) = value else {
        return Err(PolicyError::at(path, "a statement must be an object"));
    };
    const KEYS: &[&str] =
        &["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"];
    check_keys(map, path, KEYS)?;
    let sid = optional_string(map, "Sid", &format!("{path}.Sid"))?;
    let effect = match map.get("Effect") {
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(_) => {
            return Err(PolicyError::at(&format!("{path}.Effect"), "Effect must be \"Allow\" or \"Deny\""));
        }
        None => return Err(PolicyError::at(path, "missing Effect")),
    };
    let principal = match one_of(map, "Principal", "NotPrincipal", path)? {
        Some((value, negated, p)) => Some(PrincipalSpec { negated, entries: parse_principal(value, &p)? }),
        None => None,
    };
    let Some((action_value, negated, action_path)) = one_of(map, "Action", "NotAction", path)? else {
        return Err(PolicyError::at(path, "missing Action or NotAction"));
    };
    let patterns = string_list(action_value, &action_path)?
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            if text != "*" && !text.contains(':') {
                return Err(PolicyError::at(
                    &format!("{action_path}[{i}]"),
                    format!("`{text}` is not an action (`service:Action` or `*`)"),
                ));
            }
            let glob = Glob::from_pieces(parse_pieces(&text.to_ascii_lowercase(), true, false));
            Ok(ActionPattern { text, glob })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let actions = Actions { negated, patterns };
    let resources = match one_of(map, "Resource", "NotResource", path)? {
        Some((value, negated, p)) => {
            let vars = if variables { ArnVars::ResourcePart } else { ArnVars::Nowhere };
            let patterns = string_list(value, &p)?
                .into_iter()
                .enumerate()
                .map(|(i, text)| {
                    if text.is_empty() {
                        return Err(PolicyError::at(&format!("{p}[{i}]"), "empty resource"));
                    }
                    let arn = parse_arn_pattern(&text, vars);
                    Ok(ResourcePattern { text, arn })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Some(Resources { negated, patterns })
        }
        None => None,
    };
    let conditions = match map.get("Condition") {
        Some(block) => parse_condition_block(block, &format!("{path}.Condition"), variables)?,
        None => Vec::new(),
    };
    Ok(Statement { sid, index, path: path.to_owned(), effect, principal, actions, resources, conditions })
}

fn parse_principal(value: &Value, path: &str) -> Result<Vec<PrincipalEntry>, PolicyError> {
    let map = match value {
        Value::String(s) if s == "*" => return Ok(vec![PrincipalEntry::Everyone]),
        Value::Object(map) if !map.is_empty() => map,
        _ => {
            return Err(PolicyError::at(path, "a principal is \"*\" or an object such as {\"AWS\": [...]}"));
        }
    };
    check_keys(map, path, &["AWS", "Service", "Federated", "CanonicalUser"])?;
    let mut entries = Vec::new();
    for (kind, list) in map {
        let item_path = format!("{path}.{kind}");
        for text in string_list(list, &item_path)? {
            let entry = match kind.as_str() {
                "AWS" if text == "*" => PrincipalEntry::Everyone,
                "AWS" => match account_of_principal(&text) {
                    Some(account) => PrincipalEntry::Account(account.to_owned()),
                    None => PrincipalEntry::Arn(text),
                },
                "Service" => PrincipalEntry::Service(text),
                "Federated" => PrincipalEntry::Federated(text),
                _ => PrincipalEntry::CanonicalUser(text),
            };
            entries.push(entry);
        }
    }
    Ok(entries)
}

/// The account of an account principal: a 12-digit id or `arn:<partition>:iam::<id>:root`.
pub(crate) fn account_of_principal(text: &str) -> Option<&str> {
    let is_id = |s: &str| s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit());
    if is_id(text) {
        return Some(text);
    }
    let rest = text.strip_prefix("arn:")?;
    let mut parts = rest.split(':');
    let (_partition, service, region, account, resource) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    (parts.next().is_none() && service == "iam" && region.is_empty() && resource == "root" && is_id(account))
        .then_some(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_default_endpoint_policy() {
        let policy =
            Policy::parse(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#).unwrap();
        assert_eq!(policy.statements.len(), 1);
        let s = &policy.statements[0];
        assert_eq!(s.effect, Effect::Allow);
        assert_eq!(s.principal, Some(PrincipalSpec { negated: false, entries: vec![PrincipalEntry::Everyone] }));
        assert_eq!(s.reference().to_string(), "#0");
    }

    #[test]
    fn errors_name_the_path() {
        let cases = [
            ("[]", "$"),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"*"},{"Effect":"Maybe","Action":"*"}]}"#,
                "Statement[1].Effect",
            ),
            (r#"{"Statement":{"Effect":"Allow","Action":"s3"}}"#, "Statement.Action[0]"),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"StringEquals":{"k":{}}}}]}"#,
                "Statement[0].Condition.StringEquals.k",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"NumericEquals":{"k":"x"}}}]}"#,
                "Statement[0].Condition.NumericEquals.k",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"Sometimes":{"k":"x"}}}]}"#,
                "Statement[0].Condition.Sometimes",
            ),
            (r#"{"Statement":[{"Effect":"Allow","Action":"*","Principal":{"AWS":[]}}]}"#, "Statement[0].Principal.AWS"),
            (r#"{"Statement":[{"Effect":"Allow","Action":"*","effect":"x"}]}"#, "Statement[0]"),
            (r#"{"Version":"2020-01-01","Statement":[]}"#, "Version"),
            (r#"{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"*"}]}"#, "Statement[0]"),
        ];
        for (text, path) in cases {
            let err = Policy::parse(text).unwrap_err();
            assert_eq!(err.path(), Some(path), "{text}: {err}");
        }
    }

    #[test]
    fn hostile_input_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(matches!(Policy::parse(&deep), Err(PolicyError::Json(_))));
        let big = " ".repeat(MAX_POLICY_BYTES + 1);
        assert!(matches!(Policy::parse(&big), Err(PolicyError::TooLarge { .. })));
    }

    #[test]
    fn account_principals() {
        let cases = [
            ("111122223333", Some("111122223333")),
            ("arn:aws:iam::111122223333:root", Some("111122223333")),
            ("arn:aws-cn:iam::111122223333:root", Some("111122223333")),
            ("arn:aws:iam::111122223333:role/root", None),
            ("11112222333", None),
            ("arn:aws:iam::111122223333:root:x", None),
        ];
        for (text, want) in cases {
            assert_eq!(account_of_principal(text), want, "{text}");
        }
    }
}
