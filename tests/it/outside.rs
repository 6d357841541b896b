//! `trail-vpce outside` against the sample world's ground truth (tests/fixtures/sample-manifest.json) and
//! the real third-party fixtures.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;
use trail_vpce::analyze::outside::resource_key;

use common::{manifest, sample};

/// `trail-vpce ARGS -q`: the exit code and stdout.
fn run(args: &[&str]) -> (i32, Vec<u8>) {
    let run = common::run(args.iter().chain(&["-q"]));
    (run.code, run.stdout)
}

/// `trail-vpce outside ... -q`, expecting exit 0 and the outside report.
fn run_json(args: &[&str]) -> Value {
    let report = common::run_json(args);
    assert_eq!(report["command"], "outside");
    report
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().unwrap()
}

fn str_list(v: &Value) -> Vec<&str> {
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect()
}

/// The finding that holds `event_id`, among findings of `kind`.
fn finding_with<'a>(report: &'a Value, kind: &str, event_id: &str) -> &'a Value {
    let hits: Vec<&Value> = findings(report)
        .iter()
        .filter(|f| f["kind"] == kind && str_list(&f["event_ids"]).contains(&event_id))
        .collect();
    assert_eq!(hits.len(), 1, "{kind} {event_id}: {hits:?}");
    hits[0]
}

fn outcome(row: &Value) -> &'static str {
    if row["outcome"] == "success" { "allowed" } else { "denied" }
}

/// A planted row's record ids as the tool names them (access-log lines by their S3 request id).
fn row_ids(row: &Value) -> Vec<String> {
    str_list(&row["event_ids"]).into_iter().map(str::to_owned).collect()
}

fn planted<'a>(m: &'a Value, tag: &str) -> Vec<&'a Value> {
    m["requests"].as_array().unwrap().iter().filter(|r| str_list(&r["tags"]).contains(&tag)).collect()
}

