//! Planted S3 stories around the gateway endpoint: endpoint-policy denials with and without a message, the
//! exfiltration attempts to a foreign bucket, the foreign principal, plain `Access Denied` by the org's
//! Analytics role (some paired with a network activity event), and the stolen App credentials used from
//! the internet.

use serde_json::{Value, json};

use crate::records::{self, Branch, Route};
use crate::rng::nov;
use crate::traffic::arn;
use crate::who::*;
use crate::world::{Class, Plant, Res, World};

/// From this instant the app account's trail logs S3 network activity events with errorCode
/// VpceAccessDenied (an advanced event selector added by `deploy`, logged as PutEventSelectors).
pub fn s3_network_activity_since() -> i64 {
    nov(20, 6, 0, 0)
}

pub const AD: &str = "Access Denied";

/// `User: <session> is not authorized to perform: <action> on resource: "<arn>" <tail>` (S3 quotes the ARN).
pub fn s3_message(who: &Who, action: &str, resource: &str, tail: &str) -> String {
    let user = who.requester.clone().unwrap_or_default();
    format!("User: {user} is not authorized to perform: {action} on resource: \"{resource}\" {tail}")
}

pub fn because_no(policy_type: &str, action: &str) -> String {
    format!("because no {policy_type} allows the {action} action")
}

/// One planted S3 request (a single record).
pub struct S3Plant<'a> {
    pub id: &'a str,
    pub who: &'a Who,
    pub t: i64,
    pub ip: &'a str,
    pub name: &'a str,
    pub action: &'a str,
    pub bucket: &'a str,
    pub key: &'a str,
    pub logged_owner: &'a str,
    pub real_owner: &'a str,
    pub via: Route<'a>,
    /// (errorCode, errorMessage) for a denial.
    pub error: Option<(&'a str, String)>,
    pub tags: &'a [&'a str],
}

/// Writes the record (and, if `na`, its VpceAccessDenied network activity twin) and the manifest row.
pub fn plant_s3(
    w: &mut World,
    p: &S3Plant<'_>,
    class: Option<Class<'_>>,
    actual: Option<(&str, &str)>,
    na: bool,
) -> Value {
    let mut v = records::s3(&mut w.rng, p.who, p.t, p.ip, p.name, p.bucket, p.key, p.logged_owner, p.via);
    if let Some((code, message)) = &p.error {
        records::fail(&mut v, code, message);
        v["additionalEventData"]["bytesTransferredOut"] = json!(0);
        v["additionalEventData"]["bytesTransferredIn"] = json!(0);
    }
    if p.ip.starts_with("203.0.113.") {
        v["userAgent"] =
            json!("[aws-cli/2.15.30 Python/3.11.8 Linux/6.6.9-amd64 exe/x86_64.kali.2024 prompt/off command/s3.cp]");
    }
    let mut ids = vec![w.push(v.clone(), p.t, Branch::Main)];
    if na {
        let twin = records::network_activity(&mut w.rng, &v, true);
        ids.push(w.push(twin, p.t, Branch::Main));
    }
    let resource = if p.name == "ListObjects" { format!("arn:aws:s3:::{}", p.bucket) } else { arn(p.bucket, p.key) };
    let logged = Some(p.logged_owner).filter(|o| !o.is_empty());
    let plant = Plant {
        id: p.id,
        who: p.who,
        action: p.action,
        resource: Some(&resource),
        logged_owner: logged,
        real_owner: Some(p.real_owner),
        hidden_resource: None,
        tags: p.tags,
    };
    w.plant(ids, &v, &plant, class, actual);
    v
}

/// A VpceAccessDenied network activity event with no data event beside it.
#[allow(clippy::too_many_arguments)]
pub fn plant_na_only(
    w: &mut World,
    id: &str,
    template: Value,
    who: &Who,
    action: &str,
    real_owner: &str,
    hidden: &str,
    tags: &[&str],
    actual: (&str, &str),
) {
    let t_str = template["eventTime"].as_str().unwrap_or_default().to_owned();
    let na = records::network_activity(&mut w.rng, &template, true);
    let na_id = w.push(na.clone(), parse_back(&t_str), Branch::Main);
    let recipient_org = template["vpcEndpointAccountId"].as_str() == Some(DATA_ACCT);
    if recipient_org && let Some(last) = w.recs.last_mut() {
        last.branch = Branch::Org;
    }
    let plant = Plant {
        id,
        who,
        action,
        resource: None,
        logged_owner: None,
        real_owner: Some(real_owner),
        hidden_resource: Some(hidden),
        tags,
    };
    w.plant(vec![na_id], &na, &plant, Some(Class("vpce-policy", "unknown", "network-activity")), Some(actual));
}

/// Epoch seconds of a `2026-11-DDTHH:MM:SSZ` string written by this generator.
pub fn parse_back(s: &str) -> i64 {
    let n = |a: usize, b: usize| s.get(a..b).and_then(|x| x.parse::<i64>().ok()).unwrap_or(0);
    nov(n(8, 10), n(11, 13), n(14, 16), n(17, 19))
}

