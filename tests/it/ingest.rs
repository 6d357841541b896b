//! The pipeline end to end through the library: shapes, archives, damage, determinism.

use crate::common;

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;

use common::collect;

fn record(i: usize) -> String {
    format!(
        r#"{{"eventVersion":"1.10","eventTime":"2026-11-21T10:00:{:02}Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"id-{i}","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u"}},"vpcEndpointId":"vpce-1","eventCategory":"Data"}}"#,
        i % 60
    )
}

fn wrapper(range: std::ops::Range<usize>) -> String {
    let records: Vec<String> = range.map(record).collect();
    format!("{{\"Records\":[{}]}}", records.join(","))
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn every_shape_and_compression_decodes_the_same_records() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("a.json.gz"), gzip(wrapper(0..3).as_bytes())).unwrap();
    std::fs::write(d.join("b.json"), format!("[{},{}]", record(3), record(4))).unwrap();
    std::fs::write(d.join("c.ndjson"), format!("{}\n{}\n", record(5), record(6))).unwrap();
    std::fs::write(d.join("d"), record(7)).unwrap();
    // A gzip file without a .gz name, and a multi-member gzip.
    std::fs::write(d.join("e.log"), gzip(record(8).as_bytes())).unwrap();
    let mut multi = gzip(format!("{}\n", record(9)).as_bytes());
    multi.extend(gzip(record(10).as_bytes()));
    std::fs::write(d.join("f.json.gz"), multi).unwrap();
    std::fs::write(d.join("empty.json"), b"").unwrap();
    let (events, stats) = collect(&[d.display().to_string()], 2);
    assert_eq!(events.len(), 11);
    assert_eq!(stats.records, 11);
    assert_eq!(stats.files, 7);
    assert_eq!(stats.empty_files, 1);
    assert!(stats.bad_files.is_empty(), "{:?}", stats.bad_files);
}

#[test]
fn a_truncated_archive_yields_its_complete_records() {
    let dir = tempfile::tempdir().unwrap();
    let full = gzip(wrapper(0..2000).as_bytes());
    let cut = &full[..full.len() * 3 / 4];
    let path = dir.path().join("111122223333_CloudTrail_us-east-1_20261121T1005Z_x.json.gz");
    std::fs::write(&path, cut).unwrap();
    let (events, stats) = collect(&[path.display().to_string()], 1);
    assert!(events.len() > 1000 && events.len() < 2000, "recovered {}", events.len());
    assert_eq!(stats.bad_files.len(), 1);
    let bad = &stats.bad_files[0];
    assert_eq!(bad.recovered_records, Some(events.len() as u64));
    assert!(bad.error.contains("truncated"), "{}", bad.error);
    // The recovered records are exactly the first N.
    let mut ids: Vec<usize> = events
        .iter()
        .map(|e| {
            let v: serde_json::Value = serde_json::from_str(e).unwrap();
            v["event_id"].as_str().unwrap().trim_start_matches("id-").parse().unwrap()
        })
        .collect();
    ids.sort();
    assert_eq!(ids, (0..events.len()).collect::<Vec<_>>());
}

#[test]
fn bundles_are_read_entry_by_entry() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // tar.gz with two log entries (one of them gzip inside) and a README.
    let mut tar = tar::Builder::new(Vec::new());
    for (name, data) in [
        ("AWSLogs/1/CloudTrail/us-east-1/2026/11/21/a.json.gz", gzip(wrapper(0..2).as_bytes())),
        ("AWSLogs/1/CloudTrail/us-east-1/2026/11/21/b.json", wrapper(2..5).into_bytes()),
        ("AWSLogs/1/CloudTrail/us-east-1/2026/11/21/broken.json", b"{\"Records\":[{\"eventName\":".to_vec()),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, data.as_slice()).unwrap();
    }
    let tar_bytes = tar.into_inner().unwrap();
    std::fs::write(d.join("bundle.tgz"), gzip(&tar_bytes)).unwrap();
    // zip with one entry.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("AWSLogs/1/CloudTrail/us-east-1/2026/11/21/c.json", options).unwrap();
    zip.write_all(wrapper(5..9).as_bytes()).unwrap();
    let zip_bytes = zip.finish().unwrap().into_inner();
    std::fs::write(d.join("bundle.zip"), zip_bytes).unwrap();

    let (events, stats) = collect(&[d.display().to_string()], 2);
    assert_eq!(events.len(), 9);
    assert_eq!(stats.archives, 2);
    assert_eq!(stats.files, 4, "archive entries count as files");
    assert_eq!(stats.bad_files.len(), 1);
    let bad = &stats.bad_files[0].path;
    assert!(bad.ends_with("bundle.tgz!/AWSLogs/1/CloudTrail/us-east-1/2026/11/21/broken.json"), "{bad}");
}

#[test]
fn duplicates_across_files_count_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.json"), wrapper(0..10)).unwrap();
    std::fs::write(dir.path().join("b.json"), wrapper(5..15)).unwrap();
    let (events, stats) = collect(&[dir.path().display().to_string()], 2);
    assert_eq!(events.len(), 15);
    assert_eq!(stats.records, 15);
    assert_eq!(stats.duplicate_records, 5);
}

#[test]
fn bad_input_is_reported_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("good.json"), wrapper(0..3)).unwrap();
    std::fs::write(d.join("garbage.bin"), [0u8, 1, 2, 3, 0, 0, 0, 9, 0, 0]).unwrap();
    std::fs::write(d.join("text.log"), b"hello, this is not a log\n").unwrap();
    std::fs::write(d.join("mixed.ndjson"), format!("{}\nnot json\n{{\"eventName\": 5}}\n{}\n", record(3), record(4)))
        .unwrap();
    std::fs::write(d.join("policy.json"), br#"{"Version":"2012-10-17","Statement":[]}"#).unwrap();
    let (events, stats) = collect(&[d.display().to_string(), d.join("missing").display().to_string()], 2);
    assert_eq!(events.len(), 5);
    assert_eq!(stats.bad_records, 2);
    assert_eq!(stats.skipped_files, 1, "the policy document");
    let bad: Vec<&str> = stats.bad_files.iter().map(|b| b.path.rsplit('/').next().unwrap()).collect();
    assert_eq!(bad, vec!["garbage.bin", "missing", "text.log"]);
    let reasons: Vec<&str> = stats.bad_record_samples.iter().map(|s| s.reason.as_str()).collect();
    assert!(reasons[0].starts_with("invalid JSON"), "{reasons:?}");
    assert!(reasons[1].starts_with("field eventName"), "{reasons:?}");
}

#[test]
fn parallel_equals_sequential_on_real_fixtures() {
    let Some(real) = common::real_fixtures() else { return };
    let sources = [real.display().to_string()];
    let (one, one_stats) = collect(&sources, 1);
    let (many, many_stats) = collect(&sources, 4);
    assert_eq!(one, many);
    assert_eq!(one_stats, many_stats);
}
