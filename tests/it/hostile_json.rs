//! Hostile CloudTrail JSON through the real binary: whitespace runs, nesting bombs, a 100 MB record, invalid
//! UTF-8 and NUL bytes, duplicates, records missing every optional field and wrong types in every field the
//! decoder reads. Each case checks: no panic, the place of every rejection (record ordinal and byte), and the
//! exact books. Inputs are generated in a temporary folder.

use crate::common;

use std::ffi::OsString;
use std::io::Write;

use common::{Books, record, samples, scan_books, wrapper};
use serde_json::{Value, json};

#[test]
fn records_behind_a_long_run_of_whitespace_are_read_not_taken_for_an_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Longer than the 512 bytes the decoder sniffs: the records after the run must not be lost.
    std::fs::write(d.join("a.json"), format!("{}{}", " \n".repeat(2000), wrapper(&[record(0), record(1)]))).unwrap();
    std::fs::write(d.join("b.ndjson"), format!("{}{}\n{{\"eventName\":", "\t".repeat(5000), record(2))).unwrap();
    std::fs::write(d.join("blank.json"), " \r\n".repeat(10_000)).unwrap();
    let input = scan_books(&[d], &[]);
    assert_eq!(
        Books::of(&input),
        Books { files: 3, records: 3, bad_files: 1, empty_files: 1, ..Books::default() },
        "{input}"
    );
    // The damage in b.ndjson is placed after the whitespace: offsets count the bytes skipped.
    let (path, error, recovered) = common::only_bad_file(&input);
    assert!(path.ends_with("b.ndjson"), "{path}");
    let end = 5000 + record(2).len() + 1 + "{\"eventName\":".len();
    assert_eq!(error, format!("input ends inside a JSON value at byte {end} (truncated file)"));
    assert_eq!(recovered, Some(1));
}

#[test]
fn nesting_deeper_than_the_limit_is_rejected_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let deep = |levels: usize| format!("{}1{}", "{\"a\":".repeat(levels), "}".repeat(levels));
    let arrays = |levels: usize| format!("{}{}", "[".repeat(levels), "]".repeat(levels));
    let pieces = [record(0), deep(200), record(1), arrays(100_000), record(2), deep(1_000_000)];
    let text = wrapper(&pieces);
    let path = dir.path().join("deep.json");
    std::fs::write(&path, &text).unwrap();
    let input = scan_books(&[&path], &[]);
    assert_eq!(Books::of(&input), Books { files: 1, records: 3, bad_records: 3, ..Books::default() });
    let name = path.display().to_string();
    let offset = |i: usize| text.find(pieces[i].as_str()).unwrap();
    let expected: Vec<(String, String, String)> = [2, 4, 6]
        .iter()
        .map(|&n| {
            let location = format!("record #{n} at byte {}", offset(n - 1));
            (name.clone(), location, "nesting deeper than 128 levels".to_owned())
        })
        .collect();
    assert_eq!(samples(&input), expected);
}

#[test]
fn nesting_just_inside_the_limit_decodes() {
    // 120 levels inside a record's requestParameters (a multi-item field kept whole) parse without trouble.
    let dir = tempfile::tempdir().unwrap();
    let mut value: Value = serde_json::from_str(&record(0)).unwrap();
    let mut nested = json!(1);
    for _ in 0..120 {
        nested = json!({ "x": nested });
    }
    value["requestParameters"]["requestItems"] = nested;
    let path = dir.path().join("nested.json");
    std::fs::write(&path, wrapper(&[value.to_string()])).unwrap();
    let input = scan_books(&[&path], &[]);
    assert_eq!(Books::of(&input), Books { files: 1, records: 1, ..Books::default() }, "{input}");
}

/// Writes a `{"Records":[…]}` file whose second record holds a user agent of `size` bytes, streaming.
fn write_huge_record_file(path: &std::path::Path, size: usize) -> u64 {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let head = format!(
        "{{\"Records\":[{},{{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\",\"userAgent\":\"",
        record(0)
    );
    out.write_all(head.as_bytes()).unwrap();
    let chunk = vec![b'A'; 1 << 20];
    for _ in 0..size / chunk.len() {
        out.write_all(&chunk).unwrap();
    }
    write!(out, "\"}},{}]}}", record(1)).unwrap();
    out.flush().unwrap();
    (format!("{{\"Records\":[{},", record(0)).len()) as u64
}

