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

use std::io::Write;

use super::{Human, write_input_summary};
use crate::analyze::integrity::IntegritySummary;
use crate::ingest::InputStats;

/// The end of a human report: its notes, the `--verify` line (`what` names the rows it counts), the input
/// summary.
pub fn write_footer(
    out: &mut Human<impl Write>,
    notes: &[String],
    integrity: Option<(&IntegritySummary, &str)>,
    stats: &InputStats,
) -> std::io::Result<()> {
    for note in notes {
        writeln!(out, "note: {note}")?;
    }
    if let Some((summary, what)) = integrity {
        integrity::write_line(out, summary, what)?;
    }
    write_input_summary(out, stats)
}
