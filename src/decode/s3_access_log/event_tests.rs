//! `to_event` tests (principals, outcomes, versions, endpoint and region hints, lifecycle) and the real dandi
//! log through both `parse_line` and `to_event`.

use super::event::{principal, region_from_host, vpce_from_host};
use super::*;
use crate::model::{Event, LogKind, Outcome, PrincipalType};
use std::collections::BTreeMap;

const OWNER: &str = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";

fn event_of(requester: &str, op: &str, key: &str, uri: &str, status: &str, error: &str, host: &str) -> Event {
    let text = format!(
        "{OWNER} b1 [06/Feb/2019:00:00:38 +0000] 10.0.1.5 {requester} REQ1 {op} {key} {uri} {status} {error} \
         1 1 1 1 \"-\" \"aws-sdk\" vid hostid SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader {host} TLSv1.3 - -"
    );
    to_event(&parse_line(&text).unwrap_or_else(|e| panic!("{e}: {text}")))
}

#[test]
fn principals_from_the_requester_column() {
    let cases = [
        ("-", PrincipalType::Anonymous, Some("anonymous"), None, None),
        (
            "arn:aws:sts::111122223333:assumed-role/App/i-0abc",
            PrincipalType::AssumedRole,
            Some("arn:aws:iam::111122223333:role/App"),
            Some("111122223333"),
            Some("i-0abc"),
        ),
        (
            "arn:aws:iam::111122223333:user/ops/alice",
            PrincipalType::IAMUser,
            Some("arn:aws:iam::111122223333:user/ops/alice"),
            Some("111122223333"),
            None,
        ),
        (
            "arn:aws:iam::111122223333:root",
            PrincipalType::Root,
            Some("arn:aws:iam::111122223333:root"),
            Some("111122223333"),
            None,
        ),
        ("svc:logging.s3.amazonaws.com", PrincipalType::AWSService, Some("logging.s3.amazonaws.com"), None, None),
        (OWNER, PrincipalType::Unknown, None, None, None),
    ];
    for (requester, kind, arn, account, session) in cases {
        let p = principal((requester != "-").then_some(requester));
        assert_eq!(
            (p.kind, p.arn.as_deref(), p.account.as_ref().map(|v| v.as_str()), p.session_name.as_deref()),
            (kind, arn, account, session),
            "{requester}"
        );
    }
    assert_eq!(principal(Some(OWNER)).principal_id.as_deref(), Some(OWNER));
    assert_eq!(principal(Some("arn:aws:iam::1:user/ops/alice")).user_name.as_deref(), Some("alice"));
    let assumed = principal(Some("arn:aws:sts::1:assumed-role/App/s"));
    assert_eq!(assumed.identity_arn.as_deref(), Some("arn:aws:sts::1:assumed-role/App/s"));
}

#[test]
fn outcomes_event_names_and_accesses() {
    let host = "b1.s3.us-east-2.amazonaws.com";
    let get = "\"GET /b1/k HTTP/1.1\"";
    type Row<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, &'a str, &'a str, Option<&'a str>);
    #[rustfmt::skip]
    let cases: &[Row] = &[
        // op, key, uri, status, error → outcome, event name, first action
        ("REST.GET.OBJECT", "k", get, "200", "-", "success", "GetObject", Some("s3:GetObject")),
        ("REST.GET.OBJECT", "k", get, "403", "AccessDenied", "denied", "GetObject", Some("s3:GetObject")),
        ("REST.GET.OBJECT", "k", get, "404", "NoSuchKey", "error", "GetObject", Some("s3:GetObject")),
        ("REST.GET.OBJECT", "k", get, "403", "SignatureDoesNotMatch", "error", "GetObject", Some("s3:GetObject")),
        ("REST.GET.OBJECT", "k", get, "500", "-", "error", "GetObject", Some("s3:GetObject")),
        ("REST.GET.OBJECT", "k", "\"GET /b1/k?versionId=v%2B1 HTTP/1.1\"", "200", "-", "success", "GetObject", Some("s3:GetObjectVersion")),
        ("REST.GET.BUCKET", "-", "\"GET /?list-type=2&prefix=a%2F HTTP/1.1\"", "200", "-", "success", "ListObjectsV2", Some("s3:ListBucket")),
        ("BATCH.DELETE.OBJECT", "k", "-", "204", "-", "success", "DeleteObjects", Some("s3:DeleteObject")),
        ("S3.EXPIRE.OBJECT", "k", "\"-\"", "200", "-", "success", "S3LifecycleExpiration", None),
        ("SOAP.GetObject", "k", "-", "200", "-", "success", "SOAP.GetObject", None),
    ];
    for (op, key, uri, status, error, outcome, name, action) in cases {
        let e = event_of("arn:aws:iam::1:user/u", op, key, uri, status, error, host);
        assert_eq!(e.outcome.name(), *outcome, "{op} {status} {error}");
        assert_eq!(e.event_name, *name, "{op}");
        assert_eq!(e.accesses.first().map(|a| a.action.as_str()), *action, "{op} {uri}");
    }
    let e = event_of("-", "REST.GET.OBJECT", "k", get, "403", "AccessDenied", host);
    assert_eq!(e.outcome, Outcome::Denied { code: "AccessDenied".into(), message: None });
    let e = event_of("-", "REST.GET.OBJECT", "k", "\"GET /b1/k?versionId=v%2B1 HTTP/1.1\"", "200", "-", host);
    assert_eq!(e.request.version_id.as_deref(), Some("v+1"));
    assert_eq!(e.accesses[0].resource.as_deref(), Some("arn:aws:s3:::b1/k"));
    // The version id column alone (version served) does not make it a GetObjectVersion.
    let e = event_of("-", "REST.GET.OBJECT", "k", get, "200", "-", host);
    assert_eq!((e.request.version_id.as_deref(), e.accesses[0].action.as_str()), (None, "s3:GetObject"));
    let e = event_of("-", "REST.GET.BUCKET", "-", "\"GET /?list-type=2&prefix=a%2F HTTP/1.1\"", "200", "-", host);
    assert_eq!((e.request.list_type.as_deref(), e.request.prefix.as_deref()), (Some("2"), Some("a/")));
    assert_eq!(e.accesses[0].resource.as_deref(), Some("arn:aws:s3:::b1"));
}

