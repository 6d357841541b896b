//! One input unit (a file, stdin, or an archive entry) → events, rejected records and a verdict.
//!
//! The unit's kind comes from its content: gzip is unwrapped (up to two layers), tar and zip archives are
//! read entry by entry as they stream past (entries are named `bundle.zip!/AWSLogs/...`), JSON goes to the
//! CloudTrail decoder, text whose first line looks like an S3 server access log goes to the line parser.

mod access_log;
mod archive;
mod json;

use std::cell::Cell;
use std::io::{self, BufReader, Cursor, Read};

use self::access_log::read_access_log;
use self::archive::{read_tar, read_zip};
use self::json::read_json;
use super::content::{Attach, HashingReader, UnitContent, of_buffer, wants_hash};
use super::gzip::{self, cap_exceeded};
use super::inflate::{Inflated, Inflater};
use super::json_split::JsonSplitter;
use super::parquet::{self, ParquetSchema};
use super::s3_access_log;
use super::sniff::{SNIFF_LEN, Sniffed, sniff};
use crate::model::Record;

/// Limits against hostile input.
#[derive(Debug, Clone)]
pub struct DecodeOptions {
    /// Cap on the decompressed size of one gzip stream.
    pub max_decompressed_bytes: u64,
    /// Largest single record (JSON value or log line) accepted.
    pub max_record_bytes: usize,
    /// VPC networks behind configured endpoints: S3 access log lines from these addresses are attributed to
    /// the endpoint (access logs carry no endpoint id).
    pub endpoint_networks: Vec<s3_access_log::EndpointNetwork>,
    /// Hash each CloudTrail log and digest unit's uncompressed content in the same pass (`--verify`; see
    /// [`super::content`]): the SHA-256 lands in [`UnitOutcome::content`].
    pub hash_content: bool,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            max_decompressed_bytes: 4 << 30,
            max_record_bytes: 32 << 20,
            endpoint_networks: Vec::new(),
            hash_content: false,
        }
    }
}

/// What a unit turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    CloudTrail,
    AccessLog,
    Digest,
    /// A CloudTrail Insight file (every record has `eventCategory: Insight`).
    Insight,
    /// An archive whose entries were reported as units of their own.
    Archive,
    /// A file that is not a log, recognised and skipped on purpose (e.g. an IAM policy document).
    NotLog(&'static str),
    Empty,
    /// Content of no known kind.
    Unrecognised,
    /// A Parquet file of one of the schemas trail-vpce reads (its rows are records).
    Parquet(ParquetSchema),
}

/// The verdict on one unit.
#[derive(Debug, Clone)]
pub struct UnitOutcome {
    pub name: String,
    pub kind: UnitKind,
    /// CloudTrail records or access-log lines decoded (Insight records included).
    pub records: u64,
    pub insight_records: u64,
    /// Aggregated event records (summaries, not requests), among `records`.
    pub aggregated_records: u64,
    pub bad_records: u64,
    /// Decompressed bytes read.
    pub bytes: u64,
    /// Why the unit failed or is damaged; `None` when it was read to its end.
    pub failure: Option<String>,
    /// The content hash, when [`DecodeOptions::hash_content`] asked for it and the unit is a CloudTrail log or
    /// digest.
    pub content: Option<UnitContent>,
}

impl UnitOutcome {
    /// A unit not read yet.
    pub(crate) fn new(name: &str) -> UnitOutcome {
        UnitOutcome {
            name: name.to_owned(),
            kind: UnitKind::Unrecognised,
            records: 0,
            insight_records: 0,
            aggregated_records: 0,
            bad_records: 0,
            bytes: 0,
            failure: None,
            content: None,
        }
    }
}

