//! One OCSF API Activity row, as Amazon Security Lake writes CloudTrail (OCSF 1.0.0-rc.2 class 3005; 1.1 and
//! 1.5 class 6003), → the CloudTrail record it was made from, as far as OCSF keeps it. The record then goes
//! through the CloudTrail decoder like any other, so the head, the principal, the IAM accesses and the denial
//! wording are built by the one code that builds them for JSON logs.
//!
//! The mapping is the one the OCSF mapping documents give for AWS CloudTrail (ocsf/examples,
//! `mappings/markdown/AWS/v1.1.0/CloudTrail/API Activity/README.md` and its v1.5.0 and v1.0.0-rc.2 siblings;
//! also opensearch-project/security-analytics `cloudtrail_logtype.json`, fields `ocsf` and `ocsf11`):
//!
//! | OCSF | CloudTrail |
//! |---|---|
//! | `time` (epoch ms) / `time_dt` | `eventTime` |
//! | `metadata.uid`, `metadata.event_code`, `metadata.product.version` | `eventID`, `eventType`, `eventVersion` |
//! | `metadata.product.feature.name` | `eventCategory` (when it names one category) |
//! | `cloud.region` | `awsRegion` |
//! | `api.operation`, `api.service.name` | `eventName`, `eventSource` |
//! | `api.response.error`, `api.response.message` | `errorCode`, `errorMessage` |
//! | `api.request.data`, `api.request.uid` | `requestParameters` (JSON text), `requestID` |
//! | `actor.user.type`, `.uid`, `.uid_alt`, `.name`, `.credential_uid` | `userIdentity.type`, `.arn`, `.principalId`, `.userName`, `.accessKeyId` |
//! | rc.2: `actor.user.uuid`, `.uid` | `userIdentity.arn`, `.principalId` (the release candidate had them the other way round) |
//! | `actor.user.account.uid` (1.1+) / `actor.user.account_uid` (rc.2) | `userIdentity.accountId` |
//! | `actor.session.issuer`, `.is_mfa`, `.created_time` | `userIdentity.sessionContext` (issuer ARN, MFA, creation date) |
//! | `actor.invoked_by` | `userIdentity.invokedBy` |
//! | `src_endpoint.uid` | `vpcEndpointId` |
//! | `src_endpoint.ip` / `src_endpoint.domain` | `sourceIPAddress` (an address / a service name) |
//! | `http_request.user_agent` | `userAgent` |
//! | `resources[].uid`, `.type`, `.account_uid` | `resources[].ARN`, `.type`, `.accountId` |
//! | `unmapped` (`map<string,string>`, dotted keys) | everything else: `recipientAccountId`, `readOnly`, `managementEvent`, `vpcEndpointAccountId`, `requestParameters.bucketName`, `tlsDetails.*`, ... |
//!
//! What OCSF loses is said at run time (`OCSF_NOTE`) and in the README: `vpcEndpointAccountId` has no OCSF field
//! and survives only in `unmapped`; Security Lake has no network activity events; Authentication (3002) and
//! Account Change (3001) rows are CloudTrail management events in other classes and are rejected, counted.

use serde_json::{Map, Value};

use crate::model::format_rfc3339;

/// The note added to the report input when OCSF rows were read.
pub const OCSF_NOTE: &str = "OCSF input (Amazon Security Lake): vpcEndpointAccountId has no OCSF field and is \
    known only when the row's `unmapped` map kept it (endpoint ownership falls back to the record's other \
    evidence); Security Lake carries no network activity events (no VpceAccessDenied pairing); only API \
    Activity rows (class 6003, 3005 in OCSF 1.0.0-rc.2) are read";

/// One resource of `resources[]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OcsfResource {
    pub uid: Option<String>,
    pub kind: Option<String>,
    pub account_uid: Option<String>,
}

/// The fields of an OCSF row the mapping reads, as plain values (filled by the Parquet reader, tests and the
/// fuzz target).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OcsfRow {
    pub class_uid: Option<i64>,
    /// `metadata.version` (`1.1.0`).
    pub version: Option<String>,
    /// `time` (epoch milliseconds) or `time_dt`.
    pub time_ms: Option<i64>,
    pub uid: Option<String>,
    pub event_code: Option<String>,
    pub product_version: Option<String>,
    pub feature: Option<String>,
    pub region: Option<String>,
    pub operation: Option<String>,
    pub service: Option<String>,
    pub error: Option<String>,
    pub message: Option<String>,
    pub request_data: Option<String>,
    pub request_uid: Option<String>,
    pub user_type: Option<String>,
    pub user_uid: Option<String>,
    pub user_uid_alt: Option<String>,
    /// `actor.user.uuid` (OCSF 1.0.0-rc.2 put the ARN here and the principal id in `uid`).
    pub user_uuid: Option<String>,
    pub user_name: Option<String>,
    pub user_account: Option<String>,
    pub credential_uid: Option<String>,
    pub session_issuer: Option<String>,
    pub session_mfa: Option<bool>,
    pub session_created_ms: Option<i64>,
    pub invoked_by: Option<String>,
    pub src_uid: Option<String>,
    pub src_ip: Option<String>,
    pub src_domain: Option<String>,
    pub user_agent: Option<String>,
    pub resources: Vec<OcsfResource>,
    /// `unmapped`, in file order.
    pub unmapped: Vec<(String, String)>,
}

