//! Planted denials that cover the rows of the AccessDenied wording table (aws-facts.md) outside S3:
//! DynamoDB through its endpoint (endpoint policy, permissions boundary), a KMS call S3 made for App (endpoint
//! policy via an SCP), SCP, boundary and role trust denials of management calls, and EC2's encoded message.

use serde_json::{Value, json};

use crate::planted_s3::because_no;
use crate::records::{self, Branch, Route};
use crate::rng::nov;
use crate::traffic::arn;
use crate::who::*;
use crate::world::{Class, Plant, Res, World};

/// `User: <arn> is not authorized to perform: <action> [on resource: <arn>] <tail>` (unquoted, non-S3).
fn message(who: &Who, action: &str, resource: Option<&str>, tail: &str) -> String {
    let user = who.requester.clone().unwrap_or_default();
    match resource {
        Some(r) => {
            format!("User: {user} is not authorized to perform: {action} on resource: {r} {tail}")
        }
        None => format!("User: {user} is not authorized to perform: {action} {tail}"),
    }
}

struct Mgmt<'a> {
    id: &'a str,
    who: &'a Who,
    t: i64,
    ip: &'a str,
    source: &'a str,
    name: &'a str,
    region: &'a str,
    params: Value,
    action: &'a str,
    resource: Option<&'a str>,
    error: (&'a str, String),
    class: Class<'a>,
    actual: (&'a str, &'a str),
    via: Route<'a>,
}

fn plant_call(w: &mut World, m: Mgmt<'_>) -> Value {
    let read_only = m.name.starts_with("Get") || m.name.starts_with("Describe") || m.name.starts_with("List");
    let mut v = records::call(&mut w.rng, m.who, m.t, m.ip, m.source, m.name, m.region, m.params, read_only, m.via);
    records::fail(&mut v, m.error.0, &m.error.1);
    let id = w.push(v.clone(), m.t, Branch::Main);
    let p = Plant {
        id: m.id,
        who: m.who,
        action: m.action,
        resource: m.resource,
        logged_owner: None,
        real_owner: None,
        hidden_resource: None,
        tags: &[],
    };
    w.plant(vec![id], &v, &p, Some(m.class), Some(m.actual));
    v
}

#[allow(clippy::too_many_arguments)]
fn plant_dynamodb(
    w: &mut World,
    id: &str,
    who: &Who,
    t: i64,
    name: &str,
    params: Value,
    tail: &str,
    class: Class<'_>,
    actual: (&str, &str),
) {
    let action = format!("dynamodb:{name}");
    let mut v = records::dynamodb(&mut w.rng, who, t, "10.0.9.14", name, params, true, Route::Vpce(VPCE_DDB, APP_ACCT));
    records::fail(&mut v, "AccessDeniedException", &message(who, &action, Some(TABLE_ORDERS), tail));
    let event_id = w.push(v.clone(), t, Branch::Main);
    let p = Plant {
        id,
        who,
        action: &action,
        resource: Some(TABLE_ORDERS),
        logged_owner: Some(APP_ACCT),
        real_owner: Some(APP_ACCT),
        hidden_resource: None,
        tags: &[],
    };
    w.plant(vec![event_id], &v, &p, Some(class), Some(actual));
}

pub fn batch_at(t: i64, task: &str) -> Who {
    batch(task, "ASIAQX4ZB7KDBTCH7Q2M", t - 1200)
}

