//! From what was found to the verdict: each digest checked (format, place, signature), the chains walked,
//! the listings of the valid digests compared with the log files found, everything counted per account and
//! region. Pure, apart from the RSA check.

use std::collections::BTreeMap;

use serde::Serialize;

use super::chain::{self, ChainFinding, Link};
use super::digest::{Digest, Location, digest_trail, is_backfill, locate};
use super::files::{self, Expected, Found};
use super::keys::PublicKey;
use super::signature::{self, StoredSignature};
use super::status::{DigestProblem, FileStatus};
use crate::model::AccountId;

/// A digest file found among the sources.
#[derive(Debug, Clone)]
pub struct FoundDigest {
    /// The path or `s3://` URL it was read from.
    pub name: String,
    pub location: Location,
    /// The parsed digest and the hex SHA-256 of its uncompressed content, or why it could not be read.
    pub parsed: Result<(Digest, String), String>,
    pub signature: Option<StoredSignature>,
}

/// A CloudTrail log file found among the sources.
#[derive(Debug, Clone)]
pub struct FoundLog {
    pub name: String,
    pub location: Location,
    /// Hex SHA-256 of its uncompressed content, or why it is not one complete gzip stream.
    pub hash: Result<String, String>,
}

/// Counts, for the whole input and per account and region.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub files_verified: u64,
    pub files_modified: u64,
    pub files_invalid: u64,
    pub files_deleted: u64,
    pub files_not_covered: u64,
    pub digests_valid: u64,
    pub digests_invalid: u64,
    pub digests_unchecked: u64,
    pub digests_missing: u64,
}

impl Counts {
    /// Whether anything fails as evidence.
    pub fn has_failures(&self) -> bool {
        self.files_modified
            + self.files_invalid
            + self.files_deleted
            + self.files_not_covered
            + self.digests_invalid
            + self.digests_unchecked
            + self.digests_missing
            > 0
    }

    fn file(&mut self, status: FileStatus) {
        *match status {
            FileStatus::Verified => &mut self.files_verified,
            FileStatus::Modified => &mut self.files_modified,
            FileStatus::Invalid => &mut self.files_invalid,
            FileStatus::Deleted => &mut self.files_deleted,
            FileStatus::NotCovered => &mut self.files_not_covered,
        } += 1;
    }

    fn digest(&mut self, problem: Option<DigestProblem>) {
        *match problem {
            None => &mut self.digests_valid,
            Some(p) if p.is_unchecked() => &mut self.digests_unchecked,
            Some(_) => &mut self.digests_invalid,
        } += 1;
    }
}

/// One account and region.
#[derive(Debug, Clone, Serialize)]
pub struct AccountRegion {
    pub account: AccountId<'static>,
    pub region: String,
    #[serde(flatten)]
    pub counts: Counts,
}

/// One digest file and its verdict.
#[derive(Debug, Clone, Serialize)]
pub struct DigestRow {
    pub path: String,
    pub account: AccountId<'static>,
    pub region: String,
    pub end_time: Option<String>,
    /// `valid`, `invalid` or `unchecked`.
    pub status: &'static str,
    pub reason: Option<DigestProblem>,
    /// What went wrong, in words.
    pub detail: Option<String>,
    pub files_listed: usize,
}

/// A digest the chain names that is not among the sources.
#[derive(Debug, Clone, Serialize)]
pub struct MissingDigest {
    /// Its `AWSLogs/…` path, as the next digest records it.
    pub path: String,
    pub account: AccountId<'static>,
    pub region: String,
    pub referenced_by: String,
}

/// One log file that is not verified (verified files are only counted).
#[derive(Debug, Clone, Serialize)]
pub struct FileRow {
    /// The path or URL found, or (deleted) the `AWSLogs/…` path the digest lists.
    pub path: String,
    pub account: AccountId<'static>,
    pub region: String,
    pub status: FileStatus,
    /// The digest that lists it.
    pub digest: Option<String>,
    pub detail: Option<String>,
}

