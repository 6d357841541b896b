//! One exported row: an event with what export decides about it (the denial's cause, who operates its
//! endpoint), and its columns declared once ([`Row::COLUMNS`]: name, type and value). The declaration is the
//! Parquet schema and its values, and the byte estimate of a buffered row; adding a column is one line here.
//! `sql/README.md` documents the columns and `decode::parquet::export_row` reads them back: the ones after
//! `http_status` carry what only rebuilding the event exactly needs (IAM accesses with their resources,
//! request facts, principal id).

use crate::analyze::classify::{Cause, classify};
use crate::model::{AccountId, Event, Outcome, VpceId};
use crate::ownership::{RecordOwners, Sighting};
use crate::report::rows::{Column, Get, Row, Shown};

/// An event as export writes it.
#[derive(Debug, Clone)]
pub struct ExportRow {
    event: Event,
    /// The denial's classification (`None` unless denied).
    cause: Option<&'static str>,
    deny: Option<&'static str>,
    evidence: Option<&'static str>,
    /// Who operates the endpoint the record names (`None` without one).
    vpce_operator: Option<String>,
    /// The endpoint is the customer's or unknown: `vpce` is written.
    customer_side: bool,
}

impl ExportRow {
    /// The row of an event, deciding its endpoint's owner per record with `owners` (export writes as it
    /// reads: README, "Endpoint ownership").
    pub fn new(event: Event, owners: &RecordOwners) -> ExportRow {
        let verdict = classify(&event);
        let p = &event.principal;
        let owner = event.vpce.as_ref().map(|vpce| {
            let sighting = Sighting::of(
                event.user_agent.as_deref(),
                event.source_ip.as_deref(),
                p.is_aws_service(),
                p.invoked_by.is_some(),
            );
            owners.owner(vpce, event.vpce_account.as_ref(), event.recipient_account.as_ref(), sighting)
        });
        let customer_side = owner.as_ref().is_none_or(|o| o.class.is_customer_side());
        ExportRow {
            cause: verdict.as_ref().map(|v| match v.cause {
                Cause::VpcePolicy if !customer_side => Cause::OtherEndpointPolicy.as_str(),
                cause => cause.as_str(),
            }),
            deny: verdict.as_ref().map(|v| v.deny.as_str()),
            evidence: verdict.as_ref().map(|v| v.evidence.as_str()),
            vpce_operator: owner.as_ref().map(RecordOwners::column_label),
            customer_side,
            event,
        }
    }

    /// The Hive partition: the event's UTC date, or `unknown`.
    pub fn date(&self) -> String {
        self.event.time.map_or_else(|| "unknown".to_owned(), |t| t.date_string())
    }
}

fn error_code(event: &Event) -> Option<&str> {
    match &event.outcome {
        Outcome::Success => None,
        Outcome::Denied { code, .. } | Outcome::Error { code, .. } => Some(code),
    }
}

fn error_message(event: &Event) -> Option<&str> {
    match &event.outcome {
        Outcome::Success => None,
        Outcome::Denied { message, .. } | Outcome::Error { message, .. } => message.as_deref(),
    }
}

