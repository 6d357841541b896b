//! Terminal escapes in attacker-controlled fields (user agent, principal, event name, S3 key and bucket, error
//! message, endpoint id, account ids, source IP, file names): escaped in every table, summary and note the
//! commands print (stdout and stderr), exact in JSON; CSV cells neutralized (no formula, no control
//! character), numbers left as numbers.

use crate::common;

use std::path::Path;

use serde_json::{Value, json};

/// Clear the screen, an OSC 8 hyperlink, a bell, a carriage return (overwrites the line), a right-to-left
/// override, a C1 CSI: every one changes what a reader sees if it reaches a terminal raw.
const PAYLOADS: [&str; 6] = [
    "\x1b[2J\x1b[H",
    "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07",
    "ring\x07",
    "real\rfake",
    "txt.\u{202e}exe",
    "c1\u{9b}31m",
];

/// What must never reach stdout or stderr raw.
const FORBIDDEN: [char; 5] = ['\x1b', '\x07', '\r', '\u{202e}', '\u{9b}'];

fn hostile(i: usize) -> String {
    format!("h{i}-{}", PAYLOADS[i % PAYLOADS.len()])
}

fn records() -> Vec<Value> {
    let mut out = Vec::new();
    for i in 0..PAYLOADS.len() {
        let h = hostile(i);
        let arn = format!("arn:aws:iam::444455556666:user/{h}");
        let base = |id: String, vpce: Option<&str>, error: bool| {
            let mut record = json!({
                "eventVersion": "1.10", "eventTime": format!("2026-11-21T10:00:0{i}Z"),
                "eventSource": "s3.amazonaws.com", "eventName": format!("GetObject{h}"), "awsRegion": "us-east-1",
                "sourceIPAddress": "203.0.113.9", "userAgent": h, "eventID": id,
                "userIdentity": {"type": "IAMUser", "arn": arn, "accountId": "444455556666", "userName": h},
                "requestParameters": {"bucketName": format!("bucket-{i}"), "key": format!("key/{h}")},
                "resources": [{"ARN": format!("arn:aws:s3:::bucket-{i}/key/{h}"), "type": "AWS::S3::Object"}],
                "recipientAccountId": "111122223333", "eventCategory": "Data", "managementEvent": false,
                "readOnly": true
            });
            if let Some(vpce) = vpce {
                record["vpcEndpointId"] = json!(vpce);
                record["vpcEndpointAccountId"] = json!("111122223333");
            }
            if error {
                record["errorCode"] = json!("AccessDenied");
                record["errorMessage"] = json!(format!(
                    "User: {arn} is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::bucket-{i}/key/{h}\" because no VPC endpoint policy allows the s3:GetObject action {h}"
                ));
            }
            record
        };
        out.push(base(format!("ok-{i}"), Some("vpce-1"), false));
        out.push(base(format!("denied-{i}"), Some(&format!("vpce-{h}")), true));
        out.push(base(format!("outside-{i}"), None, false));
        // Account ids from the logs reach `outside`'s note on the default trusted accounts.
        let mut account = base(format!("account-{i}"), Some("vpce-1"), false);
        account["recipientAccountId"] = json!(format!("1111{h}"));
        account["vpcEndpointAccountId"] = json!(format!("1111{h}"));
        out.push(account);
    }
    out.extend(formula_records());
    out
}

/// Cells a spreadsheet would run as formulas: principals (denied through an endpoint, and outside any), and a
/// role session name (`timeline`'s session column).
const FORMULAS: [&str; 5] = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1,2)", "=1+1"];

