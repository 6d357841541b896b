//! One row of trail-vpce's own export (`trail-vpce export`, schema in `sql/README.md`) → the [`Event`] it was
//! written from. The export is the normalized event, so this is a plain copy back, field by field: the reverse
//! of `analyze::export`'s row. Exports written before the rebuild columns existed (`access_actions`,
//! `resource_types`, `version_id`, ...) still read: their IAM accesses are derived again from the event name
//! and request facts by [`crate::actions`], as the decoders do (multi-item calls lose their per-item accesses).

use crate::actions::{self, ApiCall};
use crate::model::{
    Access, AccountId, Event, EventCategory, LogKind, Outcome, Principal, PrincipalType, RequestFacts, Resource,
    Timestamp, Tls, VpceId,
};

/// The columns read back, as plain values (filled by the Parquet reader, or by tests and the fuzz target).
/// `None` for a list column means the column is absent from the file (an older export).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportRow {
    pub time_ms: Option<i64>,
    pub log: Option<String>,
    pub event_source: Option<String>,
    pub event_name: Option<String>,
    pub actions: Vec<String>,
    pub resources: Vec<String>,
    pub resource_accounts: Vec<String>,
    pub region: Option<String>,
    pub principal: Option<String>,
    pub principal_type: Option<String>,
    pub principal_account: Option<String>,
    pub identity_arn: Option<String>,
    pub session_name: Option<String>,
    pub access_key_id: Option<String>,
    pub invoked_by: Option<String>,
    pub ec2_role_delivery: Option<bool>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    /// `vpce` (customer endpoints only); `endpoint_id` is preferred when present.
    pub vpce: Option<String>,
    pub endpoint_id: Option<String>,
    pub vpce_account: Option<String>,
    pub aws_internal_endpoint: Option<bool>,
    pub outcome: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub category: Option<String>,
    pub event_type: Option<String>,
    pub event_id: Option<String>,
    pub recipient_account: Option<String>,
    pub tls_version: Option<String>,
    pub read_only: Option<bool>,
    pub bucket: Option<String>,
    pub key: Option<String>,
    pub http_status: Option<i64>,
    pub principal_id: Option<String>,
    pub user_name: Option<String>,
    pub access_actions: Option<Vec<String>>,
    pub access_resources: Option<Vec<String>>,
    pub resource_types: Option<Vec<String>>,
    pub resource_prefixes: Option<Vec<bool>>,
    pub tls_cipher: Option<String>,
    pub version_id: Option<String>,
    pub list_type: Option<String>,
    pub prefix: Option<String>,
    pub copy_source: Option<String>,
    pub table_name: Option<String>,
    pub index_name: Option<String>,
    pub host: Option<String>,
}