/// Receives what units produce. Implemented by the ingest workers.
pub trait Sink {
    /// A record (a CloudTrail record, or an S3 access log line), Insight records excepted; it names its unit.
    fn record(&mut self, record: &Record<'_>);
    /// An aggregated event (counted in the unit's `aggregated_records`; not a request).
    fn aggregated(&mut self, _unit: &str, _aggregate: crate::model::Aggregate) {}
    /// A rejected record: `position` is its ordinal (JSON) or line number (text), `location` says it for
    /// people.
    fn bad_record(&mut self, unit: &str, position: u64, location: &str, reason: &str);
    fn unit_done(&mut self, outcome: UnitOutcome);
}

const MAX_NESTING: u32 = 3;

/// Decodes one unit, reporting every record, rejection and verdict to `sink`.
pub fn decode_unit(name: &str, reader: &mut dyn Read, options: &DecodeOptions, sink: &mut dyn Sink) {
    if options.hash_content && wants_hash(name) {
        // A plain file is its own content; a gzip one is hashed once inflated (`decode_gzip`).
        let mut hashing = HashingReader::new(reader, name, true);
        let mut attach = Attach::new(sink, name);
        decode_nested(name, &mut hashing, options, &mut attach, 0);
        attach.release(hashing.finish());
        return;
    }
    decode_nested(name, reader, options, sink, 0);
}

/// Decodes a local file. A Parquet file is read in place (its footer is at its end, so it is not streamed);
/// anything else, and anything that cannot seek (a FIFO named on the command line), streams through
/// [`decode_unit`].
pub fn decode_file(name: &str, mut file: std::fs::File, options: &DecodeOptions, sink: &mut dyn Sink) {
    let mut magic = Vec::with_capacity(4);
    if let Err(e) = (&mut file).take(4).read_to_end(&mut magic) {
        let mut outcome = UnitOutcome::new(name);
        outcome.failure = Some(describe_io(&e));
        sink.unit_done(outcome);
        return;
    }
    let seekable = file.metadata().is_ok_and(|m| m.is_file());
    if magic == b"PAR1" && seekable {
        let mut outcome = UnitOutcome::new(name);
        parquet::read_unit(&mut file, options, sink, &mut outcome);
        sink.unit_done(outcome);
        return;
    }
    let mut reader = BufReader::with_capacity(256 * 1024, Cursor::new(magic).chain(file));
    decode_unit(name, &mut reader, options, sink);
}

fn decode_nested(name: &str, reader: &mut dyn Read, options: &DecodeOptions, sink: &mut dyn Sink, depth: u32) {
    let mut outcome = UnitOutcome::new(name);
    let (head, skipped) = match read_head(reader) {
        Ok(read) => read,
        Err(e) => {
            outcome.failure = Some(describe_io(&e));
            sink.unit_done(outcome);
            return;
        }
    };
    let mut stream = Cursor::new(head.clone()).chain(reader);
    match sniff(&head) {
        Sniffed::Gzip if depth < MAX_NESTING => {
            decode_gzip(name, stream, options, sink, depth);
            return;
        }
        Sniffed::Tar if depth < MAX_NESTING => {
            outcome.kind = UnitKind::Archive;
            outcome.failure = read_tar(name, &mut stream, options, sink, depth).err();
        }
        Sniffed::Zip if depth < MAX_NESTING => {
            outcome.kind = UnitKind::Archive;
            outcome.failure = read_zip(name, &mut stream, options, sink, depth).err();
        }
        Sniffed::Parquet => read_spooled_parquet(&mut stream, options, sink, &mut outcome),
        Sniffed::Gzip | Sniffed::Tar | Sniffed::Zip => {
            outcome.failure = Some(format!("archives nested more than {MAX_NESTING} levels deep"));
        }
        Sniffed::JsonObject | Sniffed::JsonArray => {
            let mut splitter = JsonSplitter::new(&mut stream, options.max_record_bytes).starting_at(skipped);
            read_json(&mut splitter, options, sink, &mut outcome);
        }
        Sniffed::Text if s3_access_log::looks_like_access_log(first_line(&head)) => {
            outcome.kind = UnitKind::AccessLog;
            read_access_log(BufReader::new(stream), options, sink, &mut outcome);
        }
        Sniffed::Text => outcome.failure = Some(not_a_log("text", skipped, &mut stream, &mut outcome)),
        Sniffed::Empty => outcome.kind = UnitKind::Empty,
        Sniffed::Binary => {
            outcome.failure = Some(not_a_log("binary data of unknown format", skipped, &mut stream, &mut outcome));
        }
    }
    sink.unit_done(outcome);
}

/// Reads a Parquet unit that is not a local file (stdin, an archive entry, an S3 object): its footer is at its
/// end, so it is spooled to an anonymous temporary file first (deleted when closed), up to the decompression
/// cap. Without the `tabular` feature nothing is spooled: the unit is a bad file that says why.
fn read_spooled_parquet(
    stream: &mut impl Read,
    options: &DecodeOptions,
    sink: &mut dyn Sink,
    outcome: &mut UnitOutcome,
) {
    if cfg!(not(feature = "tabular")) {
        outcome.failure = Some(parquet::NOT_BUILT.to_owned());
        return;
    }
    let mut spool = match tempfile::tempfile() {
        Ok(spool) => spool,
        Err(e) => {
            outcome.failure = Some(format!("cannot spool Parquet to a temporary file: {e}"));
            return;
        }
    };
    let cap = options.max_decompressed_bytes;
    match io::copy(&mut stream.take(cap.saturating_add(1)), &mut spool) {
        Ok(size) if size > cap => {
            outcome.bytes = size;
            outcome.failure = Some(format!(
                "Parquet over the --max-decompressed-bytes cap ({cap} bytes) to spool from a stream; read it as a local file"
            ));
        }
        Ok(_) => parquet::read_unit(&mut spool, options, sink, outcome),
        Err(e) => outcome.failure = Some(format!("{} while spooling Parquet", describe_io(&e))),
    }
}

/// How far a unit that is not a log is read to tell its size; past this it is "over 1 MiB".
const NOT_LOG_SIZE_LIMIT: u64 = 1 << 20;

/// Names a unit that is not a log by its kind and size, never by its content: it may be anything a folder
/// holds (a credentials file, a private key), and the reason goes into reports and warnings.
fn not_a_log(kind: &str, skipped: u64, stream: &mut impl Read, outcome: &mut UnitOutcome) -> String {
    match io::copy(&mut (&mut *stream).take(NOT_LOG_SIZE_LIMIT + 1), &mut io::sink()) {
        Ok(read) if read <= NOT_LOG_SIZE_LIMIT => {
            outcome.bytes = skipped + read;
            format!("not a log: {kind}, {} bytes", skipped + read)
        }
        Ok(read) => {
            outcome.bytes = skipped + read;
            format!("not a log: {kind}, over {} MiB", NOT_LOG_SIZE_LIMIT >> 20)
        }
        Err(e) => format!("not a log: {kind} ({})", describe_io(&e)),
    }
}

/// Compressed objects up to this size are read whole and inflated by libdeflate (CloudTrail objects are a
/// few MB); larger ones stream.
const WHOLE_COMPRESSED_LIMIT: u64 = 8 << 20;
/// The in-memory output limit of the libdeflate path; larger outputs stream (bounded memory per worker).
/// Public so the benchmark's decompression floor uses exactly the same split.
pub const WHOLE_INFLATED_LIMIT: usize = 32 << 20;

/// Buffers of the libdeflate path, kept per thread so big allocations (and their page faults) are paid once.
#[derive(Default)]
struct Scratch {
    inflater: Inflater,
    compressed: Vec<u8>,
    inflated: Vec<u8>,
}

thread_local! {
    static SCRATCH: Cell<Option<Box<Scratch>>> = const { Cell::new(None) };
}

/// Decodes a gzip unit: whole-buffer libdeflate when it fits, the streaming decoder otherwise. The streaming
/// decoder also handles every damaged stream, so a truncated file keeps every record before the damage.
fn decode_gzip(name: &str, mut stream: impl Read, options: &DecodeOptions, sink: &mut dyn Sink, depth: u32) {
    // Nested units (a .gz inside a .tar inside a .gz) find the slot empty and use fresh buffers.
    let mut scratch = SCRATCH.take().unwrap_or_default();
    let Scratch { inflater, compressed, inflated } = &mut *scratch;
    compressed.clear();
    let read = (&mut stream).take(WHOLE_COMPRESSED_LIMIT + 1).read_to_end(compressed);
    let whole = matches!(read, Ok(n) if n as u64 <= WHOLE_COMPRESSED_LIMIT);
    let limit = usize::try_from(options.max_decompressed_bytes).unwrap_or(usize::MAX).min(WHOLE_INFLATED_LIMIT);
    let hash = options.hash_content && wants_hash(name);
    if whole && inflater.inflate_all(compressed, limit, inflated) == Inflated::Complete {
        if hash {
            // The buffer the decoder holds anyway: hashed once, no second read.
            let content = of_buffer(name, inflated);
            let mut attach = Attach::new(sink, name);
            decode_inflated(name, inflated, options, &mut attach, depth + 1);
            attach.release(Some(content));
        } else {
            decode_inflated(name, inflated, options, sink, depth + 1);
        }
    } else {
        let rest: Box<dyn Read + '_> = match read {
            Ok(_) => Box::new(stream),
            Err(error) => Box::new(FailAfter(Some(error))),
        };
        let compressed = BufReader::new((&compressed[..]).chain(rest));
        let mut inner = gzip::decompress(compressed, options.max_decompressed_bytes);
        if hash {
            let mut hashing = HashingReader::new(&mut inner, name, false);
            let mut attach = Attach::new(sink, name);
            decode_nested(name, &mut hashing, options, &mut attach, depth + 1);
            attach.release(hashing.finish());
        } else {
            decode_nested(name, &mut inner, options, sink, depth + 1);
        }
    }
    SCRATCH.set(Some(scratch));
}

