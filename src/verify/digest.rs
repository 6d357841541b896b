//! A CloudTrail digest file, parsed (CloudTrail user guide, "CloudTrail digest file structure"), and where
//! CloudTrail objects sit: the `AWSLogs/…` tail of a path or key, its account and region, a digest's trail.
//! Pure.

use serde::Deserialize;

use crate::model::{AccountId, Timestamp};

/// Why a digest file cannot be read as one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestFormatError {
    #[error("not JSON: {0}")]
    Json(String),
    #[error("required field {0} is missing")]
    Missing(&'static str),
    #[error("{field} is not an RFC 3339 time")]
    Time { field: &'static str },
}

/// One log file a digest lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedLog {
    pub bucket: String,
    pub object: String,
    /// Hex SHA-256 of the log's uncompressed content.
    pub hash: String,
    pub hash_algorithm: String,
}

/// The previous digest, as the current one names it (absent for the first digest of a chain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousDigest {
    pub bucket: String,
    pub object: String,
    pub hash: String,
    pub signature: String,
}

/// The fields of a digest that validation uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub account: AccountId<'static>,
    pub start: Timestamp,
    pub end: Timestamp,
    /// `digestEndTime` exactly as written: it goes into the data-signing string as is.
    pub end_text: String,
    pub bucket: String,
    pub object: String,
    pub fingerprint: String,
    pub algorithm: String,
    pub previous: Option<PreviousDigest>,
    pub logs: Vec<ListedLog>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    aws_account_id: Option<String>,
    digest_start_time: Option<String>,
    digest_end_time: Option<String>,
    digest_s3_bucket: Option<String>,
    digest_s3_object: Option<String>,
    digest_public_key_fingerprint: Option<String>,
    digest_signature_algorithm: Option<String>,
    previous_digest_s3_bucket: Option<String>,
    previous_digest_s3_object: Option<String>,
    previous_digest_hash_value: Option<String>,
    previous_digest_signature: Option<String>,
    #[serde(default)]
    log_files: Vec<RawLog>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLog {
    s3_bucket: Option<String>,
    s3_object: Option<String>,
    hash_value: Option<String>,
    hash_algorithm: Option<String>,
}

impl Digest {
    /// Parses the uncompressed digest file. The fields the AWS CLI requires before validating are required
    /// here too (`digestPublicKeyFingerprint`, `digestS3Bucket`, `digestS3Object`, `previousDigestSignature`
    /// (which may be null), `digestEndTime`, `digestStartTime`).
    pub fn parse(bytes: &[u8]) -> Result<Digest, DigestFormatError> {
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| DigestFormatError::Json(e.to_string()))?;
        if value.get("previousDigestSignature").is_none() {
            return Err(DigestFormatError::Missing("previousDigestSignature"));
        }
        let raw: Raw = serde_json::from_value(value).map_err(|e| DigestFormatError::Json(e.to_string()))?;
        let need = |v: Option<String>, field| v.ok_or(DigestFormatError::Missing(field));
        let start_text = need(raw.digest_start_time, "digestStartTime")?;
        let end_text = need(raw.digest_end_time, "digestEndTime")?;
        let time = |text: &str, field| Timestamp::parse_rfc3339(text).ok_or(DigestFormatError::Time { field });
        let previous = match raw.previous_digest_signature {
            None => None,
            Some(signature) => Some(PreviousDigest {
                bucket: raw.previous_digest_s3_bucket.unwrap_or_default(),
                object: need(raw.previous_digest_s3_object, "previousDigestS3Object")?,
                hash: need(raw.previous_digest_hash_value, "previousDigestHashValue")?,
                signature,
            }),
        };
        let logs = raw
            .log_files
            .into_iter()
            .map(|log| {
                Ok(ListedLog {
                    bucket: log.s3_bucket.unwrap_or_default(),
                    object: need(log.s3_object, "logFiles[].s3Object")?,
                    hash: need(log.hash_value, "logFiles[].hashValue")?,
                    hash_algorithm: log.hash_algorithm.unwrap_or_else(|| "SHA-256".to_owned()),
                })
            })
            .collect::<Result<_, DigestFormatError>>()?;
        Ok(Digest {
            account: AccountId::from(raw.aws_account_id.unwrap_or_default()),
            start: time(&start_text, "digestStartTime")?,
            end: time(&end_text, "digestEndTime")?,
            end_text,
            bucket: need(raw.digest_s3_bucket, "digestS3Bucket")?,
            object: need(raw.digest_s3_object, "digestS3Object")?,
            fingerprint: need(raw.digest_public_key_fingerprint, "digestPublicKeyFingerprint")?,
            algorithm: raw.digest_signature_algorithm.unwrap_or_else(|| "SHA256withRSA".to_owned()),
            previous,
            logs,
        })
    }
}

/// What a CloudTrail object is, by where it sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// `AWSLogs/…/CloudTrail/<region>/…`: a log file digests list.
    Log,
    /// `AWSLogs/…/CloudTrail-Digest/<region>/…`.
    Digest,
    /// Anything else (access logs, Insight files, documentation, archives).
    Other,
}

