//! An access log line → [`Event`]: principal from the requester column, outcome from status and error code,
//! the CloudTrail-style eventName and IAM accesses through [`crate::actions`], endpoint and region hints from
//! the Host header.

use super::AccessLogLine;
use crate::actions::{self, ApiCall};
use crate::model::{
    AccountId, Event, EventCategory, LogKind, Outcome, Principal, PrincipalType, RequestFacts, Resource, Tls, VpceId,
    role_arn_from_session_arn,
};
use percent_encoding::percent_decode_str;

/// Builds the event of one line.
///
/// - `event_name`: the CloudTrail eventName [`actions::s3_access_log_operation`] gives (`GetObject`), or the raw
///   operation column when it knows none (`SOAP.…`); S3-internal lifecycle operations get pseudo names
///   (`S3LifecycleExpiration`, see [`actions::is_s3_internal_event_name`]) and no accesses; an unknown
///   operation has no accesses either.
/// - `request.version_id` is the `versionId` the request URI asked for, not the version id column: S3 fills that
///   column with the version it served even for a plain GET, which needs `s3:GetObject`, not
///   `s3:GetObjectVersion`.
/// - `event_id` is the S3 request id; lines that share one by design (per-key `BATCH.DELETE.OBJECT` lines, the
///   source read of a copy) differ in their resources, which de-duplication also compares.
/// - `vpce` is the endpoint id in an endpoint-specific Host header (`bucket.vpce-0abc-xyz.s3.<region>.vpce.
///   amazonaws.com`); access logs have no endpoint column, so it is `None` otherwise.
/// - `outcome`: no error code → success (or `Error { code: "HTTP <status>" }` for a status ≥ 400); an error code
///   of the AccessDenied family (HTTP 403 `AccessDenied`) → denied; any other → error.
/// - Resources carry no account: the log names the owner by canonical id only.
pub fn to_event(line: &AccessLogLine) -> Event {
    let region = line.host_header.and_then(region_from_host);
    let partition = actions::partition_of(region.as_deref());
    let key = line.key_decoded().map(|k| k.into_owned());
    let query = line.request_uri.map(actions::uri_query).unwrap_or("");
    let param = |name| {
        actions::query_param(query, name)
            .filter(|v| !v.is_empty())
            .map(|v| percent_decode_str(v).decode_utf8_lossy().into_owned())
    };
    let host = line.host_header.map(str::to_owned);
    let request = RequestFacts {
        bucket: Some(line.bucket.to_owned()),
        key: key.clone(),
        version_id: param("versionId"),
        list_type: param("list-type"),
        prefix: param("prefix"),
        copy_source: None,
        table_name: None,
        index_name: None,
        host,
    };
    let known = actions::s3_access_log_operation(line.operation, line.key, line.request_uri);
    let event_name = known.unwrap_or(line.operation).to_owned();
    // An operation the map does not know has no action to guess.
    let accesses = match known {
        Some(name) => actions::accesses(&ApiCall {
            region: region.as_deref(),
            ..ApiCall::new("s3.amazonaws.com", name, &request)
        }),
        None => Vec::new(),
    };
    let mut resources = vec![Resource {
        arn: format!("arn:{partition}:s3:::{}", line.bucket),
        kind: Some("AWS::S3::Bucket".to_owned()),
        account: None,
        is_prefix: false,
    }];
    if let Some(key) = &key {
        resources.push(Resource {
            arn: format!("arn:{partition}:s3:::{}/{key}", line.bucket),
            kind: Some("AWS::S3::Object".to_owned()),
            account: None,
            is_prefix: false,
        });
    }
    let tls = (line.tls_version.is_some() || line.cipher_suite.is_some())
        .then(|| Tls { version: line.tls_version.map(str::to_owned), cipher: line.cipher_suite.map(str::to_owned) });
    Event {
        time: Some(line.time),
        kind: LogKind::S3AccessLog,
        event_source: "s3.amazonaws.com".to_owned(),
        event_name,
        accesses,
        region,
        principal: principal(line.requester),
        source_ip: line.remote_ip.map(str::to_owned),
        user_agent: line.user_agent.map(str::to_owned),
        vpce: line.host_header.and_then(vpce_from_host),
        vpce_account: None,
        aws_internal_endpoint: false,
        resources,
        outcome: outcome(line.http_status, line.error_code),
        category: EventCategory::Data,
        event_type: None,
        event_id: event_id(line),
        recipient_account: None,
        tls,
        read_only: read_only(line.operation),
        request,
        http_status: line.http_status,
    }
}