pub fn generate(w: &mut World) -> Res<()> {
    let r = Route::Vpce(VPCE_S3, APP_ACCT);
    let implicit = |action: &str| because_no("VPC endpoint policy", action);
    let explicit_vpce = "with an explicit deny in a VPC endpoint policy";

    // Same-account endpoint denials: S3 names the endpoint policy (before S3 network activity logging).
    let t = nov(18, 9, 12, 33);
    let other = app(false, t);
    let key = "db/2026-11-17/orders.dump";
    let msg = s3_message(&other, "s3:GetObject", &arn(BUCKET_BACKUPS, key), &implicit("s3:GetObject"));
    let p = S3Plant {
        id: "vpce-implicit-s3",
        who: &other,
        t,
        ip: IP_OTHER,
        name: "GetObject",
        action: "s3:GetObject",
        bucket: BUCKET_BACKUPS,
        key,
        logged_owner: APP_ACCT,
        real_owner: APP_ACCT,
        via: r,
        error: Some(("AccessDenied", msg)),
        tags: &[],
    };
    plant_s3(w, &p, Some(Class("vpce-policy", "implicit", "error-message")), Some(("vpce-policy", "implicit")), false);

    let t = nov(18, 14, 40, 5);
    let leaky = app(true, t);
    let key = "app/2026/11/18/app-1400-a.log.gz";
    let msg = s3_message(&leaky, "s3:DeleteObject", &arn(BUCKET_LOGS, key), explicit_vpce);
    let p = S3Plant {
        id: "vpce-explicit-s3-log-tampering",
        who: &leaky,
        t,
        ip: IP_LEAKY,
        name: "DeleteObject",
        action: "s3:DeleteObject",
        bucket: BUCKET_LOGS,
        key,
        logged_owner: APP_ACCT,
        real_owner: APP_ACCT,
        via: r,
        error: Some(("AccessDenied", msg)),
        tags: &[],
    };
    plant_s3(w, &p, Some(Class("vpce-policy", "explicit", "error-message")), Some(("vpce-policy", "explicit")), false);

    // The attacker on i-0abc (after the credential rotation) tries to move data to a foreign bucket.
    let exfil: [(&str, i64, &str, &str, &str, bool); 3] = [
        (
            "exfil-put-allowed",
            nov(19, 22, 17, 44),
            "PutObject",
            "s3:PutObject",
            "incoming/orders-export-20261119.csv.gz",
            true,
        ),
        ("exfil-put-denied", nov(19, 22, 18, 10), "PutObject", "s3:PutObject", "dump/customers-full.csv.gz", false),
        (
            "exfil-get-denied",
            nov(19, 22, 19, 2),
            "GetObject",
            "s3:GetObject",
            "tools/rclone-v1.68.1-linux-amd64",
            false,
        ),
    ];
    for (id, t, name, action, key, allowed) in exfil {
        let who = app(true, t);
        let error =
            (!allowed).then(|| ("AccessDenied", s3_message(&who, action, &arn(BUCKET_EXFIL, key), explicit_vpce)));
        let p = S3Plant {
            id,
            who: &who,
            t,
            ip: IP_LEAKY,
            name,
            action,
            bucket: BUCKET_EXFIL,
            key,
            logged_owner: FOREIGN_ACCT,
            real_owner: FOREIGN_ACCT,
            via: r,
            error,
            tags: &["foreign-resource"],
        };
        let (class, actual) = if allowed {
            (None, None)
        } else {
            (Some(Class("vpce-policy", "explicit", "error-message")), Some(("vpce-policy", "explicit")))
        };
        plant_s3(w, &p, class, actual, false);
    }
    let t = nov(19, 22, 21, 30);
    let who = app(true, t);
    let p = S3Plant {
        id: "unknown-owner-put-denied",
        who: &who,
        t,
        ip: IP_LEAKY,
        name: "PutObject",
        action: "s3:PutObject",
        bucket: BUCKET_SCRATCH,
        key: "drop/orders-export-20261119.csv.gz",
        logged_owner: "",
        real_owner: SCRATCH_OWNER_ACCT,
        via: r,
        error: Some(("AccessDenied", AD.to_owned())),
        tags: &["unknown-owner"],
    };
    plant_s3(w, &p, Some(Class("unknown", "unknown", "none")), Some(("vpce-policy", "explicit")), false);

    // A principal of the foreign account inside our VPC, reading our bucket through our endpoint.
    let stranger = foreign();
    for (id, t, na) in
        [("foreign-principal-get", nov(19, 8, 5, 12), false), ("foreign-principal-get-na", nov(21, 8, 30, 0), true)]
    {
        let key = format!("reports/2026/11/{:02}/summary.csv", if na { 20 } else { 18 });
        let p = S3Plant {
            id,
            who: &stranger,
            t,
            ip: "10.0.7.77",
            name: "GetObject",
            action: "s3:GetObject",
            bucket: BUCKET_DATA,
            key: &key,
            logged_owner: APP_ACCT,
            real_owner: APP_ACCT,
            via: r,
            error: Some(("AccessDenied", AD.to_owned())),
            tags: &["foreign-principal"],
        };
        let class =
            if na { Class("vpce-policy", "unknown", "network-activity") } else { Class("unknown", "unknown", "none") };
        plant_s3(w, &p, Some(class), Some(("vpce-policy", "implicit")), na);
    }

    Ok(())
}