/// Where a CloudTrail object sits: its `AWSLogs/…` tail (the part that is the same in the trail bucket, under
/// any key prefix, and in a local copy), account and region.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub tail: String,
    pub account: AccountId<'static>,
    pub region: String,
}

/// Reads the kind and location of a path or key: `…/AWSLogs/[o-org/]<acct>/<CloudTrail|CloudTrail-Digest>/<region>/…`.
/// Windows separators count as `/`. The last `AWSLogs/` segment wins, so a copy kept under a folder of that
/// name still resolves.
pub fn locate(path: &str) -> (ObjectKind, Option<Location>) {
    let path = path.replace('\\', "/");
    let Some(at) = path.rmatch_indices("AWSLogs/").map(|(i, _)| i).find(|&i| i == 0 || path[..i].ends_with('/')) else {
        return (ObjectKind::Other, None);
    };
    let tail = &path[at..];
    let mut parts = tail.split('/').skip(1);
    let mut account = parts.next().unwrap_or_default();
    if account.starts_with("o-") {
        account = parts.next().unwrap_or_default();
    }
    let kind = match parts.next() {
        Some("CloudTrail") => ObjectKind::Log,
        Some("CloudTrail-Digest") => ObjectKind::Digest,
        _ => return (ObjectKind::Other, None),
    };
    let region = parts.next().unwrap_or_default();
    let file = tail.rsplit('/').next().unwrap_or_default();
    if account.is_empty() || region.is_empty() || file.is_empty() || parts.next().is_none() {
        return (ObjectKind::Other, None);
    }
    (
        kind,
        Some(Location {
            tail: tail.to_owned(),
            account: AccountId::from(account.to_owned()),
            region: region.to_owned(),
        }),
    )
}

/// The trail a digest belongs to, from its file name
/// `<acct>_CloudTrail-Digest_<region>_<trail>_<home-region>_<end>[_backfill].json.gz`: everything between the
/// region and the end time. Chains are per account, region and trail.
pub fn digest_trail(object: &str) -> String {
    let file = object.rsplit('/').next().unwrap_or(object);
    let stem = file.strip_suffix(".json.gz").unwrap_or(file);
    let stem = stem.strip_suffix("_backfill").unwrap_or(stem);
    let without_time = stem.rsplit_once('_').map_or(stem, |(rest, _)| rest);
    match without_time.split_once("_CloudTrail-Digest_") {
        Some((_, rest)) => rest.split_once('_').map_or(rest, |(_, trail)| trail).to_owned(),
        None => without_time.to_owned(),
    }
}

