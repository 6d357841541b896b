//! `trail-vpce verify` against trails written the way CloudTrail writes them: gzip'd log files, hourly digest
//! files with every field of the CloudTrail user guide's "CloudTrail digest file structure"
//! (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html),
//! signed over the data-signing string of "Custom implementations of CloudTrail log file integrity validation"
//! (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-custom-validation.html) with
//! an RSA key generated here, and the public key listed as `aws cloudtrail list-public-keys` prints it. Each way
//! of tampering is caught and named; the same over `s3://` with the signature in object metadata.

use std::io::Write;
use std::path::{Path, PathBuf};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use serde_json::{Value, json};

use crate::aws_support::{self, s3::S3Server};
use crate::common::trail_vpce;

const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-east-1";
const BUCKET: &str = "trail-bucket";
const TRAIL: &str = "test-trail";

/// A signing key and the fingerprint CloudTrail would list it under.
struct Signer {
    key: KeyPair,
    fingerprint: String,
}

impl Signer {
    fn new() -> Signer {
        let key = KeyPair::generate(KeySize::Rsa2048).unwrap();
        let fingerprint = hex(&sha256(key.public_key().as_ref())[..16]);
        Signer { key, fingerprint }
    }

    fn sign(&self, message: &[u8]) -> String {
        let mut signature = vec![0u8; self.key.public_modulus_len()];
        self.key.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut signature).unwrap();
        hex(&signature)
    }

    /// The `aws cloudtrail list-public-keys` JSON listing `key` under `fingerprint`.
    fn key_list(&self, listed: &Signer, fingerprint: &str) -> String {
        let _ = self;
        json!({"PublicKeyList": [{
            "Value": base64(listed.key.public_key().as_ref()),
            "ValidityStartTime": "2026-11-01T00:00:00+00:00",
            "ValidityEndTime": "2026-12-01T00:00:00+00:00",
            "Fingerprint": fingerprint,
        }]})
        .to_string()
    }
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes).as_ref().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |acc, b| acc << 8 | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
        out.push_str(&"=".repeat(3 - chunk.len()));
    }
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out).unwrap();
    out
}

/// What was written: `AWSLogs/…` keys of the log files and digests, and each digest's signature.
struct Written {
    logs: Vec<String>,
    digests: Vec<String>,
    signatures: Vec<String>,
}

fn log_key(hour: u32, n: u32) -> String {
    format!(
        "AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/2026/11/21/{ACCOUNT}_CloudTrail_{REGION}_20261121T{hour:02}{:02}Z_Lf{hour:02}x{n}AbCdEfGhIj.json.gz",
        (5 + 20 * n) % 60
    )
}

fn digest_key(end_hour: u32) -> String {
    format!(
        "AWSLogs/{ACCOUNT}/CloudTrail-Digest/{REGION}/2026/11/21/{ACCOUNT}_CloudTrail-Digest_{REGION}_{TRAIL}_{REGION}_20261121T{end_hour:02}0000Z.json.gz"
    )
}

fn records(hour: u32, n: u32) -> Vec<u8> {
    let record = |i: u32| {
        json!({
            "eventVersion": "1.09",
            "userIdentity": {"type": "AssumedRole", "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/app/i-0abc"),
                             "accountId": ACCOUNT, "accessKeyId": "ASIAEXAMPLEEXAMPLE01"},
            "eventTime": format!("2026-11-21T{hour:02}:{:02}:00Z", 10 * n + i),
            "eventSource": "s3.amazonaws.com",
            "eventName": "GetObject",
            "awsRegion": REGION,
            "sourceIPAddress": "10.0.1.20",
            "userAgent": "aws-cli/2.15",
            "requestParameters": {"bucketName": "app-data", "key": format!("reports/{hour}-{n}-{i}.csv")},
            "eventID": format!("e-{hour}-{n}-{i}"),
            "eventType": "AwsApiCall",
            "eventCategory": "Data",
            "recipientAccountId": ACCOUNT,
            "vpcEndpointId": "vpce-0a1b2c3d4e5f60001",
        })
    };
    json!({"Records": [record(0), record(1)]}).to_string().into_bytes()
}

