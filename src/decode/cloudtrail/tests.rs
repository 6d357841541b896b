//! Record normalization tests on real-shaped records.

use super::*;
use crate::decode::Sink;

/// What a value decoded to, with the event of a record built.
#[derive(Debug)]
enum Got {
    Record(Box<Event>),
    Aggregated,
    Digest,
    PolicyDocument,
}

fn decode(json: &str) -> Result<Got, RecordError> {
    let mut bytes = json.as_bytes().to_vec();
    let len = bytes.len();
    got(&mut RecordParser::default(), &mut bytes, len)
}

/// Decodes `input[..len]`, building the event of a record.
fn got(parser: &mut RecordParser, input: &mut [u8], len: usize) -> Result<Got, RecordError> {
    let mut event = None;
    let decoded = parser.decode_in("unit", input, len, &mut |record| event = Some(Box::new(record.event().clone())))?;
    Ok(match (decoded, event) {
        (Decoded::Record, Some(event)) => Got::Record(event),
        (Decoded::Record, None) => panic!("a record that was not handed over"),
        (Decoded::Digest, _) => Got::Digest,
        (Decoded::PolicyDocument, _) => Got::PolicyDocument,
        (Decoded::Aggregated(_), _) => Got::Aggregated,
    })
}

fn event(json: &str) -> Event {
    match decode(json) {
        Ok(Got::Record(e)) => *e,
        other => panic!("expected a record, got {other:?}"),
    }
}

const ASSUMED_ROLE_GET: &str = r#"{
  "eventVersion": "1.10",
  "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLE:i-0abc",
    "arn": "arn:aws:sts::111122223333:assumed-role/App/i-0abc", "accountId": "111122223333",
    "accessKeyId": "ASIAEXAMPLE",
    "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::111122223333:role/path/App",
      "accountId": "111122223333", "userName": "App"}, "ec2RoleDelivery": "2.0"}},
  "eventTime": "2026-11-21T10:00:00Z", "eventSource": "s3.amazonaws.com", "eventName": "GetObject",
  "awsRegion": "us-east-1", "sourceIPAddress": "10.0.1.7", "userAgent": "aws-sdk",
  "errorCode": "AccessDenied", "errorMessage": "Access Denied",
  "requestParameters": {"bucketName": "app-data", "key": "a/b.txt", "Host": "app-data.s3.us-east-1.amazonaws.com"},
  "resources": [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::app-data/a/b.txt"},
                {"accountId": "", "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::app-data"}],
  "eventID": "0b4f5c2e-1111-2222-3333-444455556666", "readOnly": true, "eventType": "AwsApiCall",
  "managementEvent": false, "recipientAccountId": "111122223333",
  "vpcEndpointId": "vpce-0a1b2c3d4e5f60001", "vpcEndpointAccountId": "111122223333",
  "eventCategory": "Data", "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256"}
}"#;

#[test]
fn normalizes_an_assumed_role_data_event() {
    let e = event(ASSUMED_ROLE_GET);
    assert_eq!(e.principal.arn.as_deref(), Some("arn:aws:iam::111122223333:role/path/App"));
    assert_eq!(e.principal.kind, PrincipalType::AssumedRole);
    assert_eq!(e.principal.session_name.as_deref(), Some("i-0abc"));
    assert_eq!(e.principal.access_key_id.as_deref(), Some("ASIAEXAMPLE"));
    assert!(e.principal.ec2_role_delivery);
    assert_eq!(e.vpce.as_ref().map(|v| v.as_str()), Some("vpce-0a1b2c3d4e5f60001"));
    assert_eq!(e.category, crate::model::EventCategory::Data);
    assert_eq!(e.read_only, Some(true));
    assert!(e.outcome.is_denied());
    assert_eq!(e.resources.len(), 2);
    assert_eq!(e.resources[1].account, None, "an empty owner is unknown, not ours");
    assert_eq!(e.request.bucket.as_deref(), Some("app-data"));
    assert_eq!(e.request.key.as_deref(), Some("a/b.txt"));
    assert_eq!(e.tls.as_ref().and_then(|t| t.version.as_deref()), Some("TLSv1.3"));
    assert_eq!(e.time.map(|t| t.to_rfc3339()).as_deref(), Some("2026-11-21T10:00:00Z"));
}

