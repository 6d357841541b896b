use super::*;

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).unwrap()
}

fn prune(since: Option<&str>, until: Option<&str>) -> Prune {
    Prune { window: DayWindow::new(since.map(ts), until.map(ts)), ..Prune::default() }
}

#[test]
fn civil_dates_round_trip() {
    for (y, m, d, days) in [(1970, 1, 1, 0), (2000, 2, 29, 11_016), (2026, 11, 21, 20_778), (1969, 12, 31, -1)] {
        assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        assert_eq!(civil_from_days(days), (y, m, d));
    }
}

#[test]
fn access_log_key_times() {
    let cases = [
        ("2026-11-21-09-58-31-8F3C2A1B7D6E5F40", Some("2026-11-21T09:58:31Z")),
        ("2019-02-06-00-00-38-ABCDEF", Some("2019-02-06T00:00:38Z")),
        ("2026-02-30-00-00-00-X", None),
        ("2026-11-21-24-00-00-X", None),
        ("2026-11-21-09-58-31", None),
        ("2026-11-21T09-58-31-XYZ", None),
        ("111122223333_CloudTrail_us-east-1_20261121T0005Z_x.json.gz", None),
        ("README.md", None),
        ("", None),
    ];
    for (name, want) in cases {
        assert_eq!(access_log_key_time(name), want.map(ts), "{name}");
    }
}

#[test]
fn folders_pruned_by_window() {
    // --since 2026-11-20T12:00Z, open end: days from 11-19 on (one day of margin).
    let open = prune(Some("2026-11-20T12:00:00Z"), None);
    // [2026-11-20T00:00, 2026-11-21T00:00): days 11-19 ..= 11-21.
    let day = prune(Some("2026-11-20T00:00:00Z"), Some("2026-11-21T00:00:00Z"));
    let cases = [
        ("AWSLogs/", true, true),
        ("AWSLogs/111122223333/CloudTrail/us-east-1/", true, true),
        ("AWSLogs/111122223333/CloudTrail/us-east-1/2026/", true, true),
        ("AWSLogs/111122223333/CloudTrail/us-east-1/2025/", false, false),
        ("AWSLogs/111122223333/CloudTrail/us-east-1/2027/", true, false),
        ("AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/", false, false),
        ("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/", true, true),
        ("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/18/", false, false),
        ("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/19/", true, true),
        ("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/21/", true, true),
        ("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/22/", true, false),
        ("AWSLogs/o-abc/111122223333/CloudTrail-Digest/eu-west-1/2026/11/18/", false, false),
        ("logs/111122223333/eu-west-1/bucket/2026/11/20/", true, true),
        ("logs/111122223333/eu-west-1/bucket/2026/11/02/", false, false),
        // Not dates: kept.
        ("exports/2026-11-20/", true, true),
        ("AWSLogs/111122223333/CloudTrail/us-east-1/2026/13/", true, true),
        (".git/", false, false),
    ];
    for (folder, keep_open, keep_day) in cases {
        assert_eq!(open.keep_folder(folder), keep_open, "open window: {folder}");
        assert_eq!(day.keep_folder(folder), keep_day, "one day: {folder}");
    }
}

#[test]
fn folders_pruned_by_account_and_region() {
    let prune = Prune {
        accounts: ["111122223333".into()].into(),
        regions: ["eu-west-1".to_owned()].into(),
        ..Prune::default()
    };
    let cases = [
        ("AWSLogs/111122223333/", true),
        ("AWSLogs/444455556666/", false),
        ("AWSLogs/o-a1b2c3d4e5/", true),
        ("AWSLogs/o-a1b2c3d4e5/444455556666/", false),
        ("AWSLogs/o-a1b2c3d4e5/111122223333/", true),
        ("AWSLogs/111122223333/CloudTrail/eu-west-1/", true),
        ("AWSLogs/111122223333/CloudTrail/us-east-1/", false),
        ("AWSLogs/111122223333/CloudTrail-Insight/us-east-1/", false),
        ("AWSLogs/111122223333/vpcflowlogs/us-east-1/", true),
        // Partitioned access logs: account and region folders are not pruned (they say where the bucket is).
        ("logs/444455556666/us-east-1/", true),
    ];
    for (folder, keep) in cases {
        assert_eq!(prune.keep_folder(folder), keep, "{folder}");
    }
    assert!(prune.needs_descent());
    assert!(!Prune::default().needs_descent());
}

#[test]
fn objects_planned() {
    let window = prune(Some("2026-11-21T10:00:00Z"), Some("2026-11-21T12:00:00Z"));
    let skip = |ext: &str| ObjectPlan::Skip(format!("not a log (.{ext} file found in a folder)"));
    let cases = [
        ("s3-access-logs/app/2026-11-21-09-58-31-8F3C2A1B7D6E5F40", ObjectPlan::Fetch),
        ("s3-access-logs/app/2026-11-22-23-58-31-8F3C2A1B7D6E5F40", ObjectPlan::Fetch),
        ("s3-access-logs/app/2026-11-23-00-00-01-8F3C2A1B7D6E5F40", ObjectPlan::Ignore),
        ("s3-access-logs/app/2026-11-19-23-59-59-8F3C2A1B7D6E5F40", ObjectPlan::Ignore),
        ("AWSLogs/1/CloudTrail/us-east-1/2026/11/21/x.json.gz", ObjectPlan::Fetch),
        ("trail-vpce.toml", skip("toml")),
        ("docs/README.md", skip("md")),
        (".hidden", ObjectPlan::Ignore),
        ("a/.git/config", ObjectPlan::Ignore),
        ("folder/", ObjectPlan::Ignore),
    ];
    for (key, want) in cases {
        assert_eq!(window.plan_object(key), want, "{key}");
    }
    assert_eq!(Prune::default().plan_object("2001-01-01-00-00-00-X"), ObjectPlan::Fetch);
}

#[test]
fn short_windows_expand_region_folders_to_days() {
    let window = prune(Some("2026-11-20T12:00:00Z"), Some("2026-11-21T12:00:00Z"));
    assert_eq!(
        window.day_folders("AWSLogs/o-x/111122223333/CloudTrail/eu-west-1/").unwrap(),
        vec![
            "AWSLogs/o-x/111122223333/CloudTrail/eu-west-1/2026/11/19/",
            "AWSLogs/o-x/111122223333/CloudTrail/eu-west-1/2026/11/20/",
            "AWSLogs/o-x/111122223333/CloudTrail/eu-west-1/2026/11/21/",
            "AWSLogs/o-x/111122223333/CloudTrail/eu-west-1/2026/11/22/",
        ]
    );
    assert_eq!(window.day_folders("AWSLogs/111122223333/CloudTrail/"), None);
    assert_eq!(prune(Some("2026-11-20T12:00:00Z"), None).day_folders("AWSLogs/1/CloudTrail/eu-west-1/"), None);
    assert_eq!(
        prune(Some("2026-01-01T00:00:00Z"), Some("2026-03-01T00:00:00Z"))
            .day_folders("AWSLogs/111122223333/CloudTrail/eu-west-1/"),
        None
    );
    let year_end = prune(Some("2026-12-31T10:00:00Z"), Some("2027-01-01T02:00:00Z"));
    assert_eq!(
        year_end.day_folders("AWSLogs/111122223333/CloudTrail/eu-west-1/").unwrap().last().unwrap(),
        "AWSLogs/111122223333/CloudTrail/eu-west-1/2027/01/02/"
    );
}