/// Writes `hours` hours of a trail under `root` (the bucket's content): two log files an hour and the hour's
/// digest, chained, each digest's signature in the `.sig` sidecar beside it.
fn write_trail(root: &Path, signer: &Signer, hours: u32) -> Written {
    let mut written = Written { logs: Vec::new(), digests: Vec::new(), signatures: Vec::new() };
    let mut previous: Option<(String, String, String)> = None; // key, hex hash, signature
    for hour in 0..hours {
        let mut listed = Vec::new();
        for n in 0..2 {
            let key = log_key(hour, n);
            let content = records(hour, n);
            write(root, &key, &gzip(&content));
            listed.push(json!({
                "s3Bucket": BUCKET,
                "s3Object": key,
                "hashValue": hex(&sha256(&content)),
                "hashAlgorithm": "SHA-256",
                "newestEventTime": format!("2026-11-21T{hour:02}:{:02}:00Z", 10 * n + 1),
                "oldestEventTime": format!("2026-11-21T{hour:02}:{:02}:00Z", 10 * n),
            }));
            written.logs.push(key);
        }
        let key = digest_key(hour + 1);
        let end = format!("2026-11-21T{:02}:00:00Z", hour + 1);
        let (prev_key, prev_hash, prev_signature) = match &previous {
            Some((k, h, s)) => (json!(BUCKET), json!(k), (json!(h), json!("SHA-256"), json!(s))),
            None => (Value::Null, Value::Null, (Value::Null, Value::Null, Value::Null)),
        };
        let digest = json!({
            "awsAccountId": ACCOUNT,
            "digestStartTime": format!("2026-11-21T{hour:02}:00:00Z"),
            "digestEndTime": end,
            "digestS3Bucket": BUCKET,
            "digestS3Object": key,
            "digestPublicKeyFingerprint": signer.fingerprint,
            "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": format!("2026-11-21T{hour:02}:11:00Z"),
            "oldestEventTime": format!("2026-11-21T{hour:02}:00:00Z"),
            "previousDigestS3Bucket": prev_key,
            "previousDigestS3Object": prev_hash,
            "previousDigestHashValue": prev_signature.0,
            "previousDigestHashAlgorithm": prev_signature.1,
            "previousDigestSignature": prev_signature.2,
            "logFiles": listed,
        });
        let content = serde_json::to_vec(&digest).unwrap();
        let hash = hex(&sha256(&content));
        let previous_signature = previous.as_ref().map_or("null", |p| p.2.as_str()).to_owned();
        let signature = signer.sign(format!("{end}\n{BUCKET}/{key}\n{hash}\n{previous_signature}").as_bytes());
        write(root, &key, &gzip(&content));
        write(root, &format!("{key}.sig"), signature.as_bytes());
        written.digests.push(key.clone());
        written.signatures.push(signature.clone());
        previous = Some((key, hash, signature));
    }
    written
}

fn write(root: &Path, key: &str, bytes: &[u8]) {
    let path = root.join(key);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// A trail of three hours in a temp folder, with its key list beside it (outside the trail).
struct Fixture {
    dir: tempfile::TempDir,
    signer: Signer,
    written: Written,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let signer = Signer::new();
        let written = write_trail(&dir.path().join("trail"), &signer, 3);
        let fixture = Fixture { dir, signer, written };
        fixture.keys(&fixture.signer.key_list(&fixture.signer, &fixture.signer.fingerprint));
        fixture
    }

    fn trail(&self) -> PathBuf {
        self.dir.path().join("trail")
    }

    fn keys(&self, list: &str) {
        std::fs::write(self.dir.path().join("keys.json"), list).unwrap();
    }

    fn path(&self, key: &str) -> PathBuf {
        self.trail().join(key)
    }

    /// Runs verify on the trail; returns the exit code and the JSON report.
    fn verify(&self) -> (i32, Value) {
        let keys = self.dir.path().join("keys.json");
        let output = trail_vpce()
            .args(["verify", &self.trail().display().to_string(), "--public-keys", &keys.display().to_string()])
            .args(["--format", "json", "-q"])
            .output()
            .unwrap();
        let report = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
        (output.status.code().unwrap(), report)
    }
}

/// (status, path ending) of every file row.
fn file_rows(report: &Value) -> Vec<(String, String)> {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["status"].as_str().unwrap().to_owned(), f["path"].as_str().unwrap().to_owned()))
        .collect()
}

/// (status, reason, path) of every digest that is not valid.
fn bad_digests(report: &Value) -> Vec<(String, String, String)> {
    report["digests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["status"] != "valid")
        .map(|d| {
            let field = |f: &str| d[f].as_str().unwrap_or_default().to_owned();
            (field("status"), field("reason"), field("path"))
        })
        .collect()
}

fn ends(rows: &[(String, String)], status: &str, key: &str) -> bool {
    rows.iter().any(|(s, p)| s == status && p.ends_with(key))
}

#[test]
fn an_untouched_trail_verifies_clean() {
    let fixture = Fixture::new();
    let (code, report) = fixture.verify();
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["command"], "verify");
    assert_eq!(report["verdict"], "verified");
    let totals = &report["totals"];
    assert_eq!((totals["files_verified"].as_u64(), totals["digests_valid"].as_u64()), (Some(6), Some(3)));
    assert_eq!(report["accounts"][0]["account"], ACCOUNT);
    assert_eq!(report["accounts"][0]["region"], REGION);
    assert_eq!(report["input"]["digest_files"], 3);
    assert!(file_rows(&report).is_empty());
    // The human report says the same.
    let keys = fixture.dir.path().join("keys.json");
    let table = trail_vpce()
        .args(["verify", &fixture.trail().display().to_string(), "--public-keys", &keys.display().to_string()])
        .output()
        .unwrap();
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("verdict: verified: 6 log files verified, 0 modified"), "{text}");
}

