//! `trail-vpce outside`: wiring the outside analyzer (trusted set, protected resources, VPC networks,
//! optional policy replay) to the pipeline and the writers.

use std::io::Write;
use std::sync::Arc;

use super::{AppError, Outcome, check_input};
use crate::analyze::outside::{Outside, OutsideConfig, OutsideReport};
use crate::analyze::trust::TrustedSet;
use crate::cli::{OutsideFormat, OutsideTask};
use crate::ingest::{self, InputStats};
use crate::report::tabular::{ColumnData, Frame, TabularFormat, write_frame};
use crate::report::{self, Human, Table, write_input_summary};

pub fn run(mut task: OutsideTask) -> Result<Outcome, AppError> {
    let settings = super::prepare(&mut task.shared)?;
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
    });
    let (outside, stats) = ingest::run(ingest, || Outside::new(Arc::clone(&config)))?;
    check_input(&stats, output)?;
    let body = outside.report(&settings.ownership(&stats.endpoints));
    let mut out = report::open_output(output.output.as_deref())?;
    match task.format {
        OutsideFormat::Json => report::write_envelope(&mut out, "outside", output.window, &stats, &body)?,
        OutsideFormat::Ndjson => report::write_ndjson(&mut out, &body.findings)?,
        OutsideFormat::Csv => write_frame(findings_frame(&body), TabularFormat::Csv, &mut out)?,
        OutsideFormat::Parquet => write_frame(findings_frame(&body), TabularFormat::Parquet, &mut out)?,
        OutsideFormat::Table => write_table(&mut Human::new(&mut out), &body, &stats)?,
    }
    out.finish()?;
    Ok(if task.fail_on_findings && body.has_serious_findings() { Outcome::Findings } else { Outcome::Clean })
}

/// The findings as typed columns (same names as the JSON fields).
fn findings_frame(body: &OutsideReport) -> Frame {
    let f = &body.findings;
    Frame::new()
        .column("kind", ColumnData::Str(f.iter().map(|x| Some(x.kind.as_str().to_owned())).collect()))
        .column("severity", ColumnData::Str(f.iter().map(|x| Some(x.severity.as_str().to_owned())).collect()))
        .column("outcome", ColumnData::Str(f.iter().map(|x| Some(x.outcome.to_owned())).collect()))
        .column("principal", ColumnData::Str(f.iter().map(|x| Some(x.principal.clone())).collect()))
        .column("vpce", ColumnData::Str(f.iter().map(|x| x.vpce.clone()).collect()))
        .column("resource", ColumnData::Str(f.iter().map(|x| x.resource.clone()).collect()))
        .column("resource_account", ColumnData::Str(f.iter().map(|x| x.resource_account.clone()).collect()))
        .column("actions", ColumnData::List(f.iter().map(|x| x.actions.clone()).collect()))
        .column("source_ips", ColumnData::List(f.iter().map(|x| x.source_ips.clone()).collect()))
        .column("count", ColumnData::U64(f.iter().map(|x| x.count).collect()))
        .column("first_seen", ColumnData::Time(f.iter().map(|x| x.first_seen).collect()))
        .column("last_seen", ColumnData::Time(f.iter().map(|x| x.last_seen).collect()))
        .column("evidence", ColumnData::Str(f.iter().map(|x| Some(x.evidence.to_owned())).collect()))
        .column("reason", ColumnData::Str(f.iter().map(|x| Some(x.reason.clone())).collect()))
        .column("vpce_operator", ColumnData::Str(f.iter().map(|x| x.vpce_operator.clone()).collect()))
        .column("operator_vpce", ColumnData::Str(f.iter().map(|x| x.operator_vpce.clone()).collect()))
}

fn write_table(out: &mut Human<impl Write>, body: &OutsideReport, stats: &InputStats) -> std::io::Result<()> {
    let mut table = Table::new(&[
        "#",
        "SEVERITY",
        "KIND",
        "OUTCOME",
        "COUNT",
        "PRINCIPAL",
        "ENDPOINT",
        "RESOURCE",
        "ACTIONS",
        "SOURCE IPS",
        "EVIDENCE",
        "LAST SEEN",
    ]);
    for (i, f) in body.findings.iter().enumerate() {
        table.row(vec![
            (i + 1).to_string(),
            f.severity.as_str().to_owned(),
            f.kind.as_str().to_owned(),
            f.outcome.to_owned(),
            f.count.to_string(),
            f.principal.clone(),
            f.vpce.clone().or_else(|| f.vpce_operator.clone()).unwrap_or_else(|| "-".to_owned()),
            f.resource.clone().unwrap_or_else(|| "-".to_owned()),
            f.actions.join(","),
            f.source_ips.join(","),
            f.evidence.to_owned(),
            f.last_seen.map(|t| t.to_rfc3339()).unwrap_or_default(),
        ]);
    }
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
    write_input_summary(out, stats)
}
