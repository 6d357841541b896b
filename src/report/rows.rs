//! Rows declared once. A report row type declares its columns once ([`Row::COLUMNS`]: name, type and how to
//! read the value) and its table view ([`Row::TABLE`]: header and cell text, for the human table, which may
//! merge or render columns); the writers here are the only code that turns rows into CSV, Parquet or a table.
//! JSON and ndjson are the row type's `Serialize` (the full JSON contract, a superset of the flat columns).
//!
//! A column can be declared for integrity only ([`Row::INTEGRITY_COLUMNS`], [`Row::INTEGRITY_TABLE`]): it is
//! written after the others when the report carries integrity (`--verify`, [`View::integrity`]) and absent
//! otherwise, so the output without `--verify` is what it always was.
//!
//! A writer that is not a report uses the same declaration: `export`'s Parquet parts are batches of
//! `analyze::export::ExportRow`, whose columns (schema, values and byte estimate) are its `impl Row`, and
//! whose `TABLE` is empty.

use std::io::{self, Write};

use super::table::{SpooledTable, Table};
use super::tabular::{ColumnData, Frame, Lists, TabularError, TabularFormat, write_csv_part, write_frame};
use crate::model::Timestamp;

/// How a column reads its value from a row; the variant is the column's type.
pub enum Get<R: 'static> {
    /// Text (null when `None`).
    Str(for<'a> fn(&'a R) -> Option<&'a str>),
    U64(fn(&R) -> u64),
    /// A number or null.
    OptU64(fn(&R) -> Option<u64>),
    Bool(fn(&R) -> bool),
    /// A boolean or null.
    OptBool(fn(&R) -> Option<bool>),
    /// An instant: a UTC datetime in Parquet, RFC 3339 in CSV.
    Time(fn(&R) -> Option<Timestamp>),
    /// Several strings: a list column in Parquet, `;`-joined in CSV.
    List(for<'a> fn(&'a R) -> &'a [String]),
    /// Several strings the row computes (e.g. one field of each of its resources), handed one by one to the
    /// callback: a list column like [`Get::List`], without building a vector per row.
    Strs(for<'a> fn(&'a R, &mut dyn FnMut(&'a str))),
    /// Several booleans the row computes, handed one by one: a list column of booleans.
    Bools(fn(&R, &mut dyn FnMut(bool))),
}

/// One column: its name (CSV header, Parquet column; the JSON field of the same value) and its value.
pub struct Column<R: 'static> {
    pub name: &'static str,
    pub get: Get<R>,
}

/// One column of the human table: its header and the text of a cell (escaped by the table).
pub struct Shown<R: 'static> {
    pub header: &'static str,
    pub cell: fn(&R) -> String,
}

/// A report row type: its columns, declared once, and its table view.
pub trait Row: Sized + 'static {
    const COLUMNS: &'static [Column<Self>];
    const TABLE: &'static [Shown<Self>];
    /// Columns that exist only when the report carries integrity (`--verify`): after [`Row::COLUMNS`].
    const INTEGRITY_COLUMNS: &'static [Column<Self>] = &[];
    /// Table columns that exist only when the report carries integrity: after [`Row::TABLE`].
    const INTEGRITY_TABLE: &'static [Shown<Self>] = &[];
}

/// Which of a row type's declared columns a writer writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct View {
    /// The report carries integrity (`--verify`): the integrity columns are written too.
    pub integrity: bool,
}

impl View {
    /// The columns every report has.
    pub const PLAIN: View = View { integrity: false };

    fn columns<R: Row>(self) -> impl Iterator<Item = &'static Column<R>> {
        R::COLUMNS.iter().chain(if self.integrity { R::INTEGRITY_COLUMNS } else { &[] })
    }

    fn shown<R: Row>(self) -> impl Iterator<Item = &'static Shown<R>> {
        R::TABLE.iter().chain(if self.integrity { R::INTEGRITY_TABLE } else { &[] })
    }
}

/// The rows as typed columns, in [`Row::COLUMNS`] order (an empty input still has every column, typed). Text
/// is borrowed from the rows.
pub fn frame<R: Row>(rows: &[R], view: View) -> Frame<'_> {
    view.columns::<R>().fold(Frame::new(), |frame, column| frame.column(column.name, column_data(rows, &column.get)))
}

