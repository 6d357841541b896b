//! The columns of a [`Finding`], declared once: they drive `outside`'s CSV, Parquet and table
//! ([`crate::report::rows`]; the table is numbered, and the numbers key the reasons printed under it).

use super::Finding;
use crate::analyze::integrity::Integrity;
use crate::model::{AccountId, VpceId};
use crate::report::rows::{Column, Get, Row, Shown, time_cell};

impl Row for Finding {
    const COLUMNS: &'static [Column<Self>] = &[
        Column { name: "kind", get: Get::Str(|f| Some(f.kind.as_str())) },
        Column { name: "severity", get: Get::Str(|f| Some(f.severity.as_str())) },
        Column { name: "outcome", get: Get::Str(|f| Some(f.outcome)) },
        Column { name: "principal", get: Get::Str(|f| Some(&f.principal)) },
        Column { name: "vpce", get: Get::Str(|f| f.vpce.as_ref().map(VpceId::as_str)) },
        Column { name: "resource", get: Get::Str(|f| f.resource.as_deref()) },
        Column { name: "resource_account", get: Get::Str(|f| f.resource_account.as_ref().map(AccountId::as_str)) },
        Column { name: "actions", get: Get::List(|f| &f.actions) },
        Column { name: "source_ips", get: Get::List(|f| &f.source_ips) },
        Column { name: "count", get: Get::U64(|f| f.count) },
        Column { name: "first_seen", get: Get::Time(|f| f.first_seen) },
        Column { name: "last_seen", get: Get::Time(|f| f.last_seen) },
        Column { name: "evidence", get: Get::Str(|f| Some(f.evidence)) },
        Column { name: "reason", get: Get::Str(|f| Some(&f.reason)) },
        Column { name: "vpce_operator", get: Get::Str(|f| f.vpce_operator.as_deref()) },
        Column { name: "operator_vpce", get: Get::Str(|f| f.operator_vpce.as_ref().map(VpceId::as_str)) },
    ];

    const TABLE: &'static [Shown<Self>] = &[
        Shown { header: "SEVERITY", cell: |f| f.severity.as_str().to_owned() },
        Shown { header: "KIND", cell: |f| f.kind.as_str().to_owned() },
        Shown { header: "OUTCOME", cell: |f| f.outcome.to_owned() },
        Shown { header: "COUNT", cell: |f| f.count.to_string() },
        Shown { header: "PRINCIPAL", cell: |f| f.principal.clone() },
        Shown {
            header: "ENDPOINT",
            cell: |f| {
                f.vpce
                    .as_ref()
                    .map(VpceId::to_string)
                    .or_else(|| f.vpce_operator.clone())
                    .unwrap_or_else(|| "-".to_owned())
            },
        },
        Shown { header: "RESOURCE", cell: |f| f.resource.clone().unwrap_or_else(|| "-".to_owned()) },
        Shown { header: "ACTIONS", cell: |f| f.actions.join(",") },
        Shown { header: "SOURCE IPS", cell: |f| f.source_ips.join(",") },
        Shown { header: "EVIDENCE", cell: |f| f.evidence.to_owned() },
        Shown { header: "LAST SEEN", cell: |f| time_cell(f.last_seen) },
    ];

    /// With `--verify`: the weakest integrity among the source files (see [`Integrity`]).
    const INTEGRITY_COLUMNS: &'static [Column<Self>] =
        &[Column { name: "integrity", get: Get::Str(|f| f.integrity.map(Integrity::as_str)) }];

    const INTEGRITY_TABLE: &'static [Shown<Self>] =
        &[Shown { header: "INTEGRITY", cell: |f| f.integrity.map(Integrity::as_str).unwrap_or_default().to_owned() }];
}
