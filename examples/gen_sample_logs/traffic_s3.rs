//! Background S3 traffic through the gateway endpoint: App (reads, writes, lists, deletes, copies,
//! multipart uploads, versioned reads, cross-account reads of the data account's bucket), Batch, and ECR
//! layer pulls from the AWS-owned bucket.

use serde_json::json;

use crate::records::{self, Branch};
use crate::rng::parts;
use crate::traffic::{day, s3_route};
use crate::who::*;
use crate::world::{Res, World};

/// One App request on S3 through the gateway endpoint (sometimes several records: copy, multipart upload).
pub fn app_s3(w: &mut World, t: i64, leaky: bool) -> Res<()> {
    let who = app(leaky, t);
    let ip = if leaky { IP_LEAKY } else { IP_OTHER };
    let d = day(t);
    let roll = w.rng.below(100);
    let report =
        format!("reports/2026/11/{d:02}/{}.csv", w.rng.pick(&["daily", "orders", "inventory", "refunds", "kpi"]));
    let upload = format!("uploads/app/2026/11/{d:02}/{}.json", w.rng.uuid());
    let r = s3_route();
    match roll {
        0..=34 => {
            let v = records::s3(&mut w.rng, &who, t, ip, "GetObject", BUCKET_DATA, &report, APP_ACCT, r);
            w.push_allowed(v, t, Branch::Main, &who, &[("s3:GetObject", &arn(BUCKET_DATA, &report), APP_ACCT)])?;
        }
        35..=49 => {
            let v = records::s3(&mut w.rng, &who, t, ip, "PutObject", BUCKET_DATA, &upload, APP_ACCT, r);
            w.push_allowed(v, t, Branch::Main, &who, &[("s3:PutObject", &arn(BUCKET_DATA, &upload), APP_ACCT)])?;
        }
        50..=58 => {
            let v = records::s3(&mut w.rng, &who, t, ip, "HeadObject", BUCKET_DATA, &report, APP_ACCT, r);
            w.push_allowed(v, t, Branch::Main, &who, &[("s3:GetObject", &arn(BUCKET_DATA, &report), APP_ACCT)])?;
        }
        59..=65 => {
            let prefix = format!("reports/2026/11/{d:02}/");
            let v = records::s3(&mut w.rng, &who, t, ip, "ListObjects", BUCKET_DATA, &prefix, APP_ACCT, r);
            w.push_allowed(
                v,
                t,
                Branch::Main,
                &who,
                &[("s3:ListBucket", &format!("arn:aws:s3:::{BUCKET_DATA}"), APP_ACCT)],
            )?;
        }
        66..=69 => {
            let v = records::s3(&mut w.rng, &who, t, ip, "DeleteObject", BUCKET_DATA, &upload, APP_ACCT, r);
            w.push_allowed(v, t, Branch::Main, &who, &[("s3:DeleteObject", &arn(BUCKET_DATA, &upload), APP_ACCT)])?;
        }
        70..=72 => {
            let dest = format!("reports/processed/2026/11/{d:02}/{}.json", w.rng.uuid());
            let mut v = records::s3(&mut w.rng, &who, t, ip, "CopyObject", BUCKET_DATA, &dest, APP_ACCT, r);
            v["requestParameters"]["x-amz-copy-source"] = json!(format!("{BUCKET_DATA}/{upload}"));
            if let Some(res) = v["resources"].as_array_mut() {
                res.insert(0, json!({"type": "AWS::S3::Object", "ARN": arn(BUCKET_DATA, &upload)}));
            }
            let accesses = [
                ("s3:PutObject", arn(BUCKET_DATA, &dest), APP_ACCT),
                ("s3:GetObject", arn(BUCKET_DATA, &upload), APP_ACCT),
            ];
            let accesses: Vec<(&str, &str, &str)> = accesses.iter().map(|(a, r, o)| (*a, r.as_str(), *o)).collect();
            w.push_allowed(v, t, Branch::Main, &who, &accesses)?;
        }
        73..=75 => {
            let key = format!("uploads/app/big/2026-11-{d:02}/{}.bin", w.rng.uuid());
            let upload_id = w.rng.base64ish(64).replace(['+', '/'], "_");
            let steps =
                [("CreateMultipartUpload", 0), ("UploadPart", 1), ("UploadPart", 2), ("CompleteMultipartUpload", 0)];
            for (i, (name, part)) in steps.into_iter().enumerate() {
                let ti = t + 4 * i as i64;
                let mut v = records::s3(&mut w.rng, &who, ti, ip, name, BUCKET_DATA, &key, APP_ACCT, r);
                if name == "CreateMultipartUpload" {
                    v["requestParameters"]["uploads"] = json!("");
                } else {
                    v["requestParameters"]["uploadId"] = json!(upload_id);
                }
                if part > 0 {
                    v["requestParameters"]["partNumber"] = json!(part.to_string());
                }
                w.push_allowed(v, ti, Branch::Main, &who, &[("s3:PutObject", &arn(BUCKET_DATA, &key), APP_ACCT)])?;
            }
        }
        76..=79 => {
            let mut v = records::s3(&mut w.rng, &who, t, ip, "GetObject", BUCKET_DATA, &report, APP_ACCT, r);
            v["requestParameters"]["versionId"] = json!(w.rng.alnum(32));
            w.push_allowed(v, t, Branch::Main, &who, &[("s3:GetObjectVersion", &arn(BUCKET_DATA, &report), APP_ACCT)])?;
        }
        80..=91 => {
            let (h, m) = (parts(t).3, w.rng.below(60));
            let key = format!("app/2026/11/{d:02}/app-{h:02}{m:02}-{}.log.gz", if leaky { "a" } else { "b" });
            let v = records::s3(&mut w.rng, &who, t, ip, "PutObject", BUCKET_LOGS, &key, APP_ACCT, r);
            w.push_allowed(v, t, Branch::Main, &who, &[("s3:PutObject", &arn(BUCKET_LOGS, &key), APP_ACCT)])?;
        }
        _ => {
            // Cross-account read of the data account's bucket: the requester's copy lands in our trail, the
            // owner's copy in the org trail branch of 444455556666, tied by sharedEventID.
            let key = format!("curated/daily/2026-11-{:02}.parquet", d - 1);
            let mut v = records::s3(&mut w.rng, &who, t, ip, "GetObject", BUCKET_ANALYTICS, &key, DATA_ACCT, r);
            let shared = w.rng.uuid();
            v["sharedEventID"] = json!(shared);
            let mut owner_copy = v.clone();
            owner_copy["eventID"] = json!(w.rng.uuid());
            owner_copy["recipientAccountId"] = json!(DATA_ACCT);
            let access = [("s3:GetObject", arn(BUCKET_ANALYTICS, &key), DATA_ACCT)];
            let access: Vec<(&str, &str, &str)> = access.iter().map(|(a, r, o)| (*a, r.as_str(), *o)).collect();
            w.push_allowed(v, t, Branch::Main, &who, &access)?;
            w.push_allowed(owner_copy, t, Branch::Org, &who, &access)?;
        }
    }
    Ok(())
}

