//! `verify`'s human report: per account and region, the digests and files that failed, the missing digests and
//! chain restarts, then the verdict line.

use std::io::Write;

use crate::ingest::InputStats;
use crate::report::rows::{self, View};
use crate::report::{Human, write_input_summary};
use crate::verify::VerifyReport;

/// Paths are the point of these tables: shown whole up to this width.
const WIDE: usize = 240;

pub fn write_human(out: &mut Human<impl Write>, body: &VerifyReport, stats: &InputStats) -> std::io::Result<()> {
    let table = rows::table(&body.accounts, View::PLAIN);
    if table.is_empty() {
        writeln!(out, "no CloudTrail log or digest files in the input")?;
    } else {
        out.table(&table)?;
    }
    let bad_digests = rows::table(body.digests.iter().filter(|d| d.status != "valid"), View::PLAIN);
    if !bad_digests.is_empty() {
        writeln!(out)?;
        out.table(&bad_digests.max_width(WIDE))?;
    }
    for missing in &body.missing_digests {
        writeln!(out, "missing digest: {} (named by {})", missing.path, missing.referenced_by)?;
    }
    for restart in &body.chain_restarts {
        writeln!(out, "note: a new digest chain starts at {restart} (validation or logging was off before it)")?;
    }
    if !body.files.is_empty() {
        writeln!(out)?;
        out.table(&rows::table(&body.files, View::PLAIN).max_width(WIDE))?;
    }
    writeln!(out)?;
    let t = &body.totals;
    writeln!(
        out,
        "verdict: {}: {} log files verified, {} modified, {} invalid, {} deleted, {} not covered; {} digests valid, {} invalid, {} unchecked, {} missing ({} public keys)",
        body.verdict,
        t.files_verified,
        t.files_modified,
        t.files_invalid,
        t.files_deleted,
        t.files_not_covered,
        t.digests_valid,
        t.digests_invalid,
        t.digests_unchecked,
        t.digests_missing,
        body.public_keys
    )?;
    write_input_summary(out, stats)
}
