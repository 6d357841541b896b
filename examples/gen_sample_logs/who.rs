//! The cast of the sample world: accounts, endpoints, principals, and their CloudTrail `userIdentity` blocks.

use serde_json::{Value, json};

use crate::rng::{iso, nov};

pub const ORG: &str = "o-a1b2c3d4e5";
pub const APP_ACCT: &str = "111122223333";
pub const DATA_ACCT: &str = "444455556666";
pub const FOREIGN_ACCT: &str = "999988887777";
/// The AWS account that owns the ECR layer bucket in this world (made up; AWS-owned, outside the org).
pub const ECR_OWNER_ACCT: &str = "146783251090";
/// The real owner of the `""`-owner bucket (never written to the logs; the logs only show `""`).
pub const SCRATCH_OWNER_ACCT: &str = "777766665555";

pub const VPCE_S3: &str = "vpce-0a1b2c3d4e5f60001";
pub const VPCE_DDB: &str = "vpce-0a1b2c3d4e5f60002";
pub const VPCE_IF: &str = "vpce-0a1b2c3d4e5f60003";
pub const VPC_APP: &str = "vpc-0a1b2c3d4e5f6a001";
pub const VPC_DATA: &str = "vpc-0a1b2c3d4e5f6a002";

pub const BUCKET_DATA: &str = "app-data-111122223333";
pub const BUCKET_LOGS: &str = "app-logs-111122223333";
pub const BUCKET_BACKUPS: &str = "app-backups-111122223333";
pub const BUCKET_ANALYTICS: &str = "analytics-444455556666";
pub const BUCKET_ECR: &str = "prod-us-east-1-starport-layer-bucket";
pub const BUCKET_EXFIL: &str = "exfil-drop-999988887777";
pub const BUCKET_SCRATCH: &str = "shared-scratch-b7k2q9";
pub const TABLE_ORDERS: &str = "arn:aws:dynamodb:us-east-1:111122223333:table/orders";

pub const ROLE_APP: &str = "arn:aws:iam::111122223333:role/App";
pub const ROLE_BATCH: &str = "arn:aws:iam::111122223333:role/Batch";
pub const USER_DEPLOY: &str = "arn:aws:iam::111122223333:user/deploy";
pub const ROLE_ANALYTICS: &str = "arn:aws:iam::444455556666:role/Analytics";

/// The EC2 instance whose App-role credentials leak, and its neighbour.
pub const INSTANCE_LEAKY: &str = "i-0abc1234def567890";
pub const INSTANCE_OTHER: &str = "i-0fed9876cba543210";
/// i-0abc's credentials before and after the rotation at 2026-11-19T12:00Z; the second one leaks.
pub const KEY_LEAKY_OLD: &str = "ASIAQX4ZB7KD2RT6W3PH";
pub const KEY_LEAKED: &str = "ASIAQX4ZB7KDN5M8Y2CV";
pub const KEY_OTHER: &str = "ASIAQX4ZB7KDJ3H9E4LA";
pub const KEY_DEPLOY: &str = "AKIAQX4ZB7KDDEPLOY42";
pub const IP_LEAKY: &str = "10.0.1.23";
pub const IP_OTHER: &str = "10.0.2.41";
pub const IP_ATTACKER: &str = "203.0.113.50";
pub const IP_DEPLOY: &str = "198.51.100.7";

/// When i-0abc's credentials rotate to the key that later leaks.
pub fn rotation() -> i64 {
    nov(19, 12, 0, 0)
}

/// Who made a request: the `userIdentity` block plus the facts the manifest needs.
#[derive(Clone)]
pub struct Who {
    pub identity: Value,
    /// As `aws:PrincipalArn` sees it; `None` for an `AWSAccount` caller (the log has no ARN).
    pub principal: Option<String>,
    pub account: String,
    pub key: Option<String>,
    /// The session ARN (assumed roles) or user ARN, as the S3 access log's requester column shows it.
    pub requester: Option<String>,
    pub service: bool,
}

