//! The parallel pipeline: inputs → decode → de-duplicate → filter → analyzer, keeping the books.
//!
//! Each rayon worker decodes whole inputs and folds the events into its own analyzer and [`InputStats`];
//! the partial results are merged at the end, so analyzers never share state and nothing waits on a lock
//! except the de-duplication set (sharded). Memory is one in-flight record per worker plus what analyzers
//! keep per distinct key, plus 16 bytes per distinct event id for de-duplication.
//!
//! Inputs are handed to workers in the order they were listed. A run may also feed a [`RecordSink`] outside
//! the fold ([`run_with_sink`]): it receives the records in input order through a bounded window
//! ([`ordered`]), which is how `export` writes the same files whatever the threads.

mod composite;
pub mod copies;
mod dedup;
mod filter;
pub mod ordered;
mod remote;
mod stats;

use std::io::Read;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

pub use dedup::{Claim, Deduper, Seen};
pub use filter::Filter;
pub use ordered::{Limit, NoSink, RecordSink};
pub use stats::{BadFile, BadRecordSample, InputStats, SkippedFile};

use crate::decode::parquet::ocsf::OCSF_NOTE;
pub use crate::decode::s3_access_log::EndpointNetwork;
use crate::decode::{DecodeOptions, Sink, UnitKind, UnitOutcome, decode_file, decode_unit};
use crate::model::{Aggregate, LogKind, Record};
use crate::source::remote::{RemoteConfig, RemoteError, RemotePlan};
use crate::source::s3::layout::{DayWindow, Prune};
use crate::source::{self, Input};
use ordered::{Placed, Window};

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

