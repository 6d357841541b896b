//! Writes `sample-logs/` (a small, realistic, deterministic world of CloudTrail and S3 server access logs
//! around three VPC endpoints) and its ground-truth manifest.
//!
//! ```text
//! cargo run --example gen_sample_logs -- --out sample-logs --manifest tests/fixtures/sample-manifest.json
//! ```
//!
//! An independent oracle: it uses none of the crate's code, only serde_json and flate2, and keeps its own
//! books of what it planted. Same bytes on every run: a fixed seed, no clock, sorted JSON maps, gzip with
//! mtime 0 and no file name.

mod access_log;
mod config;
mod layout;
mod manifest;
mod planted_aws_operated;
mod planted_more;
mod planted_other;
mod planted_outside;
mod planted_s3;
mod policy;
mod records;
mod rng;
mod traffic;
mod traffic_other;
mod traffic_s3;
mod who;
mod world;

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;

use records::{Branch, Route};
use rng::{Rng, nov};
use who::*;
use world::{Res, World};

const SEED: u64 = 0x7261_696c_7670_6365; // "railvpce"

fn main() -> Res<()> {
    let mut out = PathBuf::from("sample-logs");
    let mut manifest_path = PathBuf::from("tests/fixtures/sample-manifest.json");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = args.next().ok_or("--out needs a path")?.into(),
            "--manifest" => manifest_path = args.next().ok_or("--manifest needs a path")?.into(),
            other => {
                return Err(format!("unknown argument {other:?} (use --out DIR --manifest FILE)").into());
            }
        }
    }
    let mut w = World::new(SEED);
    traffic::generate(&mut w)?;
    planted_s3::generate(&mut w)?;
    planted_outside::generate(&mut w)?;
    planted_other::generate(&mut w)?;
    planted_more::generate(&mut w)?;
    extras(&mut w)?;
    access_log::generate(&mut w);
    // Last, so the random draws of everything before stay as they were.
    planted_aws_operated::generate(&mut w)?;

    clean(&out)?;
    let mut file_rng = Rng::new(SEED ^ 0x000F_11E5);
    let written = layout::write_all(&out, &w, &mut file_rng)?;
    let non_log = layout::write_config(&out)?;
    let manifest = manifest::build(&w, &written, &non_log)?;
    if let Some(dir) = manifest_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    let mut text = serde_json::to_string_pretty(&manifest)?;
    text.push('\n');
    fs::write(&manifest_path, text)?;
    eprintln!(
        "wrote {} log files ({} CloudTrail record copies, {} distinct; {} access log lines) to {}; manifest {} ({} request rows)",
        written.files.len(),
        written.copies.len(),
        manifest["input"]["records"],
        written.access_good,
        out.display(),
        manifest_path.display(),
        w.rows.len()
    );
    Ok(())
}

/// Removes what a previous run wrote (only the generator's own subtrees), so stale files never linger.
fn clean(out: &Path) -> Res<()> {
    for sub in ["AWSLogs", "s3-access-logs", "exports", "policies"] {
        let path = out.join(sub);
        if path.exists() {
            fs::remove_dir_all(&path)?;
        }
    }
    let toml = out.join("trail-vpce.toml");
    if toml.exists() {
        fs::remove_file(toml)?;
    }
    Ok(())
}

/// The damaged archive's records, the export files' records, and the choice of duplicates.
fn extras(w: &mut World) -> Res<()> {
    // The damaged archive: 12 whole App reads from the early morning of the 18th, then half of a 13th.
    for i in 0..13 {
        let t = nov(18, 6, 2, 0) + i * 173;
        let who = app(i % 2 == 0, t);
        let ip = if i % 2 == 0 { IP_LEAKY } else { IP_OTHER };
        let key = format!("reports/2026/11/17/part-{i:04}.csv");
        let v = records::s3(
            &mut w.rng,
            &who,
            t,
            ip,
            "GetObject",
            BUCKET_DATA,
            &key,
            APP_ACCT,
            Route::Vpce(VPCE_S3, APP_ACCT),
        );
        w.push_allowed(v, t, Branch::Damaged, &who, &[("s3:GetObject", &traffic::arn(BUCKET_DATA, &key), APP_ACCT)])?;
        if let Some(rec) = w.recs.last_mut() {
            rec.lost = i == 12;
        }
    }
    // A CloudTrail Lake export (one record per line): Batch queries on the 21st.
    for i in 0..5 {
        let t = nov(21, 8, 10, 0) + i * 611;
        let who = batch("lake-export-replay", "ASIAQX4ZB7KDLAKE0001", nov(21, 8, 0, 0));
        let params = json!({"tableName": "orders", "indexName": "by-status", "limit": 100, "keyConditionExpression": "orderStatus = :s"});
        let v =
            records::dynamodb(&mut w.rng, &who, t, "10.0.9.30", "Query", params, true, Route::Vpce(VPCE_DDB, APP_ACCT));
        let index = format!("{TABLE_ORDERS}/index/by-status");
        w.push_allowed(v, t, Branch::Ndjson, &who, &[("dynamodb:Query", &index, APP_ACCT)])?;
    }
    // An Athena result saved as a bare JSON array: the deploy user's calls on the 20th.
    let deployer = deploy();
    for (i, (source, name)) in [
        ("ec2.amazonaws.com", "DescribeInstances"),
        ("s3.amazonaws.com", "ListBuckets"),
        ("sts.amazonaws.com", "GetCallerIdentity"),
        ("ec2.amazonaws.com", "DescribeVpcEndpoints"),
    ]
    .into_iter()
    .enumerate()
    {
        let t = nov(20, 10, 0, 0) + i as i64 * 97;
        let v = records::call(
            &mut w.rng,
            &deployer,
            t,
            IP_DEPLOY,
            source,
            name,
            "us-east-1",
            json!(null),
            true,
            Route::Public,
        );
        w.push(v, t, Branch::BareArray);
    }
    // Duplicates: two planted records and seven ordinary reads delivered twice; one KMS call of the data
    // account delivered again in the export.
    let planted: Vec<String> = ["identity-explicit-policy-arn", "bypass-get"]
        .iter()
        .filter_map(|story| w.rows.iter().find(|r| r.story == *story && r.log == "cloudtrail"))
        .filter_map(|r| r.event_ids.first().cloned())
        .collect();
    let candidates: Vec<usize> = w
        .recs
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r.branch == Branch::Main
                && r.v["eventName"] == "GetObject"
                && r.v["requestParameters"]["bucketName"] == BUCKET_DATA
                && r.v["errorCode"].is_null()
                && r.v["userIdentity"]["type"] == "AssumedRole"
                && r.v["vpcEndpointId"] == VPCE_S3
        })
        .map(|(i, _)| i)
        .collect();
    let step = (candidates.len() / 7).max(1);
    let chosen: Vec<usize> = candidates.iter().copied().step_by(step).take(7).collect();
    for (i, rec) in w.recs.iter_mut().enumerate() {
        if chosen.contains(&i) || planted.contains(&rec.event_id()) {
            rec.dup = true;
        }
    }
    if let Some(rec) = w.recs.iter_mut().find(|r| r.branch == Branch::Org && r.v["eventName"] == "Decrypt") {
        rec.dup = true;
    }
    Ok(())
}
