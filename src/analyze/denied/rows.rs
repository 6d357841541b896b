//! The columns of a [`DenialRow`], declared once: they drive `denied`'s CSV, Parquet and table
//! ([`crate::report::rows`]).

use super::DenialRow;
use crate::analyze::integrity::Integrity;
use crate::model::VpceId;
use crate::report::rows::{Column, Get, Row, Shown, time_cell};

impl Row for DenialRow {
    const COLUMNS: &'static [Column<Self>] = &[
        Column { name: "cause", get: Get::Str(|r| Some(r.cause.as_str())) },
        Column { name: "deny", get: Get::Str(|r| Some(r.deny.as_str())) },
        Column { name: "evidence", get: Get::Str(|r| Some(r.evidence.as_str())) },
        Column { name: "vpce", get: Get::Str(|r| r.vpce.as_ref().map(VpceId::as_str)) },
        Column { name: "principal", get: Get::Str(|r| r.principal.as_deref()) },
        Column { name: "action", get: Get::Str(|r| r.action.as_deref()) },
        Column { name: "resource", get: Get::Str(|r| r.resource.as_deref()) },
        Column { name: "count", get: Get::U64(|r| r.count) },
        Column { name: "first_seen", get: Get::Time(|r| r.first_seen) },
        Column { name: "last_seen", get: Get::Time(|r| r.last_seen) },
        Column { name: "source_ips", get: Get::List(|r| &r.source_ips) },
        Column { name: "statement", get: Get::Str(|r| r.statement.as_deref()) },
        Column { name: "sample_event_id", get: Get::Str(|r| r.sample_event_id.as_deref()) },
        Column { name: "possibly_vpce", get: Get::Bool(|r| r.possibly_vpce) },
        Column { name: "service_principal", get: Get::Bool(|r| r.service_principal) },
        Column { name: "vpce_operator", get: Get::Str(|r| r.vpce_operator.as_deref()) },
    ];

    const TABLE: &'static [Shown<Self>] = &[
        Shown { header: "COUNT", cell: |r| r.count.to_string() },
        Shown {
            header: "CAUSE",
            cell: |r| if r.possibly_vpce { "unknown (possibly vpce)".to_owned() } else { r.cause.as_str().to_owned() },
        },
        Shown { header: "DENY", cell: |r| r.deny.as_str().to_owned() },
        Shown {
            header: "EVIDENCE",
            cell: |r| match &r.statement {
                Some(statement) => format!("{} [{statement}]", r.evidence.as_str()),
                None => r.evidence.as_str().to_owned(),
            },
        },
        Shown {
            header: "ENDPOINT",
            cell: |r| {
                r.vpce
                    .as_ref()
                    .map(VpceId::to_string)
                    .or_else(|| r.vpce_operator.clone())
                    .unwrap_or_else(|| "-".to_owned())
            },
        },
        Shown { header: "PRINCIPAL", cell: |r| r.principal.clone().unwrap_or_else(|| "*".to_owned()) },
        Shown { header: "ACTION", cell: |r| r.action.clone().unwrap_or_else(|| "-".to_owned()) },
        Shown { header: "RESOURCE", cell: |r| r.resource.clone().unwrap_or_else(|| "-".to_owned()) },
        Shown { header: "FIRST SEEN", cell: |r| time_cell(r.first_seen) },
        Shown { header: "LAST SEEN", cell: |r| time_cell(r.last_seen) },
    ];

    /// With `--verify`: the weakest integrity among the source files (see [`Integrity`]).
    const INTEGRITY_COLUMNS: &'static [Column<Self>] =
        &[Column { name: "integrity", get: Get::Str(|r| r.integrity.map(Integrity::as_str)) }];

    const INTEGRITY_TABLE: &'static [Shown<Self>] =
        &[Shown { header: "INTEGRITY", cell: |r| r.integrity.map(Integrity::as_str).unwrap_or_default().to_owned() }];
}
