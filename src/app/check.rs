//! `trail-vpce check`: replay the traffic of each endpoint that has a candidate policy (`--policy`, or the
//! config's) and report what the candidate would break or newly allow. Exit 1 when anything would break.

use std::io::Write;
use std::sync::Arc;

use serde::Serialize;

use super::{AppError, RunOutcome, check_input};
use crate::analyze::check::rows::MISSING_KEYS_TABLE;
use crate::analyze::check::{Check, CheckReport, EndpointReport, Group};
use crate::cli::{CheckFormat, CheckTask};
use crate::ingest::{self, InputStats};
use crate::model::VpceId;
use crate::report::rows::{self, View};
use crate::report::{self, Human, write_input_summary};

pub fn run(mut task: CheckTask) -> Result<RunOutcome, AppError> {
    let settings = super::prepare(&mut task.shared)?;
    let (ingest, output) = (&task.shared.ingest, &task.shared.output);
    let candidates: Vec<(VpceId<'static>, String)> =
        settings.policies().map(|(id, _, p)| (id.clone(), p.path.display().to_string())).collect();
    if candidates.is_empty() {
        return Err(AppError::Usage(
            "check: no candidate policy: give --policy VPCE_ID=FILE, or --config with endpoints that have a policy"
                .to_owned(),
        ));
    }
    let replayer = Arc::new(settings.endpoint_policies());
    let (check, stats) = ingest::run(ingest, || Check::new(replayer.clone()))?;
    check_input(&stats, output)?;
    let ownership = settings.ownership(&stats.endpoints);
    let (candidates, not_ours): (Vec<_>, Vec<_>) =
        candidates.into_iter().partition(|(vpce, _)| ownership.is_customer_side(vpce));
    let mut body = check.report(&candidates);
    for (vpce, _) in &not_ours {
        body.notes.push(format!(
            "{vpce}: not your endpoint ({}): its policy was not checked (operated_by = \"customer\" in the config \
             says otherwise)",
            ownership.operator_label(vpce).unwrap_or_default()
        ));
    }
    let mut out = report::open_output(output.output.as_deref())?;
    match task.format {
        CheckFormat::Json => report::write_envelope(&mut out, "check", output.window, &stats, &body)?,
        CheckFormat::Ndjson => write_ndjson(&mut out, &body)?,
        CheckFormat::Table => write_human(&mut Human::new(&mut out), &body, &stats)?,
    }
    out.finish()?;
    Ok(if body.breaks_anything() { RunOutcome::Findings } else { RunOutcome::Clean })
}

/// One line per group: the endpoint and list it belongs to, then the group's fields.
#[derive(Serialize)]
struct GroupLine<'a> {
    vpce: &'a VpceId<'static>,
    list: &'static str,
    #[serde(flatten)]
    group: &'a Group,
}

fn lists(check: &EndpointReport) -> [(&'static str, &Vec<Group>); 3] {
    [
        ("would_break", &check.would_break),
        ("would_maybe_break", &check.would_maybe_break),
        ("would_newly_allow", &check.would_newly_allow),
    ]
}

fn write_ndjson(out: &mut dyn Write, body: &CheckReport) -> std::io::Result<()> {
    for check in &body.checks {
        for (list, groups) in lists(check) {
            for group in groups {
                serde_json::to_writer(&mut *out, &GroupLine { vpce: &check.vpce, list, group })
                    .map_err(std::io::Error::other)?;
                writeln!(out)?;
            }
        }
    }
    Ok(())
}

fn write_human(out: &mut Human<impl Write>, body: &CheckReport, stats: &InputStats) -> std::io::Result<()> {
    for check in &body.checks {
        let na = &check.network_activity;
        writeln!(
            out,
            "{} with {}: {} requests: {} allow, {} deny, {} unknown; {} denied today by other policies; \
             network activity: {} events ({} paired, {} replayed, {} unmatched)",
            check.vpce,
            check.policy,
            check.requests,
            check.allow,
            check.deny,
            check.unknown,
            check.denied_by_other_policies,
            na.events,
            na.paired,
            na.replayed,
            na.unmatched
        )?;
        for (list, groups) in lists(check) {
            let requests: u64 = groups.iter().map(|g| g.count).sum();
            let title = list.replace('_', " ").to_uppercase();
            if groups.is_empty() {
                writeln!(out, "  {title}: none")?;
                continue;
            }
            writeln!(out, "  {title}: {requests} requests in {} groups", groups.len())?;
            let table = if list == "would_maybe_break" {
                rows::table_of(MISSING_KEYS_TABLE, groups.iter())
            } else {
                rows::table(groups.iter(), View::PLAIN)
            };
            out.table(&table)?;
        }
        writeln!(out)?;
    }
    let breaking: Vec<&str> =
        body.checks.iter().filter(|c| !c.would_break.is_empty()).map(|c| c.vpce.as_str()).collect();
    if breaking.is_empty() {
        writeln!(out, "nothing that passes today would be denied by the candidate policies")?;
    } else {
        writeln!(out, "the candidate policies would break requests that pass today on {}", breaking.join(", "))?;
    }
    for note in &body.notes {
        writeln!(out, "note: {note}")?;
    }
    write_input_summary(out, stats)
}
