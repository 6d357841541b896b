//! The `Condition` element: parsing `operator → key → value(s)` into compiled [`ConditionEntry`]s and
//! evaluating them with three-valued logic.
//!
//! Rules (IAM JSON policy elements: Condition operators; Condition; Multivalued context keys):
//! - several values for one key → OR for positive operators, AND ("matches none") for negated ones;
//! - several keys or operators → AND;
//! - missing key: positive operators are false, negated ones true, `...IfExists` true, `Null` tests presence,
//!   `ForAllValues:` true, `ForAnyValue:` false (an empty multi-valued key behaves like a missing one);
//! - unknown key (open world) → unknown;
//! - a request value that does not parse for the operator (a non-number for `NumericEquals`) and a policy
//!   value whose variable has no value fail under positive and negated operators alike.

use super::error::PolicyError;
use super::operator::{OperatorFamily, QualifiedOperator, SetQualifier};
use super::pattern::PatternPiece;
use super::request::{Lookup, Request, Tri};
use super::values::{decode_base64, parse_bool, parse_cidr, parse_date, parse_ip, parse_number};
use super::variables::{ArnVars, parse_arn_pattern, parse_pieces};
use super::wildcard::{ArnPattern, Glob};
use ipnet::IpNet;
use serde_json::Value;

/// Compiled policy values of one condition entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Values {
    Strings(Vec<Glob>),
    Numbers(Vec<f64>),
    Dates(Vec<i128>),
    Bools(Vec<bool>),
    Binary(Vec<Vec<u8>>),
    Ips(Vec<IpNet>),
    Arns(Vec<ArnPattern>),
    Null(Vec<bool>),
}

/// One `operator: { key: values }` test of a statement's `Condition`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionEntry {
    /// The operator with its qualifiers.
    pub operator: QualifiedOperator,
    /// The operator as written in the policy.
    pub operator_text: String,
    /// The condition key as written in the policy.
    pub key_text: String,
    /// The policy values as written (numbers and booleans in their JSON spelling).
    pub values_text: Vec<String>,
    pub(crate) key: Box<str>,
    pub(crate) values: Values,
    pub(crate) var_keys: Vec<Box<str>>,
}

/// One comparison of a request value with a policy value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Match,
    NoMatch,
    /// The request value does not parse, or the policy value's variable has no value.
    Invalid,
    Unknown,
}

impl Cmp {
    fn from_tri(t: Option<Tri>) -> Cmp {
        match t {
            Some(Tri::True) => Cmp::Match,
            Some(Tri::False) => Cmp::NoMatch,
            Some(Tri::Unknown) => Cmp::Unknown,
            None => Cmp::Invalid,
        }
    }

    fn positive(self) -> Tri {
        match self {
            Cmp::Match => Tri::True,
            Cmp::NoMatch | Cmp::Invalid => Tri::False,
            Cmp::Unknown => Tri::Unknown,
        }
    }

    fn negated(self) -> Tri {
        match self {
            Cmp::NoMatch => Tri::True,
            Cmp::Match | Cmp::Invalid => Tri::False,
            Cmp::Unknown => Tri::Unknown,
        }
    }
}

/// Policy values of a condition key: a string, number, bool, or an array of them.
fn value_texts(value: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    let one = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(PolicyError::at(path, "condition values must be strings, numbers or booleans")),
    };
    match value {
        Value::Array(items) => items.iter().map(one).collect(),
        other => Ok(vec![one(other)?]),
    }
}

/// Parses a statement's `Condition` object. `variables` is false for policy versions without variables.
pub(crate) fn parse_condition_block(
    block: &Value,
    path: &str,
    variables: bool,
) -> Result<Vec<ConditionEntry>, PolicyError> {
    let Value::Object(operators) = block else {
        return Err(PolicyError::at(path, "Condition must be an object of operator → {key: values}"));
    };
    let mut entries = Vec::new();
    for (operator_text, keys) in operators {
        let op_path = format!("{path}.{operator_text}");
        let operator = QualifiedOperator::parse(operator_text)
            .ok_or_else(|| PolicyError::at(&op_path, format!("unknown condition operator `{operator_text}`")))?;
        let Value::Object(keys) = keys else {
            return Err(PolicyError::at(&op_path, "an operator takes an object of condition key → values"));
        };
        if keys.is_empty() {
            return Err(PolicyError::at(&op_path, "an operator needs at least one condition key"));
        }
        for (key_text, raw) in keys {
            let key_path = format!("{op_path}.{key_text}");
            let values_text = value_texts(raw, &key_path)?;
            entries.push(compile(operator, operator_text, key_text, values_text, variables, &key_path)?);
        }
    }
    Ok(entries)
}

