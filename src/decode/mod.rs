//! Decoders: compression sniffing, gzip, CloudTrail JSON and S3 server access log lines → `Event`.

pub mod cloudtrail;
mod cloudtrail_raw;
pub mod json_split;
pub mod sniff;
