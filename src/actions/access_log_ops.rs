//! The S3 server access log operation column (`REST.GET.OBJECT`) → the CloudTrail-style eventName
//! (`GetObject`), so both log kinds go through the same action table.
//!
//! S3-internal operations (`S3.EXPIRE.OBJECT`, `S3.TRANSITION_*.OBJECT`, …: lifecycle, done by S3 itself, not a
//! customer request) get pseudo eventNames that [`is_s3_internal_event_name`] recognises and that need no IAM
//! action. CORS preflights (`REST.OPTIONS.PREFLIGHT`) are not authorized by IAM either.

/// Pseudo eventName of lifecycle expirations (`S3.EXPIRE.OBJECT`, `S3.CREATE.DELETEMARKER`).
pub const LIFECYCLE_EXPIRATION: &str = "S3LifecycleExpiration";
/// Pseudo eventName of lifecycle storage class transitions (`S3.TRANSITION*.OBJECT`).
pub const LIFECYCLE_TRANSITION: &str = "S3LifecycleTransition";
/// Pseudo eventName of other S3-internal operations (`S3.DELETE.UPLOAD`, `S3.RESTORE.OBJECT`, …).
pub const S3_INTERNAL: &str = "S3InternalOperation";
/// Pseudo eventName of CORS preflight requests (`REST.OPTIONS.PREFLIGHT`).
pub const CORS_PREFLIGHT: &str = "OptionsPreflight";

/// True for the pseudo eventNames of operations S3 performs itself (lifecycle): not a customer request.
pub fn is_s3_internal_event_name(event_name: &str) -> bool {
    matches!(event_name, LIFECYCLE_EXPIRATION | LIFECYCLE_TRANSITION | S3_INTERNAL)
}

/// True for S3 eventNames that IAM does not authorize (S3-internal operations, CORS preflights):
/// [`super::accesses`] returns no access for them.
pub fn needs_no_authorization(event_name: &str) -> bool {
    is_s3_internal_event_name(event_name) || event_name == CORS_PREFLIGHT
}

