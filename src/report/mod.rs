//! Report writers: the JSON envelope every command shares, tables, the human-readable writer (terminal
//! escaping), CSV/Parquet, rows declared once ([`rows::Row`]: one declaration drives table, CSV and Parquet), and
//! the output destination; [`command`] holds each command's own human report and special formats.

pub mod command;
pub mod escape;
pub mod html;
pub mod human;
pub mod output;
pub mod rows;
pub mod table;
pub mod tabular;

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::ingest::InputStats;
use crate::model::Timestamp;

pub use escape::escape_terminal;
pub use human::{Human, warn};
pub use output::Output;
pub use table::{SpooledTable, Table};

/// The time window a report covers.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Window {
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

/// The common fields of every JSON report, with the command's own fields flattened in.
#[derive(Serialize)]
pub struct Envelope<'a, T: Serialize> {
    pub command: &'a str,
    pub version: &'static str,
    pub window: Window,
    pub input: &'a InputStats,
    #[serde(flatten)]
    pub body: &'a T,
}

/// The crate version, as reports print it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where report data goes: `--output FILE` (written through a temporary file, renamed into place by
/// [`Output::finish`]), else stdout.
pub fn open_output(path: Option<&Path>) -> io::Result<Output> {
    Output::open(path)
}

/// Writes a command's report as one JSON document: the common fields, then the command's own.
pub fn write_envelope<T: Serialize>(
    out: &mut dyn Write,
    command: &str,
    window: Window,
    input: &InputStats,
    body: &T,
) -> io::Result<()> {
    write_json(out, &Envelope { command, version: VERSION, window, input, body })
}

/// Writes one compact JSON document per item, one per line.
pub fn write_ndjson<'a, T: Serialize + 'a>(
    out: &mut dyn Write,
    items: impl IntoIterator<Item = &'a T>,
) -> io::Result<()> {
    // Serializers write many small pieces: buffer them here, monomorphic, rather than one dynamic call each.
    let mut out = io::BufWriter::with_capacity(64 * 1024, out);
    for item in items {
        serde_json::to_writer(&mut out, item).map_err(io::Error::other)?;
        writeln!(out)?;
    }
    out.flush()
}

/// Writes one pretty JSON document followed by a newline.
pub fn write_json<T: Serialize>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(64 * 1024, out);
    serde_json::to_writer_pretty(&mut out, value).map_err(io::Error::other)?;
    writeln!(out)?;
    out.flush()
}

/// A one-paragraph summary of the input books for table output.
pub fn write_input_summary(out: &mut Human<impl Write>, input: &InputStats) -> io::Result<()> {
    writeln!(
        out,
        "input: {} files, {} records, {} access-log lines, {} duplicates dropped, {} digest files, {} skipped files, {} bad records, {} bad files",
        input.files,
        input.records,
        input.access_log_lines,
        input.duplicate_records,
        input.digest_files,
        input.skipped_files,
        input.bad_records,
        input.bad_files.len()
    )?;
    for bad in &input.bad_files {
        let recovered = bad.recovered_records.map(|n| format!(" ({n} records recovered)")).unwrap_or_default();
        writeln!(out, "  bad file: {}: {}{}", bad.path, bad.error, recovered)?;
    }
    // What the input as a whole cannot show (LookupEvents has no data events, OCSF drops fields).
    for note in &input.notes {
        writeln!(out, "  note: {note}")?;
    }
    Ok(())
}