/// Decodes a unit already inflated in memory. JSON (the usual CloudTrail object) is split where it lies; any
/// other content goes through [`decode_nested`] like a stream. `inflated` keeps its allocation for the next unit.
fn decode_inflated(name: &str, inflated: &mut Vec<u8>, options: &DecodeOptions, sink: &mut dyn Sink, depth: u32) {
    let head = &inflated[..inflated.len().min(SNIFF_LEN)];
    if !matches!(sniff(head), Sniffed::JsonObject | Sniffed::JsonArray) {
        decode_nested(name, &mut &inflated[..], options, sink, depth);
        return;
    }
    let mut outcome = UnitOutcome::new(name);
    let mut splitter = JsonSplitter::from_buffer(std::mem::take(inflated), options.max_record_bytes);
    read_json(&mut splitter, options, sink, &mut outcome);
    *inflated = splitter.into_buffer();
    sink.unit_done(outcome);
}

/// A reader that replays a read error that happened while buffering.
struct FailAfter(Option<io::Error>);

impl Read for FailAfter {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        match self.0.take() {
            Some(error) => Err(error),
            None => Ok(0),
        }
    }
}

/// Reads the bytes to sniff, and how many bytes of leading whitespace were consumed before them. A stream whose
/// first [`SNIFF_LEN`] bytes are all whitespace is not empty until its end proves it: the whitespace is dropped
/// (it means nothing in JSON) until content appears, so records behind it are not lost.
fn read_head(reader: &mut dyn Read) -> io::Result<(Vec<u8>, u64)> {
    let mut skipped = 0u64;
    loop {
        let mut head = Vec::with_capacity(SNIFF_LEN);
        reader.take(SNIFF_LEN as u64).read_to_end(&mut head)?;
        if head.len() < SNIFF_LEN || sniff(&head) != Sniffed::Empty {
            return Ok((head, skipped));
        }
        skipped += head.len() as u64;
    }
}