#[test]
fn identities_become_policy_principals() {
    let cases = [
        (
            r#"{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/R/s","accountId":"1"}"#,
            Some("arn:aws:iam::1:role/R"),
            PrincipalType::AssumedRole,
            Some("1"),
        ),
        (
            r#"{"type":"AssumedRole","arn":"arn:aws:sts::2:assumed-role/R/s",
                "sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::2:role/R","accountId":"2"}}}"#,
            Some("arn:aws:iam::2:role/R"),
            PrincipalType::AssumedRole,
            Some("2"),
        ),
        (
            r#"{"type":"IAMUser","arn":"arn:aws:iam::1:user/u","userName":"u","accountId":""}"#,
            Some("arn:aws:iam::1:user/u"),
            PrincipalType::IAMUser,
            None,
        ),
        (r#"{"type":"Root","arn":"arn:aws:iam::1:root"}"#, Some("arn:aws:iam::1:root"), PrincipalType::Root, None),
        (
            r#"{"type":"AWSService","invokedBy":"delivery.logs.amazonaws.com"}"#,
            Some("delivery.logs.amazonaws.com"),
            PrincipalType::AWSService,
            None,
        ),
        (
            r#"{"type":"AWSAccount","principalId":"AIDA","accountId":"777788889999"}"#,
            None,
            PrincipalType::AWSAccount,
            Some("777788889999"),
        ),
        (
            r#"{"type":"AWSAccount","accountId":"ANONYMOUS_PRINCIPAL"}"#,
            Some("anonymous"),
            PrincipalType::Anonymous,
            None,
        ),
        (r#"{"type":"SomethingNew","arn":"arn:x"}"#, Some("arn:x"), PrincipalType::Unknown, None),
    ];
    for (identity, arn, kind, account) in cases {
        let record = format!(r#"{{"eventName":"X","eventSource":"s3.amazonaws.com","userIdentity":{identity}}}"#);
        let e = event(&record);
        assert_eq!(e.principal.arn.as_deref(), arn, "{identity}");
        assert_eq!(e.principal.kind, kind, "{identity}");
        assert_eq!(e.principal.account.as_ref().map(|v| v.as_str()), account, "{identity}");
    }
}

#[test]
fn aws_internal_is_not_an_endpoint() {
    let e = event(r#"{"eventName":"PutObject","eventSource":"s3.amazonaws.com","vpcEndpointId":"AWS Internal"}"#);
    assert_eq!(e.vpce, None);
    assert!(e.aws_internal_endpoint);
}

#[test]
fn recognises_documents_that_are_not_records() {
    assert!(matches!(decode(r#"{"awsAccountId":"1","digestStartTime":"x","logFiles":[]}"#), Ok(Got::Digest)));
    assert!(matches!(decode(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}"#), Ok(Got::PolicyDocument)));
    assert_eq!(decode(r#"{"hello":"world"}"#).unwrap_err(), RecordError::NotARecord);
    assert_eq!(decode("[1,2]").unwrap_err(), RecordError::NotAnObject);
    assert!(matches!(decode("{\"eventName\": tru").unwrap_err(), RecordError::InvalidJson(_)));
    assert!(matches!(decode("not json").unwrap_err(), RecordError::InvalidJson(_)));
}

#[test]
fn wrong_types_name_the_field() {
    let err = decode(r#"{"eventName":"X","eventSource":"s","userIdentity":{"arn":42}}"#).unwrap_err();
    match err {
        RecordError::WrongType { path, message } => {
            assert_eq!((path.as_str(), message.as_str()), ("userIdentity.arn", "expected a string"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn lenient_fields_tolerate_other_shapes() {
    let e = event(
        r#"{"eventName":"X","eventSource":"ec2.amazonaws.com","readOnly":"true",
            "requestParameters":{"key":{"nested":1},"bucketName":["a"],"prefix":""},
            "sessionContext":null}"#,
    );
    assert_eq!(e.request.key, None);
    assert_eq!(e.request.bucket, None);
    assert_eq!(e.request.prefix.as_deref(), Some(""));
    assert_eq!(e.read_only, Some(true));
    let e = event(r#"{"eventName":"X","eventSource":"s","requestParameters":"weird"}"#);
    assert_eq!(e.request, RequestFacts::default());
}

#[test]
fn falls_back_to_logstash_timestamp() {
    let e = event(r#"{"eventName":"X","eventSource":"s","@timestamp":"2020-09-14T01:19:40.123Z"}"#);
    assert_eq!(e.time.map(|t| t.to_rfc3339()).as_deref(), Some("2020-09-14T01:19:40.123Z"));
    let e = event(r#"{"eventName":"X","eventSource":"s","eventTime":"redacted"}"#);
    assert_eq!(e.time, None);
}

#[test]
fn insight_events_are_records_of_their_own_category() {
    let e = event(
        r#"{"eventVersion":"1.07","eventTime":"2026-11-20T15:40:00Z","awsRegion":"us-east-1","eventID":"x",
            "eventType":"AwsCloudTrailInsight","recipientAccountId":"1","sharedEventID":"y",
            "insightDetails":{"state":"Start","eventSource":"s3.amazonaws.com","eventName":"GetObject"}}"#,
    );
    assert_eq!(e.category, crate::model::EventCategory::Insight);
}

#[test]
fn invalid_json_is_described_in_words() {
    let cases: [(&[u8], &str); 4] = [
        (b"{\"eventName\":\"a\xff\"}", "invalid JSON: invalid UTF-8"),
        (
            b"{\"eventName\":\"a\x00b\"}",
            "invalid JSON: malformed JSON (a stray byte, or a raw control character in a string)",
        ),
        (b"\x00\x00", "invalid JSON: malformed JSON (a stray byte, or a raw control character in a string)"),
        (b"not json", "invalid JSON: malformed JSON (ExpectedNull)"),
    ];
    for (input, expected) in cases {
        let mut bytes = input.to_vec();
        let err = RecordParser::default().decode_event(&mut bytes).unwrap_err();
        assert_eq!(err.to_string(), expected, "{:?}", String::from_utf8_lossy(input));
    }
}

#[test]
fn parsing_in_place_reads_the_padding_but_never_changes_it() {
    // What follows a value in the splitter's buffer is the next record, or anything at all.
    let tails: [&[u8]; 4] = [b"\"", b"\xff\xfe", b"\x00", b"},{\"eventName\":\"x\"}"];
    let record = r#"{"eventName":"GetObject","eventSource":"s3.amazonaws.com","errorMessage":"a \"quoted\" \u00e9 reason","eventID":"e1"}"#;
    let mut parser = RecordParser::default();
    for tail in tails {
        let padding: Vec<u8> = tail.iter().copied().cycle().take(PARSE_PADDING + 7).collect();
        let mut buffer = [record.as_bytes(), &padding].concat();
        let in_place = format!("{:?}", got(&mut parser, &mut buffer, record.len()));
        assert_eq!(&buffer[record.len()..], &padding[..], "padding {tail:?} changed");
        let mut copy = record.as_bytes().to_vec();
        let copied_len = copy.len();
        let copied = got(&mut parser, &mut copy, copied_len);
        assert_eq!(in_place, format!("{copied:?}"), "padding {tail:?}");
        match copied {
            Ok(Got::Record(event)) => {
                assert_eq!(event.event_id.as_deref(), Some("e1"));
            }
            other => panic!("expected a record, got {other:?}"),
        }
    }
    // Errors leave the parser usable: a broken value, then a good one.
    let mut broken = [b"{\"eventName\":\"a\xff\"}".as_slice(), &[b' '; PARSE_PADDING]].concat();
    let broken_len = broken.len() - PARSE_PADDING;
    assert!(got(&mut parser, &mut broken, broken_len).is_err());
    assert!(matches!(got(&mut parser, &mut record.as_bytes().to_vec(), record.len()), Ok(Got::Record(_))));
}

#[test]
fn a_record_event_is_built_once_and_only_when_asked() {
    /// Asks for the event of denied records only, as `denied` does, and twice.
    #[derive(Default)]
    struct AsksForDenials {
        built: Vec<bool>,
    }
    impl Sink for AsksForDenials {
        fn record(&mut self, record: &Record<'_>) {
            assert_eq!(record.unit(), "unit");
            let head = record.head();
            assert!(!record.is_built(), "built before anyone asked");
            if head.is_denied() {
                let first: *const Event = record.event();
                assert!(std::ptr::eq(first, record.event()), "built twice");
                let event = record.event();
                assert_eq!(
                    (event.event_source.as_str(), event.event_name.as_str()),
                    (&*head.event_source, &*head.event_name)
                );
                assert_eq!(event.outcome.kind(), head.outcome);
                assert_eq!(event.vpce.as_ref().map(|v| v.as_str()), head.vpce.as_ref().map(|v| v.as_str()));
            }
            self.built.push(record.is_built());
        }
        fn bad_record(&mut self, _unit: &str, _position: u64, _location: &str, reason: &str) {
            panic!("{reason}");
        }
        fn unit_done(&mut self, _outcome: crate::decode::UnitOutcome) {}
    }
    let cases = [
        (ASSUMED_ROLE_GET, true),
        (r#"{"eventName":"GetObject","eventSource":"s3.amazonaws.com","eventID":"ok"}"#, false),
        (r#"{"eventName":"GetObject","eventSource":"s3.amazonaws.com","errorCode":"NoSuchKey"}"#, false),
    ];
    let mut parser = RecordParser::default();
    let mut sink = AsksForDenials::default();
    for (json, _) in cases {
        let mut bytes = json.as_bytes().to_vec();
        let decoded = parser.decode_in("unit", &mut bytes, json.len(), &mut |record| sink.record(record));
        assert!(matches!(decoded, Ok(Decoded::Record)), "{json}: {decoded:?}");
    }
    assert_eq!(sink.built, cases.map(|(_, built)| built));
    // Digests and policies are recognised as such.
    let mut digest = br#"{"digestStartTime":"x","logFiles":[]}"#.to_vec();
    let len = digest.len();
    assert!(matches!(parser.decode_in("unit", &mut digest, len, &mut |_| panic!("not a record")), Ok(Decoded::Digest)));
}
