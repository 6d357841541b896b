//! Reading the sources for `verify`: every CloudTrail log file is hashed (SHA-256 of its uncompressed
//! content, streamed), every digest file is kept whole (they are small), parsed and paired with its signature
//! (S3 object metadata, or the `.sig` sidecar beside a local copy). Files are told apart by where they sit
//! (`AWSLogs/…/CloudTrail/…` or `…/CloudTrail-Digest/…`); anything else is counted and left alone. Local
//! files and S3 objects are read in parallel (rayon), one streaming buffer per worker.

use std::io::Read;
use std::path::Path;

use rayon::prelude::*;

use super::content::hash_content;
use super::digest::{Digest, Location, ObjectKind, locate};
use super::encoding::to_hex;
use super::evaluate::{FoundDigest, FoundLog};
use super::signature::{SIDECAR_SUFFIX, StoredSignature, from_metadata, from_sidecar};
use crate::ingest::{BadFile, IngestConfig, IngestError, InputStats, SkippedFile};
use crate::source::remote::{RemoteItem, RemotePlan};
use crate::source::{self, Input};

/// A digest file is a few hundred KB at most; past this it is not one.
const DIGEST_CAP: u64 = 64 << 20;
/// A sidecar is a signature (512 hex characters) or the JSON of `head-object`.
const SIDECAR_CAP: u64 = 64 << 10;

/// What the sources held.
#[derive(Debug, Default)]
pub struct Gathered {
    pub digests: Vec<FoundDigest>,
    pub logs: Vec<FoundLog>,
    pub stats: InputStats,
}

enum Piece {
    Digest(Box<FoundDigest>),
    Log(FoundLog),
    Skipped(String, String),
    Failed(String, String),
    Sidecar,
}

/// Reads every source.
pub fn gather(config: &IngestConfig) -> Result<Gathered, IngestError> {
    if config.sources.is_empty() {
        return Err(IngestError::NoSources);
    }
    let (remote, local): (Vec<Input>, Vec<Input>) = source::expand(&config.sources, config.follow_links)
        .into_iter()
        .partition(|i| matches!(i, Input::S3 { .. } | Input::Lookup));
    let cap = config.decode.max_decompressed_bytes;
    let mut pieces: Vec<Piece> = local.par_iter().map(|input| read_local(input, cap)).collect();
    if !remote.is_empty() {
        pieces.extend(read_remote(&remote, config, cap)?);
    }
    let mut gathered = Gathered::default();
    for piece in pieces {
        let stats = &mut gathered.stats;
        match piece {
            Piece::Digest(d) => {
                stats.files += 1;
                stats.digest_files += 1;
                gathered.digests.push(*d);
            }
            Piece::Log(l) => {
                stats.files += 1;
                gathered.logs.push(l);
            }
            Piece::Skipped(path, reason) => {
                stats.skipped_files += 1;
                stats.skipped.push(SkippedFile { path, reason });
            }
            Piece::Failed(path, error) => stats.bad_files.push(BadFile { path, error, recovered_records: None }),
            Piece::Sidecar => {}
        }
    }
    gathered.stats.skipped.sort();
    gathered.stats.bad_files.sort();
    Ok(gathered)
}

/// Why a file is left alone.
const NOT_CLOUDTRAIL: &str =
    "not a CloudTrail log or digest file (verify reads AWSLogs/…/CloudTrail and CloudTrail-Digest)";

/// Why a Parquet file is left alone: no digest can cover it.
pub const PARQUET_NO_DIGEST: &str = "Parquet (a trail-vpce export or OCSF): CloudTrail digests cover the \
    delivered log files only, so nothing here can be verified; verify the raw logs it was made from";

/// Why a local file outside the CloudTrail layout is left alone; Parquet (sniffed, as every command does) is
/// named as such, since it is the one input every other command reads that verify cannot.
fn not_cloudtrail(path: &Path) -> String {
    let mut magic = Vec::with_capacity(4);
    let read = std::fs::File::open(path).and_then(|f| f.take(4).read_to_end(&mut magic));
    if read.is_ok() && magic == b"PAR1" { PARQUET_NO_DIGEST.to_owned() } else { NOT_CLOUDTRAIL.to_owned() }
}

fn read_local(input: &Input, cap: u64) -> Piece {
    let (path, name) = match input {
        Input::File { path, name } => (path, name),
        Input::Failed { name, error } => return Piece::Failed(name.clone(), error.clone()),
        Input::Skipped { name, reason } => return Piece::Skipped(name.clone(), reason.clone()),
        Input::Stdin => {
            return Piece::Skipped("-".to_owned(), "verify reads files and s3:// prefixes, not stdin".into());
        }
        Input::S3 { .. } | Input::Lookup => return Piece::Skipped(input.name().to_owned(), "not a file".to_owned()),
    };
    if name.ends_with(SIDECAR_SUFFIX) {
        return Piece::Sidecar;
    }
    let (kind, location) = locate(name);
    let Some(location) = location else { return Piece::Skipped(name.clone(), not_cloudtrail(path)) };
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) => return Piece::Failed(name.clone(), e.to_string()),
    };
    match kind {
        ObjectKind::Digest => Piece::Digest(Box::new(read_digest(name, location, file, read_sidecar(path)))),
        ObjectKind::Log => Piece::Log(read_log(name, location, file, cap)),
        ObjectKind::Other => Piece::Skipped(name.clone(), NOT_CLOUDTRAIL.to_owned()),
    }
}

