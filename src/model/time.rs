//! Instants in log records: parsing the two log formats' time stamps and printing RFC 3339 UTC.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant, as milliseconds since the Unix epoch (UTC). Cheap to copy, compare and hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn from_millis(millis: i64) -> Timestamp {
        Timestamp(millis)
    }

    pub fn millis(self) -> i64 {
        self.0
    }

    /// Parses an RFC 3339 / ISO 8601 instant as CloudTrail writes it (`2024-06-04T23:12:50Z`, with optional
    /// fraction or offset). Returns `None` for anything else (e.g. `"redacted"`).
    pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
        let text = text.trim();
        if text.len() > 64 {
            return None;
        }
        let ts: jiff::Timestamp = text.parse().ok()?;
        Some(Timestamp(ts.as_millisecond()))
    }

    /// Parses an S3 server access log time: `06/Feb/2019:00:00:38 +0000` (without the brackets).
    pub fn parse_s3_access_log(text: &str) -> Option<Timestamp> {
        let text = text.trim();
        if text.len() > 40 {
            return None;
        }
        let zoned = jiff::fmt::strtime::parse("%d/%b/%Y:%H:%M:%S %z", text).ok()?;
        let ts = zoned.to_timestamp().ok()?;
        Some(Timestamp(ts.as_millisecond()))
    }

    /// RFC 3339 in UTC, second precision unless there are milliseconds: `2026-11-21T10:00:00Z`.
    pub fn to_rfc3339(self) -> String {
        format_rfc3339(self)
    }

    /// The UTC calendar date, `YYYY-MM-DD`.
    pub fn date_string(self) -> String {
        match jiff::Timestamp::from_millisecond(self.0) {
            Ok(ts) => ts.strftime("%Y-%m-%d").to_string(),
            Err(_) => "invalid-date".to_owned(),
        }
    }
}

/// Formats an instant as RFC 3339 UTC (`2026-11-21T10:00:00Z`, or with `.123` when it has milliseconds).
pub fn format_rfc3339(ts: Timestamp) -> String {
    match jiff::Timestamp::from_millisecond(ts.0) {
        Ok(t) if ts.0 % 1000 == 0 => t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Ok(t) => t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        Err(_) => format!("invalid-time({})", ts.0),
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format_rfc3339(*self))
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Timestamp::parse_rfc3339(&text).ok_or_else(|| serde::de::Error::custom(format!("invalid time {text:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cloudtrail_times() {
        let cases = [
            ("2024-06-04T23:12:50Z", Some("2024-06-04T23:12:50Z")),
            ("2024-06-04T23:12:50.123Z", Some("2024-06-04T23:12:50.123Z")),
            ("2024-06-04T23:12:50+02:00", Some("2024-06-04T21:12:50Z")),
            ("redacted", None),
            ("", None),
            ("2024-13-04T23:12:50Z", None),
        ];
        for (input, expected) in cases {
            let got = Timestamp::parse_rfc3339(input).map(format_rfc3339);
            assert_eq!(got.as_deref(), expected, "{input}");
        }
    }

    #[test]
    fn parses_s3_access_log_times() {
        let cases = [
            ("06/Feb/2019:00:00:38 +0000", Some("2019-02-06T00:00:38Z")),
            ("01/Jan/2020:05:06:35 +0100", Some("2020-01-01T04:06:35Z")),
            ("32/Feb/2019:00:00:38 +0000", None),
            ("garbage", None),
        ];
        for (input, expected) in cases {
            let got = Timestamp::parse_s3_access_log(input).map(format_rfc3339);
            assert_eq!(got.as_deref(), expected, "{input}");
        }
    }

    #[test]
    fn date_string_is_utc_day() {
        let ts = Timestamp::parse_rfc3339("2026-11-21T23:59:59Z").unwrap();
        assert_eq!(ts.date_string(), "2026-11-21");
    }
}
