//! Digest signatures (CloudTrail user guide, "Custom implementations of CloudTrail log file integrity
//! validation"): the data-signing string, where the hex signature comes from (`x-amz-meta-signature` on the
//! S3 object, or a sidecar beside a local copy), and the RSA PKCS#1 v1.5 SHA-256 check with aws-lc-rs.
//!
//! Sidecar convention: the signature of `X.json.gz` is in `X.json.gz.sig` beside it, holding either the hex
//! signature alone (`aws s3api head-object … --query Metadata.signature --output text`) or the whole JSON that
//! `aws s3api head-object` prints (its `Metadata` carries `signature` and `signature-algorithm`).

use std::collections::HashMap;

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaSubjectPublicKey, UnparsedPublicKey};

use super::digest::Digest;
use super::encoding::from_hex;
use super::keys::{KeyProblem, PublicKey, find_key};
use super::status::DigestProblem;

/// The only algorithm CloudTrail signs digests with.
pub const ALGORITHM: &str = "SHA256withRSA";

/// The file name suffix of a signature sidecar.
pub const SIDECAR_SUFFIX: &str = ".sig";

/// The data-signing string: the digest end time as written, `bucket/key` of the digest, the hex SHA-256 of
/// the uncompressed digest, and the previous digest's hex signature (`null` for the first digest), joined by
/// newlines.
pub fn signing_string(digest: &Digest, digest_sha256_hex: &str) -> String {
    let previous = digest.previous.as_ref().map_or("null", |p| p.signature.as_str());
    format!("{}\n{}/{}\n{}\n{}", digest.end_text, digest.bucket, digest.object, digest_sha256_hex, previous)
}

/// A digest's signature as stored with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSignature {
    pub hex: String,
    /// `x-amz-meta-signature-algorithm`, when stored.
    pub algorithm: Option<String>,
}

/// Reads the S3 user metadata of a digest object (keys without the `x-amz-meta-` prefix, as the SDK gives).
pub fn from_metadata(metadata: &HashMap<String, String>) -> Option<StoredSignature> {
    let get = |name: &str| metadata.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim());
    Some(StoredSignature {
        hex: get("signature")?.to_owned(),
        algorithm: get("signature-algorithm").map(str::to_owned),
    })
}

/// Reads a sidecar: hex text, or the JSON of `aws s3api head-object` (or its `Metadata` object alone).
pub fn from_sidecar(bytes: &[u8]) -> Option<StoredSignature> {
    let text = std::str::from_utf8(bytes).ok()?.trim();
    if !text.starts_with('{') {
        return (!text.is_empty() && !text.contains(char::is_whitespace))
            .then(|| StoredSignature { hex: text.to_owned(), algorithm: None });
    }
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let metadata = value.get("Metadata").unwrap_or(&value).as_object()?;
    let strings: HashMap<String, String> =
        metadata.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect();
    from_metadata(&strings)
}

/// Checks a digest's signature with the listed key its fingerprint names.
pub fn check(
    digest: &Digest,
    digest_sha256_hex: &str,
    stored: Option<&StoredSignature>,
    keys: &[PublicKey],
) -> Result<(), DigestProblem> {
    let stored = stored.ok_or(DigestProblem::NoSignature)?;
    let algorithm_ok = |a: &str| a.eq_ignore_ascii_case(ALGORITHM);
    if !algorithm_ok(&digest.algorithm) || !stored.algorithm.as_deref().is_none_or(algorithm_ok) {
        return Err(DigestProblem::UnsupportedAlgorithm);
    }
    let signature = from_hex(&stored.hex).ok_or(DigestProblem::SignatureNotHex)?;
    let key = find_key(keys, &digest.fingerprint, digest.end).map_err(|problem| match problem {
        KeyProblem::NotListed => DigestProblem::KeyNotListed,
        KeyProblem::NotValidThen => DigestProblem::KeyNotValidThen,
    })?;
    RsaSubjectPublicKey::from_der(&key.der).map_err(|_| DigestProblem::KeyUnreadable)?;
    let message = signing_string(digest, digest_sha256_hex);
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &key.der)
        .verify(message.as_bytes(), &signature)
        .map_err(|_| DigestProblem::SignatureMismatch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Timestamp;

    fn digest(previous: Option<&str>) -> Digest {
        Digest {
            account: "111122223333".into(),
            start: Timestamp::from_millis(0),
            end: Timestamp::parse_rfc3339("2015-08-12T04:01:31Z").unwrap(),
            end_text: "2015-08-12T04:01:31Z".into(),
            bucket: "amzn-s3-demo-bucket".into(),
            object: "AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/12/d.json.gz".into(),
            fingerprint: "ab".into(),
            algorithm: ALGORITHM.into(),
            previous: previous.map(|signature| super::super::digest::PreviousDigest {
                bucket: "amzn-s3-demo-bucket".into(),
                object: "p".into(),
                hash: "00".into(),
                signature: signature.into(),
            }),
            logs: Vec::new(),
        }
    }

    /// The layout the custom-validation page gives: four lines, `null` for a chain's first digest.
    #[test]
    fn signing_string_table() {
        let cases = [
            (
                Some("3e1f"),
                "2015-08-12T04:01:31Z\namzn-s3-demo-bucket/AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/12/d.json.gz\n4ff0\n3e1f",
            ),
            (
                None,
                "2015-08-12T04:01:31Z\namzn-s3-demo-bucket/AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/12/d.json.gz\n4ff0\nnull",
            ),
        ];
        for (previous, want) in cases {
            assert_eq!(signing_string(&digest(previous), "4ff0"), want);
        }
    }

    #[test]
    fn sidecar_forms() {
        let plain = StoredSignature { hex: "abcd".into(), algorithm: None };
        let full = StoredSignature { hex: "abcd".into(), algorithm: Some(ALGORITHM.into()) };
        let cases: [(&[u8], Option<StoredSignature>); 6] = [
            (b"abcd\n", Some(plain.clone())),
            (
                br#"{"AcceptRanges":"bytes","Metadata":{"signature":"abcd","signature-algorithm":"SHA256withRSA"}}"#,
                Some(full.clone()),
            ),
            (br#"{"signature":"abcd","signature-algorithm":"SHA256withRSA"}"#, Some(full)),
            (br#"{"Metadata":{}}"#, None),
            (b"ab cd", None),
            (b"", None),
        ];
        for (bytes, want) in cases {
            assert_eq!(from_sidecar(bytes), want, "{}", String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn check_refuses_before_any_crypto() {
        let d = digest(None);
        let stored = |hex: &str, algorithm: Option<&str>| StoredSignature {
            hex: hex.into(),
            algorithm: algorithm.map(Into::into),
        };
        let key = PublicKey { der: vec![1, 2, 3], fingerprint: "ab".into(), valid_from: None, valid_until: None };
        let other = PublicKey { fingerprint: "cd".into(), ..key.clone() };
        let cases = [
            (None, vec![key.clone()], DigestProblem::NoSignature),
            (Some(stored("zz", None)), vec![key.clone()], DigestProblem::SignatureNotHex),
            (Some(stored("00", Some("SHA1withRSA"))), vec![key.clone()], DigestProblem::UnsupportedAlgorithm),
            (Some(stored("00", None)), vec![other], DigestProblem::KeyNotListed),
            (Some(stored("00", None)), vec![key], DigestProblem::KeyUnreadable),
        ];
        for (signature, keys, want) in cases {
            assert_eq!(check(&d, "00", signature.as_ref(), &keys), Err(want), "{want:?}");
        }
    }
}
