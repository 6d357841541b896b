//! `timeline`'s writers: the streamed JSON document (rows as they come out of the merge, the summary last) and
//! the human report (the rows, the summary, the pivot and the integrity line).

use std::io::Write;

use serde::Serialize;

use crate::analyze::integrity::IntegritySummary;
use crate::analyze::timeline::{PivotSets, Summary, SummaryBuilder, TimelineRow};
use crate::ingest::InputStats;
use crate::report::rows::{self, View};
use crate::report::{self, Human, Window, write_input_summary};

/// One JSON object per row, streamed.
pub fn write_ndjson(
    out: &mut dyn Write,
    rows: impl Iterator<Item = std::io::Result<TimelineRow>>,
) -> std::io::Result<()> {
    for row in rows {
        serde_json::to_writer(&mut *out, &row?).map_err(std::io::Error::other)?;
        writeln!(out)?;
    }
    Ok(())
}

/// One JSON object, streamed: the rows are written as they come out of the merge, the summary (folded on the
/// way) last, so memory stays flat however long the timeline is.
pub fn write_json(
    out: &mut dyn Write,
    rows: impl Iterator<Item = std::io::Result<TimelineRow>>,
    stats: &InputStats,
    window: Window,
    pivot: Option<&PivotSets>,
    integrity: Option<&IntegritySummary>,
) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Head<'a> {
        command: &'a str,
        version: &'a str,
        window: Window,
        input: &'a InputStats,
        pivot: Option<&'a PivotSets>,
        #[serde(skip_serializing_if = "Option::is_none")]
        integrity: Option<&'a IntegritySummary>,
    }
    let head = Head { command: "timeline", version: report::VERSION, window, input: stats, pivot, integrity };
    let head = serde_json::to_string(&head).map_err(std::io::Error::other)?;
    // The head object without its closing brace; the events and the summary follow.
    out.write_all(head.strip_suffix('}').unwrap_or(&head).as_bytes())?;
    out.write_all(b",\"events\":[")?;
    let mut summary = SummaryBuilder::default();
    for (i, row) in rows.enumerate() {
        let row = row?;
        summary.add(&row);
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"\n")?;
        serde_json::to_writer(&mut *out, &row).map_err(std::io::Error::other)?;
    }
    out.write_all(b"],\n\"summary\":")?;
    serde_json::to_writer_pretty(&mut *out, &summary.finish()).map_err(std::io::Error::other)?;
    out.write_all(b"}\n")
}

pub fn write_human(
    out: &mut Human<impl Write>,
    rows: impl Iterator<Item = std::io::Result<TimelineRow>>,
    stats: &InputStats,
    pivot: Option<&PivotSets>,
    integrity: Option<&IntegritySummary>,
) -> std::io::Result<()> {
    let view = View { integrity: integrity.is_some() };
    let mut table = rows::spooled_table::<TimelineRow>(view)?;
    let mut summary = SummaryBuilder::default();
    for row in rows {
        let row = row?;
        summary.add(&row);
        table.row(rows::cells(&row, view))?;
    }
    if table.is_empty() {
        writeln!(out, "no matching requests in the input")?;
    } else {
        out.spooled_table(table)?;
    }
    let summary = summary.finish();
    write_summary(out, &summary, pivot)?;
    if let Some(files) = integrity {
        let with_rows = IntegritySummary { rows: Some(summary.integrity.unwrap_or_default()), ..files.clone() };
        super::integrity::write_line(out, &with_rows, "rows")?;
    }
    write_input_summary(out, stats)
}

fn write_summary(out: &mut Human<impl Write>, s: &Summary, pivot: Option<&PivotSets>) -> std::io::Result<()> {
    let time = |t: Option<crate::model::Timestamp>| t.map(|t| t.to_rfc3339()).unwrap_or_else(|| "-".into());
    let list = |items: &std::collections::BTreeSet<String>| {
        if items.is_empty() { "-".to_owned() } else { items.iter().cloned().collect::<Vec<_>>().join(", ") }
    };
    writeln!(out)?;
    writeln!(out, "{} requests, {} .. {}", s.requests, time(s.first_seen), time(s.last_seen))?;
    let endpoints: Vec<String> = s.endpoints.iter().map(|(v, n)| format!("{v} ({n})")).collect();
    writeln!(
        out,
        "endpoints: {}; outside any endpoint: {}",
        if endpoints.is_empty() { "-".into() } else { endpoints.join(", ") },
        s.requests_outside_endpoints
    )?;
    writeln!(out, "public IPs: {}", list(&s.public_ips))?;
    writeln!(out, "access keys: {}", list(&s.access_keys))?;
    writeln!(out, "resources touched: {}", s.resources_touched)?;
    let denials: Vec<String> = s.denials_by_cause.iter().map(|(c, n)| format!("{c} {n}")).collect();
    writeln!(out, "denials by cause: {}", if denials.is_empty() { "-".into() } else { denials.join(", ") })?;
    if let Some(first) = &s.first_outside_usual_endpoint {
        writeln!(
            out,
            "first request outside its endpoints: {} from {} ({} {}, {})",
            time(first.time),
            first.source_ip.as_deref().unwrap_or("-"),
            first.action,
            first.outcome,
            first.event_id.as_deref().unwrap_or("-")
        )?;
    }
    if let Some(p) = pivot {
        writeln!(
            out,
            "pivot: principals {}; access keys {}; public IPs {}",
            list(&p.principals),
            list(&p.access_keys),
            list(&p.public_ips)
        )?;
    }
    Ok(())
}
