use super::*;

/// A change to the base row.
type Change = fn(&mut OcsfRow);
use crate::decode::cloudtrail::RecordParser;
use crate::model::{Event, Outcome, PrincipalType};

/// An S3 data event through an endpoint, denied by its policy, as Security Lake 1.1 would write it.
fn row() -> OcsfRow {
    OcsfRow {
        class_uid: Some(6003),
        version: Some("1.1.0".to_owned()),
        time_ms: Some(1_795_000_000_000),
        uid: Some("e-1".to_owned()),
        event_code: Some("AwsApiCall".to_owned()),
        feature: Some("Data".to_owned()),
        region: Some("us-east-1".to_owned()),
        operation: Some("GetObject".to_owned()),
        service: Some("s3.amazonaws.com".to_owned()),
        error: Some("AccessDenied".to_owned()),
        message: Some(
            "User: arn:aws:sts::111122223333:assumed-role/app/i-1 is not authorized to perform: s3:GetObject on \
             resource: \"arn:aws:s3:::b/k\" because no VPC endpoint policy allows the s3:GetObject action"
                .to_owned(),
        ),
        request_data: Some(r#"{"bucketName":"b","key":"k"}"#.to_owned()),
        user_type: Some("AssumedRole".to_owned()),
        user_uid: Some("arn:aws:sts::111122223333:assumed-role/app/i-1".to_owned()),
        user_uid_alt: Some("AROAEXAMPLE:i-1".to_owned()),
        user_account: Some("111122223333".to_owned()),
        credential_uid: Some("ASIAEXAMPLE".to_owned()),
        session_issuer: Some("arn:aws:iam::111122223333:role/app".to_owned()),
        src_uid: Some("vpce-0a1b2c3d4e5f60001".to_owned()),
        src_ip: Some("10.0.1.7".to_owned()),
        user_agent: Some("aws-cli/2".to_owned()),
        unmapped: vec![
            ("recipientAccountId".to_owned(), "111122223333".to_owned()),
            ("vpcEndpointAccountId".to_owned(), "111122223333".to_owned()),
            ("readOnly".to_owned(), "true".to_owned()),
        ],
        ..OcsfRow::default()
    }
}

fn event(row: OcsfRow) -> Event {
    let mut json = to_cloudtrail(row).unwrap();
    RecordParser::default().decode_event(&mut json).unwrap().unwrap()
}

#[test]
fn rows_map_to_the_cloudtrail_record_they_stand_for() {
    type Check = fn(&Event) -> bool;
    let cases: Vec<(&str, Change, Check)> = vec![
        ("names", |_| {}, |e| e.event_name == "GetObject" && e.event_source == "s3.amazonaws.com"),
        (
            "endpoint from src_endpoint.uid",
            |_| {},
            |e| e.vpce.as_ref().map(|v| v.as_str()) == Some("vpce-0a1b2c3d4e5f60001"),
        ),
        (
            "endpoint account from unmapped",
            |_| {},
            |e| e.vpce_account.as_ref().map(|v| v.as_str()) == Some("111122223333"),
        ),
        ("endpoint account lost without unmapped", |r| r.unmapped.clear(), |e| e.vpce_account.is_none()),
        (
            "denial wording kept",
            |_| {},
            |e| matches!(&e.outcome, Outcome::Denied { code, message: Some(m) } if code == "AccessDenied" && m.contains("VPC endpoint policy")),
        ),
        (
            "principal is the role",
            |_| {},
            |e| {
                e.principal.arn.as_deref() == Some("arn:aws:iam::111122223333:role/app")
                    && e.principal.kind == PrincipalType::AssumedRole
            },
        ),
        (
            "request parameters from api.request.data",
            |_| {},
            |e| e.request.bucket.as_deref() == Some("b") && e.request.key.as_deref() == Some("k"),
        ),
        (
            "request parameters from unmapped (rc.2)",
            |r| {
                r.request_data = None;
                r.unmapped.push(("requestParameters.bucketName".to_owned(), "b2".to_owned()));
                r.unmapped.push(("requestParameters.key".to_owned(), "k2".to_owned()));
            },
            |e| e.request.bucket.as_deref() == Some("b2") && e.request.key.as_deref() == Some("k2"),
        ),
        ("accesses from the action map", |_| {}, |e| e.actions().collect::<Vec<_>>() == ["s3:GetObject"]),
        ("category from the feature name", |_| {}, |e| e.category.as_str() == "Data"),
        (
            "a trail-wide feature name is no category",
            |r| {
                r.feature = Some("Management, Data, and Insights".to_owned());
            },
            |e| e.category.as_str() == "Unknown",
        ),
        (
            "managementEvent in unmapped",
            |r| {
                r.feature = None;
                r.unmapped.push(("managementEvent".to_owned(), "true".to_owned()));
            },
            |e| e.category.as_str() == "Management",
        ),
        ("readOnly as a boolean", |_| {}, |e| e.read_only == Some(true)),
        (
            "service name as source address",
            |r| {
                r.src_ip = None;
                r.src_domain = Some("securitylake.amazonaws.com".to_owned());
            },
            |e| e.source_ip.as_deref() == Some("securitylake.amazonaws.com"),
        ),
        (
            "rc.2 API Activity",
            |r| {
                r.class_uid = Some(3005);
                r.version = Some("1.0.0-rc.2".to_owned());
            },
            |e| e.event_name == "GetObject",
        ),
        (
            "mapped columns win over unmapped",
            |r| {
                r.unmapped.push(("eventName".to_owned(), "Forged".to_owned()));
            },
            |e| e.event_name == "GetObject",
        ),
        (
            "a deep unmapped key stays bounded",
            |r| {
                r.unmapped.push(("a.b.c.d.e.f.g".to_owned(), "x".to_owned()));
            },
            |e| e.event_name == "GetObject",
        ),
        (
            "resources",
            |r| {
                r.resources = vec![OcsfResource {
                    uid: Some("arn:aws:s3:::b".to_owned()),
                    kind: Some("AWS::S3::Bucket".to_owned()),
                    account_uid: Some("444455556666".to_owned()),
                }];
            },
            |e| e.resources.len() == 1 && e.resources[0].account.as_ref().map(|v| v.as_str()) == Some("444455556666"),
        ),
    ];
    for (name, change, check) in cases {
        let mut r = row();
        change(&mut r);
        let event = event(r);
        assert!(check(&event), "{name}: {event:#?}");
    }
}

#[test]
fn rows_that_are_not_api_activity_or_lack_essentials_are_rejected() {
    let cases: Vec<(Change, OcsfError)> = vec![
        (|r| r.class_uid = None, OcsfError::NoClass),
        (|r| r.class_uid = Some(3002), OcsfError::Unsupported(3002, "Authentication")),
        (|r| r.class_uid = Some(3001), OcsfError::Unsupported(3001, "Account Change")),
        // 3005 is API Activity only in the 1.0.0 release candidates.
        (|r| r.class_uid = Some(3005), OcsfError::Unsupported(3005, "API Activity of another OCSF version")),
        (|r| r.time_ms = None, OcsfError::NoTime),
        (|r| r.time_ms = Some(i64::MAX), OcsfError::BadTime(i64::MAX)),
        (|r| r.operation = None, OcsfError::NoOperation),
        (|r| r.operation = Some(String::new()), OcsfError::NoOperation),
    ];
    for (change, expected) in cases {
        let mut r = row();
        change(&mut r);
        assert_eq!(to_cloudtrail(r), Err(expected.clone()), "{expected}");
    }
}

#[test]
fn unmapped_keys_cost_their_length() {
    // A hostile key of many dots: at most MAX_UNMAPPED_DEPTH levels of objects, the rest kept whole.
    let mut r = row();
    r.unmapped = vec![("x.".repeat(10_000), "v".to_owned())];
    let json: serde_json::Value = serde_json::from_slice(&to_cloudtrail(r).unwrap()).unwrap();
    let mut depth = 0;
    let mut at = &json["x"];
    while let serde_json::Value::Object(map) = at {
        depth += 1;
        at = map.values().next().unwrap();
    }
    assert_eq!(depth, MAX_UNMAPPED_DEPTH - 1);
}
