use super::*;

/// A change to the base row.
type Change = fn(&mut ExportRow);

fn row() -> ExportRow {
    ExportRow {
        time_ms: Some(1_795_000_000_000),
        log: Some("cloudtrail".to_owned()),
        event_source: Some("s3.amazonaws.com".to_owned()),
        event_name: Some("GetObject".to_owned()),
        actions: vec!["s3:GetObject".to_owned()],
        resources: vec!["arn:aws:s3:::b/k".to_owned(), "arn:aws:s3:::b".to_owned()],
        resource_accounts: vec![String::new(), "111122223333".to_owned()],
        principal: Some("arn:aws:iam::111122223333:role/app".to_owned()),
        principal_type: Some("AssumedRole".to_owned()),
        outcome: Some("success".to_owned()),
        category: Some("Data".to_owned()),
        bucket: Some("b".to_owned()),
        key: Some("k".to_owned()),
        ..ExportRow::default()
    }
}

#[test]
fn rows_map_back_to_events() {
    // (what the row changes, what the event must show)
    type Check = fn(&Event) -> bool;
    let cases: Vec<(&str, Change, Check)> = vec![
        ("plain", |_| {}, |e| e.kind == LogKind::CloudTrail && e.outcome == Outcome::Success),
        ("'' account is unknown", |_| {}, |e| e.resources[0].account.is_none() && e.resources[1].account.is_some()),
        (
            "endpoint_id wins over vpce",
            |r| {
                r.vpce = None;
                r.endpoint_id = Some("vpce-1".to_owned());
            },
            |e| e.vpce.as_ref().map(|v| v.as_str()) == Some("vpce-1"),
        ),
        (
            "old export: vpce only",
            |r| r.vpce = Some("vpce-2".to_owned()),
            |e| e.vpce.as_ref().map(|v| v.as_str()) == Some("vpce-2"),
        ),
        (
            "denied keeps code and message",
            |r| {
                r.outcome = Some("denied".to_owned());
                r.error_code = Some("AccessDenied".to_owned());
                r.error_message = Some("no VPC endpoint policy allows".to_owned());
            },
            |e| matches!(&e.outcome, Outcome::Denied { code, message: Some(_) } if code == "AccessDenied"),
        ),
        (
            "no outcome column: from the code",
            |r| {
                r.outcome = None;
                r.error_code = Some("NoSuchKey".to_owned());
            },
            |e| matches!(&e.outcome, Outcome::Error { .. }),
        ),
        ("access log", |r| r.log = Some("s3-access-log".to_owned()), |e| e.kind == LogKind::S3AccessLog),
        (
            "principal types",
            |r| r.principal_type = Some("Anonymous".to_owned()),
            |e| e.principal.kind == PrincipalType::Anonymous,
        ),
        (
            "unknown principal type",
            |r| r.principal_type = Some("Martian".to_owned()),
            |e| e.principal.kind == PrincipalType::Unknown,
        ),
        (
            "accesses from the columns",
            |r| {
                r.access_actions = Some(vec!["s3:GetObject".to_owned(), "kms:Decrypt".to_owned()]);
                r.access_resources = Some(vec!["arn:aws:s3:::b/k".to_owned(), String::new()]);
            },
            |e| {
                e.accesses
                    == vec![
                        Access { action: "s3:GetObject".to_owned(), resource: Some("arn:aws:s3:::b/k".to_owned()) },
                        Access { action: "kms:Decrypt".to_owned(), resource: None },
                    ]
            },
        ),
        (
            "old export: accesses derived",
            |_| {},
            |e| {
                e.accesses
                    == vec![Access { action: "s3:GetObject".to_owned(), resource: Some("arn:aws:s3:::b/k".to_owned()) }]
            },
        ),
        (
            "resource types and prefixes",
            |r| {
                r.resource_types = Some(vec!["AWS::S3::Object".to_owned(), String::new()]);
                r.resource_prefixes = Some(vec![true, false]);
            },
            |e| e.resources[0].is_prefix && e.resources[0].kind.is_some() && e.resources[1].kind.is_none(),
        ),
        (
            "tls from either column",
            |r| r.tls_cipher = Some("ECDHE".to_owned()),
            |e| e.tls == Some(Tls { version: None, cipher: Some("ECDHE".to_owned()) }),
        ),
        ("no tls", |_| {}, |e| e.tls.is_none()),
        ("empty prefix kept", |r| r.prefix = Some(String::new()), |e| e.request.prefix.as_deref() == Some("")),
        (
            "category kept as written",
            |r| r.category = Some("Brand-new".to_owned()),
            |e| e.category.as_str() == "Brand-new",
        ),
        ("http status", |r| r.http_status = Some(403), |e| e.http_status == Some(403)),
    ];
    for (name, change, check) in cases {
        let mut r = row();
        change(&mut r);
        let event = to_event(r).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(check(&event), "{name}: {event:#?}");
    }
}

#[test]
fn malformed_rows_are_rejected_with_a_reason() {
    let cases: Vec<(Change, ExportRowError)> = vec![
        (|r| r.event_name = None, ExportRowError::NoEventName),
        (|r| r.event_name = Some(String::new()), ExportRowError::NoEventName),
        (|r| r.log = Some("vpc-flow".to_owned()), ExportRowError::UnknownLog("vpc-flow".to_owned())),
        (|r| r.outcome = Some("maybe".to_owned()), ExportRowError::UnknownOutcome("maybe".to_owned())),
        (|r| r.outcome = Some("denied".to_owned()), ExportRowError::NoErrorCode("denied")),
        (
            |r| r.resource_accounts.pop().map_or((), drop),
            ExportRowError::Misaligned { name: "resource_accounts", len: 1, expected: 2 },
        ),
        (
            |r| r.resource_prefixes = Some(vec![true]),
            ExportRowError::Misaligned { name: "resource_prefixes", len: 1, expected: 2 },
        ),
        (
            |r| {
                r.access_actions = Some(vec!["s3:GetObject".to_owned()]);
                r.access_resources = Some(vec![]);
            },
            ExportRowError::Misaligned { name: "access_resources", len: 0, expected: 1 },
        ),
        (|r| r.http_status = Some(70_000), ExportRowError::BadStatus(70_000)),
        (|r| r.http_status = Some(-1), ExportRowError::BadStatus(-1)),
    ];
    for (change, expected) in cases {
        let mut r = row();
        change(&mut r);
        assert_eq!(to_event(r), Err(expected.clone()), "{expected}");
    }
}
