//! `verify`: proves CloudTrail log files were not altered, from CloudTrail's signed digest files (CloudTrail
//! user guide, "CloudTrail digest file structure" and "Custom implementations of CloudTrail log file integrity
//! validation"). Each hourly digest lists the log files delivered in its hour with the SHA-256 of their
//! uncompressed content, records the previous digest's hash and signature, and is signed (RSA, SHA-256) with
//! a regional key that CloudTrail publishes through ListPublicKeys.
//!
//! - [`digest`]: parsing a digest; where objects sit (`AWSLogs/…` tail, account, region, trail).
//! - [`keys`]: the public-key list (`aws cloudtrail list-public-keys` JSON), looked up by fingerprint and time.
//! - [`signature`]: the data-signing string, stored signatures (metadata, sidecar), the RSA check.
//! - [`content`]: SHA-256 of a file's uncompressed content; one gzip member, nothing after it.
//! - [`chain`]: the previous-digest links, per trail.
//! - [`files`]: the valid digests' listings against the files found.
//! - [`evaluate`]: all of it together, counted per account and region.
//! - [`gather`]: reading local folders and `s3://` prefixes into what [`evaluate`] judges (`verify`).
//! - [`pass`]: the same judgement over the hashes the analysis pipeline took (`--verify`), and the keys.
//!
//! Built with the `aws` feature (RSA and SHA-256 come from aws-lc-rs, which the AWS SDK links anyway).

pub mod chain;
pub mod content;
pub mod digest;
pub mod encoding;
pub mod evaluate;
pub mod files;
pub mod gather;
pub mod keys;
pub mod pass;
pub mod rows;
pub mod signature;
pub mod status;

pub use evaluate::{Counts, FoundDigest, FoundLog, VerifyReport, evaluate};
pub use status::{DigestProblem, FileStatus};
