//! `trail-vpce denied`: wiring the denied analyzer (with optional policy replay) to the writers.

use std::io::Write;

use super::{AppError, RunOutcome, check_input, integrity};
use crate::analyze::classify::Cause;
use crate::analyze::denied::{Denied, DeniedConfig, DeniedReport};
use crate::cli::{DeniedFormat, DeniedTask};
use crate::ingest::{self, InputStats};
use crate::report::rows::{self, View};
use crate::report::tabular::TabularFormat;
use crate::report::{self, Human, write_input_summary};

pub fn run(mut task: DeniedTask) -> Result<RunOutcome, AppError> {
    let settings = super::prepare(&mut task.shared)?;
    integrity::enable(task.integrity.as_ref(), &mut task.shared.ingest);
    let (ingest, output) = (&task.shared.ingest, &task.shared.output);
    if task.format == DeniedFormat::Parquet {
        super::refuse_binary_on_terminal(TabularFormat::Parquet, output.output.as_deref())?;
    }
    let config = DeniedConfig {
        all_causes: task.all_causes,
        group_by: task.group_by,
        per_request: task.format == DeniedFormat::Ndjson,
        replayer: crate::analyze::replay::replayer(settings.endpoint_policies()),
        track_files: task.integrity.is_some(),
        series: false,
    };
    let (denied, stats) = ingest::run(ingest, || Denied::new(config.clone()))?;
    check_input(&stats, output)?;
    let mut body = denied.report(task.top, &settings.ownership(&stats.endpoints));
    if let Some((book, mut summary)) = integrity::judge(task.integrity.as_ref(), &stats, ingest)? {
        summary.rows = Some(body.apply_integrity(&book));
        body.integrity = Some(summary);
    }
    let view = integrity::view(task.integrity.as_ref());
    let mut out = report::open_output(output.output.as_deref())?;
    match task.format {
        DeniedFormat::Json => report::write_envelope(&mut out, "denied", output.window, &stats, &body)?,
        DeniedFormat::Ndjson => report::write_ndjson(&mut out, &body.requests)?,
        DeniedFormat::Csv => rows::write_rows(&body.denials, view, TabularFormat::Csv, &mut out)?,
        DeniedFormat::Parquet => rows::write_rows(&body.denials, view, TabularFormat::Parquet, &mut out)?,
        DeniedFormat::Table => write_human(&mut Human::new(&mut out), &body, &stats, task.all_causes, view)?,
    }
    out.finish()?;
    let vpce_denials = body.denials.iter().any(|row| row.cause == Cause::VpcePolicy);
    Ok(if task.fail_on_findings && vpce_denials { RunOutcome::Findings } else { RunOutcome::Clean })
}

fn write_human(
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
    for note in &body.notes {
        writeln!(out, "note: {note}")?;
    }
    if let Some(summary) = &body.integrity {
        super::integrity::write_line(out, summary, "requests")?;
    }
    write_input_summary(out, stats)
}
