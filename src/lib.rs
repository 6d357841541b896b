//! trail-vpce: stream CloudTrail and S3 server access logs and answer questions about VPC endpoints.
//!
//! Module map (data flows top to bottom):
//! - [`cli`]: clap definitions, every flag resolved once into a plain per-command config ([`cli::Task`]).
//! - [`config`]: the inventory logs cannot show (trail-vpce.toml and flags): trusted accounts, endpoints, policies.
//! - [`source`]: where bytes come from (files, folders, stdin, `s3://` prefixes, the CloudTrail API).
//! - [`decode`]: compression sniffing, gzip, CloudTrail JSON and S3 access log lines → [`model::Event`].
//! - [`model`]: the normalized [`model::Event`] every analyzer sees, and the ids it is keyed by
//!   ([`model::VpceId`], [`model::AccountId`]).
//! - [`actions`]: eventName → IAM action(s) and resource ARNs.
//! - [`policy`]: the IAM / endpoint policy engine (pure).
//! - [`ownership`]: who operates each VPC endpoint (customer, AWS, another account), decided per endpoint.
//! - [`ingest`]: the parallel pipeline: sources → decode → filter → analyzers, with the input books; a record
//!   sink outside the fold, fed in input order (`export`).
//! - [`analyze`]: one accumulator per command, merged across workers; export's row and sink.
//! - [`app`]: runs a resolved command: config → pipeline → report, and the exit-code contract.
//! - [`report`]: JSON envelope, tables, CSV/Parquet, terminal escaping.
//! - `verify` (feature `aws`): CloudTrail digest signatures, chains and log file hashes.
//! - `alloc`: the process allocator (jemalloc for small blocks, the system allocator for large ones).

// Human-readable text reaches a terminal only through `report::human` (escaped); report data only through
// `report::Output`. clippy.toml disallows `std::io::stdout`/`stderr` elsewhere.
#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

pub mod actions;
#[cfg(all(unix, not(target_env = "musl")))]
pub mod alloc;
pub mod analyze;
pub mod app;
pub mod cli;
pub mod config;
pub mod decode;
pub mod ingest;
pub mod model;
pub mod ownership;
pub mod policy;
pub mod report;
pub mod source;
#[cfg(feature = "aws")]
pub mod verify;
