//! The public keys digests are checked with: the JSON that `aws cloudtrail list-public-keys` prints (saved
//! for offline use, `--public-keys FILE`), or the same list from the ListPublicKeys API. A digest names its
//! key only by fingerprint; the key itself must come from this list, never from the digest (CloudTrail user
//! guide, "Custom implementations of CloudTrail log file integrity validation", steps 4 to 6). Pure.

use serde::Deserialize;

use super::encoding::from_base64;
use crate::model::Timestamp;

/// One listed public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// DER: PKCS#1 `RSAPublicKey` (what CloudTrail returns) or X.509 `SubjectPublicKeyInfo`.
    pub der: Vec<u8>,
    /// Hex fingerprint, as digests name it (compared case-insensitively).
    pub fingerprint: String,
    pub valid_from: Option<Timestamp>,
    pub valid_until: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyFileError {
    #[error("not the JSON of `aws cloudtrail list-public-keys`: {0}")]
    Json(String),
    #[error("key {index}: Value is not base64")]
    Value { index: usize },
    #[error("key {index}: {field} is not a time")]
    Time { index: usize, field: &'static str },
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawList {
    public_key_list: Vec<RawKey>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawKey {
    value: String,
    fingerprint: String,
    validity_start_time: Option<serde_json::Value>,
    validity_end_time: Option<serde_json::Value>,
}

/// Parses `{"PublicKeyList": [{"Value": base64, "ValidityStartTime": …, "ValidityEndTime": …, "Fingerprint":
/// hex}]}`. Times may be RFC 3339 text (the CLI's default) or epoch seconds (`cli_timestamp_format = none`).
pub fn parse_key_list(bytes: &[u8]) -> Result<Vec<PublicKey>, KeyFileError> {
    let raw: RawList = serde_json::from_slice(bytes).map_err(|e| KeyFileError::Json(e.to_string()))?;
    raw.public_key_list
        .into_iter()
        .enumerate()
        .map(|(index, key)| {
            let time = |value: Option<serde_json::Value>, field| match value {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(value) => parse_time(&value).map(Some).ok_or(KeyFileError::Time { index, field }),
            };
            Ok(PublicKey {
                der: from_base64(&key.value).ok_or(KeyFileError::Value { index })?,
                fingerprint: key.fingerprint,
                valid_from: time(key.validity_start_time, "ValidityStartTime")?,
                valid_until: time(key.validity_end_time, "ValidityEndTime")?,
            })
        })
        .collect()
}

fn parse_time(value: &serde_json::Value) -> Option<Timestamp> {
    match value {
        serde_json::Value::String(text) => Timestamp::parse_rfc3339(text),
        serde_json::Value::Number(n) => n.as_f64().map(|s| Timestamp::from_millis((s * 1000.0) as i64)),
        _ => None,
    }
}

/// Why no listed key can check a digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyProblem {
    /// No listed key has the digest's fingerprint.
    NotListed,
    /// A key with that fingerprint is listed, but was not valid when the digest was written.
    NotValidThen,
}

/// The listed key with `fingerprint` valid at `at` (the digest's end time).
pub fn find_key<'k>(keys: &'k [PublicKey], fingerprint: &str, at: Timestamp) -> Result<&'k PublicKey, KeyProblem> {
    let mut listed = keys.iter().filter(|k| k.fingerprint.eq_ignore_ascii_case(fingerprint)).peekable();
    if listed.peek().is_none() {
        return Err(KeyProblem::NotListed);
    }
    listed
        .find(|k| k.valid_from.is_none_or(|from| from <= at) && k.valid_until.is_none_or(|until| at <= until))
        .ok_or(KeyProblem::NotValidThen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cli_output_and_finds_by_fingerprint_and_time() {
        let json = br#"{"PublicKeyList": [
            {"Value": "AQID", "ValidityStartTime": "2026-11-01T00:00:00+00:00",
             "ValidityEndTime": "2026-12-01T00:00:00+00:00", "Fingerprint": "aa11"},
            {"Value": "BAUG", "ValidityStartTime": 1764547200, "ValidityEndTime": null, "Fingerprint": "BB22"}
        ]}"#;
        let keys = parse_key_list(json).unwrap();
        assert_eq!(keys[0].der, vec![1, 2, 3]);
        assert_eq!(keys[1].valid_from, Some(Timestamp::from_millis(1_764_547_200_000)));
        let at = |t: &str| Timestamp::parse_rfc3339(t).unwrap();
        let cases = [
            ("aa11", "2026-11-21T10:00:00Z", Ok(0)),
            ("AA11", "2026-11-21T10:00:00Z", Ok(0)),
            ("aa11", "2026-12-02T00:00:00Z", Err(KeyProblem::NotValidThen)),
            ("bb22", "2027-01-01T00:00:00Z", Ok(1)),
            ("cc33", "2026-11-21T10:00:00Z", Err(KeyProblem::NotListed)),
        ];
        for (fingerprint, time, want) in cases {
            let got = find_key(&keys, fingerprint, at(time)).map(|k| keys.iter().position(|x| x == k).unwrap());
            assert_eq!(got, want, "{fingerprint} at {time}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_key_list() {
        assert!(matches!(parse_key_list(b"[]"), Err(KeyFileError::Json(_))));
        let bad_value = br#"{"PublicKeyList":[{"Value":"!!","Fingerprint":"a"}]}"#;
        assert_eq!(parse_key_list(bad_value), Err(KeyFileError::Value { index: 0 }));
        let bad_time = br#"{"PublicKeyList":[{"Value":"AQID","Fingerprint":"a","ValidityStartTime":"soon"}]}"#;
        assert_eq!(parse_key_list(bad_time), Err(KeyFileError::Time { index: 0, field: "ValidityStartTime" }));
    }
}
