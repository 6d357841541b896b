//! `trail-vpce policy eval` and `trail-vpce policy lint`: one policy document, no logs.

use std::io::{BufRead, Read};
use std::path::Path;

use super::policy_input::{DecisionOutput, fill_endpoint_keys, parse_request};
use super::{AppError, RunOutcome};
use crate::cli::{EvalTask, LintFormat, LintTask, Requests};
use crate::config::{Overrides, Settings};
use crate::policy::{EvalOptions, LintSeverity, Policy, evaluate_with};
use crate::report::command::policy as write;
use crate::report::{self, Human};

/// Reads and parses a policy file; errors name the file and the JSON path.
fn read_policy(path: &Path) -> Result<(String, Policy), AppError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| AppError::Usage(format!("cannot read policy {}: {e}", path.display())))?;
    let policy = Policy::parse(&text).map_err(|e| AppError::Usage(format!("policy {}: {e}", path.display())))?;
    Ok((text, policy))
}

fn read_input(name: &str) -> Result<Box<dyn BufRead>, AppError> {
    if name == "-" {
        return Ok(Box::new(std::io::BufReader::new(std::io::stdin())));
    }
    let file = std::fs::File::open(name).map_err(|e| AppError::Usage(format!("cannot read {name}: {e}")))?;
    Ok(Box::new(std::io::BufReader::new(file)))
}

/// `policy eval`: one decision per request.
pub fn eval(task: &EvalTask) -> Result<RunOutcome, AppError> {
    let (_, policy) = read_policy(&task.policy)?;
    let options = EvalOptions::for_endpoint(task.kind);
    let env = match &task.config {
        Some(path) => Some(
            Settings::load(Some(path), &Overrides::default()).map_err(|e| AppError::Usage(e.to_string()))?.replay_env(),
        ),
        None => None,
    };
    let mut out = report::open_output(None)?;
    let decide = |line: &str| {
        let mut request = parse_request(line)?;
        if let Some(env) = &env {
            fill_endpoint_keys(&mut request, env);
        }
        Ok::<_, String>(DecisionOutput::from(&evaluate_with(&policy, &request, &options)))
    };
    let name = match &task.requests {
        Requests::One(name) => name,
        Requests::Many(name) => name,
    };
    if let Requests::One(_) = &task.requests {
        let mut text = String::new();
        read_input(name)?.read_to_string(&mut text).map_err(|e| AppError::Usage(format!("cannot read {name}: {e}")))?;
        let decision = decide(&text).map_err(|e| AppError::Usage(format!("request {name}: {e}")))?;
        report::write_ndjson(&mut out, [&decision])?;
        out.finish()?;
        return Ok(RunOutcome::Clean);
    }
    let mut failed: Vec<usize> = Vec::new();
    for (i, line) in read_input(name)?.lines().enumerate() {
        let number = i + 1;
        let line = line.map_err(|e| AppError::Usage(format!("{name}: line {number}: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        match decide(&line) {
            Ok(decision) => report::write_ndjson(&mut out, [&decision])?,
            Err(e) => {
                let message = format!("{name}: line {number}: {e}");
                let _ = writeln!(report::human::stderr(), "trail-vpce: error: {message}");
                report::write_ndjson(&mut out, [&serde_json::json!({ "error": message })])?;
                failed.push(number);
            }
        }
    }
    out.finish()?;
    if failed.is_empty() {
        return Ok(RunOutcome::Clean);
    }
    let lines = failed.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
    Err(AppError::Usage(format!("{name}: {} request lines could not be evaluated (lines {lines})", failed.len())))
}

/// `policy lint`.
pub fn lint(task: &LintTask) -> Result<RunOutcome, AppError> {
    let (text, policy) = read_policy(&task.file)?;
    let findings = crate::policy::lint(&text, &policy, task.kind);
    let name = task.file.display().to_string();
    let mut out = report::open_output(None)?;
    match task.format {
        LintFormat::Json => write::lint_json(&mut out, &name, task.kind, &findings)?,
        LintFormat::Table => write::lint_human(&mut Human::new(&mut out), &name, &findings)?,
    }
    out.finish()?;
    let errors = findings.iter().any(|f| f.severity == LintSeverity::Error);
    Ok(if errors { RunOutcome::Findings } else { RunOutcome::Clean })
}
