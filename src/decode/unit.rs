//! One input unit (a file, stdin, or an archive entry) → events, rejected records and a verdict.
//!
//! The unit's kind comes from its content: gzip is unwrapped (up to two layers), tar and zip archives are
//! read entry by entry as they stream past (entries are named `bundle.zip!/AWSLogs/...`), JSON goes to the
//! CloudTrail decoder, text whose first line looks like an S3 server access log goes to the line parser.

use std::cell::Cell;
use std::io::{self, BufRead, BufReader, Cursor, Read};

use super::cloudtrail::{Decoded, RecordParser};
use super::content::{Attach, HashingReader, UnitContent, of_buffer, wants_hash};
use super::gzip::{self, cap_exceeded};
use super::inflate::{Inflated, Inflater};
use super::json_split::{JsonSplitter, Piece, SplitError};
use super::limits::RecordLimit;
use super::s3_access_log;
use super::sniff::{SNIFF_LEN, Sniffed, sniff};
use super::tar_stream::{TarEntry, TarError, TarReader};
use crate::model::{EventCategory, Record};

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
    fn new(name: &str) -> UnitOutcome {
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

fn read_json<R: Read>(
    splitter: &mut JsonSplitter<R>,
    options: &DecodeOptions,
    sink: &mut dyn Sink,
    outcome: &mut UnitOutcome,
) {
    let mut parser = RecordParser::default();
    // The unit's name, apart from `outcome` (which the record callback updates): once per unit, not per record.
    let unit = outcome.name.clone();
    let mut digests = 0u64;
    let mut policies = 0u64;
    // Digest- and policy-shaped values seen before the first record, by place: a file of them is a digest or
    // a policy, but among log records they are foreign values, rejected once the file proves to hold records.
    // Past a few of them the file is neither a digest nor a policy (those are one value), so later ones are
    // rejected at once and memory stays bounded.
    let mut not_records: Vec<(u64, u64, &'static str)> = Vec::new();
    let mut ordinal = 0u64;
    loop {
        let piece = match splitter.next_piece() {
            Ok(Some(piece)) => piece,
            Ok(None) => break,
            Err(e) => {
                outcome.failure = Some(match &e {
                    SplitError::Io { source, offset } => {
                        format!("{} at decompressed byte {offset}", describe_io(source))
                    }
                    SplitError::Truncated { .. } => e.to_string(),
                });
                break;
            }
        };
        ordinal += 1;
        let (bytes, len, offset, too_deep) = match piece {
            Piece::Value { bytes, len, offset, too_deep } => (bytes, len, offset, too_deep),
            Piece::Oversize { offset, size } => {
                let limit = RecordLimit::TooLarge { size, max: options.max_record_bytes };
                reject(sink, outcome, ordinal, offset, &limit.to_string());
                continue;
            }
        };
        // The limits every source holds records to (LookupEvents pages too: `ingest::remote`).
        if let Err(limit) = options.check_record(len as u64, too_deep) {
            reject(sink, outcome, ordinal, offset, &limit.to_string());
            continue;
        }
        let decoded = parser.decode_in(&unit, bytes, len, &mut |record| {
            if count_record(sink, outcome, &mut not_records, record.head().category == EventCategory::Insight) {
                sink.record(record);
            }
        });
        match decoded {
            Ok(Decoded::Record) => {}
            Ok(Decoded::Aggregated(aggregate)) => {
                if count_record(sink, outcome, &mut not_records, false) {
                    outcome.aggregated_records += 1;
                    sink.aggregated(&outcome.name, *aggregate);
                }
            }
            Ok(other) => {
                let reason = if matches!(other, Decoded::Digest) {
                    digests += 1;
                    "a CloudTrail digest inside a log file"
                } else {
                    policies += 1;
                    "an IAM policy document inside a log file"
                };
                if outcome.records > 0 || not_records.len() >= MAX_PENDING_NOT_RECORDS {
                    reject(sink, outcome, ordinal, offset, reason);
                } else {
                    not_records.push((ordinal, offset, reason));
                }
            }
            Err(e) => reject(sink, outcome, ordinal, offset, &e.to_string()),
        }
    }
    outcome.bytes = splitter.bytes_read();
    outcome.kind = if outcome.records == 0 && digests > 0 {
        UnitKind::Digest
    } else if outcome.records == 0 && policies > 0 {
        UnitKind::NotLog("an IAM policy document, not a log")
    } else if outcome.records > 0 && outcome.records == outcome.insight_records {
        UnitKind::Insight
    } else {
        UnitKind::CloudTrail
    };
}

/// Counts a record in the unit's books (rejecting the digest- or policy-shaped values held back before it);
/// true when it goes on to the sink, false for an Insight record (counted on its own, analysed by nobody).
fn count_record(
    sink: &mut dyn Sink,
    outcome: &mut UnitOutcome,
    not_records: &mut Vec<(u64, u64, &'static str)>,
    insight: bool,
) -> bool {
    for (ordinal, offset, reason) in not_records.drain(..) {
        reject(sink, outcome, ordinal, offset, reason);
    }
    outcome.records += 1;
    if insight {
        outcome.insight_records += 1;
        return false;
    }
    true
}

/// Digest- or policy-shaped values held back before the first record (see `read_json`).
const MAX_PENDING_NOT_RECORDS: usize = 64;

fn reject(sink: &mut dyn Sink, outcome: &mut UnitOutcome, ordinal: u64, offset: u64, reason: &str) {
    outcome.bad_records += 1;
    sink.bad_record(&outcome.name, ordinal, &format!("record #{ordinal} at byte {offset}"), reason);
}

fn read_access_log(mut reader: impl BufRead, options: &DecodeOptions, sink: &mut dyn Sink, outcome: &mut UnitOutcome) {
    let mut line = Vec::with_capacity(1024);
    let mut number = 0u64;
    loop {
        line.clear();
        let read = (&mut reader).take(options.max_record_bytes as u64 + 1).read_until(b'\n', &mut line);
        match read {
            Ok(0) => break,
            Ok(n) => outcome.bytes += n as u64,
            Err(e) => {
                outcome.failure = Some(format!("{} after line {number}", describe_io(&e)));
                break;
            }
        }
        number += 1;
        if line.len() > options.max_record_bytes && line.last() != Some(&b'\n') {
            // Skip the rest of an over-long line without keeping it.
            let skipped = skip_line(&mut reader, &mut outcome.bytes);
            outcome.bad_records += 1;
            let reason = format!("line exceeds --max-record-bytes {}", options.max_record_bytes);
            sink.bad_record(&outcome.name, number, &format!("line {number}"), &reason);
            if let Err(e) = skipped {
                outcome.failure = Some(format!("{} after line {number}", describe_io(&e)));
                break;
            }
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            continue;
        }
        match s3_access_log::parse_line(text) {
            Ok(parsed) => {
                outcome.records += 1;
                let mut event = s3_access_log::to_event(&parsed);
                if event.vpce.is_none() {
                    event.vpce = s3_access_log::infer_endpoint(&options.endpoint_networks, &event);
                }
                sink.record(&Record::built(&event).from_unit(&outcome.name));
            }
            Err(e) => {
                outcome.bad_records += 1;
                sink.bad_record(&outcome.name, number, &format!("line {number}"), &e.to_string());
            }
        }
    }
}

/// Consumes the rest of a line (through its newline, or to the end of input) straight out of the reader's own
/// buffer, holding none of it: an over-long line costs its reading time, never its size in memory. `skipped`
/// counts the bytes consumed, also when a read fails part way.
fn skip_line(reader: &mut impl BufRead, skipped: &mut u64) -> io::Result<()> {
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(());
        }
        let (used, done) = match memchr::memchr(b'\n', available) {
            Some(at) => (at + 1, true),
            None => (available.len(), false),
        };
        reader.consume(used);
        *skipped += used as u64;
        if done {
            return Ok(());
        }
    }
}

fn read_tar(
    name: &str,
    stream: &mut dyn Read,
    options: &DecodeOptions,
    sink: &mut dyn Sink,
    depth: u32,
) -> Result<(), String> {
    let mut archive = TarReader::new(stream);
    loop {
        let entry = match archive.next_entry() {
            Ok(Some(entry)) => entry,
            Ok(None) => return Ok(()),
            Err(TarError::Io(e)) => return Err(format!("damaged tar archive: {}", describe_io(&e))),
            Err(e) => return Err(format!("damaged tar archive: {e}")),
        };
        match entry {
            TarEntry::File { path } => {
                decode_nested(&format!("{name}!/{path}"), &mut archive, options, sink, depth + 1);
            }
            // Counted as a bad entry of its own; its data is skipped with the next entry.
            TarEntry::Rejected { path, reason } => {
                let mut outcome = UnitOutcome::new(&format!("{name}!/{path}"));
                outcome.failure = Some(reason);
                sink.unit_done(outcome);
            }
        }
    }
}

fn read_zip(
    name: &str,
    stream: &mut dyn Read,
    options: &DecodeOptions,
    sink: &mut dyn Sink,
    depth: u32,
) -> Result<(), String> {
    let mut stream = stream;
    loop {
        let entry =
            zip::read::read_zipfile_from_stream(&mut stream).map_err(|e| format!("damaged zip archive: {e}"))?;
        let Some(mut entry) = entry else { return Ok(()) };
        if !entry.is_file() {
            continue;
        }
        let path = match entry.name() {
            Ok(path) => path.into_owned(),
            Err(e) => format!("<unreadable entry name: {e}>"),
        };
        // Entries are deflated: the decompression cap applies to each, as to a gzip stream.
        let mut capped = gzip::Capped::new(&mut entry, options.max_decompressed_bytes);
        decode_nested(&format!("{name}!/{path}"), &mut capped, options, sink, depth + 1);
        // Drain what the decoder did not read so the stream is positioned at the next entry (and its checksum is
        // verified). Past the cap the entry is already reported; dropping it skips its compressed bytes unread.
        match io::copy(&mut capped, &mut io::sink()) {
            Err(e) if cap_exceeded(&e).is_some() => {}
            Err(e) => return Err(format!("damaged zip entry {path}: {e}")),
            Ok(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Seen {
        events: u64,
        rejections: Vec<(u64, String)>,
        outcomes: Vec<UnitOutcome>,
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

    /// A line of `len` bytes made up as it is read, between two valid access log lines: nothing in the test
    /// holds the long line either.
    struct LongLine {
        before: &'static [u8],
        len: u64,
        after: &'static [u8],
        at: u64,
    }

    impl Read for LongLine {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let (before, long) = (self.before.len() as u64, self.len);
            let n = if self.at < before {
                let from = &self.before[self.at as usize..];
                let n = from.len().min(buf.len());
                buf[..n].copy_from_slice(&from[..n]);
                n
            } else if self.at < before + long {
                let n = ((before + long - self.at) as usize).min(buf.len());
                buf[..n].fill(b'x');
                n
            } else {
                let from = self.after.get((self.at - before - long) as usize..).unwrap_or_default();
                let n = from.len().min(buf.len());
                buf[..n].copy_from_slice(&from[..n]);
                n
            };
            self.at += n as u64;
            Ok(n)
        }
    }

    const ACCESS_LINE: &str = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be b [21/Nov/2026:10:00:00 +0000] 10.0.0.1 - R1 REST.GET.OBJECT k \"GET /b/k HTTP/1.1\" 200 - 1 1 1 1 \"-\" \"ua\" - HOSTID SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader b.s3.amazonaws.com TLSv1.2 - -\n";

    #[test]
    fn an_over_long_access_log_line_is_skipped_through_the_readers_buffer() {
        let options = DecodeOptions { max_record_bytes: 1024, ..DecodeOptions::default() };
        for (len, newline) in [(2_000u64, true), (64 << 20, true), (64 << 20, false)] {
            let after: &'static [u8] = if newline { b"\n" } else { b"" };
            let after = if newline { [after, ACCESS_LINE.as_bytes()].concat().leak() } else { after };
            let total = ACCESS_LINE.len() as u64 + len + after.len() as u64;
            let source = LongLine { before: ACCESS_LINE.as_bytes(), len, after, at: 0 };
            // The reader's buffer is the only place the long line passes through.
            let mut reader = BufReader::with_capacity(8192, source);
            let mut seen = Seen::default();
            let mut outcome = UnitOutcome::new("unit");
            read_access_log(&mut reader, &options, &mut seen, &mut outcome);
            let events = if newline { 2 } else { 1 };
            assert_eq!((seen.events, outcome.records, outcome.bad_records), (events, events, 1), "{len}");
            assert_eq!(seen.rejections, vec![(2, "line exceeds --max-record-bytes 1024".to_owned())], "{len}");
            assert_eq!((outcome.bytes, outcome.failure), (total, None), "{len}");
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
