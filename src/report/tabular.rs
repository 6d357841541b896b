//! CSV and Parquet output through polars, for the commands whose rows are tabular (`denied`, `outside`,
//! `timeline`). Commands describe their rows as typed columns; this module owns the polars types, and is
//! the CSV chokepoint: every string cell of every CSV goes through [`escape_csv_cell`] (formula-neutralized,
//! control characters escaped). Parquet keeps the exact values: it is data for programs, not a spreadsheet.
//! Compiled only with the `tabular` feature (the default); without it these formats are a usage error.

use std::io::Write;

use crate::model::Timestamp;
#[cfg(feature = "tabular")]
use std::borrow::Cow;

#[cfg(feature = "tabular")]
use crate::report::escape::escape_csv_cell;

/// One column's values, all rows. Text is borrowed from the rows: a frame copies nothing before polars does.
#[derive(Debug, Clone)]
pub enum ColumnData<'a> {
    Str(Vec<Option<&'a str>>),
    U64(Vec<u64>),
    OptU64(Vec<Option<u64>>),
    Bool(Vec<bool>),
    OptBool(Vec<Option<bool>>),
    /// Instants, written as UTC datetimes (milliseconds).
    Time(Vec<Option<Timestamp>>),
    /// Several strings per row: a list column in Parquet, `;`-joined in CSV.
    List(Lists<&'a str>),
    /// Several booleans per row: a list column in Parquet, `;`-joined in CSV.
    BoolList(Lists<bool>),
}

/// A list per row, flattened: one buffer of values and where each row's list ends.
#[derive(Debug, Clone)]
pub struct Lists<T> {
    values: Vec<T>,
    ends: Vec<usize>,
}

impl<T> Lists<T> {
    pub fn with_capacity(rows: usize) -> Lists<T> {
        Lists { values: Vec::with_capacity(rows), ends: Vec::with_capacity(rows) }
    }

    /// Adds a value to the row being built.
    pub fn push(&mut self, value: T) {
        self.values.push(value);
    }

    /// Ends the row being built (its list is every value pushed since the previous row ended).
    pub fn end_row(&mut self) {
        self.ends.push(self.values.len());
    }

    /// Adds a whole row.
    pub fn push_row(&mut self, row: impl IntoIterator<Item = T>) {
        self.values.extend(row);
        self.end_row();
    }

    /// Each row's list, in order.
    pub fn rows(&self) -> impl Iterator<Item = &[T]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(self.ends.iter().copied()).map(|(start, end)| &self.values[start..end])
    }

    /// The number of values over all rows.
    pub fn values(&self) -> usize {
        self.values.len()
    }
}

impl<T> FromIterator<Vec<T>> for Lists<T> {
    fn from_iter<I: IntoIterator<Item = Vec<T>>>(rows: I) -> Lists<T> {
        let mut lists = Lists::with_capacity(0);
        for row in rows {
            lists.push_row(row);
        }
        lists
    }
}

/// Named columns of equal length.
#[derive(Debug, Clone, Default)]
pub struct Frame<'a> {
    columns: Vec<(&'static str, ColumnData<'a>)>,
}

impl<'a> Frame<'a> {
    pub fn new() -> Frame<'a> {
        Frame::default()
    }

    /// Adds a column (builder style).
    pub fn column(mut self, name: &'static str, data: ColumnData<'a>) -> Frame<'a> {
        self.columns.push((name, data));
        self
    }
}

/// The tabular formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TabularFormat {
    Csv,
    Parquet,
}

/// Why a table could not be written.
#[derive(Debug, thiserror::Error)]
pub enum TabularError {
    #[error("this build has no CSV/Parquet support (built without the `tabular` feature)")]
    NotBuilt,
    #[error("writing {format:?}: {message}")]
    Write { format: TabularFormat, message: String },
}

/// Writes the frame as CSV (header row, RFC 3339 times) or Parquet (typed columns).
#[cfg(feature = "tabular")]
pub fn write_frame(frame: Frame<'_>, format: TabularFormat, out: &mut dyn Write) -> Result<(), TabularError> {
    use polars::prelude::*;

    let error = |e: PolarsError| TabularError::Write { format, message: e.to_string() };
    let mut df = data_frame(frame, format)?;
    match format {
        TabularFormat::Csv => CsvWriter::new(out).finish(&mut df).map_err(error),
        TabularFormat::Parquet => ParquetWriter::new(out).finish(&mut df).map(|_| ()).map_err(error),
    }
}

