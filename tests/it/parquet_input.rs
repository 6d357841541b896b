//! Parquet sources: trail-vpce's own export read back ("export once, ask many times": every command answers
//! the same over an export of sample-logs as over sample-logs), OCSF API Activity as Amazon Security Lake writes
//! CloudTrail (the public samples in ../shared/fixtures/real/ocsf, and files generated here), and damaged
//! Parquet in the books.

mod ocsf_gen;

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{self, run, run_json, sample, sample_config};

/// `trail-vpce export SOURCE --out DIR` (plus `extra`) into a fresh folder.
fn export(source: &str, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("events");
    let mut args = vec!["export", source, "--out", out.to_str().unwrap(), "-q"];
    args.extend_from_slice(extra);
    let done = run(&args);
    assert_eq!(done.code, 0, "{}", done.stderr);
    (dir, out)
}

/// The input books fields that describe the files, not the events: they differ between sample-logs and its
/// export by construction (below). Everything else of a report must be equal.
const FILE_BOOKS: &[&str] = &[
    // 77 log files (gzip JSON, access logs) against 8 Parquet files.
    "files",
    // Decompressed JSON bytes against compressed Parquet column bytes.
    "bytes",
    // sample-logs' digests, Insight file, policies and README are not exported.
    "digest_files",
    "skipped_files",
    "skipped",
    "empty_files",
    "insight_records",
    // Duplicates were dropped and damaged records rejected on the way in: the export holds the survivors.
    "duplicate_records",
    "bad_records",
    "bad_files",
    "bad_record_samples",
];

/// The analysis-facing books: the same over the export.
const EVENT_BOOKS: &[&str] =
    &["records", "access_log_lines", "event_categories", "aggregated_records", "filtered_out", "notes"];

fn without_file_books(mut report: Value) -> Value {
    if let Some(input) = report.get_mut("input").and_then(Value::as_object_mut) {
        for field in FILE_BOOKS {
            input.remove(*field);
        }
    }
    report
}

#[test]
fn every_command_answers_the_same_over_an_export_of_sample_logs() {
    let config = sample_config();
    let (_dir, events) = export(&sample(), &["--config", &config]);
    let events = events.display().to_string();
    let policy_dir = tempfile::tempdir().unwrap();
    let narrow = policy_dir.path().join("narrow.json");
    std::fs::write(
        &narrow,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#,
    )
    .unwrap();
    let check_policy = format!("vpce-0a1b2c3d4e5f60001={}", narrow.display());
    let commands: Vec<Vec<&str>> = vec![
        vec!["scan"],
        vec!["denied", "--all-causes"],
        vec!["denied", "--since", "2026-11-20", "--at", "2026-11-22T00:00:00Z"],
        vec!["outside"],
        vec!["propose"],
        vec!["propose", "--vpce", "vpce-0a1b2c3d4e5f60002"],
        // Policy replay: the configured policies, and a candidate.
        vec!["check"],
        vec!["check", "--policy", &check_policy],
        vec!["timeline", "--access-key", "ASIAQX4ZB7KDN5M8Y2CV", "--ip", "203.0.113.50"],
        vec!["timeline", "--vpce", "vpce-0a1b2c3d4e5f60001"],
    ];
    for command in commands {
        let ask = |source: &str| {
            let mut args = vec![command[0], source];
            args.extend_from_slice(&command[1..]);
            args.extend_from_slice(&["--config", &config, "--format", "json"]);
            // `check` exits 1 when the candidate breaks something: the same code either way.
            let done = run(args.iter().chain(&["-q"]));
            (done.code, done.json())
        };
        let (raw_code, raw) = ask(&sample());
        let (export_code, exported) = ask(&events);
        assert_eq!(raw_code, export_code, "{command:?}");
        // The analysis books agree...
        for field in EVENT_BOOKS {
            assert_eq!(raw["input"].get(*field), exported["input"].get(*field), "{command:?}: input.{field}");
        }
        // ...and so does everything else, the input's file books aside.
        assert_eq!(without_file_books(raw.clone()), without_file_books(exported.clone()), "{command:?}");
        // The file books differ, as said above (the export has no duplicates, digests or damage left).
        if raw.get("input").is_some() {
            assert_eq!(
                exported["input"]["files"].as_u64(),
                Some(parquet_parts(Path::new(&events)).len() as u64),
                "{command:?}"
            );
            assert_eq!(exported["input"]["duplicate_records"], 0, "{command:?}");
            assert!(raw["input"]["duplicate_records"].as_u64().unwrap() > 0, "{command:?}");
        }
    }
}

