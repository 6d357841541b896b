//! `outside`'s human report: the numbered findings and their reasons, then the totals, the notes and the input
//! summary.

use std::io::Write;

use crate::analyze::outside::OutsideReport;
use crate::ingest::InputStats;
use crate::report::Human;
use crate::report::rows::{self, View};

pub fn write_human(
    out: &mut Human<impl Write>,
    body: &OutsideReport,
    stats: &InputStats,
    view: View,
) -> std::io::Result<()> {
    let table = rows::numbered_table(&body.findings, view);
    if table.is_empty() {
        writeln!(out, "no findings")?;
    } else {
        out.table(&table)?;
        writeln!(out)?;
        for (i, f) in body.findings.iter().enumerate() {
            writeln!(out, "{:>3}. {}", i + 1, f.reason)?;
        }
    }
    let severities: Vec<String> =
        body.totals.by_severity.iter().map(|(s, n)| format!("{} {}", n, s.as_str())).collect();
    writeln!(out)?;
    writeln!(
        out,
        "{} findings{}; {} requests through endpoints, {} outside; {} by AWS service principals (never a bypass); \
         {} to AWS-owned buckets (never foreign)",
        body.findings.len(),
        if severities.is_empty() { String::new() } else { format!(" ({})", severities.join(", ")) },
        body.totals.through_endpoint,
        body.totals.outside_endpoint,
        body.service_principal_requests,
        body.aws_owned_requests,
    )?;
    super::write_footer(out, &body.notes, body.integrity.as_ref().map(|s| (s, "finding requests")), stats)
}