/// Whether a digest is a backfill digest (delivered late for logs an hourly digest missed; not in the chain).
pub fn is_backfill(object: &str) -> bool {
    object.ends_with("_backfill.json.gz")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample digest of the CloudTrail user guide, "CloudTrail digest file structure", field for field (its
    /// previous signature shortened).
    const DOC_SAMPLE: &str = r#"{
      "awsAccountId": "111122223333",
      "digestStartTime": "2015-08-17T14:01:31Z",
      "digestEndTime": "2015-08-17T15:01:31Z",
      "digestS3Bucket": "amzn-s3-demo-bucket",
      "digestS3Object": "AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T150131Z.json.gz",
      "digestPublicKeyFingerprint": "31e8b5433410dfb61a9dc45cc65b22ff",
      "digestSignatureAlgorithm": "SHA256withRSA",
      "newestEventTime": "2015-08-17T14:52:27Z",
      "oldestEventTime": "2015-08-17T14:42:27Z",
      "previousDigestS3Bucket": "amzn-s3-demo-bucket",
      "previousDigestS3Object": "AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T140131Z.json.gz",
      "previousDigestHashValue": "97fb791cf91ffc440d274f8190dbdd9aa09c34432aba82739df18b6d3c13df2d",
      "previousDigestHashAlgorithm": "SHA-256",
      "previousDigestSignature": "50887ccffad4c002b97caa37cc9dc626e3c680207d41d27fa5835458e066e0d3652fc4dfc30937e4d5f4cc7f796e7a258fb50a43ac427f2237f6e505d4efaf373d156e15e3b68dea9f58111d395b62628d6bd367a9024d2183b5a5cb60a2d1f2413f9b0bc01ea97f2e9df8b08a7bb6e1e6e5e6e2d4c5a8f",
      "logFiles": [
        {
          "s3Bucket": "amzn-s3-demo-bucket",
          "s3Object": "AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/17/111122223333_CloudTrail_us-east-2_20150817T1445Z_9nYN7gp2eWAJHIfT.json.gz",
          "hashValue": "9bb6196fc6b84d6f075a56548feca262bd99ba3c2de41b618e5b6e22c1fc71f6",
          "hashAlgorithm": "SHA-256",
          "newestEventTime": "2015-08-17T14:52:27Z",
          "oldestEventTime": "2015-08-17T14:42:27Z"
        }
      ]
    }"#;

    #[test]
    fn parses_the_documented_sample() {
        let digest = Digest::parse(DOC_SAMPLE.as_bytes()).unwrap();
        assert_eq!(digest.account, "111122223333");
        assert_eq!(digest.end_text, "2015-08-17T15:01:31Z");
        assert_eq!(digest.fingerprint, "31e8b5433410dfb61a9dc45cc65b22ff");
        assert_eq!(digest.logs.len(), 1);
        assert_eq!(digest.logs[0].hash, "9bb6196fc6b84d6f075a56548feca262bd99ba3c2de41b618e5b6e22c1fc71f6");
        assert!(digest.previous.as_ref().unwrap().object.ends_with("20150817T140131Z.json.gz"));
        assert_eq!(digest_trail(&digest.object), "your-trail-name_us-east-2");
    }

    #[test]
    fn first_digest_has_no_previous_and_required_fields_are_required() {
        let first = DOC_SAMPLE.replace(
            r#""previousDigestSignature": "50887ccffad4c002b97caa37cc9dc626e3c680207d41d27fa5835458e066e0d3652fc4dfc30937e4d5f4cc7f796e7a258fb50a43ac427f2237f6e505d4efaf373d156e15e3b68dea9f58111d395b62628d6bd367a9024d2183b5a5cb60a2d1f2413f9b0bc01ea97f2e9df8b08a7bb6e1e6e5e6e2d4c5a8f""#,
            r#""previousDigestSignature": null"#,
        );
        assert_eq!(Digest::parse(first.as_bytes()).unwrap().previous, None);
        let cases = [
            ("digestEndTime", DigestFormatError::Missing("digestEndTime")),
            ("digestS3Object", DigestFormatError::Missing("digestS3Object")),
            ("digestPublicKeyFingerprint", DigestFormatError::Missing("digestPublicKeyFingerprint")),
            ("previousDigestSignature", DigestFormatError::Missing("previousDigestSignature")),
        ];
        for (field, want) in cases {
            let renamed = DOC_SAMPLE.replace(&format!("\"{field}\""), "\"renamed\"");
            assert_eq!(Digest::parse(renamed.as_bytes()), Err(want), "{field}");
        }
        assert!(matches!(Digest::parse(b"{not json"), Err(DigestFormatError::Json(_))));
        let bad_time = DOC_SAMPLE.replace("2015-08-17T15:01:31Z", "yesterday");
        assert_eq!(Digest::parse(bad_time.as_bytes()), Err(DigestFormatError::Time { field: "digestEndTime" }));
    }

    #[test]
    fn locate_table() {
        let log = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/21/111122223333_CloudTrail_us-east-1_20261121T0905Z_g97B.json.gz";
        let org = "AWSLogs/o-a1b2c3d4e5/444455556666/CloudTrail-Digest/eu-west-1/2026/11/21/x.json.gz";
        type Case = (String, ObjectKind, Option<(&'static str, &'static str, &'static str)>);
        let cases: Vec<Case> = vec![
            (format!("sample-logs/{log}"), ObjectKind::Log, Some((log, "111122223333", "us-east-1"))),
            (format!("s3://bucket/prefix/{log}"), ObjectKind::Log, Some((log, "111122223333", "us-east-1"))),
            (format!("copy\\{}", log.replace('/', "\\")), ObjectKind::Log, Some((log, "111122223333", "us-east-1"))),
            (org.to_owned(), ObjectKind::Digest, Some((org, "444455556666", "eu-west-1"))),
            ("AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2026/x.json.gz".to_owned(), ObjectKind::Other, None),
            ("s3-access-logs/app/2026-11-21-09-58-31-8F3C".to_owned(), ObjectKind::Other, None),
            ("AWSLogs/111122223333/CloudTrail/".to_owned(), ObjectKind::Other, None),
            ("notAWSLogs/1/CloudTrail/r/f".to_owned(), ObjectKind::Other, None),
        ];
        for (path, kind, want) in cases {
            let (got_kind, location) = locate(&path);
            assert_eq!(got_kind, kind, "{path}");
            let got = location.as_ref().map(|l| (l.tail.as_str(), l.account.as_str(), l.region.as_str()));
            assert_eq!(got, want, "{path}");
        }
    }

    #[test]
    fn trail_names_and_backfill() {
        let cases = [
            (
                "a/111122223333_CloudTrail-Digest_us-east-1_app-trail_us-east-1_20261121T100000Z.json.gz",
                "app-trail_us-east-1",
                false,
            ),
            (
                "111122223333_CloudTrail-Digest_us-east-1_my_trail_eu-west-1_20261121T100000Z_backfill.json.gz",
                "my_trail_eu-west-1",
                true,
            ),
        ];
        for (object, trail, backfill) in cases {
            assert_eq!(digest_trail(object), trail, "{object}");
            assert_eq!(is_backfill(object), backfill, "{object}");
        }
    }
}
