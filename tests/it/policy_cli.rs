//! `trail-vpce policy eval` (single and batch; closed and open world) and `trail-vpce policy lint` (exact
//! codes and exit statuses) through the binary.

use crate::common;

use serde_json::{Value, json};

fn s3_policy() -> String {
    common::sample_logs().join("policies/vpce-0a1b2c3d4e5f60001.json").display().to_string()
}

const APP: &str = "arn:aws:iam::111122223333:role/App";

fn eval(args: &[&str], stdin: &str) -> (i32, Vec<Value>, String) {
    let run = common::run_stdin(["policy", "eval"].iter().chain(args), stdin);
    let lines = run.stdout_text().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    (run.code, lines, run.stderr)
}

fn decision(decision: &str, statements: &[&str], missing_keys: &[&str]) -> Value {
    json!({"decision": decision, "statements": statements, "missing_keys": missing_keys})
}

#[test]
fn single_requests_closed_and_open_world() {
    let policy = s3_policy();
    let org = json!({"aws:PrincipalOrgID": "o-a1b2c3d4e5", "aws:ResourceAccount": "111122223333"});
    let get = |context: Value, unknown: &[&str]| {
        json!({"principal": APP, "action": "s3:GetObject", "resource": "arn:aws:s3:::app-data-111122223333/reports/a.csv",
               "context": context, "unknown_keys": unknown})
        .to_string()
    };
    let cases = [
        (get(org.clone(), &[]), decision("allow", &["AllowOrgPrincipalsOnOrgBuckets"], &[])),
        // Closed world: no organization id given means none.
        (get(json!({"aws:ResourceAccount": "111122223333"}), &[]), decision("implicit-deny", &[], &[])),
        // Open on one key: the answer waits on it.
        (
            get(json!({"aws:ResourceAccount": "111122223333"}), &["aws:PrincipalOrgID"]),
            decision("unknown", &["AllowOrgPrincipalsOnOrgBuckets"], &["aws:principalorgid"]),
        ),
        // Both deny statements apply when the resource account is absent (StringNotEquals matches absence).
        (
            json!({"principal": APP, "action": "s3:DeleteObject", "resource": "arn:aws:s3:::app-logs-111122223333/x"})
                .to_string(),
            decision("explicit-deny", &["DenyLogTampering", "DenyResourcesOutsideOrgAccounts"], &[]),
        ),
        (
            json!({"principal": APP, "action": "s3:DeleteObject", "resource": "arn:aws:s3:::app-logs-111122223333/x",
                   "context": {"aws:ResourceAccount": "111122223333"}})
            .to_string(),
            decision("explicit-deny", &["DenyLogTampering"], &[]),
        ),
    ];
    for (request, want) in cases {
        let (code, lines, stderr) = eval(&["--policy", &policy, "--request", "-"], &request);
        assert_eq!(code, 0, "{request}: {stderr}");
        assert_eq!(lines, vec![want], "{request}");
    }
    // From a file, and a bad request: exit 2 with the problem named.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("req.json");
    std::fs::write(&file, get(org, &[])).unwrap();
    let (code, lines, _) = eval(&["--policy", &policy, "--request", file.to_str().unwrap()], "");
    assert_eq!((code, lines[0]["decision"].as_str()), (0, Some("allow")));
    let (code, lines, stderr) =
        eval(&["--policy", &policy, "--request", "-"], r#"{"principal": "x", "actoin": "s3:GetObject"}"#);
    assert_eq!(code, 2);
    assert!(lines.is_empty());
    assert!(stderr.contains("actoin"), "{stderr}");
}

#[test]
fn endpoint_kind_changes_what_an_account_principal_means() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.json");
    std::fs::write(
        &policy,
        r#"{"Statement":[{"Sid":"Acct","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Decrypt","Resource":"*"}]}"#,
    )
    .unwrap();
    let request =
        json!({"principal": APP, "action": "kms:Decrypt", "resource": "arn:aws:kms:us-east-1:111122223333:key/k"})
            .to_string();
    let policy = policy.to_str().unwrap();
    let (_, gateway, _) = eval(&["--policy", policy, "--request", "-"], &request);
    let (_, interface, _) = eval(&["--policy", policy, "--request", "-", "--endpoint-kind", "interface"], &request);
    assert_eq!(gateway, vec![decision("implicit-deny", &[], &[])]);
    assert_eq!(interface, vec![decision("allow", &["Acct"], &[])]);
}

