//! `propose`'s writers: the human summary of each proposal, the JSON report, the policy documents alone (one
//! endpoint asked for), Terraform (`aws_vpc_endpoint_policy` with `jsonencode`) and a CloudFormation template
//! fragment.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::Value;

use crate::analyze::propose::statements::camel;
use crate::analyze::propose::{Proposal, ProposeOptions, SkipCause, Skipped};
use crate::ingest::InputStats;
use crate::policy::MAX_ENDPOINT_POLICY_CHARS;
use crate::report::{self, Envelope, Human, Window, warn, write_input_summary};

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

/// The JSON report: the proposals, the endpoints skipped and the options, in the common envelope.
pub fn json(
    out: &mut dyn Write,
    proposals: &[Proposal],
    skipped: &[Skipped],
    options: &ProposeOptions,
    window: Window,
    stats: &InputStats,
) -> io::Result<()> {
    let body = Body { proposals, skipped, options: echo(options) };
    report::write_json(
        out,
        &Envelope { command: "propose", version: report::VERSION, window, input: stats, body: &body },
    )
}

/// A warning on stderr for each endpoint whose policy could not be generated.
pub fn warn_generation_failures(skipped: &[Skipped]) {
    for s in skipped.iter().filter(|s| s.cause == SkipCause::GenerationFailed) {
        warn(format_args!("no proposal for {}: {}", s.vpce, s.reason));
    }
}

/// Each proposal's summary, its document, then the endpoints skipped and the input summary.
pub fn write_human(
    out: &mut Human<impl Write>,
    proposals: &[Proposal],
    skipped: &[Skipped],
    stats: &InputStats,
) -> io::Result<()> {
    for p in proposals {
        write_summary(out, p)?;
        out.json(&p.text)?;
        writeln!(out)?;
    }
    for s in skipped {
        writeln!(out, "{}: no proposal: {}", s.vpce, s.reason)?;
    }
    if proposals.is_empty() && skipped.is_empty() {
        writeln!(out, "no requests through a VPC endpoint in the input")?;
    }
    write_input_summary(out, stats)
}

/// The policy documents alone on `out` (ready for `modify-vpc-endpoint`), each summary on stderr when
/// `summaries`.
pub fn policies_alone(out: &mut dyn Write, proposals: &[Proposal], summaries: bool) -> io::Result<()> {
    for p in proposals {
        out.write_all(p.text.as_bytes())?;
        if summaries {
            write_summary(&mut report::human::stderr(), p)?;
        }
    }
    Ok(())
}

/// Each proposal's summary on stderr (when the document on stdout is Terraform or CloudFormation).
pub fn summaries_to_stderr(proposals: &[Proposal], summaries: bool) -> io::Result<()> {
    if !summaries {
        return Ok(());
    }
    let mut err = report::human::stderr();
    proposals.iter().try_for_each(|p| write_summary(&mut err, p))
}

/// The human summary of one proposal (every line escaped by [`Human`]: the endpoint id, bucket names in the
/// widening details and the notes come from the logs).
pub fn write_summary(out: &mut Human<impl Write>, p: &Proposal) -> io::Result<()> {
    let v = &p.verified;
    writeln!(
        out,
        "{}: {} statements, {} characters (limit {MAX_ENDPOINT_POLICY_CHARS}), from {} observed requests",
        p.vpce,
        p.policy.statement.len(),
        p.size_chars,
        p.observed_requests
    )?;
    writeln!(
        out,
        "  verified by replay: {} covered requests allowed, {} not allowed, {} unknown",
        v.allowed, v.not_allowed, v.unknown
    )?;
    writeln!(
        out,
        "  observed denied requests: {} stay denied, {} allowed by this policy (denied by another policy), {} unknown",
        v.denied_stay_denied, v.denied_allowed_by_proposal, v.denied_unknown
    )?;
    for u in &v.unknown_outcomes {
        writeln!(
            out,
            "  unknown ({} x{}): {} (depends on {})",
            u.outcome,
            u.count,
            u.request,
            u.missing_keys.join(", ")
        )?;
    }
    for l in &p.left_out {
        writeln!(
            out,
            "  left out ({}, {} x{}): {} {} {}{}",
            l.reason,
            l.outcome,
            l.count,
            l.principal.as_deref().unwrap_or("?"),
            l.action,
            l.resource.as_deref().unwrap_or("(no resource)"),
            l.resource_account.as_ref().map(|a| format!(" (owner {a})")).unwrap_or_default()
        )?;
    }
    for w in &p.widened {
        writeln!(
            out,
            "  widened ({}): {} [{} → {} characters]",
            w.step, w.detail, w.size_chars_before, w.size_chars_after
        )?;
    }
    for f in &p.action_wildcards {
        writeln!(
            out,
            "  action wildcard {} replaces {} and adds {} read-class action(s): {}",
            f.wildcard,
            f.replaces.join(", "),
            f.adds.len(),
            f.adds.join(", ")
        )?;
    }
    if let Some(c) = &p.compared_with_current {
        writeln!(
            out,
            "  compared with {}: of {} probe requests the current policy allows {}, the proposal {} ({} removed, {} added); observed requests allowed: current {} ({} unknown), proposal {}",
            c.current_policy,
            c.probes.total,
            c.probes.allowed_by_current,
            c.probes.allowed_by_proposal,
            c.probes.removed,
            c.probes.added,
            c.observed.allowed_by_current,
            c.observed.unknown_under_current,
            c.observed.allowed_by_proposal
        )?;
        for (what, list) in [
            ("actions", &c.actions_removed),
            ("resources", &c.resources_removed),
            ("principals", &c.principals_removed),
        ] {
            if !list.is_empty() {
                writeln!(out, "    no longer allowed {what}: {}", list.join(", "))?;
            }
        }
        for example in &c.added_examples {
            writeln!(out, "    newly allowed: {}", example)?;
        }
    }
    for note in &p.notes {
        writeln!(out, "  note: {note}")?;
    }
    Ok(())
}

