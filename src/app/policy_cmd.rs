//! `trail-vpce policy eval` and `trail-vpce policy lint`: one policy document, no logs.

use std::io::{BufRead, Read, Write};
use std::path::Path;

use serde::Serialize;

use super::policy_input::{DecisionOutput, fill_endpoint_keys, parse_request};
use super::{AppError, RunOutcome};
use crate::cli::{EvalTask, LintFormat, LintTask, Requests};
use crate::config::{Overrides, Settings};
use crate::ingest::InputStats;
use crate::policy::{EndpointKind, EvalOptions, LintFinding, LintSeverity, Policy, evaluate_with};
use crate::report::{self, Envelope, Human, Table, Window};

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
        write_line(&mut out, &decision)?;
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
            Ok(decision) => write_line(&mut out, &decision)?,
            Err(e) => {
                let message = format!("{name}: line {number}: {e}");
                let _ = writeln!(report::human::stderr(), "trail-vpce: error: {message}");
                write_line(&mut out, &serde_json::json!({ "error": message }))?;
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

fn write_line<T: Serialize>(out: &mut dyn Write, value: &T) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(std::io::Error::other)?;
    writeln!(out)
}

/// One lint finding as `--format json` prints it.
#[derive(Serialize)]
struct FindingOut<'a> {
    severity: String,
    code: &'a str,
    path: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct LintReport<'a> {
    policy: String,
    endpoint_kind: Option<&'static str>,
    errors: usize,
    warnings: usize,
    findings: Vec<FindingOut<'a>>,
}

/// `policy lint`.
pub fn lint(task: &LintTask) -> Result<RunOutcome, AppError> {
    let (text, policy) = read_policy(&task.file)?;
    let kind = task.kind;
    let findings = crate::policy::lint(&text, &policy, kind);
    let count = |s: LintSeverity| findings.iter().filter(|f| f.severity == s).count();
    let errors = count(LintSeverity::Error);
    let mut out = report::open_output(None)?;
    match task.format {
        LintFormat::Json => {
            let body = LintReport {
                policy: task.file.display().to_string(),
                endpoint_kind: kind.map(|k| match k {
                    EndpointKind::Gateway => "gateway",
                    EndpointKind::Interface => "interface",
                }),
                errors,
                warnings: count(LintSeverity::Warning),
                findings: findings.iter().map(finding_out).collect(),
            };
            let input = InputStats::default();
            let envelope = Envelope {
                command: "policy lint",
                version: report::VERSION,
                window: Window::default(),
                input: &input,
                body: &body,
            };
            report::write_json(&mut out, &envelope)?;
        }
        LintFormat::Table => {
            let mut out = Human::new(&mut out);
            if findings.is_empty() {
                writeln!(out, "no findings in {}", task.file.display())?;
            } else {
                let mut table = Table::new(&["SEVERITY", "CODE", "PATH", "MESSAGE"]).max_width(400);
                for f in &findings {
                    table.row(vec![f.severity.to_string(), f.code.to_owned(), f.path.clone(), f.message.clone()]);
                }
                out.table(&table)?;
                writeln!(out)?;
                writeln!(
                    out,
                    "{} errors, {} warnings, {} info",
                    errors,
                    count(LintSeverity::Warning),
                    count(LintSeverity::Info)
                )?;
            }
        }
    }
    out.finish()?;
    Ok(if errors > 0 { RunOutcome::Findings } else { RunOutcome::Clean })
}

fn finding_out(f: &LintFinding) -> FindingOut<'_> {
    FindingOut { severity: f.severity.to_string(), code: f.code, path: &f.path, message: &f.message }
}
