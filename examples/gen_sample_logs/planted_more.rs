//! Planted denials, second part: S3 requests the endpoint allowed but another policy type denied (RCP,
//! identity, resource, session), the SSE-C block, a message CloudTrail truncated, the switch-on of S3
//! network activity logging, and network activity denials on the interface endpoint.

use serde_json::json;

use crate::planted_other::batch_at;
use crate::planted_s3::{S3Plant, because_no, plant_na_only, plant_s3, s3_message, s3_network_activity_since};
use crate::records::{self, Branch, Route};
use crate::rng::nov;
use crate::traffic::{KMS_KEY, SECRET, arn};
use crate::who::*;
use crate::world::{Class, Res, World};

/// (story, time, caller: a=App b=Batch n=Analytics, eventName, action, bucket, key, owner, cause, message tail or "i").
type S3Case = (
    &'static str,
    i64,
    u8,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

pub fn generate(w: &mut World) -> Res<()> {
    let r = Route::Vpce(VPCE_S3, APP_ACCT);
    let deployer = deploy();
    let trail = "arn:aws:cloudtrail:us-east-1:111122223333:trail/app-trail";
    // S3 through the endpoint, allowed by the endpoint policy, denied by another policy type.
    let s3_cases: [S3Case; 6] = [
        (
            "rcp-explicit",
            nov(21, 4, 10, 0),
            b'a',
            "GetObject",
            "s3:GetObject",
            BUCKET_ANALYTICS,
            "restricted/pii/customers-2026-11.parquet",
            DATA_ACCT,
            "rcp",
            "with an explicit deny in a resource control policy",
        ),
        (
            "identity-implicit",
            nov(20, 7, 20, 0),
            b'b',
            "GetObject",
            "s3:GetObject",
            BUCKET_ANALYTICS,
            "raw/events/2026/11/19/part-0000.json.gz",
            DATA_ACCT,
            "identity-policy",
            "i",
        ),
        (
            "identity-explicit-policy-arn",
            nov(20, 23, 5, 0),
            b'b',
            "DeleteObject",
            "s3:DeleteObject",
            BUCKET_DATA,
            "uploads/batch/2026-11-20/tmp-001.csv",
            APP_ACCT,
            "identity-policy",
            "with an explicit deny in an identity-based policy: arn:aws:iam::111122223333:policy/DenyDeletes",
        ),
        (
            "resource-implicit",
            nov(21, 3, 50, 0),
            b'n',
            "GetObject",
            "s3:GetObject",
            BUCKET_LOGS,
            "app/2026/11/20/app-2200-a.log.gz",
            APP_ACCT,
            "resource-policy",
            "i",
        ),
        (
            "session-explicit",
            nov(21, 0, 30, 0),
            b'b',
            "PutObject",
            "s3:PutObject",
            BUCKET_LOGS,
            "batch/2026/11/21/escalation-probe.txt",
            APP_ACCT,
            "session-policy",
            "with an explicit deny in a sessions policy",
        ),
        (
            "session-implicit",
            nov(20, 9, 9, 9),
            b'n',
            "PutObject",
            "s3:PutObject",
            BUCKET_ANALYTICS,
            "curated/daily/2026-11-20.parquet",
            DATA_ACCT,
            "session-policy",
            "i",
        ),
    ];
    for (id, t, kind, name, action, bucket, key, owner, cause, tail) in s3_cases {
        let who = match kind {
            b'a' => app(false, t),
            b'b' => batch_at(t, "5a6b7c8d9e0f4a1b8c2d3e4f5a6b7c8d"),
            _ => analytics("reporting-curate", "ASIAT5NDW2XECURATE03", t - 800),
        };
        let ip = match kind {
            b'a' => IP_OTHER,
            b'b' => "10.0.9.14",
            _ => "10.0.20.77",
        };
        let type_words = match cause {
            "identity-policy" => "identity-based policy",
            "resource-policy" => "resource-based policy",
            _ => "session policy",
        };
        let (tail, deny) =
            if tail == "i" { (because_no(type_words, action), "implicit") } else { (tail.to_owned(), "explicit") };
        let msg = s3_message(&who, action, &arn(bucket, key), &tail);
        let p = S3Plant {
            id,
            who: &who,
            t,
            ip,
            name,
            action,
            bucket,
            key,
            logged_owner: owner,
            real_owner: owner,
            via: r,
            error: Some(("AccessDenied", msg)),
            tags: &[],
        };
        let v = plant_s3(w, &p, Some(Class(cause, deny, "error-message")), Some((cause, deny)), false);
        if owner == DATA_ACCT && kind == b'n' {
            // The data account's own request on its own bucket: delivered by the org trail, not ours.
            if let Some(rec) = w.recs.last_mut() {
                rec.branch = Branch::Org;
                rec.v["recipientAccountId"] = json!(DATA_ACCT);
            }
            let _ = v;
        }
    }
    // SSE-C blocked on the bucket: same message prefix, not a policy.
    let t = nov(20, 10, 10, 10);
    let who = batch_at(t, "5a6b7c8d9e0f4a1b8c2d3e4f5a6b7c8d");
    let key = "uploads/batch/legacy-ssec.bin";
    let msg = s3_message(
        &who,
        "s3:PutObject",
        &arn(BUCKET_DATA, key),
        "because server-side encryption with customer-provided keys (SSE-C) is blocked for this bucket",
    );
    let p = S3Plant {
        id: "sse-c-blocked",
        who: &who,
        t,
        ip: "10.0.9.14",
        name: "PutObject",
        action: "s3:PutObject",
        bucket: BUCKET_DATA,
        key,
        logged_owner: APP_ACCT,
        real_owner: APP_ACCT,
        via: r,
        error: Some(("AccessDenied", msg)),
        tags: &[],
    };
    plant_s3(w, &p, Some(Class("other", "unknown", "error-message")), Some(("other", "unknown")), false);
    if let Some(rec) = w.recs.last_mut() {
        rec.v["requestParameters"]["x-amz-server-side-encryption-customer-algorithm"] = json!("AES256");
    }
    // A message CloudTrail cut at 1,024 characters, inside the resource ARN: the policy type is lost.
    let t = nov(21, 5, 55, 55);
    let who = batch_at(t, "5a6b7c8d9e0f4a1b8c2d3e4f5a6b7c8d");
    let long_key = format!(
        "reports/2026/11/20/exports/{}/final.csv",
        (0..24).map(|i| format!("partition-{i:02}-customer-segment-emea")).collect::<Vec<_>>().join("/")
    );
    let full = s3_message(
        &who,
        "s3:GetObject",
        &arn(BUCKET_DATA, &long_key),
        &because_no("identity-based policy", "s3:GetObject"),
    );
    let truncated: String = full.chars().take(1024).collect();
    let p = S3Plant {
        id: "truncated-message",
        who: &who,
        t,
        ip: "10.0.9.14",
        name: "GetObject",
        action: "s3:GetObject",
        bucket: BUCKET_DATA,
        key: &long_key,
        logged_owner: APP_ACCT,
        real_owner: APP_ACCT,
        via: r,
        error: Some(("AccessDenied", truncated)),
        tags: &["truncated-message"],
    };
    plant_s3(w, &p, Some(Class("unknown", "unknown", "none")), Some(("identity-policy", "implicit")), false);

    // The deploy user turns on S3 network activity events (VpceAccessDenied only) for the trail.
    let t = s3_network_activity_since() - 108;
    let mut v = records::call(
        &mut w.rng,
        &deployer,
        t,
        IP_DEPLOY,
        "cloudtrail.amazonaws.com",
        "PutEventSelectors",
        "us-east-1",
        json!({"trailName": "app-trail", "advancedEventSelectors": [{"name": "S3 endpoint policy denials",
            "fieldSelectors": [{"field": "eventCategory", "equals": ["NetworkActivity"]},
                               {"field": "eventSource", "equals": ["s3.amazonaws.com"]},
                               {"field": "errorCode", "equals": ["VpceAccessDenied"]}]}]}),
        false,
        Route::Public,
    );
    v["responseElements"] = json!({"trailARN": trail});
    w.push(v, t, Branch::Main);

    // Network activity denials on the interface endpoint (data account), no KMS or Secrets Manager event.
    let stranger = foreign();
    let t = nov(20, 16, 12, 40);
    let template = records::kms(
        &mut w.rng,
        &stranger,
        t,
        "10.1.5.99",
        "ListKeys",
        KMS_KEY,
        json!(null),
        Route::Vpce(VPCE_IF, DATA_ACCT),
    );
    plant_na_only(
        w,
        "kms-na-only-foreign",
        template,
        &stranger,
        "kms:ListKeys",
        DATA_ACCT,
        "*",
        &["foreign-principal"],
        ("vpce-policy", "implicit"),
    );
    let t = nov(21, 6, 40, 0);
    let who = analytics("emr-etl-grants", "ASIAT5NDW2XEGRANT004", t - 300);
    let template = records::kms(
        &mut w.rng,
        &who,
        t,
        "10.1.4.61",
        "CreateGrant",
        KMS_KEY,
        json!(null),
        Route::Vpce(VPCE_IF, DATA_ACCT),
    );
    plant_na_only(
        w,
        "kms-na-only-create-grant",
        template,
        &who,
        "kms:CreateGrant",
        DATA_ACCT,
        KMS_KEY,
        &[],
        ("vpce-policy", "implicit"),
    );
    let t = nov(21, 10, 20, 0);
    let template = records::call(
        &mut w.rng,
        &who,
        t,
        "10.1.4.61",
        "secretsmanager.amazonaws.com",
        "PutSecretValue",
        "eu-west-1",
        json!({"secretId": SECRET}),
        false,
        Route::Vpce(VPCE_IF, DATA_ACCT),
    );
    plant_na_only(
        w,
        "secrets-na-only-put",
        template,
        &who,
        "secretsmanager:PutSecretValue",
        DATA_ACCT,
        SECRET,
        &[],
        ("vpce-policy", "implicit"),
    );
    Ok(())
}