/// Why an OCSF row was rejected (counted as a bad record of its file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OcsfError {
    #[error("OCSF row with no class_uid")]
    NoClass,
    #[error("OCSF class {0} ({1}) is not API Activity (6003): not read")]
    Unsupported(i64, &'static str),
    #[error("OCSF row with no time")]
    NoTime,
    #[error("OCSF row with time {0} out of range")]
    BadTime(i64),
    #[error("OCSF row with no api.operation")]
    NoOperation,
}

/// Class names for the rejection reason (the classes Security Lake writes CloudTrail as, and a few more).
fn class_name(class: i64) -> &'static str {
    match class {
        3001 => "Account Change",
        3002 => "Authentication",
        3003 => "Authorize Session",
        4001 => "Network Activity",
        6003 => "API Activity",
        _ => "another class",
    }
}

/// Whether the row is API Activity: 6003 since OCSF 1.0, 3005 in the 1.0.0 release candidates.
fn is_api_activity(class: i64, version: Option<&str>) -> bool {
    class == 6003 || (class == 3005 && version.is_none_or(|v| v.starts_with("1.0.0-rc")))
}

/// The CloudTrail record the row stands for, as JSON text for the CloudTrail decoder.
pub fn to_cloudtrail(row: OcsfRow) -> Result<Vec<u8>, OcsfError> {
    let class = row.class_uid.ok_or(OcsfError::NoClass)?;
    if !is_api_activity(class, row.version.as_deref()) {
        let name = if class == 3005 { "API Activity of another OCSF version" } else { class_name(class) };
        return Err(OcsfError::Unsupported(class, name));
    }
    let millis = row.time_ms.ok_or(OcsfError::NoTime)?;
    let time = format_rfc3339(crate::model::Timestamp::from_millis(millis));
    if time.starts_with("invalid") {
        return Err(OcsfError::BadTime(millis));
    }
    let operation = row.operation.filter(|o| !o.is_empty()).ok_or(OcsfError::NoOperation)?;
    let mut record = Map::new();
    let mut put = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            record.insert(key.to_owned(), Value::String(value));
        }
    };
    put("eventVersion", row.product_version);
    put("eventTime", Some(time));
    put("eventSource", row.service);
    put("eventName", Some(operation));
    put("awsRegion", row.region);
    put("sourceIPAddress", row.src_ip.or(row.src_domain));
    put("userAgent", row.user_agent);
    put("errorCode", row.error);
    put("errorMessage", row.message);
    put("requestID", row.request_uid);
    put("eventID", row.uid);
    put("eventType", row.event_code);
    put("vpcEndpointId", row.src_uid);
    // The feature name is the category only when it names exactly one (Security Lake 1.1 writes the trail's
    // "Management, Data, and Insights" there); otherwise `unmapped` or `managementEvent` says.
    put("eventCategory", row.feature.filter(|f| matches!(f.as_str(), "Management" | "Data" | "NetworkActivity")));
    let data = row.request_data.as_deref().and_then(|d| serde_json::from_str::<Value>(d).ok());
    if let Some(data) = data.filter(Value::is_object) {
        record.insert("requestParameters".to_owned(), data);
    }
    // 1.1 and later: `uid` is the ARN and `uid_alt` the principal id; rc.2: `uuid` the ARN and `uid` the id.
    let is_arn = |s: &Option<String>| s.as_deref().is_some_and(|s| s.starts_with("arn:"));
    let (arn, principal_id) = if is_arn(&row.user_uuid) || (row.user_uid.is_some() && !is_arn(&row.user_uid)) {
        (row.user_uuid, row.user_uid.or(row.user_uid_alt))
    } else {
        (row.user_uid, row.user_uid_alt)
    };
    let identity = user_identity(
        row.user_type,
        arn,
        principal_id,
        row.user_name,
        row.user_account,
        row.credential_uid,
        row.invoked_by,
        Session { issuer: row.session_issuer, mfa: row.session_mfa, created_ms: row.session_created_ms },
    );
    if !identity.is_empty() {
        record.insert("userIdentity".to_owned(), Value::Object(identity));
    }
    let resources: Vec<Value> = row.resources.into_iter().filter_map(resource).collect();
    if !resources.is_empty() {
        record.insert("resources".to_owned(), Value::Array(resources));
    }
    for (key, value) in row.unmapped {
        place_unmapped(&mut record, &key, value);
    }
    Ok(serde_json::to_vec(&Value::Object(record)).unwrap_or_default())
}

