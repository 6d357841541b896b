//! Remote inputs (S3 prefixes and the CloudTrail LookupEvents API) as seen by the pipeline: plain settings in,
//! a blocking stream of [`RemoteItem`]s out. The AWS SDK and its async runtime stay behind this boundary
//! (feature `aws`); without the feature, [`start`] refuses with a clear error.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::s3::layout::Prune;
use crate::model::Timestamp;

/// How to reach AWS, resolved from the command line (no clap or SDK types).
#[derive(Debug, Clone, Default)]
pub struct RemoteConfig {
    /// Named profile (`--profile`); `None` = the default chain (`AWS_PROFILE`, then `default`).
    pub profile: Option<String>,
    /// Regions for LookupEvents (and the client's region when the chain has none).
    pub regions: Vec<String>,
    /// Endpoint of an S3-compatible store or a local test server (`--endpoint-url`).
    pub endpoint_url: Option<String>,
    /// Path-style S3 addressing (`--s3-path-style`; automatic with an endpoint URL).
    pub path_style: bool,
    /// Objects fetched at once (`--s3-concurrency`).
    pub concurrency: usize,
    /// Attempts per request, first included (`--aws-max-attempts`); `None` = the SDK's configured default.
    pub max_attempts: Option<u32>,
}

/// Default number of objects in flight.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// What the pipeline needs to know to plan the listing.
#[derive(Debug, Clone, Default)]
pub struct RemotePlan {
    pub prune: Prune,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// List only: hand on each object the run would fetch as [`RemoteItem::Listed`], and fetch nothing
    /// (`trail-vpce ls`).
    pub list_only: bool,
    /// Hand the objects of the S3 prefixes on in listing order (prefixes in the order given, each in key order)
    /// rather than as they arrive: `export` (whose parts must not depend on the network) and `ls`. LookupEvents
    /// pages still come as they arrive (what the API returns is live anyway).
    pub in_order: bool,
}

/// One unit of remote input, handed to a pipeline worker.
pub enum RemoteItem {
    /// An object body, streamed: reading blocks until the bytes arrive; a read error is a failed fetch.
    Object { name: String, body: Box<dyn Read + Send> },
    /// An object the run would fetch, when the plan lists only.
    Listed { name: String, bytes: u64 },
    /// An object or page that could not be fetched at all (named with the reason).
    Failed { name: String, error: String },
    /// An object skipped on purpose (documentation next to the logs).
    Skipped { name: String, reason: String },
    /// One LookupEvents page: each element is a `CloudTrailEvent` JSON string.
    LookupPage { name: String, first_ordinal: u64, events: Vec<String> },
    /// The end of one region's LookupEvents (counted as one input); `failure` if the API gave up midway.
    LookupDone { name: String, bytes: u64, failure: Option<String> },
}

/// Why a remote source cannot be read at all (the run stops with exit status 2).
#[derive(Debug, Clone, thiserror::Error)]
pub enum RemoteError {
    #[error(
        "{source_name}: this build has no AWS support (rebuild with `--features aws`, or download the logs and \
         give the folder)"
    )]
    NoAwsSupport { source_name: String },
    #[error(
        "access denied listing s3://{bucket}/{prefix}: the credentials need s3:ListBucket on arn:aws:s3:::{bucket} \
         ({detail})"
    )]
    ListDenied { bucket: String, prefix: String, detail: String },
    #[error("s3://{bucket}: no such bucket")]
    NoSuchBucket { bucket: String },
    #[error("s3://{bucket}/{prefix}: cannot list: {detail}")]
    List { bucket: String, prefix: String, detail: String },
    #[error("cloudtrail:lookup in {region}: access denied: the credentials need cloudtrail:LookupEvents ({detail})")]
    LookupDenied { region: String, detail: String },
    #[error("AWS configuration: {0}")]
    Config(String),
    #[error("cannot start the AWS client runtime: {0}")]
    Runtime(String),
}

/// Counters shown by the progress bar (shared with the fetching tasks).
#[derive(Debug, Default)]
pub struct RemoteProgress {
    pub listed_objects: AtomicU64,
    pub listed_bytes: AtomicU64,
    pub fetched_objects: AtomicU64,
    pub fetched_bytes: AtomicU64,
    pub lookup_events: AtomicU64,
}

impl RemoteProgress {
    /// One line for the progress bar.
    pub fn describe(&self) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut text = format!(
            "s3: {} objects listed ({}), {} fetched ({})",
            get(&self.listed_objects),
            human_bytes(get(&self.listed_bytes)),
            get(&self.fetched_objects),
            human_bytes(get(&self.fetched_bytes)),
        );
        let lookup = get(&self.lookup_events);
        if lookup > 0 {
            text.push_str(&format!(", {lookup} LookupEvents"));
        }
        text
    }
}

fn human_bytes(bytes: u64) -> String {
    match bytes {
        0..1_000_000 => format!("{:.1} kB", bytes as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", bytes as f64 / 1e6),
        _ => format!("{:.2} GB", bytes as f64 / 1e9),
    }
}

/// A running remote read: iterate it for the items; `finish` says whether a source failed as a whole.
pub struct RemoteStream {
    pub(crate) items: Box<dyn Iterator<Item = RemoteItem> + Send>,
    pub(crate) finish: Box<dyn FnOnce() -> Result<(), RemoteError> + Send>,
    pub progress: Arc<RemoteProgress>,
}

impl RemoteStream {
    /// Takes the items out (for a parallel bridge); call [`RemoteStream::finish`] once they are consumed.
    pub fn take_items(&mut self) -> Box<dyn Iterator<Item = RemoteItem> + Send> {
        std::mem::replace(&mut self.items, Box::new(std::iter::empty()))
    }

    /// Waits for the background work and returns the first source-level error.
    pub fn finish(self) -> Result<(), RemoteError> {
        (self.finish)()
    }
}

/// Without AWS support, a remote source is a usage error (with it, `source::runner::start` reads them).
#[cfg(not(feature = "aws"))]
pub fn start(inputs: &[super::Input], _: &RemoteConfig, _: &RemotePlan) -> Result<RemoteStream, RemoteError> {
    let source_name = inputs.first().map(|i| i.name().to_owned()).unwrap_or_default();
    Err(RemoteError::NoAwsSupport { source_name })
}
