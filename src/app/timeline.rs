//! `trail-vpce timeline`: select, sort (bounded memory), summarise and stream the rows out.

use std::io::Write;
use std::sync::Arc;

use serde::Serialize;

use super::{AppError, Outcome, check_input, integrity};
use crate::analyze::integrity::{Integrity, IntegritySummary};
use crate::analyze::timeline::spill::SpillLimits;
use crate::analyze::timeline::{
    DEFAULT_SPILL_BYTES, Matcher, PivotSets, Summary, SummaryBuilder, Timeline, TimelineRow,
};
use crate::cli::{Format, TimelineArgs};
use crate::config::Overrides;
use crate::ingest::{self, InputStats};
use crate::report::tabular::{ColumnData, Frame, write_csv_part};
use crate::report::{self, Human, SpooledTable, Window, write_input_summary};

pub fn run(args: &TimelineArgs) -> Result<Outcome, AppError> {
    let (mut resolved, settings) = super::prepare(&args.common, &Overrides::default())?;
    let seed = Matcher {
        principals: args.principal.iter().cloned().collect(),
        access_keys: args.access_key.iter().cloned().collect(),
        ips: args.ip.iter().cloned().collect(),
        resources: args.resource.iter().cloned().collect(),
        session: args.session.clone(),
        any_of: false,
    };
    if seed.is_empty() && args.common.vpce.is_empty() {
        return Err(AppError::Usage(
            "timeline needs at least one of --principal, --access-key, --ip, --resource, --session, --vpce".to_owned(),
        ));
    }
    if args.pivot && seed.principals.is_empty() && seed.access_keys.is_empty() && seed.ips.is_empty() {
        return Err(AppError::Usage("--pivot follows a --principal, --access-key or --ip".to_owned()));
    }
    if matches!(resolved.output.format, Format::Parquet | Format::Terraform | Format::Cloudformation) {
        return Err(AppError::Usage("timeline writes table, json, ndjson or csv".to_owned()));
    }
    let spill = SpillLimits { rows: args.spill_rows, bytes: DEFAULT_SPILL_BYTES };
    let (matcher, pivot) = if args.pivot {
        // Pass 1: what the seed used. Pass 2 (below): everything that shares any of it.
        let seed = Arc::new(seed);
        let (first, _) = ingest::run(&resolved.ingest, || Timeline::pivot_only(seed.clone()))?;
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
        (Arc::new(seed), None)
    };
    // `--verify` hashes in the second pass only: the one whose rows are reported.
    integrity::enable(&args.integrity, &mut resolved.ingest)?;
    let verify = args.integrity.verify;
    let (timeline, stats) =
        ingest::run(&resolved.ingest, || Timeline::new(matcher.clone(), spill).tracking_files(verify))?;
    check_input(&stats, &resolved.output)?;
    let judged = integrity::judge(&args.integrity, &stats, &resolved.ingest)?;
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
    let mut out = report::open_output(resolved.output.output.as_deref())?;
    let window = resolved.output.window;
    match resolved.output.format {
        Format::Json => write_json(&mut out, rows, &stats, window, pivot.as_ref(), files)?,
        Format::Ndjson => {
            for row in rows {
                serde_json::to_writer(&mut out, &row?).map_err(std::io::Error::other)?;
                writeln!(out)?;
            }
        }
        Format::Csv => write_csv(&mut out, rows, verify)?,
        // Parquet, Terraform and CloudFormation were refused before reading.
        _ => write_table(&mut Human::new(&mut out), rows, &stats, pivot.as_ref(), files)?,
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

fn write_table(
    out: &mut Human<impl Write>,
    rows: impl Iterator<Item = std::io::Result<TimelineRow>>,
    stats: &InputStats,
    pivot: Option<&PivotSets>,
    integrity: Option<&IntegritySummary>,
) -> std::io::Result<()> {
    let mut headers = vec![
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
    ];
    if integrity.is_some() {
        headers.push("INTEGRITY");
    }
    let mut table = SpooledTable::new(&headers)?;
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
        let mut cells = vec![
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
        ];
        if let Some(integrity) = row.integrity {
            cells.push(integrity.as_str().to_owned());
        }
        table.row(cells)?;
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

/// Rows per CSV chunk: the rows are written in chunks as they come out of the merge, one header on top.
const CSV_CHUNK_ROWS: usize = 4096;

fn write_csv(
    out: &mut dyn Write,
    mut rows: impl Iterator<Item = std::io::Result<TimelineRow>>,
    verify: bool,
) -> Result<(), AppError> {
    let mut first = true;
    loop {
        let chunk: Vec<TimelineRow> = rows.by_ref().take(CSV_CHUNK_ROWS).collect::<std::io::Result<_>>()?;
        if chunk.is_empty() && !first {
            return Ok(());
        }
        let last = chunk.len() < CSV_CHUNK_ROWS;
        write_csv_part(frame(&chunk, verify), first, out)?;
        if last {
            return Ok(());
        }
        first = false;
    }
}

fn frame(rows: &[TimelineRow], verify: bool) -> Frame {
    let strings = |f: fn(&TimelineRow) -> Option<String>| ColumnData::Str(rows.iter().map(f).collect());
    let frame = Frame::new()
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
        .column("vpce_operator", strings(|r| r.vpce_operator.clone()));
    if !verify {
        return frame;
    }
    frame
        .column("integrity", strings(|r| r.integrity.map(|i| i.as_str().to_owned())))
        .column("source_file", strings(|r| r.source_file.clone()))
}