/// Checks every planted bypass / foreign-resource / unknown-owner / foreign-principal row, the AWS-owned
/// bucket, and that nothing else is reported. `protected`: app-data is protected by configuration.
fn check_against_manifest(report: &Value, protected: bool) {
    let m = manifest();
    let mut expected_ids: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for row in planted(&m, "bypass") {
        let bucket = resource_key(row["resource"].as_str().unwrap());
        let stolen = str_list(&row["tags"]).contains(&"stolen-credentials");
        // Through the S3 console's AWS-operated endpoint: not one of the customer's, so a bypass, but low.
        let console = str_list(&row["tags"]).contains(&"aws-console");
        for id in row_ids(row) {
            let id = id.as_str();
            expected_ids.entry("bypass").or_default().insert(id.to_owned());
            let f = finding_with(report, "bypass", id);
            assert_eq!(f["outcome"], outcome(row), "{id}");
            assert_eq!(f["principal"], row["principal"], "{id}");
            assert_eq!(f["resource"], bucket.as_str(), "{id}");
            assert_eq!(f["evidence"], if console { "aws-console" } else { row["log"].as_str().unwrap() }, "{id}");
            assert_eq!(f["vpce"], Value::Null, "{id}");
            assert!(str_list(&f["source_ips"]).contains(&row["source_ip"].as_str().unwrap()), "{id}");
            assert!(str_list(&f["actions"]).contains(&row["action"].as_str().unwrap()), "{id}");
            if console {
                assert_eq!(f["vpce_operator"], "aws:console", "{id}");
                assert_eq!(f["operator_vpce"], row["vpce"], "{id}");
                assert_eq!(f["severity"], "low", "{id}");
                continue;
            }
            let severity = if stolen || (protected && row["outcome"] == "success") {
                "high"
            } else if row["outcome"] == "success" {
                "medium"
            } else {
                "low"
            };
            assert_eq!(f["severity"], severity, "{id}: {f}");
            assert_eq!(f["endpoint_bound"], if protected { "protected" } else { "observed" }, "{id}");
            if stolen {
                assert_eq!(f["principal_uses_endpoint"], true, "{id}");
                // CloudTrail shows the instance-credential marker; access logs cannot.
                assert_eq!(f["ec2_role_delivery"], row["log"] == "cloudtrail", "{id}");
                if row["log"] == "cloudtrail" {
                    assert!(f["reason"].as_str().unwrap().contains("ec2RoleDelivery"), "{f}");
                }
            }
        }
    }
    for tag in ["foreign-resource", "unknown-owner"] {
        for row in planted(&m, tag) {
            let bucket = resource_key(row["resource"].as_str().unwrap());
            for id in row_ids(row) {
                let id = id.as_str();
                expected_ids.entry("foreign-resource").or_default().insert(id.to_owned());
                let f = finding_with(report, "foreign-resource", id);
                assert_eq!(f["outcome"], outcome(row), "{id}");
                assert_eq!(f["principal"], row["principal"], "{id}");
                assert_eq!(f["vpce"], row["vpce"], "{id}");
                assert_eq!(f["resource"], bucket.as_str(), "{id}");
                if tag == "unknown-owner" {
                    assert_eq!(f["resource_account"], Value::Null, "{id}");
                    assert_eq!(f["owner_unknown"], true, "{id}");
                } else {
                    assert_eq!(f["resource_account"], m["world"]["accounts"]["foreign"], "{id}");
                }
                let severity = match (tag, outcome(row)) {
                    ("foreign-resource", "allowed") => "high",
                    ("unknown-owner", "allowed") => "medium",
                    _ => "low",
                };
                assert_eq!(f["severity"], severity, "{id}");
            }
        }
    }
    for row in planted(&m, "foreign-principal") {
        for id in row_ids(row) {
            let id = id.as_str();
            expected_ids.entry("foreign-principal").or_default().insert(id.to_owned());
            let f = finding_with(report, "foreign-principal", id);
            assert_eq!(f["outcome"], outcome(row), "{id}");
            assert_eq!(f["principal_account"], row["principal_account"], "{id}");
            let principal = row["principal"]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| format!("account:{}", row["principal_account"].as_str().unwrap()));
            assert_eq!(f["principal"], principal.as_str(), "{id}");
            assert_eq!(f["vpce"], row["vpce"], "{id}");
            assert_eq!(f["severity"], if outcome(row) == "allowed" { "high" } else { "low" }, "{id}");
        }
    }
    // AWS-owned buckets: counted, never reported.
    let mut owned_ids = BTreeSet::new();
    let mut owned_records = 0;
    for (bucket, owned) in m["aws_owned"].as_object().unwrap() {
        owned_records += owned["records"].as_u64().unwrap();
        owned_ids.extend(str_list(&owned["event_ids"]));
        let row = report["aws_owned_buckets"].as_array().unwrap().iter().find(|b| b["bucket"] == bucket.as_str());
        assert_eq!(row.unwrap()["requests"], owned["records"], "{bucket}");
    }
    assert_eq!(report["aws_owned_requests"].as_u64().unwrap(), owned_records);
    // Nothing else: every reported event id was planted for that kind, and no list was cut short.
    for f in findings(report) {
        let kind = f["kind"].as_str().unwrap();
        assert_eq!(f["event_ids_truncated"], false, "{f}");
        assert_eq!(f["count"].as_u64().unwrap(), f["event_ids"].as_array().unwrap().len() as u64, "{f}");
        for id in str_list(&f["event_ids"]) {
            assert!(expected_ids.get(kind).is_some_and(|ids| ids.contains(id)), "unplanted {kind} {id}: {f}");
            assert!(!owned_ids.contains(id), "{id}");
        }
    }
    // Service principals were counted, and the log delivery through AWS-internal endpoints is among them.
    let service_rows = planted(&m, "service-principal").len() as u64;
    assert!(report["service_principal_requests"].as_u64().unwrap() >= service_rows);
}

