//! Background DynamoDB traffic, log delivery failing on the logs bucket (an AWS service through
//! `AWS Internal`), and the data account's KMS / Secrets Manager calls through the interface endpoint.

use serde_json::json;

use crate::records::{self, Branch, Route};
use crate::rng::parts;
use crate::traffic::{KMS_KEY, SECRET, arn};
use crate::who::*;
use crate::world::{Res, World};

pub fn dynamo(w: &mut World, t: i64, who: &Who, ip: &str) -> Res<()> {
    let r = Route::Vpce(VPCE_DDB, APP_ACCT);
    let hidden = json!({"orderId": "HIDDEN_DUE_TO_SECURITY_REASONS"});
    let (name, params, resource) = match w.rng.below(10) {
        0..=3 => {
            ("GetItem", json!({"tableName": "orders", "key": hidden, "consistentRead": false}), TABLE_ORDERS.to_owned())
        }
        4..=5 => ("PutItem", json!({"tableName": "orders", "key": hidden}), TABLE_ORDERS.to_owned()),
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
    w.push_allowed(v, t, Branch::Main, who, &[(&format!("dynamodb:{name}"), &resource, APP_ACCT)])?;
    Ok(())
}

pub fn log_delivery_denied(w: &mut World, t: i64) -> Res<()> {
    let svc = service("delivery.logs.amazonaws.com");
    let (_, mo, d, h, mi, _) = parts(t);
    let key = format!(
        "AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/{mo:02}/{d:02}/111122223333_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f6a7b8_2026{mo:02}{d:02}T{h:02}{:02}Z_{}.log.gz",
        mi / 5 * 5,
        w.rng.hex(8)
    );
    let mut v = records::s3(&mut w.rng, &svc, t, "", "PutObject", BUCKET_LOGS, &key, APP_ACCT, Route::AwsInternal);
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
pub fn interface(w: &mut World, t: i64, session: &str, key: &str) -> Res<()> {
    let who = analytics(session, key, t - 600);
    let ip = format!("10.1.{}.{}", 4 + w.rng.below(3), 20 + w.rng.below(200));
    let r = Route::Vpce(VPCE_IF, DATA_ACCT);
    let (v, action, resource) = match w.rng.below(6) {
        0..=2 => {
            let params = json!({"encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                                "encryptionContext": {"aws:s3:arn": format!("arn:aws:s3:::{BUCKET_ANALYTICS}/curated/")}});
            (records::kms(&mut w.rng, &who, t, &ip, "Decrypt", KMS_KEY, params, r), "kms:Decrypt", KMS_KEY.to_owned())
        }
        3..=4 => {
            let params = json!({"keyId": "alias/analytics-data", "keySpec": "AES_256"});
            (
                records::kms(&mut w.rng, &who, t, &ip, "GenerateDataKey", KMS_KEY, params, r),
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
