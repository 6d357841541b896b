//! The content hash of a unit, for `--verify` (feature `aws`): the SHA-256 of the uncompressed bytes the
//! decoder reads anyway, taken in the same pass (no second read). A gzip unit inflated whole is hashed from
//! the buffer the decoder holds; a streamed unit through [`HashingReader`] as the decoder pulls its bytes; a
//! plain file likewise (its bytes are its content; for a gzip file the compressed bytes are not hashed). The
//! hash lands on the unit's [`UnitOutcome`] through [`Attach`]. A digest file's content is kept too (a few KB):
//! `verify` parses it after the pass.

use std::io::{self, Read};

use super::unit::{Sink, UnitOutcome};
use crate::model::Record;

/// What the pass learned about a unit's content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitContent {
    /// SHA-256 of the uncompressed content; `None` when it could not be read to its end.
    pub sha256: Option<[u8; 32]>,
    /// The uncompressed content of a digest file (named `…/CloudTrail-Digest/…`).
    pub digest: Option<Vec<u8>>,
}

/// Digest files above this are not kept (real ones are a few hundred KB at most).
const DIGEST_KEEP_LIMIT: usize = 64 << 20;

/// Whether a unit's content is worth hashing: a CloudTrail log or digest by where it sits (`…/CloudTrail/…`,
/// `…/CloudTrail-Digest/…`); access logs, Insight files and the rest are in no digest.
pub fn wants_hash(name: &str) -> bool {
    ["/CloudTrail/", "\\CloudTrail\\"].iter().any(|s| name.contains(s)) || is_digest_name(name)
}

/// Whether a unit is a CloudTrail digest by where it sits; only those have their content kept.
pub fn is_digest_name(name: &str) -> bool {
    name.contains("/CloudTrail-Digest/") || name.contains("\\CloudTrail-Digest\\")
}

/// The content of a unit held whole in memory.
pub fn of_buffer(name: &str, bytes: &[u8]) -> UnitContent {
    UnitContent {
        sha256: sha256(bytes),
        digest: (is_digest_name(name) && bytes.len() <= DIGEST_KEEP_LIMIT).then(|| bytes.to_vec()),
    }
}

#[cfg(feature = "aws")]
type Context = aws_lc_rs::digest::Context;
/// Without the `aws` feature nothing is hashed (`--verify` is refused before reading).
#[cfg(not(feature = "aws"))]
struct Context;

#[cfg(feature = "aws")]
fn sha256(bytes: &[u8]) -> Option<[u8; 32]> {
    let mut context = new_context();
    context.update(bytes);
    finish(context)
}

#[cfg(not(feature = "aws"))]
fn sha256(_: &[u8]) -> Option<[u8; 32]> {
    None
}

#[cfg(feature = "aws")]
fn new_context() -> Context {
    aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256)
}

#[cfg(not(feature = "aws"))]
fn new_context() -> Context {
    Context
}

#[cfg(feature = "aws")]
fn finish(context: Context) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    out.copy_from_slice(context.finish().as_ref());
    Some(out)
}

#[cfg(not(feature = "aws"))]
fn finish(_: Context) -> Option<[u8; 32]> {
    None
}

#[cfg(feature = "aws")]
fn update(context: &mut Context, bytes: &[u8]) {
    context.update(bytes);
}

#[cfg(not(feature = "aws"))]
fn update(_: &mut Context, _: &[u8]) {}

/// Hashes what is read through it. With `skip_gzip`, a stream that starts with the gzip magic is not hashed
/// (its uncompressed content is hashed further in instead).
pub struct HashingReader<R> {
    inner: R,
    context: Option<Context>,
    kept: Option<Vec<u8>>,
    started: bool,
    skip_gzip: bool,
    failed: bool,
}

impl<R: Read> HashingReader<R> {
    pub fn new(inner: R, name: &str, skip_gzip: bool) -> Self {
        HashingReader {
            inner,
            context: Some(new_context()),
            kept: is_digest_name(name).then(Vec::new),
            started: false,
            skip_gzip,
            failed: false,
        }
    }

    /// Reads what the decoder left, then gives the content (`None` when this stream was gzip and skipped).
    pub fn finish(mut self) -> Option<UnitContent> {
        self.context.as_ref()?;
        let _ = io::copy(&mut self, &mut io::sink());
        let context = self.context.take()?;
        let sha256 = if self.failed { None } else { finish(context) };
        Some(UnitContent { sha256, digest: if self.failed { None } else { self.kept } })
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match self.inner.read(buf) {
            Ok(n) => n,
            Err(e) => {
                if e.kind() != io::ErrorKind::Interrupted {
                    self.failed = true;
                }
                return Err(e);
            }
        };
        if !self.started && n > 0 {
            self.started = true;
            if self.skip_gzip && buf[..n].starts_with(&[0x1f, 0x8b]) {
                self.context = None;
                self.kept = None;
            }
        }
        if let Some(context) = &mut self.context {
            update(context, &buf[..n]);
            if let Some(kept) = &mut self.kept {
                if kept.len() + n <= DIGEST_KEEP_LIMIT {
                    kept.extend_from_slice(&buf[..n]);
                } else {
                    self.kept = None;
                }
            }
        }
        Ok(n)
    }
}

