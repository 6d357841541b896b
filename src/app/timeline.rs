//! `trail-vpce timeline`: select, sort (bounded memory), summarise and stream the rows out.

use std::io::Write;
use std::sync::Arc;

use serde::Serialize;

use super::{AppError, Outcome, check_input};
use crate::analyze::timeline::{Matcher, PivotSets, Summary, SummaryBuilder, Timeline, TimelineRow};
use crate::cli::{TimelineFormat, TimelineTask};
use crate::ingest::{self, InputStats};
use crate::report::tabular::{ColumnData, Frame, write_csv_part};
use crate::report::{self, Human, SpooledTable, Window, write_input_summary};

pub fn run(mut task: TimelineTask) -> Result<Outcome, AppError> {
    let settings = super::prepare(&mut task.shared)?;
    let (ingest, output) = (&task.shared.ingest, &task.shared.output);
    let spill = task.spill;
    let (matcher, pivot) = if task.pivot {
        // Pass 1: what the seed used. Pass 2 (below): everything that shares any of it.
        let seed = Arc::new(task.seed);
        let (first, _) = ingest::run(ingest, || Timeline::pivot_only(seed.clone()))?;
        let sets = first.pivot_sets().clone();
        let matcher = Matcher {
            principals: sets.principals.clone(),
            access_keys: sets.access_keys.clone(),
            ips: sets.public_ips.clone(),
            resources: seed.resources.clone(),
            session: None,
            any_of: true,
        };
        (Arc::new(matcher), Some(sets))
    } else {
        (Arc::new(task.seed), None)
    };
    let (timeline, stats) = ingest::run(ingest, || Timeline::new(matcher.clone(), spill))?;
    check_input(&stats, output)?;
    let ownership = settings.ownership(&stats.endpoints);
    let rows = timeline.into_sorted()?.map(|row| {
        row.map(|mut row| {
            row.apply_ownership(&ownership);
            row
        })
    });
    let mut out = report::open_output(output.output.as_deref())?;
    let window = output.window;
    match task.format {
        TimelineFormat::Json => write_json(&mut out, rows, &stats, window, pivot.as_ref())?,
        TimelineFormat::Ndjson => {
            for row in rows {
                serde_json::to_writer(&mut out, &row?).map_err(std::io::Error::other)?;
                writeln!(out)?;
            }
        }
        TimelineFormat::Csv => write_csv(&mut out, rows)?,
        TimelineFormat::Table => write_table(&mut Human::new(&mut out), rows, &stats, pivot.as_ref())?,
    }
    out.finish()?;
    Ok(Outcome::Clean)
}

/// One JSON object, streamed: the rows are written as they come out of the merge, the summary (folded on the
/// way) last, so memory stays flat however long the timeline is.
fn write_json(
    out: &mut dyn Write,
    rows: impl Iterator<Item = std::io::Result<TimelineRow>>,
    stats: &InputStats,
    window: Window,
    pivot: Option<&PivotSets>,
) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Head<'a> {
        command: &'a str,
        version: &'a str,
        window: Window,
        input: &'a InputStats,
        pivot: Option<&'a PivotSets>,
    }
    let head =
        serde_json::to_string(&Head { command: "timeline", version: report::VERSION, window, input: stats, pivot })
            .map_err(std::io::Error::other)?;
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

fn write_table(
    out: &mut Human<impl Write>,
    rows: impl Iterator<Item = std::io::Result<TimelineRow>>,
    stats: &InputStats,
    pivot: Option<&PivotSets>,
) -> std::io::Result<()> {
    let mut table = SpooledTable::new(&[
        "TIME",
        "PRINCIPAL",
        "SESSION",
        "KEY",
        "SOURCE IP",
        "ENDPOINT",
        "ACTION",
        "RESOURCE",
        "OUTCOME",
        "CAUSE",
        "LOG",
    ])?;
    let mut summary = SummaryBuilder::default();
    for row in rows {
        let row = row?;
        summary.add(&row);
        let endpoint = match (&row.vpce, &row.vpce_operator, row.aws_internal_endpoint) {
            (Some(vpce), _, _) => vpce.clone(),
            (None, Some(operator), _) => operator.clone(),
            (None, None, true) => "AWS Internal".to_owned(),
            (None, None, false) => "outside".to_owned(),
        };
        table.row(vec![
            row.time.map(|t| t.to_rfc3339()).unwrap_or_default(),
            row.principal,
            row.session.unwrap_or_default(),
            row.access_key.unwrap_or_default(),
            row.source_ip.unwrap_or_default(),
            endpoint,
            row.action,
            row.resource.unwrap_or_default(),
            row.outcome,
            row.cause.unwrap_or_default(),
            row.evidence,
        ])?;
    }
    if table.is_empty() {
        writeln!(out, "no matching requests in the input")?;
    } else {
        out.spooled_table(table)?;
    }
    write_summary(out, &summary.finish(), pivot)?;
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

/// Rows per CSV chunk: the rows are written in chunks as they come out of the merge, one header on top.
const CSV_CHUNK_ROWS: usize = 4096;

fn write_csv(
    out: &mut dyn Write,
    mut rows: impl Iterator<Item = std::io::Result<TimelineRow>>,
) -> Result<(), AppError> {
    let mut first = true;
    loop {
        let chunk: Vec<TimelineRow> = rows.by_ref().take(CSV_CHUNK_ROWS).collect::<std::io::Result<_>>()?;
        if chunk.is_empty() && !first {
            return Ok(());
        }
        let last = chunk.len() < CSV_CHUNK_ROWS;
        write_csv_part(frame(&chunk), first, out)?;
        if last {
            return Ok(());
        }
        first = false;
    }
}

fn frame(rows: &[TimelineRow]) -> Frame {
    let strings = |f: fn(&TimelineRow) -> Option<String>| ColumnData::Str(rows.iter().map(f).collect());
    Frame::new()
        .column("time", ColumnData::Time(rows.iter().map(|r| r.time).collect()))
        .column("principal", strings(|r| Some(r.principal.clone())))
        .column("session", strings(|r| r.session.clone()))
        .column("access_key", strings(|r| r.access_key.clone()))
        .column("source_ip", strings(|r| r.source_ip.clone()))
        .column("vpce", strings(|r| r.vpce.clone()))
        .column("action", strings(|r| Some(r.action.clone())))
        .column("resource", strings(|r| r.resource.clone()))
        .column("outcome", strings(|r| Some(r.outcome.clone())))
        .column("cause", strings(|r| r.cause.clone()))
        .column("evidence", strings(|r| Some(r.evidence.clone())))
        .column("event_id", strings(|r| r.event_id.clone()))
        .column("vpce_operator", strings(|r| r.vpce_operator.clone()))
}