fn formula_records() -> Vec<Value> {
    let mut out = Vec::new();
    for (i, formula) in FORMULAS.iter().enumerate() {
        let (identity, ip) = if *formula == "=1+1" {
            let session = format!("arn:aws:sts::444455556666:assumed-role/Role/{formula}");
            let issuer =
                json!({"type": "Role", "arn": "arn:aws:iam::444455556666:role/Role", "accountId": "444455556666"});
            (
                json!({"type": "AssumedRole", "arn": session, "accountId": "444455556666", "sessionContext": {"sessionIssuer": issuer}}),
                "203.0.113.9",
            )
        } else {
            (json!({"type": "IAMUser", "arn": formula, "accountId": "444455556666"}), "203.0.113.9")
        };
        for (id, vpce) in [(format!("formula-denied-{i}"), Some("vpce-1")), (format!("formula-outside-{i}"), None)] {
            let mut record = json!({
                "eventVersion": "1.10", "eventTime": format!("2026-11-21T11:00:0{i}Z"),
                "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1",
                "sourceIPAddress": ip, "userAgent": formula, "eventID": id, "userIdentity": identity,
                "requestParameters": {"bucketName": "bucket-0", "key": format!("k/{formula}")},
                "resources": [{"ARN": format!("arn:aws:s3:::bucket-0/k/{formula}"), "type": "AWS::S3::Object"}],
                "recipientAccountId": "111122223333", "eventCategory": "Data", "managementEvent": false,
                "readOnly": true
            });
            if let Some(vpce) = vpce {
                record["vpcEndpointId"] = json!(vpce);
                record["vpcEndpointAccountId"] = json!("111122223333");
                record["errorCode"] = json!("AccessDenied");
                record["errorMessage"] = json!(format!(
                    "User: {formula} is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::bucket-0/k/{formula}\" because no VPC endpoint policy allows the s3:GetObject action"
                ));
            }
            out.push(record);
        }
    }
    out
}

fn access_log_lines() -> String {
    let owner = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";
    (0..PAYLOADS.len())
        .map(|i| {
            // Quoted fields cannot hold a raw quote; the payloads hold none.
            let h = hostile(i);
            format!(
                "{owner} bucket-{i} [21/Nov/2026:10:00:0{i} +0000] 203.0.113.9 arn:aws:iam::444455556666:user/u REQ{i} REST.GET.OBJECT key/{h} \"GET /bucket-{i}/key/{h} HTTP/1.1\" 403 AccessDenied 243 - 7 - \"https://ref/{h}\" \"agent {h}\" - HOSTID SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader bucket-{i}.s3.amazonaws.com TLSv1.2 - -\n"
            )
        })
        .collect()
}

/// A folder of hostile logs, with a damaged file whose name holds the payloads too.
fn fixture(dir: &Path) {
    let records: Vec<String> = records().iter().map(Value::to_string).collect();
    std::fs::write(dir.join("trail.json"), common::wrapper(&records)).unwrap();
    std::fs::write(dir.join("access.log"), access_log_lines()).unwrap();
    std::fs::write(dir.join(format!("bad-{}.json", PAYLOADS[0])), "{\"Records\":[{\"eventName\":").unwrap();
}

fn assert_clean(what: &str, text: &str) {
    for c in FORBIDDEN {
        assert!(!text.contains(c), "{what}: raw {c:?} in output:\n{text}");
    }
}

const COMMANDS: [&[&str]; 5] =
    [&["scan"], &["denied", "--all-causes"], &["outside"], &["timeline", "--ip", "203.0.113.9"], &["propose"]];

