//! `trail-vpce timeline`: select, sort (bounded memory), summarise and stream the rows out.

use std::io::Write;
use std::sync::Arc;

use serde::Serialize;

use super::{AppError, RunOutcome, check_input, integrity};
use crate::analyze::integrity::{Integrity, IntegritySummary};
use crate::analyze::timeline::{Matcher, PivotSets, Summary, SummaryBuilder, Timeline, TimelineRow};
use crate::cli::{TimelineFormat, TimelineTask};
use crate::ingest::{self, InputStats};
use crate::report::rows::{self, View};
use crate::report::{self, Human, Window, write_input_summary};

pub fn run(mut task: TimelineTask) -> Result<RunOutcome, AppError> {
    let settings = super::prepare(&mut task.shared)?;
    let spill = task.spill;
    let (matcher, pivot) = if task.pivot {
        // Pass 1: what the seed used. Pass 2 (below): everything that shares any of it.
        let seed = Arc::new(task.seed);
        let (first, _) = ingest::run(&task.shared.ingest, || Timeline::pivot_only(seed.clone()))?;
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
    // `--verify` hashes in the second pass only: the one whose rows are reported.
    let check = task.integrity.as_ref();
    integrity::enable(check, &mut task.shared.ingest);
    let (ingest, output) = (&task.shared.ingest, &task.shared.output);
    let (timeline, stats) =
        ingest::run(ingest, || Timeline::new(matcher.clone(), spill).tracking_files(check.is_some()))?;
    check_input(&stats, output)?;
    let judged = integrity::judge(check, &stats, ingest)?;
    let ownership = settings.ownership(&stats.endpoints);
    let book = judged.as_ref().map(|(book, _)| book);
    let rows = timeline.into_sorted()?.map(|row| {
        row.map(|mut row| {
            row.apply_ownership(&ownership);
            if let Some(book) = book {
                row.integrity = Some(row.source_file.as_deref().map_or(Integrity::Unverified, |f| book.of(f)));
            }
            row
        })
    });
    let files = judged.as_ref().map(|(_, summary)| summary);
    let view = integrity::view(check);
    let mut out = report::open_output(output.output.as_deref())?;
    let window = output.window;
    match task.format {
        TimelineFormat::Json => write_json(&mut out, rows, &stats, window, pivot.as_ref(), files)?,
        TimelineFormat::Ndjson => {
            for row in rows {
                serde_json::to_writer(&mut out, &row?).map_err(std::io::Error::other)?;
                writeln!(out)?;
            }
        }
        TimelineFormat::Csv => rows::write_csv_stream(rows, view, &mut out)?,
        TimelineFormat::Table => write_human(&mut Human::new(&mut out), rows, &stats, pivot.as_ref(), files)?,
    }
    out.finish()?;
    Ok(RunOutcome::Clean)
}

/// One JSON object, streamed: the rows are written as they come out of the merge, the summary (folded on the
/// way) last, so memory stays flat however long the timeline is.
fn write_json(
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

fn write_human(
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
        integrity::write_line(out, &with_rows, "rows")?;
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