#[test]
fn fields_of_an_event() {
    let host = "b1.vpce-0a1b2c3d4e5f67890-abcd1234.s3.eu-west-1.vpce.amazonaws.com";
    let e = event_of(
        "arn:aws:sts::1:assumed-role/R/s",
        "REST.PUT.OBJECT",
        "dir/a%20b",
        "\"PUT /dir/a%20b HTTP/1.1\"",
        "200",
        "-",
        host,
    );
    assert_eq!(e.kind, LogKind::S3AccessLog);
    assert_eq!(e.event_source, "s3.amazonaws.com");
    assert_eq!(e.category, crate::model::EventCategory::Data);
    assert_eq!(e.vpce.as_ref().map(|v| v.as_str()), Some("vpce-0a1b2c3d4e5f67890"));
    assert_eq!(e.region.as_deref(), Some("eu-west-1"));
    assert_eq!(e.request.key.as_deref(), Some("dir/a b"));
    assert_eq!(e.request.host.as_deref(), Some(host));
    assert_eq!(e.source_ip.as_deref(), Some("10.0.1.5"));
    assert_eq!(e.user_agent.as_deref(), Some("aws-sdk"));
    assert_eq!(e.event_id.as_deref(), Some("REQ1"));
    assert_eq!(e.http_status, Some(200));
    assert_eq!(e.read_only, Some(false));
    assert_eq!(e.time.map(|t| t.to_rfc3339()).as_deref(), Some("2019-02-06T00:00:38Z"));
    let tls = e.tls.as_ref().expect("tls");
    assert_eq!((tls.version.as_deref(), tls.cipher.as_deref()), (Some("TLSv1.3"), Some("ECDHE-RSA-AES128-GCM-SHA256")));
    let arns: Vec<&str> = e.resources.iter().map(|r| r.arn.as_str()).collect();
    assert_eq!(arns, ["arn:aws:s3:::b1", "arn:aws:s3:::b1/dir/a b"]);
    assert!(e.resources.iter().all(|r| r.account.is_none()));
    assert_eq!(e.accesses.len(), 1);
    assert_eq!(e.accesses[0].resource.as_deref(), Some("arn:aws:s3:::b1/dir/a b"));
    let batch = event_of("-", "BATCH.DELETE.OBJECT", "k", "-", "204", "-", "b1.s3.amazonaws.com");
    assert_eq!(batch.event_id.as_deref(), Some("REQ1"));
    assert_eq!((batch.vpce, batch.region), (None, None));
}

#[test]
fn host_header_hints() {
    let regions = [
        ("b.s3.us-east-2.amazonaws.com", Some("us-east-2")),
        ("b.s3-us-west-2.amazonaws.com", Some("us-west-2")),
        ("b.s3.dualstack.eu-west-1.amazonaws.com", Some("eu-west-1")),
        ("b.s3-website-us-east-1.amazonaws.com", Some("us-east-1")),
        ("b.s3.us-gov-west-1.amazonaws.com", Some("us-gov-west-1")),
        ("b.s3.cn-north-1.amazonaws.com.cn", Some("cn-north-1")),
        ("us-east-1.s3.amazonaws.com", None),
        ("b.s3.amazonaws.com", None),
        ("us-east-1.example.com", None),
    ];
    for (host, region) in regions {
        assert_eq!(region_from_host(host).as_deref(), region, "{host}");
    }
    let endpoints = [
        ("bucket.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com", Some("vpce-1a2b3c4d")),
        ("vpce-0123456789abcdef0-x.s3.us-east-1.vpce.amazonaws.com", Some("vpce-0123456789abcdef0")),
        ("bucket.s3.us-east-1.amazonaws.com", None),
        ("vpce-1a2b.example.com", None),
    ];
    for (host, id) in endpoints {
        assert_eq!(vpce_from_host(host).as_ref().map(|v| v.as_str()), id, "{host}");
    }
}

