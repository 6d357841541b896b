//! `--verify` on the analysis commands: the pipeline hashed every CloudTrail log and digest it read (in the
//! same pass, [`crate::decode::content`]); this judges those hashes like `verify` does and gives each file
//! its row-level [`Integrity`]. Also where public keys come from, for both.

use std::path::PathBuf;

use super::digest::{Digest, ObjectKind, locate};
use super::encoding::to_hex;
use super::evaluate::{FoundDigest, FoundLog, VerifyReport, evaluate};
use super::keys::{PublicKey, parse_key_list};
use super::signature::{SIDECAR_SUFFIX, from_metadata, from_sidecar};
use super::status::FileStatus;
use crate::analyze::integrity::{Integrity, IntegrityBook};
use crate::decode::content::UnitContent;
use crate::model::Timestamp;
use crate::source::remote::{RemoteConfig, RemoteError};

/// A row's integrity from its file's status.
pub fn integrity(status: FileStatus) -> Integrity {
    match status {
        FileStatus::Verified => Integrity::Verified,
        FileStatus::Modified | FileStatus::Invalid | FileStatus::Deleted => Integrity::Altered,
        FileStatus::NotCovered => Integrity::Unverified,
    }
}

/// The book rows are labelled from.
pub fn book(report: &VerifyReport) -> IntegrityBook {
    IntegrityBook {
        files: report.by_name.iter().map(|(name, status)| (name.clone(), integrity(*status))).collect(),
        ..IntegrityBook::default()
    }
}

/// Turns the pass's hashes into what [`evaluate`] judges; the signatures of `s3://` digests are asked of S3
/// (HeadObject), those of local copies read from their `.sig` sidecars.
pub fn from_contents(
    contents: &[(String, UnitContent)],
    remote: &RemoteConfig,
) -> Result<(Vec<FoundDigest>, Vec<FoundLog>), RemoteError> {
    let mut digests = Vec::new();
    let mut logs = Vec::new();
    for (name, content) in contents {
        match locate(name) {
            (ObjectKind::Log, Some(location)) => logs.push(FoundLog {
                name: name.clone(),
                location,
                hash: content.sha256.map(|h| to_hex(&h)).ok_or_else(|| "not read to its end".to_owned()),
            }),
            (ObjectKind::Digest, Some(location)) => {
                let parsed = match (&content.digest, content.sha256) {
                    (Some(bytes), Some(sha)) => {
                        Digest::parse(bytes).map(|d| (d, to_hex(&sha))).map_err(|e| e.to_string())
                    }
                    _ => Err("not read to its end".to_owned()),
                };
                let signature = if name.starts_with("s3://") {
                    None
                } else {
                    let sidecar = format!("{name}{SIDECAR_SUFFIX}");
                    std::fs::read(sidecar).ok().filter(|b| b.len() <= 64 << 10).and_then(|b| from_sidecar(&b))
                };
                digests.push(FoundDigest { name: name.clone(), location, parsed, signature });
            }
            _ => {}
        }
    }
    let objects: Vec<(usize, (String, String))> = digests
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            let (bucket, key) = d.name.strip_prefix("s3://")?.split_once('/')?;
            Some((i, (bucket.to_owned(), key.to_owned())))
        })
        .collect();
    if !objects.is_empty() {
        let wanted: Vec<(String, String)> = objects.iter().map(|(_, o)| o.clone()).collect();
        let metadata = crate::source::integrity::object_metadata(remote, &wanted)?;
        for ((i, _), meta) in objects.iter().zip(metadata) {
            if let Ok(sources) = meta {
                digests[*i].signature =
                    from_metadata(&sources.metadata).or_else(|| sources.sidecar.as_deref().and_then(from_sidecar));
            }
        }
    }
    digests.sort_by(|a, b| a.name.cmp(&b.name));
    logs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((digests, logs))
}

/// The keys from `--public-keys` files, else from ListPublicKeys for the digests' regions and time range.
pub fn load_keys(files: &[PathBuf], digests: &[FoundDigest], remote: &RemoteConfig) -> Result<Vec<PublicKey>, String> {
    if !files.is_empty() {
        let mut keys = Vec::new();
        for path in files {
            let bytes = std::fs::read(path).map_err(|e| format!("--public-keys {}: {e}", path.display()))?;
            keys.extend(parse_key_list(&bytes).map_err(|e| format!("--public-keys {}: {e}", path.display()))?);
        }
        return Ok(keys);
    }
    let parsed: Vec<_> = digests.iter().filter_map(|d| d.parsed.as_ref().ok()).collect();
    let (Some(start), Some(end)) = (parsed.iter().map(|(d, _)| d.start).min(), parsed.iter().map(|(d, _)| d.end).max())
    else {
        return Ok(Vec::new());
    };
    let mut regions: Vec<String> = digests.iter().map(|d| d.location.region.clone()).collect();
    regions.sort();
    regions.dedup();
    let listed = crate::source::integrity::list_public_keys(remote, &regions, start, end).map_err(|e| e.to_string())?;
    Ok(listed
        .into_iter()
        .map(|k| PublicKey {
            der: k.der,
            fingerprint: k.fingerprint,
            valid_from: k.valid_from.map(Timestamp::from_millis),
            valid_until: k.valid_until.map(Timestamp::from_millis),
        })
        .collect())
}

/// Judges what the pass hashed.
pub fn judge(
    contents: &[(String, UnitContent)],
    key_files: &[PathBuf],
    remote: &RemoteConfig,
) -> Result<VerifyReport, String> {
    let (digests, logs) = from_contents(contents, remote).map_err(|e| e.to_string())?;
    let keys = load_keys(key_files, &digests, remote)?;
    Ok(evaluate(&digests, &logs, &keys))
}