/// Maps an access log operation to the eventName CloudTrail would log for the same request.
///
/// `key` (the decoded or raw key column, `None` for `-`) tells object ACL / tagging calls from bucket ones;
/// `request_uri` (`GET /bucket?list-type=2 HTTP/1.1`) tells the variants of `REST.GET.BUCKET` apart.
/// `REST.COPY.OBJECT_GET` / `REST.COPY.PART_GET` (the read of a copy's source, logged in the source bucket)
/// become `GetObject`. `None` for operations this table does not know (e.g. `SOAP.*`): callers keep the raw
/// operation.
pub fn s3_access_log_operation(operation: &str, key: Option<&str>, request_uri: Option<&str>) -> Option<&'static str> {
    let mut parts = operation.trim().splitn(3, '.');
    let (kind, method, resource) = (parts.next()?, parts.next()?, parts.next()?);
    let has_key = key.is_some_and(|k| !k.is_empty() && k != "-");
    let query = request_uri.map(uri_query).unwrap_or("");
    let has = |name: &str| query_has(query, name);
    match kind {
        "S3" => {
            return Some(match method {
                "EXPIRE" | "CREATE" => LIFECYCLE_EXPIRATION,
                m if m.starts_with("TRANSITION") => LIFECYCLE_TRANSITION,
                _ => S3_INTERNAL,
            });
        }
        "BATCH" => return (method == "DELETE" && resource == "OBJECT").then_some("DeleteObjects"),
        "WEBSITE" => {
            return match method {
                "GET" => Some("GetObject"),
                "HEAD" => Some("HeadObject"),
                _ => None,
            };
        }
        "REST" => {}
        _ => return None,
    }
    let name = match (method, resource) {
        ("GET", "OBJECT") if has("torrent") => "GetObjectTorrent",
        ("GET", "OBJECT") if has("attributes") => "GetObjectAttributes",
        ("GET", "OBJECT") => "GetObject",
        ("HEAD", "OBJECT") => "HeadObject",
        ("PUT", "OBJECT") => "PutObject",
        ("POST", "OBJECT") | ("POST", "BUCKET") => "PostObject",
        ("DELETE", "OBJECT") => "DeleteObject",
        ("COPY", "OBJECT") => "CopyObject",
        ("COPY", "PART") => "UploadPartCopy",
        ("COPY", "OBJECT_GET") | ("COPY", "PART_GET") => "GetObject",
        ("POST", "UPLOADS") => "CreateMultipartUpload",
        ("PUT", "PART") => "UploadPart",
        ("POST", "UPLOAD") => "CompleteMultipartUpload",
        ("DELETE", "UPLOAD") => "AbortMultipartUpload",
        ("GET", "UPLOAD") => "ListParts",
        ("GET", "UPLOADS") => "ListMultipartUploads",
        ("POST", "MULTI_OBJECT_DELETE") => "DeleteObjects",
        ("POST", "RESTORE") => "RestoreObject",
        ("POST", "SELECT") => "SelectObjectContent",
        ("GET", "BUCKET") => get_bucket(query),
        ("GET", "BUCKETVERSIONS") => "ListObjectVersions",
        ("HEAD", "BUCKET") => "HeadBucket",
        ("PUT", "BUCKET") => "CreateBucket",
        ("DELETE", "BUCKET") => "DeleteBucket",
        ("GET", "SERVICE") => "ListBuckets",
        ("OPTIONS", "PREFLIGHT") => CORS_PREFLIGHT,
        ("GET", "ACL") if has_key => "GetObjectAcl",
        ("PUT", "ACL") if has_key => "PutObjectAcl",
        ("GET", "ACL") => "GetBucketAcl",
        ("PUT", "ACL") => "PutBucketAcl",
        ("GET", "OBJECT_TAGGING") => "GetObjectTagging",
        ("PUT", "OBJECT_TAGGING") => "PutObjectTagging",
        ("DELETE", "OBJECT_TAGGING") => "DeleteObjectTagging",
        ("GET", "TAGGING") if has_key => "GetObjectTagging",
        ("PUT", "TAGGING") if has_key => "PutObjectTagging",
        ("DELETE", "TAGGING") if has_key => "DeleteObjectTagging",
        ("GET", "TAGGING") => "GetBucketTagging",
        ("PUT", "TAGGING") => "PutBucketTagging",
        ("DELETE", "TAGGING") => "DeleteBucketTagging",
        ("GET", "TORRENT") => "GetObjectTorrent",
        ("GET", "OBJECT_ATTRIBUTES") | ("GET", "ATTRIBUTES") => "GetObjectAttributes",
        ("GET", "LEGAL_HOLD") => "GetObjectLegalHold",
        ("PUT", "LEGAL_HOLD") => "PutObjectLegalHold",
        ("GET", "RETENTION") => "GetObjectRetention",
        ("PUT", "RETENTION") => "PutObjectRetention",
        ("GET", "OBJECT_LOCK_CONFIGURATION") => "GetObjectLockConfiguration",
        ("PUT", "OBJECT_LOCK_CONFIGURATION") => "PutObjectLockConfiguration",
        (m, "ANALYTICS") => config(m, has("id"), "BucketAnalyticsConfiguration")?,
        (m, "METRICS") => config(m, has("id"), "BucketMetricsConfiguration")?,
        (m, "INVENTORY") => config(m, has("id"), "BucketInventoryConfiguration")?,
        (m, "INTELLIGENT_TIERING") => config(m, has("id"), "BucketIntelligentTieringConfiguration")?,
        (m, r) => bucket_subresource(m, r)?,
    };
    Some(name)
}

/// `REST.GET.BUCKET`: ListObjects, or the sub-resource the query names (some clients' requests are logged so).
fn get_bucket(query: &str) -> &'static str {
    let has = |name| query_has(query, name);
    if query.split('&').any(|p| p == "list-type=2") {
        "ListObjectsV2"
    } else if has("versions") {
        "ListObjectVersions"
    } else if has("uploads") {
        "ListMultipartUploads"
    } else {
        const SUBRESOURCES: &[(&str, &str)] = &[
            ("accelerate", "GetBucketAccelerateConfiguration"),
            ("acl", "GetBucketAcl"),
            ("cors", "GetBucketCors"),
            ("encryption", "GetBucketEncryption"),
            ("lifecycle", "GetBucketLifecycle"),
            ("location", "GetBucketLocation"),
            ("logging", "GetBucketLogging"),
            ("notification", "GetBucketNotification"),
            ("object-lock", "GetObjectLockConfiguration"),
            ("ownershipControls", "GetBucketOwnershipControls"),
            ("policy", "GetBucketPolicy"),
            ("policyStatus", "GetBucketPolicyStatus"),
            ("publicAccessBlock", "GetBucketPublicAccessBlock"),
            ("replication", "GetBucketReplication"),
            ("requestPayment", "GetBucketRequestPayment"),
            ("tagging", "GetBucketTagging"),
            ("versioning", "GetBucketVersioning"),
            ("website", "GetBucketWebsite"),
        ];
        SUBRESOURCES.iter().find(|(q, _)| has(q)).map_or("ListObjects", |(_, name)| name)
    }
}

