//! Pairing, replay, the default view, grouping and merge-order independence.

use super::*;
use crate::model::{Access, LogKind, Principal, PrincipalType};

fn event(id: &str, second: i64, vpce: Option<&str>, code: &str, message: &str, network_activity: bool) -> Event {
    let mut principal = Principal::unknown();
    principal.kind = PrincipalType::AssumedRole;
    principal.arn = Some("arn:aws:iam::444455556666:role/Analytics".into());
    Event {
        time: Some(Timestamp(1_790_000_000_000 + second * 1000)),
        kind: LogKind::CloudTrail,
        event_source: "s3.amazonaws.com".into(),
        event_name: "DeleteObject".into(),
        accesses: vec![Access { action: "s3:DeleteObject".into(), resource: Some("arn:aws:s3:::b/k".into()) }],
        region: Some("us-east-1".into()),
        principal,
        source_ip: Some("10.0.1.7".into()),
        vpce: vpce.map(|v| crate::model::VpceId::from(v.to_owned())),
        outcome: Outcome::Denied { code: code.into(), message: Some(message.into()) },
        category: if network_activity { "NetworkActivity".into() } else { "Data".into() },
        event_id: Some(id.into()),
        ..Event::blank()
    }
}

fn plain(id: &str, second: i64) -> Event {
    event(id, second, Some("vpce-1"), "AccessDenied", "Access Denied", false)
}

fn na(id: &str, second: i64) -> Event {
    event(id, second, Some("vpce-1"), "VpceAccessDenied", "The request was denied due to a VPC endpoint policy", true)
}

fn run(events: &[Event], config: DeniedConfig) -> DeniedReport {
    let mut denied = Denied::new(config);
    for e in events {
        denied.observe(&Record::built(e));
    }
    denied.report(None, &crate::ownership::Ownership::unknown())
}

#[test]
fn a_network_activity_event_explains_its_plain_twin() {
    let report = run(&[plain("d1", 0), na("n1", 0), plain("d2", 5), na("n2", 9)], DeniedConfig::default());
    // d1+n1 are one request (vpce-policy, network-activity); d2 stays unknown; n2 stands alone.
    assert_eq!(report.totals.denied_requests, 3);
    assert_eq!(report.totals.by_cause["vpce-policy"], 2);
    assert_eq!(report.totals.by_cause["unknown"], 1);
    let unknown: Vec<&DenialRow> = report.denials.iter().filter(|r| r.cause == Cause::Unknown).collect();
    assert_eq!(unknown.len(), 1);
    assert!(unknown[0].possibly_vpce);
}

struct Fake(ReplayVerdict);

impl Replayer for Fake {
    fn replay(&self, _event: &Event) -> Option<ReplayVerdict> {
        Some(self.0.clone())
    }
}

#[test]
fn replay_settles_plain_denials() {
    let denies = DeniedConfig {
        replayer: Some(Arc::new(Fake(ReplayVerdict::Denied {
            deny: DenyKind::Implicit,
            statement: Some("#0".into()),
        }))),
        ..DeniedConfig::default()
    };
    let report = run(&[plain("d1", 0)], denies);
    let row = &report.denials[0];
    assert_eq!((row.cause, row.deny, row.evidence), (Cause::VpcePolicy, DenyKind::Implicit, Evidence::PolicyReplay));
    assert_eq!(row.statement.as_deref(), Some("#0"));

    let allows = DeniedConfig { replayer: Some(Arc::new(Fake(ReplayVerdict::Allowed))), ..DeniedConfig::default() };
    let report = run(&[plain("d1", 0)], allows.clone());
    assert!(report.denials.is_empty(), "ruled out: not shown by default");
    assert_eq!(report.totals.by_cause["unknown"], 1);
    let report = run(&[plain("d1", 0)], DeniedConfig { all_causes: true, ..allows });
    assert!(report.denials[0].endpoint_ruled_out);
    assert!(!report.denials[0].possibly_vpce);
}

#[test]
fn default_view_shows_only_the_endpoint() {
    let events = [
        plain("d1", 0),
        event("x1", 1, None, "AccessDenied", "Access Denied", false),
        event(
            "x2",
            2,
            Some("vpce-1"),
            "AccessDenied",
            "User: a is not authorized to perform: s3:GetObject because no identity-based policy allows the s3:GetObject action",
            false,
        ),
    ];
    let report = run(&events, DeniedConfig::default());
    assert_eq!(report.totals.denied_requests, 3);
    assert_eq!(report.totals.shown_requests, 1);
    let report = run(&events, DeniedConfig { all_causes: true, ..DeniedConfig::default() });
    assert_eq!(report.totals.shown_requests, 3);
}

#[test]
fn grouping_can_drop_dimensions() {
    let mut other = plain("d2", 3);
    other.accesses[0].resource = Some("arn:aws:s3:::b/other".into());
    let events = [plain("d1", 0), other];
    let report = run(&events, DeniedConfig::default());
    assert_eq!(report.denials.len(), 2);
    let by_vpce = GroupBy { vpce: true, principal: false, action: false, resource: false };
    let report = run(&events, DeniedConfig { group_by: by_vpce, ..DeniedConfig::default() });
    assert_eq!(report.denials.len(), 1);
    assert_eq!(report.denials[0].count, 2);
    assert_eq!(report.denials[0].resource, None);
}

#[test]
fn merge_order_does_not_matter() {
    let events: Vec<Event> = (0..12)
        .map(|i| if i % 3 == 0 { na(&format!("n{i}"), i / 2) } else { plain(&format!("d{i}"), i / 2) })
        .collect();
    let whole = run(&events, DeniedConfig::default());
    let mut left = Denied::new(DeniedConfig::default());
    let mut right = Denied::new(DeniedConfig::default());
    for (i, e) in events.iter().enumerate() {
        if i % 2 == 0 { left.observe(&Record::built(e)) } else { right.observe(&Record::built(e)) }
    }
    right.merge(left);
    let split = right.report(None, &crate::ownership::Ownership::unknown());
    assert_eq!(serde_json::to_string(&whole).unwrap(), serde_json::to_string(&split).unwrap());
}
