//! The `--verify` line of `denied`, `outside` and `timeline`'s human reports: rows and files by integrity, files
//! deleted, digests failed, the verdict.

use crate::analyze::integrity::IntegritySummary;

/// The human summary line of `--verify` (`what` names the rows: requests, findings).
pub fn write_line(
    out: &mut crate::report::Human<impl std::io::Write>,
    summary: &IntegritySummary,
    what: &str,
) -> std::io::Result<()> {
    let rows = summary.rows.unwrap_or_default();
    writeln!(
        out,
        "integrity: {} {what} from verified files, {} unverified, {} altered; files read: {} verified, {} unverified, {} altered; {} deleted, {} digests failed ({})",
        rows.verified,
        rows.unverified,
        rows.altered,
        summary.files.verified,
        summary.files.unverified,
        summary.files.altered,
        summary.deleted_files,
        summary.digests_failed,
        summary.verdict
    )
}
