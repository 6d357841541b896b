//! Analyzer tests on hand-built events: decisions wait for the whole input, merging is order-free, groups
//! stay bounded.

use std::sync::Arc;

use super::group::MAX_EVENT_IDS;
use super::*;
use crate::model::{Access, Principal, Resource, Timestamp};

const DATA: &str = "arn:aws:s3:::data";

fn role(account: &str, name: &str) -> Principal {
    let mut p = Principal::unknown();
    p.kind = PrincipalType::AssumedRole;
    p.arn = Some(format!("arn:aws:iam::{account}:role/{name}"));
    p.account = Some(crate::model::AccountId::from(account.to_owned()));
    p
}

fn event(id: &str, principal: Principal, vpce: Option<&str>, ip: &str, object: &str, owner: &str) -> Event {
    let bucket = resource_key(object);
    Event {
        time: Some(Timestamp::from_millis(1_000)),
        kind: LogKind::CloudTrail,
        event_source: "s3.amazonaws.com".into(),
        event_name: "GetObject".into(),
        accesses: vec![Access { action: "s3:GetObject".into(), resource: Some(object.into()) }],
        region: Some("us-east-1".into()),
        principal,
        source_ip: Some(ip.into()),
        vpce: vpce.map(|v| crate::model::VpceId::from(v.to_owned())),
        vpce_account: vpce.map(|_| "111".into()),
        resources: vec![
            Resource { arn: object.into(), kind: None, account: None, is_prefix: false },
            Resource {
                arn: bucket,
                kind: None,
                account: Some(crate::model::AccountId::from(owner.to_owned())).filter(|o| !o.is_empty()),
                is_prefix: false,
            },
        ],
        outcome: Outcome::Success,
        category: "Data".into(),
        event_type: Some("AwsApiCall".into()),
        event_id: Some(id.into()),
        recipient_account: Some("111".into()),
        read_only: Some(true),
        ..Event::blank()
    }
}

fn analyze(config: &Arc<OutsideConfig>, parts: &[&[Event]]) -> OutsideReport {
    let mut total = Outside::new(Arc::clone(config));
    for part in parts {
        let mut worker = Outside::new(Arc::clone(config));
        for e in *part {
            worker.observe(&Record::built(e));
        }
        total.merge(worker);
    }
    total.report(&crate::ownership::Ownership::unknown())
}

fn summary(report: &OutsideReport) -> Vec<(Kind, Severity, String, Option<String>, u64)> {
    report.findings.iter().map(|f| (f.kind, f.severity, f.principal.clone(), f.resource.clone(), f.count)).collect()
}

#[test]
fn a_bypass_waits_for_endpoint_evidence_seen_later_and_merges_in_any_order() {
    let config = Arc::new(OutsideConfig::default());
    let app = role("111", "App");
    let outside = event("e1", app.clone(), None, "203.0.113.50", "arn:aws:s3:::data/a", "111");
    let through = event("e2", app, Some("vpce-1"), "10.0.1.2", "arn:aws:s3:::data/b", "111");
    let alone = analyze(&config, &[std::slice::from_ref(&outside)]);
    assert!(alone.findings.is_empty(), "nothing endpoint-bound yet");
    let a = analyze(&config, &[std::slice::from_ref(&outside), std::slice::from_ref(&through)]);
    let b = analyze(&config, &[std::slice::from_ref(&through), std::slice::from_ref(&outside)]);
    let expected =
        vec![(Kind::Bypass, Severity::High, "arn:aws:iam::111:role/App".to_owned(), Some(DATA.to_owned()), 1)];
    assert_eq!(summary(&a), expected);
    assert_eq!(summary(&b), expected);
    assert_eq!(a.findings[0].bound_via, vec!["vpce-1".to_owned()]);
}

#[test]
fn protection_binds_without_endpoint_traffic() {
    let config = Arc::new(OutsideConfig { protect: vec![DATA.into()], ..OutsideConfig::default() });
    let user = role("111", "Deploy");
    let e = event("e1", user, None, "198.51.100.7", "arn:aws:s3:::data/release.tgz", "111");
    let report = analyze(&config, &[&[e]]);
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].severity, Severity::High);
    assert_eq!(report.findings[0].endpoint_bound, Some(Bound::Protected));
}

#[test]
fn services_and_aws_owned_buckets_are_tallied_not_reported() {
    let config = Arc::new(OutsideConfig { protect: vec![DATA.into()], ..OutsideConfig::default() });
    let mut service = Principal::unknown();
    service.kind = PrincipalType::AWSService;
    service.arn = Some("delivery.logs.amazonaws.com".into());
    let delivery = event("s1", service, None, "delivery.logs.amazonaws.com", "arn:aws:s3:::data/log", "111");
    let app = role("111", "App");
    let ecr = event(
        "o1",
        app,
        Some("vpce-1"),
        "10.0.1.2",
        "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/layer",
        "146783251090",
    );
    let report = analyze(&config, &[&[delivery, ecr]]);
    assert!(report.findings.is_empty(), "{:?}", summary(&report));
    assert_eq!(report.service_principal_requests, 1);
    assert_eq!(report.aws_owned_requests, 1);
}

#[test]
fn foreign_resources_and_principals_against_the_trusted_set() {
    let config = Arc::new(OutsideConfig::default());
    let app = role("111", "App");
    let exfil = event("f1", app.clone(), Some("vpce-1"), "10.0.1.2", "arn:aws:s3:::drop/x", "999");
    let unknown = event("f2", app, Some("vpce-1"), "10.0.1.2", "arn:aws:s3:::scratch/x", "");
    let stranger = event("f3", role("999", "Ops"), Some("vpce-1"), "10.0.7.7", "arn:aws:s3:::data/x", "111");
    let report = analyze(&config, &[&[exfil, unknown], &[stranger]]);
    let got = summary(&report);
    assert_eq!(
        got,
        vec![
            (
                Kind::ForeignResource,
                Severity::High,
                "arn:aws:iam::111:role/App".into(),
                Some("arn:aws:s3:::drop".into()),
                1
            ),
            (
                Kind::ForeignPrincipal,
                Severity::High,
                "arn:aws:iam::999:role/Ops".into(),
                Some("arn:aws:s3:::data".into()),
                1
            ),
            (
                Kind::ForeignResource,
                Severity::Medium,
                "arn:aws:iam::111:role/App".into(),
                Some("arn:aws:s3:::scratch".into()),
                1
            ),
        ]
    );
    assert!(report.findings[2].owner_unknown);
}

#[test]
fn groups_are_bounded_by_keys_and_ids_are_capped_deterministically() {
    let config = Arc::new(OutsideConfig { protect: vec![DATA.into()], ..OutsideConfig::default() });
    let events: Vec<Event> = (0..500)
        .map(|i| event(&format!("id-{i:04}"), role("111", "App"), None, "203.0.113.50", &format!("{DATA}/k{i}"), "111"))
        .collect();
    let (a, b) = events.split_at(137);
    let report = analyze(&config, &[b, a]);
    assert_eq!(report.findings.len(), 1);
    let f = &report.findings[0];
    assert_eq!(f.count, 500);
    assert_eq!(f.event_ids.len(), MAX_EVENT_IDS);
    assert_eq!(f.event_ids[0], "id-0000");
    assert_eq!(f.event_ids.last().map(String::as_str), Some("id-0049"));
    assert!(f.event_ids_truncated);
}
