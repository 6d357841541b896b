//! The columns of a check [`Group`], declared once ([`crate::report::rows`]), with two table views: the
//! deciding statement (would break, would newly allow), or the keys the logs could not supply (would maybe
//! break).

use super::Group;
use crate::report::rows::{Column, Get, Row, Shown, time_cell};

const COUNT: Shown<Group> = Shown { header: "COUNT", cell: |g| g.count.to_string() };
const PRINCIPAL: Shown<Group> = Shown { header: "PRINCIPAL", cell: |g| g.principal.clone() };
const ACTION: Shown<Group> = Shown { header: "ACTION", cell: |g| g.action.clone() };
const RESOURCE: Shown<Group> =
    Shown { header: "RESOURCE", cell: |g| g.resource.clone().unwrap_or_else(|| "-".to_owned()) };
const FIRST_SEEN: Shown<Group> = Shown { header: "FIRST SEEN", cell: |g| time_cell(g.first_seen) };
const LAST_SEEN: Shown<Group> = Shown { header: "LAST SEEN", cell: |g| time_cell(g.last_seen) };

fn or_dash(text: String) -> String {
    if text.is_empty() { "-".to_owned() } else { text }
}

impl Row for Group {
    const COLUMNS: &'static [Column<Self>] = &[
        Column { name: "principal", get: Get::Str(|g| Some(&g.principal)) },
        Column { name: "action", get: Get::Str(|g| Some(&g.action)) },
        Column { name: "resource", get: Get::Str(|g| g.resource.as_deref()) },
        Column { name: "count", get: Get::U64(|g| g.count) },
        Column { name: "first_seen", get: Get::Time(|g| g.first_seen) },
        Column { name: "last_seen", get: Get::Time(|g| g.last_seen) },
        Column { name: "statement", get: Get::Str(|g| g.statement.as_deref()) },
        Column { name: "missing_keys", get: Get::List(|g| &g.missing_keys) },
    ];

    /// Would break, would newly allow: the deciding statement.
    const TABLE: &'static [Shown<Self>] = &[
        COUNT,
        PRINCIPAL,
        ACTION,
        RESOURCE,
        Shown { header: "STATEMENT", cell: |g| or_dash(g.statement.clone().unwrap_or_default()) },
        FIRST_SEEN,
        LAST_SEEN,
    ];
}

/// Would maybe break: the keys the logs could not supply instead of the statement.
pub const MISSING_KEYS_TABLE: &[Shown<Group>] = &[
    COUNT,
    PRINCIPAL,
    ACTION,
    RESOURCE,
    Shown { header: "MISSING KEYS", cell: |g| or_dash(g.missing_keys.join(",")) },
    FIRST_SEEN,
    LAST_SEEN,
];
