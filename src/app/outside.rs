//! `trail-vpce outside`: wiring the outside analyzer (trusted set, protected resources, VPC networks,
//! optional policy replay) to the pipeline and the writers.

use std::sync::Arc;

use super::{AppError, RunOutcome, check_input, integrity};
use crate::analyze::outside::{Outside, OutsideConfig};
use crate::analyze::trust::TrustedSet;
use crate::cli::{OutsideFormat, OutsideTask};
use crate::ingest;
use crate::report::rows;
use crate::report::tabular::TabularFormat;
use crate::report::{self, Human};

pub fn run(mut task: OutsideTask) -> Result<RunOutcome, AppError> {
    let settings = super::prepare(&mut task.shared)?;
    integrity::enable(task.integrity.as_ref(), &mut task.shared.ingest);
    let (ingest, output) = (&task.shared.ingest, &task.shared.output);
    if task.format == OutsideFormat::Parquet {
        super::refuse_binary_on_terminal(TabularFormat::Parquet, output.output.as_deref())?;
    }
    let config = Arc::new(OutsideConfig {
        protect: settings.protect.iter().cloned().collect(),
        networks: ingest.endpoint_networks.clone(),
        trusted: TrustedSet::from_settings(&settings),
        replayer: crate::analyze::replay::replayer(settings.endpoint_policies()),
        aws_owned: Arc::clone(&settings.aws_owned),
        track_files: task.integrity.is_some(),
    });
    let (outside, mut stats) = ingest::run(ingest, || Outside::new(Arc::clone(&config)))?;
    check_input(&stats, output)?;
    let mut body = outside.report(&settings.ownership(&stats.endpoints));
    if let Some((book, mut summary)) = integrity::judge(task.integrity.as_ref(), &mut stats, ingest)? {
        summary.rows = Some(body.apply_integrity(&book));
        body.integrity = Some(summary);
    }
    let view = integrity::view(task.integrity.as_ref());
    let mut out = report::open_output(output.output.as_deref())?;
    match task.format {
        OutsideFormat::Json => report::write_envelope(&mut out, "outside", output.window, &stats, &body)?,
        OutsideFormat::Ndjson => report::write_ndjson(&mut out, &body.findings)?,
        OutsideFormat::Csv => rows::write_rows(&body.findings, view, TabularFormat::Csv, &mut out)?,
        OutsideFormat::Parquet => rows::write_rows(&body.findings, view, TabularFormat::Parquet, &mut out)?,
        OutsideFormat::Table => report::command::outside::write_human(&mut Human::new(&mut out), &body, &stats, view)?,
    }
    out.finish()?;
    Ok(if task.fail_on_findings && body.has_serious_findings() { RunOutcome::Findings } else { RunOutcome::Clean })
}