#[test]
fn a_100_mb_record_is_rejected_by_the_default_cap_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.json");
    let size = 100 << 20;
    let offset = write_huge_record_file(&path, size);
    let args: Vec<OsString> = vec!["scan".into(), path.clone().into(), "--format".into(), "json".into(), "-q".into()];
    let (rss, run) = common::peak_rss_kib(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let input = run.input();
    assert_eq!(Books::of(&input), Books { files: 1, records: 2, bad_records: 1, ..Books::default() });
    let record_size =
        "{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\",\"userAgent\":\"\"}".len() + size;
    assert_eq!(
        samples(&input),
        vec![(
            path.display().to_string(),
            format!("record #2 at byte {offset}"),
            format!("record of {record_size} bytes exceeds --max-record-bytes 33554432")
        )]
    );
    if let Some(kib) = rss {
        eprintln!("peak RSS for a 100 MB record: {kib} KiB");
        // The record's bytes are dropped as they stream past, not buffered.
        assert!(kib < 80 * 1024, "peak RSS {kib} KiB");
    }
}

#[test]
fn invalid_utf8_and_nul_bytes_cost_only_their_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bytes.ndjson");
    let agent_with = |bytes: &[u8]| {
        let mut line =
            br#"{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"x","userAgent":"a"#.to_vec();
        line.extend_from_slice(bytes);
        line.extend_from_slice(b"b\"}");
        line
    };
    let lines: Vec<Vec<u8>> = vec![
        record(0).into_bytes(),
        agent_with(b"\xff\xfe"), // invalid UTF-8 in a value
        b"{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"x\",\"k\xc3\x28y\":1}".to_vec(), // … in a key
        agent_with(b"\x00"),     // raw NUL in a string
        b"\x00\x00\x00".to_vec(), // NULs between records
        agent_with(b"\\u0000"),  // escaped NUL: valid JSON
        record(1).into_bytes(),
    ];
    let mut data = Vec::new();
    let mut offsets = Vec::new();
    for line in &lines {
        offsets.push(data.len());
        data.extend_from_slice(line);
        data.push(b'\n');
    }
    std::fs::write(&path, &data).unwrap();
    let input = scan_books(&[&path], &[]);
    assert_eq!(Books::of(&input), Books { files: 1, records: 3, bad_records: 4, ..Books::default() }, "{input}");
    let got = samples(&input);
    let name = path.display().to_string();
    for (sample, n) in got.iter().zip([2usize, 3, 4, 5]) {
        assert_eq!(sample.0, name);
        assert_eq!(sample.1, format!("record #{n} at byte {}", offsets[n - 1]));
        assert!(sample.2.starts_with("invalid JSON"), "{sample:?}");
    }
    assert_eq!(got.len(), 4);
    assert!(got[0].2.contains("UTF-8") && got[1].2.contains("UTF-8"), "{got:?}");
}

#[test]
fn duplicates_within_a_file_and_across_files_count_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("a.json"), wrapper(&[record(0), record(1), record(0), record(0), record(2)])).unwrap();
    std::fs::write(d.join("b.json"), wrapper(&(1..6).map(record).collect::<Vec<_>>())).unwrap();
    // The same file given twice on the command line: every record of the second reading is a duplicate.
    let input = scan_books(&[d.to_path_buf(), d.join("a.json")], &[]);
    assert_eq!(
        Books::of(&input),
        Books { files: 3, records: 6, duplicate_records: 2 + 2 + 5, ..Books::default() },
        "{input}"
    );
    assert_eq!(Books::accounted(&input), 5 + 5 + 5);
}