#[test]
fn a_modified_record_is_named() {
    let fixture = Fixture::new();
    let key = &fixture.written.logs[3];
    let edited = String::from_utf8(gunzip(&std::fs::read(fixture.path(key)).unwrap()))
        .unwrap()
        .replace("10.0.1.20", "10.0.1.21");
    std::fs::write(fixture.path(key), gzip(edited.as_bytes())).unwrap();
    let (code, report) = fixture.verify();
    assert_eq!(code, 1);
    assert_eq!(report["verdict"], "failed");
    assert_eq!(file_rows(&report).len(), 1);
    assert!(ends(&file_rows(&report), "modified", key), "{:?}", file_rows(&report));
    assert_eq!(report["totals"]["files_verified"], 5);
    assert!(bad_digests(&report).is_empty());
}

#[test]
fn a_deleted_file_is_named() {
    let fixture = Fixture::new();
    let key = &fixture.written.logs[0];
    std::fs::remove_file(fixture.path(key)).unwrap();
    let (code, report) = fixture.verify();
    assert_eq!(code, 1);
    assert_eq!(file_rows(&report), vec![("deleted".to_owned(), key.clone())]);
    assert_eq!(report["files"][0]["digest"].as_str().map(|d| d.ends_with(&fixture.written.digests[0])), Some(true));
}

#[test]
fn a_file_with_no_digest_is_named() {
    let fixture = Fixture::new();
    let planted = log_key(1, 7);
    write(&fixture.trail(), &planted, &gzip(&records(1, 7)));
    let (code, report) = fixture.verify();
    assert_eq!(code, 1);
    assert_eq!(file_rows(&report).len(), 1);
    assert!(ends(&file_rows(&report), "not_covered", &planted));
}

#[test]
fn data_after_the_gzip_stream_makes_a_file_invalid() {
    let fixture = Fixture::new();
    let key = &fixture.written.logs[2];
    // A second gzip member: a reader of every member would see a forged record the hash never covered.
    let mut bytes = std::fs::read(fixture.path(key)).unwrap();
    bytes.extend(gzip(&records(9, 9)));
    std::fs::write(fixture.path(key), bytes).unwrap();
    let (code, report) = fixture.verify();
    assert_eq!(code, 1);
    assert!(ends(&file_rows(&report), "invalid", key), "{:?}", file_rows(&report));
    assert_eq!(report["files"][0]["detail"], "data after the end of the gzip stream");
}

#[test]
fn an_edited_digest_is_named() {
    let fixture = Fixture::new();
    // Take a deleted file out of the digest's listing, keeping the signature.
    let key = &fixture.written.digests[1];
    let mut digest: Value = serde_json::from_slice(&gunzip(&std::fs::read(fixture.path(key)).unwrap())).unwrap();
    digest["logFiles"].as_array_mut().unwrap().remove(0);
    std::fs::write(fixture.path(key), gzip(&serde_json::to_vec(&digest).unwrap())).unwrap();
    let (code, report) = fixture.verify();
    assert_eq!(code, 1);
    let bad = bad_digests(&report);
    // The edited digest fails its signature; the next one records the original's hash: a broken link.
    assert!(
        bad.contains(&("invalid".into(), "signature_mismatch".into(), fixture.path(key).display().to_string())),
        "{bad:?}"
    );
    let next = fixture.path(&fixture.written.digests[2]).display().to_string();
    assert!(bad.contains(&("invalid".into(), "broken_link".into(), next)), "{bad:?}");
    // Files only these digests list are no longer covered by a valid digest.
    assert!(ends(&file_rows(&report), "not_covered", &fixture.written.logs[2]));
}

#[test]
fn a_broken_chain_link_is_named() {
    let fixture = Fixture::new();
    let middle = &fixture.written.digests[1];
    std::fs::remove_file(fixture.path(middle)).unwrap();
    let (code, report) = fixture.verify();
    assert_eq!(code, 1);
    assert_eq!(report["totals"]["digests_missing"], 1);
    assert_eq!(report["missing_digests"][0]["path"], middle.as_str());
    assert!(report["missing_digests"][0]["referenced_by"].as_str().unwrap().ends_with(&fixture.written.digests[2]));
    // The hour it covered is not covered any more.
    let rows = file_rows(&report);
    assert!(
        ends(&rows, "not_covered", &fixture.written.logs[2]) && ends(&rows, "not_covered", &fixture.written.logs[3])
    );
}

#[test]
fn a_replaced_signature_breaks_the_chain() {
    let fixture = Fixture::new();
    // A forger re-signs digest 1 with their own key under the listed fingerprint: its signature fails, and
    // digest 2 records the real signature of digest 1: a broken link.
    let forger = Signer::new();
    let sidecar = fixture.path(&format!("{}.sig", fixture.written.digests[1]));
    std::fs::write(&sidecar, forger.sign(b"anything")).unwrap();
    let (code, report) = fixture.verify();
    assert_eq!(code, 1);
    let reasons: Vec<String> = bad_digests(&report).into_iter().map(|d| d.1).collect();
    assert_eq!(reasons, vec!["signature_mismatch", "broken_link"]);
}

