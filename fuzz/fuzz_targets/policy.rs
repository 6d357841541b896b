//! Arbitrary text parsed as a policy document; when it parses, it is linted and evaluated against fixed
//! requests and against requests built from strings found in the document itself (so conditions, actions and
//! resources actually match sometimes). Bytes after a NUL pick those strings.
//!
//! Checks: no panic, and the decision agrees with the per-statement verdicts of `statement_matches`:
//! explicit deny ⇔ some Deny statement definitely applies (all of them listed), allow ⇔ some Allow applies and
//! no Deny may, implicit deny ⇔ no statement may apply; unknowns name what they depend on, in (ASCII) lower case.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use trail_vpce::policy::{
    Decision, Effect, EndpointKind, EvalOptions, Policy, Request, StatementRef, Tri, evaluate_with, lint,
    statement_matches,
};

fn fixed_requests() -> Vec<Request> {
    let role = "arn:aws:iam::111122223333:role/App";
    vec![
        Request::new("s3:GetObject")
            .principal(role)
            .resource("arn:aws:s3:::app-data/reports/daily.csv")
            .with("aws:SourceVpce", "vpce-0a1b2c3d4e5f60001")
            .with("aws:PrincipalAccount", "111122223333")
            .with("aws:SourceIp", "10.0.1.23")
            .with("aws:SecureTransport", "true")
            .with("aws:CurrentTime", "2026-11-21T10:00:00Z"),
        Request::new("s3:ListBucket").principal(role).resource("arn:aws:s3:::app-data").open_world(),
        Request::new("dynamodb:GetItem")
            .principal("arn:aws:iam::444455556666:user/alice")
            .resource("arn:aws:dynamodb:eu-west-1:444455556666:table/Orders")
            .with_many("aws:TagKeys", &["team", "env"])
            .known_absent("aws:SourceIp"),
        Request::new("s3:PutObject").principal("anonymous").resource("arn:aws:s3:::bucket/k"),
        Request::new("kms:Decrypt").service_principal("cloudtrail.amazonaws.com").open_world(),
        Request::new("sts:AssumeRole").account("111122223333").open_world(),
    ]
}

fn strings_of(value: &Value, out: &mut Vec<String>) {
    if out.len() >= 32 {
        return;
    }
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings_of(v, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push(k.clone());
            strings_of(v, out);
        }),
        Value::Number(n) => out.push(n.to_string()),
        Value::Bool(b) => out.push(b.to_string()),
        Value::Null => {}
    }
}

/// A request whose parts are strings of the document (chosen by `u`), with some concrete instances of
/// wildcards, so that statements match as well as miss.
fn derived_request(u: &mut Unstructured, strings: &[String]) -> arbitrary::Result<Request> {
    let pick = |u: &mut Unstructured| -> arbitrary::Result<String> {
        let s = u.choose(strings)?.clone();
        Ok(if u.arbitrary()? { s.replace('*', "x").replace('?', "y") } else { s })
    };
    let mut request = Request::new(pick(u)?);
    match u.int_in_range(0..=3)? {
        0 => {}
        1 => request = request.principal(&pick(u)?),
        2 => request = request.service_principal(&pick(u)?),
        _ => request = request.principal("anonymous"),
    }
    if u.arbitrary()? {
        request = request.resource(&pick(u)?);
    }
    if u.arbitrary()? {
        request = request.account(&pick(u)?);
    }
    for _ in 0..u.int_in_range(0..=4)? {
        let key = pick(u)?;
        if u.arbitrary()? {
            request = request.with(&key, &pick(u)?);
        } else {
            let values = [pick(u)?, pick(u)?];
            request = request.with_many(&key, &[&values[0], &values[1]]);
        }
    }
    match u.int_in_range(0..=2)? {
        0 => {}
        1 => request = request.open_world(),
        _ => request = request.known_absent(&pick(u)?),
    }
    Ok(request)
}

fn check(policy: &Policy, request: &Request, options: &EvalOptions) {
    let decision = evaluate_with(policy, request, options);
    let _ = decision.to_string();
    let verdicts: Vec<(Effect, StatementRef, Tri)> =
        policy.statements.iter().map(|s| (s.effect, s.reference(), statement_matches(s, request, options))).collect();
    let with = |effect: Effect, tri: Tri| -> Vec<StatementRef> {
        verdicts.iter().filter(|(e, _, t)| *e == effect && *t == tri).map(|(_, r, _)| r.clone()).collect()
    };
    let definite_deny = with(Effect::Deny, Tri::True);
    let maybe_deny = with(Effect::Deny, Tri::Unknown);
    let definite_allow = with(Effect::Allow, Tri::True);
    let maybe_allow = with(Effect::Allow, Tri::Unknown);
    let context = || format!("{decision:?} for {request:?} under {options:?}; statements {verdicts:?}");
    match &decision {
        Decision::ExplicitDeny { statements } => assert_eq!(statements, &definite_deny, "{}", context()),
        Decision::Allow { statements } => {
            assert!(definite_deny.is_empty() && maybe_deny.is_empty(), "{}", context());
            assert_eq!(statements, &definite_allow, "{}", context());
            assert!(!statements.is_empty(), "{}", context());
        }
        Decision::ImplicitDeny => {
            assert!(verdicts.iter().all(|(_, _, t)| *t == Tri::False), "{}", context())
        }
        Decision::Unknown { missing_keys, statements, can_allow } => {
            assert!(definite_deny.is_empty(), "{}", context());
            assert!(!maybe_deny.is_empty() || (definite_allow.is_empty() && !maybe_allow.is_empty()), "{}", context());
            assert_eq!(*can_allow, !definite_allow.is_empty() || !maybe_allow.is_empty(), "{}", context());
            assert!(!statements.is_empty(), "{}", context());
            assert!(!missing_keys.is_empty(), "an unknown that depends on nothing: {}", context());
            for key in missing_keys {
                // Keys are compared ASCII-case-insensitively throughout (AWS keys are ASCII).
                assert_eq!(key, &key.to_ascii_lowercase(), "missing keys are lower case: {}", context());
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (text, tail) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let Ok(text) = std::str::from_utf8(text) else { return };
    let Ok(policy) = Policy::parse(text) else { return };
    for kind in [None, Some(EndpointKind::Gateway), Some(EndpointKind::Interface)] {
        for finding in lint(text, &policy, kind) {
            assert!(!finding.message.is_empty() && !finding.code.is_empty());
        }
    }
    let all_options =
        [EvalOptions::for_endpoint(EndpointKind::Gateway), EvalOptions::for_endpoint(EndpointKind::Interface)];
    for request in fixed_requests() {
        for options in &all_options {
            check(&policy, &request, options);
        }
    }
    let mut strings = Vec::new();
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        strings_of(&value, &mut strings);
    }
    strings.extend(["s3:GetObject", "arn:aws:s3:::b/k", "aws:SourceVpce", "vpce-1"].map(str::to_owned));
    let mut u = Unstructured::new(tail);
    for _ in 0..4 {
        let Ok(request) = derived_request(&mut u, &strings) else { break };
        for options in &all_options {
            check(&policy, &request, options);
        }
    }
});
