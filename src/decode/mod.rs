//! Decoders: compression sniffing, gzip, CloudTrail JSON and S3 server access log lines → `Event`.

pub mod aggregated;
pub mod cloudtrail;
mod cloudtrail_raw;
pub mod content;
pub mod gzip;
pub mod inflate;
pub mod json_split;
pub mod limits;
mod record_head;
pub mod s3_access_log;
pub mod sniff;
pub mod tar_stream;
pub mod unit;

pub use unit::{DecodeOptions, Sink, UnitKind, UnitOutcome, decode_unit};