#[test]
fn a_wrong_key_is_named() {
    let fixture = Fixture::new();
    // The list gives another key under the digests' fingerprint: no signature verifies.
    let other = Signer::new();
    fixture.keys(&fixture.signer.key_list(&other, &fixture.signer.fingerprint));
    let (code, report) = fixture.verify();
    assert_eq!(code, 1);
    let bad = bad_digests(&report);
    assert_eq!(bad.len(), 3);
    assert!(bad.iter().all(|d| d.0 == "invalid" && d.1 == "signature_mismatch"), "{bad:?}");
    assert_eq!(report["totals"]["files_not_covered"], 6);
}

#[test]
fn an_unlisted_key_is_named_and_never_trusted() {
    let fixture = Fixture::new();
    // The digests name a key the list does not have: they cannot be checked, whatever they say.
    let other = Signer::new();
    fixture.keys(&other.key_list(&other, &other.fingerprint));
    let (code, report) = fixture.verify();
    assert_eq!(code, 1);
    let bad = bad_digests(&report);
    assert_eq!(bad.len(), 3);
    assert!(bad.iter().all(|d| d.0 == "unchecked" && d.1 == "key_not_listed"), "{bad:?}");
    assert_eq!(report["totals"]["digests_unchecked"], 3);
    // A missing sidecar: unchecked too, and said so.
    std::fs::remove_file(fixture.path(&format!("{}.sig", fixture.written.digests[0]))).unwrap();
    fixture.keys(&fixture.signer.key_list(&fixture.signer, &fixture.signer.fingerprint));
    let (_, report) = fixture.verify();
    assert_eq!(bad_digests(&report).iter().map(|d| d.1.as_str()).collect::<Vec<_>>(), vec!["no_signature"]);
}

#[test]
fn a_head_object_json_sidecar_is_read() {
    let fixture = Fixture::new();
    for (key, signature) in fixture.written.digests.iter().zip(&fixture.written.signatures) {
        let head = json!({"AcceptRanges": "bytes", "ContentType": "application/json", "ContentEncoding": "gzip",
                          "Metadata": {"signature": signature, "signature-algorithm": "SHA256withRSA"}});
        std::fs::write(fixture.path(&format!("{key}.sig")), head.to_string()).unwrap();
    }
    let (code, report) = fixture.verify();
    assert_eq!((code, report["totals"]["digests_valid"].as_u64()), (0, Some(3)));
}

// ---- over s3:// (s3s-fs in process; the signature in x-amz-meta-signature) ----

/// An S3 client for the test server, and a runtime to drive it.
struct Bucket {
    runtime: tokio::runtime::Runtime,
    client: aws_sdk_s3::Client,
}

impl Bucket {
    fn new(server: &S3Server) -> Bucket {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let credentials =
            aws_sdk_s3::config::Credentials::new(aws_support::ACCESS_KEY, aws_support::SECRET_KEY, None, None, "test");
        let config = aws_sdk_s3::config::Builder::new()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new(REGION))
            .endpoint_url(server.url())
            .force_path_style(true)
            .credentials_provider(credentials)
            .build();
        let client = aws_sdk_s3::Client::from_conf(config);
        runtime.block_on(client.create_bucket().bucket(BUCKET).send()).unwrap();
        Bucket { runtime, client }
    }

    /// PutObject, with the digest signature as user metadata (`x-amz-meta-signature`) when given.
    fn put(&self, key: &str, body: Vec<u8>, signature: Option<&str>) {
        let mut request = self.client.put_object().bucket(BUCKET).key(key).body(body.into());
        if let Some(signature) = signature {
            request = request.metadata("signature", signature).metadata("signature-algorithm", "SHA256withRSA");
        }
        self.runtime.block_on(request.send()).unwrap();
    }

    fn delete(&self, key: &str) {
        self.runtime.block_on(self.client.delete_object().bucket(BUCKET).key(key).send()).unwrap();
    }

    fn get(&self, key: &str) -> Vec<u8> {
        let object = self.runtime.block_on(self.client.get_object().bucket(BUCKET).key(key).send()).unwrap();
        self.runtime.block_on(object.body.collect()).unwrap().into_bytes().to_vec()
    }
}

/// Uploads the trail (without the sidecars), each digest with its signature as user metadata, as CloudTrail
/// stores it.
fn upload(bucket: &Bucket, trail: &Path, written: &Written) {
    for key in &written.logs {
        bucket.put(key, std::fs::read(trail.join(key)).unwrap(), None);
    }
    for (key, signature) in written.digests.iter().zip(&written.signatures) {
        bucket.put(key, std::fs::read(trail.join(key)).unwrap(), Some(signature));
    }
}