/// No analyzer: a run that only feeds a [`RecordSink`] (and keeps the books).
impl Analyzer for () {
    fn observe(&mut self, _record: &Record<'_>) {}
    fn merge(&mut self, _other: ()) {}
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
    run_with_sink(config, make, &NoSink)
}

/// [`run`], also feeding `sink` every record that passed de-duplication and the filter, in input order (see
/// [`ordered`]); the sink is finished by the caller.
pub fn run_with_sink<A, F, S>(config: &IngestConfig, make: F, sink: &S) -> Result<(A, InputStats), IngestError>
where
    A: Analyzer,
    F: Fn() -> A + Sync,
    S: RecordSink,
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
        // A sink is fed in input order: the objects must be numbered in listing order, not as they arrive.
        let plan = RemotePlan { in_order: S::ACTIVE, ..plan(config) };
        #[cfg(feature = "aws")]
        let started = source::runner::start(&remote_inputs, &config.remote, &plan);
        #[cfg(not(feature = "aws"))]
        let started = source::remote::start(&remote_inputs, &config.remote, &plan);
        Some(started?)
    };
    let remote_progress = remote.as_ref().map(|r| r.progress.clone());
    let progress = progress_bar(config.progress, inputs.len() as u64, remote.is_some());
    let decode = DecodeOptions { endpoint_networks: config.endpoint_networks.clone(), ..config.decode.clone() };
    let dedup = if S::ACTIVE { Deduper::ordered() } else { Deduper::default() };
    let window = Window::new(sink, &dedup, pool.current_num_threads());
    let new_worker = || Worker {
        analyzer: make(),
        stats: InputStats::default(),
        dedup: &dedup,
        filter: &config.filter,
        feed: Feed::new(&window),
        track_copies: config.decode.hash_content,
    };
    let tick = |worker: &Worker<'_, A, S>| {
        progress.inc(1);
        let mut message = format!("{} records", worker.dedup.len());
        if let Some(remote) = &remote_progress {
            message = format!("{message}  {}", remote.describe());
        }
        progress.set_message(message);
    };
    // Units are numbered in input order: the local inputs as listed, then the remote items in the order the
    // stream hands them (listing order when a sink is fed, see `source::delivery`; else as they arrive).
    let unit = |index: usize| u32::try_from(index).unwrap_or(u32::MAX);
    let merge = |(mut a, mut a_stats): (A, InputStats), (b, b_stats): (A, InputStats)| {
        a.merge(b);
        a_stats.merge(b_stats);
        (a, a_stats)
    };
    // `par_bridge` hands the inputs out one at a time in order (not split into ranges as `par_iter` does),
    // so the unit a sink waits for is always being read.
    let local = pool.install(|| {
        inputs
            .iter()
            .enumerate()
            .par_bridge()
            .fold(new_worker, |mut worker, (index, input)| {
                worker.feed.begin(unit(index));
                worker.read_input(input, &decode);
                worker.feed.end();
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
                    .enumerate()
                    .par_bridge()
                    .fold(new_worker, |mut worker, (index, item)| {
                        worker.feed.begin(unit(inputs.len() + index));
                        worker.read_remote(item, &decode);
                        worker.feed.end();
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
        in_order: false,
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

/// One worker's state: its analyzer, its books, the shared de-duplication set, and its feed of the sink.
struct Worker<'a, A, S: RecordSink> {
    analyzer: A,
    stats: InputStats,
    dedup: &'a Deduper,
    filter: &'a Filter,
    feed: Feed<'a, S>,
    /// `--verify`: where the dropped copies were is kept ([`copies`]).
    track_copies: bool,
}

/// A worker's side of the sink's window: the unit it reads and the items gathered from it not yet handed over.
struct Feed<'a, S: RecordSink> {
    window: &'a Window<'a, S>,
    unit: u32,
    /// A unit is begun and not yet ended.
    open: bool,
    chunk: Vec<Placed<S::Item>>,
    chunk_bytes: usize,
}

impl<'a, S: RecordSink> Feed<'a, S> {
    fn new(window: &'a Window<'a, S>) -> Feed<'a, S> {
        Feed { window, unit: 0, open: false, chunk: Vec::new(), chunk_bytes: 0 }
    }

    fn begin(&mut self, unit: u32) {
        self.unit = unit;
        self.open = true;
    }

    fn record(&mut self, record: &Record<'_>, claim: Claim) {
        if !S::ACTIVE {
            return;
        }
        let Some(item) = self.window.sink().item(record) else { return };
        let weight = self.window.sink().weight(&item);
        self.chunk.push(Placed { digest: claim.digest, weight, item });
        self.chunk_bytes += weight;
        if self.window.chunk_full(self.chunk.len(), self.chunk_bytes) {
            self.chunk_bytes = 0;
            self.window.push(self.unit, std::mem::take(&mut self.chunk), false);
        }
    }

    /// The unit is read: hands over what is left of it (every unit ends here, even one without records).
    fn end(&mut self) {
        self.open = false;
        if S::ACTIVE {
            self.chunk_bytes = 0;
            self.window.push(self.unit, std::mem::take(&mut self.chunk), true);
        }
    }
}

impl<S: RecordSink> Drop for Feed<'_, S> {
    /// A worker unwinding from a panic mid-unit still ends its unit, so no other worker waits for it forever
    /// (the panic then reaches the caller).
    fn drop(&mut self) {
        if self.open {
            self.end();
        }
    }
}

impl<A: Analyzer, S: RecordSink> Worker<'_, A, S> {
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

impl<A: Analyzer, S: RecordSink> Worker<'_, A, S> {
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

impl<A: Analyzer, S: RecordSink> Sink for Worker<'_, A, S> {
    /// Every record takes this one path: de-duplicated, filtered, tallied in the books and in the endpoint
    /// book, all on its head; then the analyzer looks at it, and the sink (if any) gets it.
    fn record(&mut self, record: &Record<'_>) {
        let head = record.head();
        let claim = self.dedup.claim(head, self.feed.unit);
        if claim.seen != Seen::New
            && self.track_copies
            && let Some(id) = head.event_id.as_deref()
        {
            self.stats.copies.add(id, record.unit());
        }
        match claim.seen {
            Seen::New => {}
            Seen::Again => {
                self.stats.duplicate_records += 1;
                return;
            }
            // A copy earlier in the input than the one another worker read first: the books and the analyzer
            // have the record already; the sink keeps the earliest copy (see `ordered`).
            Seen::Earlier => {
                self.stats.duplicate_records += 1;
                if self.filter.matches(head) {
                    self.feed.record(record, claim);
                }
                return;
            }
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
            head.recipient_account.as_ref(),
            head.vpce.as_ref(),
            head.vpce_account.as_ref(),
            head.endpoint_sighting,
        );
        self.analyzer.observe(record);
        self.feed.record(record, claim);
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Takes numbers in the order given.
    #[derive(Default)]
    struct Collect(Mutex<Vec<u32>>);

    impl RecordSink for Collect {
        type Item = u32;
        fn item(&self, _record: &Record<'_>) -> Option<u32> {
            None
        }
        fn weight(&self, _item: &u32) -> usize {
            4
        }
        fn take(&self, item: u32, _weight: usize) {
            self.0.lock().unwrap().push(item);
        }
        fn limit(&self) -> Limit {
            Limit { items: 1, bytes: 1 << 20 }
        }
    }

    /// A worker unwinding mid-unit ends its unit on the way out, so the units after it come out instead of
    /// waiting for it forever.
    #[test]
    fn a_feed_dropped_mid_unit_ends_its_unit() {
        let sink = Collect::default();
        let dedup = Deduper::ordered();
        let window = Window::new(&sink, &dedup, 2);
        window.push(1, vec![Placed { digest: None, weight: 4, item: 10 }], true);
        let mut feed = Feed::new(&window);
        feed.begin(0);
        feed.chunk.push(Placed { digest: None, weight: 4, item: 1 });
        drop(feed);
        assert_eq!(*sink.0.lock().unwrap(), [1, 10]);
        let mut ended = Feed::new(&window);
        ended.begin(2);
        ended.end();
        drop(ended);
        window.push(3, vec![Placed { digest: None, weight: 4, item: 30 }], true);
        assert_eq!(*sink.0.lock().unwrap(), [1, 10, 30], "the units after an ended one come out");
    }
}