#[test]
fn sample_logs_without_configuration() {
    let report = run_json(&["outside", &sample(), "--format", "json"]);
    check_against_manifest(&report, false);
    let notes = report["notes"].to_string();
    assert!(notes.contains("--vpc-cidr"), "{notes}");
    assert!(notes.contains("out-of-policy requests were not checked"), "{notes}");
}

#[test]
fn sample_logs_with_the_configuration() {
    let config = common::sample_logs().join("trail-vpce.toml");
    let report = run_json(&["outside", &sample(), "--format", "json", "--config", config.to_str().unwrap()]);
    check_against_manifest(&report, true);
    // Every successful request through an endpoint was generated against that endpoint's policy.
    assert!(findings(&report).iter().all(|f| f["kind"] != "out-of-policy"));
    assert!(report["totals"]["replayed"].as_u64().unwrap() > 0);
    assert_eq!(report["trusted_orgs"], serde_json::json!(["o-a1b2c3d4e5"]));
}

#[test]
fn sample_logs_with_flags() {
    let m = manifest();
    let accounts = &m["world"]["accounts"];
    let report = run_json(&[
        "outside",
        &sample(),
        "--format",
        "json",
        "--vpc-cidr",
        "vpce-0a1b2c3d4e5f60001=10.0.0.0/16",
        "--protect",
        "arn:aws:s3:::app-data-111122223333",
        "--trusted-account",
        &format!("{},{}", accounts["app"].as_str().unwrap(), accounts["data"].as_str().unwrap()),
    ]);
    check_against_manifest(&report, true);
    let bound = &report["endpoint_bound_resources"];
    assert!(bound.as_array().unwrap().iter().any(|b| b["bound"] == "protected"), "{bound}");
}

#[test]
fn a_policy_that_refuses_observed_traffic_reports_out_of_policy() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("deny-puts.json");
    std::fs::write(
        &policy,
        r#"{"Version": "2012-10-17", "Statement": [
            {"Sid": "ReadOnly", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"},
            {"Sid": "NoDeletes", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "*"}]}"#,
    )
    .unwrap();
    let spec = format!("vpce-0a1b2c3d4e5f60001={}", policy.display());
    let report = run_json(&["outside", &sample(), "--format", "json", "--policy", &spec]);
    let out: Vec<&Value> = findings(&report).iter().filter(|f| f["kind"] == "out-of-policy").collect();
    assert!(!out.is_empty());
    for f in &out {
        assert_eq!(f["outcome"], "allowed");
        assert_eq!(f["vpce"], "vpce-0a1b2c3d4e5f60001");
        assert_eq!(f["severity"], "medium");
        let actions = str_list(&f["actions"]);
        assert!(actions.iter().any(|a| !["s3:GetObject", "s3:ListBucket"].contains(a)), "{f}");
        if actions.contains(&"s3:DeleteObject") {
            assert_eq!(f["deny"], "explicit");
            assert_eq!(f["statement"], "NoDeletes");
        }
    }
}

#[test]
fn formats_and_exit_codes() {
    let (code, stdout) = run(&["outside", &sample(), "--format", "ndjson"]);
    assert_eq!(code, 0);
    let lines: Vec<Value> =
        String::from_utf8(stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let report = run_json(&["outside", &sample(), "--format", "json"]);
    assert_eq!(lines.len(), findings(&report).len());
    // Sorted: severity first.
    let rank = |f: &Value| ["high", "medium", "low"].iter().position(|s| f["severity"] == *s).unwrap();
    assert!(lines.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])));
    let (code, _) = run(&["outside", &sample(), "--fail-on-findings"]);
    assert_eq!(code, 1);
    let (code, stdout) = run(&["outside", &sample()]);
    assert_eq!(code, 0);
    let table = String::from_utf8(stdout).unwrap();
    assert!(table.contains("SEVERITY") && table.contains("stolen instance credentials"), "{table}");
    let (code, csv) = run(&["outside", &sample(), "--format", "csv"]);
    let expected = if cfg!(feature = "tabular") { 0 } else { 2 };
    assert_eq!(code, expected);
    if expected == 0 {
        let csv = String::from_utf8(csv).unwrap();
        assert!(
            csv.starts_with("kind,severity,outcome,principal,vpce,resource,resource_account,actions,source_ips,count")
        );
        let json = run_json(&["outside", &sample(), "--format", "json"]);
        // One line per finding (reasons contain no newline), plus the header.
        assert_eq!(csv.lines().count(), json["findings"].as_array().unwrap().len() + 1);
    }
    let (code, _) = run(&["outside", &sample(), "--format", "terraform"]);
    assert_eq!(code, 2);
}