#[test]
fn tables_escape_every_control_and_bidi_character() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let source = dir.path().display().to_string();
    for command in COMMANDS {
        let mut args: Vec<&str> = command.to_vec();
        args.extend([source.as_str(), "--format", "table"]);
        let run = common::run(&args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        let stdout = String::from_utf8(run.stdout.clone()).expect("table output is UTF-8");
        assert_clean(&format!("{command:?} stdout"), &stdout);
        assert_clean(&format!("{command:?} stderr"), &run.stderr);
        // The hostile fields were printed (escaped), so the check above had something to look at.
        assert!(stdout.contains("\\u{1b}[2J"), "{command:?}: no escaped payload in\n{stdout}");
        assert!(run.stderr.contains("bad-\\u{1b}[2J"), "{command:?}: {}", run.stderr);
        if command[0] == "propose" {
            continue; // a proposal names what it allows, not every payload (see the propose test below)
        }
        let shown: usize = (0..PAYLOADS.len()).filter(|i| stdout.contains(&format!("h{i}-"))).count();
        assert_eq!(shown, PAYLOADS.len(), "{command:?}: every payload is shown, escaped");
        if command[0] == "outside" {
            // The note on the default trusted accounts lists the account ids seen in the logs.
            let note = stdout.lines().find(|l| l.starts_with("note: trusted accounts default")).expect("note");
            assert!(note.contains("1111h0-\\u{1b}[2J"), "{note}");
        }
    }
}

/// `propose`: the endpoint id and the bucket names of a widening (a bucket with too many prefixes for the
/// size limit), in the table on stdout, and in the summary on stderr (`--vpce`, Terraform, CloudFormation).
#[test]
fn propose_summaries_escape_the_endpoint_and_the_widened_buckets() {
    let dir = tempfile::tempdir().unwrap();
    let vpce = format!("vpce-{}", PAYLOADS.concat());
    let bucket = format!("big{}", PAYLOADS[0]);
    let records: Vec<String> = (0..1500)
        .map(|i| {
            json!({
                "eventVersion": "1.10", "eventTime": "2026-11-21T10:00:00Z", "eventSource": "s3.amazonaws.com",
                "eventName": "GetObject", "awsRegion": "us-east-1", "sourceIPAddress": "10.0.0.1",
                "userAgent": PAYLOADS[1], "eventID": format!("p-{i}"),
                "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/u", "accountId": "111122223333"},
                "requestParameters": {"bucketName": bucket, "key": format!("tenant-{i:05}/part-0.parquet")},
                "resources": [{"ARN": format!("arn:aws:s3:::{bucket}/tenant-{i:05}/part-0.parquet"), "type": "AWS::S3::Object"},
                    {"ARN": format!("arn:aws:s3:::{bucket}"), "type": "AWS::S3::Bucket", "accountId": "111122223333"}],
                "recipientAccountId": "111122223333", "eventCategory": "Data", "managementEvent": false,
                "readOnly": true, "vpcEndpointId": vpce, "vpcEndpointAccountId": "111122223333"
            })
            .to_string()
        })
        .collect();
    std::fs::write(dir.path().join("trail.json"), common::wrapper(&records)).unwrap();
    let source = dir.path().display().to_string();
    let base = ["propose", source.as_str(), "--granularity", "prefix"];
    let table = common::run(base);
    assert_eq!(table.code, 0, "{}", table.stderr);
    let stdout = String::from_utf8(table.stdout.clone()).unwrap();
    assert_clean("propose table stdout", &stdout);
    assert_clean("propose table stderr", &table.stderr);
    assert!(stdout.contains("vpce-\\u{1b}[2J"), "{stdout}");
    assert!(stdout.contains("widened (prefix-to-bucket)") && stdout.contains("big\\u{1b}[2J"), "{stdout}");
    for extra in [&["--vpce", vpce.as_str()][..], &["--format", "terraform"], &["--format", "cloudformation"]] {
        let run = common::run(base.iter().chain(extra));
        assert_eq!(run.code, 0, "{extra:?}: {}", run.stderr);
        assert_clean(&format!("propose {extra:?} stderr"), &run.stderr);
        assert!(run.stderr.contains("vpce-\\u{1b}[2J"), "{extra:?}: {}", run.stderr);
        assert!(run.stderr.contains("widened (prefix-to-bucket)") && run.stderr.contains("big\\u{1b}[2J"));
        // stdout is the policy or template: data, whose C0 controls JSON and HCL escape themselves.
        assert!(!run.stdout_text().contains(['\x1b', '\x07', '\r']), "{extra:?}");
    }
}