/// `GET|PUT|DELETE` on a bucket configuration sub-resource column (`REST.GET.VERSIONING`, …).
fn bucket_subresource(method: &str, resource: &str) -> Option<&'static str> {
    // (resource column, Get, Put, Delete); "" = no such operation.
    const TABLE: &[(&str, &str, &str, &str)] = &[
        ("ACCELERATE", "GetBucketAccelerateConfiguration", "PutBucketAccelerateConfiguration", ""),
        ("BUCKETPOLICY", "GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"),
        ("CORS", "GetBucketCors", "PutBucketCors", "DeleteBucketCors"),
        ("ENCRYPTION", "GetBucketEncryption", "PutBucketEncryption", "DeleteBucketEncryption"),
        ("LIFECYCLE", "GetBucketLifecycle", "PutBucketLifecycle", "DeleteBucketLifecycle"),
        ("LOCATION", "GetBucketLocation", "", ""),
        ("LOGGING_STATUS", "GetBucketLogging", "PutBucketLogging", ""),
        ("NOTIFICATION", "GetBucketNotification", "PutBucketNotification", ""),
        (
            "OWNERSHIP_CONTROLS",
            "GetBucketOwnershipControls",
            "PutBucketOwnershipControls",
            "DeleteBucketOwnershipControls",
        ),
        ("POLICY_STATUS", "GetBucketPolicyStatus", "", ""),
        (
            "PUBLIC_ACCESS_BLOCK",
            "GetBucketPublicAccessBlock",
            "PutBucketPublicAccessBlock",
            "DeleteBucketPublicAccessBlock",
        ),
        ("REPLICATION", "GetBucketReplication", "PutBucketReplication", "DeleteBucketReplication"),
        ("REQUEST_PAYMENT", "GetBucketRequestPayment", "PutBucketRequestPayment", ""),
        ("VERSIONING", "GetBucketVersioning", "PutBucketVersioning", ""),
        ("WEBSITE", "GetBucketWebsite", "PutBucketWebsite", "DeleteBucketWebsite"),
    ];
    let row = TABLE.iter().find(|row| row.0 == resource)?;
    let name = match method {
        "GET" => row.1,
        "PUT" => row.2,
        "DELETE" => row.3,
        _ => "",
    };
    (!name.is_empty()).then_some(name)
}

/// Analytics / metrics / inventory / intelligent-tiering configurations: `GET` with `id=` is Get…, without is
/// List…s; `PUT` is Put…, `DELETE` is Delete….
fn config(method: &str, has_id: bool, what: &str) -> Option<&'static str> {
    const NAMES: &[&str] = &[
        "GetBucketAnalyticsConfiguration",
        "ListBucketAnalyticsConfigurations",
        "PutBucketAnalyticsConfiguration",
        "DeleteBucketAnalyticsConfiguration",
        "GetBucketMetricsConfiguration",
        "ListBucketMetricsConfigurations",
        "PutBucketMetricsConfiguration",
        "DeleteBucketMetricsConfiguration",
        "GetBucketInventoryConfiguration",
        "ListBucketInventoryConfigurations",
        "PutBucketInventoryConfiguration",
        "DeleteBucketInventoryConfiguration",
        "GetBucketIntelligentTieringConfiguration",
        "ListBucketIntelligentTieringConfigurations",
        "PutBucketIntelligentTieringConfiguration",
        "DeleteBucketIntelligentTieringConfiguration",
    ];
    let (verb, suffix) = match (method, has_id) {
        ("GET", true) => ("Get", ""),
        ("GET", false) => ("List", "s"),
        ("PUT", _) => ("Put", ""),
        ("DELETE", _) => ("Delete", ""),
        _ => return None,
    };
    NAMES.iter().copied().find(|n| n.strip_prefix(verb).and_then(|r| r.strip_prefix(what)).is_some_and(|r| r == suffix))
}

/// The query string of a logged request line (`GET /b/k?versionId=1 HTTP/1.1` → `versionId=1`).
pub(crate) fn uri_query(request_uri: &str) -> &str {
    let target = request_uri.split_once(' ').map_or(request_uri, |(_, rest)| rest);
    let target = match target.rsplit_once(' ') {
        Some((t, version)) if version.starts_with("HTTP/") => t,
        _ => target,
    };
    target.split_once('?').map_or("", |(_, q)| q)
}

/// The value of query parameter `name` (`Some("")` for a bare `?versions`), raw (still URL-encoded).
pub(crate) fn query_param<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query.split('&').find_map(|p| match p.split_once('=') {
        Some((k, v)) if k == name => Some(v),
        None if p == name => Some(""),
        _ => None,
    })
}

fn query_has(query: &str, name: &str) -> bool {
    query_param(query, name).is_some()
}
