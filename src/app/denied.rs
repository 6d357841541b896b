//! `trail-vpce denied`: wiring the denied analyzer (with optional policy replay) to the writers.

use std::io::Write;

use super::replay::PolicyReplayer;
use super::{AppError, Outcome, check_input, integrity};
use crate::analyze::classify::Cause;
use crate::analyze::denied::{Denied, DeniedConfig, DeniedReport, GroupBy};
use crate::cli::{DeniedArgs, Format, GroupDim};
use crate::config::Overrides;
use crate::ingest::{self, InputStats};
use crate::report::tabular::{ColumnData, Frame, TabularFormat, write_frame};
use crate::report::{self, Human, Table, write_input_summary};

pub fn run(args: &DeniedArgs) -> Result<Outcome, AppError> {
    let overrides = Overrides { policies: args.policies.clone(), ..Overrides::default() };
    let (mut resolved, settings) = super::prepare(&args.common, &overrides)?;
    integrity::enable(&args.integrity, &mut resolved.ingest)?;
    let format = resolved.output.format;
    if format == Format::Parquet {
        super::refuse_binary_on_terminal(TabularFormat::Parquet, resolved.output.output.as_deref())?;
    }
    let config = DeniedConfig {
        all_causes: args.all_causes,
        group_by: group_by(&args.group_by),
        per_request: format == Format::Ndjson,
        replayer: PolicyReplayer::from_settings(&settings),
        track_files: args.integrity.verify,
    };
    let (denied, stats) = ingest::run(&resolved.ingest, || Denied::new(config.clone()))?;
    check_input(&stats, &resolved.output)?;
    let mut body = denied.report(args.top, &settings.ownership(&stats.endpoints));
    if let Some((book, mut summary)) = integrity::judge(&args.integrity, &stats, &resolved.ingest)? {
        summary.rows = Some(body.apply_integrity(&book));
        body.integrity = Some(summary);
    }
    let mut out = report::open_output(resolved.output.output.as_deref())?;
    match format {
        Format::Json => report::write_envelope(&mut out, "denied", resolved.output.window, &stats, &body)?,
        Format::Ndjson => report::write_ndjson(&mut out, &body.requests)?,
        Format::Csv | Format::Parquet => {
            let format = if format == Format::Csv { TabularFormat::Csv } else { TabularFormat::Parquet };
            write_frame(rows_frame(&body), format, &mut out)?;
        }
        Format::Terraform | Format::Cloudformation => {
            return Err(AppError::Usage("denied writes --format table, json or ndjson".to_owned()));
        }
        Format::Table => write_table(&mut Human::new(&mut out), &body, &stats, args.all_causes)?,
    }
    out.finish()?;
    let vpce_denials = body.denials.iter().any(|row| row.cause == Cause::VpcePolicy);
    Ok(if args.fail_on_findings && vpce_denials { Outcome::Findings } else { Outcome::Clean })
}

/// The `denials` rows as typed columns (same names as the JSON fields).
fn rows_frame(body: &DeniedReport) -> Frame {
    let rows = &body.denials;
    let strings = |f: fn(&crate::analyze::denied::DenialRow) -> Option<String>| rows.iter().map(f).collect();
    let frame = Frame::new()
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
        .column("vpce_operator", ColumnData::Str(strings(|r| r.vpce_operator.clone())));
    if body.integrity.is_none() {
        return frame;
    }
    frame.column("integrity", ColumnData::Str(strings(|r| r.integrity.map(|i| i.as_str().to_owned()))))
}

fn group_by(dims: &[GroupDim]) -> GroupBy {
    GroupBy {
        vpce: dims.contains(&GroupDim::Vpce),
        principal: dims.contains(&GroupDim::Principal),
        action: dims.contains(&GroupDim::Action),
        resource: dims.contains(&GroupDim::Resource),
    }
}

fn write_table(
    out: &mut Human<impl Write>,
    body: &DeniedReport,
    stats: &InputStats,
    all_causes: bool,
) -> std::io::Result<()> {
    let mut headers = vec![
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
    ];
    if body.integrity.is_some() {
        headers.push("INTEGRITY");
    }
    let mut table = Table::new(&headers);
    for row in &body.denials {
        let cause =
            if row.possibly_vpce { "unknown (possibly vpce)".to_owned() } else { row.cause.as_str().to_owned() };
        let evidence = match &row.statement {
            Some(statement) => format!("{} [{statement}]", row.evidence.as_str()),
            None => row.evidence.as_str().to_owned(),
        };
        let mut cells = vec![
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
        ];
        if let Some(integrity) = row.integrity {
            cells.push(integrity.as_str().to_owned());
        }
        table.row(cells);
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
    if let Some(summary) = &body.integrity {
        super::integrity::write_line(out, summary, "requests")?;
    }
    write_input_summary(out, stats)
}
