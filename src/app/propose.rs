//! `trail-vpce propose`: facts from the pipeline → one verified proposal per endpoint → policy JSON,
//! Terraform, CloudFormation, or the JSON report.

use std::io::Write;
use std::sync::Arc;

use serde::Serialize;

use super::propose_output::{cloudformation, terraform, write_summary};
use super::{AppError, RunOutcome, check_input};
use crate::analyze::propose::{
    Current, GenerateError, Proposal, ProposeError, ProposeFacts, ProposeOptions, propose_endpoint,
};
use crate::analyze::trust::TrustedSet;
use crate::cli::{ProposeFormat, ProposeTask};
use crate::config::{LoadedPolicy, Settings, load_policy};
use crate::ingest;
use crate::model::VpceId;
use crate::ownership::Ownership;
use crate::policy::EndpointKind;
use crate::report::{self, Envelope, Human, warn, write_input_summary};

/// An endpoint that got no proposal, and why.
#[derive(Debug, Serialize)]
pub(super) struct Skipped {
    pub vpce: VpceId<'static>,
    pub reason: String,
}

#[derive(Serialize)]
struct Body<'a> {
    proposals: &'a [Proposal],
    skipped: &'a [Skipped],
    options: OptionsEcho,
}

/// The options the proposals were made with (for the JSON report).
#[derive(Serialize)]
struct OptionsEcho {
    granularity: String,
    scope: &'static str,
    include_denied: bool,
    include_foreign: bool,
    allow_aws_owned: bool,
    action_wildcards: bool,
}

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
        propose_all(facts, &settings, &ownership, &base, current, single.is_some(), output.quiet)
    })??;
    let mut out = report::open_output(output.output.as_deref())?;
    match (task.format, &single) {
        (ProposeFormat::Table | ProposeFormat::Json, Some(_)) => {
            // The policy document alone on stdout (ready for modify-vpc-endpoint); the summary on stderr.
            for p in &proposals {
                out.write_all(p.text.as_bytes())?;
                if !output.quiet {
                    write_summary(&mut report::human::stderr(), p)?;
                }
            }
        }
        (ProposeFormat::Json, None) => {
            let body = Body { proposals: &proposals, skipped: &skipped, options: echo(&base) };
            report::write_json(
                &mut out,
                &Envelope {
                    command: "propose",
                    version: report::VERSION,
                    window: output.window,
                    input: &stats,
                    body: &body,
                },
            )?;
        }
        (ProposeFormat::Terraform, _) => {
            out.write_all(terraform(&proposals).as_bytes())?;
            summaries_to_stderr(&proposals, output.quiet)?;
        }
        (ProposeFormat::Cloudformation, _) => {
            report::write_json(&mut out, &cloudformation(&proposals))?;
            summaries_to_stderr(&proposals, output.quiet)?;
        }
        (ProposeFormat::Table, None) => {
            let mut out = Human::new(&mut out);
            for p in &proposals {
                write_summary(&mut out, p)?;
                out.json(&p.text)?;
                writeln!(out)?;
            }
            for s in &skipped {
                writeln!(out, "{}: no proposal: {}", s.vpce, s.reason)?;
            }
            if proposals.is_empty() && skipped.is_empty() {
                writeln!(out, "no requests through a VPC endpoint in the input")?;
            }
            write_input_summary(&mut out, &stats)?;
        }
    }
    out.finish()?;
    Ok(RunOutcome::Clean)
}

/// The accounts that own the customer's endpoints are trusted (they are the proposals' own accounts).
pub(super) fn trust_endpoint_owners(facts: &mut ProposeFacts, ownership: &Ownership) {
    for (_, owner, _) in ownership.iter() {
        if let (true, Some(account)) = (owner.class.is_customer_side(), &owner.account) {
            facts.trusted.observe_endpoint_owner(account);
        }
    }
}

/// Every endpoint's verified proposal, or why it got none (endpoints that are not the customer's, and generation
/// failures unless one endpoint was asked for: then the failure is the command's error). `current_file` is the
/// policy to compare with (`--current`), else each endpoint's policy in the config.
pub(super) fn propose_all(
    facts: ProposeFacts,
    settings: &Settings,
    ownership: &Ownership,
    base: &ProposeOptions,
    current_file: Option<&LoadedPolicy>,
    single: bool,
    quiet: bool,
) -> Result<(Vec<Proposal>, Vec<Skipped>), AppError> {
    let mut proposals = Vec::new();
    let mut skipped = Vec::new();
    let (endpoints, trusted) = facts.into_parts();
    // One endpoint's requests are decoded at a time, and freed once its proposal is made.
    for (vpce, tally) in endpoints {
        if let Some(operator) = ownership.operator_label(&vpce) {
            skipped.push(Skipped {
                vpce: vpce.clone(),
                reason: format!(
                    "not your endpoint ({operator}): no policy proposed for an endpoint you do not operate"
                ),
            });
            continue;
        }
        let endpoint = settings.endpoints.get(&vpce);
        let options =
            ProposeOptions { kind: endpoint.and_then(|e| e.kind).unwrap_or(EndpointKind::Gateway), ..base.clone() };
        let loaded = current_file.or_else(|| endpoint.and_then(|e| e.policy.as_ref()));
        let name = loaded.map(|l| l.path.display().to_string()).unwrap_or_default();
        let current = loaded.map(|l| Current { name: &name, policy: &l.policy });
        match propose_endpoint(&vpce, &tally.into_facts(), &trusted, &options, current) {
            Ok(p) => proposals.push(p),
            Err(ProposeError::Generate { vpce, source }) if !single => {
                if !quiet {
                    warn(format_args!("no proposal for {vpce}: {source}"));
                }
                skipped.push(Skipped { vpce: VpceId::from(vpce), reason: source.to_string() });
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok((proposals, skipped))
}

fn summaries_to_stderr(proposals: &[Proposal], quiet: bool) -> std::io::Result<()> {
    if quiet {
        return Ok(());
    }
    let mut err = report::human::stderr();
    proposals.iter().try_for_each(|p| write_summary(&mut err, p))
}

fn echo(options: &ProposeOptions) -> OptionsEcho {
    OptionsEcho {
        granularity: options.granularity.name(),
        scope: options.scope.name(),
        include_denied: options.include_denied,
        include_foreign: options.include_foreign,
        allow_aws_owned: options.allow_aws_owned,
        action_wildcards: options.action_wildcards,
    }
}

impl From<GenerateError> for AppError {
    fn from(e: GenerateError) -> AppError {
        AppError::Usage(e.to_string())
    }
}
