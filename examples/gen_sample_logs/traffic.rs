//! Background traffic: the ordinary days of the world (App and Batch on S3 and DynamoDB through the gateway
//! endpoints, ECR layer pulls, Analytics reading reports, KMS and Secrets Manager through the interface
//! endpoint, management calls from the office, credential issuing, log delivery failing on a bucket policy).
//! Every request sent through an endpoint here is checked against that endpoint's policy.

use serde_json::json;

use crate::records::{self, Branch, Route};
use crate::rng::{nov, parts};
use crate::who::*;
use crate::world::{Res, World};

pub const KMS_KEY: &str =
    "arn:aws:kms:eu-west-1:444455556666:key/5f2b8c1e-9a3d-4e7f-b6c2-1d8e4a7f9b30";
pub const SECRET: &str =
    "arn:aws:secretsmanager:eu-west-1:444455556666:secret:analytics/warehouse-creds-Qm7Tz2";

/// The last instant of generated traffic (delivery of the last file happens at 12:00).
pub fn end() -> i64 {
    nov(21, 11, 55, 0)
}

fn day(t: i64) -> i64 {
    parts(t).2
}

fn s3_route() -> Route<'static> {
    Route::Vpce(VPCE_S3, APP_ACCT)
}

/// One App request on S3 through the gateway endpoint (sometimes several records: copy, multipart upload).
fn app_s3(w: &mut World, t: i64, leaky: bool) -> Res<()> {
    let who = app(leaky, t);
    let ip = if leaky { IP_LEAKY } else { IP_OTHER };
    let d = day(t);
    let roll = w.rng.below(100);
    let report = format!(
        "reports/2026/11/{d:02}/{}.csv",
        w.rng
            .pick(&["daily", "orders", "inventory", "refunds", "kpi"])
    );
    let upload = format!("uploads/app/2026/11/{d:02}/{}.json", w.rng.uuid());
    let r = s3_route();
    match roll {
        0..=34 => {
            let v = records::s3(
                &mut w.rng,
                &who,
                t,
                ip,
                "GetObject",
                BUCKET_DATA,
                &report,
                APP_ACCT,
                r,
            );
            w.push_allowed(
                v,
                t,
                Branch::Main,
                &who,
                &[("s3:GetObject", &arn(BUCKET_DATA, &report), APP_ACCT)],
            )?;
        }
        35..=49 => {
            let v = records::s3(
                &mut w.rng,
                &who,
                t,
                ip,
                "PutObject",
                BUCKET_DATA,
                &upload,
                APP_ACCT,
                r,
            );
            w.push_allowed(
                v,
                t,
                Branch::Main,
                &who,
                &[("s3:PutObject", &arn(BUCKET_DATA, &upload), APP_ACCT)],
            )?;
        }
        50..=58 => {
            let v = records::s3(
                &mut w.rng,
                &who,
                t,
                ip,
                "HeadObject",
                BUCKET_DATA,
                &report,
                APP_ACCT,
                r,
            );
            w.push_allowed(
                v,
                t,
                Branch::Main,
                &who,
                &[("s3:GetObject", &arn(BUCKET_DATA, &report), APP_ACCT)],
            )?;
        }
        59..=65 => {
            let prefix = format!("reports/2026/11/{d:02}/");
            let v = records::s3(
                &mut w.rng,
                &who,
                t,
                ip,
                "ListObjects",
                BUCKET_DATA,
                &prefix,
                APP_ACCT,
                r,
            );
            w.push_allowed(
                v,
                t,
                Branch::Main,
                &who,
                &[(
                    "s3:ListBucket",
                    &format!("arn:aws:s3:::{BUCKET_DATA}"),
                    APP_ACCT,
                )],
            )?;
        }
        66..=69 => {
            let v = records::s3(
                &mut w.rng,
                &who,
                t,
                ip,
                "DeleteObject",
                BUCKET_DATA,
                &upload,
                APP_ACCT,
                r,
            );
            w.push_allowed(
                v,
                t,
                Branch::Main,
                &who,
                &[("s3:DeleteObject", &arn(BUCKET_DATA, &upload), APP_ACCT)],
            )?;
        }
        70..=72 => {
            let dest = format!("reports/processed/2026/11/{d:02}/{}.json", w.rng.uuid());
            let mut v = records::s3(
                &mut w.rng,
                &who,
                t,
                ip,
                "CopyObject",
                BUCKET_DATA,
                &dest,
                APP_ACCT,
                r,
            );
            v["requestParameters"]["x-amz-copy-source"] = json!(format!("{BUCKET_DATA}/{upload}"));
            if let Some(res) = v["resources"].as_array_mut() {
                res.insert(
                    0,
                    json!({"type": "AWS::S3::Object", "ARN": arn(BUCKET_DATA, &upload)}),
                );
            }
            let accesses = [
                ("s3:PutObject", arn(BUCKET_DATA, &dest), APP_ACCT),
                ("s3:GetObject", arn(BUCKET_DATA, &upload), APP_ACCT),
            ];
            let accesses: Vec<(&str, &str, &str)> = accesses
                .iter()
                .map(|(a, r, o)| (*a, r.as_str(), *o))
                .collect();
            w.push_allowed(v, t, Branch::Main, &who, &accesses)?;
        }
        73..=75 => {
            let key = format!("uploads/app/big/2026-11-{d:02}/{}.bin", w.rng.uuid());
            let upload_id = w.rng.base64ish(64).replace(['+', '/'], "_");
            let steps = [
                ("CreateMultipartUpload", 0),
                ("UploadPart", 1),
                ("UploadPart", 2),
                ("CompleteMultipartUpload", 0),
            ];
            for (i, (name, part)) in steps.into_iter().enumerate() {
                let ti = t + 4 * i as i64;
                let mut v = records::s3(
                    &mut w.rng,
                    &who,
                    ti,
                    ip,
                    name,
                    BUCKET_DATA,
                    &key,
                    APP_ACCT,
                    r,
                );
                if name == "CreateMultipartUpload" {
                    v["requestParameters"]["uploads"] = json!("");
                } else {
                    v["requestParameters"]["uploadId"] = json!(upload_id);
                }
                if part > 0 {
                    v["requestParameters"]["partNumber"] = json!(part.to_string());
                }
                w.push_allowed(
                    v,
                    ti,
                    Branch::Main,
                    &who,
                    &[("s3:PutObject", &arn(BUCKET_DATA, &key), APP_ACCT)],
                )?;
            }
        }
        76..=79 => {
            let mut v = records::s3(
                &mut w.rng,
                &who,
                t,
                ip,
                "GetObject",
                BUCKET_DATA,
                &report,
                APP_ACCT,
                r,
            );
            v["requestParameters"]["versionId"] = json!(w.rng.alnum(32));
            w.push_allowed(
                v,
                t,
                Branch::Main,
                &who,
                &[("s3:GetObjectVersion", &arn(BUCKET_DATA, &report), APP_ACCT)],
            )?;
        }
        80..=91 => {
            let (h, m) = (parts(t).3, w.rng.below(60));
            let key = format!(
                "app/2026/11/{d:02}/app-{h:02}{m:02}-{}.log.gz",
                if leaky { "a" } else { "b" }
            );
            let v = records::s3(
                &mut w.rng,
                &who,
                t,
                ip,
                "PutObject",
                BUCKET_LOGS,
                &key,
                APP_ACCT,
                r,
            );
            w.push_allowed(
                v,
                t,
                Branch::Main,
                &who,
                &[("s3:PutObject", &arn(BUCKET_LOGS, &key), APP_ACCT)],
            )?;
        }
        _ => {
            // Cross-account read of the data account's bucket: the requester's copy lands in our trail, the
            // owner's copy in the org trail branch of 444455556666, tied by sharedEventID.
            let key = format!("curated/daily/2026-11-{:02}.parquet", d - 1);
            let mut v = records::s3(
                &mut w.rng,
                &who,
                t,
                ip,
                "GetObject",
                BUCKET_ANALYTICS,
                &key,
                DATA_ACCT,
                r,
            );
            let shared = w.rng.uuid();
            v["sharedEventID"] = json!(shared);
            let mut owner_copy = v.clone();
            owner_copy["eventID"] = json!(w.rng.uuid());
            owner_copy["recipientAccountId"] = json!(DATA_ACCT);
            let access = [("s3:GetObject", arn(BUCKET_ANALYTICS, &key), DATA_ACCT)];
            let access: Vec<(&str, &str, &str)> = access
                .iter()
                .map(|(a, r, o)| (*a, r.as_str(), *o))
                .collect();
            w.push_allowed(v, t, Branch::Main, &who, &access)?;
            w.push_allowed(owner_copy, t, Branch::Org, &who, &access)?;
        }
    }
    Ok(())
}