/// Writes the frame as CSV rows, with the header row or without: a long output goes out in parts, the
/// header on the first one only. The parts together are the CSV of all the rows.
#[cfg(feature = "tabular")]
pub fn write_csv_part(frame: Frame<'_>, header: bool, out: &mut dyn Write) -> Result<(), TabularError> {
    use polars::prelude::*;

    let format = TabularFormat::Csv;
    let mut df = data_frame(frame, format)?;
    CsvWriter::new(out)
        .include_header(header)
        .finish(&mut df)
        .map_err(|e| TabularError::Write { format, message: e.to_string() })
}

#[cfg(feature = "tabular")]
fn data_frame(frame: Frame<'_>, format: TabularFormat) -> Result<polars::prelude::DataFrame, TabularError> {
    use polars::prelude::*;

    let error = |e: PolarsError| TabularError::Write { format, message: e.to_string() };
    let mut columns = Vec::with_capacity(frame.columns.len());
    let csv = format == TabularFormat::Csv;
    for (name, data) in frame.columns {
        let column = match data {
            ColumnData::Str(values) if csv => {
                let cells: Vec<Option<Cow<'_, str>>> = values.into_iter().map(|v| v.map(escape_csv_cell)).collect();
                Column::new(name.into(), cells.iter().map(|c| c.as_deref()).collect::<Vec<_>>())
            }
            ColumnData::Str(values) => Column::new(name.into(), values),
            ColumnData::U64(values) => Column::new(name.into(), values),
            ColumnData::OptU64(values) => Column::new(name.into(), values),
            ColumnData::Bool(values) => Column::new(name.into(), values),
            ColumnData::OptBool(values) => Column::new(name.into(), values),
            ColumnData::Time(values) if csv => {
                Column::new(name.into(), values.into_iter().map(|t| t.map(|t| t.to_rfc3339())).collect::<Vec<_>>())
            }
            ColumnData::Time(values) => {
                let millis: Vec<Option<i64>> = values.into_iter().map(|t| t.map(Timestamp::millis)).collect();
                Column::new(name.into(), millis)
                    .cast(&DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC)))
                    .map_err(error)?
            }
            ColumnData::List(lists) if csv => {
                let joined = |row: &[&str]| escape_csv_cell(&row.join(";")).into_owned();
                Column::new(name.into(), lists.rows().map(joined).collect::<Vec<_>>())
            }
            ColumnData::List(lists) => {
                // One builder for the whole column: a Series per row would cost hundreds of bytes each.
                let mut builder = ListStringChunkedBuilder::new(name.into(), lists.ends.len(), lists.values());
                for row in lists.rows() {
                    builder.append_values_iter(row.iter().copied());
                }
                builder.finish().into_column()
            }
            ColumnData::BoolList(lists) if csv => {
                let joined = |row: &[bool]| row.iter().map(bool::to_string).collect::<Vec<_>>().join(";");
                Column::new(name.into(), lists.rows().map(joined).collect::<Vec<_>>())
            }
            ColumnData::BoolList(lists) => {
                let mut builder = ListBooleanChunkedBuilder::new(name.into(), lists.ends.len(), lists.values());
                for row in lists.rows() {
                    builder.append_iter(row.iter().map(|&b| Some(b)));
                }
                builder.finish().into_column()
            }
        };
        columns.push(column);
    }
    DataFrame::new_infer_height(columns).map_err(error)
}

/// Without the `tabular` feature: a clear error.
#[cfg(not(feature = "tabular"))]
pub fn write_frame(_frame: Frame<'_>, _format: TabularFormat, _out: &mut dyn Write) -> Result<(), TabularError> {
    Err(TabularError::NotBuilt)
}

/// Without the `tabular` feature: a clear error.
#[cfg(not(feature = "tabular"))]
pub fn write_csv_part(_frame: Frame<'_>, _header: bool, _out: &mut dyn Write) -> Result<(), TabularError> {
    Err(TabularError::NotBuilt)
}

#[cfg(all(test, feature = "tabular"))]
mod tests {
    use super::*;
    use polars::prelude::*;