const OTRF_BUCKET: &str = "arn:aws:s3:::mordors3stack-s3bucket-llp2yingx64a";

/// OTRF "EC2 proxy S3 exfiltration": instance credentials (ec2RoleDelivery) used from 1.2.3.4 to list and
/// read a bucket. The trail has no endpoint traffic at all, so nothing is endpoint-bound by default and no
/// bypass can be shown; protecting the bucket makes it a high-severity bypass.
#[test]
fn otrf_stolen_instance_credentials() {
    let Some(real) = common::real_fixtures() else { return };
    let otrf = real.join("cloudtrail/otrf").display().to_string();
    let report = run_json(&["outside", &otrf, "--format", "json"]);
    assert_eq!(findings(&report).len(), 0);
    assert_eq!(report["totals"]["through_endpoint"], 0);
    assert!(report["notes"].to_string().contains("nothing is endpoint-bound"), "{}", report["notes"]);
    let (code, _) = run(&["outside", &otrf, "--fail-on-findings"]);
    assert_eq!(code, 0);

    let report = run_json(&["outside", &otrf, "--format", "json", "--protect", OTRF_BUCKET]);
    let bypass: Vec<&Value> = findings(&report).iter().filter(|f| f["kind"] == "bypass").collect();
    assert_eq!(bypass.len(), 1, "{bypass:?}");
    let f = bypass[0];
    assert_eq!(f["severity"], "high");
    assert_eq!(f["outcome"], "allowed");
    assert_eq!(f["resource"], OTRF_BUCKET);
    assert_eq!(f["principal"], "arn:aws:iam::123456789123:role/MordorNginxStack-BankingWAFRole-9S3E0UAE1MM0");
    assert_eq!(f["ec2_role_delivery"], true);
    assert_eq!(f["source_ips"], serde_json::json!(["1.2.3.4"]));
    assert_eq!(f["actions"], serde_json::json!(["s3:GetObject", "s3:ListBucket"]));
    assert_eq!(f["count"], 9);
    assert!(f["reason"].as_str().unwrap().contains("stolen instance credentials"));
    let (code, _) = run(&["outside", &otrf, "--protect", OTRF_BUCKET, "--fail-on-findings"]);
    assert_eq!(code, 1);
}

/// Every record of a fixture file with an `eventID`, parsed independently of the tool.
fn raw_records(path: &Path, into: &mut BTreeMap<String, Value>) {
    let Ok(text) = std::fs::read_to_string(path) else { return };
    let values: Vec<Value> = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(mut map)) => match map.remove("Records") {
            Some(Value::Array(records)) => records,
            _ => vec![Value::Object(map)],
        },
        Ok(Value::Array(records)) => records,
        Ok(other) => vec![other],
        Err(_) => text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect(),
    };
    for v in values {
        if let Some(id) = v["eventID"].as_str() {
            into.insert(id.to_owned(), v);
        }
    }
}

