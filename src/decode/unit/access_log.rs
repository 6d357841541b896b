//! S3 server access log units: line by line, each line an event or a rejection; over-long lines are skipped
//! through the reader's buffer, never held.

use std::io::{self, BufRead, Read};

use super::{DecodeOptions, Sink, UnitOutcome, describe_io};
use crate::decode::s3_access_log;
use crate::model::Record;

pub(super) fn read_access_log(
    mut reader: impl BufRead,
    options: &DecodeOptions,
    sink: &mut dyn Sink,
    outcome: &mut UnitOutcome,
) {
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

#[cfg(test)]
mod tests {
    use std::io::BufReader;

    use super::*;
    use crate::decode::unit::tests::Seen;

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
}
