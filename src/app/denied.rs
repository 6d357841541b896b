//! `trail-vpce denied`: wiring the denied analyzer (with optional policy replay) to the writers.

use super::{AppError, RunOutcome, check_input, integrity};
use crate::analyze::classify::Cause;
use crate::analyze::denied::{Denied, DeniedConfig};
use crate::cli::{DeniedFormat, DeniedTask};
use crate::ingest;
use crate::report::rows;
use crate::report::tabular::TabularFormat;
use crate::report::{self, Human};

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
    let (denied, mut stats) = ingest::run(ingest, || Denied::new(config.clone()))?;
    check_input(&stats, output)?;
    let mut body = denied.report(task.top, &settings.ownership(&stats.endpoints));
    if let Some((book, mut summary)) = integrity::judge(task.integrity.as_ref(), &mut stats, ingest)? {
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
        DeniedFormat::Table => {
            report::command::denied::write_human(&mut Human::new(&mut out), &body, &stats, task.all_causes, view)?
        }
    }
    out.finish()?;
    let vpce_denials = body.denials.iter().any(|row| row.cause == Cause::VpcePolicy);
    Ok(if task.fail_on_findings && vpce_denials { RunOutcome::Findings } else { RunOutcome::Clean })
}
