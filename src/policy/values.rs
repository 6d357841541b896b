//! Parsing of typed condition values, shared by the policy parser (policy values) and the evaluator
//! (request values): numbers, dates (ISO 8601 or epoch seconds), booleans, base64, IP addresses and CIDRs.

use ipnet::IpNet;
use std::net::IpAddr;

/// A finite number (IAM numeric operators accept integers and decimals).
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    if text.is_empty() || text.len() > 64 {
        return None;
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// An instant as nanoseconds since the Unix epoch. Accepts epoch seconds (`1700000000`, `1700000000.5`),
/// RFC 3339 / ISO 8601 with an offset (`2024-01-01T00:00:00Z`), a date-time without offset (UTC assumed) and
/// a bare date (`2024-01-01`, midnight UTC).
pub(crate) fn parse_date(text: &str) -> Option<i128> {
    let text = text.trim();
    if text.is_empty() || text.len() > 64 {
        return None;
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.bytes().all(|b| b.is_ascii_digit() || b == b'.') && digits.bytes().any(|b| b.is_ascii_digit()) {
        let seconds: f64 = text.parse().ok()?;
        // Keep whole seconds exact; the fraction is rounded to nanoseconds.
        let (whole, frac) = match text.split_once('.') {
            Some((w, _)) => (w.parse::<i128>().ok()?, seconds.fract()),
            None => (text.parse::<i128>().ok()?, 0.0),
        };
        return whole.checked_mul(1_000_000_000)?.checked_add((frac * 1e9).round() as i128);
    }
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Some(ts.as_nanosecond());
    }
    if let Ok(dt) = text.parse::<jiff::civil::DateTime>() {
        return dt.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp().as_nanosecond());
    }
    None
}

/// `true`/`false`, any case.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// An IP address or CIDR block as a network (`10.0.0.1` is `10.0.0.1/32`).
pub(crate) fn parse_cidr(text: &str) -> Option<IpNet> {
    let text = text.trim();
    if let Ok(net) = text.parse::<IpNet>() {
        return Some(net);
    }
    text.parse::<IpAddr>().ok().map(IpNet::from)
}

/// An IP address from a request (`aws:SourceIp`).
pub(crate) fn parse_ip(text: &str) -> Option<IpAddr> {
    text.trim().parse::<IpAddr>().ok()
}

/// Decodes standard base64 (padding optional, whitespace ignored). `None` when not base64.
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' | b'-' => Some(62),
            b'/' | b'_' => Some(63),
            _ => None,
        }
    }
    let cleaned: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let trimmed = cleaned.strip_suffix(b"==").or_else(|| cleaned.strip_suffix(b"=")).unwrap_or(&cleaned);
    if trimmed.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    for chunk in trimmed.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= value(c)? << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let day = 1_704_067_200i128 * 1_000_000_000; // 2024-01-01T00:00:00Z
        let cases = [
            ("2024-01-01T00:00:00Z", Some(day)),
            ("2024-01-01T01:00:00+01:00", Some(day)),
            ("2024-01-01", Some(day)),
            ("2024-01-01T00:00:00", Some(day)),
            ("1704067200", Some(day)),
            ("1704067200.5", Some(day + 500_000_000)),
            ("yesterday", None),
            ("", None),
            ("-", None),
            ("99999999999999999999999999999999999", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_date(text), want, "{text}");
        }
    }

    #[test]
    fn base64() {
        let cases = [
            ("aGVsbG8=", Some(b"hello".to_vec())),
            ("aGVsbG8", Some(b"hello".to_vec())),
            ("", Some(vec![])),
            ("a", None),
            ("!!!!", None),
            ("QUJD", Some(b"ABC".to_vec())),
        ];
        for (text, want) in cases {
            assert_eq!(decode_base64(text), want, "{text}");
        }
    }

    #[test]
    fn numbers_bools_ips() {
        assert_eq!(parse_number(" 10 "), Some(10.0));
        assert_eq!(parse_number("1e400"), None);
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("yes"), None);
        assert!(parse_cidr("10.0.0.0/8").is_some());
        assert!(parse_cidr("2001:db8::/32").is_some());
        assert_eq!(parse_cidr("10.0.0.1").map(|n| n.prefix_len()), Some(32));
        assert!(parse_cidr("10.0.0.0/33").is_none());
    }
}
