//! `scan`'s human report: the customer's endpoints, the ones that are not theirs, aggregated events, the traffic
//! without an endpoint and the input summary.

use std::io::Write;

use crate::analyze::scan::ScanReport;
use crate::ingest::InputStats;
use crate::report::rows::{self, View};
use crate::report::{Human, Window};

pub fn write_human(
    out: &mut Human<impl Write>,
    body: &ScanReport,
    stats: &InputStats,
    window: Window,
) -> std::io::Result<()> {
    let table = rows::table(&body.endpoints, View::PLAIN);
    if let (Some(since), until) = (window.since, window.until) {
        writeln!(
            out,
            "window: {} .. {}",
            since.to_rfc3339(),
            until.map(|u| u.to_rfc3339()).unwrap_or_else(|| "now".into())
        )?;
    }
    if table.is_empty() {
        writeln!(out, "no requests through a customer VPC endpoint in the input")?;
    } else {
        out.table(&table)?;
    }
    let others: Vec<_> = body.aws_operated_endpoints.iter().chain(&body.foreign_endpoints).collect();
    if !others.is_empty() {
        writeln!(out)?;
        writeln!(out, "not your endpoints (AWS-operated or another account's; not in the analyses above):")?;
        out.table(&rows::table(others, View::PLAIN))?;
    }
    for (source, a) in &body.aggregated_events {
        let codes: Vec<String> = a.error_codes.iter().map(|(code, n)| format!("{code} {n}")).collect();
        writeln!(
            out,
            "aggregated events: {source}: {} summaries of {} requests{}",
            a.records,
            a.requests,
            if codes.is_empty() { String::new() } else { format!("; errors: {}", codes.join(", ")) }
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "without an endpoint: {} records ({} via AWS-internal endpoints); network activity events: {}; data events: {}",
        body.without_endpoint.records,
        body.without_endpoint.aws_internal,
        body.network_activity_events,
        body.data_events
    )?;
    if body.access_logs.lines > 0 {
        writeln!(
            out,
            "S3 access logs: {} lines ({} from private IPs, {} from public IPs, {} denied) across {} buckets",
            body.access_logs.lines,
            body.access_logs.private_source_ip,
            body.access_logs.public_source_ip,
            body.access_logs.denied,
            body.access_logs.buckets.len()
        )?;
    }
    super::write_footer(out, &body.notes, None, stats)
}