/// No real fixture yields a bypass made by an AWS service (AWSService identity, invokedBy, or a service name
/// as the source address), and the service traffic they hold is counted.
#[test]
fn real_fixtures_report_no_bypass_for_aws_service_traffic() {
    let Some(real) = common::real_fixtures() else { return };
    let mut services = 0;
    for folder in ["cloudtrail/awsdocs", "cloudtrail/otrf", "cloudtrail/panther", "cloudtrail/stratus-red-team"]
        .into_iter()
        .chain(["cloudtrail/traildiscover", "s3-access"])
    {
        let dir = real.join(folder);
        let mut raw = BTreeMap::new();
        for entry in walk(&dir) {
            raw_records(&entry, &mut raw);
        }
        let report = run_json(&["outside", &dir.display().to_string(), "--format", "json"]);
        services += report["service_principal_requests"].as_u64().unwrap();
        for f in findings(&report).iter().filter(|f| f["kind"] == "bypass") {
            assert!(!f["principal"].as_str().unwrap().ends_with(".amazonaws.com"), "{folder}: {f}");
            for id in str_list(&f["event_ids"]) {
                let Some(record) = raw.get(id) else { continue };
                let identity = &record["userIdentity"];
                assert_ne!(identity["type"], "AWSService", "{folder} {id}");
                assert!(identity["invokedBy"].is_null(), "{folder} {id}");
                let ip = record["sourceIPAddress"].as_str().unwrap_or("");
                assert!(ip.parse::<std::net::IpAddr>().is_ok(), "{folder} {id}: {ip}");
            }
        }
    }
    assert!(services > 100, "{services}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() { stack.push(path) } else { files.push(path) }
        }
    }
    files
}

/// The endpoint-ownership fixture (tests/fixtures/aws-operated, written by make.py there): one account that
/// owns no endpoint, with console, service and delivery traffic through endpoints AWS operates.
mod aws_operated {
    use super::*;

    fn fixture(part: &str) -> String {
        format!("{}/tests/fixtures/aws-operated/{part}", env!("CARGO_MANIFEST_DIR"))
    }

    fn json(command: &str, args: &[&str]) -> Value {
        let report = common::run_json([command].iter().chain(args).chain(&["--format", "json"]));
        assert_eq!(report["command"], command);
        report
    }

    fn ids(list: &Value) -> BTreeSet<String> {
        list.as_array().unwrap().iter().map(|e| e["vpce"].as_str().unwrap().to_owned()).collect()
    }