/// The strongest form: every event read back from the export equals the event it was written from.
#[test]
fn an_export_reads_back_event_for_event() {
    let (_dir, events) = export(&sample(), &[]);
    let (raw, _) = common::collect(&[sample()], 2);
    let (back, books) = common::collect(&[events.display().to_string()], 2);
    assert_eq!(books.bad_records, 0);
    assert!(books.bad_files.is_empty(), "{:?}", books.bad_files);
    assert_eq!(raw.len(), back.len());
    for (a, b) in raw.iter().zip(&back) {
        assert_eq!(a, b);
    }
}

/// An export written before the rebuild columns existed (the columns of `sql/README.md` before them) still
/// reads: the same requests, IAM accesses derived again from the event name and request facts.
#[test]
fn an_export_without_the_rebuild_columns_still_reads() {
    let (_dir, events) = export(&sample(), &[]);
    let (raw, _) = common::collect(&[sample()], 2);
    let (back, books) = common::collect(&[events.display().to_string()], 2);
    assert_eq!(raw.len(), back.len());
    assert_eq!(books.bad_records, 0);
    // The same export, less the rebuild columns (as an export written before them), with polars.
    let old_dir = events.with_file_name("old");
    std::fs::create_dir(&old_dir).unwrap();
    let columns = [
        "time",
        "log",
        "event_source",
        "event_name",
        "actions",
        "resources",
        "resource_accounts",
        "region",
        "principal",
        "principal_type",
        "principal_account",
        "identity_arn",
        "session_name",
        "access_key_id",
        "invoked_by",
        "ec2_role_delivery",
        "source_ip",
        "user_agent",
        "vpce",
        "vpce_operator",
        "endpoint_id",
        "vpce_account",
        "aws_internal_endpoint",
        "outcome",
        "error_code",
        "error_message",
        "cause",
        "deny",
        "evidence",
        "category",
        "event_type",
        "event_id",
        "recipient_account",
        "tls_version",
        "read_only",
        "bucket",
        "key",
        "http_status",
    ];
    for (i, part) in parquet_parts(&events).iter().enumerate() {
        use polars::prelude::*;
        let frame = ParquetReader::new(std::fs::File::open(part).unwrap()).finish().unwrap();
        let mut old = frame.select(columns).unwrap();
        let file = std::fs::File::create(old_dir.join(format!("part-{i}.parquet"))).unwrap();
        ParquetWriter::new(file).finish(&mut old).unwrap();
    }
    let old = old_dir;
    let (old_back, books) = common::collect(&[old.display().to_string()], 2);
    assert_eq!(books.bad_records, 0);
    assert_eq!(old_back.len(), raw.len());
    let names = |events: &[String]| -> Vec<String> {
        let mut names: Vec<String> = events
            .iter()
            .map(|e| {
                let e: Value = serde_json::from_str(e).unwrap();
                format!("{} {}", e["event_name"], e["event_id"])
            })
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(&old_back), names(&raw));
    // IAM accesses: equal but for those of multi-item calls, which only the raw record lists.
    let accesses = |events: &[String]| -> Vec<String> {
        let mut accesses: Vec<String> = events
            .iter()
            .map(|e| {
                let e: Value = serde_json::from_str(e).unwrap();
                format!("{} {} {} {}", e["event_id"], e["time"], e["event_name"], e["accesses"])
            })
            .collect();
        accesses.sort();
        accesses
    };
    let (raw, old_back) = (accesses(&raw), accesses(&old_back));
    // What the old columns lost, and the rebuild columns now carry: the DynamoDB index a Query used
    // (`index_name`), the object version a call named (`version_id`: GetObject becomes `s3:GetObjectVersion`)
    // and a copy's source (`copy_source`: CopyObject also reads it). Every other event's accesses are derived
    // again exactly.
    let mut differ = std::collections::BTreeMap::<&str, usize>::new();
    for (a, b) in raw.iter().zip(&old_back).filter(|(a, b)| a != b) {
        let lost = if a.contains("/index/") {
            "index_name"
        } else if a.contains("Version") {
            "version_id"
        } else if a.contains("\"CopyObject\"") || a.contains("\"UploadPartCopy\"") {
            "copy_source"
        } else {
            panic!("{a}\n{b}")
        };
        *differ.entry(lost).or_default() += 1;
    }
    eprintln!("events whose accesses an old export loses, by missing column: {differ:?}");
    let differ: usize = differ.values().sum();
    assert!(differ > 0 && differ * 10 < raw.len(), "{differ} of {} events differ", raw.len());
}

