//! Classification into the lists, network activity pairing, grouping order and merge-order independence.

use super::*;
use crate::model::{Access, LogKind, Outcome, Principal, PrincipalType};

/// Decides by the action: `s3:GetObject` allowed, `s3:DeleteObject` denied by `D`, anything else unknown.
struct ByAction;

impl CandidateReplayer for ByAction {
    fn replay_candidate(&self, event: &Event) -> Option<CandidateReplay> {
        if event.vpce.as_ref().map(|v| v.as_str()) != Some("vpce-1") {
            return None;
        }
        let access = event.accesses.first();
        let action = access.map(|a| a.action.clone());
        let (verdict, statement, missing_keys) = match action.as_deref() {
            Some("s3:GetObject") => (CandidateVerdict::Allow, Some("A".to_owned()), BTreeSet::new()),
            Some("s3:DeleteObject") => (CandidateVerdict::Deny, Some("D".to_owned()), BTreeSet::new()),
            _ => (CandidateVerdict::Unknown, None, ["aws:principalorgid".to_owned()].into()),
        };
        Some(CandidateReplay {
            verdict,
            action,
            resource: access.and_then(|a| a.resource.clone()),
            statement,
            missing_keys,
        })
    }
}

fn event(name: &str, second: i64, outcome: Outcome, network_activity: bool) -> Event {
    let mut principal = Principal::unknown();
    principal.kind = PrincipalType::AssumedRole;
    principal.arn = Some("arn:aws:iam::111122223333:role/App".into());
    Event {
        time: Some(Timestamp(1_790_000_000_000 + second * 1000)),
        kind: LogKind::CloudTrail,
        event_source: "s3.amazonaws.com".into(),
        event_name: name.into(),
        accesses: vec![Access { action: format!("s3:{name}"), resource: Some("arn:aws:s3:::b/k".into()) }],
        region: Some("us-east-1".into()),
        principal,
        source_ip: Some("10.0.1.7".into()),
        vpce: Some("vpce-1".into()),
        outcome,
        category: if network_activity { "NetworkActivity".into() } else { "Data".into() },
        ..Event::blank()
    }
}

fn ok(name: &str, second: i64) -> Event {
    event(name, second, Outcome::Success, false)
}

fn denied(name: &str, second: i64, message: &str) -> Event {
    event(name, second, Outcome::Denied { code: "AccessDenied".into(), message: Some(message.into()) }, false)
}

fn na_denied(name: &str, second: i64) -> Event {
    event(name, second, Outcome::Denied { code: "VpceAccessDenied".into(), message: None }, true)
}

fn run(events: &[Event]) -> CheckReport {
    let mut check = Check::new(Arc::new(ByAction));
    for e in events {
        check.observe(&Record::built(e));
    }
    check.report(&[("vpce-1".into(), "p.json".to_owned()), ("vpce-9".into(), "q.json".to_owned())])
}

#[test]
fn requests_land_in_the_right_list() {
    let identity = "User: arn:aws:iam::111122223333:role/App is not authorized to perform: s3:GetObject because no \
                    identity-based policy allows the s3:GetObject action";
    let events = [
        ok("DeleteObject", 0),
        ok("DeleteObject", 9),
        ok("PutObject", 3),
        ok("GetObject", 4),
        denied("GetObject", 5, "Access Denied"),
        denied("GetObject", 6, identity),
        denied("DeleteObject", 7, "Access Denied"),
        event("DeleteObject", 8, Outcome::Error { code: "NoSuchKey".into(), message: None }, false),
    ];
    let report = run(&events);
    let c = &report.checks[0];
    assert_eq!((c.requests, c.allow, c.deny, c.unknown, c.denied_by_other_policies), (8, 3, 4, 1, 1));
    assert_eq!(c.would_break.len(), 1);
    let g = &c.would_break[0];
    assert_eq!((g.action.as_str(), g.count, g.statement.as_deref()), ("s3:DeleteObject", 3, Some("D")));
    assert_eq!(g.first_seen, Some(Timestamp(1_790_000_000_000)));
    assert_eq!(g.last_seen, Some(Timestamp(1_790_000_009_000)));
    assert_eq!(c.would_maybe_break.len(), 1);
    assert_eq!(c.would_maybe_break[0].missing_keys, vec!["aws:principalorgid"]);
    assert_eq!(c.would_newly_allow.len(), 1);
    assert_eq!(c.would_newly_allow[0].count, 1);
    assert!(report.breaks_anything());
    // The candidate that never saw traffic is reported empty, with a note.
    assert_eq!(report.checks[1].requests, 0);
    assert!(report.notes.iter().any(|n| n.starts_with("vpce-9")), "{:?}", report.notes);
}

#[test]
fn network_activity_twins_are_not_tallied_twice() {
    // Two plain denials with their network activity twins, and a network-activity-only denial.
    let events = [
        denied("GetObject", 0, "Access Denied"),
        na_denied("GetObject", 0),
        denied("GetObject", 1, "Access Denied"),
        na_denied("GetObject", 1),
        na_denied("PutObject", 2),
        na_denied("PutObject", 3),
    ];
    let c = &run(&events).checks[0];
    assert_eq!(c.requests, 4);
    assert_eq!(c.network_activity, NetworkActivityBook { events: 4, paired: 2, replayed: 2, unmatched: 0 });
    assert_eq!(c.would_newly_allow[0].count, 2);
    assert_eq!(c.unknown, 2);
}

#[test]
fn merge_order_does_not_matter() {
    let events: Vec<Event> = (0..12)
        .map(|i| match i % 4 {
            0 => ok("DeleteObject", i),
            1 => ok("PutObject", i),
            2 => denied("GetObject", i, "Access Denied"),
            _ => na_denied("GetObject", i),
        })
        .collect();
    let whole = run(&events);
    let mut a = Check::new(Arc::new(ByAction));
    let mut b = Check::new(Arc::new(ByAction));
    for (i, e) in events.iter().enumerate() {
        if i % 3 == 0 { a.observe(&Record::built(e)) } else { b.observe(&Record::built(e)) }
    }
    b.merge(a);
    let merged = b.report(&[("vpce-1".into(), "p.json".to_owned()), ("vpce-9".into(), "q.json".to_owned())]);
    assert_eq!(serde_json::to_string(&whole.checks).unwrap(), serde_json::to_string(&merged.checks).unwrap());
}
