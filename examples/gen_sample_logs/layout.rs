//! Writes the tree: CloudTrail objects in their real key layout (account trail, organization trail branch),
//! duplicates, the damaged archive, a digest, an Insight file, the S3 access logs (one of them gzip without
//! `.gz`), the two export files, the endpoint policies and the example config.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::Path;

use flate2::{Compression, GzBuilder};
use serde_json::{Value, json};

use crate::access_log::{FILES, GZIP_FILE};
use crate::records::Branch;
use crate::rng::{Rng, iso, nov, parts};
use crate::who::*;
use crate::world::{Res, World};

/// What was written, for the manifest.
#[derive(Default)]
pub struct Written {
    /// Every log input file (relative to the output root), sorted.
    pub files: Vec<String>,
    /// eventID of every CloudTrail record copy written and recoverable (duplicates appear twice).
    pub copies: Vec<String>,
    pub damaged: Vec<(String, usize)>,
    pub insight_records: usize,
    pub digest_files: usize,
    pub access_good: usize,
    pub access_bad: usize,
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut enc = GzBuilder::new().mtime(0).write(Vec::new(), Compression::new(6));
    enc.write_all(bytes)?;
    enc.finish()
}

fn write(root: &Path, rel: &str, bytes: &[u8]) -> Res<()> {
    let path = root.join(rel);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(())
}

fn records_json(recs: &[&Value]) -> Res<Vec<u8>> {
    let mut out = b"{\"Records\":[".to_vec();
    for (i, r) in recs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend(serde_json::to_vec(r)?);
    }
    out.extend(b"]}");
    Ok(out)
}

fn stamp(t: i64) -> (String, String) {
    let (y, mo, d, h, mi, _) = parts(t);
    (format!("{y:04}/{mo:02}/{d:02}"), format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}Z"))
}

/// One delivered CloudTrail object: (key, delivery time, records).
type Object<'a> = (String, i64, Vec<&'a Value>);

/// Groups records into delivered objects: `hours`-long windows per (branch, region).
fn objects<'a>(w: &'a World, rng: &mut Rng, branch: Branch, hours: i64) -> Vec<Object<'a>> {
    let start = nov(18, 0, 0, 0);
    let mut groups: BTreeMap<(String, i64), Vec<(i64, usize)>> = BTreeMap::new();
    for (i, r) in w.recs.iter().enumerate().filter(|(_, r)| r.branch == branch) {
        let region = r.v["awsRegion"].as_str().unwrap_or("us-east-1").to_owned();
        groups.entry((region, (r.t - start).div_euclid(hours * 3600))).or_default().push((r.t, i));
    }
    let mut out = Vec::new();
    for ((region, window), mut members) in groups {
        members.sort();
        let delivered = (start + (window + 1) * hours * 3600 + 300).min(nov(21, 12, 0, 0));
        let (folder, name_time) = stamp(delivered);
        let (acct, prefix) = match branch {
            Branch::Org => (DATA_ACCT, format!("AWSLogs/{ORG}/{DATA_ACCT}")),
            _ => (APP_ACCT, format!("AWSLogs/{APP_ACCT}")),
        };
        let key = format!(
            "{prefix}/CloudTrail/{region}/{folder}/{acct}_CloudTrail_{region}_{name_time}_{}.json.gz",
            rng.alnum(16)
        );
        out.push((key, delivered, members.iter().map(|(_, i)| &w.recs[*i].v).collect()));
    }
    out
}

