//! `denied`'s human report: the table of denials, then the totals by cause, the notes and the input summary.

use std::io::Write;

use crate::analyze::denied::DeniedReport;
use crate::ingest::InputStats;
use crate::report::Human;
use crate::report::rows::{self, View};

pub fn write_human(
    out: &mut Human<impl Write>,
    body: &DeniedReport,
    stats: &InputStats,
    all_causes: bool,
    view: View,
) -> std::io::Result<()> {
    let table = rows::table(&body.denials, view);
    if table.is_empty() {
        let what = if all_causes { "denied requests" } else { "endpoint-policy denials" };
        writeln!(out, "no {what} in the input")?;
    } else {
        out.table(&table)?;
    }
    let causes: Vec<String> =
        body.totals.by_cause.iter().filter(|(_, n)| **n > 0).map(|(cause, n)| format!("{cause} {n}")).collect();
    writeln!(out)?;
    writeln!(
        out,
        "{} denied requests in the input ({}); {} shown{}",
        body.totals.denied_requests,
        if causes.is_empty() { "none".to_owned() } else { causes.join(", ") },
        body.totals.shown_requests,
        if all_causes { "" } else { " (endpoint view; --all-causes shows every cause)" }
    )?;
    super::write_footer(out, &body.notes, body.integrity.as_ref().map(|s| (s, "requests")), stats)
}