/// The Parquet files of an export, in name order.
fn parquet_parts(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .collect()
}

/// The OCSF samples beside the project, or `None` with a notice.
fn ocsf_fixtures() -> Option<PathBuf> {
    let path = common::real_fixtures()?.join("ocsf");
    if path.is_dir() {
        Some(path)
    } else {
        eprintln!("NOTICE: {} absent; OCSF fixture tests skipped", path.display());
        None
    }
}

#[test]
fn security_lake_samples_are_read_and_the_other_classes_rejected() {
    let Some(ocsf) = ocsf_fixtures() else { return };
    let lake = ocsf.join("amazon-security-lake-ocsf-validation");
    let file = |version: &str, class: &str| {
        lake.join(version)
            .join(class)
            .join(format!("amazon-security-lake-ocsf-validation_{version}_{class}_all-rows.derived.parquet"))
    };
    // (file, records, rejected, reason of the rejections)
    let cases = [
        (file("1.1.0", "api_activity"), 7, 0, None),
        (file("1.0.0-rc.2", "api_activity"), 7, 0, None),
        (
            file("1.1.0", "authentication"),
            0,
            6,
            Some("OCSF class 3002 (Authentication) is not API Activity (6003): not read"),
        ),
        (
            file("1.1.0", "account_change"),
            0,
            7,
            Some("OCSF class 3001 (Account Change) is not API Activity (6003): not read"),
        ),
        (
            file("1.0.0-rc.2", "authentication"),
            0,
            7,
            Some("OCSF class 3002 (Authentication) is not API Activity (6003): not read"),
        ),
    ];
    for (path, records, rejected, reason) in cases {
        let input = run_json(["scan", path.to_str().unwrap(), "--format", "json"])["input"].clone();
        assert_eq!(
            (input["records"].as_u64(), input["bad_records"].as_u64()),
            (Some(records), Some(rejected)),
            "{path:?}: {input}"
        );
        assert_eq!(input["files"], 1);
        assert!(input["bad_files"].as_array().unwrap().is_empty(), "{input}");
        if let Some(reason) = reason {
            assert!(common::samples(&input).iter().all(|s| s.2 == reason), "{input}");
        }
        // What OCSF loses is said at run time.
        assert!(input["notes"][0].as_str().unwrap().contains("vpcEndpointAccountId"), "{input}");
    }
}

#[test]
fn the_security_lake_denial_keeps_its_wording_and_the_endpoint_its_id() {
    let Some(ocsf) = ocsf_fixtures() else { return };
    for version in ["1.1.0", "1.0.0-rc.2"] {
        let path = ocsf.join(format!(
            "amazon-security-lake-ocsf-validation/{version}/api_activity/amazon-security-lake-ocsf-validation_{version}_api_activity_all-rows.derived.parquet"
        ));
        let report = run_json(["denied", path.to_str().unwrap(), "--all-causes", "--format", "json"]);
        let denials = report["denials"].as_array().unwrap();
        assert_eq!(denials.len(), 1, "{version}: {report}");
        assert_eq!(denials[0]["action"], "apigateway:GET", "{version}");
        assert!(denials[0]["principal"].as_str().unwrap().ends_with(":user/Level6"), "{version}");
        assert_eq!(report["totals"]["denied_requests"], 1, "{version}: {report}");
    }
    // The one sample with an endpoint: Security Lake writing to its own bucket through vpce-075fd6c1ec2dfec74.
    let put =
        ocsf.join("amazon-security-lake-custom-data/amazon-security-lake-custom-data_README.md.PutObject.parquet");
    let report = run_json(["scan", put.to_str().unwrap(), "--format", "json"]);
    // A service writing for itself: the endpoint may be told AWS-operated; either way it is named.
    let endpoints: Vec<&str> = ["endpoints", "aws_operated_endpoints"]
        .iter()
        .flat_map(|list| report[*list].as_array().unwrap().iter().filter_map(|e| e["vpce"].as_str()))
        .collect();
    assert_eq!(endpoints, ["vpce-075fd6c1ec2dfec74"], "{report}");
    assert_eq!(report["input"]["event_categories"]["Data"], 1);
}

