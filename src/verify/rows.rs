//! The columns of `verify`'s rows, declared once ([`crate::report::rows`]): the counts per account and region
//! ([`AccountRegion`]), the digests ([`DigestRow`]) and the log files that are not verified ([`FileRow`]). Their
//! names are the JSON fields; the tables show the problems whole (paths are the point of them).

use super::evaluate::{AccountRegion, DigestRow, FileRow};
use crate::report::rows::{Column, Get, Row, Shown};

impl Row for AccountRegion {
    const COLUMNS: &'static [Column<Self>] = &[
        Column { name: "account", get: Get::Str(|a| Some(a.account.as_str())) },
        Column { name: "region", get: Get::Str(|a| Some(&a.region)) },
        Column { name: "files_verified", get: Get::U64(|a| a.counts.files_verified) },
        Column { name: "files_modified", get: Get::U64(|a| a.counts.files_modified) },
        Column { name: "files_invalid", get: Get::U64(|a| a.counts.files_invalid) },
        Column { name: "files_deleted", get: Get::U64(|a| a.counts.files_deleted) },
        Column { name: "files_not_covered", get: Get::U64(|a| a.counts.files_not_covered) },
        Column { name: "digests_valid", get: Get::U64(|a| a.counts.digests_valid) },
        Column { name: "digests_invalid", get: Get::U64(|a| a.counts.digests_invalid) },
        Column { name: "digests_unchecked", get: Get::U64(|a| a.counts.digests_unchecked) },
        Column { name: "digests_missing", get: Get::U64(|a| a.counts.digests_missing) },
    ];

    const TABLE: &'static [Shown<Self>] = &[
        Shown { header: "ACCOUNT", cell: |a| a.account.to_string() },
        Shown { header: "REGION", cell: |a| a.region.clone() },
        Shown { header: "VERIFIED", cell: |a| a.counts.files_verified.to_string() },
        Shown { header: "MODIFIED", cell: |a| a.counts.files_modified.to_string() },
        Shown { header: "INVALID", cell: |a| a.counts.files_invalid.to_string() },
        Shown { header: "DELETED", cell: |a| a.counts.files_deleted.to_string() },
        Shown { header: "NOT COVERED", cell: |a| a.counts.files_not_covered.to_string() },
        Shown { header: "DIGESTS OK", cell: |a| a.counts.digests_valid.to_string() },
        Shown { header: "DIGESTS BAD", cell: |a| a.counts.digests_invalid.to_string() },
        Shown { header: "UNCHECKED", cell: |a| a.counts.digests_unchecked.to_string() },
        Shown { header: "MISSING", cell: |a| a.counts.digests_missing.to_string() },
    ];
}

impl Row for DigestRow {
    const COLUMNS: &'static [Column<Self>] = &[
        Column { name: "path", get: Get::Str(|d| Some(&d.path)) },
        Column { name: "account", get: Get::Str(|d| Some(d.account.as_str())) },
        Column { name: "region", get: Get::Str(|d| Some(&d.region)) },
        Column { name: "end_time", get: Get::Str(|d| d.end_time.as_deref()) },
        Column { name: "status", get: Get::Str(|d| Some(d.status)) },
        Column { name: "reason", get: Get::Str(|d| d.reason.map(|r| r.as_str())) },
        Column { name: "detail", get: Get::Str(|d| d.detail.as_deref()) },
        Column { name: "files_listed", get: Get::U64(|d| d.files_listed as u64) },
    ];

    const TABLE: &'static [Shown<Self>] = &[
        Shown { header: "DIGEST", cell: |d| d.path.clone() },
        Shown { header: "STATUS", cell: |d| d.status.to_owned() },
        Shown { header: "REASON", cell: |d| d.reason.map(|r| r.as_str().to_owned()).unwrap_or_default() },
        Shown { header: "DETAIL", cell: |d| d.detail.clone().unwrap_or_default() },
    ];
}

impl Row for FileRow {
    const COLUMNS: &'static [Column<Self>] = &[
        Column { name: "path", get: Get::Str(|f| Some(&f.path)) },
        Column { name: "account", get: Get::Str(|f| Some(f.account.as_str())) },
        Column { name: "region", get: Get::Str(|f| Some(&f.region)) },
        Column { name: "status", get: Get::Str(|f| Some(f.status.as_str())) },
        Column { name: "digest", get: Get::Str(|f| f.digest.as_deref()) },
        Column { name: "detail", get: Get::Str(|f| f.detail.as_deref()) },
    ];

    const TABLE: &'static [Shown<Self>] = &[
        Shown { header: "FILE", cell: |f| f.path.clone() },
        Shown { header: "STATUS", cell: |f| f.status.as_str().to_owned() },
        Shown {
            header: "LISTED IN",
            cell: |f| {
                let digest = f.digest.as_deref().unwrap_or_default();
                digest.rsplit(['/', '\\']).next().unwrap_or(digest).to_owned()
            },
        },
        Shown { header: "DETAIL", cell: |f| f.detail.clone().unwrap_or_default() },
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::rows::{View, cells};
    use crate::verify::evaluate::Counts;
    use crate::verify::status::{DigestProblem, FileStatus};

    /// The table cells say what the JSON fields say (the digest shown by its file name).
    #[test]
    fn table_cells_follow_the_rows() {
        let account = AccountRegion {
            account: "111122223333".into(),
            region: "us-east-1".into(),
            counts: Counts { files_verified: 3, files_deleted: 1, digests_missing: 2, ..Counts::default() },
        };
        assert_eq!(
            cells(&account, View::PLAIN),
            ["111122223333", "us-east-1", "3", "0", "0", "1", "0", "0", "0", "0", "2"]
        );
        let file = FileRow {
            path: "a/b.json.gz".into(),
            account: "1".into(),
            region: "r".into(),
            status: FileStatus::Modified,
            digest: Some("s3://bucket/AWSLogs/x/CloudTrail-Digest/d.json.gz".into()),
            detail: None,
        };
        assert_eq!(cells(&file, View::PLAIN), ["a/b.json.gz", "modified", "d.json.gz", ""]);
        let unlisted = FileRow { digest: None, status: FileStatus::NotCovered, ..file };
        assert_eq!(cells(&unlisted, View::PLAIN), ["a/b.json.gz", "not_covered", "", ""]);
        let digest = DigestRow {
            path: "d.json.gz".into(),
            account: "1".into(),
            region: "r".into(),
            end_time: None,
            status: "invalid",
            reason: Some(DigestProblem::SignatureMismatch),
            detail: Some("why".into()),
            files_listed: 4,
        };
        let reason = DigestProblem::SignatureMismatch.as_str();
        assert_eq!(cells(&digest, View::PLAIN), ["d.json.gz", "invalid", reason, "why"]);
    }
}
