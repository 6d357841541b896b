//! `s3://bucket/prefix` sources against a real S3-compatible server (s3s-fs, in process, over HTTP with SigV4):
//! same report as the local folder, window pruning (counted GETs), pagination, bucket errors, injected faults.

use crate::aws_support;

use std::path::{Path, PathBuf};
use std::process::Output;

use aws_support::s3::{Fault, S3Server};
use aws_support::{copy_tree, trail_vpce};

fn sample_logs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-logs")
}

/// A temp root holding bucket `logs` with the sample world under `world/`, and the server serving it.
fn world() -> (tempfile::TempDir, PathBuf, S3Server) {
    let root = tempfile::tempdir().unwrap();
    let local = root.path().join("logs/world");
    copy_tree(&sample_logs(), &local);
    let server = S3Server::start(root.path());
    (root, local, server)
}

fn run(args: &[&str]) -> Output {
    trail_vpce().args(args).output().unwrap()
}

fn json(output: &Output) -> serde_json::Value {
    assert!(output.status.success(), "status {:?}, stderr: {}", output.status, String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The report with the source prefix taken out of every string (file names differ only by it).
fn without_prefix(value: serde_json::Value, prefix: &str) -> serde_json::Value {
    match value {
        serde_json::Value::String(s) => serde_json::Value::String(s.replace(prefix, "")),
        serde_json::Value::Array(items) => items.into_iter().map(|v| without_prefix(v, prefix)).collect(),
        serde_json::Value::Object(map) => map.into_iter().map(|(k, v)| (k, without_prefix(v, prefix))).collect(),
        other => other,
    }
}

fn config_arg() -> String {
    sample_logs().join("trail-vpce.toml").display().to_string()
}

#[test]
fn s3_prefix_gives_the_local_report() {
    let (_root, local, server) = world();
    let url = server.url();
    let config = config_arg();
    let local_dir = local.display().to_string();
    for command in [&["denied", "--all-causes"][..], &["scan"][..]] {
        let common = ["--format", "json", "-q", "--config", &config];
        let from_disk = json(&run(&[command, &[&local_dir], &common].concat()));
        let from_s3 = json(&run(&[command, &["s3://logs/world/", "--endpoint-url", &url], &common].concat()));
        let from_disk = without_prefix(from_disk, &format!("{local_dir}/"));
        let from_s3 = without_prefix(from_s3, "s3://logs/world/");
        assert!(from_s3["input"]["files"].as_u64().unwrap() > 60, "{}", from_s3["input"]);
        assert_eq!(from_s3, from_disk, "{command:?}: the S3 report differs from the local one");
    }
}

/// Files the window `--at 2026-11-21T12:00:00Z --since 24h` needs: all but the 2026-11-18 day folders
/// (since − 1 day = 11-19) and the config file (skipped by name).
fn needed_keys(local: &Path) -> Vec<String> {
    keys_under(local, "")
        .into_iter()
        .filter(|k| !k.contains("/2026/11/18/") && !k.ends_with(".toml") && !k.ends_with(".sig"))
        .collect()
}

#[test]
fn a_window_fetches_only_the_objects_it_needs() {
    let (_root, local, server) = world();
    let url = server.url();
    let config = config_arg();
    let window = ["--at", "2026-11-21T12:00:00Z", "--since", "24h", "--format", "json", "-q", "--config", &config];
    let local_dir = local.display().to_string();
    let from_s3 =
        json(&run(&[&["denied", "--all-causes", "s3://logs/world/", "--endpoint-url", &url], &window[..]].concat()));
    let mut gets = server.object_gets();
    gets.sort();
    assert_eq!(gets, needed_keys(&local), "GETs for a 24h window");
    assert!(server.requests().iter().all(|r| !r.contains("2026%2F11%2F18") && !r.contains("2026/11/18")));
    // Same findings as reading every local file and filtering.
    let from_disk = json(&run(&[&["denied", "--all-causes", &local_dir], &window[..]].concat()));
    let findings = |mut v: serde_json::Value| {
        v.as_object_mut().unwrap().remove("input");
        v
    };
    assert_eq!(
        findings(without_prefix(from_s3, "s3://logs/world/")),
        findings(without_prefix(from_disk, &format!("{local_dir}/")))
    );
}

#[test]
fn listing_follows_pagination() {
    let root = tempfile::tempdir().unwrap();
    let line = std::fs::read_dir(sample_logs().join("s3-access-logs/app-data-111122223333"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .next()
        .unwrap();
    let first = line.lines().next().unwrap();
    let bucket = root.path().join("many/logs");
    std::fs::create_dir_all(&bucket).unwrap();
    for i in 0..1_500 {
        let key = format!("2026-11-21-{:02}-{:02}-{:02}-{i:016X}", i / 3600 % 24, i / 60 % 60, i % 60);
        std::fs::write(bucket.join(key), format!("{first}\n")).unwrap();
    }
    let server = S3Server::start(root.path());
    let report = json(&run(&["scan", "s3://many/logs/", "--endpoint-url", &server.url(), "--format", "json", "-q"]));
    assert_eq!(report["input"]["files"], 1_500);
    let lines =
        report["input"]["access_log_lines"].as_u64().unwrap() + report["input"]["duplicate_records"].as_u64().unwrap();
    assert_eq!(lines, 1_500);
    let lists: Vec<String> = server.requests().into_iter().filter(|r| r.contains("list-type=2")).collect();
    assert_eq!(lists.len(), 2, "{lists:?}");
    assert!(lists[1].contains("continuation-token"), "{lists:?}");
}

#[test]
fn bucket_errors_are_clear() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("secret/AWSLogs")).unwrap();
    let server = S3Server::start(root.path());
    server.deny_bucket("secret");
    let url = server.url();
    let cases = [
        ("s3://no-such-bucket/AWSLogs/", "s3://no-such-bucket: no such bucket"),
        ("s3://secret/AWSLogs/", "the credentials need s3:ListBucket on arn:aws:s3:::secret"),
    ];
    for (source, message) in cases {
        let output = run(&["scan", source, "--endpoint-url", &url, "--aws-max-attempts", "1"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{source}: {stderr}");
        assert!(stderr.contains(message), "{source}: {stderr}");
        assert!(!stderr.contains(aws_support::SECRET_KEY));
    }
}

#[test]
fn faults_are_retried_and_lasting_failures_named() {
    let root = tempfile::tempdir().unwrap();
    let day = sample_logs().join("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/19");
    let mut names: Vec<String> =
        std::fs::read_dir(&day).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert!(names.len() >= 6);
    copy_tree(&day, &root.path().join("flaky/ct"));
    let server = S3Server::start(root.path());
    server.inject(&names[0], &[Fault::SlowDown, Fault::InternalError]);
    server.inject(&names[1], &[Fault::Reset]);
    server.inject(&names[2], &[Fault::Truncate]);
    server.inject(&names[3], &[Fault::Truncate, Fault::Reset]);
    server.inject(&names[4], &[Fault::SlowDown; 3]);
    server.inject(&names[5], &[Fault::Truncate; 3]);
    let url = server.url();
    let args = ["scan", "s3://flaky/ct/", "--endpoint-url", &url, "--aws-max-attempts", "3", "--format", "json"];
    let output = run(&args);
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    let report = json(&output);
    let bad = report["input"]["bad_files"].as_array().unwrap();
    let bad_paths: Vec<&str> = bad.iter().map(|b| b["path"].as_str().unwrap()).collect();
    let lasting = [format!("s3://flaky/ct/{}", names[4]), format!("s3://flaky/ct/{}", names[5])];
    assert_eq!(bad_paths, lasting.iter().map(String::as_str).collect::<Vec<_>>(), "{report:#}");
    assert!(bad[0]["error"].as_str().unwrap().contains("SlowDown"), "{}", bad[0]);
    assert!(bad[1]["error"].as_str().unwrap().contains("after 3 attempts"), "{}", bad[1]);
    assert!(stderr.contains(&format!("warning: {}", lasting[0])), "{stderr}");
    // The truncated bodies were resumed with ranged GETs, not fetched again from the start.
    let requests = server.requests();
    let gets: Vec<&String> = requests.iter().filter(|r| r.contains(&names[2])).collect();
    assert_eq!(gets.len(), 2, "{requests:#?}");
    assert!(!gets[0].contains("range=") && gets[1].contains(" range=bytes="), "{gets:?}");
    // Everything else arrived whole: the same records as the local files minus the two lost ones.
    let kept = tempfile::tempdir().unwrap();
    for name in &names {
        if name != &names[4] && name != &names[5] {
            std::fs::copy(day.join(name), kept.path().join(name)).unwrap();
        }
    }
    let local = json(&run(&["scan", &kept.path().display().to_string(), "--format", "json", "-q"]));
    let recovered = bad[1]["recovered_records"].as_u64().unwrap_or(0);
    assert_eq!(report["input"]["records"].as_u64().unwrap(), local["input"]["records"].as_u64().unwrap() + recovered);
    assert_eq!(report["input"]["files"].as_u64().unwrap(), names.len() as u64 - 1, "the truncated one counts");
    // --strict turns the incomplete run into exit status 2.
    server.inject(&names[4], &[Fault::SlowDown; 3]);
    let strict = run(&[&args[..], &["--strict", "-q"]].concat());
    assert_eq!(strict.status.code(), Some(2), "{}", String::from_utf8_lossy(&strict.stderr));
}

/// Peak memory while streaming 10,000 small objects: `cargo test --release --features aws --test s3_source --
/// --ignored --nocapture memory` (uses /usr/bin/time; set TRAIL_VPCE_BIN to measure another binary).
#[test]
#[ignore = "measurement, not a check: prints peak RSS"]
fn memory_streaming_10k_objects() {
    let root = tempfile::tempdir().unwrap();
    let source = sample_logs().join("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/19");
    let files: Vec<PathBuf> = std::fs::read_dir(&source).unwrap().map(|e| e.unwrap().path()).collect();
    for i in 0..10_000 {
        let folder = root.path().join(format!("many/AWSLogs/{:03}", i / 1000));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::copy(&files[i % files.len()], folder.join(format!("{i:05}.json.gz"))).unwrap();
    }
    let server = S3Server::start(root.path());
    let binary = std::env::var("TRAIL_VPCE_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_trail-vpce").to_owned());
    let mut command = trail_vpce();
    let program = std::mem::replace(&mut command, std::process::Command::new("/usr/bin/time"));
    command.envs(program.get_envs().filter_map(|(k, v)| Some((k, v?))));
    for (k, v) in program.get_envs() {
        if v.is_none() {
            command.env_remove(k);
        }
    }
    let started = std::time::Instant::now();
    let output = command
        .args(["-v", &binary, "scan", "s3://many/AWSLogs/", "--endpoint-url", &server.url(), "--format", "json", "-q"])
        .output()
        .unwrap();
    let report = json(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let rss = stderr.lines().find(|l| l.contains("Maximum resident set size")).unwrap_or("no /usr/bin/time output");
    println!(
        "10,000 objects: {} files, {} records, {:.1}s; {}",
        report["input"]["files"],
        report["input"]["records"],
        started.elapsed().as_secs_f64(),
        rss.trim()
    );
}

/// Serves the sample world as `s3://logs/world/` for manual runs and README examples:
/// `cargo test --test it s3_source::serve_sample_world -- --ignored --nocapture` (stops after
/// TRAIL_VPCE_DEMO_SECS seconds, default 120).
#[test]
#[ignore = "a tool for demos: serves until the timeout"]
fn serve_sample_world() {
    let (_root, _local, server) = world();
    println!("serving sample-logs as s3://logs/world/ at {} (access key {})", server.url(), aws_support::ACCESS_KEY);
    let secs = std::env::var("TRAIL_VPCE_DEMO_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(120);
    std::thread::sleep(std::time::Duration::from_secs(secs));
}

/// `ls` lists exactly the objects a windowed run fetches, with their sizes, and fetches none of them.
#[test]
fn ls_lists_what_a_windowed_run_would_fetch_and_fetches_nothing() {
    let (_root, local, server) = world();
    let url = server.url();
    let window = ["--at", "2026-11-21T12:00:00Z", "--since", "24h", "--format", "ndjson"];
    let output = run(&[&["ls", "s3://logs/world/", "--endpoint-url", &url], &window[..]].concat());
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(server.object_gets().is_empty(), "ls fetched {:?}", server.object_gets());
    let mut inputs = Vec::new();
    for line in String::from_utf8(output.stdout).unwrap().lines() {
        let entry: serde_json::Value = serde_json::from_str(line).unwrap();
        let source = entry["source"].as_str().unwrap().strip_prefix("s3://logs/world/").unwrap().to_owned();
        match entry["kind"].as_str().unwrap() {
            "input" => {
                let size = std::fs::metadata(local.join(&source)).unwrap().len();
                assert_eq!(entry["bytes"].as_u64(), Some(size), "{source}");
                inputs.push(format!("/logs/world/{source}"));
            }
            "skipped" => assert!(source.ends_with(".toml") || source.ends_with(".sig"), "{entry}"),
            other => panic!("{other}: {entry}"),
        }
    }
    inputs.sort();
    assert_eq!(inputs, needed_keys(&local));
}

/// Every file under `dir`, by path, with its bytes.
fn files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().display().to_string(), std::fs::read(e.path()).unwrap()))
        .collect()
}

/// The object keys under `local/sub`, in listing (key) order, as the server's paths.
fn keys_under(local: &Path, sub: &str) -> Vec<String> {
    let mut keys: Vec<String> = walkdir::WalkDir::new(local.join(sub))
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| format!("/logs/world/{}", e.path().strip_prefix(local).unwrap().display()))
        .collect();
    keys.sort();
    keys
}

/// `export` from `s3://` writes the same parts, byte for byte, however the objects arrive: a second run, in
/// which the first objects of each prefix answer 300 ms late (so they arrive last), writes what the first run
/// wrote. Two prefixes, given access logs first, on two threads with eight objects in flight.
#[test]
fn s3_export_parts_do_not_depend_on_arrival_order() {
    let (root, local, server) = world();
    let url = server.url();
    let export = |out: &Path| {
        let output = run(&[
            "export",
            "s3://logs/world/s3-access-logs/",
            "s3://logs/world/AWSLogs/",
            "--endpoint-url",
            &url,
            "--out",
            out.to_str().unwrap(),
            "--threads",
            "2",
            "--s3-concurrency",
            "8",
            "--batch-rows",
            "300",
            "-q",
        ]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        files(out)
    };
    let first = export(&root.path().join("first"));
    assert!(first.len() > 4, "{} parts", first.len());
    let trail: Vec<String> =
        keys_under(&local, "AWSLogs").into_iter().filter(|k| k.contains("/CloudTrail/")).take(3).collect();
    for key in trail.iter().chain(keys_under(&local, "s3-access-logs").iter().take(2)) {
        server.inject(key, &[Fault::Delay(300)]);
    }
    let late = export(&root.path().join("late"));
    assert_eq!(first.keys().collect::<Vec<_>>(), late.keys().collect::<Vec<_>>());
    for (name, bytes) in &first {
        assert!(late[name] == *bytes, "{name} differs when the first objects arrive last");
    }
}

/// `ls` lists in listing order: the prefixes in the order given, each in key order, even when the first
/// prefix's listing answers late.
#[test]
fn ls_lists_prefixes_in_the_order_given_each_in_key_order() {
    let (_root, local, server) = world();
    server.slow_listing("prefix=world%2Fs3-access-logs", 300);
    let url = server.url();
    let prefixes = ["s3://logs/world/s3-access-logs/", "s3://logs/world/AWSLogs/"];
    let output = run(&[&["ls"][..], &prefixes[..], &["--endpoint-url", &url, "--format", "ndjson"][..]].concat());
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let listed: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .map(|entry| entry["source"].as_str().unwrap().replace("s3://logs/world/", "/logs/world/"))
        .collect();
    let want: Vec<String> = [keys_under(&local, "s3-access-logs"), keys_under(&local, "AWSLogs")].concat();
    assert_eq!(listed, want);
}