/// Security Lake's OCSF row and the raw CloudTrail record it was made from give the same event, apart from
/// what OCSF does not carry.
#[test]
fn ocsf_rows_and_their_raw_records_agree() {
    let Some(ocsf) = ocsf_fixtures() else { return };
    let dir = ocsf.join("amazon-security-lake-ocsf-validation/1.1.0/api_activity");
    let (raw, _) = common::collect(&[dir.join("input").display().to_string()], 1);
    let (lake, books) = common::collect(
        &[dir
            .join("amazon-security-lake-ocsf-validation_1.1.0_api_activity_all-rows.derived.parquet")
            .display()
            .to_string()],
        1,
    );
    assert_eq!(books.records, 7);
    let fields = [
        "time",
        "event_source",
        "event_name",
        "region",
        "principal",
        "source_ip",
        "user_agent",
        "outcome",
        "event_id",
        "recipient_account",
        "read_only",
        "accesses",
        "vpce",
    ];
    let pick = |events: &[String]| -> Vec<Vec<Value>> {
        let mut picked: Vec<Vec<Value>> = events
            .iter()
            .map(|e| {
                let e: Value = serde_json::from_str(e).unwrap();
                fields.iter().map(|f| e[*f].clone()).collect()
            })
            .collect();
        picked.sort_by_key(|p| p[1].to_string() + &p[2].to_string());
        picked
    };
    let (raw, lake) = (pick(&raw), pick(&lake));
    assert_eq!(raw.len(), lake.len());
    for (a, b) in raw.iter().zip(&lake) {
        for ((field, x), y) in fields.iter().zip(a).zip(b) {
            if *field == "principal" {
                // userIdentity.type/arn/accountId survive; `sessionContext` details beyond the issuer do not.
                assert_eq!((&x["arn"], &x["kind"], &x["account"]), (&y["arn"], &y["kind"], &y["account"]), "{field}");
            } else {
                assert_eq!(x, y, "{field} of {:?}", a[2]);
            }
        }
    }
}

fn write_ocsf(dir: &Path, name: &str, events: &[Value], rows_per_group: usize) -> PathBuf {
    let path = dir.join(name);
    ocsf_gen::write(&path, events, rows_per_group);
    path
}

#[test]
fn generated_ocsf_denials_are_classified_by_their_wording() {
    let dir = tempfile::tempdir().unwrap();
    for version in ["1.1.0", "1.5.0"] {
        let mut events: Vec<Value> =
            (0..6).map(|i| ocsf_gen::get_object(version, i, "vpce-0a1b2c3d4e5f60001", i % 2 == 0)).collect();
        // One row of another class, one without a time: rejected, counted.
        let mut login = ocsf_gen::get_object(version, 100, "vpce-0a1b2c3d4e5f60001", false);
        login["class_uid"] = 3002.into();
        let mut timeless = ocsf_gen::get_object(version, 101, "vpce-0a1b2c3d4e5f60001", false);
        timeless["time"] = Value::Null;
        timeless["time_dt"] = Value::Null;
        events.extend([login, timeless]);
        // Three row groups: the reader goes group by group.
        let path = write_ocsf(dir.path(), &format!("{version}.parquet"), &events, 3);
        let report = run_json(["denied", path.to_str().unwrap(), "--format", "json", "--config", &sample_config()]);
        let input = &report["input"];
        assert_eq!(
            (input["records"].as_u64(), input["bad_records"].as_u64()),
            (Some(6), Some(2)),
            "{version}: {input}"
        );
        let reasons: Vec<String> = common::samples(input).into_iter().map(|s| s.2).collect();
        assert_eq!(
            reasons,
            ["OCSF class 3002 (Authentication) is not API Activity (6003): not read", "OCSF row with no time"]
        );
        assert_eq!(report["totals"]["by_cause"]["vpce-policy"], 3, "{version}: {report}");
        let denials = report["denials"].as_array().unwrap();
        assert!(
            denials.iter().all(|d| d["vpce"] == "vpce-0a1b2c3d4e5f60001" && d["cause"] == "vpce-policy"),
            "{report}"
        );
        assert_eq!(denials.iter().map(|d| d["count"].as_u64().unwrap()).sum::<u64>(), 3, "{version}: {report}");
    }
}