fn verify_s3(server: &S3Server, keys: &Path) -> (i32, Value) {
    let output = trail_vpce()
        .args(["verify", &format!("s3://{BUCKET}/AWSLogs/"), "--endpoint-url", &server.url()])
        .args(["--public-keys", &keys.display().to_string(), "--format", "json", "-q"])
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    (output.status.code().unwrap(), report)
}

#[test]
fn over_s3_the_same_checks_hold_with_the_signature_in_metadata() {
    let fixture = Fixture::new();
    let root = tempfile::tempdir().unwrap();
    let server = S3Server::start(root.path());
    let bucket = Bucket::new(&server);
    upload(&bucket, &fixture.trail(), &fixture.written);
    let keys = fixture.dir.path().join("keys.json");
    let (code, report) = verify_s3(&server, &keys);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        (report["totals"]["files_verified"].as_u64(), report["totals"]["digests_valid"].as_u64()),
        (Some(6), Some(3))
    );

    // Tampering through the S3 API: a record edited, a file deleted, a file planted, a digest deleted.
    let edited = &fixture.written.logs[5];
    let text = String::from_utf8(gunzip(&bucket.get(edited))).unwrap();
    bucket.put(edited, gzip(text.replace("GetObject", "HeadObject").as_bytes()), None);
    bucket.delete(&fixture.written.logs[0]);
    let planted = log_key(0, 8);
    bucket.put(&planted, gzip(&records(0, 8)), None);
    bucket.delete(&fixture.written.digests[1]);
    let (code, report) = verify_s3(&server, &keys);
    assert_eq!(code, 1);
    let rows = file_rows(&report);
    assert!(ends(&rows, "modified", edited), "{rows:?}");
    assert!(ends(&rows, "deleted", &fixture.written.logs[0]), "{rows:?}");
    assert!(ends(&rows, "not_covered", &planted), "{rows:?}");
    assert_eq!(report["missing_digests"][0]["path"], fixture.written.digests[1].as_str());
    assert!(rows.iter().all(|(_, p)| p.starts_with("s3://trail-bucket/") || p.starts_with("AWSLogs/")), "{rows:?}");

    // The key is never taken from the digest: an unlisted key leaves every digest unchecked.
    let other = Signer::new();
    let other_keys = fixture.dir.path().join("other-keys.json");
    std::fs::write(&other_keys, other.key_list(&other, &other.fingerprint)).unwrap();
    let (code, report) = verify_s3(&server, &other_keys);
    assert_eq!((code, report["totals"]["digests_unchecked"].as_u64()), (1, Some(2)));
}

// ---- `timeline --verify` on sample-logs (its digest chain is signed with sample-digest-key/) ----

fn sample_logs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-logs")
}

fn sample_keys() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-digest-key/public-keys.json").display().to_string()
}

