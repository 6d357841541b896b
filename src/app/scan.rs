//! `trail-vpce scan`: wiring the scan analyzer to the pipeline and the writers.

use super::{AppError, RunOutcome, check_input};
use crate::analyze::scan::Scan;
use crate::cli::{ScanFormat, ScanTask};
use crate::ingest;
use crate::report::{self, Human};

pub fn run(mut task: ScanTask) -> Result<RunOutcome, AppError> {
    let settings = super::prepare(&mut task.shared)?;
    let (ingest, output) = (&task.shared.ingest, &task.shared.output);
    let (scan, stats) = ingest::run(ingest, Scan::default)?;
    check_input(&stats, output)?;
    let body = scan.report(task.top, &settings.ownership(&stats.endpoints));
    let mut out = report::open_output(output.output.as_deref())?;
    match task.format {
        ScanFormat::Json => report::write_envelope(&mut out, "scan", output.window, &stats, &body)?,
        ScanFormat::Table => {
            report::command::scan::write_human(&mut Human::new(&mut out), &body, &stats, output.window)?
        }
    }
    out.finish()?;
    Ok(RunOutcome::Clean)
}