/// Why a row was rejected (counted as a bad record of its file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportRowError {
    #[error("export row with no event_name")]
    NoEventName,
    #[error("export row of unknown log kind {0:?} (expected cloudtrail or s3-access-log)")]
    UnknownLog(String),
    #[error("export row of unknown outcome {0:?} (expected success, denied or error)")]
    UnknownOutcome(String),
    #[error("export row with outcome {0} and no error_code")]
    NoErrorCode(&'static str),
    #[error("export row with {name} of {len} entries beside {expected} resources or actions")]
    Misaligned { name: &'static str, len: usize, expected: usize },
    #[error("export row with http_status {0} (not an HTTP status)")]
    BadStatus(i64),
}

/// The event the row was exported from.
pub fn to_event(row: ExportRow) -> Result<Event, ExportRowError> {
    let event_name = row.event_name.filter(|n| !n.is_empty()).ok_or(ExportRowError::NoEventName)?;
    let kind = match row.log.as_deref() {
        None | Some("cloudtrail") => LogKind::CloudTrail,
        Some("s3-access-log") => LogKind::S3AccessLog,
        Some(other) => return Err(ExportRowError::UnknownLog(other.to_owned())),
    };
    let outcome = outcome(row.outcome, row.error_code, row.error_message)?;
    let http_status = match row.http_status {
        None => None,
        Some(status) => Some(u16::try_from(status).map_err(|_| ExportRowError::BadStatus(status))?),
    };
    let resources = resources(row.resources, row.resource_accounts, row.resource_types, row.resource_prefixes)?;
    let request = RequestFacts {
        bucket: row.bucket,
        key: row.key,
        version_id: row.version_id,
        list_type: row.list_type,
        prefix: row.prefix,
        copy_source: row.copy_source,
        table_name: row.table_name,
        index_name: row.index_name,
        host: row.host,
    };
    let principal = Principal {
        arn: row.principal,
        kind: row.principal_type.as_deref().map_or(PrincipalType::Unknown, principal_type),
        account: row.principal_account.map(AccountId::from),
        identity_arn: row.identity_arn,
        session_name: row.session_name,
        principal_id: row.principal_id,
        user_name: row.user_name,
        access_key_id: row.access_key_id,
        invoked_by: row.invoked_by,
        ec2_role_delivery: row.ec2_role_delivery.unwrap_or(false),
    };
    let tls = match (row.tls_version, row.tls_cipher) {
        (None, None) => None,
        (version, cipher) => Some(Tls { version, cipher }),
    };
    let event_source = row.event_source.unwrap_or_default();
    let accesses = match (row.access_actions, row.access_resources) {
        (Some(actions), Some(on)) => {
            aligned("access_resources", on.len(), actions.len())?;
            actions.into_iter().zip(on).map(|(action, on)| Access { action, resource: non_empty(on) }).collect()
        }
        // An export from before the access columns: no actions exported means none (an S3-internal or unknown
        // access-log operation); otherwise derived again, as the decoders derive them.
        _ if row.actions.is_empty() => Vec::new(),
        _ => {
            let account = resources
                .iter()
                .find_map(|r| r.account.as_ref().map(AccountId::as_str))
                .or(row.recipient_account.as_deref());
            actions::accesses(&ApiCall {
                event_source: &event_source,
                event_name: &event_name,
                region: row.region.as_deref(),
                account,
                facts: &request,
                resources: &resources,
                items: &[],
            })
        }
    };
    Ok(Event {
        time: row.time_ms.map(Timestamp::from_millis),
        kind,
        event_source,
        event_name,
        accesses,
        region: row.region,
        principal,
        source_ip: row.source_ip,
        user_agent: row.user_agent,
        vpce: row.endpoint_id.or(row.vpce).map(VpceId::from),
        vpce_account: row.vpce_account.map(AccountId::from),
        aws_internal_endpoint: row.aws_internal_endpoint.unwrap_or(false),
        resources,
        outcome,
        category: row.category.as_deref().map_or(EventCategory::Unknown, EventCategory::parse),
        event_type: row.event_type,
        event_id: row.event_id,
        recipient_account: row.recipient_account.map(AccountId::from),
        tls,
        read_only: row.read_only,
        request,
        http_status,
    })
}

fn outcome(outcome: Option<String>, code: Option<String>, message: Option<String>) -> Result<Outcome, ExportRowError> {
    match outcome.as_deref() {
        // No outcome column: classified from the code, as the decoders do.
        None => Ok(Outcome::from_error(code.as_deref(), message.as_deref())),
        Some("success") => Ok(Outcome::Success),
        Some("denied") => Ok(Outcome::Denied { code: code.ok_or(ExportRowError::NoErrorCode("denied"))?, message }),
        Some("error") => Ok(Outcome::Error { code: code.ok_or(ExportRowError::NoErrorCode("error"))?, message }),
        Some(other) => Err(ExportRowError::UnknownOutcome(other.to_owned())),
    }
}

fn resources(
    arns: Vec<String>,
    accounts: Vec<String>,
    types: Option<Vec<String>>,
    prefixes: Option<Vec<bool>>,
) -> Result<Vec<Resource>, ExportRowError> {
    let n = arns.len();
    aligned("resource_accounts", accounts.len(), n)?;
    if let Some(types) = &types {
        aligned("resource_types", types.len(), n)?;
    }
    if let Some(prefixes) = &prefixes {
        aligned("resource_prefixes", prefixes.len(), n)?;
    }
    let mut types = types.map(Vec::into_iter);
    let mut prefixes = prefixes.map(Vec::into_iter);
    Ok(arns
        .into_iter()
        .zip(accounts)
        .map(|(arn, account)| Resource {
            arn,
            kind: types.as_mut().and_then(Iterator::next).and_then(non_empty),
            account: non_empty(account).map(AccountId::from),
            is_prefix: prefixes.as_mut().and_then(Iterator::next).unwrap_or(false),
        })
        .collect())
}

fn aligned(name: &'static str, len: usize, expected: usize) -> Result<(), ExportRowError> {
    if len == expected { Ok(()) } else { Err(ExportRowError::Misaligned { name, len, expected }) }
}

/// The export writes `''` for "unknown" inside lists (a list of strings has no null entries in SQL engines).
fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// The export's `principal_type` (`PrincipalType::as_str`) back to the type.
fn principal_type(text: &str) -> PrincipalType {
    match text {
        "Anonymous" => PrincipalType::Anonymous,
        other => PrincipalType::from_cloudtrail(other),
    }
}

#[cfg(test)]
#[path = "export_row_tests.rs"]
mod tests;