/// (file name, integrity) of every timeline row of the App role, and the report.
fn timeline_rows(root: &Path) -> (Vec<(String, String)>, Value) {
    // One thread: a duplicated event's row names the copy read first, which on several threads depends on
    // scheduling (sample-logs holds copies of some events in neighbouring files); this test compares two runs
    // row by row, file names included. (The row's integrity does not depend on it: it answers for every copy.)
    let output = trail_vpce()
        .args(["timeline", &root.display().to_string(), "--principal", "arn:aws:iam::111122223333:role/App"])
        .args(["--verify", "--public-keys", &sample_keys(), "--format", "json", "-q", "--threads", "1"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rows = report["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let file = e["source_file"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
            (file, e["integrity"].as_str().unwrap().to_owned())
        })
        .collect();
    (rows, report)
}

#[test]
fn timeline_verify_marks_exactly_the_edited_objects_rows() {
    let dir = tempfile::tempdir().unwrap();
    aws_support::copy_tree(&sample_logs(), dir.path());
    let (before, report) = timeline_rows(dir.path());
    assert_eq!(report["integrity"]["files"]["verified"], 54, "{:#}", report["integrity"]);
    // The sample's truncated log is damaged on purpose: its rows are altered from the start.
    let damaged = "111122223333_CloudTrail_us-east-1_20261118T0710Z_y5WcWYsuoMFyJNwN.json.gz";
    assert!(before.iter().all(|(file, integrity)| (integrity == "altered") == (file == damaged)), "{before:?}");
    assert!(before.iter().any(|(_, integrity)| integrity == "verified"));
    assert!(before.iter().any(|(_, integrity)| integrity == "unverified"), "S3 access logs are in no digest");

    // Edit one record of one object: a user agent, as someone covering their tracks might.
    let edited = "111122223333_CloudTrail_us-east-1_20261120T1205Z_oJGMQwr2tsRrPLz9.json.gz";
    let path = dir.path().join("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20").join(edited);
    let mut log: Value = serde_json::from_slice(&gunzip(&std::fs::read(&path).unwrap())).unwrap();
    log["Records"][0]["userAgent"] = json!("aws-cli/2.15 (innocent)");
    std::fs::write(&path, gzip(&serde_json::to_vec(&log).unwrap())).unwrap();

    let (after, report) = timeline_rows(dir.path());
    assert_eq!(after.len(), before.len());
    let edited_rows = before.iter().filter(|(file, _)| file == edited).count();
    assert!(edited_rows > 10, "{edited_rows}");
    for ((file, was), (same_file, now)) in before.iter().zip(&after) {
        assert_eq!(file, same_file);
        if file == edited {
            assert_eq!((was.as_str(), now.as_str()), ("verified", "altered"));
        } else {
            assert_eq!(was, now, "{file}");
        }
    }
    let counts = &report["summary"]["integrity"];
    let altered_before = before.iter().filter(|(_, i)| i == "altered").count() as u64;
    assert_eq!(counts["altered"].as_u64(), Some(altered_before + edited_rows as u64));
    assert_eq!(report["integrity"]["files"]["altered"], 2);
    assert_eq!(report["integrity"]["verdict"], "failed");
}

fn run_json(args: &[&str]) -> Value {
    let output = trail_vpce().args(args).output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn denied_and_outside_verify_label_rows_by_their_files() {
    let dir = tempfile::tempdir().unwrap();
    aws_support::copy_tree(&sample_logs(), dir.path());
    let root = dir.path().display().to_string();
    let config = dir.path().join("trail-vpce.toml").display().to_string();
    let keys = sample_keys();
    let verify = ["--verify", "--public-keys", keys.as_str(), "--config", config.as_str(), "-q"];
    // One line per denied request, each with its source file and that file's integrity.
    let ndjson = |root: &str| -> Vec<Value> {
        let output =
            trail_vpce().args(["denied", root, "--all-causes", "--format", "ndjson"]).args(verify).output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    };
    let before = ndjson(&root);
    assert!(before.len() > 20);
    assert!(before.iter().all(|r| r["source_file"].is_string() && r["integrity"].is_string()), "{:#}", before[0]);
    // Edit the file of one denied CloudTrail request: its requests, and only they, become altered.
    let target = before
        .iter()
        .find(|r| r["integrity"] == "verified" && r["log"] == "cloudtrail")
        .map(|r| r["source_file"].as_str().unwrap().to_owned())
        .unwrap();
    let mut log: Value = serde_json::from_slice(&gunzip(&std::fs::read(&target).unwrap())).unwrap();
    log["Records"][0]["sourceIPAddress"] = json!("192.0.2.1");
    std::fs::write(&target, gzip(&serde_json::to_vec(&log).unwrap())).unwrap();
    let after = ndjson(&root);
    assert_eq!(after.len(), before.len());
    for (was, now) in before.iter().zip(&after) {
        assert_eq!(was["event_id"], now["event_id"]);
        let expected = if was["source_file"] == target.as_str() { json!("altered") } else { was["integrity"].clone() };
        assert_eq!(now["integrity"], expected, "{}", now["event_id"]);
    }

    // Grouped rows: the weakest integrity of their files, and the counts add up to the row's requests.
    let denied = run_json(&[&["denied", &root, "--all-causes", "--format", "json"][..], &verify].concat());
    for row in denied["denials"].as_array().unwrap() {
        let counts = &row["integrity_counts"];
        let sum: u64 = ["verified", "unverified", "altered"].iter().map(|k| counts[k].as_u64().unwrap()).sum();
        assert_eq!(Some(sum), row["count"].as_u64(), "{row:#}");
        let worst = if counts["altered"].as_u64() > Some(0) {
            "altered"
        } else if counts["unverified"].as_u64() > Some(0) {
            "unverified"
        } else {
            "verified"
        };
        assert_eq!(row["integrity"], worst);
    }
    assert!(denied["denials"].as_array().unwrap().iter().any(|r| r["integrity"] == "altered"));
    assert_eq!(denied["integrity"]["files"]["altered"], 2, "{:#}", denied["integrity"]);
    let outside = run_json(&[&["outside", &root, "--format", "json"][..], &verify].concat());
    let findings = outside["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for finding in findings {
        let counts = &finding["integrity_counts"];
        let sum: u64 = ["verified", "unverified", "altered"].iter().map(|k| counts[k].as_u64().unwrap()).sum();
        assert_eq!(Some(sum), finding["count"].as_u64(), "{finding:#}");
    }
    assert_eq!(outside["integrity"]["verdict"], "failed");
    // Without --verify, none of it appears.
    let plain = run_json(&["outside", &root, "--format", "json", "--config", &config, "-q"]);
    assert!(plain.get("integrity").is_none() && plain["findings"][0].get("integrity").is_none());
}

/// The human tables of denied, outside and timeline gain an INTEGRITY column with --verify (the row types'
/// integrity-only column), its cells the rows' integrity; without --verify the column is not there.
#[test]
fn tables_show_integrity_only_with_verify() {
    let root = sample_logs().display().to_string();
    let config = sample_logs().join("trail-vpce.toml").display().to_string();
    let keys = sample_keys();
    let cases: [&[&str]; 3] = [
        &["denied", &root, "--all-causes"],
        &["outside", &root],
        &["timeline", &root, "--principal", "arn:aws:iam::111122223333:role/App"],
    ];
    for args in cases {
        let table = |extra: &[&str]| {
            let output = trail_vpce().args(args).args(["--config", &config, "-q"]).args(extra).output().unwrap();
            assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
            String::from_utf8(output.stdout).unwrap()
        };
        let plain = table(&[]);
        let verified = table(&["--verify", "--public-keys", &keys]);
        let header = |text: &str| text.lines().next().unwrap_or_default().to_owned();
        assert!(!header(&plain).contains("INTEGRITY"), "{args:?}: {plain}");
        let with = header(&verified);
        assert!(with.trim_end().ends_with("INTEGRITY"), "{args:?}: {with}");
        assert!(with.starts_with(header(&plain).trim_end()), "{args:?}: {with}");
        let cells: Vec<&str> = verified
            .lines()
            .skip(1)
            .take_while(|l| !l.is_empty())
            .filter_map(|l| l.split_whitespace().last())
            .collect();
        assert!(!cells.is_empty(), "{args:?}");
        assert!(cells.iter().all(|c| ["verified", "unverified", "altered"].contains(c)), "{args:?}: {cells:?}");
        assert!(verified.contains("\nintegrity: "), "{args:?}: the summary line");
    }
}

#[test]
fn over_s3_a_sidecar_object_stands_in_for_missing_metadata() {
    let fixture = Fixture::new();
    let root = tempfile::tempdir().unwrap();
    let server = S3Server::start(root.path());
    let bucket = Bucket::new(&server);
    // Copied into another bucket without their metadata, the digests keep their `.sig` objects beside them.
    for key in &fixture.written.logs {
        bucket.put(key, std::fs::read(fixture.path(key)).unwrap(), None);
    }
    for key in &fixture.written.digests {
        bucket.put(key, std::fs::read(fixture.path(key)).unwrap(), None);
        let sig = format!("{key}.sig");
        bucket.put(&sig, std::fs::read(fixture.path(&sig)).unwrap(), None);
    }
    let (code, report) = verify_s3(&server, &fixture.dir.path().join("keys.json"));
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["totals"]["digests_valid"], 3);
    // Neither metadata nor sidecar: unchecked, and said so.
    bucket.delete(&format!("{}.sig", fixture.written.digests[2]));
    let (code, report) = verify_s3(&server, &fixture.dir.path().join("keys.json"));
    assert_eq!(code, 1);
    assert_eq!(bad_digests(&report).into_iter().map(|d| d.1).collect::<Vec<_>>(), vec!["no_signature"]);
}

#[test]
fn what_a_digest_says_reaches_the_terminal_escaped() {
    let fixture = Fixture::new();
    // A digest naming itself with control characters (a forged one: its signature fails too).
    let key = &fixture.written.digests[0];
    let mut digest: Value = serde_json::from_slice(&gunzip(&std::fs::read(fixture.path(key)).unwrap())).unwrap();
    digest["digestS3Object"] = json!("AWSLogs/\u{1b}[2J\u{202e}evil.json.gz");
    std::fs::write(fixture.path(key), gzip(&serde_json::to_vec(&digest).unwrap())).unwrap();
    let keys = fixture.dir.path().join("keys.json");
    let output = trail_vpce()
        .args(["verify", &fixture.trail().display().to_string(), "--public-keys", &keys.display().to_string()])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(text.contains("moved") && text.contains("\\u{1b}[2J\\u{202e}evil"), "{text}");
    assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}'), "{text}");
}

