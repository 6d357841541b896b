//! `sample-logs/` against its ground-truth manifest (tests/fixtures/sample-manifest.json, written by the
//! generator from its own bookkeeping, not from this tool's output).

use crate::common;

use std::collections::BTreeMap;

use serde_json::Value;

use common::{manifest, run_json, sample};

#[test]
fn scan_accounts_for_every_file_and_record() {
    let m = manifest();
    let report = run_json(["scan", &sample(), "--format", "json"]);
    assert_eq!(report["command"], "scan");
    let input = &report["input"];
    let expected = &m["input"];
    for field in ["records", "duplicate_records", "access_log_lines", "bad_records", "digest_files", "insight_records"]
    {
        assert_eq!(input[field], expected[field], "input.{field}");
    }
    assert_eq!(input["event_categories"], expected["event_categories"]);
    // Files read = the manifest's log files + the policy documents (read, recognised, skipped); the TOML
    // config is skipped by name without being read.
    let non_log: Vec<&str> =
        expected["non_log_files"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let policies = non_log.iter().filter(|p| p.starts_with("policies/")).count() as u64;
    assert_eq!(input["files"].as_u64().unwrap(), expected["files"].as_u64().unwrap() + policies);
    assert_eq!(
        input["skipped_files"].as_u64().unwrap(),
        expected["skipped_files"].as_u64().unwrap() + non_log.len() as u64
    );
    let bad = input["bad_files"].as_array().unwrap();
    let expected_bad = expected["bad_files"].as_array().unwrap();
    assert_eq!(bad.len(), expected_bad.len());
    for (got, want) in bad.iter().zip(expected_bad) {
        assert!(got["path"].as_str().unwrap().ends_with(want["path"].as_str().unwrap()), "{got}");
        assert_eq!(got["recovered_records"], want["recovered_records"]);
    }
    // Per endpoint.
    let endpoints: BTreeMap<String, &Value> =
        report["endpoints"].as_array().unwrap().iter().map(|e| (e["vpce"].as_str().unwrap().to_owned(), e)).collect();
    let expected_endpoints = m["endpoints"].as_object().unwrap();
    assert_eq!(endpoints.len(), expected_endpoints.len());
    for (vpce, want) in expected_endpoints {
        let got = endpoints[vpce];
        assert_eq!(got["records"], want["records"], "{vpce}");
        assert_eq!(got["network_activity"], want["network_activity_records"], "{vpce}");
        assert_eq!(got["first_seen"], want["first_seen"], "{vpce}");
        assert_eq!(got["last_seen"], want["last_seen"], "{vpce}");
    }
    assert_eq!(report["without_endpoint"]["aws_internal"], m["aws_internal_records"]);
    // Endpoints AWS operates (console backends, a service acting for a caller, CloudTrail delivery): apart,
    // never among the customer's.
    let aws: BTreeMap<String, &Value> = report["aws_operated_endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["vpce"].as_str().unwrap().to_owned(), e))
        .collect();
    let expected_aws = m["aws_operated_endpoints"].as_object().unwrap();
    assert_eq!(aws.keys().collect::<Vec<_>>(), expected_aws.keys().collect::<Vec<_>>());
    for (vpce, want) in expected_aws {
        assert_eq!(aws[vpce]["records"], want["records"], "{vpce}");
        assert_eq!(aws[vpce]["label"], want["label"], "{vpce}");
        assert!(!endpoints.contains_key(vpce), "{vpce}");
    }
    assert_eq!(report["foreign_endpoints"], Value::Array(vec![]));
}

/// Expected denied-request counts by cause from the manifest's planted requests.
fn expected_by_cause(m: &Value, since: Option<&str>, with_replay: bool) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for request in m["requests"].as_array().unwrap() {
        if request["outcome"] != "denied" {
            continue;
        }
        if let Some(since) = since
            && request["time"].as_str().unwrap() < since
        {
            continue;
        }
        let field = if with_replay { "cause_with_policy_replay" } else { "cause" };
        *counts.entry(request[field].as_str().unwrap().to_owned()).or_default() += 1;
    }
    counts
}

fn got_by_cause(report: &Value) -> BTreeMap<String, u64> {
    report["totals"]["by_cause"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, n)| n.as_u64().unwrap() > 0)
        .map(|(cause, n)| (cause.clone(), n.as_u64().unwrap()))
        .collect()
}

#[test]
fn denied_counts_by_cause_match_the_manifest() {
    let m = manifest();
    let report = run_json(["denied", &sample(), "--format", "json", "--all-causes"]);
    assert_eq!(got_by_cause(&report), expected_by_cause(&m, None, false));
    let at = m["at"].as_str().unwrap();
    let report = run_json(["denied", &sample(), "--format", "json", "--all-causes", "--at", at, "--since", "24h"]);
    assert_eq!(report["window"]["since"], m["since_24h"]);
    assert_eq!(got_by_cause(&report), expected_by_cause(&m, m["since_24h"].as_str(), false));
}

#[test]
fn denied_with_the_endpoint_policies_replays_plain_denials() {
    let m = manifest();
    let config = common::sample_logs().join("trail-vpce.toml");
    let report =
        run_json(["denied", &sample(), "--format", "json", "--all-causes", "--config", config.to_str().unwrap()]);
    assert_eq!(got_by_cause(&report), expected_by_cause(&m, None, true));
    // Every replayed row names the deciding statement when the deny was explicit.
    for row in report["denials"].as_array().unwrap() {
        if row["evidence"] == "policy-replay" && row["deny"] == "explicit" {
            assert!(row["statement"].is_string(), "{row}");
        }
    }
    // The same through --policy flags.
    let mut args = vec!["denied".to_owned(), sample(), "--format".into(), "json".into(), "--all-causes".into()];
    for vpce in ["vpce-0a1b2c3d4e5f60001", "vpce-0a1b2c3d4e5f60002", "vpce-0a1b2c3d4e5f60003"] {
        args.push("--policy".into());
        args.push(format!("{vpce}={}", common::sample_logs().join(format!("policies/{vpce}.json")).display()));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let by_flags = run_json(&args);
    // Without the account → org map from the config, aws:PrincipalOrgID is unknown: replay may settle less,
    // but never contradicts the configured run.
    for (cause, n) in got_by_cause(&by_flags) {
        if cause == "vpce-policy" {
            assert!(n <= got_by_cause(&report)["vpce-policy"]);
        }
    }
}

#[test]
fn denied_counts_by_endpoint_and_cause_match_the_manifest() {
    let m = manifest();
    let sample = sample();
    let output = common::run(["denied", &sample, "--all-causes", "--format", "ndjson", "-q"]);
    let mut got: BTreeMap<(String, String), u64> = BTreeMap::new();
    for line in output.stdout_text().lines() {
        let request: Value = serde_json::from_str(line).unwrap();
        let vpce = request["vpce"].as_str().unwrap_or("-").to_owned();
        *got.entry((vpce, request["cause"].as_str().unwrap().to_owned())).or_default() += 1;
    }
    let mut want: BTreeMap<(String, String), u64> = BTreeMap::new();
    for request in m["requests"].as_array().unwrap() {
        if request["outcome"] != "denied" {
            continue;
        }
        // S3 access log lines carry no endpoint id; without the config's CIDRs they are not attributed.
        let vpce = if request["log"] == "s3-access-log" { "-" } else { request["vpce"].as_str().unwrap_or("-") };
        *want.entry((vpce.to_owned(), request["cause"].as_str().unwrap().to_owned())).or_default() += 1;
    }
    assert_eq!(got, want);
}
