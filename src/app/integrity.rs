//! `--verify` on `timeline`, `denied` and `outside`: switch hashing on in the pipeline, then judge the hashes
//! (`verify`'s checks) into the book rows are labelled from. Needs the `aws` feature (RSA, SHA-256): `cli`
//! refuses `--verify` in a build without it. The book also takes the pass's record of duplicate copies, so an
//! event's row answers for every file that held it.

use super::AppError;
use crate::analyze::integrity::{IntegrityBook, IntegritySummary};
use crate::cli::IntegrityCheck;
use crate::ingest::{IngestConfig, InputStats};
use crate::report::rows::View;

/// Turns content hashing on when `--verify` is given.
pub(super) fn enable(check: Option<&IntegrityCheck>, ingest: &mut IngestConfig) {
    ingest.decode.hash_content = check.is_some();
}

/// The columns the rows are written with: the integrity ones too with `--verify`.
pub(super) fn view(check: Option<&IntegrityCheck>) -> View {
    View { integrity: check.is_some() }
}

/// The book and the file-level summary, when `--verify` was given.
#[cfg(feature = "aws")]
pub(super) fn judge(
    check: Option<&IntegrityCheck>,
    stats: &mut InputStats,
    ingest: &IngestConfig,
) -> Result<Option<(IntegrityBook, IntegritySummary)>, AppError> {
    let Some(check) = check else {
        return Ok(None);
    };
    let report =
        crate::verify::pass::judge(&stats.contents, &check.public_keys, &ingest.remote).map_err(AppError::Usage)?;
    let book =
        IntegrityBook { copies: std::mem::take(&mut stats.copies).into_index(), ..crate::verify::pass::book(&report) };
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
    _check: Option<&IntegrityCheck>,
    _stats: &mut InputStats,
    _ingest: &IngestConfig,
) -> Result<Option<(IntegrityBook, IntegritySummary)>, AppError> {
    Ok(None)
}
