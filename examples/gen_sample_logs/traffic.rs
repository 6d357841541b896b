//! Background traffic: the ordinary days of the world (App and Batch on S3 and DynamoDB through the gateway
//! endpoints, ECR layer pulls, Analytics reading reports, KMS and Secrets Manager through the interface
//! endpoint, management calls from the office, credential issuing, log delivery failing on a bucket policy).
//! Every request sent through an endpoint here is checked against that endpoint's policy.

use serde_json::json;

use crate::records::{self, Branch, Route};
use crate::rng::{nov, parts};
use crate::traffic_other::{dynamo, interface, log_delivery_denied};
use crate::traffic_s3::{app_s3, batch_s3, ecr_pull};
use crate::who::*;
use crate::world::{Res, World};

pub use crate::traffic_s3::arn;

pub const KMS_KEY: &str = "arn:aws:kms:eu-west-1:444455556666:key/5f2b8c1e-9a3d-4e7f-b6c2-1d8e4a7f9b30";
pub const SECRET: &str = "arn:aws:secretsmanager:eu-west-1:444455556666:secret:analytics/warehouse-creds-Qm7Tz2";

/// The last instant of generated traffic (delivery of the last file happens at 12:00).
pub fn end() -> i64 {
    nov(21, 11, 55, 0)
}

pub fn day(t: i64) -> i64 {
    parts(t).2
}

pub fn s3_route() -> Route<'static> {
    Route::Vpce(VPCE_S3, APP_ACCT)
}

/// A management call by the deploy user from the office.
fn management(w: &mut World, t: i64) {
    let deploy = deploy();
    let (source, name, region, params) = match w.rng.below(3) {
        0 => ("s3.amazonaws.com", "ListBuckets", "us-east-1", json!({"Host": "s3.us-east-1.amazonaws.com"})),
        1 => (
            "ec2.amazonaws.com",
            "DescribeInstances",
            "us-east-1",
            json!({"instancesSet": {}, "filterSet": {"items": [{"name": "tag:app", "valueSet": {"items": [{"value": "orders"}]}}]}}),
        ),
        _ => ("sts.amazonaws.com", "GetCallerIdentity", "us-east-1", json!(null)),
    };
    let v = records::call(&mut w.rng, &deploy, t, IP_DEPLOY, source, name, region, params, true, Route::Public);
    w.push(v, t, Branch::Main);
}

/// An AWS service assuming a role for a workload (instance profile or ECS task role).
pub fn assume_role_by_service(w: &mut World, t: i64, service_name: &str, role: &str, session: &str, key: &str) {
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

/// Generates the background traffic of the whole world.
pub fn generate(w: &mut World) -> Res<()> {
    // Credentials: the instance profile hands i-0abc a new key at the rotation; i-0fed keeps one.
    assume_role_by_service(w, rotation(), "ec2.amazonaws.com", ROLE_APP, INSTANCE_LEAKY, KEY_LEAKED);
    let start = nov(18, 0, 0, 0);
    let mut window = start;
    while window < end() {
        let next = (window + 3 * 3600).min(end());
        let busy = (8..20).contains(&parts(window).3);
        let batch_session = w.rng.hex(32);
        let batch_key = format!("ASIAQX4ZB7KD{}", w.rng.upper_alnum(8));
        assume_role_by_service(w, window + 30, "ecs-tasks.amazonaws.com", ROLE_BATCH, &batch_session, &batch_key);
        let batch_who = batch(&batch_session, &batch_key, window + 30);
        let batch_ip = format!("10.0.{}.{}", 8 + w.rng.below(4), 10 + w.rng.below(240));
        let times = |w: &mut World, n: u64| -> Vec<i64> {
            let mut v: Vec<i64> = (0..n).map(|_| w.rng.range(window + 60, next - 60)).collect();
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
            let who = if w.rng.chance(30) { batch_who.clone() } else { app(w.rng.chance(50), t) };
            let ip =
                if who.key.as_deref() == Some(batch_key.as_str()) { batch_ip.clone() } else { IP_OTHER.to_owned() };
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
        w.push_allowed(v, t, Branch::Main, &who, &[("dynamodb:DescribeEndpoints", "*", APP_ACCT)])?;
        let n = 2 + w.rng.below(3);
        for t in times(w, n) {
            let session = format!("reporting-{}", 1000 + day(t) * 10 + parts(t).3 / 3);
            let who = analytics(&session, &format!("ASIAT5NDW2XE{}", w.rng.upper_alnum(8)), t - 300);
            let ip = format!("10.0.{}.{}", 20 + w.rng.below(2), 10 + w.rng.below(200));
            let key = format!("reports/2026/11/{:02}/kpi.csv", day(t));
            let v = records::s3(&mut w.rng, &who, t, &ip, "GetObject", BUCKET_DATA, &key, APP_ACCT, s3_route());
            w.push_allowed(v, t, Branch::Main, &who, &[("s3:GetObject", &arn(BUCKET_DATA, &key), APP_ACCT)])?;
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
        v["resources"] =
            json!([{"accountId": APP_ACCT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::org-trail-111122223333"}]);
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
