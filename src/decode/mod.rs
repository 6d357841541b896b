//! Decoders: compression sniffing, gzip, CloudTrail JSON, S3 server access log lines and Parquet (trail-vpce's
//! export, OCSF) → `Event`.

pub mod aggregated;
pub mod cloudtrail;
mod cloudtrail_raw;
pub mod content;
pub mod gzip;
pub mod inflate;
pub mod json_split;
pub mod limits;
pub mod parquet;
mod record_head;
pub mod s3_access_log;
pub mod sniff;
pub mod tar_stream;
pub mod unit;

pub use unit::{DecodeOptions, Sink, UnitKind, UnitOutcome, decode_file, decode_unit};