/// Reading N → 10N rows reads about 10× the bytes and analyses 10× the records.
#[test]
fn ocsf_reading_scales_with_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let books = |n: usize| {
        let events: Vec<Value> = (0..n).map(|i| ocsf_gen::get_object("1.1.0", i, "vpce-1", i % 3 == 0)).collect();
        let path = write_ocsf(dir.path(), &format!("{n}.parquet"), &events, 500);
        let input = run_json(["scan", path.to_str().unwrap(), "--format", "json"])["input"].clone();
        (input["records"].as_u64().unwrap(), input["bytes"].as_u64().unwrap())
    };
    let (small_records, small_bytes) = books(300);
    let (large_records, large_bytes) = books(3_000);
    assert_eq!((small_records, large_records), (300, 3_000));
    let ratio = large_bytes as f64 / small_bytes as f64;
    assert!((8.0..12.0).contains(&ratio), "bytes {small_bytes} → {large_bytes}: {ratio:.2}×");
}

#[test]
fn damaged_and_foreign_parquet_are_bad_files_with_a_reason() {
    let (_dir, events) = export(&sample(), &[]);
    let part = parquet_parts(&events).remove(0);
    let bytes = std::fs::read(&part).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The first page header (right after the leading magic) overwritten: the column fails to decode.
    let mut corrupt = bytes.clone();
    corrupt[4..68].fill(0xA5);
    // Parquet of some other schema (a table of two columns).
    let unknown = {
        use polars::prelude::*;
        let mut frame = df!("event_name" => ["GetObject"], "count" => [1u64]).unwrap();
        let mut data = Vec::new();
        ParquetWriter::new(&mut data).finish(&mut frame).unwrap();
        data
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated.parquet", bytes[..bytes.len() / 2].to_vec(), "damaged Parquet file"),
        ("magic-only.parquet", b"PAR1".to_vec(), "damaged Parquet file"),
        ("garbage.parquet", [b"PAR1".as_slice(), &[0x42; 100], b"PAR1"].concat(), "damaged Parquet file"),
        ("corrupt.parquet", corrupt, "damaged Parquet file"),
        ("unknown.parquet", unknown, "Parquet of unknown schema"),
    ];
    for (name, data, reason) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &data).unwrap();
        let done = run(["scan", path.to_str().unwrap(), "--format", "json", "-q"]);
        assert_eq!(done.code, 0, "{name}: {}", done.stderr);
        let input = done.input();
        let (bad, error, _) = common::only_bad_file(&input);
        assert!(bad.ends_with(name), "{name}");
        assert!(error.contains(reason), "{name}: {error}");
        assert_eq!(input["files"], 1, "{name}");
    }
    // Damage anywhere else (Parquet has no checksums: a page may decode to other values) never panics, and
    // the file is read or refused whole by row group.
    for at in (0..bytes.len() - 8).step_by(bytes.len() / 40) {
        let mut damaged = bytes.clone();
        damaged[at..at + 8].fill(0xA5);
        let path = dir.path().join(format!("damaged-{at}.parquet"));
        std::fs::write(&path, &damaged).unwrap();
        let input = run(["scan", path.to_str().unwrap(), "--format", "json", "-q"]).input();
        assert_eq!(input["files"], 1, "{at}: {input}");
    }
}

