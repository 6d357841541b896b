//! `trail-vpce check`: replay the traffic of each endpoint that has a candidate policy (`--policy`, or the
//! config's) and report what the candidate would break or newly allow. Exit 1 when anything would break.

use std::sync::Arc;

use super::{AppError, RunOutcome, check_input};
use crate::analyze::check::Check;
use crate::cli::{CheckFormat, CheckTask};
use crate::ingest;
use crate::model::VpceId;
use crate::report::command::check as write;
use crate::report::{self, Human};

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
        CheckFormat::Ndjson => write::write_ndjson(&mut out, &body)?,
        CheckFormat::Table => write::write_human(&mut Human::new(&mut out), &body, &stats)?,
    }
    out.finish()?;
    Ok(if body.breaks_anything() { RunOutcome::Findings } else { RunOutcome::Clean })
}