#[test]
fn batch_goes_on_past_bad_lines() {
    let lines = [
        json!({"principal": APP, "action": "s3:GetObject", "resource": "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/l"}).to_string(),
        "{not json".to_owned(),
        String::new(),
        json!({"principal": APP, "action": "s3:GetObject", "resource": "arn:aws:s3:::app-data-111122223333/k",
               "unknown_keys": ["aws:PrincipalOrgID", "aws:ResourceAccount"]})
        .to_string(),
        json!({"action": "s3:GetObject", "context": {"aws:SourceVpce": 7.5, "bad": [{}]}}).to_string(),
    ];
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("reqs.ndjson");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let (code, out, stderr) = eval(&["--policy", &s3_policy(), "--requests", file.to_str().unwrap()], "");
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(out.len(), 4, "blank lines are skipped: {out:?}");
    assert_eq!(out[0], decision("allow", &["AllowEcrLayerDownloads"], &[]));
    assert!(out[1]["error"].as_str().unwrap().contains("line 2"), "{}", out[1]);
    assert_eq!(out[2]["decision"], "unknown");
    assert_eq!(out[2]["missing_keys"], json!(["aws:principalorgid", "aws:resourceaccount"]));
    let error = out[3]["error"].as_str().unwrap();
    assert!(error.contains("line 5") && error.contains("context.bad"), "{error}");
    assert!(stderr.contains("line 2") && stderr.contains("line 5"), "{stderr}");
    // Through stdin, all good: exit 0.
    let (code, out, _) = eval(&["--policy", &s3_policy(), "--requests", "-"], &format!("{}\n{}\n", lines[0], lines[3]));
    assert_eq!((code, out.len()), (0, 2));
}

/// A gateway policy with known problems: an account principal, a wildcard on aws:PrincipalAccount, s3:* on
/// Resource *, and padding past 20,480 characters.
fn bad_policy(dir: &std::path::Path) -> String {
    let padding: Vec<String> = (0..700).map(|i| format!("arn:aws:s3:::bucket-{i:05}/*")).collect();
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "RootOnly", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::app-data/*"},
        {"Sid": "AnyAccount", "Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::app-data/*",
         "Condition": {"StringLike": {"aws:PrincipalAccount": "1111*"}}},
        {"Sid": "Everything", "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"},
        {"Sid": "Padding", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": padding}]});
    let path = dir.join("bad.json");
    std::fs::write(&path, serde_json::to_string_pretty(&policy).unwrap()).unwrap();
    path.display().to_string()
}

fn lint(args: &[&str]) -> (i32, String, String) {
    let run = common::run(["policy", "lint"].iter().chain(args));
    (run.code, run.stdout_text(), run.stderr)
}

#[test]
fn lint_reports_exact_codes_and_exit_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let bad = bad_policy(dir.path());
    let (code, out, _) = lint(&[&bad, "--endpoint-kind", "gateway", "--format", "json"]);
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["command"], "policy lint");
    let findings: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["severity"].as_str().unwrap().into(),
                f["code"].as_str().unwrap().into(),
                f["path"].as_str().unwrap().into(),
            )
        })
        .collect();
    let want = [
        ("error", "too-large", "$"),
        ("error", "gateway-principal", "Statement[0].Principal"),
        ("error", "system-id-wildcard", "Statement[1].Condition.StringLike.aws:PrincipalAccount"),
        ("error", "short-wildcard-context", "Statement[1].Condition.StringLike.aws:PrincipalAccount[0]"),
        ("warning", "wide-open", "Statement[2]"),
    ];
    let want: Vec<(String, String, String)> =
        want.iter().map(|(a, b, c)| ((*a).into(), (*b).into(), (*c).into())).collect();
    assert_eq!(findings, want);
    assert_eq!((report["errors"].as_u64(), report["warnings"].as_u64()), (Some(4), Some(1)));
    // Table: one row per finding, messages whole.
    let (code, table, _) = lint(&[&bad, "--endpoint-kind", "gateway"]);
    assert_eq!(code, 1);
    assert!(table.starts_with("SEVERITY"), "{table}");
    assert!(table.contains("restrict principals with aws:PrincipalArn"), "{table}");
    // Without the endpoint kind the gateway rule does not run.
    let (_, out, _) = lint(&[&bad, "--format", "json"]);
    assert!(!out.contains("gateway-principal"));
    // Only a warning: exit 0. The sample policies are clean.
    let wide = dir.path().join("wide.json");
    std::fs::write(&wide, r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#).unwrap();
    let (code, out, _) = lint(&[wide.to_str().unwrap(), "--endpoint-kind", "gateway"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("wide-open"));
    for vpce in ["vpce-0a1b2c3d4e5f60001", "vpce-0a1b2c3d4e5f60002"] {
        let path = common::sample_logs().join(format!("policies/{vpce}.json"));
        let (code, out, _) = lint(&[path.to_str().unwrap(), "--endpoint-kind", "gateway"]);
        assert_eq!(code, 0, "{vpce}: {out}");
    }
    // A policy that does not parse: exit 2, the JSON path in the message.
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"},{"Effect":"Perhaps"}]}"#).unwrap();
    let (code, out, stderr) = lint(&[broken.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(stderr.contains("Statement[1].Effect"), "{stderr}");
}
