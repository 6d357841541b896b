//! A plain aligned text table. Every cell is escaped for the terminal.

use std::io::{self, Write};

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
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(cell.chars().count().min(self.max_width));
            }
        }
        self.write_row(out, &self.headers, &widths)?;
        for row in &self.rows {
            self.write_row(out, row, &widths)?;
        }
        Ok(())
    }

    fn write_row(&self, out: &mut dyn Write, cells: &[String], widths: &[usize]) -> io::Result<()> {
        let mut line = String::new();
        for (i, width) in widths.iter().enumerate() {
            let cell = cells.get(i).map_or("", String::as_str);
            let shown: String = if cell.chars().count() > self.max_width {
                cell.chars().take(self.max_width - 1).chain(std::iter::once('…')).collect()
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
}
