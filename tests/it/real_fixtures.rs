//! Every file under ../shared/fixtures/real is read: records decoded or rejected with a reason, no panic,
//! and the books balance against an independent count (serde_json for CloudTrail, line count for access logs).
//! Skips with a notice when ../shared is absent (a user's fresh clone).

use crate::common;

use std::path::Path;

#[derive(Debug, PartialEq)]
struct Books {
    files: u64,
    records: u64,
    access_log_lines: u64,
    duplicate_records: u64,
    bad_records: u64,
    insight_records: u64,
    bad_files: usize,
}

/// Records in a file, counted independently of the decoder: `{"Records":[...]}`, an array, an object, or
/// one JSON value per line; a line that is not JSON still counts as one record in.
fn oracle_records(path: &Path) -> u64 {
    let text = std::fs::read_to_string(path).unwrap();
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(serde_json::Value::Object(map)) => match map.get("Records") {
            Some(serde_json::Value::Array(records)) => records.len() as u64,
            _ => 1,
        },
        Ok(serde_json::Value::Array(records)) => records.len() as u64,
        Ok(_) => 1,
        Err(_) => text.lines().filter(|l| !l.trim().is_empty()).count() as u64,
    }
}

#[test]
fn every_real_fixture_is_accounted_for() {
    let Some(real) = common::real_fixtures() else { return };
    #[rustfmt::skip]
    let expected = [
        ("cloudtrail/awsdocs", Books { files: 2, records: 37, access_log_lines: 0, duplicate_records: 3, bad_records: 0, insight_records: 3, bad_files: 0 }),
        ("cloudtrail/otrf", Books { files: 1, records: 103, access_log_lines: 0, duplicate_records: 0, bad_records: 0, insight_records: 0, bad_files: 0 }),
        // Panther's hand-made test records reuse event ids across callers: since the caller's principalId is
        // part of the de-duplication key (which copy survived used to depend on thread timing), 14 of the 107
        // records once dropped as duplicates are different requests and are analysed.
        ("cloudtrail/panther", Books { files: 1, records: 372, access_log_lines: 0, duplicate_records: 93, bad_records: 12, insight_records: 0, bad_files: 0 }),
        ("cloudtrail/stratus-red-team", Books { files: 35, records: 310, access_log_lines: 0, duplicate_records: 0, bad_records: 0, insight_records: 0, bad_files: 0 }),
        ("cloudtrail/traildiscover", Books { files: 584, records: 314, access_log_lines: 0, duplicate_records: 249, bad_records: 0, insight_records: 0, bad_files: 0 }),
        ("s3-access", Books { files: 1, records: 0, access_log_lines: 46, duplicate_records: 12, bad_records: 0, insight_records: 0, bad_files: 0 }),
    ];
    for (folder, books) in expected {
        let dir = real.join(folder);
        let (_, stats) = common::collect(&[dir.display().to_string()], 2);
        let got = Books {
            files: stats.files,
            records: stats.records,
            access_log_lines: stats.access_log_lines,
            duplicate_records: stats.duplicate_records,
            bad_records: stats.bad_records,
            insight_records: stats.insight_records,
            bad_files: stats.bad_files.len(),
        };
        assert_eq!(got, books, "{folder}: {:?}", stats.bad_record_samples);
        // Every file on disk was read.
        let on_disk =
            walkdir::WalkDir::new(&dir).into_iter().filter(|e| e.as_ref().unwrap().file_type().is_file()).count();
        assert_eq!(stats.files as usize, on_disk, "{folder}");
        // The books balance: records in = analysed + duplicates + rejected + Insight (recognised, not analysed).
        let records_in: u64 = if folder == "s3-access" {
            std::fs::read_to_string(dir.join("dandi.log")).unwrap().lines().filter(|l| !l.trim().is_empty()).count()
                as u64
        } else {
            walkdir::WalkDir::new(&dir)
                .into_iter()
                .map(Result::unwrap)
                .filter(|e| e.file_type().is_file())
                .map(|e| oracle_records(e.path()))
                .sum()
        };
        assert_eq!(
            stats.records
                + stats.access_log_lines
                + stats.duplicate_records
                + stats.bad_records
                + stats.insight_records,
            records_in,
            "{folder}"
        );
        // Every rejection says why.
        assert!(stats.bad_record_samples.iter().all(|s| !s.reason.is_empty()));
    }
}

/// Who operates the endpoints the real fixtures name (README, "Endpoint ownership"). Before ownership was
/// decided, all seven were listed as the customer's; the two AWS-operated ones (a console backend and a
/// service acting for a caller, in panther's rule tests) now are not, and the books above are unchanged.
#[test]
fn real_fixtures_endpoint_owners() {
    let Some(real) = common::real_fixtures() else { return };
    let settings = trail_vpce::config::Settings::default();
    let owners = |folder: &str| -> Vec<(String, &'static str, Option<String>)> {
        let (_, stats) = common::collect(&[real.join(folder).display().to_string()], 2);
        assert_eq!(stats.aggregated_records, 0, "{folder}");
        let ownership = settings.ownership(&stats.endpoints);
        ownership.iter().map(|(id, o, _)| (id.to_string(), o.class.as_str(), o.operator_label())).collect()
    };
    let s = |v: &str| v.to_owned();
    assert_eq!(owners("cloudtrail/awsdocs"), [(s("vpce-EXAMPLE08c1b6b9b7"), "customer", None)]);
    assert_eq!(
        owners("cloudtrail/panther"),
        [
            (s("vpce-1"), "aws", Some(s("aws:service"))),
            (s("vpce-1111"), "unknown", None),
            (s("vpce-1234abcd"), "customer", None),
            (s("vpce-1a2b3c4d"), "unknown", None),
            (s("vpce-EXAMPLE08c1b6b9b7"), "customer", None),
            (s("vpce-aaa333c9"), "aws", Some(s("aws:console"))),
        ]
    );
    for folder in ["cloudtrail/otrf", "cloudtrail/stratus-red-team", "cloudtrail/traildiscover"] {
        assert_eq!(owners(folder), [], "{folder}");
    }
}