fn compile(
    operator: QualifiedOperator,
    operator_text: &str,
    key_text: &str,
    values_text: Vec<String>,
    variables: bool,
    path: &str,
) -> Result<ConditionEntry, PolicyError> {
    if key_text.is_empty() {
        return Err(PolicyError::at(path, "empty condition key"));
    }
    let bad = |what: &str, v: &str| PolicyError::at(path, format!("`{v}` is not {what}"));
    let parse_all = |what: &str, f: &dyn Fn(&str) -> bool| -> Result<(), PolicyError> {
        values_text.iter().try_for_each(|v| if f(v) { Ok(()) } else { Err(bad(what, v)) })
    };
    let values = match operator.operator.family() {
        OperatorFamily::String | OperatorFamily::StringIgnoreCase | OperatorFamily::StringLike => {
            let family = operator.operator.family();
            let wildcards = family == OperatorFamily::StringLike;
            Values::Strings(
                values_text
                    .iter()
                    .map(|v| {
                        let text =
                            if family == OperatorFamily::StringIgnoreCase { v.to_lowercase() } else { v.clone() };
                        Glob::from_pieces(parse_pieces(&text, wildcards, variables))
                    })
                    .collect(),
            )
        }
        OperatorFamily::Numeric => {
            parse_all("a number", &|v| parse_number(v).is_some())?;
            Values::Numbers(values_text.iter().filter_map(|v| parse_number(v)).collect())
        }
        OperatorFamily::Date => {
            parse_all("a date (ISO 8601 or epoch seconds)", &|v| parse_date(v).is_some())?;
            Values::Dates(values_text.iter().filter_map(|v| parse_date(v)).collect())
        }
        OperatorFamily::Bool => {
            parse_all("true or false", &|v| parse_bool(v).is_some())?;
            Values::Bools(values_text.iter().filter_map(|v| parse_bool(v)).collect())
        }
        OperatorFamily::Null => {
            parse_all("true or false", &|v| parse_bool(v).is_some())?;
            Values::Null(values_text.iter().filter_map(|v| parse_bool(v)).collect())
        }
        OperatorFamily::Binary => {
            parse_all("base64", &|v| decode_base64(v).is_some())?;
            Values::Binary(values_text.iter().filter_map(|v| decode_base64(v)).collect())
        }
        OperatorFamily::Ip => {
            parse_all("an IP address or CIDR block", &|v| parse_cidr(v).is_some())?;
            Values::Ips(values_text.iter().filter_map(|v| parse_cidr(v)).collect())
        }
        OperatorFamily::Arn => {
            let vars = if variables { ArnVars::Everywhere } else { ArnVars::Nowhere };
            Values::Arns(values_text.iter().map(|v| parse_arn_pattern(v, vars)).collect())
        }
    };
    let mut var_keys: Vec<Box<str>> = Vec::new();
    let mut collect = |pieces: &[PatternPiece]| {
        for piece in pieces {
            if let PatternPiece::Var(var) = piece
                && !var.key.is_empty()
                && !var_keys.contains(&var.key)
            {
                var_keys.push(var.key.clone());
            }
        }
    };
    match &values {
        Values::Strings(globs) => globs.iter().for_each(|g| collect(g.pieces())),
        Values::Arns(arns) => arns.iter().flat_map(|a| a.segments()).for_each(|g| collect(g.pieces())),
        _ => {}
    }
    Ok(ConditionEntry {
        operator,
        operator_text: operator_text.to_owned(),
        key_text: key_text.to_owned(),
        values_text,
        key: key_text.to_ascii_lowercase().into_boxed_str(),
        values,
        var_keys,
    })
}

