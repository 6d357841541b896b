//! `--verify` on `timeline`, `denied` and `outside`: switch hashing on in the pipeline, then judge the hashes
//! (`verify`'s checks) into the book rows are labelled from. Needs the `aws` feature (RSA, SHA-256).

use super::AppError;
use crate::analyze::integrity::{IntegrityBook, IntegritySummary};
use crate::cli::VerifyFlags;
use crate::ingest::{IngestConfig, InputStats};

/// Turns content hashing on when `--verify` is given.
pub(super) fn enable(flags: &VerifyFlags, ingest: &mut IngestConfig) -> Result<(), AppError> {
    if flags.verify && !cfg!(feature = "aws") {
        return Err(AppError::Usage(
            "--verify needs the `aws` feature (RSA signatures and SHA-256 come from aws-lc-rs); rebuild with \
             `--features aws`"
                .to_owned(),
        ));
    }
    ingest.decode.hash_content = flags.verify;
    Ok(())
}

/// The book and the file-level summary, when `--verify` was given.
#[cfg(feature = "aws")]
pub(super) fn judge(
    flags: &VerifyFlags,
    stats: &InputStats,
    ingest: &IngestConfig,
) -> Result<Option<(IntegrityBook, IntegritySummary)>, AppError> {
    if !flags.verify {
        return Ok(None);
    }
    let report =
        crate::verify::pass::judge(&stats.contents, &flags.public_keys, &ingest.remote).map_err(AppError::Usage)?;
    let book = crate::verify::pass::book(&report);
    let mut summary = IntegritySummary {
        verdict: report.verdict.to_owned(),
        deleted_files: report.totals.files_deleted,
        digests_failed: report.totals.digests_invalid + report.totals.digests_unchecked + report.totals.digests_missing,
        ..IntegritySummary::default()
    };
    for integrity in book.files.values() {
        summary.files.add(*integrity, 1);
    }
    Ok(Some((book, summary)))
}

#[cfg(not(feature = "aws"))]
pub(super) fn judge(
    _flags: &VerifyFlags,
    _stats: &InputStats,
    _ingest: &IngestConfig,
) -> Result<Option<(IntegrityBook, IntegritySummary)>, AppError> {
    Ok(None)
}

/// The human summary line of `--verify` (`what` names the rows: requests, findings).
pub(super) fn write_line(
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
