//! S3 server access log lines: a borrowed, never-panicking parser ([`parse_line`]), the conversion to an
//! [`Event`](crate::model::Event) ([`to_event`]) and content sniffing ([`looks_like_access_log`]).
//!
//! # Format and tolerance
//! Space-separated fields; the time in `[…]`; Request-URI, Referer and User-Agent in double quotes; `-` for
//! empty (→ `None`). Runs of spaces and tabs separate fields (S3 never writes an empty field; real logs carry
//! doubled spaces). A trailing CR/LF and a leading BOM are dropped.
//!
//! - **Short lines**: older logs stop after the user agent or the version id, and new fields get appended over
//!   the years. A line needs at least the first [`MIN_FIELDS`] fields (through the HTTP status, enough to know
//!   who did what and how it ended); missing later fields are `None`, extra trailing fields are ignored.
//! - **Unescaped quotes** inside quoted fields (real user agents `""Mozilla/5.0 …"`, request URIs with
//!   `filename="x"`) are resolved with the field structure, not by the first closing quote:
//!   the Request-URI ends at the first `"` + blank that is followed by what fits the next six fields (status,
//!   error code, four numbers) and a quoted or `-` referer; the referer ends at the first `"` + blank followed
//!   by `"` or `-`; the user agent ends at the **last** `"` + blank (or end of line) whose following fields fit
//!   the AWS-written fields after it (no quotes; signature version `SigV*`, authentication type, TLS version in
//!   their places). Taking the last one means text forged inside a user agent cannot push fake host-header /
//!   TLS values into the fields after it. If a future format appends a quoted field, that rule would fold it
//!   into the user agent; the fields before are unaffected.
//! - **Non-UTF-8**: the caller converts lines with `String::from_utf8_lossy` before parsing; invalid bytes
//!   become U+FFFD in the field that held them (only attacker-controlled fields — URI, referer, user agent,
//!   key — can hold them) and the line still parses.

mod endpoint;
mod event;
#[cfg(test)]
mod event_tests;
#[cfg(test)]
mod tests;

pub use endpoint::{EndpointNetwork, infer_endpoint};
pub use event::to_event;

use crate::model::Timestamp;
use percent_encoding::percent_decode_str;
use std::borrow::Cow;

/// The fields a line needs to be usable: bucket owner … HTTP status.
pub const MIN_FIELDS: usize = 10;

/// One access log line, fields borrowed from the input. `None` stands for `-` (or a field the line lacks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessLogLine<'a> {
    /// Canonical user id of the bucket owner.
    pub bucket_owner: &'a str,
    pub bucket: &'a str,
    pub time: Timestamp,
    /// The time as logged, without brackets: `06/Feb/2019:00:00:38 +0000`.
    pub time_raw: &'a str,
    pub remote_ip: Option<&'a str>,
    /// An IAM/STS ARN, a canonical user id, `svc:<service>` for AWS services; `None` = anonymous.
    pub requester: Option<&'a str>,
    pub request_id: Option<&'a str>,
    /// `REST.GET.OBJECT`, `BATCH.DELETE.OBJECT`, `S3.EXPIRE.OBJECT`, …
    pub operation: &'a str,
    /// The key as logged (URL-encoded); see [`AccessLogLine::key_decoded`].
    pub key: Option<&'a str>,
    /// The request line: `GET /bucket/key?versionId=… HTTP/1.1`.
    pub request_uri: Option<&'a str>,
    pub http_status: Option<u16>,
    pub error_code: Option<&'a str>,
    pub bytes_sent: Option<u64>,
    pub object_size: Option<u64>,
    /// Total time, milliseconds.
    pub total_time: Option<u64>,
    /// Turn-around time, milliseconds.
    pub turn_around_time: Option<u64>,
    pub referer: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    /// The version id column (the version requested *or served*; see `to_event` for which one counts).
    pub version_id: Option<&'a str>,
    pub host_id: Option<&'a str>,
    /// `SigV2` / `SigV4`.
    pub signature_version: Option<&'a str>,
    pub cipher_suite: Option<&'a str>,
    /// `AuthHeader` / `QueryString`.
    pub authentication_type: Option<&'a str>,
    pub host_header: Option<&'a str>,
    /// `TLSv1.2` (the AWS example writes `TLSV1.2`).
    pub tls_version: Option<&'a str>,
    pub access_point_arn: Option<&'a str>,
    /// `Yes` when an ACL was required to authorize the request.
    pub acl_required: Option<&'a str>,
    /// The region the request came from.
    pub source_region: Option<&'a str>,
    /// How many fields the line had (extra trailing fields included).
    pub field_count: usize,
}

impl<'a> AccessLogLine<'a> {
    /// The key, URL-decoded (invalid UTF-8 after decoding becomes U+FFFD). `+` is kept as is: S3 writes
    /// spaces as `%20`.
    pub fn key_decoded(&self) -> Option<Cow<'a, str>> {
        self.key.map(|k| percent_decode_str(k).decode_utf8_lossy())
    }
}