fn column_data<'r, R: Row>(rows: &'r [R], get: &Get<R>) -> ColumnData<'r> {
    match *get {
        Get::Str(get) => ColumnData::Str(rows.iter().map(get).collect()),
        Get::U64(get) => ColumnData::U64(rows.iter().map(get).collect()),
        Get::OptU64(get) => ColumnData::OptU64(rows.iter().map(get).collect()),
        Get::Bool(get) => ColumnData::Bool(rows.iter().map(get).collect()),
        Get::OptBool(get) => ColumnData::OptBool(rows.iter().map(get).collect()),
        Get::Time(get) => ColumnData::Time(rows.iter().map(get).collect()),
        Get::List(get) => {
            let mut lists = Lists::with_capacity(rows.len());
            for row in rows {
                lists.push_row(get(row).iter().map(String::as_str));
            }
            ColumnData::List(lists)
        }
        Get::Strs(get) => {
            let mut lists = Lists::with_capacity(rows.len());
            for row in rows {
                get(row, &mut |value| lists.push(value));
                lists.end_row();
            }
            ColumnData::List(lists)
        }
        Get::Bools(get) => {
            let mut lists = Lists::with_capacity(rows.len());
            for row in rows {
                get(row, &mut |value| lists.push(value));
                lists.end_row();
            }
            ColumnData::BoolList(lists)
        }
    }
}

/// An estimate of the bytes a row holds, read from its declared columns: the row itself plus the text of its
/// text and list columns (for writers that bound a buffer in bytes; whatever the row keeps outside its
/// columns is not counted).
pub fn size_estimate<R: Row>(row: &R, view: View) -> usize {
    const PER_VALUE: usize = std::mem::size_of::<String>();
    let text = view.columns::<R>().map(|column| match column.get {
        Get::Str(get) => get(row).map_or(0, str::len),
        Get::List(get) => get(row).iter().map(|s| s.len() + PER_VALUE).sum(),
        Get::Strs(get) => {
            let mut bytes = 0;
            get(row, &mut |value| bytes += value.len() + PER_VALUE);
            bytes
        }
        Get::Bools(get) => {
            let mut bytes = 0;
            get(row, &mut |_| bytes += 1);
            bytes
        }
        Get::U64(_) | Get::OptU64(_) | Get::Bool(_) | Get::OptBool(_) | Get::Time(_) => 0,
    });
    std::mem::size_of::<R>() + text.sum::<usize>()
}

/// Writes the rows as CSV or Parquet.
pub fn write_rows<R: Row>(
    rows: &[R],
    view: View,
    format: TabularFormat,
    out: &mut dyn Write,
) -> Result<(), TabularError> {
    write_frame(frame(rows, view), format, out)
}

/// Rows per CSV chunk when the rows stream: a chunk is written as soon as it is full, one header on top.
pub const CSV_CHUNK_ROWS: usize = 4096;

/// Writes streamed rows as CSV in chunks of [`CSV_CHUNK_ROWS`]: memory holds one chunk, never all the rows.
pub fn write_csv_stream<R: Row>(
    rows: impl Iterator<Item = io::Result<R>>,
    view: View,
    out: &mut dyn Write,
) -> Result<(), RowsError> {
    let mut rows = rows.peekable();
    let mut first = true;
    loop {
        let chunk: Vec<R> = rows.by_ref().take(CSV_CHUNK_ROWS).collect::<io::Result<_>>()?;
        write_csv_part(frame(&chunk, view), first, out)?;
        first = false;
        if rows.peek().is_none() {
            return Ok(());
        }
    }
}

/// Why streamed rows could not be written.
#[derive(Debug, thiserror::Error)]
pub enum RowsError {
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error(transparent)]
    Tabular(#[from] TabularError),
}

/// The cells of one row of the table view.
pub fn cells<R: Row>(row: &R, view: View) -> Vec<String> {
    view.shown::<R>().map(|shown| (shown.cell)(row)).collect()
}

fn headers<R: Row>(view: View) -> Vec<&'static str> {
    view.shown::<R>().map(|shown| shown.header).collect()
}

/// The table view of the rows.
pub fn table<'a, R: Row>(rows: impl IntoIterator<Item = &'a R>, view: View) -> Table {
    let mut table = Table::new(&headers::<R>(view));
    for row in rows {
        table.row(cells(row, view));
    }
    table
}

/// Another table view of the rows (a row type may have more than one, e.g. check's lists).
pub fn table_of<'a, R: Row>(view: &[Shown<R>], rows: impl IntoIterator<Item = &'a R>) -> Table {
    let mut table = Table::new(&view.iter().map(|shown| shown.header).collect::<Vec<_>>());
    for row in rows {
        table.row(view.iter().map(|shown| (shown.cell)(row)).collect());
    }
    table
}

