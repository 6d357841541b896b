//! The fixed vocabulary of a verification: what became of each log file and each digest, and why a digest
//! failed. These names are a contract (JSON `status` and `reason` fields).

use serde::Serialize;

/// What became of one CloudTrail log file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    /// Listed in a valid digest, present, SHA-256 of its uncompressed content equal to the listed hash.
    Verified,
    /// Listed in a valid digest, present, a different hash: edited after delivery.
    Modified,
    /// Listed in a valid digest and present, but not one complete gzip stream (damaged, or data after the
    /// end of the stream, which the AWS CLI's validator also refuses): not the file CloudTrail delivered.
    Invalid,
    /// Listed in a valid digest, absent from the sources.
    Deleted,
    /// Present, listed in no valid digest: written by someone else, or its digest is missing or failed.
    NotCovered,
}

impl FileStatus {
    pub const ALL: [FileStatus; 5] =
        [FileStatus::Verified, FileStatus::Modified, FileStatus::Invalid, FileStatus::Deleted, FileStatus::NotCovered];

    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Verified => "verified",
            FileStatus::Modified => "modified",
            FileStatus::Invalid => "invalid",
            FileStatus::Deleted => "deleted",
            FileStatus::NotCovered => "not_covered",
        }
    }
}

/// Why a digest file is not valid evidence. `Invalid` reasons prove tampering (or damage); `unchecked`
/// reasons mean the digest could not be checked at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DigestProblem {
    /// Not one complete gzip stream, not JSON, or a required field missing.
    BadFormat,
    /// Found at another place than the `digestS3Object` it names (moved or copied in from elsewhere).
    Moved,
    /// The RSA signature does not match the data-signing string: the digest (or its signature) was edited.
    SignatureMismatch,
    /// The previous-digest hash or signature it records does not match the previous digest found.
    BrokenLink,
    /// No signature: no `x-amz-meta-signature` on the object, no sidecar beside the copy.
    NoSignature,
    /// The signature is not hex.
    SignatureNotHex,
    /// A signature algorithm other than SHA256withRSA.
    UnsupportedAlgorithm,
    /// No listed public key has the digest's fingerprint (a key the digest names only by itself).
    KeyNotListed,
    /// The listed key with that fingerprint was not valid at the digest's end time.
    KeyNotValidThen,
    /// The listed key is not an RSA public key.
    KeyUnreadable,
}

impl DigestProblem {
    pub fn as_str(self) -> &'static str {
        match self {
            DigestProblem::BadFormat => "bad_format",
            DigestProblem::Moved => "moved",
            DigestProblem::SignatureMismatch => "signature_mismatch",
            DigestProblem::BrokenLink => "broken_link",
            DigestProblem::NoSignature => "no_signature",
            DigestProblem::SignatureNotHex => "signature_not_hex",
            DigestProblem::UnsupportedAlgorithm => "unsupported_algorithm",
            DigestProblem::KeyNotListed => "key_not_listed",
            DigestProblem::KeyNotValidThen => "key_not_valid_then",
            DigestProblem::KeyUnreadable => "key_unreadable",
        }
    }

    /// True when the digest could not be checked (as opposed to checked and found wrong).
    pub fn is_unchecked(self) -> bool {
        matches!(
            self,
            DigestProblem::NoSignature
                | DigestProblem::UnsupportedAlgorithm
                | DigestProblem::KeyNotListed
                | DigestProblem::KeyNotValidThen
                | DigestProblem::KeyUnreadable
        )
    }
}