struct Session {
    issuer: Option<String>,
    mfa: Option<bool>,
    created_ms: Option<i64>,
}

#[allow(clippy::too_many_arguments)]
fn user_identity(
    kind: Option<String>,
    arn: Option<String>,
    principal_id: Option<String>,
    user_name: Option<String>,
    account: Option<String>,
    access_key: Option<String>,
    invoked_by: Option<String>,
    session: Session,
) -> Map<String, Value> {
    let mut identity = Map::new();
    let put = |map: &mut Map<String, Value>, key: &str, value: Option<String>| {
        if let Some(value) = value {
            map.insert(key.to_owned(), Value::String(value));
        }
    };
    put(&mut identity, "type", kind);
    put(&mut identity, "arn", arn);
    put(&mut identity, "principalId", principal_id);
    put(&mut identity, "userName", user_name);
    put(&mut identity, "accountId", account);
    put(&mut identity, "accessKeyId", access_key);
    put(&mut identity, "invokedBy", invoked_by);
    let mut context = Map::new();
    if let Some(issuer) = session.issuer {
        let mut map = Map::new();
        // The issuer's account is the fifth field of its ARN (`arn:aws:iam::ACCOUNT:role/Name`).
        let account = issuer.split(':').nth(4).filter(|a| !a.is_empty()).map(str::to_owned);
        put(&mut map, "arn", Some(issuer));
        put(&mut map, "accountId", account);
        context.insert("sessionIssuer".to_owned(), Value::Object(map));
    }
    let mut attributes = Map::new();
    put(&mut attributes, "mfaAuthenticated", session.mfa.map(|m| m.to_string()));
    let created = session.created_ms.map(|ms| format_rfc3339(crate::model::Timestamp::from_millis(ms)));
    put(&mut attributes, "creationDate", created.filter(|c| !c.starts_with("invalid")));
    if !attributes.is_empty() {
        context.insert("attributes".to_owned(), Value::Object(attributes));
    }
    if !context.is_empty() {
        identity.insert("sessionContext".to_owned(), Value::Object(context));
    }
    identity
}

fn resource(resource: OcsfResource) -> Option<Value> {
    let mut map = Map::new();
    map.insert("ARN".to_owned(), Value::String(resource.uid?));
    if let Some(kind) = resource.kind {
        map.insert("type".to_owned(), Value::String(kind));
    }
    if let Some(account) = resource.account_uid {
        map.insert("accountId".to_owned(), Value::String(account));
    }
    Some(Value::Object(map))
}

/// Deepest dotted path placed from `unmapped` (`requestParameters.x.y.z`); deeper keys are kept whole at that
/// depth, so a hostile key costs its length, never a deep tree.
const MAX_UNMAPPED_DEPTH: usize = 4;

/// Puts one `unmapped` entry where CloudTrail has it: `recipientAccountId` at the top, `requestParameters.key`
/// inside `requestParameters`. A field the mapped columns already set wins; `readOnly` and `managementEvent`
/// become booleans; a value that is a JSON object or array (Security Lake keeps some fields as JSON text) is
/// placed as JSON.
fn place_unmapped(record: &mut Map<String, Value>, key: &str, value: String) {
    if key.is_empty() {
        return;
    }
    let value = match value.as_str() {
        "true" if matches!(key, "readOnly" | "managementEvent") => Value::Bool(true),
        "false" if matches!(key, "readOnly" | "managementEvent") => Value::Bool(false),
        text if text.starts_with(['{', '[']) => serde_json::from_str(text).unwrap_or(Value::String(value)),
        _ => Value::String(value),
    };
    let parts: Vec<&str> = key.splitn(MAX_UNMAPPED_DEPTH, '.').collect();
    let mut map = record;
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            map.entry((*part).to_owned()).or_insert(value);
            return;
        }
        let next = map.entry((*part).to_owned()).or_insert_with(|| Value::Object(Map::new()));
        match next {
            Value::Object(inner) => map = inner,
            // A mapped scalar already sits there: the mapped column wins.
            _ => return,
        }
    }
}

#[cfg(test)]
#[path = "ocsf_tests.rs"]
mod tests;
