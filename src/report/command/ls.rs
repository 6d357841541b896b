//! `ls`'s human lines: one per input (size and name, or why it is skipped or failed), and the total.

use std::io::Write;

use crate::report::Human;
use crate::source::listing::Listed;

/// The last line: inputs and bytes to read, inputs skipped and failed.
pub fn write_total(
    out: &mut Human<impl Write>,
    inputs: u64,
    bytes: u64,
    skipped: u64,
    failed: usize,
) -> std::io::Result<()> {
    writeln!(out, "{inputs} inputs, {bytes} bytes; {skipped} skipped, {failed} failed")
}

/// One input: its size and name, or why it is skipped or failed.
pub fn write_line(out: &mut Human<impl Write>, listed: &Listed) -> std::io::Result<()> {
    match listed {
        Listed::Input { source, bytes: Some(bytes) } => writeln!(out, "{bytes:>14}  {source}"),
        Listed::Input { source, bytes: None } => writeln!(out, "{:>14}  {source}", "-"),
        Listed::Skipped { source, reason } => writeln!(out, "{:>14}  {source} ({reason})", "skipped"),
        Listed::Failed { source, error } => writeln!(out, "{:>14}  {source} ({error})", "failed"),
    }
}
