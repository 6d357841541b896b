//! `trail-vpce check` on `sample-logs/`: each endpoint's own policy breaks nothing; narrower policies written
//! here break exactly the requests they stop allowing, derived from the raw sample records (read here with
//! flate2 + serde_json, not with the tool's decoder) and cross-checked with the manifest.

use crate::common;

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;

use serde_json::Value;

const S3_VPCE: &str = "vpce-0a1b2c3d4e5f60001";
const ECR_BUCKET: &str = "prod-us-east-1-starport-layer-bucket";
const APP_BUCKET: &str = "app-data-111122223333";

use common::{manifest, sample, sample_config as config};

/// Runs `check ... --format json -q`; returns the exit code and the report (when stdout is JSON).
fn check(args: &[&str]) -> (i32, Value, String) {
    let run = common::run(["check"].iter().chain(args).chain(&["--format", "json", "-q"]));
    let report = serde_json::from_slice(&run.stdout).unwrap_or(Value::Null);
    (run.code, report, run.stderr)
}

fn endpoint<'a>(report: &'a Value, vpce: &str) -> &'a Value {
    report["checks"].as_array().unwrap().iter().find(|c| c["vpce"] == vpce).unwrap_or_else(|| panic!("{vpce}"))
}

/// Every distinct CloudTrail record of the sample world (by eventID), read independently of the tool. The
/// truncated file is skipped (it holds no S3 object request, which the tests check via the manifest counts).
fn raw_records() -> HashMap<String, Value> {
    let mut out = HashMap::new();
    for entry in walkdir::WalkDir::new(common::sample_logs()) {
        let entry = entry.unwrap();
        let path = entry.path().to_string_lossy().into_owned();
        let trail = path.contains("/CloudTrail/") && path.ends_with(".json.gz");
        if !(trail || path.contains("/exports/")) {
            continue;
        }
        let mut text = String::new();
        let read = if trail {
            flate2::read::MultiGzDecoder::new(std::fs::File::open(entry.path()).unwrap()).read_to_string(&mut text)
        } else {
            std::fs::File::open(entry.path()).unwrap().read_to_string(&mut text)
        };
        if read.is_err() {
            continue;
        }
        let records: Vec<Value> = match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(mut o)) => o.remove("Records").and_then(|r| r.as_array().cloned()).unwrap_or_default(),
            Ok(Value::Array(a)) => a,
            _ => text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect(),
        };
        for r in records {
            out.insert(r["eventID"].as_str().unwrap().to_owned(), r);
        }
    }
    out
}

/// (principal, action, resource) → (count, first, last) of the successful S3 data events through the S3
/// endpoint that `pick` selects, as the policy sees them (role ARN, object ARN).
fn expected_groups(
    pick: impl Fn(&Value) -> Option<&'static str>,
) -> BTreeMap<(String, String, String), (u64, String, String)> {
    let mut out: BTreeMap<(String, String, String), (u64, String, String)> = BTreeMap::new();
    for r in raw_records().values() {
        if r["vpcEndpointId"] != S3_VPCE || r["eventCategory"] != "Data" || r.get("errorCode").is_some() {
            continue;
        }
        let Some(action) = pick(r) else { continue };
        let principal = r["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"].as_str().unwrap().to_owned();
        let params = &r["requestParameters"];
        let resource =
            format!("arn:aws:s3:::{}/{}", params["bucketName"].as_str().unwrap(), params["key"].as_str().unwrap());
        let time = r["eventTime"].as_str().unwrap().to_owned();
        let e = out.entry((principal, action.to_owned(), resource)).or_insert((0, time.clone(), time.clone()));
        e.0 += 1;
        e.1 = e.1.clone().min(time.clone());
        e.2 = e.2.clone().max(time);
    }
    out
}

fn got_groups(list: &Value) -> BTreeMap<(String, String, String), (u64, String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|g| {
            assert!(g.get("statement").is_none() && g.get("missing_keys").is_none(), "implicit deny: {g}");
            let s = |k: &str| g[k].as_str().unwrap().to_owned();
            (
                (s("principal"), s("action"), s("resource")),
                (g["count"].as_u64().unwrap(), s("first_seen"), s("last_seen")),
            )
        })
        .collect()
}

