//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

pub mod scale;

use trail_vpce::ingest::{self, Analyzer, IngestConfig, InputStats};
use trail_vpce::model::Record;

/// The real third-party fixtures beside the project (`../shared/fixtures/real`, or where
/// `TRAIL_VPCE_REAL_FIXTURES` says: a git worktree elsewhere), or `None` with a notice.
pub fn real_fixtures() -> Option<PathBuf> {
    let path = std::env::var_os("TRAIL_VPCE_REAL_FIXTURES")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/real"), PathBuf::from);
    if path.is_dir() {
        Some(path)
    } else {
        eprintln!("NOTICE: {} is absent; skipping the real-fixture test", path.display());
        None
    }
}

pub fn sample_logs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-logs")
}

/// Collects every event as a JSON line, sorted: a canonical form to compare runs.
#[derive(Default)]
pub struct Collect(pub Vec<String>);

impl Analyzer for Collect {
    fn observe(&mut self, record: &Record<'_>) {
        self.0.push(serde_json::to_string(record.event()).unwrap());
    }
    fn merge(&mut self, other: Self) {
        self.0.extend(other.0);
    }
}

/// Runs the pipeline over `sources` with `threads` workers; events sorted.
pub fn collect(sources: &[String], threads: usize) -> (Vec<String>, InputStats) {
    let config = IngestConfig { sources: sources.to_vec(), threads: Some(threads), ..IngestConfig::default() };
    let (mut events, stats) = ingest::run(&config, Collect::default).expect("pipeline runs");
    events.0.sort();
    (events.0, stats)
}

/// What one run of the binary produced. Every hostile-input test goes through [`run`], which fails the
/// test on a panic message, so "no panic" is checked everywhere.
pub struct Run {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Run {
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// The JSON report on stdout.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}); stderr: {}", self.stderr))
    }

    /// The `input` books of the JSON report.
    pub fn input(&self) -> serde_json::Value {
        self.json()["input"].clone()
    }
}

/// The binary with an isolated environment: static test credentials, no AWS profile or config files, no instance
/// metadata, no inherited endpoints. Every test runs the binary through this, so no test can reach real AWS.
pub fn trail_vpce() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_trail-vpce"));
    for var in ["AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_SESSION_TOKEN", "AWS_MAX_ATTEMPTS"] {
        command.env_remove(var);
    }
    command
        .env("AWS_ACCESS_KEY_ID", crate::aws_support::ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", crate::aws_support::SECRET_KEY)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/trail-vpce-test-config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/trail-vpce-test-credentials");
    command
}

/// Runs a prepared command and checks it neither panicked nor died of a signal.
pub fn finish(command: &mut std::process::Command) -> Run {
    let output = command.output().expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "the binary panicked: {stderr}");
    let code = output.status.code().unwrap_or_else(|| panic!("killed by a signal; stderr: {stderr}"));
    Run { code, stdout: output.stdout, stderr }
}

/// Runs `trail-vpce ARGS`: the one way tests run the binary.
pub fn run<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    finish(trail_vpce().args(args))
}

/// Runs `trail-vpce ARGS` in the folder `dir`.
pub fn run_in<I, S>(dir: impl AsRef<std::path::Path>, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    finish(trail_vpce().current_dir(dir).args(args))
}

/// Runs `trail-vpce ARGS` with `stdin` as its standard input.
pub fn run_stdin<I, S>(args: I, stdin: &str) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    use std::io::Write;
    let mut child = trail_vpce()
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut pipe = child.stdin.take().expect("a stdin pipe");
    let input = stdin.to_owned();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(input.as_bytes());
    });
    let output = child.wait_with_output().expect("the binary runs");
    writer.join().expect("the stdin writer");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "the binary panicked: {stderr}");
    let code = output.status.code().unwrap_or_else(|| panic!("killed by a signal; stderr: {stderr}"));
    Run { code, stdout: output.stdout, stderr }
}

/// Runs `trail-vpce ARGS -q`, expecting exit 0 and one JSON document on stdout.
pub fn run_json<I, S>(args: I) -> serde_json::Value
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    let run = run(args.iter().chain(&["-q".into()]));
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    run.json()
}

/// The sample world's manifest: what sample-logs holds, by construction.
pub fn manifest() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sample-manifest.json"))
        .expect("tests/fixtures/sample-manifest.json");
    serde_json::from_str(&text).expect("manifest is JSON")
}

/// sample-logs as a string argument.
pub fn sample() -> String {
    sample_logs().display().to_string()
}

/// sample-logs' configuration file as a string argument.
pub fn sample_config() -> String {
    sample_logs().join("trail-vpce.toml").display().to_string()
}