impl Row for ExportRow {
    const COLUMNS: &'static [Column<Self>] = &[
        Column { name: "time", get: Get::Time(|r| r.event.time) },
        Column { name: "log", get: Get::Str(|r| Some(r.event.kind.evidence_name())) },
        Column { name: "event_source", get: Get::Str(|r| Some(&r.event.event_source)) },
        Column { name: "event_name", get: Get::Str(|r| Some(&r.event.event_name)) },
        Column { name: "actions", get: Get::Strs(|r, push| r.event.actions().for_each(push)) },
        Column { name: "resources", get: Get::Strs(|r, push| r.event.resources.iter().for_each(|x| push(&x.arn))) },
        Column {
            name: "resource_accounts",
            get: Get::Strs(|r, push| {
                r.event.resources.iter().for_each(|x| push(x.account.as_ref().map_or("", AccountId::as_str)))
            }),
        },
        Column { name: "region", get: Get::Str(|r| r.event.region.as_deref()) },
        Column { name: "principal", get: Get::Str(|r| r.event.principal.arn.as_deref()) },
        Column { name: "principal_type", get: Get::Str(|r| Some(r.event.principal.kind.as_str())) },
        Column {
            name: "principal_account",
            get: Get::Str(|r| r.event.principal.account.as_ref().map(AccountId::as_str)),
        },
        Column { name: "identity_arn", get: Get::Str(|r| r.event.principal.identity_arn.as_deref()) },
        Column { name: "session_name", get: Get::Str(|r| r.event.principal.session_name.as_deref()) },
        Column { name: "access_key_id", get: Get::Str(|r| r.event.principal.access_key_id.as_deref()) },
        Column { name: "invoked_by", get: Get::Str(|r| r.event.principal.invoked_by.as_deref()) },
        Column { name: "ec2_role_delivery", get: Get::Bool(|r| r.event.principal.ec2_role_delivery) },
        Column { name: "source_ip", get: Get::Str(|r| r.event.source_ip.as_deref()) },
        Column { name: "user_agent", get: Get::Str(|r| r.event.user_agent.as_deref()) },
        Column {
            name: "vpce",
            get: Get::Str(|r| r.event.vpce.as_ref().map(VpceId::as_str).filter(|_| r.customer_side)),
        },
        Column { name: "vpce_operator", get: Get::Str(|r| r.vpce_operator.as_deref()) },
        Column { name: "endpoint_id", get: Get::Str(|r| r.event.vpce.as_ref().map(VpceId::as_str)) },
        Column { name: "vpce_account", get: Get::Str(|r| r.event.vpce_account.as_ref().map(AccountId::as_str)) },
        Column { name: "aws_internal_endpoint", get: Get::Bool(|r| r.event.aws_internal_endpoint) },
        Column { name: "outcome", get: Get::Str(|r| Some(r.event.outcome.name())) },
        Column { name: "error_code", get: Get::Str(|r| error_code(&r.event)) },
        Column { name: "error_message", get: Get::Str(|r| error_message(&r.event)) },
        Column { name: "cause", get: Get::Str(|r| r.cause) },
        Column { name: "deny", get: Get::Str(|r| r.deny) },
        Column { name: "evidence", get: Get::Str(|r| r.evidence) },
        Column { name: "category", get: Get::Str(|r| Some(r.event.category.as_str())) },
        Column { name: "event_type", get: Get::Str(|r| r.event.event_type.as_deref()) },
        Column { name: "event_id", get: Get::Str(|r| r.event.event_id.as_deref()) },
        Column {
            name: "recipient_account",
            get: Get::Str(|r| r.event.recipient_account.as_ref().map(AccountId::as_str)),
        },
        Column { name: "tls_version", get: Get::Str(|r| r.event.tls.as_ref().and_then(|t| t.version.as_deref())) },
        Column { name: "read_only", get: Get::OptBool(|r| r.event.read_only) },
        Column { name: "bucket", get: Get::Str(|r| r.event.request.bucket.as_deref()) },
        Column { name: "key", get: Get::Str(|r| r.event.request.key.as_deref()) },
        Column { name: "http_status", get: Get::OptU64(|r| r.event.http_status.map(u64::from)) },
        // What reading the export back needs to rebuild the event exactly (`decode::parquet::export_row`):
        // the columns above are for SQL; these make "export once, ask many times" give the same answers.
        Column { name: "principal_id", get: Get::Str(|r| r.event.principal.principal_id.as_deref()) },
        Column { name: "user_name", get: Get::Str(|r| r.event.principal.user_name.as_deref()) },
        Column {
            name: "access_actions",
            get: Get::Strs(|r, push| r.event.accesses.iter().for_each(|a| push(&a.action))),
        },
        Column {
            name: "access_resources",
            get: Get::Strs(|r, push| r.event.accesses.iter().for_each(|a| push(a.resource.as_deref().unwrap_or("")))),
        },
        Column {
            name: "resource_types",
            get: Get::Strs(|r, push| r.event.resources.iter().for_each(|x| push(x.kind.as_deref().unwrap_or("")))),
        },
        Column {
            name: "resource_prefixes",
            get: Get::Bools(|r, push| r.event.resources.iter().for_each(|x| push(x.is_prefix))),
        },
        Column { name: "tls_cipher", get: Get::Str(|r| r.event.tls.as_ref().and_then(|t| t.cipher.as_deref())) },
        Column { name: "version_id", get: Get::Str(|r| r.event.request.version_id.as_deref()) },
        Column { name: "list_type", get: Get::Str(|r| r.event.request.list_type.as_deref()) },
        Column { name: "prefix", get: Get::Str(|r| r.event.request.prefix.as_deref()) },
        Column { name: "copy_source", get: Get::Str(|r| r.event.request.copy_source.as_deref()) },
        Column { name: "table_name", get: Get::Str(|r| r.event.request.table_name.as_deref()) },
        Column { name: "index_name", get: Get::Str(|r| r.event.request.index_name.as_deref()) },
        Column { name: "host", get: Get::Str(|r| r.event.request.host.as_deref()) },
    ];
    /// No human table: export writes Parquet only.
    const TABLE: &'static [Shown<Self>] = &[];
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exported schema, in order: `sql/README.md`, `decode::parquet::export_row`, the Spark job and the
    /// DuckDB check read these names.
    #[test]
    fn columns_are_the_documented_schema() {
        let names: Vec<&str> = ExportRow::COLUMNS.iter().map(|c| c.name).collect();
        let schema = [
            "time",
            "log",
            "event_source",
            "event_name",
            "actions",
            "resources",
            "resource_accounts",
            "region",
            "principal",
            "principal_type",
            "principal_account",
            "identity_arn",
            "session_name",
            "access_key_id",
            "invoked_by",
            "ec2_role_delivery",
            "source_ip",
            "user_agent",
            "vpce",
            "vpce_operator",
            "endpoint_id",
            "vpce_account",
            "aws_internal_endpoint",
            "outcome",
            "error_code",
            "error_message",
            "cause",
            "deny",
            "evidence",
            "category",
            "event_type",
            "event_id",
            "recipient_account",
            "tls_version",
            "read_only",
            "bucket",
            "key",
            "http_status",
            "principal_id",
            "user_name",
            "access_actions",
            "access_resources",
            "resource_types",
            "resource_prefixes",
            "tls_cipher",
            "version_id",
            "list_type",
            "prefix",
            "copy_source",
            "table_name",
            "index_name",
            "host",
        ];
        assert_eq!(names, schema);
    }
}
