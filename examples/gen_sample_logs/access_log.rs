//! S3 server access log lines for `app-data-111122223333` on 2026-11-21 09:00–11:55: gateway-endpoint
//! traffic from 10.0.x.y, the stolen credentials and the deploy user from public addresses, 403s, service
//! requesters, hostile user agents (an unescaped quote, a terminal escape), and one truncated garbage line.
//! These are requests of their own: their request ids do not repeat any CloudTrail record's.

use crate::rng::{access_log_time, nov, parts};
use crate::who::*;
use crate::world::{Class, RowInput, World, build_row, time};

/// One line of an access log file.
pub struct AccessLine {
    pub t: i64,
    pub text: String,
    /// Index into [`FILES`].
    pub file: usize,
    pub good: bool,
    pub request_id: String,
    /// The requester column.
    pub requester: String,
}

/// Access log object names (bucket-relative); the last one is gzip-compressed despite its name.
pub const FILES: [&str; 4] = [
    "2026-11-21-09-58-31-8F3C2A1B7D6E5F40",
    "2026-11-21-10-15-42-1A2B3C4D5E6F7A8B",
    "2026-11-21-11-24-09-C0FFEE00D15EA5E5",
    "2026-11-21-11-59-02-77E1D0A3B5C94F26",
];
pub const GZIP_FILE: usize = 3;

fn file_for(t: i64) -> usize {
    let (_, _, _, h, m, _) = parts(t);
    match h {
        ..=9 => 0,
        10 => 1,
        _ if m < 30 => 2,
        _ => GZIP_FILE,
    }
}

struct Req<'a> {
    t: i64,
    ip: &'a str,
    requester: &'a str,
    op: &'a str,
    key: &'a str,
    status: u16,
    ua: &'a str,
}

fn push_line(w: &mut World, owner_id: &str, r: &Req<'_>) -> String {
    let request_id = w.rng.upper_alnum(16);
    let (method, uri) = match r.op {
        "REST.GET.BUCKET" => ("GET", "/?list-type=2&prefix=reports%2F&encoding-type=url".to_owned()),
        "REST.GET.BUCKETVERSIONING" => ("GET", "/?versioning".to_owned()),
        "REST.GET.BUCKETPOLICY" => ("GET", "/?policy".to_owned()),
        op => (op.split('.').nth(1).unwrap_or("GET"), format!("/{}", r.key)),
    };
    let key = if r.op == "REST.GET.BUCKET" { "-" } else { r.key };
    let error = if r.status == 403 { "AccessDenied" } else { "-" };
    let sent = match (r.status, method) {
        (403, _) => "243".to_owned(),
        (_, "GET") if r.key == "-" => w.rng.range(300, 1500).to_string(),
        (_, "GET") => w.rng.range(900, 2_000_000).to_string(),
        _ => "-".to_owned(),
    };
    let size = if method == "PUT" { w.rng.range(1000, 900_000).to_string() } else { "-".to_owned() };
    let total = w.rng.range(8, 180);
    let host_id = w.rng.base64ish(76);
    let text = format!(
        "{owner_id} {BUCKET_DATA} {} {} {} {request_id} {} {key} \"{method} {uri} HTTP/1.1\" {} {error} {sent} {size} {total} {} \"-\" \"{}\" - {host_id} SigV4 TLS_AES_128_GCM_SHA256 AuthHeader {BUCKET_DATA}.s3.us-east-1.amazonaws.com TLSv1.3 - -",
        access_log_time(r.t),
        r.ip,
        r.requester,
        r.op,
        r.status,
        total.max(2) - 1,
        r.ua
    );
    w.access.push(AccessLine {
        t: r.t,
        text,
        file: file_for(r.t),
        good: true,
        request_id: request_id.clone(),
        requester: r.requester.to_owned(),
    });
    request_id
}