#[test]
fn records_missing_every_optional_field_decode_and_every_command_copes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bare.ndjson");
    let lines = [
        r#"{"eventName":"GetObject","eventSource":"s3.amazonaws.com"}"#,
        r#"{"eventSource":"dynamodb.amazonaws.com"}"#,
        r#"{"eventName":"Decrypt"}"#,
        r#"{"eventName":"GetObject","eventSource":"s3.amazonaws.com","userIdentity":{},"requestParameters":{},"resources":[{}],"tlsDetails":{}}"#,
        r#"{"eventName":"","eventSource":"","eventID":"","vpcEndpointId":"","eventTime":"not a time"}"#,
        r#"{"eventCategory":"Insight"}"#,
        r#"{}"#,
    ];
    std::fs::write(&path, lines.join("\n")).unwrap();
    let input = scan_books(&[&path], &[]);
    assert_eq!(Books::of(&input), Books { files: 1, records: 5, bad_records: 1, ..Books::default() }, "{input}");
    assert_eq!(input["insight_records"], 1);
    assert_eq!(
        samples(&input),
        vec![(
            path.display().to_string(),
            format!("record #7 at byte {}", lines[..6].iter().map(|l| l.len() + 1).sum::<usize>()),
            "not a CloudTrail record: no eventName/eventSource".to_owned()
        )]
    );
    let p = path.display().to_string();
    let commands: [&[&str]; 4] =
        [&["scan"], &["denied", "--all-causes"], &["outside"], &["timeline", "--vpce", "vpce-1"]];
    for command in commands {
        for format in ["table", "json"] {
            let mut args: Vec<&str> = command.to_vec();
            args.extend([p.as_str(), "--format", format, "-q"]);
            let run = common::run(&args);
            assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        }
    }
}

/// How the decoder treats a field: which JSON shapes it takes as the field's value.
#[derive(Clone, Copy, Debug)]
enum Shape {
    /// `Option<string>`: a string or null; anything else rejects the record.
    Str,
    /// Read leniently: any shape is accepted (the wrong ones count as absent).
    Lenient,
    /// An object or null.
    Object,
    /// An array (of objects) or null.
    Array,
    /// An element of an array of objects: an object only.
    Element,
}

/// Every field `src/decode/cloudtrail_raw.rs` reads, as a JSON path into a full record, and its shape. The
/// markers that only tell documents apart (digestStartTime, logFiles, Statement, Records) are left out.
const FIELDS: &[(&str, Shape)] = &[
    ("eventTime", Shape::Str),
    ("@timestamp", Shape::Str),
    ("eventSource", Shape::Str),
    ("eventName", Shape::Str),
    ("awsRegion", Shape::Str),
    ("sourceIPAddress", Shape::Str),
    ("userAgent", Shape::Str),
    ("errorCode", Shape::Str),
    ("errorMessage", Shape::Str),
    ("requestParameters", Shape::Lenient),
    ("resources", Shape::Array),
    ("eventID", Shape::Str),
    ("eventType", Shape::Str),
    ("eventCategory", Shape::Str),
    ("recipientAccountId", Shape::Str),
    ("readOnly", Shape::Lenient),
    ("managementEvent", Shape::Lenient),
    ("tlsDetails", Shape::Object),
    ("vpcEndpointId", Shape::Str),
    ("vpcEndpointAccountId", Shape::Str),
    ("userIdentity", Shape::Object),
    ("userIdentity.type", Shape::Str),
    ("userIdentity.principalId", Shape::Str),
    ("userIdentity.arn", Shape::Str),
    ("userIdentity.accountId", Shape::Str),
    ("userIdentity.accessKeyId", Shape::Str),
    ("userIdentity.userName", Shape::Str),
    ("userIdentity.invokedBy", Shape::Str),
    ("userIdentity.sessionContext", Shape::Object),
    ("userIdentity.sessionContext.sessionIssuer", Shape::Object),
    ("userIdentity.sessionContext.ec2RoleDelivery", Shape::Lenient),
    ("userIdentity.sessionContext.sessionIssuer.arn", Shape::Str),
    ("userIdentity.sessionContext.sessionIssuer.accountId", Shape::Str),
    ("resources[0]", Shape::Element),
    ("resources[0].ARN", Shape::Str),
    ("resources[0].ARNPrefix", Shape::Str),
    ("resources[0].accountId", Shape::Str),
    ("resources[0].type", Shape::Str),
    ("tlsDetails.tlsVersion", Shape::Str),
    ("tlsDetails.cipherSuite", Shape::Str),
    ("tlsDetails.clientProvidedHostHeader", Shape::Str),
    ("requestParameters.bucketName", Shape::Lenient),
    ("requestParameters.key", Shape::Lenient),
    ("requestParameters.versionId", Shape::Lenient),
    ("requestParameters.list-type", Shape::Lenient),
    ("requestParameters.prefix", Shape::Lenient),
    ("requestParameters.x-amz-copy-source", Shape::Lenient),
    ("requestParameters.tableName", Shape::Lenient),
    ("requestParameters.indexName", Shape::Lenient),
    ("requestParameters.Host", Shape::Lenient),
    ("requestParameters.statement", Shape::Lenient),
    ("requestParameters.requestItems", Shape::Lenient),
    ("requestParameters.transactItems", Shape::Lenient),
    ("requestParameters.transactStatements", Shape::Lenient),
    ("requestParameters.statements", Shape::Lenient),
    ("requestParameters.delete", Shape::Lenient),
    // Aggregated events (the rest of their shape is read in src/decode/aggregated.rs).
    ("eventId", Shape::Str),
    ("accountId", Shape::Str),
    ("timeWindow", Shape::Object),
    ("summary", Shape::Object),
];

