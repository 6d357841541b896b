//! `policy lint`'s writers: the JSON report (the common envelope, no input) and the human table of findings
//! with the counts by severity.

use std::io::{self, Write};

use serde::Serialize;

use crate::ingest::InputStats;
use crate::policy::{EndpointKind, LintFinding, LintSeverity};
use crate::report::{self, Envelope, Human, Table, Window};

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
    policy: &'a str,
    endpoint_kind: Option<&'static str>,
    errors: usize,
    warnings: usize,
    findings: Vec<FindingOut<'a>>,
}

fn count(findings: &[LintFinding], severity: LintSeverity) -> usize {
    findings.iter().filter(|f| f.severity == severity).count()
}

/// The JSON report of linting the policy file `policy`.
pub fn lint_json(
    out: &mut dyn Write,
    policy: &str,
    kind: Option<EndpointKind>,
    findings: &[LintFinding],
) -> io::Result<()> {
    let body = LintReport {
        policy,
        endpoint_kind: kind.map(|k| match k {
            EndpointKind::Gateway => "gateway",
            EndpointKind::Interface => "interface",
        }),
        errors: count(findings, LintSeverity::Error),
        warnings: count(findings, LintSeverity::Warning),
        findings: findings
            .iter()
            .map(|f| FindingOut { severity: f.severity.to_string(), code: f.code, path: &f.path, message: &f.message })
            .collect(),
    };
    let input = InputStats::default();
    let envelope = Envelope {
        command: "policy lint",
        version: report::VERSION,
        window: Window::default(),
        input: &input,
        body: &body,
    };
    report::write_json(out, &envelope)
}

/// The findings as a table, then the counts by severity.
pub fn lint_human(out: &mut Human<impl Write>, policy: &str, findings: &[LintFinding]) -> io::Result<()> {
    if findings.is_empty() {
        return writeln!(out, "no findings in {policy}");
    }
    let mut table = Table::new(&["SEVERITY", "CODE", "PATH", "MESSAGE"]).max_width(400);
    for f in findings {
        table.row(vec![f.severity.to_string(), f.code.to_owned(), f.path.clone(), f.message.clone()]);
    }
    out.table(&table)?;
    writeln!(out)?;
    writeln!(
        out,
        "{} errors, {} warnings, {} info",
        count(findings, LintSeverity::Error),
        count(findings, LintSeverity::Warning),
        count(findings, LintSeverity::Info)
    )
}
