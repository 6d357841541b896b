//! The integration tests: one binary (as ripgrep and uv do), one module per area. Shared helpers live in
//! `common` (running the binary, sample-logs, the books) and `aws_support` (the local S3 and CloudTrail stand-ins).

mod aws_support;
mod common;

mod check;
mod cli_surface;
mod denied_formats;
mod denied_real;
#[cfg(feature = "tabular")]
mod export;
mod hostile_cost;
mod hostile_escape;
mod hostile_files;
mod hostile_gzip;
mod hostile_json;
mod hostile_props;
mod ingest;
#[cfg(feature = "aws")]
mod lookup_source;
mod memory_flat;
#[cfg(not(feature = "aws"))]
mod no_aws;
#[cfg(not(feature = "tabular"))]
mod no_tabular;
mod outside;
#[cfg(feature = "tabular")]
mod parquet_input;
mod policy_cli;
mod policy_conformance;
mod policy_props;
mod propose;
mod real_fixtures;
mod record_head;
mod report;
#[cfg(feature = "tabular")]
mod rows_agree;
#[cfg(feature = "aws")]
mod s3_source;
mod sample_logs;
mod snapshots;
mod timeline;
#[cfg(feature = "aws")]
mod verify;
