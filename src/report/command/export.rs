//! `export`'s human line: how many events went into how many Parquet files, and where; then the input summary.

use std::io::Write;
use std::path::Path;

use crate::analyze::export::ExportSummary;
use crate::ingest::InputStats;
use crate::report::{Human, write_input_summary};

pub fn write_human(
    out: &mut Human<impl Write>,
    export: &ExportSummary,
    dir: &Path,
    stats: &InputStats,
) -> std::io::Result<()> {
    writeln!(
        out,
        "exported {} events ({} CloudTrail records, {} access-log lines) in {} Parquet files under {}",
        export.rows_written,
        stats.records,
        stats.access_log_lines,
        export.files_written,
        dir.display()
    )?;
    write_input_summary(out, stats)
}
