//! Planted S3 stories, second part: plain `Access Denied` by the org's Analytics role through the gateway
//! endpoint (some paired with a network activity event, some the endpoint allowed), network activity
//! denials with no data event, and requests that bypass the endpoint (stolen App credentials used from the
//! internet, the deploy user's upload from the office).

use crate::planted_s3::{AD, S3Plant, plant_na_only, plant_s3, s3_message};
use crate::records::{self, Route};
use crate::rng::nov;
use crate::traffic::arn;
use crate::who::*;
use crate::world::{Class, Res, World};

pub fn generate(w: &mut World) -> Res<()> {
    let r = Route::Vpce(VPCE_S3, APP_ACCT);
    let stranger = foreign();
    // Analytics (same org): S3 answers plain "Access Denied" for endpoint denials within the org.
    let deletes = [
        ("analytics-delete", nov(19, 10, 33, 40), "reports/2026/11/18/kpi.csv", false),
        ("analytics-delete", nov(19, 11, 2, 13), "reports/2026/11/18/orders.csv", false),
        ("analytics-delete-na", nov(20, 14, 22, 7), "reports/2026/11/19/kpi.csv", true),
        ("analytics-delete-na", nov(21, 7, 45, 51), "reports/2026/11/20/kpi.csv", true),
        ("analytics-delete-na", nov(21, 9, 12, 30), "uploads/app/2026/11/20/stale-export.json", true),
    ];
    for (id, t, key, na) in deletes {
        let who = analytics("reporting-cleanup", "ASIAT5NDW2XEC7LNUP01", t - 900);
        let p = S3Plant {
            id,
            who: &who,
            t,
            ip: "10.0.20.131",
            name: "DeleteObject",
            action: "s3:DeleteObject",
            bucket: BUCKET_DATA,
            key,
            logged_owner: APP_ACCT,
            real_owner: APP_ACCT,
            via: r,
            error: Some(("AccessDenied", AD.to_owned())),
            tags: &[],
        };
        let class =
            if na { Class("vpce-policy", "unknown", "network-activity") } else { Class("unknown", "unknown", "none") };
        plant_s3(w, &p, Some(class), Some(("vpce-policy", "implicit")), na);
    }
    // Plain "Access Denied" the endpoint allowed (the KMS key policy of an SSE-KMS object refused).
    for (t, key) in
        [(nov(19, 15, 10, 0), "reports/2026/11/19/payroll.csv"), (nov(21, 10, 5, 0), "reports/2026/11/21/payroll.csv")]
    {
        let who = analytics("reporting-payroll", "ASIAT5NDW2XEPAYRL002", t - 600);
        let p = S3Plant {
            id: "analytics-get-endpoint-allows",
            who: &who,
            t,
            ip: "10.0.21.18",
            name: "GetObject",
            action: "s3:GetObject",
            bucket: BUCKET_DATA,
            key,
            logged_owner: APP_ACCT,
            real_owner: APP_ACCT,
            via: r,
            error: Some(("AccessDenied", AD.to_owned())),
            tags: &[],
        };
        plant_s3(w, &p, Some(Class("unknown", "unknown", "none")), Some(("resource-policy", "implicit")), false);
    }

    // Network activity denials with no data event: the foreign principal writing to its own bucket.
    for (t, key) in [(nov(20, 19, 44, 2), "in/batch-0001.tar"), (nov(21, 5, 3, 19), "in/batch-0002.tar")] {
        let template = records::s3(
            &mut w.rng,
            &stranger,
            t,
            "10.0.7.77",
            "PutObject",
            "ext-ingest-999988887777",
            key,
            FOREIGN_ACCT,
            r,
        );
        let hidden = arn("ext-ingest-999988887777", key);
        plant_na_only(
            w,
            "foreign-principal-put-na-only",
            template,
            &stranger,
            "s3:PutObject",
            FOREIGN_ACCT,
            &hidden,
            &["foreign-principal"],
            ("vpce-policy", "explicit"),
        );
    }

    // The stolen App credentials (i-0abc's current key) used from the internet: bypasses the endpoint.
    let bypass: [(&str, i64, &str, &str, &str); 4] = [
        ("bypass-list", nov(21, 2, 31, 7), "ListObjects", "s3:ListBucket", "reports/"),
        ("bypass-get", nov(21, 2, 33, 40), "GetObject", "s3:GetObject", "reports/2026/11/20/orders.csv"),
        ("bypass-get", nov(21, 2, 34, 2), "GetObject", "s3:GetObject", "reports/2026/11/20/refunds.csv"),
        ("bypass-get", nov(21, 2, 36, 55), "GetObject", "s3:GetObject", "reports/2026/11/20/kpi.csv"),
    ];
    for (id, t, name, action, key) in bypass {
        let who = app(true, t);
        let p = S3Plant {
            id,
            who: &who,
            t,
            ip: IP_ATTACKER,
            name,
            action,
            bucket: BUCKET_DATA,
            key,
            logged_owner: APP_ACCT,
            real_owner: APP_ACCT,
            via: Route::Public,
            error: None,
            tags: &["bypass", "stolen-credentials"],
        };
        plant_s3(w, &p, None, None, false);
    }
    let t = nov(21, 2, 41, 9);
    let who = app(true, t);
    let key = "reports/finance/2026-q3.xlsx";
    let msg =
        s3_message(&who, "s3:GetObject", &arn(BUCKET_DATA, key), "with an explicit deny in a resource-based policy");
    let p = S3Plant {
        id: "bypass-get-denied-resource-explicit",
        who: &who,
        t,
        ip: IP_ATTACKER,
        name: "GetObject",
        action: "s3:GetObject",
        bucket: BUCKET_DATA,
        key,
        logged_owner: APP_ACCT,
        real_owner: APP_ACCT,
        via: Route::Public,
        error: Some(("AccessDenied", msg)),
        tags: &["bypass", "stolen-credentials"],
    };
    plant_s3(
        w,
        &p,
        Some(Class("resource-policy", "explicit", "error-message")),
        Some(("resource-policy", "explicit")),
        false,
    );

    // The deploy user uploads a release from the office network: allowed, but outside the endpoint.
    let t = nov(21, 9, 30, 0);
    let who = deploy();
    let p = S3Plant {
        id: "deploy-upload-public",
        who: &who,
        t,
        ip: IP_DEPLOY,
        name: "PutObject",
        action: "s3:PutObject",
        bucket: BUCKET_DATA,
        key: "releases/app-1.42.0.tar.gz",
        logged_owner: APP_ACCT,
        real_owner: APP_ACCT,
        via: Route::Public,
        error: None,
        tags: &["bypass"],
    };
    plant_s3(w, &p, None, None, false);
    Ok(())
}
