//! The ground-truth manifest: counts from what was really written, the planted request rows, per-endpoint
//! books, the AWS-owned bucket traffic, and the leaked key's timeline. Keys are sorted (serde_json's map).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::layout::Written;
use crate::planted_s3::s3_network_activity_since;
use crate::rng::{iso, nov};
use crate::who::*;
use crate::world::{Res, World};

pub fn build(w: &World, written: &Written, non_log: &[String]) -> Res<Value> {
    let live: Vec<&crate::records::Rec> = w.recs.iter().filter(|r| !r.lost).collect();
    let distinct: BTreeSet<&str> = written.copies.iter().map(String::as_str).collect();
    let expected: BTreeSet<String> = live.iter().map(|r| r.event_id()).collect();
    if distinct.len() != expected.len() || live.len() != expected.len() {
        return Err(format!(
            "bookkeeping: {} distinct written, {} records, {} ids",
            distinct.len(),
            live.len(),
            expected.len()
        )
        .into());
    }
    let mut categories: BTreeMap<String, usize> = BTreeMap::new();
    for r in &live {
        *categories.entry(r.v["eventCategory"].as_str().unwrap_or("(none)").to_owned()).or_default() += 1;
    }
    let mut endpoints = serde_json::Map::new();
    for vpce in [VPCE_S3, VPCE_DDB, VPCE_IF] {
        let times: Vec<&str> =
            live.iter().filter(|r| r.v["vpcEndpointId"] == vpce).filter_map(|r| r.v["eventTime"].as_str()).collect();
        let na =
            live.iter().filter(|r| r.v["vpcEndpointId"] == vpce && r.v["eventCategory"] == "NetworkActivity").count();
        endpoints.insert(
            vpce.to_owned(),
            json!({
                "records": times.len(),
                "network_activity_records": na,
                "first_seen": times.iter().min(),
                "last_seen": times.iter().max(),
            }),
        );
    }
    let mut aws_operated = serde_json::Map::new();
    for (vpce, label) in [
        (crate::planted_aws_operated::VPCE_S3_CONSOLE, "aws:console"),
        (crate::planted_aws_operated::VPCE_CLOUDTRAIL_CONSOLE, "aws:console"),
        (crate::planted_aws_operated::VPCE_KMS_FAS, "aws:service"),
        (crate::planted_aws_operated::VPCE_CLOUDTRAIL_DELIVERY, "aws:delivery"),
    ] {
        let records = live.iter().filter(|r| r.v["vpcEndpointId"] == vpce).count();
        aws_operated.insert(vpce.to_owned(), json!({"records": records, "label": label}));
    }
    let aws_internal = live.iter().filter(|r| r.v["vpcEndpointId"] == "AWS Internal").count();
    let ecr: Vec<String> = {
        let mut ids: Vec<String> = live
            .iter()
            .filter(|r| r.v["requestParameters"]["bucketName"] == BUCKET_ECR)
            .map(|r| r.event_id())
            .collect();
        ids.sort();
        ids
    };
    let mut rows = w.rows.clone();
    rows.sort_by(|a, b| (&a.time, &a.story, &a.event_ids).cmp(&(&b.time, &b.story, &b.event_ids)));

    let leaky_session = format!("arn:aws:sts::{APP_ACCT}:assumed-role/App/{INSTANCE_LEAKY}");
    let mut timeline: Vec<(String, &str, String)> = live
        .iter()
        .filter(|r| r.v["userIdentity"]["accessKeyId"] == KEY_LEAKED)
        .map(|r| (r.v["eventTime"].as_str().unwrap_or_default().to_owned(), "cloudtrail", r.event_id()))
        .collect();
    timeline.extend(
        w.access
            .iter()
            .filter(|l| l.good && l.requester == leaky_session)
            .map(|l| (iso(l.t), "s3-access-log", l.request_id.clone())),
    );
    timeline.sort();

    Ok(json!({
        "at": iso(nov(21, 12, 0, 0)),
        "since_24h": iso(nov(20, 12, 0, 0)),
        "world": {
            "organization": ORG,
            "accounts": {"app": APP_ACCT, "data": DATA_ACCT, "foreign": FOREIGN_ACCT},
            "vpcs": {VPC_APP: "10.0.0.0/16", VPC_DATA: "10.1.0.0/16"},
            "aws_owned_buckets": {BUCKET_ECR: {"owner_account": ECR_OWNER_ACCT}},
            "s3_network_activity_logged_since": iso(s3_network_activity_since()),
            "network_activity_logging": "app account: s3 events with errorCode VpceAccessDenied only, from s3_network_activity_logged_since; data account: all kms and secretsmanager events, whole period",
            "leaked_access_key": KEY_LEAKED,
            "leaked_session": leaky_session,
            "attacker_ip": IP_ATTACKER,
        },
        "input": {
            "files": written.files.len(),
            "file_paths": written.files,
            "cloudtrail_records_written": written.copies.len(),
            "records": distinct.len(),
            "duplicate_records": written.copies.len() - distinct.len(),
            "access_log_lines": written.access_good,
            "bad_records": written.access_bad,
            "digest_files": written.digest_files,
            "skipped_files": 1,
            "insight_records": written.insight_records,
            "bad_files": written.damaged.iter().map(|(p, k)| json!({"path": p, "recovered_records": k, "lost_records": 1})).collect::<Vec<_>>(),
            "non_log_files": non_log,
            "event_categories": categories,
        },
        "endpoints": endpoints,
        "aws_operated_endpoints": aws_operated,
        "aws_internal_records": aws_internal,
        "aws_owned": {BUCKET_ECR: {"owner_account": ECR_OWNER_ACCT, "records": ecr.len(), "event_ids": ecr}},
        "requests": rows,
        "timeline_app_role": {
            "role": ROLE_APP,
            "access_key_id": KEY_LEAKED,
            "session_arn": leaky_session,
            "event_ids": timeline.iter().map(|(_, _, id)| id.clone()).collect::<Vec<_>>(),
            "events": timeline.iter().map(|(t, log, id)| json!({"time": t, "log": log, "id": id})).collect::<Vec<_>>(),
        },
    }))
}
