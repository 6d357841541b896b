//! The parallel pipeline: inputs → decode → de-duplicate → filter → analyzer, keeping the books.
//!
//! Each rayon worker decodes whole inputs and folds the events into its own analyzer and [`InputStats`];
//! the partial results are merged at the end, so analyzers never share state and nothing waits on a lock
//! except the de-duplication set (sharded). Memory is one in-flight record per worker plus what analyzers
//! keep per distinct key, plus 16 bytes per distinct event id for de-duplication.

mod composite;
mod dedup;
mod filter;
mod remote;
mod stats;

use std::io::Read;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

pub use dedup::Deduper;
pub use filter::Filter;
pub use stats::{BadFile, BadRecordSample, InputStats, SkippedFile};

use crate::decode::parquet::ocsf::OCSF_NOTE;
pub use crate::decode::s3_access_log::EndpointNetwork;
use crate::decode::{DecodeOptions, Sink, UnitKind, UnitOutcome, decode_file, decode_unit};
use crate::model::{Aggregate, LogKind, Record};
use crate::source::remote::{RemoteConfig, RemoteError, RemotePlan};
use crate::source::s3::layout::{DayWindow, Prune};
use crate::source::{self, Input};

/// The note added to the report input when LookupEvents is read.
pub const LOOKUP_NOTE: &str = "cloudtrail:lookup reads LookupEvents, which returns management events only: data \
    events (S3 object-level, DynamoDB item-level) and network activity events are absent from that input";

/// An accumulator that folds records; one per worker, merged at the end. Merging must not depend on the
/// order records arrived in (parallel and sequential runs give the same result).
pub trait Analyzer: Send + Sized {
    /// One record, after de-duplication and filtering. Read its head first; ask for its full event
    /// ([`Record::event`]) only when the head says the record matters: the event is built on first use.
    fn observe(&mut self, record: &Record<'_>);
    /// An aggregated event (a summary, not a request), after de-duplication and filtering.
    fn aggregated(&mut self, _aggregate: &Aggregate) {}
    fn merge(&mut self, other: Self);
}

/// Everything the pipeline needs to know, resolved from the command line.
#[derive(Debug, Clone, Default)]
pub struct IngestConfig {
    pub sources: Vec<String>,
    /// Follow symlinks met while walking folders (`-L/--follow`); by default they are skipped and tallied.
    pub follow_links: bool,
    pub decode: DecodeOptions,
    pub filter: Filter,
    /// Worker threads; `None` = one per core.
    pub threads: Option<usize>,
    /// Show a progress bar on stderr (the caller checks for a terminal and `--quiet`).
    pub progress: bool,
    /// VPC networks behind configured endpoints: S3 access log lines from these addresses are attributed to
    /// the endpoint (access logs carry no endpoint id; the decoder attributes them).
    pub endpoint_networks: Vec<EndpointNetwork>,
    /// How to reach AWS for `s3://` and `cloudtrail:lookup` sources.
    pub remote: RemoteConfig,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("cannot start {threads} worker threads: {source}")]
    ThreadPool { threads: usize, source: rayon::ThreadPoolBuildError },
    #[error("no input: give at least one file, folder or - for stdin")]
    NoSources,
    #[error(transparent)]
    Remote(#[from] RemoteError),
}

/// Runs the pipeline over every source and returns the merged analyzer and the input books.
pub fn run<A, F>(config: &IngestConfig, make: F) -> Result<(A, InputStats), IngestError>
where
    A: Analyzer,
    F: Fn() -> A + Sync,
{
    if config.sources.is_empty() {
        return Err(IngestError::NoSources);
    }
    let (remote_inputs, inputs): (Vec<Input>, Vec<Input>) = source::expand(&config.sources, config.follow_links)
        .into_iter()
        .partition(|i| matches!(i, Input::S3 { .. } | Input::Lookup));
    let threads = config.threads.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| IngestError::ThreadPool { threads, source })?;
    // Remote listing and fetching start first, so they overlap with the local files.
    let mut remote = if remote_inputs.is_empty() {
        None
    } else {
        #[cfg(feature = "aws")]
        let started = source::runner::start(&remote_inputs, &config.remote, &plan(config));
        #[cfg(not(feature = "aws"))]
        let started = source::remote::start(&remote_inputs, &config.remote, &plan(config));
        Some(started?)
    };
    let remote_progress = remote.as_ref().map(|r| r.progress.clone());
    let progress = progress_bar(config.progress, inputs.len() as u64, remote.is_some());
    let decode = DecodeOptions { endpoint_networks: config.endpoint_networks.clone(), ..config.decode.clone() };
    let dedup = Deduper::default();
    let new_worker =
        || Worker { analyzer: make(), stats: InputStats::default(), dedup: &dedup, filter: &config.filter };
    let tick = |worker: &Worker<'_, A>| {
        progress.inc(1);
        let mut message = format!("{} records", worker.dedup.len());
        if let Some(remote) = &remote_progress {
            message = format!("{message}  {}", remote.describe());
        }
        progress.set_message(message);
    };
    let merge = |(mut a, mut a_stats): (A, InputStats), (b, b_stats): (A, InputStats)| {
        a.merge(b);
        a_stats.merge(b_stats);
        (a, a_stats)
    };
    let local = pool.install(|| {
        inputs
            .par_iter()
            .fold(new_worker, |mut worker, input| {
                worker.read_input(input, &decode);
                tick(&worker);
                worker
            })
            .map(|worker| (worker.analyzer, worker.stats))
            .reduce(|| (make(), InputStats::default()), merge)
    });
    let (analyzer, mut stats) = match remote.as_mut() {
        None => local,
        Some(stream) => {
            let items = stream.take_items();
            let fetched = pool.install(|| {
                items
                    .par_bridge()
                    .fold(new_worker, |mut worker, item| {
                        worker.read_remote(item, &decode);
                        tick(&worker);
                        worker
                    })
                    .map(|worker| (worker.analyzer, worker.stats))
                    .reduce(|| (make(), InputStats::default()), merge)
            });
            merge(local, fetched)
        }
    };
    progress.finish_and_clear();
    if let Some(stream) = remote {
        stream.finish()?;
    }
    if remote_inputs.iter().any(|i| matches!(i, Input::Lookup)) {
        stats.notes.push(LOOKUP_NOTE.to_owned());
    }
    if stats.ocsf_files > 0 {
        stats.notes.push(OCSF_NOTE.to_owned());
    }
    stats.finish();
    Ok((analyzer, stats))
}

