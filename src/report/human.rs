//! The one way human-readable text reaches a terminal: [`Human`] wraps stdout, stderr or a report file and
//! escapes every control and bidi character in what it is handed (log content is written by whoever made the
//! request). `note:`, `warning:` and error lines, summaries and tables all go through it; nothing in the crate
//! prints any other way (`print!`/`eprint!` and direct `std::io::stdout`/`stderr` are denied by clippy
//! outside this module and [`super::open_output`]).

use std::fmt;
use std::io::{self, Write};

use super::escape::{escape_json_text, escape_terminal};
use super::table::{SpooledTable, Table};

/// A writer of human-readable lines. Each `write!`/`writeln!` is formatted whole, then escaped whole: a newline
/// inside a value shows as `\u{a}` and cannot start a line of its own. Only the newline that `writeln!` adds
/// ends a line (so a blank line is a `writeln!(out)` of its own, never a `"\n"` inside a format string).
pub struct Human<W: Write> {
    inner: W,
    buffer: String,
}

impl<W: Write> Human<W> {
    pub fn new(inner: W) -> Human<W> {
        Human { inner, buffer: String::new() }
    }

    /// What `write!` and `writeln!` call: formats, escapes, writes.
    pub fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> io::Result<()> {
        self.buffer.clear();
        fmt::write(&mut self.buffer, args).map_err(|_| io::Error::other("formatting a report line failed"))?;
        let (text, newline) = match self.buffer.strip_suffix('\n') {
            Some(text) => (text, true),
            None => (self.buffer.as_str(), false),
        };
        self.inner.write_all(escape_terminal(text).as_bytes())?;
        if newline {
            self.inner.write_all(b"\n")?;
        }
        Ok(())
    }

    /// Writes JSON text as it is (pretty-printed, several lines) with any character a terminal would
    /// interpret written as a JSON `\uXXXX` escape: the same JSON value, ready to copy.
    pub fn json(&mut self, text: &str) -> io::Result<()> {
        self.inner.write_all(escape_json_text(text).as_bytes())
    }

    /// Writes a table (its cells were escaped when they were added).
    pub fn table(&mut self, table: &Table) -> io::Result<()> {
        table.write(&mut self.inner)
    }

    /// Writes a spooled table (its cells were escaped when they were added).
    pub fn spooled_table(&mut self, table: SpooledTable) -> io::Result<()> {
        table.write(&mut self.inner)
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }

    /// The writer underneath, for machine formats (JSON, ndjson) that escape by their own rules.
    pub fn inner_mut(&mut self) -> &mut W {
        &mut self.inner
    }
}

/// Human-readable lines on stderr: warnings, notes, summaries, errors.
#[allow(clippy::disallowed_methods)] // the chokepoint itself
pub fn stderr() -> Human<io::StderrLock<'static>> {
    Human::new(io::stderr().lock())
}

/// Whether stderr is a terminal (progress bars show only there).
#[allow(clippy::disallowed_methods)] // asks, writes nothing
pub fn stderr_is_terminal() -> bool {
    io::IsTerminal::is_terminal(&io::stderr())
}

/// Whether stdout is a terminal (binary formats are refused there).
#[allow(clippy::disallowed_methods)] // asks, writes nothing
pub fn stdout_is_terminal() -> bool {
    io::IsTerminal::is_terminal(&io::stdout())
}

/// Writes one `warning:` line on stderr. A closed stderr is not worth failing the run for.
pub fn warn(args: fmt::Arguments<'_>) {
    let _ = writeln!(stderr(), "warning: {args}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(f: impl FnOnce(&mut Human<&mut Vec<u8>>) -> io::Result<()>) -> String {
        let mut bytes = Vec::new();
        f(&mut Human::new(&mut bytes)).unwrap();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn every_line_is_escaped_whole() {
        let cases: [(&str, &str); 8] = [
            ("plain", "note: plain\n"),
            ("\x1b[2Jclear", "note: \\u{1b}[2Jclear\n"),
            ("bell\x07", "note: bell\\u{7}\n"),
            ("two\nlines", "note: two\\u{a}lines\n"),
            ("real\rfake", "note: real\\u{d}fake\n"),
            ("txt.\u{202e}exe", "note: txt.\\u{202e}exe\n"),
            ("c1\u{9b}31m", "note: c1\\u{9b}31m\n"),
            ("trailing\n", "note: trailing\\u{a}\n"),
        ];
        for (value, expected) in cases {
            assert_eq!(written(|out| writeln!(out, "note: {value}")), expected, "{value:?}");
        }
    }

    #[test]
    fn write_without_newline_and_blank_lines() {
        assert_eq!(written(|out| write!(out, "a\x1b")), "a\\u{1b}");
        assert_eq!(written(|out| writeln!(out)), "\n");
        assert_eq!(written(|out| writeln!(out, "\t tab stays")), "\t tab stays\n");
    }

    #[test]
    fn tables_go_through_unchanged() {
        let mut table = Table::new(&["A"]);
        table.row(vec!["x\x1b".into()]);
        assert_eq!(written(|out| out.table(&table)), "A\nx\\u{1b}\n");
    }
}
