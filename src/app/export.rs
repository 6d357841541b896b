//! `trail-vpce export`: events → Hive-partitioned Parquet, written by a record sink outside the analyzer fold
//! (`analyze::export`), with the same parts whatever the threads.

use super::{AppError, RunOutcome, check_input};
use crate::analyze::export::{ExportSink, check_output_dir};
use crate::cli::ExportTask;
use crate::ingest;
use crate::report;

pub fn run(mut task: ExportTask) -> Result<RunOutcome, AppError> {
    let settings = super::prepare(&mut task.shared)?;
    let (ingest, output) = (&task.shared.ingest, &task.shared.output);
    check_output_dir(&task.out).map_err(AppError::Usage)?;
    let threads = ingest.threads.unwrap_or_else(rayon::current_num_threads);
    let sink = ExportSink::new(task.out.clone(), task.batch_rows, threads, settings.record_owners())?;
    let ((), stats) = ingest::run_with_sink(ingest, || (), &sink)?;
    let export = sink.finish();
    check_input(&stats, output)?;
    if let Some(error) = export.error {
        return Err(AppError::Output(std::io::Error::other(error)));
    }
    let mut output = report::open_output(output.output.as_deref())?;
    report::command::export::write_human(&mut report::Human::new(&mut output), &export, &task.out, &stats)?;
    output.finish()?;
    Ok(RunOutcome::Clean)
}