/// Adds a manifest row for an access-log request.
#[allow(clippy::too_many_arguments)]
fn row(
    w: &mut World,
    id: &str,
    who: &Who,
    r: &Req<'_>,
    request_id: String,
    action: &str,
    class: Option<Class<'_>>,
    actual: Option<(&str, &str)>,
    tags: &[&str],
) {
    let vpce = r.ip.starts_with("10.0.").then(|| VPCE_S3.to_owned());
    let resource = if r.op == "REST.GET.BUCKET" {
        format!("arn:aws:s3:::{BUCKET_DATA}")
    } else {
        format!("arn:aws:s3:::{BUCKET_DATA}/{}", r.key)
    };
    let outcome = if r.status == 403 { "denied" } else { "success" };
    let row = build_row(RowInput {
        id,
        event_ids: vec![request_id],
        log: "s3-access-log",
        time: time(r.t),
        vpce,
        who,
        action,
        resource: Some(&resource),
        real_resource: Some(&resource),
        logged_owner: None,
        real_owner: Some(APP_ACCT),
        outcome,
        error_code: (r.status == 403).then(|| "AccessDenied".to_owned()),
        source_ip: r.ip.to_owned(),
        class,
        actual,
        tags,
    });
    w.rows.push(row);
}

pub fn generate(w: &mut World) {
    let owner_id = w.rng.hex(64);
    let leaky = app(true, nov(21, 9, 0, 0));
    let other = app(false, nov(21, 9, 0, 0));
    let leaky_req = leaky.requester.clone().unwrap_or_default();
    let other_req = other.requester.clone().unwrap_or_default();
    let sdk = crate::records::ua_for(&leaky);
    // Ordinary gateway traffic: App on both instances.
    let mut times: Vec<i64> = (0..46).map(|_| w.rng.range(nov(21, 9, 0, 0), nov(21, 11, 54, 0))).collect();
    times.sort_unstable();
    for t in times {
        let is_leaky = w.rng.chance(50);
        let (ip, requester) = if is_leaky { (IP_LEAKY, leaky_req.as_str()) } else { (IP_OTHER, other_req.as_str()) };
        let (op, key) = match w.rng.below(10) {
            0..=5 => ("REST.GET.OBJECT", format!("reports/2026/11/21/{}.csv", w.rng.pick(&["daily", "orders", "kpi"]))),
            6..=7 => ("REST.PUT.OBJECT", format!("uploads/app/2026/11/21/{}.json", w.rng.uuid())),
            8 => ("REST.HEAD.OBJECT", "reports/2026/11/21/daily.csv".to_owned()),
            _ => ("REST.GET.BUCKET", String::new()),
        };
        push_line(w, &owner_id, &Req { t, ip, requester, op, key: &key, status: 200, ua: &sdk });
    }
    // Service requesters.
    push_line(
        w,
        &owner_id,
        &Req {
            t: nov(21, 9, 40, 12),
            ip: "192.0.2.44",
            requester: "svc:s3.amazonaws.com",
            op: "REST.GET.BUCKETVERSIONING",
            key: "-",
            status: 200,
            ua: "AWS Internal",
        },
    );
    push_line(
        w,
        &owner_id,
        &Req {
            t: nov(21, 11, 5, 3),
            ip: "192.0.2.45",
            requester: "svc:access-analyzer.amazonaws.com",
            op: "REST.GET.BUCKETPOLICY",
            key: "-",
            status: 200,
            ua: "access-analyzer.amazonaws.com",
        },
    );
    // A terminal escape sequence in a user agent (App on i-0abc: part of the leaked key's timeline).
    push_line(
        w,
        &owner_id,
        &Req {
            t: nov(21, 10, 2, 44),
            ip: IP_LEAKY,
            requester: &leaky_req,
            op: "REST.GET.OBJECT",
            key: "reports/2026/11/21/daily.csv",
            status: 200,
            ua: "aws-sdk-java/2.25.60 \u{1b}[31mINJECTED\u{1b}[0m \u{1b}]0;pwned\u{7}",
        },
    );

    // The stolen credentials again, from the internet, and the deploy user's upload.
    let attacker_ua = "aws-cli/2.15.30 Python/3.11.8 Linux/6.6.9-amd64 exe/x86_64.kali.2024 prompt/off command/s3.cp";
    let cases: [(&str, i64, &str, &str, u16); 3] = [
        ("bypass-list", nov(21, 10, 41, 17), "REST.GET.BUCKET", "", 200),
        ("bypass-get", nov(21, 10, 42, 30), "REST.GET.OBJECT", "reports/2026/11/21/orders.csv", 200),
        ("bypass-get-denied", nov(21, 10, 43, 5), "REST.GET.OBJECT", "reports/finance/2026-q4-forecast.xlsx", 403),
    ];
    for (id, t, op, key, status) in cases {
        let r = Req { t, ip: IP_ATTACKER, requester: &leaky_req, op, key, status, ua: attacker_ua };
        let rid = push_line(w, &owner_id, &r);
        let action = if op == "REST.GET.BUCKET" { "s3:ListBucket" } else { "s3:GetObject" };
        let (class, actual) = if status == 403 {
            (Some(Class("unknown", "unknown", "none")), Some(("resource-policy", "explicit")))
        } else {
            (None, None)
        };
        row(w, id, &leaky, &r, rid, action, class, actual, &["bypass", "stolen-credentials"]);
    }
    let deployer = deploy();
    let r = Req {
        t: nov(21, 11, 36, 20),
        ip: IP_DEPLOY,
        requester: USER_DEPLOY,
        op: "REST.PUT.OBJECT",
        key: "releases/app-1.42.1.tar.gz",
        status: 200,
        ua: &crate::records::ua_for(&deployer),
    };
    let rid = push_line(w, &owner_id, &r);
    row(w, "deploy-upload-public", &deployer, &r, rid, "s3:PutObject", None, None, &["bypass"]);

    // Analytics deleting through the gateway endpoint: 403, no reason in an access log.
    let analyst = analytics("reporting-cleanup", "ASIAT5NDW2XEC7LNUP01", nov(21, 9, 0, 0));
    let analyst_req = analyst.requester.clone().unwrap_or_default();
    let r = Req {
        t: nov(21, 9, 12, 31),
        ip: "10.0.20.131",
        requester: &analyst_req,
        op: "REST.DELETE.OBJECT",
        key: "uploads/app/2026/11/20/stale-export-2.json",
        status: 403,
        ua: &crate::records::ua_for(&analyst),
    };
    let rid = push_line(w, &owner_id, &r);
    row(
        w,
        "analytics-delete",
        &analyst,
        &r,
        rid,
        "s3:DeleteObject",
        Some(Class("unknown", "unknown", "none")),
        Some(("vpce-policy", "implicit")),
        &[],
    );

    // An anonymous scanner with an unescaped quote in its user agent.
    let anonymous = Who {
        identity: serde_json::Value::Null,
        principal: Some("anonymous".to_owned()),
        account: String::new(),
        key: None,
        requester: None,
        service: false,
    };
    let r = Req {
        t: nov(21, 11, 47, 51),
        ip: "192.0.2.201",
        requester: "-",
        op: "REST.GET.OBJECT",
        key: ".env",
        status: 403,
        ua: "Mozilla/5.0 \"><script>alert(1)</script> (compatible; scan\"bot/0.1)",
    };
    let rid = push_line(w, &owner_id, &r);
    row(
        w,
        "anonymous-hostile-user-agent",
        &anonymous,
        &r,
        rid,
        "s3:GetObject",
        Some(Class("unknown", "unknown", "none")),
        Some(("resource-policy", "implicit")),
        // An internet probe of an endpoint-bound bucket: a (denied) bypass.
        &["hostile-user-agent", "bypass"],
    );

    // A line cut short by a failed write: a bad record.
    let truncated = format!("{owner_id} {BUCKET_DATA} [21/Nov/2026:10:4");
    w.access.push(AccessLine {
        t: nov(21, 10, 40, 0),
        text: truncated,
        file: 1,
        good: false,
        request_id: String::new(),
        requester: String::new(),
    });
}