    fn frame() -> Frame<'static> {
        Frame::new()
            .column("name", ColumnData::Str(vec![Some("a,\"quoted\""), None]))
            .column("count", ColumnData::U64(vec![3, 0]))
            .column("flag", ColumnData::Bool(vec![true, false]))
            .column("time", ColumnData::Time(vec![Some(Timestamp(1_790_000_000_000)), None]))
            .column("ips", ColumnData::List([vec!["10.0.0.1", "10.0.0.2"], vec![]].into_iter().collect()))
    }

    #[test]
    fn csv_quotes_and_flattens() {
        let mut out = Vec::new();
        write_frame(frame(), TabularFormat::Csv, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("name,count,flag,time,ips"));
        assert_eq!(lines.next(), Some("\"a,\"\"quoted\"\"\",3,true,2026-09-21T14:13:20Z,10.0.0.1;10.0.0.2"));
        assert_eq!(lines.next(), Some(",0,false,,\"\""), "null is empty, an empty list is an empty string");
    }

    #[test]
    fn csv_parts_join_into_the_whole() {
        let mut whole = Vec::new();
        write_frame(frame(), TabularFormat::Csv, &mut whole).unwrap();
        let mut parts = Vec::new();
        write_csv_part(frame(), true, &mut parts).unwrap();
        let header_and_rows = String::from_utf8(parts.clone()).unwrap();
        assert_eq!(header_and_rows, String::from_utf8(whole.clone()).unwrap());
        write_csv_part(frame(), false, &mut parts).unwrap();
        let text = String::from_utf8(parts).unwrap();
        let rows: Vec<&str> = header_and_rows.lines().skip(1).collect();
        assert_eq!(text.lines().skip(3).collect::<Vec<_>>(), rows, "the second part has no header");
    }

    #[test]
    fn parquet_round_trips() {
        let mut out = Vec::new();
        write_frame(frame(), TabularFormat::Parquet, &mut out).unwrap();
        let df = ParquetReader::new(std::io::Cursor::new(out)).finish().unwrap();
        assert_eq!(df.height(), 2);
        assert_eq!(df.column("count").unwrap().u64().unwrap().get(0), Some(3));
        assert!(matches!(df.column("time").unwrap().dtype(), DataType::Datetime(TimeUnit::Milliseconds, _)));
        let ips = df.column("ips").unwrap().list().unwrap().get_as_series(0).unwrap();
        assert_eq!(ips.len(), 2);
    }

    /// Hostile string cells (a principal `=cmd|…`, a session `=1+1`, ESC, a newline) come out of CSV as text,
    /// one line per row; the numbers stay numbers; Parquet keeps every value exact.
    #[test]
    fn csv_neutralizes_string_cells_and_parquet_keeps_them() {
        let hostile = ["=cmd|' /C calc'!A0", "=1+1", "-5", "@x", "\tx", "\rx", "a\x1b[2Jb", "two\nlines", "+1,2"];
        let frame = || {
            Frame::new()
                .column("s", ColumnData::Str(hostile.iter().map(|h| Some(*h)).collect()))
                .column("n", ColumnData::U64((0..hostile.len() as u64).collect()))
                .column("l", ColumnData::List(hostile.iter().map(|h| vec![*h, "x"]).collect()))
        };
        let mut out = Vec::new();
        write_frame(frame(), TabularFormat::Csv, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let expected = [
            "s,n,l",
            "'=cmd|' /C calc'!A0,0,'=cmd|' /C calc'!A0;x",
            "'=1+1,1,'=1+1;x",
            "'-5,2,'-5;x",
            "'@x,3,'@x;x",
            "'\tx,4,'\tx;x",
            "\\u{d}x,5,\\u{d}x;x",
            "a\\u{1b}[2Jb,6,a\\u{1b}[2Jb;x",
            "two\\u{a}lines,7,two\\u{a}lines;x",
            "\"'+1,2\",8,\"'+1,2;x\"",
        ];
        assert_eq!(text.lines().collect::<Vec<_>>(), expected);
        let mut out = Vec::new();
        write_frame(frame(), TabularFormat::Parquet, &mut out).unwrap();
        let df = ParquetReader::new(std::io::Cursor::new(out)).finish().unwrap();
        let s = df.column("s").unwrap().str().unwrap().clone();
        let exact: Vec<&str> = (0..s.len()).filter_map(|i| s.get(i)).collect();
        assert_eq!(exact, hostile);
    }
}
