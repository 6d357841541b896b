//! `trail-vpce propose`: facts from the pipeline → one verified proposal per endpoint → policy JSON,
//! Terraform, CloudFormation, or the JSON report.

use std::io::Write;
use std::sync::Arc;

use super::{AppError, RunOutcome, check_input};
use crate::analyze::propose::{GenerateError, ProposeFacts, ProposeOptions, propose_all, trust_endpoint_owners};
use crate::analyze::trust::TrustedSet;
use crate::cli::{ProposeFormat, ProposeTask};
use crate::config::load_policy;
use crate::ingest;
use crate::report::command::propose as write;
use crate::report::{self, Human};

pub fn run(mut task: ProposeTask) -> Result<RunOutcome, AppError> {
    let settings = super::prepare(&mut task.shared)?;
    let (ingest, output) = (&task.shared.ingest, &task.shared.output);
    let single = task.single;
    let current_file = task.current.as_deref().map(load_policy).transpose()?;
    let trusted = TrustedSet::from_settings(&settings);
    let env = Arc::new(settings.replay_env());
    let (mut facts, stats) = ingest::run(ingest, || ProposeFacts::new(env.clone(), trusted.clone()))?;
    check_input(&stats, output)?;
    let ownership = settings.ownership(&stats.endpoints);
    trust_endpoint_owners(&mut facts, &ownership);
    if let Some(vpce) = &single {
        if !facts.endpoints.contains_key(vpce.as_str()) {
            return Err(AppError::Usage(format!("no request through {vpce} in the input")));
        }
        if let Some(operator) = ownership.operator_label(vpce) {
            return Err(AppError::Usage(format!(
                "{vpce} is not your endpoint ({operator}): no policy to propose (operated_by = \"customer\" in \
                 the config says otherwise)"
            )));
        }
    }
    let base = ProposeOptions { aws_owned: Arc::clone(&settings.aws_owned), ..task.options };
    let current = current_file.as_ref();
    let (proposals, skipped) = super::with_threads(ingest.threads, || {
        propose_all(facts, &settings, &ownership, &base, current, single.is_some())
    })??;
    if !output.quiet {
        write::warn_generation_failures(&skipped);
    }
    let mut out = report::open_output(output.output.as_deref())?;
    let summaries = !output.quiet;
    match (task.format, &single) {
        // The policy document alone on stdout (ready for modify-vpc-endpoint); the summary on stderr.
        (ProposeFormat::Table | ProposeFormat::Json, Some(_)) => {
            write::policies_alone(&mut out, &proposals, summaries)?
        }
        (ProposeFormat::Json, None) => {
            write::json(&mut out, &proposals, &skipped, &base, output.window, &stats)?;
        }
        (ProposeFormat::Terraform, _) => {
            out.write_all(write::terraform(&proposals).as_bytes())?;
            write::summaries_to_stderr(&proposals, summaries)?;
        }
        (ProposeFormat::Cloudformation, _) => {
            report::write_json(&mut out, &write::cloudformation(&proposals))?;
            write::summaries_to_stderr(&proposals, summaries)?;
        }
        (ProposeFormat::Table, None) => write::write_human(&mut Human::new(&mut out), &proposals, &skipped, &stats)?,
    }
    out.finish()?;
    Ok(RunOutcome::Clean)
}

impl From<GenerateError> for AppError {
    fn from(e: GenerateError) -> AppError {
        AppError::Usage(e.to_string())
    }
}
