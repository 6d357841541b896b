//! `trail-vpce export`: events → Hive-partitioned Parquet in bounded batches.

use std::sync::Arc;

use super::{AppError, Outcome, check_input};
use crate::analyze::export::{Export, ExportTarget, check_output_dir};
use crate::cli::{ExportArgs, Format};
use crate::config::Overrides;
use crate::ingest;
use crate::report;

pub fn run(args: &ExportArgs) -> Result<Outcome, AppError> {
    let (resolved, settings) = super::prepare(&args.common, &Overrides::default())?;
    if !matches!(resolved.output.format, Format::Table | Format::Parquet) {
        return Err(AppError::Usage("export writes Parquet (--format parquet, the default)".to_owned()));
    }
    if !cfg!(feature = "tabular") {
        return Err(AppError::Usage("export needs Parquet support: this build has no `tabular` feature".to_owned()));
    }
    check_output_dir(&args.out).map_err(AppError::Usage)?;
    let threads = resolved.ingest.threads.unwrap_or_else(rayon::current_num_threads);
    let target = Arc::new(ExportTarget::new(args.out.clone(), args.batch_rows, threads)?);
    let owners = Arc::new(settings.record_owners());
    let (_, stats) = ingest::run(&resolved.ingest, || Export::new(target.clone(), owners.clone()))?;
    let export = target.finish();
    check_input(&stats, &resolved.output)?;
    if let Some(error) = export.error {
        return Err(AppError::Output(std::io::Error::other(error)));
    }
    let mut output = report::open_output(resolved.output.output.as_deref())?;
    let mut out = report::Human::new(&mut output);
    writeln!(
        out,
        "exported {} events ({} CloudTrail records, {} access-log lines) in {} Parquet files under {}",
        export.rows_written,
        stats.records,
        stats.access_log_lines,
        export.files_written,
        args.out.display()
    )?;
    report::write_input_summary(&mut out, &stats)?;
    output.finish()?;
    Ok(Outcome::Clean)
}