/// Forwards everything to `inner`, but holds back the outcome of the unit `name` until [`Attach::release`]
/// attaches its content (a unit's own outcome is reported before its stream is known to be fully read).
pub struct Attach<'s> {
    pub inner: &'s mut dyn Sink,
    name: String,
    held: Option<UnitOutcome>,
}

impl<'s> Attach<'s> {
    pub fn new(inner: &'s mut dyn Sink, name: &str) -> Self {
        Attach { inner, name: name.to_owned(), held: None }
    }

    /// Sends the held outcome on with `content`, unless a deeper layer attached content already.
    pub fn release(self, content: Option<UnitContent>) {
        if let Some(mut outcome) = self.held {
            if outcome.content.is_none() {
                outcome.content = content.map(|mut c| {
                    if outcome.failure.is_some() {
                        c.sha256 = None;
                    }
                    c
                });
            }
            self.inner.unit_done(outcome);
        }
    }
}

impl Sink for Attach<'_> {
    fn record(&mut self, record: &Record<'_>) {
        self.inner.record(record);
    }
    fn aggregated(&mut self, unit: &str, aggregate: crate::model::Aggregate) {
        self.inner.aggregated(unit, aggregate);
    }
    fn bad_record(&mut self, unit: &str, position: u64, location: &str, reason: &str) {
        self.inner.bad_record(unit, position, location, reason);
    }
    fn unit_done(&mut self, outcome: UnitOutcome) {
        if self.held.is_none() && outcome.name == self.name {
            self.held = Some(outcome);
        } else {
            self.inner.unit_done(outcome);
        }
    }
}

#[cfg(all(test, feature = "aws"))]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::decode::{DecodeOptions, decode_unit};

    #[derive(Default)]
    struct Outcomes(Vec<UnitOutcome>);

    impl Sink for Outcomes {
        fn record(&mut self, _: &Record<'_>) {}
        fn bad_record(&mut self, _: &str, _: u64, _: &str, _: &str) {}
        fn unit_done(&mut self, outcome: UnitOutcome) {
            self.0.push(outcome);
        }
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    const LOG: &str = "AWSLogs/1/CloudTrail/us-east-1/2026/11/21/x.json.gz";
    const DIGEST: &str = "AWSLogs/1/CloudTrail-Digest/us-east-1/2026/11/21/d.json.gz";

    /// The content hash is the SHA-256 of the uncompressed bytes, whichever way the unit is read; only
    /// CloudTrail logs and digests are hashed, only digests kept, and nothing when hashing is off.
    #[test]
    fn content_table() {
        let body = br#"{"Records":[{"eventVersion":"1.09","eventTime":"2026-11-21T10:00:00Z","eventID":"e1","eventName":"GetObject","eventSource":"s3.amazonaws.com"}]}"#;
        let digest = br#"{"digestStartTime":"2026-11-21T09:00:00Z","logFiles":[]}"#;
        let truncated = {
            let g = gzip(body);
            g[..g.len() - 10].to_vec()
        };
        // (label, bytes, hashing on, expected content hash: None = no content at all)
        type Case = (&'static str, Vec<u8>, bool, Option<Option<[u8; 32]>>);
        let cases: Vec<Case> = vec![
            ("gzip log", gzip(body), true, Some(sha256(body))),
            ("plain log", body.to_vec(), true, Some(sha256(body))),
            ("gzip digest", gzip(digest), true, Some(sha256(digest))),
            // Every member is hashed: a member appended after delivery changes the hash.
            ("two members", [gzip(body), gzip(body)].concat(), true, Some(sha256(&[&body[..], &body[..]].concat()))),
            ("damaged: streamed, no hash", truncated, true, Some(None)),
            ("hashing off", gzip(body), false, None),
        ];
        for (label, bytes, on, want) in cases {
            for name in [LOG, DIGEST, "s3-access-logs/2026-11-21-10-00-00-ABC"] {
                let options = DecodeOptions { hash_content: on, ..DecodeOptions::default() };
                let mut seen = Outcomes::default();
                decode_unit(name, &mut &bytes[..], &options, &mut seen);
                let content = seen.0.iter().find(|o| o.name == name).and_then(|o| o.content.clone());
                if name.starts_with("s3-access-logs") {
                    assert_eq!(content, None, "{label}: {name}");
                    continue;
                }
                assert_eq!(content.as_ref().map(|c| c.sha256), want, "{label}: {name}");
                let digest_kept = content.as_ref().and_then(|c| c.digest.as_ref()).is_some();
                assert_eq!(digest_kept, name == DIGEST && want.flatten().is_some(), "{label}: {name}");
            }
        }
    }
}