/// `trail-vpce scan SOURCES --format json -q` (plus `extra`), expecting exit 0; returns the `input` books.
pub fn scan_books<P: AsRef<std::path::Path>>(sources: &[P], extra: &[&str]) -> serde_json::Value {
    let mut args: Vec<std::ffi::OsString> = vec!["scan".into()];
    args.extend(sources.iter().map(|s| s.as_ref().as_os_str().to_owned()));
    args.extend(["--format", "json", "-q"].map(Into::into));
    args.extend(extra.iter().map(Into::into));
    let run = run(args);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    run.input()
}

/// The counters of the input books that must balance: what came in = analysed + duplicates + rejected +
/// Insight + filtered out.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Books {
    pub files: u64,
    pub records: u64,
    pub access_log_lines: u64,
    pub duplicate_records: u64,
    pub bad_records: u64,
    pub bad_files: u64,
    pub empty_files: u64,
    pub skipped_files: u64,
}

impl Books {
    pub fn of(input: &serde_json::Value) -> Books {
        let n = |field: &str| input[field].as_u64().unwrap_or_else(|| panic!("input.{field} missing: {input}"));
        Books {
            files: n("files"),
            records: n("records"),
            access_log_lines: n("access_log_lines"),
            duplicate_records: n("duplicate_records"),
            bad_records: n("bad_records"),
            bad_files: input["bad_files"].as_array().unwrap().len() as u64,
            empty_files: n("empty_files"),
            skipped_files: n("skipped_files"),
        }
    }

    /// Records and lines in, as the books account for them.
    pub fn accounted(input: &serde_json::Value) -> u64 {
        ["records", "access_log_lines", "duplicate_records", "bad_records", "insight_records", "filtered_out"]
            .iter()
            .map(|f| input[*f].as_u64().unwrap())
            .sum()
    }
}

/// A small valid CloudTrail S3 data event through `vpce-1`, with id `id-{i}`.
pub fn record(i: usize) -> String {
    format!(
        r#"{{"eventVersion":"1.10","eventTime":"2026-11-21T10:{:02}:{:02}Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","eventID":"id-{i}","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u","accountId":"111122223333"}},"requestParameters":{{"bucketName":"b","key":"k{i}"}},"vpcEndpointId":"vpce-1","recipientAccountId":"111122223333","eventCategory":"Data"}}"#,
        (i / 60) % 60,
        i % 60
    )
}

/// `{"Records":[...]}` around the given records.
pub fn wrapper<S: AsRef<str>>(records: &[S]) -> String {
    let records: Vec<&str> = records.iter().map(AsRef::as_ref).collect();
    format!("{{\"Records\":[{}]}}", records.join(","))
}

/// gzip of `data` (one member).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// The one bad file of the books, as (path, error, recovered_records).
pub fn only_bad_file(input: &serde_json::Value) -> (String, String, Option<u64>) {
    let bad = input["bad_files"].as_array().unwrap();
    assert_eq!(bad.len(), 1, "{input}");
    (
        bad[0]["path"].as_str().unwrap().to_owned(),
        bad[0]["error"].as_str().unwrap().to_owned(),
        bad[0]["recovered_records"].as_u64(),
    )
}

/// The rejected-record samples as (path, location, reason).
pub fn samples(input: &serde_json::Value) -> Vec<(String, String, String)> {
    input["bad_record_samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let field = |f: &str| s[f].as_str().unwrap().to_owned();
            (field("path"), field("location"), field("reason"))
        })
        .collect()
}

/// Peak resident memory of `trail-vpce ARGS` in KiB, measured with GNU time (`/usr/bin/time -f %M`), or
/// `None` with a notice when GNU time is not installed. Also returns the run.
pub fn peak_rss_kib(args: &[std::ffi::OsString]) -> (Option<u64>, Run) {
    let time = std::path::Path::new("/usr/bin/time");
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_trail-vpce"));
    let probe = std::process::Command::new(time).args(["-f", "%M", "true"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("NOTICE: GNU time is not installed; peak memory not measured");
        return (None, run(args));
    }
    let report = tempfile::NamedTempFile::new().unwrap();
    let mut full: Vec<std::ffi::OsString> = vec!["-f".into(), "%M".into(), "-o".into(), report.path().into()];
    full.push(binary.into());
    full.extend(args.iter().cloned());
    let output = std::process::Command::new(time).args(&full).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "the binary panicked: {stderr}");
    let kib = std::fs::read_to_string(report.path()).unwrap().lines().last().and_then(|l| l.trim().parse().ok());
    let code = output.status.code().unwrap_or(-1);
    (kib, Run { code, stdout: output.stdout, stderr })
}