pub fn write_all(root: &Path, w: &World, manifest_rng: &mut Rng) -> Res<Written> {
    let mut done = Written::default();
    let rng = manifest_rng;
    let mut objs = objects(w, rng, Branch::Main, 3);
    objs.extend(objects(w, rng, Branch::Org, 6));
    // Duplicates: each record marked `dup` is delivered again in the next object of its branch.
    let dup_values: Vec<&Value> = w.recs.iter().filter(|r| r.dup && r.branch == Branch::Main).map(|r| &r.v).collect();
    for v in dup_values {
        if let Some(pos) = objs.iter().position(|(_, _, recs)| recs.iter().any(|r| std::ptr::eq(*r, v))) {
            let target = if pos + 1 < objs.len() && objs[pos + 1].0.contains(&format!("/{APP_ACCT}/CloudTrail/")) {
                pos + 1
            } else {
                pos.saturating_sub(1)
            };
            objs[target].2.push(v);
        }
    }
    let mut digest_entries = Vec::new();
    for (key, delivered, recs) in &objs {
        write(root, key, &gzip(&records_json(recs)?)?)?;
        done.files.push(key.clone());
        done.copies.extend(recs.iter().map(|r| r["eventID"].as_str().unwrap_or_default().to_owned()));
        if key.starts_with(&format!("AWSLogs/{APP_ACCT}/")) && (nov(21, 9, 0, 0)..nov(21, 10, 0, 0)).contains(delivered)
        {
            let times: Vec<&str> = recs.iter().filter_map(|r| r["eventTime"].as_str()).collect();
            digest_entries.push(json!({
                "s3Bucket": "org-trail-111122223333", "s3Object": key, "hashValue": rng.hex(64), "hashAlgorithm": "SHA-256",
                "newestEventTime": times.iter().max(), "oldestEventTime": times.iter().min(),
            }));
        }
    }
    damaged(root, w, rng, &mut done)?;
    digest(root, rng, digest_entries, &mut done)?;
    insight(root, rng, &mut done)?;
    exports(root, w, &mut done)?;
    access_logs(root, w, &mut done)?;
    done.files.sort();
    Ok(done)
}

/// Records 1..K whole, then half of record K+1, each followed by a sync flush; no gzip trailer.
fn damaged(root: &Path, w: &World, rng: &mut Rng, done: &mut Written) -> Res<()> {
    let recs: Vec<&crate::records::Rec> = w.recs.iter().filter(|r| r.branch == Branch::Damaged).collect();
    let key = format!(
        "AWSLogs/{APP_ACCT}/CloudTrail/us-east-1/2026/11/18/{APP_ACCT}_CloudTrail_us-east-1_20261118T0710Z_{}.json.gz",
        rng.alnum(16)
    );
    let mut enc = GzBuilder::new().mtime(0).write(Vec::new(), Compression::new(6));
    enc.write_all(b"{\"Records\":[")?;
    let mut recovered = 0;
    for r in recs.iter().filter(|r| !r.lost) {
        enc.write_all(&serde_json::to_vec(&r.v)?)?;
        enc.write_all(b",")?;
        done.copies.push(r.event_id());
        recovered += 1;
    }
    enc.flush()?;
    if let Some(lost) = recs.iter().find(|r| r.lost) {
        let bytes = serde_json::to_vec(&lost.v)?;
        enc.write_all(&bytes[..bytes.len() / 2])?;
    }
    enc.flush()?;
    let cut = enc.get_ref().clone();
    write(root, &key, &cut)?;
    done.files.push(key.clone());
    done.damaged.push((key, recovered));
    Ok(())
}

fn digest(root: &Path, rng: &mut Rng, log_files: Vec<Value>, done: &mut Written) -> Res<()> {
    let folder = format!("AWSLogs/{APP_ACCT}/CloudTrail-Digest/us-east-1/2026/11/21");
    let key = format!("{folder}/{APP_ACCT}_CloudTrail-Digest_us-east-1_app-trail_us-east-1_20261121T100000Z.json.gz");
    let newest = log_files.iter().filter_map(|f| f["newestEventTime"].as_str()).max().map(str::to_owned);
    let oldest = log_files.iter().filter_map(|f| f["oldestEventTime"].as_str()).min().map(str::to_owned);
    let body = json!({
        "awsAccountId": APP_ACCT,
        "digestStartTime": "2026-11-21T09:00:00Z",
        "digestEndTime": "2026-11-21T10:00:00Z",
        "digestS3Bucket": "org-trail-111122223333",
        "digestS3Object": key,
        "digestPublicKeyFingerprint": rng.hex(32),
        "digestSignatureAlgorithm": "SHA256withRSA",
        "newestEventTime": newest,
        "oldestEventTime": oldest,
        "previousDigestS3Bucket": "org-trail-111122223333",
        "previousDigestS3Object": format!("{folder}/{APP_ACCT}_CloudTrail-Digest_us-east-1_app-trail_us-east-1_20261121T090000Z.json.gz"),
        "previousDigestHashValue": rng.hex(64),
        "previousDigestHashAlgorithm": "SHA-256",
        "previousDigestSignature": rng.hex(512),
        "logFiles": log_files,
    });
    write(root, &key, &gzip(&serde_json::to_vec(&body)?)?)?;
    done.files.push(key);
    done.digest_files += 1;
    Ok(())
}

