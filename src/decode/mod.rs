//! Decoders: compression sniffing, gzip, CloudTrail JSON and S3 server access log lines → `Event`.

pub mod json_split;
pub mod sniff;
