//! The page's content, built from the analyzers' reports: plain strings and numbers for the template, which
//! escapes every one of them. Anchors (`denial-3`, `finding-0`, `policy-1`) are made here from positions, never
//! from log content; classes are fixed names.

use std::collections::BTreeMap;

use super::chart::{self, Chart, Part};
use crate::analyze::classify::Cause;
use crate::analyze::counter::Counted;
use crate::analyze::denied::DeniedReport;
use crate::analyze::outside::OutsideReport;
use crate::analyze::propose::Proposal;
use crate::analyze::scan::ScanReport;
use crate::analyze::series::Series;
use crate::ingest::InputStats;
use crate::model::{AccountId, Timestamp, VpceId};
use crate::report::Window;
use crate::report::escape::escape_json_text;

/// Detail rows shown per table (the JSON reports of `denied` and `outside` have them all).
pub const MAX_ROWS: usize = 200;
/// Bars per chart at most.
pub const MAX_BARS: usize = 96;
/// Top groups linked from each cause and evidence.
const TOP_GROUPS: usize = 3;

/// One proposal with what the page shows beside it.
pub struct ProposalInput<'a> {
    pub proposal: &'a Proposal,
    /// The current policy's name (its file) and text, when the config gives one.
    pub current: Option<(String, String)>,
    /// The `aws_vpc_endpoint_policy` resource (`propose --format terraform`).
    pub terraform: String,
}

/// Everything the page is built from.
pub struct Inputs<'a> {
    pub window: Window,
    pub stats: &'a InputStats,
    pub scan: &'a ScanReport,
    pub denied: &'a DeniedReport,
    pub outside: &'a OutsideReport,
    pub series: &'a Series,
    pub proposals: Vec<ProposalInput<'a>>,
    /// Endpoints without a proposal, and why.
    pub skipped: Vec<(String, String)>,
}