/// The table view of the rows under a `#` column numbering them from 1 (for notes that refer to rows).
pub fn numbered_table<'a, R: Row>(rows: impl IntoIterator<Item = &'a R>, view: View) -> Table {
    let mut table = Table::new(&[&["#"][..], &headers::<R>(view)].concat());
    for (i, row) in rows.into_iter().enumerate() {
        table.row([vec![(i + 1).to_string()], cells(row, view)].concat());
    }
    table
}

/// An empty table view whose rows go to a temporary file (for outputs of any length).
pub fn spooled_table<R: Row>(view: View) -> io::Result<SpooledTable> {
    SpooledTable::new(&headers::<R>(view))
}

/// A time cell: RFC 3339, or empty.
pub fn time_cell(time: Option<Timestamp>) -> String {
    time.map(|t| t.to_rfc3339()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Probe {
        name: Option<String>,
        count: u64,
        flag: bool,
        time: Option<Timestamp>,
        ips: Vec<String>,
    }

    impl Row for Probe {
        const COLUMNS: &'static [Column<Self>] = &[
            Column { name: "name", get: Get::Str(|r| r.name.as_deref()) },
            Column { name: "count", get: Get::U64(|r| r.count) },
            Column { name: "flag", get: Get::Bool(|r| r.flag) },
            Column { name: "time", get: Get::Time(|r| r.time) },
            Column { name: "ips", get: Get::List(|r| &r.ips) },
        ];
        const TABLE: &'static [Shown<Self>] = &[
            Shown { header: "COUNT", cell: |r| r.count.to_string() },
            Shown { header: "NAME", cell: |r| r.name.clone().unwrap_or_else(|| "-".to_owned()) },
        ];
        const INTEGRITY_COLUMNS: &'static [Column<Self>] =
            &[Column { name: "integrity", get: Get::Str(|r| r.flag.then_some("verified")) }];
        const INTEGRITY_TABLE: &'static [Shown<Self>] =
            &[Shown { header: "INTEGRITY", cell: |r| if r.flag { "verified" } else { "-" }.to_owned() }];
    }

    const INTEGRITY: View = View { integrity: true };

    fn probes(n: usize) -> Vec<Probe> {
        (0..n)
            .map(|i| Probe {
                name: (i % 2 == 0).then(|| format!("=n{i}")),
                count: i as u64,
                flag: i % 3 == 0,
                time: Some(Timestamp(1_790_000_000_000 + i as i64)),
                ips: vec!["10.0.0.1".into(); i % 3],
            })
            .collect()
    }

    #[test]
    fn table_view_follows_the_declaration() {
        let mut out = Vec::new();
        table(&probes(3), View::PLAIN).write(&mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "COUNT  NAME\n0      =n0\n1      -\n2      =n2\n");
        assert_eq!(cells(&probes(1)[0], View::PLAIN), ["0", "=n0"]);
        let mut out = Vec::new();
        numbered_table(&probes(2), View::PLAIN).write(&mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "#  COUNT  NAME\n1  0      =n0\n2  1      -\n");
    }

    /// The integrity columns follow the others when the report carries integrity, and are absent otherwise.
    #[test]
    fn integrity_columns_only_in_the_integrity_view() {
        let mut out = Vec::new();
        table(&probes(2), INTEGRITY).write(&mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "COUNT  NAME  INTEGRITY\n0      =n0   verified\n1      -     -\n");
        assert_eq!(cells(&probes(1)[0], INTEGRITY), ["0", "=n0", "verified"]);
        let mut out = Vec::new();
        numbered_table(&probes(1), INTEGRITY).write(&mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "#  COUNT  NAME  INTEGRITY\n1  0      =n0   verified\n");
        let names = |view: View| view.columns::<Probe>().map(|c| c.name).collect::<Vec<_>>();
        assert_eq!(names(View::PLAIN), ["name", "count", "flag", "time", "ips"]);
        assert_eq!(names(INTEGRITY), ["name", "count", "flag", "time", "ips", "integrity"]);
    }

    /// A row whose columns are computed from what it holds: optional numbers and flags, and lists read one
    /// by one from its items.
    struct Computed {
        items: Vec<(String, bool)>,
        size: Option<u64>,
        seen: Option<bool>,
    }

    impl Row for Computed {
        const COLUMNS: &'static [Column<Self>] = &[
            Column { name: "size", get: Get::OptU64(|r| r.size) },
            Column { name: "seen", get: Get::OptBool(|r| r.seen) },
            Column { name: "names", get: Get::Strs(|r, push| r.items.iter().for_each(|(name, _)| push(name))) },
            Column { name: "flags", get: Get::Bools(|r, push| r.items.iter().for_each(|&(_, flag)| push(flag))) },
        ];
        const TABLE: &'static [Shown<Self>] = &[];
    }

    fn computed() -> Vec<Computed> {
        vec![
            Computed { items: vec![("=a".into(), true), ("b".into(), false)], size: Some(7), seen: Some(true) },
            Computed { items: vec![], size: None, seen: None },
            Computed { items: vec![("c".into(), false)], size: Some(0), seen: Some(false) },
        ]
    }

    /// The byte estimate follows the declared text: the row, plus each text's length (and a `String` per list
    /// value), plus a byte per flag.
    #[test]
    fn size_estimate_reads_the_declared_columns() {
        let rows = computed();
        let base = std::mem::size_of::<Computed>();
        let per_value = std::mem::size_of::<String>();
        assert_eq!(size_estimate(&rows[0], View::PLAIN), base + (2 + per_value) + (1 + per_value) + 2);
        assert_eq!(size_estimate(&rows[1], View::PLAIN), base);
        let probe = &probes(3)[2];
        assert_eq!(size_estimate(probe, View::PLAIN), std::mem::size_of::<Probe>() + 3 + 2 * (8 + per_value));
    }

    #[cfg(feature = "tabular")]
    #[test]
    fn computed_columns_are_lists_and_nulls() {
        let mut out = Vec::new();
        write_rows(&computed(), View::PLAIN, TabularFormat::Csv, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let expected = ["size,seen,names,flags", "7,true,'=a;b,true;false", ",,\"\",\"\"", "0,false,c,false"];
        assert_eq!(text.lines().collect::<Vec<_>>(), expected);
        let mut out = Vec::new();
        write_rows(&computed(), View::PLAIN, TabularFormat::Parquet, &mut out).unwrap();
        use polars::prelude::*;
        let df = ParquetReader::new(std::io::Cursor::new(out)).finish().unwrap();
        assert_eq!(df.column("size").unwrap().u64().unwrap().get(1), None);
        let flags = df.column("flags").unwrap().list().unwrap().get_as_series(0).unwrap();
        let flags = flags.bool().unwrap();
        assert_eq!((0..flags.len()).map(|i| flags.get(i)).collect::<Vec<_>>(), [Some(true), Some(false)]);
        let names = df.column("names").unwrap().list().unwrap().get_as_series(0).unwrap();
        let names = names.str().unwrap();
        assert_eq!((0..names.len()).map(|i| names.get(i)).collect::<Vec<_>>(), [Some("=a"), Some("b")], "exact");
    }

    #[cfg(feature = "tabular")]
    #[test]
    fn csv_follows_the_declaration_and_streams_in_chunks() {
        let mut whole = Vec::new();
        write_rows(&probes(3), View::PLAIN, TabularFormat::Csv, &mut whole).unwrap();
        let text = String::from_utf8(whole).unwrap();
        let expected = [
            "name,count,flag,time,ips",
            "'=n0,0,true,2026-09-21T14:13:20Z,\"\"",
            ",1,false,2026-09-21T14:13:20.001Z,10.0.0.1",
            "'=n2,2,false,2026-09-21T14:13:20.002Z,10.0.0.1;10.0.0.1",
        ];
        assert_eq!(text.lines().collect::<Vec<_>>(), expected);
        // Streamed over chunk boundaries: the same CSV as written whole, one header.
        for n in [0, 1, CSV_CHUNK_ROWS, CSV_CHUNK_ROWS + 1, 2 * CSV_CHUNK_ROWS + 3] {
            let mut whole = Vec::new();
            write_rows(&probes(n), INTEGRITY, TabularFormat::Csv, &mut whole).unwrap();
            let mut streamed = Vec::new();
            write_csv_stream(probes(n).into_iter().map(Ok), INTEGRITY, &mut streamed).unwrap();
            assert_eq!(streamed, whole, "{n} rows");
        }
        let mut out = Vec::new();
        write_rows(&probes(2), INTEGRITY, TabularFormat::Csv, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().next(), Some("name,count,flag,time,ips,integrity"));
        assert!(text.lines().nth(1).is_some_and(|l| l.ends_with(",verified")), "{text}");
    }
}
