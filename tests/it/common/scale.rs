//! N time-shifted copies of sample-logs in one folder, for the memory-flatness test (issue 8). The same
//! transform as `bench/scale_sample_logs.py` (see there): copy k moves every time, date folder and file-name
//! time by `k × days` days, and replaces CloudTrail eventID/requestID/sharedEventID and the access-log request
//! id with values derived from (k, original), so de-duplication keeps every copy; copy 0 is sample-logs as is.
//! Gzip files (whatever their name) are re-compressed, and the truncated one stays truncated. Non-log files
//! (trail-vpce.toml, policies/) are copied once.

use std::io::{Read, Write};
use std::path::Path;

use jiff::civil::{Date, DateTime};
use jiff::{Span, ToSpan};
use regex::bytes::{Captures, Regex};

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

struct Shift<'a> {
    copy: u64,
    span: Span,
    patterns: &'a Patterns,
}

/// The regular expressions, compiled once.
struct Patterns {
    iso: Regex,
    access_time: Regex,
    ids: Regex,
    access_id: Regex,
    paths: Vec<(regex::Regex, &'static str)>,
}

impl Patterns {
    fn new() -> Patterns {
        let paths = [
            (r"(^|[^0-9])(\d{4})/(\d{2})/(\d{2})()($|[^0-9])", "%Y/%m/%d"),
            (r"(^|[^0-9])(\d{4})(\d{2})(\d{2})(T\d{4,6}Z)()", "%Y%m%d"),
            (r"(^|[^0-9])(\d{4})-(\d{2})-(\d{2})()($|[^0-9])", "%Y-%m-%d"),
        ];
        Patterns {
            iso: Regex::new(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})").unwrap(),
            access_time: Regex::new(r"\[(\d{2})/([A-Za-z]{3})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\]").unwrap(),
            ids: Regex::new(r#"("(?:eventID|requestID|sharedEventID)"\s*:\s*")([0-9a-fA-F-]{36})(")"#).unwrap(),
            access_id: Regex::new(r"(?m)^(\S+ \S+ \[[^\]]*\] \S+ \S+ )([0-9A-Z]+)( )").unwrap(),
            paths: paths.into_iter().map(|(p, f)| (regex::Regex::new(p).unwrap(), f)).collect(),
        }
    }
}

fn number(c: &Captures<'_>, i: usize) -> i32 {
    std::str::from_utf8(&c[i]).unwrap().parse().unwrap()
}

fn hash(copy: u64, value: &[u8]) -> u128 {
    let mut data = format!("{copy}:").into_bytes();
    data.extend_from_slice(value);
    xxhash_rust::xxh3::xxh3_128(&data)
}

impl Shift<'_> {
    fn datetime(&self, y: i32, mo: i32, d: i32, h: i32, mi: i32, s: i32) -> DateTime {
        DateTime::new(y as i16, mo as i8, d as i8, h as i8, mi as i8, s as i8, 0)
            .unwrap()
            .checked_add(self.span)
            .unwrap()
    }

    fn text(&self, data: &[u8]) -> Vec<u8> {
        let iso = Regex::new(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})").unwrap();
        let access_time = Regex::new(r"\[(\d{2})/([A-Za-z]{3})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\]").unwrap();
        let ids = Regex::new(r#"("(?:eventID|requestID|sharedEventID)"\s*:\s*")([0-9a-fA-F-]{36})(")"#).unwrap();
        let access_id = Regex::new(r"(?m)^(\S+ \S+ \[[^\]]*\] \S+ \S+ )([0-9A-Z]+)( )").unwrap();
        let data = iso.replace_all(data, |c: &Captures<'_>| {
            let n = |i| number(c, i);
            self.datetime(n(1), n(2), n(3), n(4), n(5), n(6)).strftime("%Y-%m-%dT%H:%M:%S").to_string().into_bytes()
        });
        let data = access_time.replace_all(&data, |c: &Captures<'_>| {
            let n = |i| number(c, i);
            let month = MONTHS.iter().position(|m| m.as_bytes() == &c[2]).unwrap() as i32 + 1;
            let t = self.datetime(n(3), month, n(1), n(4), n(5), n(6));
            let zone = std::str::from_utf8(&c[7]).unwrap();
            let month = MONTHS[t.month() as usize - 1];
            let (day, year, hour, minute, second) = (t.day(), t.year(), t.hour(), t.minute(), t.second());
            format!("[{day:02}/{month}/{year:04}:{hour:02}:{minute:02}:{second:02} {zone}]").into_bytes()
        });
        let data = ids.replace_all(&data, |c: &Captures<'_>| {
            let h = format!("{:032x}", hash(self.copy, &c[2]));
            let uuid = format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..]);
            [&c[1], uuid.as_bytes(), &c[3]].concat()
        });
        let data = access_id.replace_all(&data, |c: &Captures<'_>| {
            const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
            let mut h = hash(self.copy, &c[2]);
            let id: Vec<u8> = (0..c[2].len())
                .map(|_| {
                    let b = ALPHABET[(h % 36) as usize];
                    h /= 36;
                    b
                })
                .collect();
            [&c[1], &id[..], &c[3]].concat()
        });
        data.into_owned()
    }

    fn path(&self, rel: &str) -> String {
        let mut rel = rel.to_owned();
        for (re, format) in &self.patterns.paths {
            rel = re
                .replace_all(&rel, |c: &regex::Captures<'_>| {
                    let n = |i: usize| c[i].parse::<i32>().unwrap();
                    let date = Date::new(n(2) as i16, n(3) as i8, n(4) as i8).unwrap().checked_add(self.span).unwrap();
                    format!("{}{}{}{}", &c[1], date.strftime(*format), &c[5], &c[6])
                })
                .into_owned();
        }
        rel
    }

    fn file(&self, raw: &[u8]) -> Vec<u8> {
        if !raw.starts_with(&[0x1f, 0x8b]) {
            return self.text(raw);
        }
        let mut text = Vec::new();
        let truncated = flate2::read::MultiGzDecoder::new(raw).read_to_end(&mut text).is_err();
        let mut packed = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        packed.write_all(&self.text(&text)).unwrap();
        let mut packed = packed.finish().unwrap();
        if truncated {
            // Keep it a truncated stream, as in sample-logs.
            packed.truncate(packed.len().saturating_sub(16).max(10));
        }
        packed
    }
}

fn is_log(rel: &Path) -> bool {
    let top = rel.components().next().and_then(|c| c.as_os_str().to_str());
    matches!(top, Some("AWSLogs" | "exports" | "s3-access-logs"))
}

/// Writes `copies` copies of `source`, each `days` days after the previous, into `out`; returns the log files
/// written.
pub fn write_copies(source: &Path, out: &Path, copies: u64, days: i64) -> usize {
    let patterns = Patterns::new();
    let mut written = 0;
    for entry in walkdir::WalkDir::new(source).sort_by_file_name() {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(source).unwrap();
        let raw = std::fs::read(entry.path()).unwrap();
        let copy_range = if is_log(rel) { 0..copies } else { 0..1 };
        for copy in copy_range {
            let shift = Shift { copy, span: (copy as i64 * days).days(), patterns: &patterns };
            let (path, data) = if copy == 0 {
                (rel.to_str().unwrap().to_owned(), raw.clone())
            } else {
                (shift.path(rel.to_str().unwrap()), shift.file(&raw))
            };
            let path = out.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, data).unwrap();
            written += usize::from(is_log(rel));
        }
    }
    written
}
