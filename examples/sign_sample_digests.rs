//! Writes a signed CloudTrail digest chain over `sample-logs/` with the TEST key in `sample-digest-key/`, the
//! public key as `aws cloudtrail list-public-keys` prints it, and the manifest's digest figures. Run it after
//! `gen_sample_logs` (which writes one unsigned digest; this replaces it):
//!
//! ```text
//! cargo run --example sign_sample_digests -- [--new-key]
//! ```
//!
//! The digests follow the CloudTrail user guide, "CloudTrail digest file structure", field for field, and are
//! signed over the data-signing string of "Custom implementations of CloudTrail log file integrity validation"
//! (RSA PKCS#1 v1.5, SHA-256). One difference, to keep the sample small: each digest covers a day, where
//! CloudTrail's cover an hour. The signature of `X.json.gz` goes in the sidecar `X.json.gz.sig` (hex), the
//! convention `trail-vpce verify` reads for local copies. Same bytes on every run (PKCS#1 v1.5 signatures are
//! deterministic, gzip with mtime 0). The damaged log of the sample is listed with the hash of its readable
//! part: CloudTrail delivered it whole; `verify` must name it invalid.

use std::collections::BTreeMap;
use std::error::Error;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use serde_json::{Value, json};

type Res<T> = Result<T, Box<dyn Error>>;

const BUCKET: &str = "org-trail-111122223333";
const HOME_REGION: &str = "us-east-1";
const KEY_FILE: &str = "test-private-key.pk8";

fn main() -> Res<()> {
    let mut root = PathBuf::from("sample-logs");
    let mut key_dir = PathBuf::from("sample-digest-key");
    let mut manifest = PathBuf::from("tests/fixtures/sample-manifest.json");
    let mut new_key = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--root" => root = args.next().ok_or("--root needs a folder")?.into(),
            "--key-dir" => key_dir = args.next().ok_or("--key-dir needs a folder")?.into(),
            "--manifest" => manifest = args.next().ok_or("--manifest needs a path")?.into(),
            "--new-key" => new_key = true,
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    let key = load_key(&key_dir, new_key)?;
    let fingerprint = hex(&sha256(key.public_key().as_ref())[..16]);
    remove_digests(&root)?;
    let mut written = Vec::new();
    for ((prefix, account, region), logs) in log_groups(&root)? {
        written.extend(write_chain(&root, &key, &fingerprint, &prefix, &account, &region, &logs)?);
    }
    write_key_list(&key_dir, &key, &fingerprint)?;
    update_manifest(&manifest, &written)?;
    eprintln!("wrote {} signed digests (fingerprint {fingerprint}) under {}", written.len(), root.display());
    Ok(())
}