/// What the remote listing may skip: the window (in days, with margin) and the account and region filters.
pub fn plan(config: &IngestConfig) -> RemotePlan {
    let filter = &config.filter;
    RemotePlan {
        prune: Prune {
            window: DayWindow::new(filter.since, filter.until),
            accounts: filter.accounts.clone(),
            regions: filter.regions.clone(),
        },
        since: filter.since,
        until: filter.until,
        list_only: false,
    }
}

fn progress_bar(enabled: bool, inputs: u64, remote: bool) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    // Remote inputs are discovered as they are listed: no total.
    let bar = ProgressBar::with_draw_target((!remote).then_some(inputs), ProgressDrawTarget::stderr());
    let template = if remote {
        "{spinner} {pos} inputs  {msg}  [{elapsed}]"
    } else {
        "{spinner} {pos}/{len} files  {msg}  {per_sec} files/s  [{elapsed}]"
    };
    let style = ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// One worker's state: its analyzer, its books, and the shared de-duplication set.
struct Worker<'a, A> {
    analyzer: A,
    stats: InputStats,
    dedup: &'a Deduper,
    filter: &'a Filter,
}

impl<A: Analyzer> Worker<'_, A> {
    fn read_input(&mut self, input: &Input, options: &DecodeOptions) {
        match input {
            Input::File { path, name } => match std::fs::File::open(path) {
                Ok(file) => decode_file(name, file, options, self),
                Err(e) => self.stats.failed_input(name, &e.to_string()),
            },
            Input::Stdin => {
                let stdin = std::io::stdin();
                let mut reader: Box<dyn Read> = Box::new(stdin.lock());
                decode_unit("-", &mut reader, options, self);
            }
            Input::Failed { name, error } => self.stats.failed_input(name, error),
            Input::Skipped { name, reason } => self.stats.skipped_input(name, reason),
            // Partitioned out in `run` and read through `source::remote`.
            Input::S3 { name, .. } => self.stats.failed_input(name, "internal: remote input read as local"),
            Input::Lookup => self.stats.failed_input(source::LOOKUP_SOURCE, "internal: remote input read as local"),
        }
    }
}

impl<A: Analyzer> Worker<'_, A> {
    /// A CloudTrail record in the books, by category.
    fn count_record(&mut self, category: &str) {
        self.stats.records += 1;
        // Look up before inserting: `entry` would need an owned key (an allocation) per record.
        match self.stats.event_categories.get_mut(category) {
            Some(count) => *count += 1,
            None => {
                self.stats.event_categories.insert(category.to_owned(), 1);
            }
        }
    }
}

impl<A: Analyzer> Sink for Worker<'_, A> {
    /// Every record takes this one path: de-duplicated, filtered, tallied in the books and in the endpoint
    /// book, all on its head; then the analyzer looks at it.
    fn record(&mut self, record: &Record<'_>) {
        let head = record.head();
        if !self.dedup.insert(head) {
            self.stats.duplicate_records += 1;
            return;
        }
        if !self.filter.matches(head) {
            self.stats.filtered_out += 1;
            return;
        }
        match head.kind {
            LogKind::CloudTrail => self.count_record(head.category.as_str()),
            LogKind::S3AccessLog => self.stats.access_log_lines += 1,
        }
        self.stats.endpoints.observe(
            head.recipient_account.as_deref(),
            head.vpce.as_deref(),
            head.vpce_account.as_deref(),
            head.endpoint_sighting,
        );
        self.analyzer.observe(record);
    }

    /// Aggregated events are de-duplicated on their id and filtered by window start, account, region and
    /// service like records, then tallied apart.
    fn aggregated(&mut self, _unit: &str, aggregate: Aggregate) {
        if !self.dedup.insert_aggregate(&aggregate) {
            self.stats.duplicate_records += 1;
            return;
        }
        if !self.filter.matches_aggregate(&aggregate) {
            self.stats.filtered_out += 1;
            return;
        }
        self.stats.aggregated_records += 1;
        self.analyzer.aggregated(&aggregate);
    }

    fn bad_record(&mut self, unit: &str, position: u64, location: &str, reason: &str) {
        self.stats.bad_record(unit, position, location, reason);
    }

    fn unit_done(&mut self, outcome: UnitOutcome) {
        self.stats.unit_done(outcome);
    }
}

impl UnitKind {
    /// Whether the unit counts as an input file (archives are containers: their entries count).
    pub(crate) fn is_file(self) -> bool {
        !matches!(self, UnitKind::Archive)
    }
}
