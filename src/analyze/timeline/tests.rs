//! Matching rules and the summary fold.

use super::*;
use crate::model::{Access, LogKind, Outcome, Principal, PrincipalType, Resource};

fn event(key: &str, ip: &str, vpce: Option<&str>, second: i64, resource: &str) -> Event {
    let mut principal = Principal::unknown();
    principal.kind = PrincipalType::AssumedRole;
    principal.arn = Some("arn:aws:iam::1:role/App".into());
    principal.identity_arn = Some("arn:aws:sts::1:assumed-role/App/i-1".into());
    principal.session_name = Some("i-1".into());
    principal.access_key_id = Some(key.into());
    Event {
        time: Some(Timestamp(second * 1000)),
        kind: LogKind::CloudTrail,
        event_source: "s3.amazonaws.com".into(),
        event_name: "GetObject".into(),
        accesses: vec![Access { action: "s3:GetObject".into(), resource: Some(resource.into()) }],
        principal,
        source_ip: Some(ip.into()),
        vpce: vpce.map(|v| crate::model::VpceId::from(v.to_owned())),
        resources: vec![Resource { arn: resource.into(), kind: None, account: None, is_prefix: false }],
        outcome: Outcome::Success,
        category: "Data".into(),
        event_id: Some(format!("e{second}")),
        ..Event::blank()
    }
}

#[test]
fn filters_combine() {
    let e = event("ASIA1", "10.0.0.1", Some("vpce-1"), 1, "arn:aws:s3:::b/k");
    let cases = [
        (Matcher { principals: ["arn:aws:iam::1:role/App".into()].into(), ..Matcher::default() }, true),
        (Matcher { principals: ["arn:aws:sts::1:assumed-role/App/i-1".into()].into(), ..Matcher::default() }, true),
        (Matcher { access_keys: ["ASIA1".into()].into(), ..Matcher::default() }, true),
        (Matcher { access_keys: ["ASIA2".into()].into(), ..Matcher::default() }, false),
        (Matcher { resources: ["arn:aws:s3:::b".into()].into(), ..Matcher::default() }, true),
        (Matcher { resources: ["arn:aws:s3:::bb".into()].into(), ..Matcher::default() }, false),
        (Matcher { ips: ["10.0.0.1".into()].into(), session: Some("i-1".into()), ..Matcher::default() }, true),
        (Matcher { ips: ["10.0.0.1".into()].into(), session: Some("i-2".into()), ..Matcher::default() }, false),
        (
            Matcher {
                access_keys: ["ASIA2".into()].into(),
                ips: ["10.0.0.1".into()].into(),
                any_of: true,
                ..Matcher::default()
            },
            true,
        ),
    ];
    for (i, (matcher, expected)) in cases.iter().enumerate() {
        assert_eq!(matcher.matches(&e), *expected, "case {i}");
    }
}

#[test]
fn summary_finds_the_first_public_request_outside_endpoints() {
    let events = [
        event("ASIA1", "10.0.0.1", Some("vpce-1"), 1, "arn:aws:s3:::b/k"),
        event("ASIA1", "10.0.0.1", Some("vpce-2"), 2, "arn:aws:s3:::b/k"),
        event("ASIA1", "203.0.113.50", None, 3, "arn:aws:s3:::b/x"),
        event("ASIA1", "203.0.113.51", None, 4, "arn:aws:s3:::b/x"),
    ];
    let mut builder = SummaryBuilder::default();
    for e in &events {
        builder.add(&TimelineRow::from_event(e));
    }
    let summary = builder.finish();
    assert_eq!(summary.requests, 4);
    assert_eq!(summary.requests_outside_endpoints, 2);
    assert_eq!(summary.resources_touched, 2);
    assert_eq!(summary.public_ips.len(), 2);
    let first = summary.first_outside_usual_endpoint.unwrap();
    assert_eq!(first.event_id.as_deref(), Some("e3"));
}
