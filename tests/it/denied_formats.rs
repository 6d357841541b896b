//! `denied` output formats on sample-logs: JSON (contract fields), ndjson (one line per denied request),
//! CSV and Parquet (read back), and the exit code of --fail-on-findings.

use crate::common;

use serde_json::Value;

fn denied(args: &[&str]) -> common::Run {
    common::run(["denied", &common::sample()].iter().copied().chain(args.iter().copied()).chain(["-q"]))
}

#[test]
fn json_has_the_contract_fields() {
    let output = denied(&["--format", "json"]);
    assert_eq!(output.code, 0);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    for field in ["command", "version", "window", "input", "denials", "totals"] {
        assert!(report.get(field).is_some(), "missing {field}");
    }
    for field in [
        "files",
        "records",
        "access_log_lines",
        "skipped_files",
        "digest_files",
        "duplicate_records",
        "bad_records",
        "bad_files",
        "event_categories",
    ] {
        assert!(report["input"].get(field).is_some(), "missing input.{field}");
    }
    let row = &report["denials"][0];
    for field in [
        "cause",
        "deny",
        "evidence",
        "vpce",
        "principal",
        "action",
        "resource",
        "count",
        "first_seen",
        "last_seen",
        "source_ips",
        "statement",
        "sample_event_id",
    ] {
        assert!(row.get(field).is_some(), "missing denials[].{field}");
    }
    assert!(report["totals"]["by_cause"].get("vpce-policy").is_some());
    // The default view shows endpoint-policy denials and possibly-endpoint ones only.
    for row in report["denials"].as_array().unwrap() {
        assert!(row["cause"] == "vpce-policy" || row["possibly_vpce"] == true, "{row}");
    }
}

#[test]
fn ndjson_is_one_denied_request_per_line() {
    let json: Value = serde_json::from_slice(&denied(&["--format", "json", "--all-causes"]).stdout).unwrap();
    let output = denied(&["--format", "ndjson", "--all-causes"]);
    assert_eq!(output.code, 0);
    let lines: Vec<Value> =
        String::from_utf8(output.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len() as u64, json["totals"]["denied_requests"].as_u64().unwrap());
    assert!(lines.iter().all(|l| l["cause"].is_string() && l.get("event_id").is_some()));
}

#[test]
fn fail_on_findings_exits_one() {
    assert_eq!(denied(&["--format", "json"]).code, 0);
    assert_eq!(denied(&["--format", "json", "--fail-on-findings"]).code, 1);
    let quiet_window = denied(&[
        "--format",
        "json",
        "--fail-on-findings",
        "--since",
        "2026-11-18T00:00:00Z",
        "--until",
        "2026-11-18T00:00:01Z",
    ]);
    assert_eq!(quiet_window.code, 0);
}

#[cfg(feature = "tabular")]
#[test]
fn csv_and_parquet_carry_the_same_rows() {
    use polars::prelude::*;
    let json: Value = serde_json::from_slice(&denied(&["--format", "json", "--all-causes"]).stdout).unwrap();
    let rows = json["denials"].as_array().unwrap().len();
    let csv = denied(&["--format", "csv", "--all-causes"]);
    assert_eq!(csv.code, 0);
    let text = String::from_utf8(csv.stdout).unwrap();
    assert!(
        text.starts_with("cause,deny,evidence,vpce,principal,action,resource,count,first_seen,last_seen,source_ips")
    );
    let df = CsvReadOptions::default()
        .into_reader_with_file_handle(std::io::Cursor::new(text.into_bytes()))
        .finish()
        .unwrap();
    assert_eq!(df.height(), rows);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("denied.parquet");
    let parquet = denied(&["--format", "parquet", "--all-causes", "--output", path.to_str().unwrap()]);
    assert_eq!(parquet.code, 0, "{}", parquet.stderr);
    let df = ParquetReader::new(std::fs::File::open(&path).unwrap()).finish().unwrap();
    assert_eq!(df.height(), rows);
    let counts = df.column("count").unwrap().u64().unwrap().clone();
    let total: u64 = (0..counts.len()).filter_map(|i| counts.get(i)).sum();
    assert_eq!(total, json["totals"]["shown_requests"].as_u64().unwrap());
}