impl ConditionEntry {
    /// The condition key, lower case.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Evaluates the entry; unknown keys that made the result unknown are pushed to `missing`.
    pub(crate) fn eval(&self, request: &Request, missing: &mut Vec<String>) -> Tri {
        let op = self.operator;
        let lookup = request.lookup(&self.key);
        if let Values::Null(expected) = &self.values {
            let is_null = match lookup {
                Lookup::Present(values) => values.is_empty(),
                Lookup::Absent => true,
                Lookup::Unknown => {
                    missing.push(self.key.to_string());
                    return Tri::Unknown;
                }
            };
            return Tri::from_bool(expected.contains(&is_null));
        }
        let values = match lookup {
            Lookup::Present(values) if !values.is_empty() => values,
            Lookup::Present(_) | Lookup::Absent => {
                return Tri::from_bool(
                    op.if_exists
                        || match op.qualifier {
                            SetQualifier::ForAllValues => true,
                            SetQualifier::ForAnyValue => false,
                            SetQualifier::Single => op.operator.is_negated(),
                        },
                );
            }
            Lookup::Unknown => {
                missing.push(self.key.to_string());
                return Tri::Unknown;
            }
        };
        let negated = op.operator.is_negated();
        let per_value = |v: &String| self.value_result(v, request, negated);
        let result = match (op.qualifier, negated) {
            (SetQualifier::ForAllValues, _) | (SetQualifier::Single, true) => {
                values.iter().fold(Tri::True, |acc, v| if acc == Tri::False { acc } else { acc.and(per_value(v)) })
            }
            (SetQualifier::ForAnyValue, _) | (SetQualifier::Single, false) => {
                values.iter().fold(Tri::False, |acc, v| if acc == Tri::True { acc } else { acc.or(per_value(v)) })
            }
        };
        if result == Tri::Unknown {
            missing
                .extend(self.var_keys.iter().filter(|k| request.lookup(k) == Lookup::Unknown).map(|k| k.to_string()));
        }
        result
    }

    /// One request value against every policy value: OR of matches (positive), AND of non-matches (negated).
    fn value_result(&self, value: &str, request: &Request, negated: bool) -> Tri {
        let fold = |cmps: &mut dyn Iterator<Item = Cmp>| -> Tri {
            if negated {
                cmps.fold(Tri::True, |acc, c| acc.and(c.negated()))
            } else {
                cmps.fold(Tri::False, |acc, c| acc.or(c.positive()))
            }
        };
        let ordering = self.operator.operator.ordering();
        match &self.values {
            Values::Strings(globs) => {
                if self.operator.operator.family() == OperatorFamily::StringIgnoreCase {
                    let lowered;
                    let value = if value.is_ascii() {
                        value
                    } else {
                        lowered = value.to_lowercase();
                        &lowered
                    };
                    fold(&mut globs.iter().map(|g| Cmp::from_tri(g.matches(value, true, request))))
                } else {
                    fold(&mut globs.iter().map(|g| Cmp::from_tri(g.matches(value, false, request))))
                }
            }
            Values::Arns(arns) => fold(&mut arns.iter().map(|a| Cmp::from_tri(a.matches(value, request)))),
            Values::Numbers(policy) => match parse_number(value) {
                Some(n) => fold(&mut policy.iter().map(|p| bool_cmp(ordering.test(n, *p)))),
                None => fold(&mut policy.iter().map(|_| Cmp::Invalid)),
            },
            Values::Dates(policy) => match parse_date(value) {
                Some(d) => fold(&mut policy.iter().map(|p| bool_cmp(ordering.test(d, *p)))),
                None => fold(&mut policy.iter().map(|_| Cmp::Invalid)),
            },
            Values::Bools(policy) => match parse_bool(value) {
                Some(b) => fold(&mut policy.iter().map(|p| bool_cmp(*p == b))),
                None => fold(&mut policy.iter().map(|_| Cmp::Invalid)),
            },
            Values::Binary(policy) => match decode_base64(value) {
                Some(bytes) => fold(&mut policy.iter().map(|p| bool_cmp(*p == bytes))),
                None => fold(&mut policy.iter().map(|_| Cmp::Invalid)),
            },
            Values::Ips(policy) => match parse_ip(value) {
                Some(ip) => fold(&mut policy.iter().map(|net| bool_cmp(net.contains(&ip)))),
                None => fold(&mut policy.iter().map(|_| Cmp::Invalid)),
            },
            Values::Null(_) => Tri::False,
        }
    }
}

fn bool_cmp(matched: bool) -> Cmp {
    if matched { Cmp::Match } else { Cmp::NoMatch }
}
