//! A plain aligned text table. Every cell is escaped for the terminal. [`SpooledTable`] is the same table for
//! outputs of any length: rows wait in a temporary file, not in memory, until the widths are known.

use std::io::{self, BufRead, BufReader, BufWriter, Seek, Write};

use super::escape::escape_terminal;

/// Rows of cells under a header; columns are as wide as their widest cell (up to a cap).
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    max_width: usize,
}

impl Table {
    pub fn new(headers: &[&str]) -> Table {
        Table { headers: headers.iter().map(|h| (*h).to_owned()).collect(), rows: Vec::new(), max_width: 80 }
    }

    /// Sets the widest a cell is shown (longer cells end in `…`); the default is 80 characters.
    pub fn max_width(mut self, max_width: usize) -> Table {
        self.max_width = max_width.max(2);
        self
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells.into_iter().map(|c| escape_terminal(&c).into_owned()).collect());
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut widths = header_widths(&self.headers);
        for row in &self.rows {
            widen(&mut widths, row, self.max_width);
        }
        write_row(out, &self.headers, &widths, self.max_width)?;
        for row in &self.rows {
            write_row(out, row, &widths, self.max_width)?;
        }
        Ok(())
    }
}

/// A [`Table`] whose rows are kept in a temporary file (one JSON array of escaped cells per line) until
/// [`SpooledTable::write`]: memory does not grow with the number of rows. Same output as [`Table`].
pub struct SpooledTable {
    headers: Vec<String>,
    widths: Vec<usize>,
    max_width: usize,
    spool: BufWriter<std::fs::File>,
    rows: u64,
}

impl SpooledTable {
    pub fn new(headers: &[&str]) -> io::Result<SpooledTable> {
        let headers: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
        Ok(SpooledTable {
            widths: header_widths(&headers),
            headers,
            max_width: 80,
            spool: BufWriter::new(tempfile::tempfile()?),
            rows: 0,
        })
    }

    pub fn row(&mut self, cells: Vec<String>) -> io::Result<()> {
        let cells: Vec<String> = cells.into_iter().map(|c| escape_terminal(&c).into_owned()).collect();
        widen(&mut self.widths, &cells, self.max_width);
        serde_json::to_writer(&mut self.spool, &cells).map_err(io::Error::other)?;
        self.spool.write_all(b"\n")?;
        self.rows += 1;
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    pub fn write(self, out: &mut dyn Write) -> io::Result<()> {
        let mut file = self.spool.into_inner().map_err(|e| e.into_error())?;
        file.rewind()?;
        write_row(out, &self.headers, &self.widths, self.max_width)?;
        for line in BufReader::new(file).lines() {
            let cells: Vec<String> = serde_json::from_str(&line?).map_err(io::Error::other)?;
            write_row(out, &cells, &self.widths, self.max_width)?;
        }
        Ok(())
    }
}

fn header_widths(headers: &[String]) -> Vec<usize> {
    headers.iter().map(|h| h.chars().count()).collect()
}

fn widen(widths: &mut [usize], row: &[String], max_width: usize) {
    for (width, cell) in widths.iter_mut().zip(row) {
        *width = (*width).max(cell.chars().count().min(max_width));
    }
}

fn write_row(out: &mut dyn Write, cells: &[String], widths: &[usize], max_width: usize) -> io::Result<()> {
    let mut line = String::new();
    for (i, width) in widths.iter().enumerate() {
        let cell = cells.get(i).map_or("", String::as_str);
        let shown: String = if cell.chars().count() > max_width {
            cell.chars().take(max_width - 1).chain(std::iter::once('…')).collect()
        } else {
            cell.to_owned()
        };
        if i + 1 == widths.len() {
            line.push_str(&shown);
        } else {
            let pad = width.saturating_sub(shown.chars().count());
            line.push_str(&shown);
            line.extend(std::iter::repeat_n(' ', pad + 2));
        }
    }
    writeln!(out, "{}", line.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_and_escapes() {
        let mut table = Table::new(&["A", "LONGER"]);
        table.row(vec!["x\x1b[2J".into(), "1".into()]);
        table.row(vec!["yy".into(), "22".into()]);
        let mut out = Vec::new();
        table.write(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "A           LONGER\nx\\u{1b}[2J  1\nyy          22\n");
    }

    #[test]
    fn the_spooled_table_writes_the_same_text() {
        let long = "z".repeat(100);
        let rows: Vec<Vec<String>> = vec![
            vec!["x\x1b[2J".into(), "1".into(), "line\nbreak".into()],
            vec!["yy".into(), long.clone(), String::new()],
            vec!["é".into()],
        ];
        let mut table = Table::new(&["A", "LONGER", "C"]);
        let mut spooled = SpooledTable::new(&["A", "LONGER", "C"]).unwrap();
        assert!(spooled.is_empty());
        for row in &rows {
            table.row(row.clone());
            spooled.row(row.clone()).unwrap();
        }
        let (mut want, mut got) = (Vec::new(), Vec::new());
        table.write(&mut want).unwrap();
        spooled.write(&mut got).unwrap();
        assert_eq!(String::from_utf8(got).unwrap(), String::from_utf8(want).unwrap());
    }
}