#[test]
fn every_dandi_line_becomes_an_event() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/real/s3-access/dandi.log");
    let Ok(bytes) = std::fs::read(path) else {
        eprintln!("NOTICE: {path} is absent; skipping the real S3 access log event test");
        return;
    };
    let text = String::from_utf8_lossy(&bytes);
    let events: Vec<Event> = text.lines().filter_map(|l| parse_line(l).ok()).map(|l| to_event(&l)).collect();
    assert_eq!(events.len(), 58);
    let count = |f: &dyn Fn(&Event) -> bool| events.iter().filter(|e| f(e)).count();
    assert_eq!(count(&|e| e.event_name == "GetObject"), 58);
    assert_eq!(count(&|e| e.outcome.name() == "error"), 3);
    assert_eq!(count(&|e| e.principal.kind == PrincipalType::Anonymous), 49);
    assert_eq!(count(&|e| e.principal.kind == PrincipalType::IAMUser), 9);
    // Requests that named a versionId need s3:GetObjectVersion.
    let versioned = count(&|e| e.accesses[0].action == "s3:GetObjectVersion");
    assert_eq!(versioned, count(&|e| e.request.version_id.is_some()));
    assert!(versioned > 0);
    assert_eq!(count(&|e| e.region.as_deref() == Some("us-east-2")), 4);
}

/// Every line of the real dandi log (hostile quoting, CRLF, doubled spaces, 25–26 fields) parses.
#[test]
fn parses_every_line_of_the_real_dandi_log() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/real/s3-access/dandi.log");
    let Ok(bytes) = std::fs::read(path) else {
        eprintln!("NOTICE: {path} is absent; skipping the real S3 access log test");
        return;
    };
    let text = String::from_utf8_lossy(&bytes);
    let mut statuses = BTreeMap::new();
    let mut parsed = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let l = parse_line(raw).unwrap_or_else(|e| panic!("line {}: {e}: {raw}", n + 1));
        assert!(looks_like_access_log(raw.as_bytes()), "line {}", n + 1);
        assert_eq!(l.bucket, "dandiarchive", "line {}", n + 1);
        assert_eq!(l.operation, "REST.GET.OBJECT", "line {}", n + 1);
        assert!(l.request_uri.is_some_and(|u| u.starts_with("GET /") && u.ends_with(" HTTP/1.1")), "line {}", n + 1);
        assert!(l.host_header.is_some_and(|h| h.starts_with("dandiarchive.s3.")), "line {}", n + 1);
        assert!(l.tls_version.is_some_and(|t| t.starts_with("TLSv1.")), "line {}", n + 1);
        assert!((25..=26).contains(&l.field_count), "line {}: {} fields", n + 1, l.field_count);
        *statuses.entry(l.http_status.unwrap_or(0)).or_insert(0) += 1;
        parsed.push(l);
    }
    assert_eq!(parsed.len(), 58);
    assert_eq!(statuses, BTreeMap::from([(200, 36), (206, 13), (304, 6), (404, 3)]));
    // Line 4: the user agent starts with a stray quote.
    assert!(parsed[3].user_agent.is_some_and(|u| u.starts_with("\"Mozilla/5.0") && u.ends_with("Safari/537.36")));
    // Line 5: a PHP injection attempt with quotes in the URI and the referer.
    let probe = &parsed[4];
    assert_eq!(probe.error_code, Some("NoSuchKey"));
    assert!(probe.request_uri.is_some_and(|u| u.contains("\"xinba\";") && u.ends_with("?> HTTP/1.1")));
    assert!(probe.referer.is_some_and(|r| r.starts_with("https://dandiarchive") && r.ends_with("$ch[4]);?>")));
    assert_eq!(
        probe.user_agent,
        Some("Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)")
    );
    // Line 7: quoted filename inside a presigned URL.
    assert!(parsed[6].request_uri.is_some_and(|u| u.contains("filename=\"dataset_description.json\"&X-Amz")));
    assert_eq!(parsed[6].authentication_type, Some("QueryString"));
    // Line 10: doubled space before the requester.
    assert_eq!(parsed[9].requester, Some("arn:aws:iam::123:user/dandi-api-heroku"));
    assert_eq!(parsed[9].host_header, Some("dandiarchive.s3.us-east-2.amazonaws.com"));
}