/// A record with every field of [`FIELDS`] present and of the right shape.
fn full_record() -> Value {
    json!({
        "eventVersion": "1.10", "eventTime": "2026-11-21T10:00:00Z", "@timestamp": "2026-11-21T10:00:00Z",
        "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1",
        "sourceIPAddress": "10.0.0.1", "userAgent": "aws-cli", "errorCode": "AccessDenied",
        "errorMessage": "denied by a VPC endpoint policy",
        "requestParameters": {
            "bucketName": "b", "key": "k", "versionId": "v", "list-type": "2", "prefix": "p",
            "x-amz-copy-source": "b/k", "tableName": "t", "indexName": "i", "Host": "b.s3.amazonaws.com",
            "statement": "SELECT * FROM t", "requestItems": {"t": [{"PutRequest": {}}]},
            "transactItems": [{"Put": {"tableName": "t"}}], "transactStatements": [{"statement": "x"}],
            "statements": [{"statement": "x"}], "delete": {"objects": [{"key": "k"}]}
        },
        "resources": [{"ARN": "arn:aws:s3:::b/k", "ARNPrefix": "arn:aws:s3:::b/", "accountId": "111122223333", "type": "AWS::S3::Object"}],
        "eventID": "e1", "eventType": "AwsApiCall", "eventCategory": "Data", "recipientAccountId": "111122223333",
        "readOnly": true, "managementEvent": false,
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "h"},
        "vpcEndpointId": "vpce-1", "vpcEndpointAccountId": "111122223333",
        "eventId": "e1", "accountId": "111122223333", "timeWindow": {"windowStart": "2026-11-20T10:00:00Z"},
        "summary": {"details": []},
        "userIdentity": {
            "type": "AssumedRole", "principalId": "AROA:s", "arn": "arn:aws:sts::111122223333:assumed-role/r/s",
            "accountId": "111122223333", "accessKeyId": "ASIA", "userName": "u", "invokedBy": "x.amazonaws.com",
            "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::111122223333:role/r", "accountId": "111122223333"}, "ec2RoleDelivery": "2.0"}
        }
    })
}

/// Sets the value at a dotted path with `[0]` indexes (keys may contain `-` and `@`).
fn set_path(root: &mut Value, path: &str, value: Value) {
    let mut node = root;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        let (key, index) = match part.strip_suffix("[0]") {
            Some(key) => (key, true),
            None => (*part, false),
        };
        let last = i + 1 == parts.len();
        if last && !index {
            node[key] = value;
            return;
        }
        node = &mut node[key];
        if index {
            if last {
                node[0] = value;
                return;
            }
            node = &mut node[0];
        }
    }
}

