//! The columns of a [`TimelineRow`], declared once: they drive `timeline`'s CSV (streamed in chunks) and its
//! table (spooled to a temporary file) ([`crate::report::rows`]).

use super::TimelineRow;
use crate::analyze::integrity::Integrity;
use crate::model::VpceId;
use crate::report::rows::{Column, Get, Row, Shown, time_cell};

impl Row for TimelineRow {
    const COLUMNS: &'static [Column<Self>] = &[
        Column { name: "time", get: Get::Time(|r| r.time) },
        Column { name: "principal", get: Get::Str(|r| Some(&r.principal)) },
        Column { name: "session", get: Get::Str(|r| r.session.as_deref()) },
        Column { name: "access_key", get: Get::Str(|r| r.access_key.as_deref()) },
        Column { name: "source_ip", get: Get::Str(|r| r.source_ip.as_deref()) },
        Column { name: "vpce", get: Get::Str(|r| r.vpce.as_ref().map(VpceId::as_str)) },
        Column { name: "action", get: Get::Str(|r| Some(&r.action)) },
        Column { name: "resource", get: Get::Str(|r| r.resource.as_deref()) },
        Column { name: "outcome", get: Get::Str(|r| Some(&r.outcome)) },
        Column { name: "cause", get: Get::Str(|r| r.cause.as_deref()) },
        Column { name: "evidence", get: Get::Str(|r| Some(&r.evidence)) },
        Column { name: "event_id", get: Get::Str(|r| r.event_id.as_deref()) },
        Column { name: "vpce_operator", get: Get::Str(|r| r.vpce_operator.as_deref()) },
    ];

    const TABLE: &'static [Shown<Self>] = &[
        Shown { header: "TIME", cell: |r| time_cell(r.time) },
        Shown { header: "PRINCIPAL", cell: |r| r.principal.clone() },
        Shown { header: "SESSION", cell: |r| r.session.clone().unwrap_or_default() },
        Shown { header: "KEY", cell: |r| r.access_key.clone().unwrap_or_default() },
        Shown { header: "SOURCE IP", cell: |r| r.source_ip.clone().unwrap_or_default() },
        Shown {
            header: "ENDPOINT",
            cell: |r| match (&r.vpce, &r.vpce_operator, r.aws_internal_endpoint) {
                (Some(vpce), _, _) => vpce.to_string(),
                (None, Some(operator), _) => operator.clone(),
                (None, None, true) => "AWS Internal".to_owned(),
                (None, None, false) => "outside".to_owned(),
            },
        },
        Shown { header: "ACTION", cell: |r| r.action.clone() },
        Shown { header: "RESOURCE", cell: |r| r.resource.clone().unwrap_or_default() },
        Shown { header: "OUTCOME", cell: |r| r.outcome.clone() },
        Shown { header: "CAUSE", cell: |r| r.cause.clone().unwrap_or_default() },
        Shown { header: "LOG", cell: |r| r.evidence.clone() },
    ];

    /// With `--verify`: the integrity of the row's source file, and the file.
    const INTEGRITY_COLUMNS: &'static [Column<Self>] = &[
        Column { name: "integrity", get: Get::Str(|r| r.integrity.map(Integrity::as_str)) },
        Column { name: "source_file", get: Get::Str(|r| r.source_file.as_deref()) },
    ];

    const INTEGRITY_TABLE: &'static [Shown<Self>] =
        &[Shown { header: "INTEGRITY", cell: |r| r.integrity.map(Integrity::as_str).unwrap_or_default().to_owned() }];
}
