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
