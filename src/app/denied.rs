//! `trail-vpce denied`: wiring the denied analyzer (with optional policy replay) to the writers.

use std::io::Write;

use super::{AppError, Outcome, check_input};
use crate::analyze::classify::Cause;
use crate::analyze::denied::{Denied, DeniedConfig, DeniedReport};
use crate::cli::{DeniedFormat, DeniedTask};
use crate::ingest::{self, InputStats};
use crate::report::tabular::{ColumnData, Frame, TabularFormat, write_frame};
use crate::report::{self, Human, Table, write_input_summary};

pub fn run(mut task: DeniedTask) -> Result<Outcome, AppError> {
    let settings = super::prepare(&mut task.shared)?;
    let (ingest, output) = (&task.shared.ingest, &task.shared.output);
    if task.format == DeniedFormat::Parquet {
        super::refuse_binary_on_terminal(TabularFormat::Parquet, output.output.as_deref())?;
    }
    let config = DeniedConfig {
        all_causes: task.all_causes,
        group_by: task.group_by,
        per_request: task.format == DeniedFormat::Ndjson,
        replayer: crate::analyze::replay::replayer(settings.endpoint_policies()),
    };
    let (denied, stats) = ingest::run(ingest, || Denied::new(config.clone()))?;
    check_input(&stats, output)?;
    let body = denied.report(task.top, &settings.ownership(&stats.endpoints));
    let mut out = report::open_output(output.output.as_deref())?;
    match task.format {
        DeniedFormat::Json => report::write_envelope(&mut out, "denied", output.window, &stats, &body)?,
        DeniedFormat::Ndjson => report::write_ndjson(&mut out, &body.requests)?,
        DeniedFormat::Csv => write_frame(rows_frame(&body), TabularFormat::Csv, &mut out)?,
        DeniedFormat::Parquet => write_frame(rows_frame(&body), TabularFormat::Parquet, &mut out)?,
        DeniedFormat::Table => write_table(&mut Human::new(&mut out), &body, &stats, task.all_causes)?,
    }
    out.finish()?;
    let vpce_denials = body.denials.iter().any(|row| row.cause == Cause::VpcePolicy);
    Ok(if task.fail_on_findings && vpce_denials { Outcome::Findings } else { Outcome::Clean })
}

/// The `denials` rows as typed columns (same names as the JSON fields).
fn rows_frame(body: &DeniedReport) -> Frame {
    let rows = &body.denials;
    let strings = |f: fn(&crate::analyze::denied::DenialRow) -> Option<String>| rows.iter().map(f).collect();
    Frame::new()
        .column("cause", ColumnData::Str(rows.iter().map(|r| Some(r.cause.as_str().to_owned())).collect()))
        .column("deny", ColumnData::Str(rows.iter().map(|r| Some(r.deny.as_str().to_owned())).collect()))
        .column("evidence", ColumnData::Str(rows.iter().map(|r| Some(r.evidence.as_str().to_owned())).collect()))
        .column("vpce", ColumnData::Str(strings(|r| r.vpce.clone())))
        .column("principal", ColumnData::Str(strings(|r| r.principal.clone())))
        .column("action", ColumnData::Str(strings(|r| r.action.clone())))
        .column("resource", ColumnData::Str(strings(|r| r.resource.clone())))
        .column("count", ColumnData::U64(rows.iter().map(|r| r.count).collect()))
        .column("first_seen", ColumnData::Time(rows.iter().map(|r| r.first_seen).collect()))
        .column("last_seen", ColumnData::Time(rows.iter().map(|r| r.last_seen).collect()))
        .column("source_ips", ColumnData::List(rows.iter().map(|r| r.source_ips.clone()).collect()))
        .column("statement", ColumnData::Str(strings(|r| r.statement.clone())))
        .column("sample_event_id", ColumnData::Str(strings(|r| r.sample_event_id.clone())))
        .column("possibly_vpce", ColumnData::Bool(rows.iter().map(|r| r.possibly_vpce).collect()))
        .column("service_principal", ColumnData::Bool(rows.iter().map(|r| r.service_principal).collect()))
        .column("vpce_operator", ColumnData::Str(strings(|r| r.vpce_operator.clone())))
}

fn write_table(
    out: &mut Human<impl Write>,
    body: &DeniedReport,
    stats: &InputStats,
    all_causes: bool,
) -> std::io::Result<()> {
    let mut table = Table::new(&[
        "COUNT",
        "CAUSE",
        "DENY",
        "EVIDENCE",
        "ENDPOINT",
        "PRINCIPAL",
        "ACTION",
        "RESOURCE",
        "FIRST SEEN",
        "LAST SEEN",
    ]);
    for row in &body.denials {
        let cause =
            if row.possibly_vpce { "unknown (possibly vpce)".to_owned() } else { row.cause.as_str().to_owned() };
        let evidence = match &row.statement {
            Some(statement) => format!("{} [{statement}]", row.evidence.as_str()),
            None => row.evidence.as_str().to_owned(),
        };
        table.row(vec![
            row.count.to_string(),
            cause,
            row.deny.as_str().to_owned(),
            evidence,
            row.vpce.clone().or_else(|| row.vpce_operator.clone()).unwrap_or_else(|| "-".to_owned()),
            row.principal.clone().unwrap_or_else(|| "*".to_owned()),
            row.action.clone().unwrap_or_else(|| "-".to_owned()),
            row.resource.clone().unwrap_or_else(|| "-".to_owned()),
            row.first_seen.map(|t| t.to_rfc3339()).unwrap_or_default(),
            row.last_seen.map(|t| t.to_rfc3339()).unwrap_or_default(),
        ]);
    }
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
    for note in &body.notes {
        writeln!(out, "note: {note}")?;
    }
    write_input_summary(out, stats)
}