/// The S3 request id (the `x-amz-request-id` a client saw; CloudTrail data events carry the same value as
/// `requestID`). Lines that share one (per-key batch-delete lines, copy sources) differ in their resources,
/// which de-duplication also compares.
fn event_id(line: &AccessLogLine) -> Option<String> {
    line.request_id.map(str::to_owned)
}

/// The requester column as a principal. `-` → anonymous; `svc:<service>` → the AWS service; an assumed-role
/// session ARN → its role ARN (the role path is not in the log) with the session name; IAM user / root /
/// federated user ARNs as they are; a canonical user id → unknown, id kept in `principal_id`.
pub(crate) fn principal(requester: Option<&str>) -> Principal {
    let mut p = Principal::unknown();
    let Some(requester) = requester else {
        p.kind = PrincipalType::Anonymous;
        p.arn = Some("anonymous".to_owned());
        return p;
    };
    if let Some(service) = requester.strip_prefix("svc:") {
        p.kind = PrincipalType::AWSService;
        p.arn = Some(service.to_owned());
        p.invoked_by = Some(service.to_owned());
        return p;
    }
    if !requester.starts_with("arn:") {
        p.principal_id = Some(requester.to_owned());
        return p;
    }
    p.identity_arn = Some(requester.to_owned());
    p.account = requester.split(':').nth(4).filter(|a| !a.is_empty()).map(|a| AccountId::from(a.to_owned()));
    let resource = requester.splitn(6, ':').nth(5).unwrap_or("");
    if let Some((role, session)) = role_arn_from_session_arn(requester) {
        p.kind = PrincipalType::AssumedRole;
        p.arn = Some(role);
        p.session_name = Some(session);
        return p;
    }
    p.arn = Some(requester.to_owned());
    p.kind = if resource == "root" {
        PrincipalType::Root
    } else if let Some(path_and_name) = resource.strip_prefix("user/") {
        p.user_name = path_and_name.rsplit('/').next().map(str::to_owned);
        PrincipalType::IAMUser
    } else if resource.starts_with("federated-user/") {
        PrincipalType::FederatedUser
    } else {
        PrincipalType::Unknown
    };
    p
}

fn outcome(status: Option<u16>, error_code: Option<&str>) -> Outcome {
    match (error_code, status) {
        (Some(code), _) => Outcome::from_error(Some(code), None),
        (None, Some(s)) if s >= 400 => Outcome::Error { code: format!("HTTP {s}"), message: None },
        (None, _) => Outcome::Success,
    }
}

/// GET/HEAD operations read; PUT/POST/DELETE/COPY write; others unknown.
fn read_only(operation: &str) -> Option<bool> {
    match operation.split('.').nth(1)? {
        "GET" | "HEAD" => Some(true),
        "PUT" | "POST" | "DELETE" | "COPY" => Some(false),
        _ => None,
    }
}

/// The region a Host header names: `b.s3.us-east-2.amazonaws.com`, `b.s3-us-west-2.amazonaws.com`,
/// `b.s3.dualstack.eu-west-1.amazonaws.com`, `b.s3-website-us-east-1.amazonaws.com`,
/// `b.vpce-0a-b.s3.us-east-1.vpce.amazonaws.com`. The first label (a bucket name) is never taken.
pub(crate) fn region_from_host(host: &str) -> Option<String> {
    let host = host.split(':').next()?.to_ascii_lowercase();
    if !(host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn")) {
        return None;
    }
    host.split('.').skip(1).find_map(|label| {
        let label = label.strip_prefix("s3-website-").or_else(|| label.strip_prefix("s3-")).unwrap_or(label);
        is_region(label).then(|| label.to_owned())
    })
}

/// `us-east-1`, `ap-southeast-2`, `us-gov-west-1`, `cn-north-1`.
fn is_region(label: &str) -> bool {
    let parts: Vec<&str> = label.split('-').collect();
    let letters = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase());
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [area, direction, n] => area.len() == 2 && letters(area) && letters(direction) && digits(n),
        [area, "gov", direction, n] => area.len() == 2 && letters(area) && letters(direction) && digits(n),
        _ => false,
    }
}

/// `vpce-0abc123` from an endpoint-specific Host header (`….vpce-0abc123-xyz.s3.<r>.vpce.amazonaws.com`).
pub(crate) fn vpce_from_host(host: &str) -> Option<VpceId<'static>> {
    let host = host.split(':').next()?.to_ascii_lowercase();
    if !host.contains(".vpce.amazonaws.com") {
        return None;
    }
    host.split('.').find_map(|label| {
        let id = label.strip_prefix("vpce-")?;
        let id = id.split('-').next()?;
        (!id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit())).then(|| VpceId::from(format!("vpce-{id}")))
    })
}
