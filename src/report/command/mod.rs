//! Each command's own writers: its human report (the table and the prose around it) and the formats that are
//! not the JSON envelope or a list of declared rows ([`super::rows`]): timeline's streamed JSON, check's ndjson
//! lines, propose's Terraform and CloudFormation. `app/` only picks one; every line still goes through
//! [`super::Human`] or a serializer.

pub mod check;
pub mod denied;
pub mod export;
pub mod integrity;
pub mod ls;
pub mod outside;
pub mod policy;
pub mod propose;
pub mod scan;
pub mod timeline;
#[cfg(feature = "aws")]
pub mod verify;