/// The S3 endpoint policy without one statement, written to a temp file.
fn without_statement(dir: &Path, sid: &str) -> String {
    let path = common::sample_logs().join(format!("policies/{S3_VPCE}.json"));
    let mut policy: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let statements = policy["Statement"].as_array_mut().unwrap();
    let before = statements.len();
    statements.retain(|s| s["Sid"] != sid);
    assert_eq!(statements.len(), before - 1, "{sid}");
    let out = dir.join(format!("without-{sid}.json"));
    std::fs::write(&out, serde_json::to_string_pretty(&policy).unwrap()).unwrap();
    format!("{S3_VPCE}={}", out.display())
}

#[test]
fn each_endpoints_own_policy_breaks_nothing() {
    let (code, report, stderr) = check(&[&sample(), "--config", &config()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["command"], "check");
    let checks = report["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 3);
    for c in checks {
        assert_eq!(c["would_break"], Value::Array(vec![]), "{}", c["vpce"]);
        let n = |k: &str| c[k].as_u64().unwrap();
        assert_eq!(n("allow") + n("deny") + n("unknown"), n("requests"), "{}", c["vpce"]);
        assert!(c["policy"].as_str().unwrap().ends_with(&format!("{}.json", c["vpce"].as_str().unwrap())));
    }
    // Every API record through an endpoint is replayed once; network activity twins are not counted again.
    let m = manifest();
    for c in checks {
        let vpce = c["vpce"].as_str().unwrap();
        let want = &m["endpoints"][vpce];
        let na = &c["network_activity"];
        assert_eq!(na["events"], want["network_activity_records"], "{vpce}");
        let api_records = want["records"].as_u64().unwrap() - na["events"].as_u64().unwrap();
        let access_log_lines = if vpce == S3_VPCE { attributed_access_log_lines() } else { 0 };
        assert_eq!(
            c["requests"].as_u64().unwrap(),
            api_records + access_log_lines + na["replayed"].as_u64().unwrap(),
            "{vpce}"
        );
        assert_eq!(na["paired"].as_u64().unwrap() + na["replayed"].as_u64().unwrap(), na["events"].as_u64().unwrap());
    }
    // The same with the policies given as flags (no org map, no CIDRs: less is decided, nothing breaks).
    let mut args = vec![sample()];
    for vpce in ["vpce-0a1b2c3d4e5f60001", "vpce-0a1b2c3d4e5f60002", "vpce-0a1b2c3d4e5f60003"] {
        args.push("--policy".into());
        args.push(format!("{vpce}={}", common::sample_logs().join(format!("policies/{vpce}.json")).display()));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, report, stderr) = check(&args);
    assert_eq!(code, 0, "{stderr}");
    assert!(report["checks"].as_array().unwrap().iter().all(|c| c["would_break"] == Value::Array(vec![])));
}

/// S3 access log lines from the S3 endpoint's VPC (10.0.0.0/16), as the config attributes them.
fn attributed_access_log_lines() -> u64 {
    let mut n = 0;
    for entry in std::fs::read_dir(common::sample_logs().join(format!("s3-access-logs/{APP_BUCKET}"))).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut s = String::new();
            flate2::read::MultiGzDecoder::new(&bytes[..]).read_to_string(&mut s).unwrap();
            s
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        };
        // Well-formed lines: bucket owner, bucket, [time zone], remote ip ...
        n += text
            .lines()
            .filter(|l| {
                l.split(' ').nth(1) == Some(APP_BUCKET) && l.split(' ').nth(4).is_some_and(|ip| ip.starts_with("10.0."))
            })
            .count() as u64;
    }
    n
}