pub fn arn(bucket: &str, key: &str) -> String {
    format!("arn:aws:s3:::{bucket}/{key}")
}

fn batch_s3(w: &mut World, t: i64, who: &Who, ip: &str) -> Res<()> {
    let d = day(t);
    let r = s3_route();
    let (name, bucket, key, action) = match w.rng.below(4) {
        0 => (
            "GetObject",
            BUCKET_DATA,
            format!("reports/2026/11/{d:02}/orders.csv"),
            "s3:GetObject",
        ),
        1 => (
            "PutObject",
            BUCKET_DATA,
            format!(
                "reports/2026/11/{d:02}/batch-summary-{}.csv",
                w.rng.below(40)
            ),
            "s3:PutObject",
        ),
        2 => (
            "PutObject",
            BUCKET_LOGS,
            format!("batch/2026/11/{d:02}/{}.log.gz", w.rng.hex(12)),
            "s3:PutObject",
        ),
        _ => (
            "ListObjects",
            BUCKET_DATA,
            "uploads/app/".to_owned(),
            "s3:ListBucket",
        ),
    };
    let resource = if name == "ListObjects" {
        format!("arn:aws:s3:::{bucket}")
    } else {
        arn(bucket, &key)
    };
    let v = records::s3(&mut w.rng, who, t, ip, name, bucket, &key, APP_ACCT, r);
    w.push_allowed(v, t, Branch::Main, who, &[(action, &resource, APP_ACCT)])?;
    Ok(())
}