/// One `aws_vpc_endpoint_policy` resource per proposal.
pub fn terraform(proposals: &[Proposal]) -> String {
    let mut out = String::new();
    for (i, p) in proposals.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let name = p.vpce.as_str().replace(|c: char| !c.is_ascii_alphanumeric(), "_");
        let value = serde_json::to_value(&p.policy).unwrap_or(Value::Null);
        out.push_str(&format!("resource \"aws_vpc_endpoint_policy\" \"{name}\" {{\n"));
        out.push_str(&format!("  vpc_endpoint_id = {}\n", hcl_string(p.vpce.as_str())));
        out.push_str(&format!("  policy = jsonencode({})\n", hcl_value(&value, 1)));
        out.push_str("}\n");
    }
    out
}

/// A JSON value as an HCL expression (objects with `=`, one element per line).
fn hcl_value(value: &Value, depth: usize) -> String {
    let pad = "  ".repeat(depth + 1);
    let close = "  ".repeat(depth);
    match value {
        Value::Object(map) if !map.is_empty() => {
            let items: Vec<String> =
                map.iter().map(|(k, v)| format!("{pad}{} = {}", hcl_string(k), hcl_value(v, depth + 1))).collect();
            format!("{{\n{}\n{close}}}", items.join("\n"))
        }
        Value::Array(items) if !items.is_empty() => {
            let items: Vec<String> = items.iter().map(|v| format!("{pad}{},", hcl_value(v, depth + 1))).collect();
            format!("[\n{}\n{close}]", items.join("\n"))
        }
        Value::Object(_) => "{}".to_owned(),
        Value::Array(_) => "[]".to_owned(),
        Value::String(s) => hcl_string(s),
        other => other.to_string(),
    }
}

/// An HCL quoted string: JSON-style escapes, and `${` / `%{` escaped so no template is interpolated.
fn hcl_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A CloudFormation template fragment: one `AWS::EC2::VPCEndpoint` per proposal carrying only its
/// `PolicyDocument` (merge it into the resource that manages the endpoint; `ServiceName`, `VpcId` and the rest
/// stay as they are). The endpoint id is in the resource's `Metadata`.
pub fn cloudformation(proposals: &[Proposal]) -> Value {
    let mut resources = serde_json::Map::new();
    for p in proposals {
        let logical = format!("{}PolicyOnly", camel(p.vpce.as_str(), 200));
        resources.insert(
            logical,
            serde_json::json!({
                "Type": "AWS::EC2::VPCEndpoint",
                "Metadata": {"trail-vpce": {"VpcEndpointId": p.vpce, "SizeChars": p.size_chars}},
                "Properties": {"PolicyDocument": p.policy},
            }),
        );
    }
    serde_json::json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Endpoint policies proposed by trail-vpce. A fragment: merge each PolicyDocument into the AWS::EC2::VPCEndpoint resource that manages the endpoint named in its Metadata (keep its ServiceName, VpcId and other properties).",
        "Resources": resources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hcl_strings_escape_templates() {
        let cases = [
            ("plain", "\"plain\""),
            ("a\"b", "\"a\\\"b\""),
            ("${aws:username}", "\"$${aws:username}\""),
            ("%{if}", "\"%%{if}\""),
            ("cost $5", "\"cost $5\""),
            ("tab\there", "\"tab\\there\""),
        ];
        for (input, want) in cases {
            assert_eq!(hcl_string(input), want, "{input}");
        }
    }

    proptest::proptest! {
        /// Terraform reads back exactly the text written: evaluated by an HCL implementation (with no variables
        /// defined, so any interpolation left unescaped would fail), every string comes back unchanged.
        #[test]
        fn hcl_strings_evaluate_to_their_text(text in "([$%{}\\\\\"\n\t\u{1b}a~é]|\\$\\{|%\\{|\\$\\$\\{){0,24}") {
            #[derive(serde::Deserialize)]
            struct Attr {
                a: String,
            }
            let source = format!("a = {}\n", hcl_string(&text));
            let read: Attr = hcl::eval::from_str(&source, &hcl::eval::Context::new())
                .map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{source}: {e}")))?;
            proptest::prop_assert_eq!(read.a, text, "{}", source);
        }
    }
}
