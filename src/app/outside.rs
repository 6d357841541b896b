//! `trail-vpce outside`: wiring the outside analyzer (trusted set, protected resources, VPC networks,
//! optional policy replay) to the pipeline and the writers.

use std::io::Write;
use std::sync::Arc;

use super::replay::PolicyReplayer;
use super::{AppError, Outcome, check_input, integrity};
use crate::analyze::outside::{Outside, OutsideConfig, OutsideReport};
use crate::analyze::trust::TrustedSet;
use crate::cli::{Format, OutsideArgs};
use crate::config::Overrides;
use crate::ingest::{self, InputStats};
use crate::report::tabular::{ColumnData, Frame, TabularFormat, write_frame};
use crate::report::{self, Human, Table, write_input_summary};

pub fn run(args: &OutsideArgs) -> Result<Outcome, AppError> {
    let overrides = Overrides {
        policies: args.policies.clone(),
        trusted_accounts: args.trusted_account.clone(),
        trusted_orgs: args.trusted_org.clone(),
        protect: args.protect.clone(),
        vpc_cidrs: args.vpc_cidr.clone(),
    };
    let (mut resolved, settings) = super::prepare(&args.common, &overrides)?;
    integrity::enable(&args.integrity, &mut resolved.ingest)?;
    let format = resolved.output.format;
    if matches!(format, Format::Terraform | Format::Cloudformation) {
        return Err(AppError::Usage("outside writes table, json, ndjson, csv or parquet".to_owned()));
    }
    if format == Format::Parquet {
        super::refuse_binary_on_terminal(TabularFormat::Parquet, resolved.output.output.as_deref())?;
    }
    let config = Arc::new(OutsideConfig {
        protect: settings.protect.iter().cloned().collect(),
        networks: resolved.ingest.endpoint_networks.clone(),
        trusted: TrustedSet::from_settings(&settings),
        replayer: PolicyReplayer::from_settings(&settings),
        aws_owned: Arc::clone(&settings.aws_owned),
        track_files: args.integrity.verify,
    });
    let (outside, stats) = ingest::run(&resolved.ingest, || Outside::new(Arc::clone(&config)))?;
    check_input(&stats, &resolved.output)?;
    let mut body = outside.report(&settings.ownership(&stats.endpoints));
    if let Some((book, mut summary)) = integrity::judge(&args.integrity, &stats, &resolved.ingest)? {
        summary.rows = Some(body.apply_integrity(&book));
        body.integrity = Some(summary);
    }
    let mut out = report::open_output(resolved.output.output.as_deref())?;
    match format {
        Format::Json => report::write_envelope(&mut out, "outside", resolved.output.window, &stats, &body)?,
        Format::Ndjson => report::write_ndjson(&mut out, &body.findings)?,
        Format::Csv | Format::Parquet => {
            let tabular = if format == Format::Csv { TabularFormat::Csv } else { TabularFormat::Parquet };
            write_frame(findings_frame(&body), tabular, &mut out)?;
        }
        _ => write_table(&mut Human::new(&mut out), &body, &stats)?,
    }
    out.finish()?;
    Ok(if args.fail_on_findings && body.has_serious_findings() { Outcome::Findings } else { Outcome::Clean })
}

/// The findings as typed columns (same names as the JSON fields).
fn findings_frame(body: &OutsideReport) -> Frame {
    let f = &body.findings;
    let frame = Frame::new()
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
        .column("operator_vpce", ColumnData::Str(f.iter().map(|x| x.operator_vpce.clone()).collect()));
    if body.integrity.is_none() {
        return frame;
    }
    frame.column("integrity", ColumnData::Str(f.iter().map(|x| x.integrity.map(|i| i.as_str().to_owned())).collect()))
}

fn write_table(out: &mut Human<impl Write>, body: &OutsideReport, stats: &InputStats) -> std::io::Result<()> {
    let mut headers = vec![
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
    ];
    if body.integrity.is_some() {
        headers.push("INTEGRITY");
    }
    let mut table = Table::new(&headers);
    for (i, f) in body.findings.iter().enumerate() {
        let mut cells = vec![
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
        ];
        if let Some(integrity) = f.integrity {
            cells.push(integrity.as_str().to_owned());
        }
        table.row(cells);
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
    if let Some(summary) = &body.integrity {
        integrity::write_line(out, summary, "finding requests")?;
    }
    write_input_summary(out, stats)
}