fn first_line(head: &[u8]) -> &[u8] {
    let end = memchr::memchr(b'\n', head).unwrap_or(head.len());
    &head[..end]
}

/// Names an I/O failure for a report, recognising the decompression cap and truncated gzip streams.
fn describe_io(error: &io::Error) -> String {
    if let Some(cap) = cap_exceeded(error) {
        return cap.to_string();
    }
    match error.kind() {
        io::ErrorKind::UnexpectedEof => "truncated (unexpected end of compressed data)".to_owned(),
        _ => error.to_string(),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    #[derive(Default)]
    pub(in crate::decode) struct Seen {
        pub events: u64,
        pub rejections: Vec<(u64, String)>,
        pub outcomes: Vec<UnitOutcome>,
    }

    impl Sink for Seen {
        fn record(&mut self, _record: &Record<'_>) {
            self.events += 1;
        }
        fn bad_record(&mut self, _unit: &str, position: u64, _location: &str, reason: &str) {
            self.rejections.push((position, reason.to_owned()));
        }
        fn unit_done(&mut self, outcome: UnitOutcome) {
            self.outcomes.push(outcome);
        }
    }

    fn decode(bytes: &[u8]) -> Seen {
        let mut seen = Seen::default();
        decode_unit("unit", &mut &bytes[..], &DecodeOptions::default(), &mut seen);
        seen
    }

    /// A Parquet unit from a stream: spooled and read with the `tabular` feature, a bad file that says why
    /// without it; never records, never a panic.
    #[test]
    fn parquet_from_a_stream_is_a_clear_bad_file_when_damaged_or_not_built() {
        let garbage = [b"PAR1".as_slice(), &[0x42; 64], b"PAR1"].concat();
        let seen = decode(&garbage);
        let outcome = &seen.outcomes[0];
        assert_eq!((seen.events, outcome.records, outcome.bad_records), (0, 0, 0));
        let failure = outcome.failure.as_deref().unwrap_or_default();
        if cfg!(feature = "tabular") {
            assert!(failure.starts_with("damaged Parquet file"), "{failure}");
        } else {
            assert_eq!(failure, parquet::NOT_BUILT);
        }
    }

    const RECORD: &str = r#"{"eventVersion":"1.09","eventTime":"2026-11-21T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"e1"}"#;
    const DIGEST: &str = r#"{"digestStartTime":"2026-11-21T09:00:00Z","logFiles":[]}"#;
    const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[]}"#;

    #[test]
    fn digest_and_policy_shaped_values_among_records_are_rejected_in_place() {
        // (content, events, rejected positions, kind)
        let cases: Vec<(String, u64, Vec<u64>, UnitKind)> = vec![
            (DIGEST.to_owned(), 0, vec![], UnitKind::Digest),
            (POLICY.to_owned(), 0, vec![], UnitKind::NotLog("an IAM policy document, not a log")),
            (format!(r#"{{"Records":[{DIGEST},{RECORD},{POLICY}]}}"#), 1, vec![1, 3], UnitKind::CloudTrail),
            // Many digest values before a record: every one is rejected, held back or at once.
            (
                format!(r#"{{"Records":[{}{RECORD}]}}"#, format!("{DIGEST},").repeat(70)),
                1,
                (1..=70).collect(),
                UnitKind::CloudTrail,
            ),
            // Only digest values, more than a digest file holds: past the hold-back bound they are rejected.
            (format!("[{}]", vec![DIGEST; 70].join(",")), 0, (65..=70).collect(), UnitKind::Digest),
            // A record that also carries digest fields is a record.
            (
                format!(r#"{{"Records":[{}]}}"#, RECORD.replace('}', r#","digestStartTime":"x","logFiles":[]}"#)),
                1,
                vec![],
                UnitKind::CloudTrail,
            ),
        ];
        for (content, events, positions, kind) in cases {
            let seen = decode(content.as_bytes());
            let outcome = &seen.outcomes[0];
            assert_eq!((seen.events, outcome.kind), (events, kind), "{content}");
            let mut got: Vec<u64> = seen.rejections.iter().map(|r| r.0).collect();
            got.sort_unstable();
            assert_eq!(got, positions, "{content}: {:?}", seen.rejections);
            assert_eq!(outcome.bad_records, positions.len() as u64, "{content}");
        }
    }
}
