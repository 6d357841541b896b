//! The columns of `scan`'s endpoint rows, declared once ([`crate::report::rows`]): the customer's endpoints
//! ([`EndpointReport`]) and the ones that are not ([`OtherEndpointReport`]). Services and top principals are
//! shown in the table; the columns hold the flat values (the JSON has the full maps and lists).

use std::collections::BTreeMap;

use super::{EndpointReport, OtherEndpointReport};
use crate::analyze::counter::Counted;
use crate::model::AccountId;
use crate::report::rows::{Column, Get, Row, Shown, time_cell};

/// Services without `.amazonaws.com`, comma-separated.
fn services(services: &BTreeMap<String, u64>) -> String {
    services.keys().map(|s| s.trim_end_matches(".amazonaws.com")).collect::<Vec<_>>().join(",")
}

/// The first principal and its count, or empty.
fn top(principals: &[Counted]) -> String {
    principals.first().map(|p| format!("{} ({})", p.name, p.count)).unwrap_or_default()
}

impl Row for EndpointReport {
    const COLUMNS: &'static [Column<Self>] = &[
        Column { name: "vpce", get: Get::Str(|e| Some(e.vpce.as_str())) },
        Column { name: "owner", get: Get::Str(|e| Some(e.owner.as_str())) },
        Column { name: "owner_basis", get: Get::Str(|e| Some(e.owner_basis.as_str())) },
        Column { name: "accounts", get: Get::Strs(|e, push| e.accounts.iter().for_each(|a| push(a.as_str()))) },
        Column { name: "records", get: Get::U64(|e| e.records) },
        Column { name: "denied", get: Get::U64(|e| e.denied) },
        Column { name: "network_activity", get: Get::U64(|e| e.network_activity) },
        Column { name: "first_seen", get: Get::Time(|e| e.first_seen) },
        Column { name: "last_seen", get: Get::Time(|e| e.last_seen) },
    ];

    const TABLE: &'static [Shown<Self>] = &[
        Shown { header: "ENDPOINT", cell: |e| e.vpce.to_string() },
        Shown { header: "OWNER", cell: |e| e.owner.as_str().to_owned() },
        Shown { header: "ACCOUNT", cell: |e| e.accounts.iter().map(AccountId::as_str).collect::<Vec<_>>().join(",") },
        Shown { header: "RECORDS", cell: |e| e.records.to_string() },
        Shown { header: "DENIED", cell: |e| e.denied.to_string() },
        Shown { header: "FIRST SEEN", cell: |e| time_cell(e.first_seen) },
        Shown { header: "LAST SEEN", cell: |e| time_cell(e.last_seen) },
        Shown { header: "SERVICES", cell: |e| services(&e.services) },
        Shown { header: "TOP PRINCIPAL", cell: |e| top(&e.top_principals) },
    ];
}

impl Row for OtherEndpointReport {
    const COLUMNS: &'static [Column<Self>] = &[
        Column { name: "vpce", get: Get::Str(|e| Some(e.vpce.as_str())) },
        Column { name: "owner", get: Get::Str(|e| Some(e.owner.as_str())) },
        Column { name: "basis", get: Get::Str(|e| Some(e.basis.as_str())) },
        Column { name: "label", get: Get::Str(|e| Some(&e.label)) },
        Column { name: "account", get: Get::Str(|e| e.account.as_ref().map(AccountId::as_str)) },
        Column { name: "records", get: Get::U64(|e| e.records) },
        Column { name: "denied", get: Get::U64(|e| e.denied) },
        Column { name: "first_seen", get: Get::Time(|e| e.first_seen) },
        Column { name: "last_seen", get: Get::Time(|e| e.last_seen) },
    ];

    const TABLE: &'static [Shown<Self>] = &[
        Shown { header: "ENDPOINT", cell: |e| e.vpce.to_string() },
        Shown { header: "OPERATOR", cell: |e| e.label.clone() },
        Shown { header: "BASIS", cell: |e| e.basis.as_str().to_owned() },
        Shown { header: "RECORDS", cell: |e| e.records.to_string() },
        Shown { header: "DENIED", cell: |e| e.denied.to_string() },
        Shown { header: "SERVICES", cell: |e| services(&e.services) },
        Shown { header: "TOP PRINCIPAL", cell: |e| top(&e.top_principals) },
    ];
}