/// Why a line could not be parsed. The caller adds the line number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("empty line")]
    Empty,
    #[error("too short: {fields} fields, need at least {MIN_FIELDS}")]
    TooShort { fields: usize },
    #[error("time is not [dd/Mon/yyyy:HH:MM:SS +zzzz]")]
    BadTime,
    #[error("unterminated quoted field: {field}")]
    UnterminatedQuote { field: &'static str },
    #[error("HTTP status is not a 3-digit number")]
    BadStatus,
    #[error("{field} is not a number")]
    BadNumber { field: &'static str },
}

/// Parses one line (without or with its line ending). Never panics.
pub fn parse_line(line: &str) -> Result<AccessLogLine<'_>, LineError> {
    let line = line.trim_start_matches('\u{feff}').trim_end_matches(['\r', '\n']);
    let mut c = Cursor { s: line, pos: 0, fields: 0 };
    let bucket_owner = c.token().ok_or(LineError::Empty)?;
    let bucket = c.required()?;
    let time_raw = match c.bracketed() {
        Some(time) => time,
        // A line that stops after the bucket is short, not badly timed.
        None if c.at_end() => return Err(LineError::TooShort { fields: c.fields }),
        None => return Err(LineError::BadTime),
    };
    let time = Timestamp::parse_s3_access_log(time_raw).ok_or(LineError::BadTime)?;
    let remote_ip = c.required()?;
    let requester = c.required()?;
    let request_id = c.required()?;
    let operation = c.required()?;
    let key = c.required()?;
    let request_uri = c.quoted("request URI", Close::First(uri_tail_fits))?;
    let request_uri = request_uri.ok_or(LineError::TooShort { fields: c.fields })?;
    let http_status = match c.required()? {
        "-" => None,
        s if s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()) => s.parse().ok(),
        _ => return Err(LineError::BadStatus),
    };
    let error_code = c.token();
    let bytes_sent = number(c.token(), "bytes sent")?;
    let object_size = number(c.token(), "object size")?;
    let total_time = number(c.token(), "total time")?;
    let turn_around_time = number(c.token(), "turn-around time")?;
    let referer = c.quoted("referer", Close::First(referer_tail_fits))?;
    let user_agent = c.quoted("user agent", Close::Last(agent_tail_fits))?;
    let mut rest = [None; 10];
    for slot in rest.iter_mut() {
        *slot = c.token();
    }
    while c.token().is_some() {}
    Ok(AccessLogLine {
        bucket_owner,
        bucket,
        time,
        time_raw,
        remote_ip: dash(remote_ip),
        requester: dash(requester),
        request_id: dash(request_id),
        operation,
        key: dash(key),
        request_uri: dash(request_uri),
        http_status,
        error_code: error_code.and_then(dash),
        bytes_sent,
        object_size,
        total_time,
        turn_around_time,
        referer: referer.and_then(dash),
        user_agent: user_agent.and_then(dash),
        version_id: rest[0].and_then(dash),
        host_id: rest[1].and_then(dash),
        signature_version: rest[2].and_then(dash),
        cipher_suite: rest[3].and_then(dash),
        authentication_type: rest[4].and_then(dash),
        host_header: rest[5].and_then(dash),
        tls_version: rest[6].and_then(dash),
        access_point_arn: rest[7].and_then(dash),
        acl_required: rest[8].and_then(dash),
        source_region: rest[9].and_then(dash),
        field_count: c.fields,
    })
}