fn ecr_pull(w: &mut World, t: i64) -> Res<()> {
    let who = app(w.rng.chance(50), t);
    let ip = if who
        .requester
        .as_deref()
        .is_some_and(|r| r.ends_with(INSTANCE_LEAKY))
    {
        IP_LEAKY
    } else {
        IP_OTHER
    };
    let key = format!("{}/{}", w.rng.hex(40), w.rng.uuid());
    let v = records::s3(
        &mut w.rng,
        &who,
        t,
        ip,
        "GetObject",
        BUCKET_ECR,
        &key,
        ECR_OWNER_ACCT,
        s3_route(),
    );
    w.push_allowed(
        v,
        t,
        Branch::Main,
        &who,
        &[("s3:GetObject", &arn(BUCKET_ECR, &key), ECR_OWNER_ACCT)],
    )?;
    Ok(())
}

fn dynamo(w: &mut World, t: i64, who: &Who, ip: &str) -> Res<()> {
    let r = Route::Vpce(VPCE_DDB, APP_ACCT);
    let hidden = json!({"orderId": "HIDDEN_DUE_TO_SECURITY_REASONS"});
    let (name, params, resource) = match w.rng.below(10) {
        0..=3 => (
            "GetItem",
            json!({"tableName": "orders", "key": hidden, "consistentRead": false}),
            TABLE_ORDERS.to_owned(),
        ),
        4..=5 => (
            "PutItem",
            json!({"tableName": "orders", "key": hidden}),
            TABLE_ORDERS.to_owned(),
        ),
        6..=7 => (
            "Query",
            json!({"tableName": "orders", "indexName": "by-customer", "limit": 50,
                   "keyConditionExpression": "customerId = :c", "select": "ALL_PROJECTED_ATTRIBUTES"}),
            format!("{TABLE_ORDERS}/index/by-customer"),
        ),
        8 => (
            "UpdateItem",
            json!({"tableName": "orders", "key": hidden, "updateExpression": "SET #s = :s",
                   "conditionExpression": "attribute_exists(orderId)"}),
            TABLE_ORDERS.to_owned(),
        ),
        _ => (
            "BatchWriteItem",
            json!({"requestItems": [{"operation": "Put", "tableName": "orders", "key": hidden},
                                    {"operation": "Put", "tableName": "orders", "key": hidden}]}),
            TABLE_ORDERS.to_owned(),
        ),
    };
    let v = records::dynamodb(&mut w.rng, who, t, ip, name, params, true, r);
    w.push_allowed(
        v,
        t,
        Branch::Main,
        who,
        &[(&format!("dynamodb:{name}"), &resource, APP_ACCT)],
    )?;
    Ok(())
}

