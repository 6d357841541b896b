//! `check`'s writers: one ndjson line per group, and the human report (per endpoint, what the candidate policy
//! would break, maybe break and newly allow).

use std::io::Write;

use serde::Serialize;

use crate::analyze::check::rows::MISSING_KEYS_TABLE;
use crate::analyze::check::{CheckReport, EndpointReport, Group};
use crate::ingest::InputStats;
use crate::model::VpceId;
use crate::report::Human;
use crate::report::rows::{self, View};

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

pub fn write_ndjson(out: &mut dyn Write, body: &CheckReport) -> std::io::Result<()> {
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

pub fn write_human(out: &mut Human<impl Write>, body: &CheckReport, stats: &InputStats) -> std::io::Result<()> {
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
    super::write_footer(out, &body.notes, None, stats)
}
