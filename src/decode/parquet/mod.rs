//! Parquet sources, sniffed by content (`PAR1`): trail-vpce's own export (`trail-vpce export`, read back so
//! every command runs on an export as on the raw logs) and OCSF API Activity as Amazon Security Lake writes
//! CloudTrail. Which one a file is comes from its columns ([`schema_of`]).
//!
//! Rows become records on the one record path: an export row is rebuilt into the [`crate::model::Event`] it
//! was written from ([`export_row`]); an OCSF row is turned back into the CloudTrail record it stands for
//! ([`ocsf`]) and decoded by the CloudTrail decoder. The books stay exact: every row is a record, a rejected
//! row with its reason, or part of a bad file (a damaged file, an unknown schema, a row group over the caps).
//!
//! Reading needs the file's footer, so the reader wants a seekable file: local files are read in place;
//! stdin, archive entries and S3 objects are spooled to a temporary file first, up to
//! `--max-decompressed-bytes` (`unit.rs`). Memory is one row group's projected columns (`reader`). The reading
//! itself needs the `tabular` feature (polars' Parquet crates); without it a Parquet source is a bad file that
//! says so. The row mappings are plain functions, built either way (tests, fuzzing).

pub mod export_row;
pub mod ocsf;

#[cfg(feature = "tabular")]
mod cells;
#[cfg(feature = "tabular")]
mod reader;

use std::io::{Read, Seek};

use super::unit::{DecodeOptions, Sink, UnitOutcome};

/// The Parquet schemas trail-vpce reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParquetSchema {
    /// `trail-vpce export`'s rows.
    Export,
    /// OCSF (Amazon Security Lake).
    Ocsf,
}

/// The export columns the reader uses (the schema table in `sql/README.md`); a file needs `log`,
/// `event_source` and `event_name` to be taken for an export.
pub const EXPORT_COLUMNS: &[&str] = &[
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
    "endpoint_id",
    "vpce_account",
    "aws_internal_endpoint",
    "outcome",
    "error_code",
    "error_message",
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

/// The OCSF top-level columns the mapping reads (everything else, `observables` and Security Lake's partition
/// columns included, is never decoded).
pub const OCSF_COLUMNS: &[&str] = &[
    "class_uid",
    "time",
    "time_dt",
    "metadata",
    "cloud",
    "api",
    "actor",
    "src_endpoint",
    "http_request",
    "resources",
    "unmapped",
];

/// Which schema a file's top-level column names are: OCSF has `class_uid`, an export `log`, `event_source` and
/// `event_name`.
pub fn schema_of<'a>(columns: impl IntoIterator<Item = &'a str>) -> Option<ParquetSchema> {
    let (mut class_uid, mut export) = (false, 0);
    for column in columns {
        match column {
            "class_uid" => class_uid = true,
            "log" | "event_source" | "event_name" => export += 1,
            _ => {}
        }
    }
    if class_uid {
        Some(ParquetSchema::Ocsf)
    } else if export == 3 {
        Some(ParquetSchema::Export)
    } else {
        None
    }
}

/// Why a Parquet source is not read in a build without the `tabular` feature.
pub const NOT_BUILT: &str = "Parquet input needs the `tabular` feature (polars); this build has none";

/// Reads a Parquet unit from a seekable file, reporting every row to `sink`; `outcome` gets the kind, counts
/// and failure (the caller reports it).
#[cfg(feature = "tabular")]
pub(crate) fn read_unit<R: Read + Seek>(
    file: &mut R,
    options: &DecodeOptions,
    sink: &mut dyn Sink,
    outcome: &mut UnitOutcome,
) {
    use crate::decode::cloudtrail::{Decoded, RecordParser};
    use crate::model::{EventCategory, LogKind, Record};

    let parquet = match reader::open(file) {
        Ok(parquet) => parquet,
        Err(reason) => {
            outcome.failure = Some(reason);
            return;
        }
    };
    outcome.kind = reader::kind(parquet.schema);
    let unit = outcome.name.clone();
    let mut parser = RecordParser::default();
    let mut ordinal = 0u64;
    for index in 0..parquet.row_groups() {
        let (group, bytes) = match parquet.row_group(file, index, options) {
            Ok(read) => read,
            Err(reason) => {
                outcome.failure = Some(reason);
                return;
            }
        };
        outcome.bytes += bytes;
        for row in 0..group.rows {
            ordinal += 1;
            let reject = |sink: &mut dyn Sink, outcome: &mut UnitOutcome, reason: &str| {
                outcome.bad_records += 1;
                sink.bad_record(&unit, ordinal, &format!("row {ordinal} (row group {index})"), reason);
            };
            match parquet.schema {
                ParquetSchema::Export => match export_row::to_event(group.export_row(row)) {
                    Ok(mut event) => {
                        outcome.records += 1;
                        // Access log lines are attributed to endpoints by the configured networks, as when read raw.
                        if event.kind == LogKind::S3AccessLog && event.vpce.is_none() {
                            event.vpce = super::s3_access_log::infer_endpoint(&options.endpoint_networks, &event);
                        }
                        sink.record(&Record::built(&event).from_unit(&unit));
                    }
                    Err(e) => reject(sink, outcome, &e.to_string()),
                },
                ParquetSchema::Ocsf => {
                    let mut json = match ocsf::to_cloudtrail(group.ocsf_row(row)) {
                        Ok(json) => json,
                        Err(e) => {
                            reject(sink, outcome, &e.to_string());
                            continue;
                        }
                    };
                    if let Err(limit) = options.check_whole_record(&json) {
                        reject(sink, outcome, &limit.to_string());
                        continue;
                    }
                    let len = json.len();
                    let mut insight = false;
                    let decoded = parser.decode_in(&unit, &mut json, len, &mut |record| {
                        insight = record.head().category == EventCategory::Insight;
                        if !insight {
                            sink.record(record);
                        }
                    });
                    match decoded {
                        Ok(Decoded::Record) => {
                            outcome.records += 1;
                            outcome.insight_records += u64::from(insight);
                        }
                        Ok(_) => reject(sink, outcome, "an OCSF row that is not a CloudTrail record"),
                        Err(e) => reject(sink, outcome, &e.to_string()),
                    }
                }
            }
        }
    }
}

/// Without the `tabular` feature: the file is a bad file that says why.
#[cfg(not(feature = "tabular"))]
pub(crate) fn read_unit<R: Read + Seek>(
    _file: &mut R,
    _options: &DecodeOptions,
    _sink: &mut dyn Sink,
    outcome: &mut UnitOutcome,
) {
    outcome.failure = Some(NOT_BUILT.to_owned());
}

#[cfg(test)]
mod tests {
    /// The reader's list (what reading an export back uses) is a subset of what export writes: one schema.
    #[test]
    fn every_column_read_back_is_one_export_writes() {
        use crate::report::rows::Row;
        let written: std::collections::BTreeSet<&str> =
            crate::analyze::export::ExportRow::COLUMNS.iter().map(|c| c.name).collect();
        let unread: Vec<&&str> = super::EXPORT_COLUMNS.iter().filter(|c| !written.contains(**c)).collect();
        assert!(unread.is_empty(), "read but never written: {unread:?}");
    }
}
