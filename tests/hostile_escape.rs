//! Terminal escapes in attacker-controlled fields (user agent, principal, event name, S3 key and bucket, error
//! message, endpoint id, source IP, file names): escaped in every table the commands print, exact in JSON.

mod common;

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

const COMMANDS: [&[&str]; 4] =
    [&["scan"], &["denied", "--all-causes"], &["outside"], &["timeline", "--ip", "203.0.113.9"]];

#[test]
fn tables_escape_every_control_and_bidi_character() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let source = dir.path().display().to_string();
    for command in COMMANDS {
        let mut args: Vec<&str> = command.to_vec();
        args.extend([source.as_str(), "--format", "table"]);
        let run = common::run_binary(&args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        let stdout = String::from_utf8(run.stdout.clone()).expect("table output is UTF-8");
        assert_clean(&format!("{command:?} stdout"), &stdout);
        assert_clean(&format!("{command:?} stderr"), &run.stderr);
        // The hostile fields were printed (escaped), so the check above had something to look at.
        assert!(stdout.contains("\\u{1b}[2J"), "{command:?}: no escaped payload in\n{stdout}");
        assert!(run.stderr.contains("bad-\\u{1b}[2J"), "{command:?}: {}", run.stderr);
        let shown: usize = (0..PAYLOADS.len()).filter(|i| stdout.contains(&format!("h{i}-"))).count();
        assert_eq!(shown, PAYLOADS.len(), "{command:?}: every payload is shown, escaped");
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
        let run = common::run_binary(&args);
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