    #[test]
    fn no_endpoint_of_its_own_means_no_endpoint_no_bypass_no_proposal() {
        let dir = fixture("no-endpoint");
        let scan = json("scan", &[&dir]);
        assert_eq!(scan["endpoints"], Value::Array(vec![]), "{:#}", scan["endpoints"]);
        let labels: BTreeMap<String, String> = scan["aws_operated_endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["vpce"].as_str().unwrap().to_owned(), e["label"].as_str().unwrap().to_owned()))
            .collect();
        let expected: BTreeMap<String, String> = [
            ("vpce-0c0a501e0b5ac0e11", "aws:console"),
            ("vpce-0c0a501e0b5ac0e22", "aws:console"),
            ("vpce-0d311fe4d1d3a0001", "aws:delivery"),
            ("vpce-0d311fe4d1d3a0002", "aws:delivery"),
            ("vpce-0f5e4d3c2b1a09876", "aws:service"),
            ("vpce-0f5e4d3c2b1a09877", "aws:service"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
        assert_eq!(labels, expected);
        assert_eq!(scan["foreign_endpoints"], Value::Array(vec![]));

        let outside = json("outside", &[&dir]);
        assert_eq!(findings(&outside).len(), 0, "{:#}", outside["findings"]);
        assert_eq!(outside["endpoint_bound_resources"], Value::Array(vec![]));

        let propose = json("propose", &[&dir]);
        assert_eq!(propose["proposals"], Value::Array(vec![]));
        let skipped = propose["skipped"].as_array().unwrap();
        assert!(
            !skipped.is_empty() && skipped.iter().all(|s| s["reason"].as_str().unwrap().contains("not your endpoint"))
        );

        let policy = fixture("console-endpoint-policy.json");
        let check = json("check", &[&dir, "--policy", &format!("vpce-0c0a501e0b5ac0e11={policy}")]);
        assert_eq!(check["checks"], Value::Array(vec![]));
        assert!(check["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("not your endpoint")));

        let denied = json("denied", &[&dir]);
        assert_eq!(denied["denials"], Value::Array(vec![]), "{:#}", denied["denials"]);
        assert_eq!(denied["totals"]["by_cause"]["vpce-policy"], 0);
        assert_eq!(denied["totals"]["by_cause"]["other-endpoint-policy"], 1);
        let all = json("denied", &[&dir, "--all-causes"]);
        let console_denial = all["denials"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["vpce_operator"] == "aws:console")
            .expect("the console denial is listed with its operator");
        assert_eq!(console_denial["cause"], "other-endpoint-policy");
        assert_eq!(console_denial["vpce"], Value::Null);
        assert_eq!(console_denial["possibly_vpce"], false);

        let timeline = json("timeline", &[&dir, "--principal", "arn:aws:iam::210987654321:user/alice"]);
        let events = timeline["events"].as_array().unwrap();
        assert!(events.iter().all(|e| e["vpce"].is_null()), "no customer endpoint in alice's timeline");
        assert_eq!(events.iter().filter(|e| e["vpce_operator"] == "aws:console").count(), 5);
        assert_eq!(timeline["summary"]["endpoints"], serde_json::json!({}));
    }

    #[test]
    fn a_customer_endpoint_turns_console_reads_of_its_bucket_into_low_bypasses() {
        let (alone, with) = (fixture("no-endpoint"), fixture("with-endpoint"));
        let scan = json("scan", &[&alone, &with]);
        assert_eq!(ids(&scan["endpoints"]), BTreeSet::from(["vpce-0aa11bb22cc33dd44".to_owned()]));
        assert_eq!(scan["endpoints"][0]["owner"], "customer");
        assert_eq!(scan["endpoints"][0]["owner_basis"], "owner-account");

        let outside = json("outside", &[&alone, &with]);
        let bypasses: Vec<&Value> = findings(&outside).iter().filter(|f| f["kind"] == "bypass").collect();
        let console: Vec<&&Value> = bypasses.iter().filter(|f| f["evidence"] == "aws-console").collect();
        assert_eq!(console.len(), 1, "{:#}", outside["findings"]);
        let f = console[0];
        assert_eq!(f["severity"], "low");
        assert_eq!(f["resource"], "arn:aws:s3:::team-reports-210987654321");
        assert_eq!(f["vpce"], Value::Null);
        assert_eq!(f["vpce_operator"], "aws:console");
        assert_eq!(f["operator_vpce"], "vpce-0c0a501e0b5ac0e11");
        assert_eq!(f["count"], 3);
        assert_eq!(str_list(&f["bound_via"]), ["vpce-0aa11bb22cc33dd44"]);
        // Her laptop read of the same bucket is now an ordinary bypass of the customer's endpoint.
        assert!(bypasses.iter().any(|f| f["evidence"] == "cloudtrail" && f["severity"] == "medium"));
        let bound = ids_of(&outside["endpoint_bound_resources"]);
        assert_eq!(bound, BTreeSet::from(["arn:aws:s3:::team-reports-210987654321".to_owned()]));

        let propose = json("propose", &[&alone, &with]);
        assert_eq!(ids(&propose["proposals"]), BTreeSet::from(["vpce-0aa11bb22cc33dd44".to_owned()]));
    }

    /// `operated_by` in the configuration overrides what the logs suggest, both ways.
    #[test]
    fn the_configuration_decides_first() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("trail-vpce.toml");
        std::fs::write(
            &config,
            "[[endpoints]]\nid = \"vpce-0c0a501e0b5ac0e11\"\noperated_by = \"customer\"\n\
             [[endpoints]]\nid = \"vpce-0aa11bb22cc33dd44\"\noperated_by = \"aws\"\n",
        )
        .unwrap();
        let config = config.display().to_string();
        let scan = json("scan", &[&fixture("no-endpoint"), &fixture("with-endpoint"), "--config", &config]);
        assert_eq!(ids(&scan["endpoints"]), BTreeSet::from(["vpce-0c0a501e0b5ac0e11".to_owned()]));
        assert_eq!(scan["endpoints"][0]["owner_basis"], "configured-operator");
        let aws = scan["aws_operated_endpoints"].as_array().unwrap();
        let configured = aws.iter().find(|e| e["vpce"] == "vpce-0aa11bb22cc33dd44").unwrap();
        assert_eq!(configured["basis"], "configured-operator");
    }

    fn ids_of(list: &Value) -> BTreeSet<String> {
        list.as_array().unwrap().iter().map(|e| e["resource"].as_str().unwrap().to_owned()).collect()
    }

    /// Aggregated events are summaries: in the books and in scan, never analysed as requests.
    #[test]
    fn aggregated_events_are_counted_apart() {
        let scan = json("scan", &[&fixture("no-endpoint")]);
        assert_eq!(scan["input"]["aggregated_records"], 1);
        assert_eq!(scan["input"]["records"], 16);
        assert!(scan["input"]["event_categories"].get("Aggregated").is_none());
        let s3 = &scan["aggregated_events"]["s3.amazonaws.com"];
        assert_eq!(s3["records"], 1);
        assert_eq!(s3["requests"], 150);
        assert_eq!(s3["error_codes"], serde_json::json!({"AccessDenied": 7, "NoSuchKey": 2}));
        // The window filter applies to the aggregate's window start.
        let later = json("scan", &[&fixture("no-endpoint"), "--since", "2026-11-20T10:30:00Z"]);
        assert_eq!(later["input"]["aggregated_records"], 0);
        assert_eq!(later["aggregated_events"], serde_json::json!({}));
    }
}

/// `aws_owned_buckets` in the config: a vendor bucket of another account, read through our endpoint, is set
/// aside like AWS's own buckets by `outside` and keeps a statement of its own in `propose`.
#[test]
fn configured_aws_owned_buckets() {
    let fixture = |file: &str| format!("{}/tests/fixtures/endpoint-keys/{file}", env!("CARGO_MANIFEST_DIR"));
    let logs = fixture("logs");
    let vendor = "arn:aws:s3:::my-vendor-bucket-eu";
    let flagged = |report: &Value| findings(report).iter().any(|f| f["resource"] == vendor);
    let plain = run_json(&["outside", &logs, "--config", &fixture("no-vendor.toml"), "--format", "json"]);
    assert!(flagged(&plain), "without the config entry the vendor bucket is a foreign resource");
    let listed = run_json(&["outside", &logs, "--config", &fixture("trail-vpce.toml"), "--format", "json"]);
    assert!(!flagged(&listed));
    assert_eq!(listed["aws_owned_requests"], 1);
    assert_eq!(listed["aws_owned_buckets"][0]["bucket"], "my-vendor-bucket-eu");

    let propose = |config: &str| {
        let (code, stdout) = run(&["propose", &logs, "--config", &fixture(config), "--vpce", "vpce-0fe0000000000000a"]);
        assert_eq!(code, 0);
        let policy: Value = serde_json::from_slice(&stdout).unwrap();
        policy["Statement"].as_array().unwrap().clone()
    };
    let statements = propose("trail-vpce.toml");
    let own =
        statements.iter().find(|s| s["Resource"] == format!("{vendor}/*")).expect("a statement for the vendor bucket");
    assert!(own["Sid"].as_str().unwrap().starts_with("AwsOwned"), "{own}");
    assert!(!propose("no-vendor.toml").iter().any(|s| s.to_string().contains("my-vendor-bucket")));
}