/// `arn:aws:s3:::bucket/key`.
pub fn arn(bucket: &str, key: &str) -> String {
    format!("arn:aws:s3:::{bucket}/{key}")
}

pub fn batch_s3(w: &mut World, t: i64, who: &Who, ip: &str) -> Res<()> {
    let d = day(t);
    let r = s3_route();
    let (name, bucket, key, action) = match w.rng.below(4) {
        0 => ("GetObject", BUCKET_DATA, format!("reports/2026/11/{d:02}/orders.csv"), "s3:GetObject"),
        1 => (
            "PutObject",
            BUCKET_DATA,
            format!("reports/2026/11/{d:02}/batch-summary-{}.csv", w.rng.below(40)),
            "s3:PutObject",
        ),
        2 => ("PutObject", BUCKET_LOGS, format!("batch/2026/11/{d:02}/{}.log.gz", w.rng.hex(12)), "s3:PutObject"),
        _ => ("ListObjects", BUCKET_DATA, "uploads/app/".to_owned(), "s3:ListBucket"),
    };
    let resource = if name == "ListObjects" { format!("arn:aws:s3:::{bucket}") } else { arn(bucket, &key) };
    let v = records::s3(&mut w.rng, who, t, ip, name, bucket, &key, APP_ACCT, r);
    w.push_allowed(v, t, Branch::Main, who, &[(action, &resource, APP_ACCT)])?;
    Ok(())
}

pub fn ecr_pull(w: &mut World, t: i64) -> Res<()> {
    let who = app(w.rng.chance(50), t);
    let ip = if who.requester.as_deref().is_some_and(|r| r.ends_with(INSTANCE_LEAKY)) { IP_LEAKY } else { IP_OTHER };
    let key = format!("{}/{}", w.rng.hex(40), w.rng.uuid());
    let v = records::s3(&mut w.rng, &who, t, ip, "GetObject", BUCKET_ECR, &key, ECR_OWNER_ACCT, s3_route());
    w.push_allowed(v, t, Branch::Main, &who, &[("s3:GetObject", &arn(BUCKET_ECR, &key), ECR_OWNER_ACCT)])?;
    Ok(())
}
