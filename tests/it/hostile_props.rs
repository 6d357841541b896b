//! Property tests through the real binary: how records are spread over files, and how many workers read them,
//! never changes a report; a record given twice counts once. Case counts are small (each case runs the binary
//! several times).

use crate::common;

use std::path::Path;

use proptest::prelude::*;
use serde_json::{Value, json};

/// A record fully determined by `(id, variant)`: the same pair twice is a duplicate delivery, a different
/// variant under the same id is a different request. Variants cover endpoint and non-endpoint traffic,
/// denials, other principals and a record that is rejected.
fn record(id: u8, variant: u8) -> String {
    if variant == 5 {
        return format!(r#"{{"eventName":{id},"eventSource":"s3.amazonaws.com"}}"#);
    }
    let mut r = json!({
        "eventVersion": "1.10", "eventTime": format!("2026-11-21T10:{:02}:{:02}Z", variant, id % 60),
        "eventSource": "s3.amazonaws.com", "eventName": if variant.is_multiple_of(2) { "GetObject" } else { "PutObject" },
        "awsRegion": "us-east-1", "sourceIPAddress": "10.0.0.1", "eventID": format!("id-{id}"),
        "userIdentity": {"type": "IAMUser", "arn": format!("arn:aws:iam::111122223333:user/u{}", id % 3),
                          "accountId": "111122223333"},
        "requestParameters": {"bucketName": "b", "key": format!("k{id}")},
        "resources": [{"ARN": format!("arn:aws:s3:::b/k{id}"), "type": "AWS::S3::Object"}],
        "recipientAccountId": "111122223333", "eventCategory": "Data"
    });
    if variant != 2 {
        r["vpcEndpointId"] = json!(format!("vpce-{}", variant % 2));
    }
    if variant == 3 || variant == 4 {
        r["errorCode"] = json!("AccessDenied");
        r["errorMessage"] = json!(format!(
            "User: arn:aws:iam::111122223333:user/u is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/k{id}\" because no VPC endpoint policy allows the s3:GetObject action"
        ));
    }
    if variant == 4 {
        r["userIdentity"]["accountId"] = json!("444455556666");
        r["userIdentity"]["arn"] = json!("arn:aws:iam::444455556666:user/outsider");
    }
    r.to_string()
}

/// Writes `records` into `files` files (record i goes to file `placement[i] % files`), alternating the
/// shapes a log file can take.
fn write_split(dir: &Path, records: &[String], placement: &[usize], files: usize) {
    let mut buckets: Vec<Vec<&str>> = vec![Vec::new(); files];
    for (record, place) in records.iter().zip(placement) {
        buckets[place % files].push(record);
    }
    for (i, bucket) in buckets.iter().enumerate() {
        let text = match i % 3 {
            0 => format!("{{\"Records\":[{}]}}", bucket.join(",")),
            1 => format!("[{}]", bucket.join(",\n")),
            _ => bucket.iter().map(|r| format!("{r}\n")).collect(),
        };
        let path = dir.join(format!("f{i}.json"));
        if i % 2 == 1 {
            std::fs::write(path.with_extension("json.gz"), common::gzip(text.as_bytes())).unwrap();
        } else {
            std::fs::write(path, text).unwrap();
        }
    }
}

/// The report, minus what legitimately depends on how the input is laid out: the file count, bytes, file
/// names in the samples, empty files.
fn report(command: &[&str], dir: &Path, threads: usize) -> Value {
    let mut args: Vec<String> = command.iter().map(|s| s.to_string()).collect();
    args.extend([dir.display().to_string(), "--format".into(), "json".into(), "-q".into()]);
    args.extend(["--threads".into(), threads.to_string()]);
    let run = common::run(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut value = run.json();
    let input = value["input"].as_object_mut().unwrap();
    for field in ["files", "bytes", "bad_record_samples", "empty_files"] {
        input.remove(field);
    }
    value
}

const COMMANDS: [&[&str]; 3] = [&["scan"], &["denied", "--all-causes"], &["outside"]];

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn any_split_and_any_thread_count_give_the_same_report(
        picks in proptest::collection::vec((0u8..24, 0u8..6, 0usize..8), 1..40),
        files in 1usize..6,
    ) {
        let records: Vec<String> = picks.iter().map(|(id, variant, _)| record(*id, *variant)).collect();
        let placement: Vec<usize> = picks.iter().map(|(_, _, place)| *place).collect();
        let one = tempfile::tempdir().unwrap();
        write_split(one.path(), &records, &vec![0; records.len()], 1);
        let split = tempfile::tempdir().unwrap();
        write_split(split.path(), &records, &placement, files);
        for command in COMMANDS {
            let reference = report(command, one.path(), 1);
            // The books balance against the generated input.
            prop_assert_eq!(common::Books::accounted(&reference["input"]), records.len() as u64);
            prop_assert_eq!(&report(command, split.path(), 1), &reference, "{:?}, 1 thread", command);
            prop_assert_eq!(&report(command, split.path(), 2), &reference, "{:?}, 2 threads", command);
        }
    }

    #[test]
    fn a_record_in_two_files_counts_once(
        picks in proptest::collection::btree_set((0u8..24, 0u8..5), 1..30),
        copied in proptest::collection::vec(any::<bool>(), 30),
    ) {
        let records: Vec<String> = picks.iter().map(|(id, variant)| record(*id, *variant)).collect();
        let again: Vec<String> = records.iter().zip(&copied).filter(|(_, c)| **c).map(|(r, _)| r.clone()).collect();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.json"), common::wrapper(&records)).unwrap();
        let alone = report(&["scan"], dir.path(), 2);
        std::fs::write(dir.path().join("b.json"), common::wrapper(&again)).unwrap();
        let twice = report(&["scan"], dir.path(), 2);
        prop_assert_eq!(&twice["input"]["duplicate_records"], &json!(again.len()));
        prop_assert_eq!(&twice["input"]["records"], &alone["input"]["records"]);
        let mut without_dups = twice.clone();
        without_dups["input"]["duplicate_records"] = alone["input"]["duplicate_records"].clone();
        prop_assert_eq!(without_dups, alone);
    }
}