// ---- the keys from the ListPublicKeys API (a stand-in speaking CloudTrail's JSON 1.1 protocol) ----

/// Answers `ListPublicKeys` with one key; records each request body.
struct KeyServer {
    url: String,
    requests: std::sync::Arc<std::sync::Mutex<Vec<Value>>>,
}

impl KeyServer {
    fn start(signer: &Signer) -> KeyServer {
        use http_body_util::{BodyExt, Full};
        use hyper_util::rt::{TokioExecutor, TokioIo};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        // The JSON protocol carries blobs as base64 and timestamps as epoch seconds.
        let answer = json!({"PublicKeyList": [{
            "Value": base64(signer.key.public_key().as_ref()),
            "ValidityStartTime": 1_793_491_200.0, // 2026-11-01T00:00:00Z
            "ValidityEndTime": 1_796_083_200.0,   // 2026-12-01T00:00:00Z
            "Fingerprint": signer.fingerprint,
        }]})
        .to_string();
        let seen = requests.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    let Ok((socket, _)) = listener.accept().await else { continue };
                    let (answer, seen) = (answer.clone(), seen.clone());
                    tokio::spawn(async move {
                        let handler = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                            let (answer, seen) = (answer.clone(), seen.clone());
                            async move {
                                let target =
                                    req.headers().get("x-amz-target").map(|v| v.to_str().unwrap_or("").to_owned());
                                let body = req.into_body().collect().await?.to_bytes();
                                seen.lock().unwrap().push(serde_json::from_slice(&body).unwrap_or(Value::Null));
                                let ok = target.as_deref().is_some_and(|t| t.ends_with("ListPublicKeys"));
                                let (status, text) = if ok {
                                    (200, answer)
                                } else {
                                    (400, json!({"__type": "UnknownOperationException"}).to_string())
                                };
                                Ok::<_, hyper::Error>(
                                    hyper::Response::builder()
                                        .status(status)
                                        .header("content-type", "application/x-amz-json-1.1")
                                        .body(Full::new(bytes::Bytes::from(text)))
                                        .unwrap(),
                                )
                            }
                        });
                        let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                            .serve_connection(TokioIo::new(socket), handler)
                            .await;
                    });
                }
            });
        });
        KeyServer { url, requests }
    }
}