#[test]
fn the_field_table_covers_every_field_the_decoder_reads() {
    let source = include_str!("../../src/decode/cloudtrail_raw.rs");
    let declared = source.lines().filter(|l| l.trim_start().starts_with("pub ") && l.trim_end().ends_with(',')).count();
    // Four fields are document markers, not values (digestStartTime, logFiles, Statement, Records); the
    // `resources[0]` row is an array element, not a field.
    let fields = FIELDS.iter().filter(|(_, shape)| !matches!(shape, Shape::Element)).count();
    assert_eq!(fields + 4, declared, "a field was added to cloudtrail_raw.rs: add it to FIELDS");
}

#[test]
fn a_wrong_type_in_any_field_is_decoded_leniently_or_rejected_with_its_json_path() {
    let wrong = [json!("x"), json!(7), json!(true), json!(null), json!(["x"]), json!({"x": 1})];
    let dir = tempfile::tempdir().unwrap();
    let (mut total_in, mut total_ok) = (0u64, 0u64);
    for (field, shape) in FIELDS {
        let mut lines = Vec::new();
        let mut expected_rejections = Vec::new();
        for (n, value) in wrong.iter().enumerate() {
            let mut record = full_record();
            set_path(&mut record, field, value.clone());
            // Distinct ids so no two lines are duplicates of each other.
            if *field != "eventID" {
                record["eventID"] = json!(format!("{field}-{n}"));
            }
            let accepted = match (shape, value) {
                (Shape::Lenient, _) => true,
                (Shape::Str, Value::String(_) | Value::Null) => true,
                (Shape::Object | Shape::Element, Value::Object(_)) => true,
                (Shape::Object | Shape::Array, Value::Null) => true,
                (Shape::Array, Value::Array(_)) => false, // ["x"]: its element is not an object
                // serde reads a struct from a sequence field by field: ["x"] is a timeWindow whose windowStart
                // is "x" (an aggregated event's window start that does not parse is no time at all).
                (Shape::Object, Value::Array(_)) if *field == "timeWindow" => true,
                _ => false,
            };
            if !accepted {
                // A non-object inside an array of objects is reported at its index.
                // So is an array given for an object whose first field is itself an object (serde reads a
                // struct from a sequence field by field).
                let at = match (shape, value) {
                    (Shape::Array, Value::Array(_)) => format!("{field}[0]"),
                    (Shape::Object, Value::Array(_))
                        if *field == "userIdentity.sessionContext" || *field == "summary" =>
                    {
                        format!("{field}[0]")
                    }
                    _ => field.to_string(),
                };
                expected_rejections.push((n + 1, at));
            }
            lines.push(record.to_string());
        }
        let path = dir.path().join(format!("{}.ndjson", field.replace(['[', ']'], "_")));
        std::fs::write(&path, lines.join("\n")).unwrap();
        let input = scan_books(&[&path], &[]);
        let decoded = (wrong.len() - expected_rejections.len()) as u64;
        let books = Books::of(&input);
        assert_eq!(
            (books.records, books.bad_records, books.bad_files),
            (decoded, expected_rejections.len() as u64, 0),
            "{field}: {input}"
        );
        assert_eq!(Books::accounted(&input), wrong.len() as u64, "{field}");
        // Each rejection names its record and the field's JSON path.
        let got = samples(&input);
        assert_eq!(got.len(), expected_rejections.len(), "{field}: {got:?}");
        for ((_, location, reason), (n, json_path)) in got.iter().zip(&expected_rejections) {
            assert!(location.starts_with(&format!("record #{n} at byte ")), "{field}: {location}");
            let expected = ["expected a string", "expected an object", "expected an array", "invalid length"];
            let message = reason.strip_prefix(&format!("field {json_path}: ")).unwrap_or_else(|| panic!("{reason}"));
            assert!(expected.iter().any(|e| message.starts_with(e)), "{field} #{n}: {reason}");
        }
        total_in += wrong.len() as u64;
        total_ok += decoded;
    }
    eprintln!("{total_in} records with a wrong type: {total_ok} decoded leniently, {} rejected", total_in - total_ok);
}