/// True when `first_line` looks like an S3 server access log line: a 64-hex canonical user id, a bucket name,
/// then `[dd/Mon/yyyy:`. Works on a truncated prefix of the line.
pub fn looks_like_access_log(first_line: &[u8]) -> bool {
    let line = first_line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(first_line);
    let mut parts = line.splitn(3, |b| *b == b' ');
    let (Some(owner), Some(bucket), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let bucket_ok = (1..=255).contains(&bucket.len())
        && bucket.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    let time = rest.get(..13).unwrap_or_default();
    let time_ok = time.len() == 13
        && time[0] == b'['
        && time[1..3].iter().all(u8::is_ascii_digit)
        && time[3] == b'/'
        && time[4..7].iter().all(u8::is_ascii_alphabetic)
        && time[7] == b'/'
        && time[8..12].iter().all(u8::is_ascii_digit)
        && time[12] == b':';
    owner.len() == 64 && owner.iter().all(u8::is_ascii_hexdigit) && bucket_ok && time_ok
}

fn dash(field: &str) -> Option<&str> {
    (!field.is_empty() && field != "-").then_some(field)
}

fn number(field: Option<&str>, name: &'static str) -> Result<Option<u64>, LineError> {
    match field {
        None | Some("-") => Ok(None),
        Some(f) => f.parse().map(Some).map_err(|_| LineError::BadNumber { field: name }),
    }
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Which closing quote of a quoted field to take, among those followed by a blank or the end of the line,
/// given a check of the text after it.
enum Close {
    First(fn(&str) -> bool),
    Last(fn(&str) -> bool),
}

struct Cursor<'a> {
    s: &'a str,
    pos: usize,
    /// Fields read so far.
    fields: usize,
}

impl<'a> Cursor<'a> {
    fn skip_blanks(&mut self) {
        let bytes = self.s.as_bytes();
        while self.pos < bytes.len() && is_blank(bytes[self.pos]) {
            self.pos += 1;
        }
    }

    /// True when only blanks are left.
    fn at_end(&self) -> bool {
        self.s.as_bytes()[self.pos.min(self.s.len())..].iter().all(|&b| is_blank(b))
    }

    /// The next blank-separated token, `None` at the end of the line.
    fn token(&mut self) -> Option<&'a str> {
        self.skip_blanks();
        let bytes = self.s.as_bytes();
        let start = self.pos;
        while self.pos < bytes.len() && !is_blank(bytes[self.pos]) {
            self.pos += 1;
        }
        if self.pos == start {
            return None;
        }
        self.fields += 1;
        Some(&self.s[start..self.pos])
    }

    /// The next token of a field every usable line has.
    fn required(&mut self) -> Result<&'a str, LineError> {
        self.token().ok_or(LineError::TooShort { fields: self.fields })
    }

    /// `[ … ]`, without the brackets.
    fn bracketed(&mut self) -> Option<&'a str> {
        self.skip_blanks();
        let rest = self.s.get(self.pos..)?.strip_prefix('[')?;
        let end = memchr::memchr(b']', rest.as_bytes())?;
        self.pos += 1 + end + 1;
        self.fields += 1;
        Some(&rest[..end])
    }

    /// A quoted field (content without the quotes) or a bare token (`-`); `Ok(None)` at the end of the line.
    fn quoted(&mut self, field: &'static str, close: Close) -> Result<Option<&'a str>, LineError> {
        self.skip_blanks();
        let bytes = self.s.as_bytes();
        if self.pos >= bytes.len() {
            return Ok(None);
        }
        if bytes[self.pos] != b'"' {
            return Ok(self.token());
        }
        let start = self.pos + 1;
        let candidates = || {
            memchr::memchr_iter(b'"', &bytes[start..])
                .map(move |i| start + i)
                .filter(|&j| bytes.get(j + 1).is_none_or(|&b| is_blank(b)))
        };
        let fits = |j: &usize| -> bool {
            let rest = &self.s[j + 1..];
            match close {
                Close::First(f) | Close::Last(f) => f(rest),
            }
        };
        let end = match close {
            Close::First(_) => candidates().find(fits),
            Close::Last(_) => candidates().collect::<Vec<_>>().into_iter().rev().find(fits),
        }
        .or_else(|| candidates().next())
        .ok_or(LineError::UnterminatedQuote { field })?;
        self.pos = end + 1;
        self.fields += 1;
        Ok(Some(&self.s[start..end]))
    }
}

fn is_number_or_dash(t: &str) -> bool {
    t == "-" || (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
}

/// After the Request-URI: status, error code, bytes sent, object size, total time, turn-around time, referer.
fn uri_tail_fits(rest: &str) -> bool {
    let mut tokens = rest.split([' ', '\t']).filter(|t| !t.is_empty());
    for i in 0..7 {
        let Some(t) = tokens.next() else { return true };
        let ok = match i {
            0 => t == "-" || (t.len() == 3 && t.bytes().all(|b| b.is_ascii_digit())),
            1 => !t.contains('"'),
            2..=5 => is_number_or_dash(t),
            _ => t.starts_with('"') || t == "-",
        };
        if !ok {
            return false;
        }
    }
    true
}

/// After the referer: a quoted or `-` user agent, or the end of the line.
fn referer_tail_fits(rest: &str) -> bool {
    let rest = rest.trim_start_matches([' ', '\t']);
    rest.is_empty() || rest.starts_with('"') || rest == "-" || rest.starts_with("- ")
}

/// After the user agent: version id, host id, signature version, cipher suite, authentication type, host
/// header, TLS version, access point ARN, aclRequired, source region — AWS-written, never quoted.
fn agent_tail_fits(rest: &str) -> bool {
    let tokens: Vec<&str> = rest.split([' ', '\t']).filter(|t| !t.is_empty()).take(10).collect();
    let at = |i: usize, ok: fn(&str) -> bool| tokens.get(i).is_none_or(|t| *t == "-" || ok(t));
    tokens.iter().all(|t| !t.contains('"'))
        && at(2, |t| t.starts_with("SigV"))
        && at(4, |t| t == "AuthHeader" || t == "QueryString")
        && at(6, |t| t.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("TLS")))
}