#[test]
fn without_a_key_file_the_keys_come_from_list_public_keys() {
    let fixture = Fixture::new();
    let run = |server: &KeyServer| -> (i32, Value) {
        let output = trail_vpce()
            .args(["verify", &fixture.trail().display().to_string(), "--endpoint-url", &server.url])
            .args(["--format", "json", "-q"])
            .output()
            .unwrap();
        let report = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
        (output.status.code().unwrap(), report)
    };
    let server = KeyServer::start(&fixture.signer);
    let (code, report) = run(&server);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["public_keys"], 1);
    // Asked for the digests' time range (the first digest starts at 00:00, the last ends at 03:00).
    let request = server.requests.lock().unwrap()[0].clone();
    assert_eq!(
        (request["StartTime"].as_f64(), request["EndTime"].as_f64()),
        (Some(1_795_219_200.0), Some(1_795_230_000.0))
    );
    // The API lists another key: nothing is trusted.
    let other = KeyServer::start(&Signer::new());
    let (code, report) = run(&other);
    assert_eq!((code, report["totals"]["digests_unchecked"].as_u64()), (1, Some(3)));
}

/// An event delivered twice, once in a file later edited: its timeline row is altered whichever copy the run
/// read first (one thread reads the intact copy first, two threads may read either), and the other rows of the
/// intact file stay verified.
#[test]
fn a_duplicated_events_row_answers_for_every_copy() {
    let dir = tempfile::tempdir().unwrap();
    aws_support::copy_tree(&sample_logs(), dir.path());
    let day = dir.path().join("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20");
    let intact = "111122223333_CloudTrail_us-east-1_20261120T0005Z_r6spok3nWDyy0WI0.json.gz";
    let edited = "111122223333_CloudTrail_us-east-1_20261120T0305Z_pMIVKp43wXsAR3bQ.json.gz";
    let duplicated = "23da8e5c-ce0d-44bc-b366-3a82eedb36da";
    let log =
        |name: &str| -> Value { serde_json::from_slice(&gunzip(&std::fs::read(day.join(name)).unwrap())).unwrap() };
    let copies: Vec<bool> = [intact, edited]
        .iter()
        .map(|name| log(name)["Records"].as_array().unwrap().iter().any(|r| r["eventID"] == duplicated))
        .collect();
    assert_eq!(copies, [true, true], "the sample holds the event in both files");
    // Edit another record of the later file: the duplicated event itself is untouched in both.
    let mut later = log(edited);
    let records = later["Records"].as_array_mut().unwrap();
    let other = records.iter().position(|r| r["eventID"] != duplicated).unwrap();
    records[other]["userAgent"] = json!("aws-cli/2.15 (innocent)");
    std::fs::write(day.join(edited), gzip(&serde_json::to_vec(&later).unwrap())).unwrap();
    let root = dir.path().display().to_string();
    let keys = sample_keys();
    for threads in ["1", "2"] {
        let report = run_json(&[
            "timeline",
            &root,
            "--principal",
            "arn:aws:iam::111122223333:role/App",
            "--verify",
            "--public-keys",
            &keys,
            "--format",
            "json",
            "-q",
            "--threads",
            threads,
        ]);
        let events = report["events"].as_array().unwrap();
        let row = events.iter().find(|e| e["event_id"] == duplicated).expect("the duplicated event's row");
        assert_eq!(row["integrity"], "altered", "threads {threads}: {row:#}");
        let intact_rows: Vec<&Value> = events
            .iter()
            .filter(|e| e["event_id"] != duplicated && e["source_file"].as_str().unwrap().ends_with(intact))
            .collect();
        assert!(
            !intact_rows.is_empty() && intact_rows.iter().all(|e| e["integrity"] == "verified"),
            "threads {threads}"
        );
    }
}