/// The signature beside a local digest copy: `X.json.gz.sig`.
fn read_sidecar(path: &Path) -> Option<StoredSignature> {
    let mut sidecar = path.as_os_str().to_owned();
    sidecar.push(SIDECAR_SUFFIX);
    let mut bytes = Vec::new();
    std::fs::File::open(sidecar).ok()?.take(SIDECAR_CAP).read_to_end(&mut bytes).ok()?;
    from_sidecar(&bytes)
}

fn read_digest(name: &str, location: Location, reader: impl Read, signature: Option<StoredSignature>) -> FoundDigest {
    let parsed = hash_content(reader, DIGEST_CAP, true).map_err(|e| e.to_string()).and_then(|content| {
        let bytes = content.kept.unwrap_or_default();
        let digest = Digest::parse(&bytes).map_err(|e| e.to_string())?;
        Ok((digest, to_hex(&content.sha256)))
    });
    FoundDigest { name: name.to_owned(), location, parsed, signature }
}

fn read_log(name: &str, location: Location, reader: impl Read, cap: u64) -> FoundLog {
    let hash = hash_content(reader, cap, false).map(|c| to_hex(&c.sha256)).map_err(|e| e.to_string());
    FoundLog { name: name.to_owned(), location, hash }
}

/// Lists and fetches the `s3://` sources (the same listing and resumable GETs as every command), then asks
/// HeadObject for the signature of each digest.
fn read_remote(inputs: &[Input], config: &IngestConfig, cap: u64) -> Result<Vec<Piece>, IngestError> {
    if let Some(lookup) = inputs.iter().find(|i| matches!(i, Input::Lookup)) {
        let reason = "LookupEvents has no digests: verify reads log files".to_owned();
        return Ok(vec![Piece::Skipped(lookup.name().to_owned(), reason)]);
    }
    #[cfg(feature = "aws")]
    let started = source::runner::start(inputs, &config.remote, &RemotePlan::default());
    #[cfg(not(feature = "aws"))]
    let started = source::remote::start(inputs, &config.remote, &RemotePlan::default());
    let mut stream = started?;
    let items = stream.take_items();
    let mut pieces: Vec<Piece> = items
        .par_bridge()
        .map(|item| match item {
            RemoteItem::Object { name, body } => {
                if name.ends_with(SIDECAR_SUFFIX) {
                    return Piece::Sidecar;
                }
                match locate(&name) {
                    (ObjectKind::Digest, Some(location)) => {
                        Piece::Digest(Box::new(read_digest(&name, location, body, None)))
                    }
                    (ObjectKind::Log, Some(location)) => Piece::Log(read_log(&name, location, body, cap)),
                    _ => Piece::Skipped(name, NOT_CLOUDTRAIL.to_owned()),
                }
            }
            RemoteItem::Failed { name, error } => Piece::Failed(name, error),
            RemoteItem::Skipped { name, reason } => Piece::Skipped(name, reason),
            RemoteItem::Listed { name, .. } => Piece::Skipped(name, "listed only, not fetched".to_owned()),
            RemoteItem::LookupPage { name, .. } | RemoteItem::LookupDone { name, .. } => {
                Piece::Skipped(name, "LookupEvents has no digests".to_owned())
            }
        })
        .collect();
    stream.finish()?;
    let objects: Vec<(usize, (String, String))> = pieces
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match p {
            Piece::Digest(d) => split_url(&d.name).map(|o| (i, o)),
            _ => None,
        })
        .collect();
    let wanted: Vec<(String, String)> = objects.iter().map(|(_, o)| o.clone()).collect();
    let metadata = source::integrity::object_metadata(&config.remote, &wanted)?;
    for ((i, _), meta) in objects.iter().zip(metadata) {
        if let (Piece::Digest(d), Ok(sources)) = (&mut pieces[*i], meta) {
            d.signature =
                from_metadata(&sources.metadata).or_else(|| sources.sidecar.as_deref().and_then(from_sidecar));
        }
    }
    Ok(pieces)
}

/// `s3://bucket/key` → (bucket, key).
fn split_url(name: &str) -> Option<(String, String)> {
    let (bucket, key) = name.strip_prefix("s3://")?.split_once('/')?;
    Some((bucket.to_owned(), key.to_owned()))
}
