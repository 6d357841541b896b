//! `trail-vpce report`: one pass over the input with `scan`, `denied` (every cause), `outside`, `propose`'s
//! facts and the traffic series folded side by side (a tuple of analyzers, [`crate::ingest`]), then each
//! analyzer's own report, the proposals as `propose` makes them, and one HTML page
//! ([`crate::report::html`]).

use std::io::Write;
use std::sync::Arc;

use super::{AppError, RunOutcome, check_input};
use crate::analyze::denied::{Denied, DeniedConfig, GroupBy};
use crate::analyze::outside::{Outside, OutsideConfig};
use crate::analyze::propose::{ProposeFacts, ProposeOptions, propose_all, trust_endpoint_owners};
use crate::analyze::scan::Scan;
use crate::analyze::series::Traffic;
use crate::analyze::trust::TrustedSet;
use crate::cli::{ReportFormat, ReportTask};
use crate::ingest;
use crate::report;
use crate::report::html::{self, Inputs, Page, ProposalInput};
use crate::report::human::stdout_is_terminal;

pub fn run(mut task: ReportTask) -> Result<RunOutcome, AppError> {
    let settings = super::prepare(&mut task.shared)?;
    let (ingest, output) = (&task.shared.ingest, &task.shared.output);
    let ReportFormat::Html = task.format;
    if output.output.is_none() && stdout_is_terminal() {
        return Err(AppError::Usage("report writes an HTML page: give -o FILE (or redirect stdout)".to_owned()));
    }
    let replayer = crate::analyze::replay::replayer(settings.endpoint_policies());
    let denied_config = DeniedConfig {
        all_causes: true,
        group_by: GroupBy::default(),
        per_request: false,
        replayer: replayer.clone(),
        track_files: false,
        series: true,
    };
    let trusted = TrustedSet::from_settings(&settings);
    let outside_config = Arc::new(OutsideConfig {
        protect: settings.protect.iter().cloned().collect(),
        networks: ingest.endpoint_networks.clone(),
        trusted: trusted.clone(),
        replayer,
        aws_owned: Arc::clone(&settings.aws_owned),
        track_files: false,
    });
    let env = Arc::new(settings.replay_env());
    let make = || {
        (
            Scan::default(),
            Denied::new(denied_config.clone()),
            Outside::new(Arc::clone(&outside_config)),
            ProposeFacts::new(Arc::clone(&env), trusted.clone()),
            Traffic::default(),
        )
    };
    let ((scan, denied, outside, mut facts, traffic), stats) = ingest::run(ingest, make)?;
    check_input(&stats, output)?;
    let ownership = settings.ownership(&stats.endpoints);
    let scan = scan.report(task.top, &ownership);
    let mut denied = denied.report(None, &ownership);
    let outside = outside.report(&ownership);
    let mut series = std::mem::take(&mut denied.series);
    series.merge(traffic.series);
    trust_endpoint_owners(&mut facts, &ownership);
    let base = ProposeOptions { aws_owned: Arc::clone(&settings.aws_owned), ..task.propose.clone() };
    let (proposals, skipped) =
        super::with_threads(ingest.threads, || propose_all(facts, &settings, &ownership, &base, None, false))??;
    if !output.quiet {
        report::command::propose::warn_generation_failures(&skipped);
    }
    let proposals = proposals
        .iter()
        .map(|p| ProposalInput {
            proposal: p,
            current: settings
                .endpoints
                .get(p.vpce.as_str())
                .and_then(|e| e.policy.as_ref())
                .map(|l| (l.path.display().to_string(), l.text.clone())),
            terraform: report::command::propose::terraform(std::slice::from_ref(p)),
        })
        .collect();
    let inputs = Inputs {
        window: output.window,
        stats: &stats,
        scan: &scan,
        denied: &denied,
        outside: &outside,
        series: &series,
        proposals,
        skipped: skipped.into_iter().map(|s| (s.vpce.to_string(), s.reason)).collect(),
    };
    let page = Page::build(&inputs);
    let text = html::render(&page).map_err(|e| AppError::Output(std::io::Error::other(e)))?;
    let mut out = report::open_output(output.output.as_deref())?;
    out.write_all(text.as_bytes())?;
    out.finish()?;
    if !output.quiet
        && let Some(path) = &output.output
    {
        html::write_written(&mut report::human::stderr(), &page, path)?;
    }
    Ok(RunOutcome::Clean)
}
