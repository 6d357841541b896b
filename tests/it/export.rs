//! `export` of sample-logs, read back by DuckDB through the shipped SQL (`sql/`): the same counts as
//! `denied --format json` and `outside --format json`. DuckDB comes from PyPI (`.ci/run` installs it); without
//! it the test prints a notice and skips, unless TRAIL_VPCE_REQUIRE_DUCKDB=1 (as in CI) makes that a failure.

use crate::common;

use std::collections::BTreeMap;

use serde_json::Value;

use common::run_json as tool;

fn duckdb(export: &std::path::Path) -> Option<Value> {
    let root = env!("CARGO_MANIFEST_DIR");
    let output = std::process::Command::new("python3")
        .arg(format!("{root}/tests/duckdb_check.py"))
        .arg(export)
        .arg(format!("{root}/sql"))
        .output();
    let required = std::env::var("TRAIL_VPCE_REQUIRE_DUCKDB").is_ok_and(|v| v == "1");
    match output {
        Ok(out) if out.status.success() => Some(serde_json::from_slice(&out.stdout).unwrap()),
        Ok(out) if out.status.code() == Some(3) && !required => {
            eprintln!("NOTICE: python3 has no duckdb module (pip install duckdb); skipping the SQL check");
            None
        }
        Err(e) if !required => {
            eprintln!("NOTICE: no python3 ({e}); skipping the SQL check");
            None
        }
        other => panic!("duckdb check failed: {other:?}"),
    }
}

#[test]
fn exported_events_answer_the_same_questions_in_sql() {
    let sample = common::sample_logs().display().to_string();
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("events");
    let output = common::run(["export", &sample, "--out", export.to_str().unwrap(), "--batch-rows", "300", "-q"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    // Hive layout with bounded batches.
    let dates: Vec<String> =
        std::fs::read_dir(&export).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(dates.iter().all(|d| d.starts_with("date=2026-11-")), "{dates:?}");
    // A second export into the same folder is refused (it would double count).
    let again = common::run(["export", &sample, "--out", export.to_str().unwrap(), "-q"]);
    assert_eq!(again.code, 2);

    let Some(sql) = duckdb(&export) else { return };
    let scan = tool(["scan", &sample, "--format", "json"]);
    let input = &scan["input"];
    assert_eq!(
        sql["rows"].as_u64().unwrap(),
        input["records"].as_u64().unwrap() + input["access_log_lines"].as_u64().unwrap()
    );

    let denied = tool(["denied", &sample, "--all-causes", "--format", "json"]);
    let want: BTreeMap<String, u64> = denied["totals"]["by_cause"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, n)| n.as_u64().unwrap() > 0)
        .map(|(k, n)| (k.clone(), n.as_u64().unwrap()))
        .collect();
    let got: BTreeMap<String, u64> = sql["denials_by_cause"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["cause"].as_str().unwrap().to_owned(), r["denied_requests"].as_u64().unwrap()))
        .collect();
    assert_eq!(got, want, "denials by cause");

    let outside = tool(["outside", &sample, "--format", "json"]);
    let findings = outside["findings"].as_array().unwrap();
    let tool_groups = |kind: &str| -> BTreeMap<(String, String), u64> {
        let mut groups = BTreeMap::new();
        for f in findings.iter().filter(|f| f["kind"] == kind) {
            let outcome = if f["outcome"] == "allowed" { "success" } else { "denied" };
            *groups.entry((f["principal"].as_str().unwrap().to_owned(), outcome.to_owned())).or_default() +=
                f["count"].as_u64().unwrap();
        }
        groups
    };
    let sql_groups = |name: &str| -> BTreeMap<(String, String), u64> {
        let mut groups = BTreeMap::new();
        for r in sql[name].as_array().unwrap() {
            *groups
                .entry((r["principal"].as_str().unwrap().to_owned(), r["outcome"].as_str().unwrap().to_owned()))
                .or_default() += r["requests"].as_u64().unwrap();
        }
        groups
    };
    assert_eq!(sql_groups("bypass"), tool_groups("bypass"), "bypass");
    assert_eq!(sql_groups("foreign_resources"), tool_groups("foreign-resource"), "foreign resources");
}

