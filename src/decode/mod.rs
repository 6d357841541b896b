//! Decoders: compression sniffing, gzip, CloudTrail JSON and S3 server access log lines → `Event`.

pub mod s3_access_log;