fn assumed_role(acct: &str, role: &str, role_id: &str, session: &str, key: &str, created: i64) -> Value {
    json!({
        "type": "AssumedRole",
        "principalId": format!("{role_id}:{session}"),
        "arn": format!("arn:aws:sts::{acct}:assumed-role/{role}/{session}"),
        "accountId": acct,
        "accessKeyId": key,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": role_id,
                "arn": format!("arn:aws:iam::{acct}:role/{role}"),
                "accountId": acct,
                "userName": role,
            },
            "attributes": {"creationDate": iso(created), "mfaAuthenticated": "false"},
        },
    })
}

/// The App role on one of its two instances, with the credentials valid at `t`.
pub fn app(leaky_instance: bool, t: i64) -> Who {
    let (instance, key, created) = if !leaky_instance {
        (INSTANCE_OTHER, KEY_OTHER, nov(17, 23, 58, 12))
    } else if t < rotation() {
        (INSTANCE_LEAKY, KEY_LEAKY_OLD, nov(17, 23, 59, 40))
    } else {
        (INSTANCE_LEAKY, KEY_LEAKED, rotation())
    };
    let mut identity = assumed_role(APP_ACCT, "App", "AROAQX4ZB7KDAPPROLE01", instance, key, created);
    identity["sessionContext"]["ec2RoleDelivery"] = json!("2.0");
    Who {
        identity,
        principal: Some(ROLE_APP.to_owned()),
        account: APP_ACCT.to_owned(),
        key: Some(key.to_owned()),
        requester: Some(format!("arn:aws:sts::{APP_ACCT}:assumed-role/App/{instance}")),
        service: false,
    }
}

/// The Batch role, assumed by ECS tasks; `session` is the task's session name.
pub fn batch(session: &str, key: &str, created: i64) -> Who {
    Who {
        identity: assumed_role(APP_ACCT, "Batch", "AROAQX4ZB7KDBATCHRL02", session, key, created),
        principal: Some(ROLE_BATCH.to_owned()),
        account: APP_ACCT.to_owned(),
        key: Some(key.to_owned()),
        requester: Some(format!("arn:aws:sts::{APP_ACCT}:assumed-role/Batch/{session}")),
        service: false,
    }
}

pub fn deploy() -> Who {
    Who {
        identity: json!({
            "type": "IAMUser",
            "principalId": "AIDAQX4ZB7KDDEPLOYUSR",
            "arn": USER_DEPLOY,
            "accountId": APP_ACCT,
            "accessKeyId": KEY_DEPLOY,
            "userName": "deploy",
        }),
        principal: Some(USER_DEPLOY.to_owned()),
        account: APP_ACCT.to_owned(),
        key: Some(KEY_DEPLOY.to_owned()),
        requester: Some(USER_DEPLOY.to_owned()),
        service: false,
    }
}

/// The Analytics role of the data account (same organization).
pub fn analytics(session: &str, key: &str, created: i64) -> Who {
    Who {
        identity: assumed_role(DATA_ACCT, "Analytics", "AROAT5NDW2XE6ANLYTC03", session, key, created),
        principal: Some(ROLE_ANALYTICS.to_owned()),
        account: DATA_ACCT.to_owned(),
        key: Some(key.to_owned()),
        requester: Some(format!("arn:aws:sts::{DATA_ACCT}:assumed-role/Analytics/{session}")),
        service: false,
    }
}

/// A caller from the foreign account, as the resource owner's copy of a cross-account event shows it.
pub fn foreign() -> Who {
    Who {
        identity: json!({
            "type": "AWSAccount",
            "principalId": "AROA6EXT4M2QF7WZ9KD5Y:ops",
            "accountId": FOREIGN_ACCT,
        }),
        principal: None,
        account: FOREIGN_ACCT.to_owned(),
        key: None,
        requester: None,
        service: false,
    }
}

/// An AWS service principal (`delivery.logs.amazonaws.com`, `cloudtrail.amazonaws.com`, ...).
pub fn service(name: &str) -> Who {
    Who {
        identity: json!({"type": "AWSService", "invokedBy": name}),
        principal: Some(name.to_owned()),
        account: String::new(),
        key: None,
        requester: None,
        service: true,
    }
}