fn insight(root: &Path, rng: &mut Rng, done: &mut Written) -> Res<()> {
    let shared = rng.uuid();
    let record = |rng: &mut Rng, state: &str, t: i64, average: f64| {
        json!({
            "eventVersion": "1.08", "eventTime": iso(t), "awsRegion": "us-east-1", "eventID": rng.uuid(),
            "eventType": "AwsCloudTrailInsight", "recipientAccountId": APP_ACCT, "sharedEventID": shared,
            "insightDetails": {"state": state, "eventSource": "s3.amazonaws.com", "eventName": "PutObject",
                "insightType": "ApiErrorRateInsight", "errorCode": "AccessDenied",
                "insightContext": {"statistics": {"baseline": {"average": 0.0208}, "insight": {"average": average},
                    "insightDuration": 3, "baselineDuration": 10080},
                    "attributions": [{"attribute": "userIdentityArn", "insight": [{"value": "delivery.logs.amazonaws.com", "average": average}],
                                      "baseline": [{"value": "delivery.logs.amazonaws.com", "average": 0.0208}]}]}},
            "eventCategory": "Insight",
        })
    };
    let records = [record(rng, "Start", nov(20, 15, 20, 0), 2.0), record(rng, "End", nov(20, 15, 23, 0), 2.0)];
    let key = format!(
        "AWSLogs/{APP_ACCT}/CloudTrail-Insight/us-east-1/2026/11/20/{APP_ACCT}_CloudTrail-Insight_us-east-1_20261120T1540Z_{}.json.gz",
        rng.alnum(16)
    );
    let refs: Vec<&Value> = records.iter().collect();
    write(root, &key, &gzip(&records_json(&refs)?)?)?;
    done.files.push(key);
    done.insight_records += records.len();
    Ok(())
}

fn exports(root: &Path, w: &World, done: &mut Written) -> Res<()> {
    let mut lines = Vec::new();
    for r in w.recs.iter().filter(|r| r.branch == Branch::Ndjson || (r.dup && r.branch == Branch::Org)) {
        lines.extend(serde_json::to_vec(&r.v)?);
        lines.push(b'\n');
        done.copies.push(r.event_id());
    }
    write(root, "exports/lake-export-2026-11-21.json", &lines)?;
    done.files.push("exports/lake-export-2026-11-21.json".to_owned());
    let array: Vec<&Value> = w.recs.iter().filter(|r| r.branch == Branch::BareArray).map(|r| &r.v).collect();
    done.copies.extend(array.iter().map(|v| v["eventID"].as_str().unwrap_or_default().to_owned()));
    write(root, "exports/athena-results-2026-11-20.json", &serde_json::to_vec_pretty(&array)?)?;
    done.files.push("exports/athena-results-2026-11-20.json".to_owned());
    Ok(())
}

fn access_logs(root: &Path, w: &World, done: &mut Written) -> Res<()> {
    for (i, name) in FILES.iter().enumerate() {
        let mut lines: Vec<_> = w.access.iter().filter(|l| l.file == i).collect();
        lines.sort_by_key(|l| l.t);
        let mut text = Vec::new();
        for l in &lines {
            text.extend(l.text.as_bytes());
            text.push(b'\n');
            if l.good { done.access_good += 1 } else { done.access_bad += 1 }
        }
        let bytes = if i == GZIP_FILE { gzip(&text)? } else { text };
        let rel = format!("s3-access-logs/{BUCKET_DATA}/{name}");
        write(root, &rel, &bytes)?;
        done.files.push(rel);
    }
    Ok(())
}

/// The endpoint policies and the example config (not log inputs).
pub fn write_config(root: &Path) -> Res<Vec<String>> {
    let mut written = Vec::new();
    for vpce in [VPCE_S3, VPCE_DDB, VPCE_IF] {
        let Some(text) = crate::policy::policy_text(vpce) else { continue };
        let parsed: Value = serde_json::from_str(text).map_err(|e| format!("policy of {vpce}: {e}"))?;
        if parsed["Statement"].as_array().is_none_or(|s| s.iter().any(|st| st.get("Principal").is_none())) {
            return Err(format!("policy of {vpce}: every statement needs a Principal").into());
        }
        if text.chars().count() > 20_480 {
            return Err(format!("policy of {vpce} is {} characters (limit 20,480)", text.len()).into());
        }
        let rel = format!("policies/{vpce}.json");
        write(root, &rel, text.as_bytes())?;
        written.push(rel);
    }
    write(root, "trail-vpce.toml", crate::config::TOML.as_bytes())?;
    written.push("trail-vpce.toml".to_owned());
    Ok(written)
}