/// Every file an export wrote, by path under the folder, with its bytes.
fn files(dir: &std::path::Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let name = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

fn export_with(input: &std::path::Path, out: &std::path::Path, threads: &str, batch_rows: &str) -> String {
    let output = common::run([
        "export",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--threads",
        threads,
        "--batch-rows",
        batch_rows,
        "-q",
    ]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    // The summary without the folder's name.
    let text = output.stdout_text();
    text.lines().next().unwrap().split(" under ").next().unwrap().to_owned()
}

/// A record of `GetObject` whose id is `id` and whose user agent says which file holds this copy: copies of
/// one event differ in a column de-duplication does not look at, so which copy an export keeps shows.
fn duplicated_record(id: usize, copy: usize) -> Value {
    serde_json::json!({
        "eventVersion": "1.10", "eventTime": format!("2026-11-{:02}T10:00:{:02}Z", 18 + id % 3, id % 60),
        "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1",
        "sourceIPAddress": "10.0.1.5", "userAgent": format!("copy-{copy}"),
        "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLE:i-1", "accountId": "111122223333",
            "arn": "arn:aws:sts::111122223333:assumed-role/App/i-1"},
        "requestParameters": {"bucketName": "b", "key": format!("k{id}")},
        "resources": [{"type": "AWS::S3::Object", "ARN": format!("arn:aws:s3:::b/k{id}")}],
        "eventID": format!("00000000-0000-4000-8000-{id:012}"), "eventType": "AwsApiCall",
        "recipientAccountId": "111122223333", "eventCategory": "Data", "vpcEndpointId": "vpce-0dup"
    })
}

/// `export --threads 1` and `--threads 4` write the same files, byte for byte: the same names, the same rows
/// in each. On sample-logs (small batches, so many parts over four dates), on 20 time-shifted copies of it,
/// and on files that hold copies of each other's events (each event in three neighbouring files, read at the
/// same time by different workers, the copies telling themselves apart by user agent): the copy kept is the
/// first in input order, as one thread keeps it.
#[test]
fn parts_are_the_same_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let scaled = dir.path().join("x20");
    common::scale::write_copies(&common::sample_logs(), &scaled, 20, 4);
    let duplicated = dir.path().join("dup");
    std::fs::create_dir(&duplicated).unwrap();
    const FILES: usize = 24;
    const PER_FILE: usize = 400;
    for file in 0..FILES {
        // File f holds events of groups f-2, f-1 and f (groups of PER_FILE / 2 ids): each event is in up to
        // three files, which neighbouring workers read at once.
        let records: Vec<Value> = (0..PER_FILE)
            .map(|i| {
                let group = (file + i % 3).saturating_sub(2);
                duplicated_record(group * PER_FILE / 2 + i / 3, file)
            })
            .collect();
        let body = serde_json::json!({ "Records": records }).to_string();
        std::fs::write(duplicated.join(format!("trail-{file:03}.json")), body).unwrap();
    }
    let inputs = [(common::sample_logs(), "300"), (scaled, "1000"), (duplicated, "250")];
    for (n, (input, batch_rows)) in inputs.iter().enumerate() {
        let one = dir.path().join(format!("one-{n}"));
        let four = dir.path().join(format!("four-{n}"));
        let summary = export_with(input, &one, "1", batch_rows);
        assert_eq!(export_with(input, &four, "4", batch_rows), summary, "{}", input.display());
        let (one, four) = (files(&one), files(&four));
        assert!(one.len() > 4, "{}: {} parts", input.display(), one.len());
        assert_eq!(one.keys().collect::<Vec<_>>(), four.keys().collect::<Vec<_>>(), "{}", input.display());
        for (name, bytes) in &one {
            assert!(four[name] == *bytes, "{}: {name} differs between 1 and 4 threads", input.display());
        }
    }
}
