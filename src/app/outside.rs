//! `trail-vpce outside`: wiring the outside analyzer (trusted set, protected resources, VPC networks,
//! optional policy replay) to the pipeline and the writers.

use std::io::Write;
use std::sync::Arc;

use super::{AppError, RunOutcome, check_input, integrity};
use crate::analyze::outside::{Outside, OutsideConfig, OutsideReport};
use crate::analyze::trust::TrustedSet;
use crate::cli::{OutsideFormat, OutsideTask};
use crate::ingest::{self, InputStats};
use crate::report::rows::{self, View};
use crate::report::tabular::TabularFormat;
use crate::report::{self, Human, write_input_summary};

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
    let (outside, stats) = ingest::run(ingest, || Outside::new(Arc::clone(&config)))?;
    check_input(&stats, output)?;
    let mut body = outside.report(&settings.ownership(&stats.endpoints));
    if let Some((book, mut summary)) = integrity::judge(task.integrity.as_ref(), &stats, ingest)? {
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
        OutsideFormat::Table => write_human(&mut Human::new(&mut out), &body, &stats, view)?,
    }
    out.finish()?;
    Ok(if task.fail_on_findings && body.has_serious_findings() { RunOutcome::Findings } else { RunOutcome::Clean })
}

fn write_human(
    out: &mut Human<impl Write>,
    body: &OutsideReport,
    stats: &InputStats,
    view: View,
) -> std::io::Result<()> {
    let table = rows::numbered_table(&body.findings, view);
    if table.is_empty() {
        writeln!(out, "no findings")?;
    } else {
        out.table(&table)?;
        writeln!(out)?;
        for (i, f) in body.findings.iter().enumerate() {
            writeln!(out, "{:>3}. {}", i + 1, f.reason)?;
        }
    }
    let severities: Vec<String> =
        body.totals.by_severity.iter().map(|(s, n)| format!("{} {}", n, s.as_str())).collect();
    writeln!(out)?;
    writeln!(
        out,
        "{} findings{}; {} requests through endpoints, {} outside; {} by AWS service principals (never a bypass); \
         {} to AWS-owned buckets (never foreign)",
        body.findings.len(),
        if severities.is_empty() { String::new() } else { format!(" ({})", severities.join(", ")) },
        body.totals.through_endpoint,
        body.totals.outside_endpoint,
        body.service_principal_requests,
        body.aws_owned_requests,
    )?;
    for note in &body.notes {
        writeln!(out, "note: {note}")?;
    }
    if let Some(summary) = &body.integrity {
        integrity::write_line(out, summary, "finding requests")?;
    }
    write_input_summary(out, stats)
}