#[test]
fn parquet_from_stdin_and_archives_is_spooled_and_read() {
    let (_dir, events) = export(&sample(), &[]);
    let parts = parquet_parts(&events);
    let direct = run_json(["scan", parts[0].to_str().unwrap(), "--format", "json"])["input"]["records"].clone();
    assert!(direct.as_u64().unwrap() > 0);
    let piped = std::process::Command::new(env!("CARGO_BIN_EXE_trail-vpce"))
        .args(["scan", "-", "--format", "json", "-q"])
        .stdin(std::fs::File::open(&parts[0]).unwrap())
        .output()
        .unwrap();
    let piped: Value = serde_json::from_slice(&piped.stdout).unwrap();
    assert_eq!(piped["input"]["records"], direct);
    // Inside a tar.gz, entry by entry.
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("export.tar.gz");
    let status = std::process::Command::new("tar")
        .args(["czf", archive.to_str().unwrap(), "-C", events.to_str().unwrap(), "."])
        .status()
        .unwrap();
    assert!(status.success());
    let from_archive = run_json(["scan", archive.to_str().unwrap(), "--format", "json"]);
    let whole = run_json(["scan", events.to_str().unwrap(), "--format", "json"]);
    assert_eq!(from_archive["input"]["records"], whole["input"]["records"]);
    assert_eq!(from_archive["input"]["access_log_lines"], whole["input"]["access_log_lines"]);
    // A stream over the spool cap is a bad file, said so.
    let capped = std::process::Command::new(env!("CARGO_BIN_EXE_trail-vpce"))
        .args(["scan", "-", "--format", "json", "-q", "--max-decompressed-bytes", "100"])
        .stdin(std::fs::File::open(&parts[0]).unwrap())
        .output()
        .unwrap();
    let capped: Value = serde_json::from_slice(&capped.stdout).unwrap();
    let (_, error, _) = common::only_bad_file(&capped["input"]);
    assert!(error.contains("over the --max-decompressed-bytes cap"), "{error}");
}

/// `verify` reads CloudTrail's delivered files only: an export is skipped, each file saying why.
#[cfg(feature = "aws")]
#[test]
fn verify_says_parquet_has_no_digest() {
    let (_dir, events) = export(&sample(), &[]);
    let keys = common::sample_logs().join("../sample-digest-key/public-keys.json");
    let done =
        run(["verify", events.to_str().unwrap(), "--public-keys", keys.to_str().unwrap(), "--format", "json", "-q"]);
    let input = done.input();
    let skipped = input["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), parquet_parts(&events).len(), "{input}");
    for file in skipped {
        assert_eq!(file["reason"], trail_vpce::verify::gather::PARQUET_NO_DIGEST, "{input}");
    }
}

/// An export in S3 reads as on disk: each object spooled to a temporary file, then read by row group.
#[cfg(feature = "aws")]
#[test]
fn an_export_in_s3_reads_as_on_disk() {
    use crate::aws_support::{copy_tree, s3::S3Server, trail_vpce};
    let config = sample_config();
    let (_dir, events) = export(&sample(), &["--config", &config]);
    let root = tempfile::tempdir().unwrap();
    copy_tree(&events, &root.path().join("lake/events"));
    let server = S3Server::start(root.path());
    let ask = |source: &str, extra: &[&str]| -> Value {
        let out = trail_vpce()
            .args(["denied", source, "--all-causes", "--format", "json", "-q", "--config", &config])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let disk = ask(events.to_str().unwrap(), &[]);
    let s3 = ask("s3://lake/events/", &["--endpoint-url", &server.url()]);
    // As many objects read as the export wrote parts (their number depends on how the workers' batches fell).
    assert_eq!(s3["input"]["files"].as_u64(), Some(parquet_parts(&events).len() as u64), "{}", s3["input"]);
    assert_eq!(without_file_books(disk), without_file_books(s3));
}

/// Memory is one row group, not the file: 20× the rows in 500-row groups stays within twice the peak memory.
#[test]
fn ocsf_reading_memory_stays_flat_over_20x_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let peak = |n: usize| {
        let events: Vec<Value> = (0..n).map(|i| ocsf_gen::get_object("1.1.0", i, "vpce-1", i % 7 == 0)).collect();
        let path = write_ocsf(dir.path(), &format!("{n}.parquet"), &events, 500);
        let args: Vec<std::ffi::OsString> =
            ["scan", path.to_str().unwrap(), "--format", "json", "-q", "--threads", "1"].map(Into::into).to_vec();
        let (rss, done) = common::peak_rss_kib(&args);
        assert_eq!(done.code, 0, "{}", done.stderr);
        assert_eq!(done.input()["records"].as_u64(), Some(n as u64));
        rss
    };
    let (Some(small), Some(large)) = (peak(1_500), peak(30_000)) else { return };
    eprintln!("peak RSS: 1,500 rows {small} KiB, 30,000 rows {large} KiB");
    assert!(large <= small * 2, "1,500 rows: {small} KiB; 30,000 rows: {large} KiB");
}
