//! Issue 8: the memory of `timeline` and `export` does not grow with the input. Each command runs over
//! sample-logs and over 20 time-shifted copies of it (tests/common/scale.rs: the same layout and object sizes,
//! 20× the records, none collapsed by de-duplication), and the larger run must peak within twice the resident
//! memory of the smaller one. Both runs must also have done 20× the work (events out), so the bound cannot
//! hold because the large run read or wrote less.

use crate::common;

use std::ffi::OsString;
use std::path::Path;

const COPIES: u64 = 20;

/// One command, and how many results it produced (events in the timeline, rows exported).
struct Case {
    name: &'static str,
    args: fn(input: &Path, out: &Path) -> Vec<OsString>,
    results: fn(&common::Run, out: &Path) -> u64,
}

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

fn timeline_args(input: &Path, filter: &[&str], format: &str) -> Vec<OsString> {
    let mut args = os(&["timeline"]);
    args.push(input.into());
    args.extend(os(filter));
    args.extend(os(&["--config"]));
    args.push(input.join("trail-vpce.toml").into());
    args.extend(os(&["--format", format, "--threads", "2", "-q"]));
    args
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            // The endpoint matches most of the input; the table goes through the spooled table.
            name: "timeline --vpce (table)",
            args: |input, _| timeline_args(input, &["--vpce", "vpce-0a1b2c3d4e5f60001"], "table"),
            results: |run, _| {
                let text = run.stdout_text();
                let summary = text.lines().find(|l| l.contains(" requests, ")).expect("the summary line");
                summary.split(' ').next().unwrap().parse().unwrap()
            },
        },
        Case {
            name: "export",
            args: |input, out| {
                let mut args = os(&["export"]);
                args.push(input.into());
                args.push("--out".into());
                args.push(out.into());
                args.extend(os(&["--threads", "2", "-q"]));
                args
            },
            results: |run, out| {
                let text = run.stdout_text();
                let n = text.strip_prefix("exported ").and_then(|t| t.split(' ').next()).expect("the export line");
                assert!(out.join("date=2026-11-20").is_dir(), "Hive partitions under {}", out.display());
                n.parse().unwrap()
            },
        },
    ]
}

#[test]
fn timeline_and_export_memory_stays_within_twice_over_20x_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let large = dir.path().join("x20");
    let files = common::scale::write_copies(&common::sample_logs(), &large, COPIES, 4);
    assert!(files > 1000, "{files} log files");
    let small = common::sample_logs();
    let mut failures = Vec::new();
    for (i, case) in cases().into_iter().enumerate() {
        if case.name == "export" && !cfg!(feature = "tabular") {
            eprintln!("NOTICE: built without `tabular`; export not measured");
            continue;
        }
        let measure = |input: &Path, tag: &str| {
            let out = dir.path().join(format!("out-{i}-{tag}"));
            let (rss, run) = common::peak_rss_kib(&(case.args)(input, &out));
            assert_eq!(run.code, 0, "{} on {tag}: {}", case.name, run.stderr);
            (rss, (case.results)(&run, &out))
        };
        let (small_rss, small_results) = measure(&small, "sample-logs");
        let (large_rss, large_results) = measure(&large, "x20");
        assert!(small_results > 100, "{}: {small_results} results on sample-logs", case.name);
        assert_eq!(large_results, COPIES * small_results, "{}: 20× the results", case.name);
        let (Some(small_rss), Some(large_rss)) = (small_rss, large_rss) else { continue };
        eprintln!("{}: peak RSS {small_rss} KiB on sample-logs, {large_rss} KiB on 20× ", case.name);
        if large_rss > 2 * small_rss {
            failures.push(format!("{}: {large_rss} KiB on 20× > 2 × {small_rss} KiB", case.name));
        }
    }
    assert!(failures.is_empty(), "memory grew with the input: {failures:#?}");
}