/// The cells of one CSV line (RFC 4180 quoting).
fn csv_cells(line: &str) -> Vec<String> {
    let (mut cells, mut cell, mut quoted, mut chars) = (Vec::new(), String::new(), false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            (c, _) => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

#[test]
fn csv_cells_are_never_formulas_nor_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let source = dir.path().display().to_string();
    let commands: [&[&str]; 3] = [&["denied", "--all-causes"], &["outside"], &["timeline", "--ip", "203.0.113.9"]];
    for command in commands {
        let mut args: Vec<&str> = command.to_vec();
        args.extend([source.as_str(), "--format", "csv"]);
        let run = common::run(&args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        let text = String::from_utf8(run.stdout.clone()).expect("CSV is UTF-8");
        assert_clean(&format!("{command:?} csv"), &text);
        assert_clean(&format!("{command:?} stderr"), &run.stderr);
        let mut lines = text.lines();
        let header = csv_cells(lines.next().expect("a header"));
        let rows: Vec<Vec<String>> = lines.map(csv_cells).collect();
        assert!(rows.len() > FORMULAS.len(), "{command:?}: {text}");
        for row in &rows {
            assert_eq!(row.len(), header.len(), "{command:?}: one line per row: {row:?}");
            for cell in row {
                assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{command:?}: formula cell {cell:?}");
            }
            if let Some(count) = header.iter().position(|h| h == "count") {
                assert!(row[count].parse::<u64>().is_ok(), "{command:?}: count stays a number: {row:?}");
            }
        }
        let all: Vec<&String> = rows.iter().flatten().collect();
        let column = if command[0] == "timeline" { "session" } else { "principal" };
        let at = header.iter().position(|h| h == column).unwrap();
        let neutralized: Vec<&str> = rows.iter().map(|r| r[at].as_str()).filter(|c| c.starts_with('\'')).collect();
        let want: &[&str] = if command[0] == "timeline" { &["'=1+1"] } else { &["'=cmd|' /C calc'!A0", "'@SUM(1,2)"] };
        for w in want {
            assert!(neutralized.contains(w), "{command:?}: {w} in {neutralized:?}");
        }
        assert!(all.iter().any(|c| c.contains("h0-\\u{1b}[2J")), "{command:?}: the payloads are shown, escaped");
    }
}

/// Every string in a JSON value.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push(k.clone());
            strings(v, out);
        }),
        _ => {}
    }
}

#[test]
fn json_keeps_the_exact_bytes() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let source = dir.path().display().to_string();
    for command in COMMANDS {
        let mut args: Vec<&str> = command.to_vec();
        args.extend([source.as_str(), "--format", "json", "-q"]);
        let run = common::run(&args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        // JSON escapes C0 control characters itself, so ESC, BEL and CR never reach stdout raw. U+202E and
        // the C1 controls are legal raw in JSON strings and are kept exact: JSON is for programs, not terminals.
        let stdout = run.stdout_text();
        assert!(!stdout.contains(['\x1b', '\x07', '\r']), "{command:?}: raw C0 control in JSON");
        let mut all = Vec::new();
        strings(&run.json(), &mut all);
        // No double escaping: the terminal form never appears in JSON.
        assert!(all.iter().all(|s| !s.contains("\\u{")), "{command:?}: terminal escapes in JSON");
        // The payloads come back exactly (the bad file's name holds the first one in every report).
        let exact: Vec<usize> = (0..PAYLOADS.len()).filter(|&i| all.iter().any(|s| s.contains(&hostile(i)))).collect();
        assert!(all.iter().any(|s| s.ends_with(&format!("bad-{}.json", PAYLOADS[0]))), "{command:?}");
        assert_eq!(exact.len(), PAYLOADS.len(), "{command:?}: payloads exact in JSON: {exact:?}");
    }
}