fn load_key(dir: &Path, new_key: bool) -> Res<KeyPair> {
    let path = dir.join(KEY_FILE);
    if new_key || !path.exists() {
        let key = KeyPair::generate(KeySize::Rsa2048).map_err(|e| format!("{e:?}"))?;
        fs::create_dir_all(dir)?;
        fs::write(&path, key.as_der().map_err(|e| format!("{e:?}"))?.as_ref())?;
    }
    Ok(KeyPair::from_pkcs8(&fs::read(&path)?).map_err(|e| format!("{}: {e:?}", path.display()))?)
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

fn gzip(bytes: &[u8]) -> Res<Vec<u8>> {
    let mut encoder = flate2::GzBuilder::new().mtime(0).write(Vec::new(), flate2::Compression::new(6));
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

/// Every file under a `CloudTrail-Digest` folder (and its sidecar) goes: the chain is written afresh.
fn remove_digests(root: &Path) -> Res<()> {
    for entry in walk(root)? {
        if entry.to_string_lossy().contains("/CloudTrail-Digest/") {
            fs::remove_file(&entry)?;
        }
    }
    Ok(())
}

fn walk(dir: &Path) -> Res<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// A log file: its key (relative to the root), delivery time `YYYYMMDDTHHMMZ`, day `YYYY/MM/DD`.
struct Log {
    key: String,
    delivered: String,
}

/// CloudTrail log files by (prefix up to the account, account, region).
fn log_groups(root: &Path) -> Res<BTreeMap<(String, String, String), Vec<Log>>> {
    let mut groups: BTreeMap<(String, String, String), Vec<Log>> = BTreeMap::new();
    for path in walk(&root.join("AWSLogs"))? {
        let key = path.strip_prefix(root)?.to_string_lossy().replace('\\', "/");
        let Some((before, after)) = key.split_once("/CloudTrail/") else { continue };
        let Some((prefix, account)) = before.rsplit_once('/') else { continue };
        let region = after.split('/').next().unwrap_or_default().to_owned();
        let file = key.rsplit('/').next().unwrap_or_default();
        let delivered = file.split('_').nth(3).unwrap_or_default().to_owned();
        groups.entry((format!("{prefix}/"), account.to_owned(), region)).or_default().push(Log { key, delivered });
    }
    Ok(groups)
}

/// The uncompressed content of a log (what can be read of a damaged one), and its event time range.
fn content(path: &Path) -> Res<(Vec<u8>, Option<String>, Option<String>)> {
    let compressed = fs::read(path)?;
    let mut inflated = Vec::new();
    let _ = flate2::read::GzDecoder::new(&compressed[..]).read_to_end(&mut inflated);
    let times: Vec<String> = serde_json::from_slice::<Value>(&inflated)
        .ok()
        .and_then(|v| v["Records"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|r| r["eventTime"].as_str().map(str::to_owned))
        .collect();
    let (oldest, newest) = (times.iter().min().cloned(), times.iter().max().cloned());
    Ok((inflated, newest, oldest))
}

/// One digest a day from the first day with logs to the last, chained.
fn write_chain(
    root: &Path,
    key: &KeyPair,
    fingerprint: &str,
    prefix: &str,
    account: &str,
    region: &str,
    logs: &[Log],
) -> Res<Vec<String>> {
    let trail = if prefix.contains("/o-") { "org-trail" } else { "app-trail" };
    let mut days: Vec<&str> = logs.iter().map(|l| &l.delivered[..8]).collect();
    days.sort();
    days.dedup();
    let mut written = Vec::new();
    let mut previous: Option<(String, String, String)> = None; // key, hash, signature
    for day in days {
        let (y, m, d) = (&day[..4], &day[4..6], &day[6..8]);
        let start = format!("{y}-{m}-{d}T00:00:00Z");
        let end_day = next_day(day);
        let (ey, em, ed) = (&end_day[..4], &end_day[4..6], &end_day[6..8]);
        let end = format!("{ey}-{em}-{ed}T00:00:00Z");
        let digest_key = format!(
            "{prefix}{account}/CloudTrail-Digest/{region}/{ey}/{em}/{ed}/{account}_CloudTrail-Digest_{region}_{trail}_{HOME_REGION}_{end_day}T000000Z.json.gz"
        );
        let mut listed = Vec::new();
        let (mut newest_all, mut oldest_all): (Option<String>, Option<String>) = (None, None);
        for log in logs.iter().filter(|l| l.delivered.starts_with(day)) {
            let (inflated, newest, oldest) = content(&root.join(&log.key))?;
            newest_all = newest_all.max(newest.clone());
            oldest_all = match (oldest_all, oldest.clone()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            listed.push(json!({
                "s3Bucket": BUCKET,
                "s3Object": log.key,
                "hashValue": hex(&sha256(&inflated)),
                "hashAlgorithm": "SHA-256",
                "newestEventTime": newest,
                "oldestEventTime": oldest,
            }));
        }
        let (prev_bucket, prev_key, prev_hash, prev_algorithm, prev_signature) = match &previous {
            Some((k, h, s)) => (json!(BUCKET), json!(k), json!(h), json!("SHA-256"), json!(s)),
            None => (Value::Null, Value::Null, Value::Null, Value::Null, Value::Null),
        };
        let digest = json!({
            "awsAccountId": account,
            "digestStartTime": start,
            "digestEndTime": end,
            "digestS3Bucket": BUCKET,
            "digestS3Object": digest_key,
            "digestPublicKeyFingerprint": fingerprint,
            "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": newest_all,
            "oldestEventTime": oldest_all,
            "previousDigestS3Bucket": prev_bucket,
            "previousDigestS3Object": prev_key,
            "previousDigestHashValue": prev_hash,
            "previousDigestHashAlgorithm": prev_algorithm,
            "previousDigestSignature": prev_signature,
            "logFiles": listed,
        });
        let body = serde_json::to_vec(&digest)?;
        let hash = hex(&sha256(&body));
        let previous_signature = previous.as_ref().map_or("null".to_owned(), |p| p.2.clone());
        let to_sign = format!("{end}\n{BUCKET}/{digest_key}\n{hash}\n{previous_signature}");
        let mut signature = vec![0u8; key.public_modulus_len()];
        key.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), to_sign.as_bytes(), &mut signature)
            .map_err(|e| format!("{e:?}"))?;
        let signature = hex(&signature);
        let path = root.join(&digest_key);
        fs::create_dir_all(path.parent().ok_or("no parent")?)?;
        fs::write(&path, gzip(&body)?)?;
        fs::write(root.join(format!("{digest_key}.sig")), format!("{signature}\n"))?;
        written.push(digest_key.clone());
        previous = Some((digest_key, hash, signature));
    }
    Ok(written)
}

/// `YYYYMMDD` of the day after (November and December 2026 are all the sample needs, but any date works).
fn next_day(day: &str) -> String {
    let date: jiff::civil::Date = format!("{}-{}-{}", &day[..4], &day[4..6], &day[6..8]).parse().expect("a date");
    date.tomorrow().expect("a next day").strftime("%Y%m%d").to_string()
}

fn write_key_list(dir: &Path, key: &KeyPair, fingerprint: &str) -> Res<()> {
    let list = json!({"PublicKeyList": [{
        "Value": base64(key.public_key().as_ref()),
        "ValidityStartTime": "2026-11-01T00:00:00+00:00",
        "ValidityEndTime": "2027-01-01T00:00:00+00:00",
        "Fingerprint": fingerprint,
    }]});
    let mut text = serde_json::to_string_pretty(&list)?;
    text.push('\n');
    fs::write(dir.join("public-keys.json"), text)?;
    Ok(())
}

/// The manifest's books: the digests replace the unsigned one among the files; the sidecars are skipped by name.
fn update_manifest(path: &Path, digests: &[String]) -> Res<()> {
    let mut manifest: Value = serde_json::from_str(&fs::read_to_string(path)?)?;
    let input = manifest["input"].as_object_mut().ok_or("manifest has no input")?;
    let mut files: Vec<String> = input["file_paths"]
        .as_array()
        .ok_or("no file_paths")?
        .iter()
        .filter_map(|v| v.as_str())
        .filter(|p| !p.contains("/CloudTrail-Digest/"))
        .map(str::to_owned)
        .collect();
    files.extend(digests.iter().cloned());
    files.sort();
    let mut non_log: Vec<String> = input["non_log_files"]
        .as_array()
        .ok_or("no non_log_files")?
        .iter()
        .filter_map(|v| v.as_str())
        .filter(|p| !p.ends_with(".sig"))
        .map(str::to_owned)
        .collect();
    non_log.extend(digests.iter().map(|d| format!("{d}.sig")));
    non_log.sort();
    input.insert("files".into(), json!(files.len()));
    input.insert("file_paths".into(), json!(files));
    input.insert("digest_files".into(), json!(digests.len()));
    input.insert("non_log_files".into(), json!(non_log));
    let mut text = serde_json::to_string_pretty(&manifest)?;
    text.push('\n');
    fs::write(path, text)?;
    Ok(())
}