fn management(w: &mut World, t: i64) {
    let deploy = deploy();
    let (source, name, region, params) = match w.rng.below(3) {
        0 => (
            "s3.amazonaws.com",
            "ListBuckets",
            "us-east-1",
            json!({"Host": "s3.us-east-1.amazonaws.com"}),
        ),
        1 => (
            "ec2.amazonaws.com",
            "DescribeInstances",
            "us-east-1",
            json!({"instancesSet": {}, "filterSet": {"items": [{"name": "tag:app", "valueSet": {"items": [{"value": "orders"}]}}]}}),
        ),
        _ => (
            "sts.amazonaws.com",
            "GetCallerIdentity",
            "us-east-1",
            json!(null),
        ),
    };
    let v = records::call(
        &mut w.rng,
        &deploy,
        t,
        IP_DEPLOY,
        source,
        name,
        region,
        params,
        true,
        Route::Public,
    );
    w.push(v, t, Branch::Main);
}

/// An AWS service assuming a role for a workload (instance profile or ECS task role).
pub fn assume_role_by_service(
    w: &mut World,
    t: i64,
    service_name: &str,
    role: &str,
    session: &str,
    key: &str,
) {
    let svc = service(service_name);
    let mut v = records::call(
        &mut w.rng,
        &svc,
        t,
        "",
        "sts.amazonaws.com",
        "AssumeRole",
        "us-east-1",
        json!({"roleArn": role, "roleSessionName": session, "durationSeconds": 21600}),
        true,
        Route::Public,
    );
    let (y, mo, d, h, mi, s) = parts(t + 21_600);
    v["responseElements"] = json!({"credentials": {"accessKeyId": key,
        "expiration": format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")}});
    v["resources"] = json!([{"accountId": APP_ACCT, "type": "AWS::IAM::Role", "ARN": role}]);
    v["sharedEventID"] = json!(w.rng.uuid());
    w.push(v, t, Branch::Main);
}

fn log_delivery_denied(w: &mut World, t: i64) -> Res<()> {
    let svc = service("delivery.logs.amazonaws.com");
    let (_, mo, d, h, mi, _) = parts(t);
    let key = format!(
        "AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/{mo:02}/{d:02}/111122223333_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f6a7b8_2026{mo:02}{d:02}T{h:02}{:02}Z_{}.log.gz",
        mi / 5 * 5,
        w.rng.hex(8)
    );
    let mut v = records::s3(
        &mut w.rng,
        &svc,
        t,
        "",
        "PutObject",
        BUCKET_LOGS,
        &key,
        APP_ACCT,
        Route::AwsInternal,
    );
    records::fail(&mut v, "AccessDenied", "Access Denied");
    v["additionalEventData"]["bytesTransferredIn"] = json!(0);
    let id = w.push(v.clone(), t, Branch::Main);
    let resource = arn(BUCKET_LOGS, &key);
    let p = crate::world::Plant {
        id: "aws-service-log-delivery",
        who: &svc,
        action: "s3:PutObject",
        resource: Some(&resource),
        logged_owner: Some(APP_ACCT),
        real_owner: Some(APP_ACCT),
        hidden_resource: None,
        tags: &["aws-internal-endpoint"],
    };
    w.plant(
        vec![id],
        &v,
        &p,
        Some(crate::world::Class("unknown", "unknown", "none")),
        Some(("resource-policy", "implicit")),
    );
    Ok(())
}

/// Interface endpoint traffic of the data account: KMS and Secrets Manager, each with its network activity
/// event (the data account logs all network activity events for kms and secretsmanager).
fn interface(w: &mut World, t: i64, session: &str, key: &str) -> Res<()> {
    let who = analytics(session, key, t - 600);
    let ip = format!("10.1.{}.{}", 4 + w.rng.below(3), 20 + w.rng.below(200));
    let r = Route::Vpce(VPCE_IF, DATA_ACCT);
    let (v, action, resource) = match w.rng.below(6) {
        0..=2 => {
            let params = json!({"encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                                "encryptionContext": {"aws:s3:arn": format!("arn:aws:s3:::{BUCKET_ANALYTICS}/curated/")}});
            (
                records::kms(&mut w.rng, &who, t, &ip, "Decrypt", KMS_KEY, params, r),
                "kms:Decrypt",
                KMS_KEY.to_owned(),
            )
        }
        3..=4 => {
            let params = json!({"keyId": "alias/analytics-data", "keySpec": "AES_256"});
            (
                records::kms(
                    &mut w.rng,
                    &who,
                    t,
                    &ip,
                    "GenerateDataKey",
                    KMS_KEY,
                    params,
                    r,
                ),
                "kms:GenerateDataKey",
                KMS_KEY.to_owned(),
            )
        }
        _ => {
            let mut v = records::call(
                &mut w.rng,
                &who,
                t,
                &ip,
                "secretsmanager.amazonaws.com",
                "GetSecretValue",
                "eu-west-1",
                json!({"secretId": SECRET}),
                true,
                r,
            );
            v["recipientAccountId"] = json!(DATA_ACCT);
            (v, "secretsmanager:GetSecretValue", SECRET.to_owned())
        }
    };
    let na = records::network_activity(&mut w.rng, &v, false);
    w.push_allowed(v, t, Branch::Org, &who, &[(action, &resource, DATA_ACCT)])?;
    w.push(na, t, Branch::Org);
    Ok(())
}

/// Generates the background traffic of the whole world.
pub fn generate(w: &mut World) -> Res<()> {
    // Credentials: the instance profile hands i-0abc a new key at the rotation; i-0fed keeps one.
    assume_role_by_service(
        w,
        rotation(),
        "ec2.amazonaws.com",
        ROLE_APP,
        INSTANCE_LEAKY,
        KEY_LEAKED,
    );
    let start = nov(18, 0, 0, 0);
    let mut window = start;
    while window < end() {
        let next = (window + 3 * 3600).min(end());
        let busy = (8..20).contains(&parts(window).3);
        let batch_session = w.rng.hex(32);
        let batch_key = format!("ASIAQX4ZB7KD{}", w.rng.upper_alnum(8));
        assume_role_by_service(
            w,
            window + 30,
            "ecs-tasks.amazonaws.com",
            ROLE_BATCH,
            &batch_session,
            &batch_key,
        );
        let batch_who = batch(&batch_session, &batch_key, window + 30);
        let batch_ip = format!("10.0.{}.{}", 8 + w.rng.below(4), 10 + w.rng.below(240));
        let times = |w: &mut World, n: u64| -> Vec<i64> {
            let mut v: Vec<i64> = (0..n)
                .map(|_| w.rng.range(window + 60, next - 60))
                .collect();
            v.sort_unstable();
            v
        };
        for t in times(w, if busy { 26 } else { 14 }) {
            let leaky = w.rng.chance(50);
            app_s3(w, t, leaky)?;
        }
        for t in times(w, if busy { 5 } else { 9 }) {
            batch_s3(w, t, &batch_who, &batch_ip)?;
        }
        let n = 2 + w.rng.below(3);
        for t in times(w, n) {
            ecr_pull(w, t)?;
        }
        for t in times(w, if busy { 16 } else { 8 }) {
            let who = if w.rng.chance(30) {
                batch_who.clone()
            } else {
                app(w.rng.chance(50), t)
            };
            let ip = if who.key.as_deref() == Some(batch_key.as_str()) {
                batch_ip.clone()
            } else {
                IP_OTHER.to_owned()
            };
            dynamo(w, t, &who, &ip)?;
        }
        let t = window + 45;
        let who = app(false, t);
        let v = records::dynamodb(
            &mut w.rng,
            &who,
            t,
            IP_OTHER,
            "DescribeEndpoints",
            json!(null),
            false,
            Route::Vpce(VPCE_DDB, APP_ACCT),
        );
        w.push_allowed(
            v,
            t,
            Branch::Main,
            &who,
            &[("dynamodb:DescribeEndpoints", "*", APP_ACCT)],
        )?;
        let n = 2 + w.rng.below(3);
        for t in times(w, n) {
            let session = format!("reporting-{}", 1000 + day(t) * 10 + parts(t).3 / 3);
            let who = analytics(
                &session,
                &format!("ASIAT5NDW2XE{}", w.rng.upper_alnum(8)),
                t - 300,
            );
            let ip = format!("10.0.{}.{}", 20 + w.rng.below(2), 10 + w.rng.below(200));
            let key = format!("reports/2026/11/{:02}/kpi.csv", day(t));
            let v = records::s3(
                &mut w.rng,
                &who,
                t,
                &ip,
                "GetObject",
                BUCKET_DATA,
                &key,
                APP_ACCT,
                s3_route(),
            );
            w.push_allowed(
                v,
                t,
                Branch::Main,
                &who,
                &[("s3:GetObject", &arn(BUCKET_DATA, &key), APP_ACCT)],
            )?;
        }
        if busy {
            let n = 1 + w.rng.below(3);
            for t in times(w, n) {
                management(w, t);
            }
        }
        let t = window + 1800;
        let ct = service("cloudtrail.amazonaws.com");
        let mut v = records::call(
            &mut w.rng,
            &ct,
            t,
            "",
            "s3.amazonaws.com",
            "GetBucketAcl",
            "us-east-1",
            json!({"bucketName": "org-trail-111122223333", "Host": "org-trail-111122223333.s3.us-east-1.amazonaws.com", "acl": ""}),
            true,
            Route::Public,
        );
        v["resources"] = json!([{"accountId": APP_ACCT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::org-trail-111122223333"}]);
        w.push(v, t, Branch::Main);
        let n = 5 + w.rng.below(2);
        for t in times(w, n) {
            log_delivery_denied(w, t)?;
        }
        if parts(window).3 % 6 == 0 {
            let session = format!("emr-etl-{}", w.rng.hex(8));
            let key = format!("ASIAT5NDW2XE{}", w.rng.upper_alnum(8));
            let n = 4 + w.rng.below(3);
            for t in times(w, n) {
                interface(w, t, &session, &key)?;
            }
        }
        window = next;
    }
    Ok(())
}