/// The command's own JSON fields.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// `verified` when every digest is valid and chained and every log file is listed and intact; else `failed`.
    pub verdict: &'static str,
    pub public_keys: usize,
    pub totals: Counts,
    pub accounts: Vec<AccountRegion>,
    pub digests: Vec<DigestRow>,
    pub missing_digests: Vec<MissingDigest>,
    /// Digests that start a new chain after a gap (log file validation or logging was off in between).
    pub chain_restarts: Vec<String>,
    pub files: Vec<FileRow>,
    /// Every log file found, by the name it was read under, with its status (for `--verify` on other commands).
    #[serde(skip)]
    pub by_name: BTreeMap<String, FileStatus>,
}

impl VerifyReport {
    pub fn failed(&self) -> bool {
        self.verdict != "verified"
    }
}

/// Judges the digests and logs found.
pub fn evaluate(digests: &[FoundDigest], logs: &[FoundLog], keys: &[PublicKey]) -> VerifyReport {
    let mut problems: Vec<Option<(DigestProblem, String)>> = digests.iter().map(|d| check_digest(d, keys)).collect();
    let trails: Vec<String> =
        digests.iter().map(|d| d.parsed.as_ref().map(|(p, _)| digest_trail(&p.object)).unwrap_or_default()).collect();
    let previous_tails: Vec<Option<String>> =
        digests.iter().map(|d| d.parsed.as_ref().ok()?.0.previous.as_ref().map(|p| tail_of(&p.object))).collect();
    let links: Vec<Link<'_>> = digests
        .iter()
        .enumerate()
        .filter_map(|(index, d)| {
            let (digest, sha256) = d.parsed.as_ref().ok()?;
            Some(Link {
                index,
                trail: (d.location.account.as_str(), &d.location.region, &trails[index]),
                tail: &d.location.tail,
                end_millis: digest.end.millis(),
                backfill: is_backfill(&digest.object),
                sha256,
                signature: d.signature.as_ref().map(|s| s.hex.as_str()),
                previous: digest
                    .previous
                    .as_ref()
                    .zip(previous_tails[index].as_deref())
                    .map(|(p, tail)| (tail, p.hash.as_str(), p.signature.as_str())),
            })
        })
        .collect();
    let mut missing = Vec::new();
    let mut chain_restarts = Vec::new();
    for finding in chain::walk(&links) {
        match finding {
            ChainFinding::BrokenLink { index, previous_tail } => {
                if problems[index].is_none() {
                    let detail = format!(
                        "the previous digest {previous_tail} does not have the hash or signature this one records"
                    );
                    problems[index] = Some((DigestProblem::BrokenLink, detail));
                }
            }
            ChainFinding::Missing { index, previous_tail } => missing.push(MissingDigest {
                path: previous_tail,
                account: digests[index].location.account.clone(),
                region: digests[index].location.region.clone(),
                referenced_by: digests[index].name.clone(),
            }),
            ChainFinding::Restarted { index } => chain_restarts.push(digests[index].name.clone()),
        }
    }
    // Only valid digests vouch for files.
    let listed_tails: Vec<Vec<String>> = digests
        .iter()
        .map(|d| {
            d.parsed.as_ref().map(|(p, _)| p.logs.iter().map(|l| tail_of(&l.object)).collect()).unwrap_or_default()
        })
        .collect();
    let mut expected = Vec::new();
    for (index, d) in digests.iter().enumerate() {
        if let (None, Ok((digest, _))) = (&problems[index], &d.parsed) {
            for (log, tail) in digest.logs.iter().zip(&listed_tails[index]) {
                expected.push(Expected { tail, hash: &log.hash, digest: index });
            }
        }
    }
    let found: Vec<Found<'_>> = logs
        .iter()
        .map(|l| Found { tail: &l.location.tail, hash: l.hash.as_deref().map_err(String::as_str) })
        .collect();
    let verdicts = files::compare(&expected, &found);

    let mut totals = Counts::default();
    let mut groups: BTreeMap<(AccountId<'static>, String), Counts> = BTreeMap::new();
    fn group<'g>(
        groups: &'g mut BTreeMap<(AccountId<'static>, String), Counts>,
        account: &AccountId<'static>,
        region: &str,
    ) -> &'g mut Counts {
        groups.entry((account.clone(), region.to_owned())).or_default()
    }
    let mut rows = Vec::new();
    let mut by_name = BTreeMap::new();
    for verdict in &verdicts {
        let listing = verdict.expected.map(|e| digests[expected[e].digest].name.clone());
        let (path, account, region, detail) = match verdict.found {
            Some(i) => {
                by_name.insert(logs[i].name.clone(), verdict.status);
                let l = &logs[i];
                (l.name.clone(), l.location.account.clone(), l.location.region.clone(), l.hash.clone().err())
            }
            None => {
                let e = &expected[verdict.expected.unwrap_or_default()];
                let (_, location) = locate(e.tail);
                let location = location.unwrap_or_else(|| digests[e.digest].location.clone());
                (e.tail.to_owned(), location.account, location.region, None)
            }
        };
        totals.file(verdict.status);
        group(&mut groups, &account, &region).file(verdict.status);
        if verdict.status != FileStatus::Verified {
            rows.push(FileRow { path, account, region, status: verdict.status, digest: listing, detail });
        }
    }
    let mut digest_rows = Vec::new();
    for (d, problem) in digests.iter().zip(&problems) {
        let reason = problem.as_ref().map(|(p, _)| *p);
        totals.digest(reason);
        group(&mut groups, &d.location.account, &d.location.region).digest(reason);
        digest_rows.push(DigestRow {
            path: d.name.clone(),
            account: d.location.account.clone(),
            region: d.location.region.clone(),
            end_time: d.parsed.as_ref().ok().map(|(p, _)| p.end_text.clone()),
            status: match reason {
                None => "valid",
                Some(p) if p.is_unchecked() => "unchecked",
                Some(_) => "invalid",
            },
            reason,
            detail: problem.as_ref().map(|(_, detail)| detail.clone()),
            files_listed: d.parsed.as_ref().map_or(0, |(p, _)| p.logs.len()),
        });
    }
    for m in &missing {
        totals.digests_missing += 1;
        group(&mut groups, &m.account, &m.region).digests_missing += 1;
    }
    digest_rows.sort_by(|a, b| (&a.account, &a.region, &a.path).cmp(&(&b.account, &b.region, &b.path)));
    rows.sort_by(|a, b| (&a.account, &a.region, &a.path).cmp(&(&b.account, &b.region, &b.path)));
    let empty = digests.is_empty() && logs.is_empty();
    VerifyReport {
        verdict: if totals.has_failures() || empty { "failed" } else { "verified" },
        public_keys: keys.len(),
        totals,
        accounts: groups
            .into_iter()
            .map(|((account, region), counts)| AccountRegion { account, region, counts })
            .collect(),
        digests: digest_rows,
        missing_digests: missing,
        chain_restarts,
        files: rows,
        by_name,
    }
}

/// The `AWSLogs/…` tail of an object key (the key itself when it has none).
fn tail_of(object: &str) -> String {
    locate(object).1.map_or_else(|| object.to_owned(), |l| l.tail)
}

/// A digest's own problem: format, place, then signature.
fn check_digest(found: &FoundDigest, keys: &[PublicKey]) -> Option<(DigestProblem, String)> {
    let (digest, sha256) = match &found.parsed {
        Ok(parsed) => parsed,
        Err(reason) => return Some((DigestProblem::BadFormat, reason.clone())),
    };
    if tail_of(&digest.object) != found.location.tail {
        let detail = format!("it names itself {}", digest.object);
        return Some((DigestProblem::Moved, detail));
    }
    let problem = signature::check(digest, sha256, found.signature.as_ref(), keys).err()?;
    let detail = match problem {
        DigestProblem::KeyNotListed | DigestProblem::KeyNotValidThen => {
            format!("public key fingerprint {}", digest.fingerprint)
        }
        DigestProblem::NoSignature => {
            format!("no x-amz-meta-signature, no {} sidecar", signature::SIDECAR_SUFFIX)
        }
        _ => problem.as_str().replace('_', " "),
    };
    Some((problem, detail))
}