pub fn generate(w: &mut World) -> Res<()> {
    let hidden = json!({"orderId": "HIDDEN_DUE_TO_SECURITY_REASONS"});

    // DynamoDB through its gateway endpoint: the endpoint policy does not allow DeleteItem.
    let t = nov(20, 3, 10, 11);
    let who = batch_at(t, "3f9c2a7e41d84b0c9e5a6d7b8c9d0e1f");
    plant_dynamodb(
        w,
        "vpce-implicit-dynamodb",
        &who,
        t,
        "DeleteItem",
        json!({"tableName": "orders", "key": hidden}),
        &because_no("VPC endpoint policy", "dynamodb:DeleteItem"),
        Class("vpce-policy", "implicit", "error-message"),
        ("vpce-policy", "implicit"),
    );
    let t = nov(20, 20, 20, 20);
    let who = batch_at(t, "8b1e4d2c7a9f4e3b8c6d5a4b3c2d1e0f");
    plant_dynamodb(
        w,
        "boundary-explicit",
        &who,
        t,
        "UpdateItem",
        json!({"tableName": "orders", "key": hidden, "updateExpression": "SET #s = :s"}),
        "with an explicit deny in a permissions boundary",
        Class("permissions-boundary", "explicit", "error-message"),
        ("permissions-boundary", "explicit"),
    );

    // KMS called by S3 on App's behalf: the message names an endpoint policy reached through an SCP.
    let t = nov(20, 11, 15, 27);
    let other = app(false, t);
    let mut svc_call = other.clone();
    svc_call.identity["invokedBy"] = json!("s3.amazonaws.com");
    let key_arn = "arn:aws:kms:us-east-1:111122223333:key/0c6f4d2e-8b1a-4c3d-9e7f-2a5b6c8d9e01";
    let mut v = records::call(
        &mut w.rng,
        &svc_call,
        t,
        "s3.amazonaws.com",
        "kms.amazonaws.com",
        "GenerateDataKey",
        "us-east-1",
        json!({"keyId": key_arn, "encryptionContext": {"aws:s3:arn": arn(BUCKET_DATA, "uploads/app/sealed.bin")}, "keySpec": "AES_256"}),
        true,
        Route::Public,
    );
    v["sourceIPAddress"] = json!("s3.amazonaws.com");
    v["userAgent"] = json!("s3.amazonaws.com");
    v.as_object_mut().map(|o| o.remove("tlsDetails"));
    records::fail(
        &mut v,
        "AccessDeniedException",
        &message(
            &other,
            "kms:GenerateDataKey",
            Some(key_arn),
            "with an explicit deny in a VPC endpoint policy transitively through a service control policy",
        ),
    );
    v["resources"] = json!([{"accountId": APP_ACCT, "type": "AWS::KMS::Key", "ARN": key_arn}]);
    v["sharedEventID"] = json!(w.rng.uuid());
    let id = w.push(v.clone(), t, Branch::Main);
    let p = Plant {
        id: "vpce-explicit-via-scp",
        who: &other,
        action: "kms:GenerateDataKey",
        resource: Some(key_arn),
        logged_owner: None,
        real_owner: None,
        hidden_resource: None,
        tags: &[],
    };
    w.plant(
        vec![id],
        &v,
        &p,
        Some(Class("vpce-policy", "explicit", "error-message")),
        Some(("vpce-policy", "explicit")),
    );

    let deployer = deploy();
    let param = "arn:aws:ssm:us-east-1:111122223333:parameter/prod/db/password";
    let t = nov(21, 1, 2, 3);
    plant_call(
        w,
        Mgmt {
            id: "scp-implicit",
            who: &other,
            t,
            ip: IP_OTHER,
            source: "ssm.amazonaws.com",
            name: "GetParameter",
            region: "us-east-1",
            params: json!({"name": "/prod/db/password", "withDecryption": true}),
            action: "ssm:GetParameter",
            resource: Some(param),
            error: (
                "AccessDeniedException",
                message(
                    &other,
                    "ssm:GetParameter",
                    Some(param),
                    &because_no("service control policy", "ssm:GetParameter"),
                ),
            ),
            class: Class("scp", "implicit", "error-message"),
            actual: ("scp", "implicit"),
            via: Route::Public,
        },
    );
    let trail = "arn:aws:cloudtrail:us-east-1:111122223333:trail/app-trail";
    plant_call(
        w,
        Mgmt {
            id: "scp-explicit",
            who: &deployer,
            t: nov(20, 13, 30, 0),
            ip: IP_DEPLOY,
            source: "cloudtrail.amazonaws.com",
            name: "StopLogging",
            region: "us-east-1",
            params: json!({"name": trail}),
            action: "cloudtrail:StopLogging",
            resource: Some(trail),
            error: (
                "AccessDenied",
                message(
                    &deployer,
                    "cloudtrail:StopLogging",
                    Some(trail),
                    "with an explicit deny in a service control policy",
                ),
            ),
            class: Class("scp", "explicit", "error-message"),
            actual: ("scp", "explicit"),
            via: Route::Public,
        },
    );
    let role = "arn:aws:iam::111122223333:role/ci-temp-runner";
    plant_call(
        w,
        Mgmt {
            id: "boundary-implicit",
            who: &deployer,
            t: nov(19, 16, 0, 0),
            ip: IP_DEPLOY,
            source: "iam.amazonaws.com",
            name: "CreateRole",
            region: "us-east-1",
            params: json!({"roleName": "ci-temp-runner", "assumeRolePolicyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"}),
            action: "iam:CreateRole",
            resource: Some(role),
            error: (
                "AccessDenied",
                message(&deployer, "iam:CreateRole", Some(role), &because_no("permissions boundary", "iam:CreateRole")),
            ),
            class: Class("permissions-boundary", "implicit", "error-message"),
            actual: ("permissions-boundary", "implicit"),
            via: Route::Public,
        },
    );
    plant_call(
        w,
        Mgmt {
            id: "role-trust-implicit",
            who: &deployer,
            t: nov(19, 13, 13, 13),
            ip: IP_DEPLOY,
            source: "sts.amazonaws.com",
            name: "AssumeRole",
            region: "us-east-1",
            params: json!({"roleArn": ROLE_ANALYTICS, "roleSessionName": "deploy-debug"}),
            action: "sts:AssumeRole",
            resource: Some(ROLE_ANALYTICS),
            error: (
                "AccessDenied",
                message(
                    &deployer,
                    "sts:AssumeRole",
                    Some(ROLE_ANALYTICS),
                    &because_no("role trust policy", "sts:AssumeRole"),
                ),
            ),
            class: Class("role-trust-policy", "implicit", "error-message"),
            actual: ("role-trust-policy", "implicit"),
            via: Route::Public,
        },
    );
    let t = nov(20, 17, 17, 17);
    let who = batch_at(t, "c4d5e6f7a8b94c0d9e1f2a3b4c5d6e7f");
    let admin = "arn:aws:iam::111122223333:role/Admin";
    plant_call(
        w,
        Mgmt {
            id: "role-trust-explicit",
            who: &who,
            t,
            ip: "10.0.9.14",
            source: "sts.amazonaws.com",
            name: "AssumeRole",
            region: "us-east-1",
            params: json!({"roleArn": admin, "roleSessionName": "batch-escalate"}),
            action: "sts:AssumeRole",
            resource: Some(admin),
            error: (
                "AccessDenied",
                message(&who, "sts:AssumeRole", Some(admin), "with an explicit deny in the role trust policy"),
            ),
            class: Class("role-trust-policy", "explicit", "error-message"),
            actual: ("role-trust-policy", "explicit"),
            via: Route::Public,
        },
    );
    let instance = format!("arn:aws:ec2:us-east-1:111122223333:instance/{INSTANCE_OTHER}");
    let encoded = format!(
        "You are not authorized to perform this operation. Encoded authorization failure message: {}",
        w.rng.base64ish(612).replace('/', "_").replace('+', "-")
    );
    plant_call(
        w,
        Mgmt {
            id: "ec2-encoded-message",
            who: &deployer,
            t: nov(21, 8, 8, 8),
            ip: IP_DEPLOY,
            source: "ec2.amazonaws.com",
            name: "TerminateInstances",
            region: "us-east-1",
            params: json!({"instancesSet": {"items": [{"instanceId": INSTANCE_OTHER}]}}),
            action: "ec2:TerminateInstances",
            resource: Some(&instance),
            error: ("Client.UnauthorizedOperation", encoded),
            class: Class("unknown", "unknown", "none"),
            actual: ("identity-policy", "implicit"),
            via: Route::Public,
        },
    );

    Ok(())
}
