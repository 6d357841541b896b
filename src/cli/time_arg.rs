//! Time arguments: `--since 24h` (relative to `--at`, default now), RFC 3339 instants, and dates.

use crate::model::Timestamp;

/// Parses a time argument: a duration before `anchor` (`90m`, `24h`, `7d`, `2w`, `30s`), an RFC 3339
/// instant (`2026-11-21T10:00:00Z`), or a UTC date (`2026-11-21`, meaning its midnight).
pub fn parse_time_arg(text: &str, anchor: Timestamp) -> Result<Timestamp, String> {
    let text = text.trim();
    if let Some(millis) = parse_duration_millis(text) {
        return Ok(Timestamp::from_millis(anchor.millis().saturating_sub(millis)));
    }
    parse_instant(text).ok_or_else(|| {
        format!("invalid time {text:?}: use a duration (90m, 24h, 7d), an RFC 3339 time or a date (YYYY-MM-DD)")
    })
}

/// Parses an absolute time: RFC 3339, or a UTC date (`2026-11-21`, meaning its midnight).
pub fn parse_instant(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Some(ts) = Timestamp::parse_rfc3339(text) {
        return Some(ts);
    }
    let date = text.parse::<jiff::civil::Date>().ok()?;
    let zoned = date.to_zoned(jiff::tz::TimeZone::UTC).ok()?;
    Some(Timestamp::from_millis(zoned.timestamp().as_millisecond()))
}

/// `90m` → 5,400,000. Units: s, m, h, d, w. `None` when `text` is not a duration.
pub fn parse_duration_millis(text: &str) -> Option<i64> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (digits, unit) = text.split_at(split);
    if digits.is_empty() || digits.len() > 12 {
        return None;
    }
    let amount: i64 = digits.parse().ok()?;
    let unit_millis: i64 = match unit {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 604_800_000,
        _ => return None,
    };
    amount.checked_mul(unit_millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        let at = Timestamp::parse_rfc3339("2026-11-21T12:00:00Z").unwrap();
        let cases = [
            ("24h", Ok("2026-11-20T12:00:00Z")),
            ("90m", Ok("2026-11-21T10:30:00Z")),
            ("7d", Ok("2026-11-14T12:00:00Z")),
            ("1w", Ok("2026-11-14T12:00:00Z")),
            ("30s", Ok("2026-11-21T11:59:30Z")),
            ("2026-11-20T08:00:00Z", Ok("2026-11-20T08:00:00Z")),
            ("2026-11-20", Ok("2026-11-20T00:00:00Z")),
            ("24x", Err(())),
            ("h", Err(())),
            ("yesterday", Err(())),
            ("99999999999999d", Err(())),
        ];
        for (input, expected) in cases {
            let got = parse_time_arg(input, at).map(|t| t.to_rfc3339()).map_err(|_| ());
            assert_eq!(got, expected.map(str::to_owned), "{input}");
        }
    }
}
