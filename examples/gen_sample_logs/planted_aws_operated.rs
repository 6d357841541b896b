//! Requests through endpoints AWS operates (aws-facts.md, "Endpoints AWS operates"): the S3 console's backend
//! reading and writing app-data for the deploy user (from his office address and from a private address of
//! AWS's fleet), the CloudTrail console's backend, Secrets Manager calling KMS for the Analytics role (a
//! forward access session), and CloudTrail delivering the trail through an AWS-side endpoint. None of these
//! endpoints is the customer's: `scan` lists them apart, and the console requests to the endpoint-bound
//! app-data bucket are low-severity bypasses with evidence `aws-console`.

use serde_json::json;

use crate::planted_s3::{S3Plant, plant_s3};
use crate::records::{self, Branch, Route};
use crate::rng::nov;
use crate::who::*;
use crate::world::{Res, World};

/// The owner AWS names for its own endpoints (no account of the organization).
pub const AWS_ENDPOINT_OWNER: &str = "503210987654";
pub const VPCE_S3_CONSOLE: &str = "vpce-0c0a501e0b5ac0e11";
pub const VPCE_CLOUDTRAIL_CONSOLE: &str = "vpce-0c0a501e0b5ac0e22";
pub const VPCE_KMS_FAS: &str = "vpce-0f5e4d3c2b1a09876";
pub const VPCE_CLOUDTRAIL_DELIVERY: &str = "vpce-0d311fe4d1d3a0001";
const S3_CONSOLE_UA: &str = "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.750 Linux/5.10.219-186.866.amzn2int.x86_64 \
                             OpenJDK_64-Bit_Server_VM/25.412-b08 java/1.8.0_412 vendor/Oracle_Corporation cfg/retry-mode/standard]";
const CLOUDTRAIL_CONSOLE_UA: &str =
    "[AWSCloudTrail, aws-internal/3 aws-sdk-java/1.12.750 Linux/5.10.219 OpenJDK_64-Bit_Server_VM/25.412-b08]";
/// A private address of AWS's console fleet: private, yet not the customer's VPC.
const IP_CONSOLE_FLEET: &str = "10.135.57.12";

pub fn generate(w: &mut World) -> Res<()> {
    let console = Route::Vpce(VPCE_S3_CONSOLE, AWS_ENDPOINT_OWNER);
    let deployer = deploy();
    let reads: [(i64, &str, &str, &str, &str); 4] = [
        (nov(20, 15, 2, 11), IP_DEPLOY, "ListObjects", "s3:ListBucket", "releases/"),
        (nov(20, 15, 2, 40), IP_CONSOLE_FLEET, "GetObject", "s3:GetObject", "releases/app-1.41.2.tar.gz"),
        (nov(20, 15, 4, 2), IP_DEPLOY, "GetObject", "s3:GetObject", "releases/CHANGELOG.md"),
        (nov(20, 15, 6, 30), IP_CONSOLE_FLEET, "PutObject", "s3:PutObject", "releases/notes/1.42.0.md"),
    ];
    for (t, ip, name, action, key) in reads {
        let p = S3Plant {
            id: "console-via-aws-endpoint",
            who: &deployer,
            t,
            ip,
            name,
            action,
            bucket: BUCKET_DATA,
            key,
            logged_owner: APP_ACCT,
            real_owner: APP_ACCT,
            via: console,
            error: None,
            tags: &["bypass", "aws-console"],
        };
        plant_s3(w, &p, None, None, false);
        set_user_agent(w, S3_CONSOLE_UA);
    }
    // The CloudTrail console's backend looking up events for the deploy user.
    let t = nov(20, 15, 8, 0);
    let v = records::call(
        &mut w.rng,
        &deployer,
        t,
        IP_DEPLOY,
        "cloudtrail.amazonaws.com",
        "LookupEvents",
        "us-east-1",
        json!({"maxResults": 50}),
        true,
        Route::Vpce(VPCE_CLOUDTRAIL_CONSOLE, AWS_ENDPOINT_OWNER),
    );
    w.push(v, t, Branch::Main);
    set_user_agent(w, CLOUDTRAIL_CONSOLE_UA);
    // Secrets Manager decrypting a secret's data key for the Analytics role (a forward access session).
    for i in 0..3 {
        let t = nov(20, 16, 10, 0) + i * 317;
        let mut who = analytics("reporting-secrets", "ASIAT5NDW2XESECRETS3", t - 600);
        who.identity["invokedBy"] = json!("secretsmanager.amazonaws.com");
        let key = "arn:aws:kms:eu-west-1:444455556666:key/5e6f7a8b-1111-4222-8333-944455556666";
        let mut v = records::kms(
            &mut w.rng,
            &who,
            t,
            "secretsmanager.amazonaws.com",
            "Decrypt",
            key,
            json!({"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": {"SecretARN": "arn:aws:secretsmanager:eu-west-1:444455556666:secret:reporting-db-AbCdEf"}}),
            Route::Vpce(VPCE_KMS_FAS, AWS_ENDPOINT_OWNER),
        );
        v["userAgent"] = json!("secretsmanager.amazonaws.com");
        w.push(v, t, Branch::Org);
    }
    // CloudTrail delivering the organization trail through an AWS-side endpoint.
    let trail = service("cloudtrail.amazonaws.com");
    for (i, name) in ["GetBucketAcl", "PutObject"].into_iter().enumerate() {
        let t = nov(20, 17, 0, 5) + i as i64;
        let key = "AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/us-east-1/2026/11/20/delivery.json.gz";
        let mut v = records::s3(
            &mut w.rng,
            &trail,
            t,
            "cloudtrail.amazonaws.com",
            name,
            "org-trail-111122223333",
            key,
            APP_ACCT,
            Route::Vpce(VPCE_CLOUDTRAIL_DELIVERY, AWS_ENDPOINT_OWNER),
        );
        v["userAgent"] = json!("cloudtrail.amazonaws.com");
        w.push(v, t, Branch::Main);
    }
    Ok(())
}

/// Sets the user agent of the record written last.
fn set_user_agent(w: &mut World, ua: &str) {
    if let Some(rec) = w.recs.last_mut() {
        rec.v["userAgent"] = json!(ua);
    }
}