pub struct Page {
    pub version: &'static str,
    pub window: String,
    pub headline: Vec<(&'static str, u64)>,
    pub legend: Vec<(&'static str, &'static str)>,
    pub endpoints: Vec<EndpointView>,
    pub causes: Vec<CauseRow>,
    pub denials: Vec<DenialView>,
    pub denials_hidden: usize,
    pub denied_requests: u64,
    pub severities: Vec<(&'static str, u64)>,
    pub findings: Vec<FindingView>,
    pub findings_hidden: usize,
    pub proposals: Vec<ProposalView>,
    pub skipped: Vec<(String, String)>,
    pub books: Vec<(&'static str, u64)>,
    pub categories: Vec<(String, u64)>,
    pub bad_files: Vec<(String, String)>,
    pub bad_records: Vec<(String, String, String)>,
    pub notes: Vec<String>,
}

pub struct EndpointView {
    pub anchor: String,
    pub vpce: String,
    /// `customer`, `unknown`, `aws`, `foreign`.
    pub owner: &'static str,
    pub owner_class: &'static str,
    pub basis: &'static str,
    pub operator: String,
    pub accounts: String,
    pub records: u64,
    pub denied: u64,
    pub first_seen: String,
    pub last_seen: String,
    pub coverage: String,
    pub covered: bool,
    pub services: Vec<(String, u64)>,
    pub principals: Vec<(String, u64)>,
    pub actions: Vec<(String, u64)>,
    pub chart: Option<Chart>,
}

/// Denials of one cause and evidence, with links to their largest groups.
pub struct CauseRow {
    pub cause: &'static str,
    pub class: &'static str,
    pub evidence: &'static str,
    pub requests: u64,
    pub groups: usize,
    /// (anchor, label, count) of the largest groups shown in the detail table.
    pub top: Vec<(String, String, u64)>,
}

pub struct DenialView {
    pub anchor: String,
    pub cause: String,
    pub deny: &'static str,
    pub evidence: &'static str,
    pub statement: String,
    pub endpoint: String,
    pub principal: String,
    pub action: String,
    pub resource: String,
    pub count: u64,
    pub first_seen: String,
    pub last_seen: String,
    pub source_ips: String,
    pub sample_event: String,
}

pub struct FindingView {
    pub anchor: String,
    pub severity: &'static str,
    pub kind: &'static str,
    pub outcome: &'static str,
    pub principal: String,
    pub endpoint: String,
    pub resource: String,
    pub actions: String,
    pub source_ips: String,
    pub count: u64,
    pub first_seen: String,
    pub last_seen: String,
    pub evidence: &'static str,
    pub reason: String,
}

pub struct ProposalView {
    pub anchor: String,
    pub vpce: String,
    pub statements: usize,
    pub size_chars: usize,
    pub observed: u64,
    /// The replay verdict: (what, count).
    pub verdict: Vec<(&'static str, u64)>,
    pub verified: bool,
    pub current_name: String,
    pub current_text: String,
    pub proposed_text: String,
    pub terraform: String,
    pub comparison: Option<ComparisonView>,
    pub left_out: Vec<String>,
    pub notes: Vec<String>,
}

pub struct ComparisonView {
    pub probes: u64,
    pub allowed_by_current: u64,
    pub allowed_by_proposal: u64,
    pub removed: u64,
    pub added: u64,
    pub strictly_narrower: bool,
    pub removed_lists: Vec<(&'static str, String)>,
    pub added_examples: Vec<String>,
    pub observed_current: u64,
    pub observed_unknown: u64,
    pub observed_proposal: u64,
}

fn time(t: Option<Timestamp>) -> String {
    t.map(Timestamp::to_rfc3339).unwrap_or_else(|| "-".to_owned())
}

fn or_dash(text: Option<&str>) -> String {
    text.unwrap_or("-").to_owned()
}

fn counted(list: &[Counted]) -> Vec<(String, u64)> {
    list.iter().map(|c| (c.name.clone(), c.count)).collect()
}

fn services(map: &BTreeMap<String, u64>) -> Vec<(String, u64)> {
    let mut list: Vec<(String, u64)> = map.iter().map(|(s, n)| (s.clone(), *n)).collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list
}

fn cause_class(cause: Cause) -> &'static str {
    Part::Denied(cause).class()
}

/// The window the charts cover: the flags', else what the input showed.
fn chart_window(window: Window, series: &Series) -> Option<(Timestamp, Timestamp)> {
    let seen = series.span();
    let since = window.since.or(seen.map(|s| s.0))?;
    let until = window.until.map(|u| Timestamp::from_millis(u.millis() - 1)).or(seen.map(|s| s.1))?;
    (since <= until).then_some((since, until))
}

impl Page {
    pub fn build(inputs: &Inputs<'_>) -> Page {
        let Inputs { window, stats, scan, denied, outside, series, .. } = inputs;
        let bucketed = chart_window(*window, series).map(|(since, until)| series.bucketed(since, until, MAX_BARS));
        let chart_of = |vpce: &VpceId<'_>| {
            let b = bucketed.as_ref()?;
            let counts = b.endpoints.get(vpce.as_str()).cloned().unwrap_or_else(|| vec![Default::default(); b.bars]);
            Some(chart::layout(&counts, b.start, b.width))
        };
        let mut endpoints = Vec::new();
        for e in &scan.endpoints {
            let (coverage, covered) = if e.network_activity > 0 {
                (
                    format!(
                        "{} network activity events: denials by this endpoint's policy are logged (VpceAccessDenied)",
                        e.network_activity
                    ),
                    true,
                )
            } else {
                (
                    "no network activity events: a denial by this endpoint's policy is known only from an error message \
                     or a replay (enable network activity events for this endpoint's service on the owner's trail)"
                        .to_owned(),
                    false,
                )
            };
            endpoints.push(EndpointView {
                anchor: format!("endpoint-{}", endpoints.len()),
                vpce: e.vpce.to_string(),
                owner: e.owner.as_str(),
                owner_class: "owner-customer",
                basis: e.owner_basis.as_str(),
                operator: String::new(),
                accounts: e.accounts.iter().map(AccountId::as_str).collect::<Vec<_>>().join(", "),
                records: e.records,
                denied: e.denied,
                first_seen: time(e.first_seen),
                last_seen: time(e.last_seen),
                coverage,
                covered,
                services: services(&e.services),
                principals: counted(&e.top_principals),
                actions: counted(&e.top_actions),
                chart: chart_of(&e.vpce),
            });
        }
        for e in scan.aws_operated_endpoints.iter().chain(&scan.foreign_endpoints) {
            endpoints.push(EndpointView {
                anchor: format!("endpoint-{}", endpoints.len()),
                vpce: e.vpce.to_string(),
                owner: e.owner.as_str(),
                owner_class: "owner-other",
                basis: e.basis.as_str(),
                operator: e.label.clone(),
                accounts: e.account.as_ref().map(AccountId::to_string).unwrap_or_default(),
                records: e.records,
                denied: e.denied,
                first_seen: time(e.first_seen),
                last_seen: time(e.last_seen),
                coverage: "not your endpoint: its requests count as through none of yours, and its network activity \
                           events (if any) are logged for its owner"
                    .to_owned(),
                covered: false,
                services: services(&e.services),
                principals: counted(&e.top_principals),
                actions: Vec::new(),
                chart: chart_of(&e.vpce),
            });
        }
        let (causes, denials) = denial_views(denied);
        let findings: Vec<FindingView> = outside
            .findings
            .iter()
            .take(MAX_ROWS)
            .enumerate()
            .map(|(i, f)| FindingView {
                anchor: format!("finding-{i}"),
                severity: f.severity.as_str(),
                kind: f.kind.as_str(),
                outcome: f.outcome,
                principal: f.principal.clone(),
                endpoint: f
                    .vpce
                    .as_ref()
                    .map(VpceId::to_string)
                    .or_else(|| f.vpce_operator.clone())
                    .unwrap_or_else(|| "-".to_owned()),
                resource: or_dash(f.resource.as_deref()),
                actions: f.actions.join(", "),
                source_ips: f.source_ips.join(", "),
                count: f.count,
                first_seen: time(f.first_seen),
                last_seen: time(f.last_seen),
                evidence: f.evidence,
                reason: f.reason.clone(),
            })
            .collect();
        let severities = outside.totals.by_severity.iter().map(|(s, n)| (s.as_str(), *n)).collect();
        let proposals = inputs.proposals.iter().enumerate().map(|(i, p)| proposal_view(i, p)).collect();
        let mut notes = Vec::new();
        for note in stats.notes.iter().chain(&scan.notes).chain(&denied.notes).chain(&outside.notes) {
            if !notes.contains(note) {
                notes.push(note.clone());
            }
        }
        if series.untimed > 0 {
            notes.push(format!("{} requests through endpoints have no time: counted, not charted", series.untimed));
        }
        let legend = Part::all().map(|p| (p.class(), p.label())).collect();
        Page {
            version: crate::report::VERSION,
            window: window_text(*window, series),
            headline: vec![
                ("records", stats.records),
                ("access-log lines", stats.access_log_lines),
                ("your endpoints", scan.endpoints.len() as u64),
                ("denied requests", denied.totals.denied_requests),
                ("endpoint-policy denials", denied.totals.by_cause.get("vpce-policy").copied().unwrap_or(0)),
                ("outside findings", outside.findings.len() as u64),
            ],
            legend,
            endpoints,
            causes,
            denials_hidden: denied.denials.len().saturating_sub(MAX_ROWS),
            denials,
            denied_requests: denied.totals.denied_requests,
            severities,
            findings_hidden: outside.findings.len().saturating_sub(MAX_ROWS),
            findings,
            proposals,
            skipped: inputs.skipped.clone(),
            books: vec![
                ("files", stats.files),
                ("records", stats.records),
                ("access-log lines", stats.access_log_lines),
                ("duplicates dropped", stats.duplicate_records),
                ("filtered out", stats.filtered_out),
                ("aggregated events", stats.aggregated_records),
                ("digest files", stats.digest_files),
                ("skipped files", stats.skipped_files),
                ("bad records", stats.bad_records),
                ("bad files", stats.bad_files.len() as u64),
            ],
            categories: stats.event_categories.iter().map(|(c, n)| (c.clone(), *n)).collect(),
            bad_files: stats
                .bad_files
                .iter()
                .map(|b| {
                    let recovered =
                        b.recovered_records.map(|n| format!(" ({n} records recovered)")).unwrap_or_default();
                    (b.path.clone(), format!("{}{recovered}", b.error))
                })
                .collect(),
            bad_records: stats
                .bad_record_samples
                .iter()
                .map(|s| (s.path.clone(), s.location.clone(), s.reason.clone()))
                .collect(),
            notes,
        }
    }
}

fn window_text(window: Window, series: &Series) -> String {
    let bound = |t: Option<Timestamp>, seen: Option<Timestamp>, which: &str| match (t, seen) {
        (Some(t), _) => t.to_rfc3339(),
        (None, Some(seen)) => format!("{} ({which} record)", seen.to_rfc3339()),
        (None, None) => format!("the {which} record"),
    };
    let span = series.span();
    format!("{} to {}", bound(window.since, span.map(|s| s.0), "first"), bound(window.until, span.map(|s| s.1), "last"))
}

/// The by-cause summary (with links to the largest groups) and the detail rows.
fn denial_views(denied: &DeniedReport) -> (Vec<CauseRow>, Vec<DenialView>) {
    let mut by: BTreeMap<(Cause, &'static str), CauseRow> = BTreeMap::new();
    for (i, row) in denied.denials.iter().enumerate() {
        let entry = by.entry((row.cause, row.evidence.as_str())).or_insert_with(|| CauseRow {
            cause: row.cause.as_str(),
            class: cause_class(row.cause),
            evidence: row.evidence.as_str(),
            requests: 0,
            groups: 0,
            top: Vec::new(),
        });
        entry.requests += row.count;
        entry.groups += 1;
        // Rows come sorted by count: the first ones met are the largest.
        if entry.top.len() < TOP_GROUPS && i < MAX_ROWS {
            let label = [row.principal.as_deref(), row.action.as_deref(), row.resource.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ");
            entry.top.push((format!("denial-{i}"), label, row.count));
        }
    }
    let mut causes: Vec<CauseRow> = by.into_values().collect();
    causes.sort_by(|a, b| b.requests.cmp(&a.requests).then_with(|| a.cause.cmp(b.cause)));
    let rows = denied
        .denials
        .iter()
        .take(MAX_ROWS)
        .enumerate()
        .map(|(i, r)| DenialView {
            anchor: format!("denial-{i}"),
            cause: if r.possibly_vpce { "unknown (possibly vpce)".to_owned() } else { r.cause.as_str().to_owned() },
            deny: r.deny.as_str(),
            evidence: r.evidence.as_str(),
            statement: r.statement.clone().unwrap_or_default(),
            endpoint: r
                .vpce
                .as_ref()
                .map(VpceId::to_string)
                .or_else(|| r.vpce_operator.clone())
                .unwrap_or_else(|| "-".to_owned()),
            principal: r.principal.clone().unwrap_or_else(|| "*".to_owned()),
            action: or_dash(r.action.as_deref()),
            resource: or_dash(r.resource.as_deref()),
            count: r.count,
            first_seen: time(r.first_seen),
            last_seen: time(r.last_seen),
            source_ips: r.source_ips.join(", "),
            sample_event: r.sample_event_id.clone().unwrap_or_default(),
        })
        .collect();
    (causes, rows)
}

fn proposal_view(i: usize, input: &ProposalInput<'_>) -> ProposalView {
    let p = input.proposal;
    let v = &p.verified;
    let comparison = p.compared_with_current.as_ref().map(|c| ComparisonView {
        probes: c.probes.total,
        allowed_by_current: c.probes.allowed_by_current,
        allowed_by_proposal: c.probes.allowed_by_proposal,
        removed: c.probes.removed,
        added: c.probes.added,
        strictly_narrower: c.strictly_narrower,
        removed_lists: [
            ("actions", &c.actions_removed),
            ("resources", &c.resources_removed),
            ("principals", &c.principals_removed),
        ]
        .into_iter()
        .filter(|(_, list)| !list.is_empty())
        .map(|(what, list)| (what, list.join(", ")))
        .collect(),
        added_examples: c.added_examples.clone(),
        observed_current: c.observed.allowed_by_current,
        observed_unknown: c.observed.unknown_under_current,
        observed_proposal: c.observed.allowed_by_proposal,
    });
    let (current_name, current_text) = input.current.clone().unwrap_or_default();
    ProposalView {
        anchor: format!("policy-{i}"),
        vpce: p.vpce.to_string(),
        statements: p.policy.statement.len(),
        size_chars: p.size_chars,
        observed: p.observed_requests,
        verdict: vec![
            ("covered requests allowed", v.allowed),
            ("covered requests not allowed", v.not_allowed),
            ("covered requests unknown", v.unknown),
            ("denied requests that stay denied", v.denied_stay_denied),
            ("denied requests this policy would allow (another policy denied them)", v.denied_allowed_by_proposal),
            ("left-out requests denied", v.left_out_denied),
        ],
        verified: v.not_allowed == 0,
        current_name,
        current_text: escape_json_text(&current_text).into_owned(),
        // The policy JSON with bidi and control characters as JSON escapes: the same document when copied.
        proposed_text: escape_json_text(&p.text).into_owned(),
        terraform: escape_json_text(&input.terraform).into_owned(),
        comparison,
        left_out: p
            .left_out
            .iter()
            .map(|l| {
                format!(
                    "{} ({}, {} x{}): {} {}",
                    l.reason,
                    l.outcome,
                    l.action,
                    l.count,
                    l.principal.as_deref().unwrap_or("?"),
                    l.resource.as_deref().unwrap_or("(no resource)")
                )
            })
            .collect(),
        notes: p.notes.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(millis: i64) -> Timestamp {
        Timestamp::from_millis(millis)
    }

    #[test]
    fn the_chart_window_is_the_flags_else_the_records() {
        let mut series = Series::default();
        series.add_request(&VpceId::from("vpce-1"), Some(t(1_000)));
        series.add_request(&VpceId::from("vpce-1"), Some(t(9_000)));
        let window = |since: Option<i64>, until: Option<i64>| Window { since: since.map(t), until: until.map(t) };
        let cases = [
            (window(None, None), Some((t(1_000), t(9_000)))),
            (window(Some(0), None), Some((t(0), t(9_000)))),
            // --until is exclusive: the last bucket is the one before it.
            (window(None, Some(20_000)), Some((t(1_000), t(19_999)))),
            (window(Some(10_000), Some(20_000)), Some((t(10_000), t(19_999)))),
        ];
        for (w, want) in cases {
            assert_eq!(chart_window(w, &series), want, "{w:?}");
        }
        assert_eq!(chart_window(window(None, None), &Series::default()), None, "nothing to chart");
    }

    #[test]
    fn the_window_says_where_its_ends_come_from() {
        let mut series = Series::default();
        series.add_request(&VpceId::from("vpce-1"), Some(t(0)));
        let text = window_text(Window { since: None, until: Some(t(86_400_000)) }, &series);
        assert_eq!(text, "1970-01-01T00:00:00Z (first record) to 1970-01-02T00:00:00Z");
        assert_eq!(window_text(Window::default(), &Series::default()), "the first record to the last record");
    }
}