#[test]
fn without_the_ecr_statement_every_ecr_layer_read_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let policy = without_statement(dir.path(), "AllowEcrLayerDownloads");
    let (code, report, stderr) = check(&[&sample(), "--config", &config(), "--policy", &policy]);
    assert_eq!(code, 1, "{stderr}");
    let c = endpoint(&report, S3_VPCE);
    assert!(c["policy"].as_str().unwrap().ends_with("without-AllowEcrLayerDownloads.json"));
    let want = expected_groups(|r| {
        (r["eventName"] == "GetObject" && r["requestParameters"]["bucketName"] == ECR_BUCKET).then_some("s3:GetObject")
    });
    let total: u64 = want.values().map(|v| v.0).sum();
    assert_eq!(total, manifest()["aws_owned"][ECR_BUCKET]["records"].as_u64().unwrap());
    assert_eq!(got_groups(&c["would_break"]), want);
    for other in ["vpce-0a1b2c3d4e5f60002", "vpce-0a1b2c3d4e5f60003"] {
        assert_eq!(endpoint(&report, other)["would_break"], Value::Array(vec![]));
    }
}

#[test]
fn without_the_upload_delete_statement_every_upload_delete_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let policy = without_statement(dir.path(), "AllowAppAccountDeletesOfUploads");
    let (code, report, stderr) = check(&[&sample(), "--config", &config(), "--policy", &policy]);
    assert_eq!(code, 1, "{stderr}");
    let want = expected_groups(|r| {
        let p = &r["requestParameters"];
        let upload = p["bucketName"] == APP_BUCKET && p["key"].as_str().is_some_and(|k| k.starts_with("uploads/"));
        (r["eventName"] == "DeleteObject" && upload).then_some("s3:DeleteObject")
    });
    assert!(!want.is_empty());
    assert_eq!(got_groups(&endpoint(&report, S3_VPCE)["would_break"]), want);
    // The table says so too, and ndjson carries one line per group.
    let out = common::run(["check", &sample(), "--config", &config(), "--policy", &policy, "-q"]);
    assert_eq!(out.code, 1);
    let table = out.stdout_text();
    assert!(table.contains(&format!("WOULD BREAK: {} requests in {} groups", want.len(), want.len())), "{table}");
    let out = common::run(["check", &sample(), "--config", &config(), "--policy", &policy, "-q", "--format", "ndjson"]);
    let breaking = out.stdout_text().lines().filter(|l| l.contains(r#""list":"would_break""#)).count();
    assert_eq!(breaking, want.len());
}

#[test]
fn unseen_endpoints_and_usage_errors() {
    let policy = common::sample_logs().join(format!("policies/{S3_VPCE}.json"));
    let (code, report, stderr) =
        check(&[&sample(), "--policy", &format!("vpce-0ffffffffffffffff={}", policy.display())]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["checks"][0]["requests"], 0);
    assert!(report["notes"][0].as_str().unwrap().contains("vpce-0ffffffffffffffff: no request"), "{report}");
    // No candidate at all, a bad --policy, and --strict on an input with a damaged file: exit 2.
    let (code, _, stderr) = check(&[&sample()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no candidate policy"), "{stderr}");
    let (code, _, stderr) = check(&[&sample(), "--policy", "vpce-1=/nonexistent.json"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("/nonexistent.json"), "{stderr}");
    let (code, _, stderr) = check(&[&sample(), "--config", &config(), "--strict"]);
    assert_eq!(code, 2, "{stderr}");
}

/// The fixture for the endpoint condition keys: two endpoints of one organization (different accounts, OUs
/// and VPCs) under one policy that conditions on aws:VpceOrgID, aws:VpceAccount, aws:VpceOrgPaths and
/// aws:SourceVpcArn.
fn keys_fixture(file: &str) -> String {
    format!("{}/tests/fixtures/endpoint-keys/{file}", env!("CARGO_MANIFEST_DIR"))
}

const OUR_VPCE: &str = "vpce-0fe0000000000000a";
const OTHER_VPCE: &str = "vpce-0fe0000000000000b";

#[test]
fn endpoint_keys_decide_the_replay() {
    let (code, report, stderr) = check(&[&keys_fixture("logs"), "--config", &keys_fixture("trail-vpce.toml")]);
    assert_eq!(code, 1, "the other team's request breaks: {stderr}");
    // Our endpoint: event versions 1.10 and 1.09 name the owner (vpcEndpointAccountId), 1.08 does not (the
    // config does); all three satisfy every key.
    let ours = endpoint(&report, OUR_VPCE);
    assert_eq!(
        (ours["requests"].as_u64(), ours["allow"].as_u64(), ours["unknown"].as_u64()),
        (Some(3), Some(3), Some(0))
    );
    assert_eq!(ours["would_break"], Value::Array(vec![]));
    // The other endpoint: another account, OU and VPC; denied, not merely unknown.
    let other = endpoint(&report, OTHER_VPCE);
    assert_eq!((other["deny"].as_u64(), other["unknown"].as_u64()), (Some(1), Some(0)));
    let broken = other["would_break"].as_array().unwrap();
    assert_eq!(broken.len(), 1);
    assert_eq!(broken[0]["principal"], "arn:aws:iam::444455556666:role/Batch");
    assert_eq!(broken[0]["resource"], "arn:aws:s3:::app-data-111122223333/reports/a.csv");

    // Without the inventory the keys are unknown, never guessed: nothing is decided either way.
    let (code, report, stderr) =
        check(&[&keys_fixture("logs"), "--policy", &format!("{OUR_VPCE}={}", keys_fixture("policy.json"))]);
    assert_eq!(code, 0, "{stderr}");
    let ours = endpoint(&report, OUR_VPCE);
    assert_eq!((ours["allow"].as_u64(), ours["deny"].as_u64(), ours["unknown"].as_u64()), (Some(0), Some(0), Some(3)));
}

#[test]
fn endpoint_keys_in_policy_eval() {
    let eval = |request: Value, config: bool| {
        let mut args = vec!["policy".to_owned(), "eval".into(), "--policy".into(), keys_fixture("policy.json")];
        args.extend(["--request".into(), "-".into()]);
        if config {
            args.extend(["--config".into(), keys_fixture("trail-vpce.toml")]);
        }
        let run = common::run_stdin(&args, &request.to_string());
        assert_eq!(run.code, 0, "{}", run.stderr);
        let decision = run.json();
        (decision["decision"].as_str().unwrap().to_owned(), decision["missing_keys"].clone())
    };
    let get = |context: Value| {
        serde_json::json!({"principal": "arn:aws:iam::111122223333:role/App", "action": "s3:GetObject",
                           "resource": "arn:aws:s3:::app-data-111122223333/reports/a.csv", "context": context})
    };
    let ours = serde_json::json!({
        "aws:VpceOrgID": "o-a1b2c3d4e5", "aws:VpceAccount": "111122223333",
        "aws:VpceOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"],
        "aws:SourceVpcArn": "arn:aws:ec2:us-east-1:111122223333:vpc/vpc-0fe0000000000000a"});
    assert_eq!(eval(get(ours.clone()), false).0, "allow");
    for (key, value) in [
        ("aws:VpceOrgID", serde_json::json!("o-zzzzzzzzzz")),
        ("aws:VpceAccount", serde_json::json!("444455556666")),
        ("aws:VpceOrgPaths", serde_json::json!(["o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/"])),
        ("aws:SourceVpcArn", serde_json::json!("arn:aws:ec2:us-west-2:111122223333:vpc/vpc-0fe0000000000000a")),
    ] {
        let mut context = ours.clone();
        context[key] = value;
        assert_eq!(eval(get(context), false).0, "implicit-deny", "{key}");
    }
    // With --config, naming the endpoint is enough: the inventory fills in the rest, as for a record.
    assert_eq!(eval(get(serde_json::json!({"aws:SourceVpce": OUR_VPCE})), true).0, "allow");
    assert_eq!(eval(get(serde_json::json!({"aws:SourceVpce": OTHER_VPCE})), true).0, "implicit-deny");
    let (decision, missing) = eval(get(serde_json::json!({"aws:SourceVpce": "vpce-0fe00000000000009"})), true);
    assert_eq!(decision, "unknown");
    assert!(missing.as_array().unwrap().iter().any(|k| k == "aws:vpceaccount"), "{missing}");
}
