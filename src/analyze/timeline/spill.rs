//! Sorting more rows than fit in memory: rows are buffered, and when the buffer is full (a row count or an
//! estimate of its bytes, whichever comes first) it is sorted and written to a temporary file (a run). Runs are
//! merged into one whenever [`MAX_RUNS`] pile up, so open files stay bounded however large the input. At the
//! end the runs and the buffer are merged in order with a heap, one row per run in memory. Memory is the buffer
//! limit plus one row and one read buffer per run, whatever the number of rows.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Seek, Write};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Runs kept before they are merged into one (also the merge's fan-in).
pub const MAX_RUNS: usize = 16;

/// Rows that know their sort key and roughly what they hold in memory.
pub trait Sortable: Serialize + DeserializeOwned {
    type Key: Ord + Clone;
    fn key(&self) -> Self::Key;
    /// An estimate of the bytes the row holds (inline and on the heap), for the buffer's byte limit.
    fn size_estimate(&self) -> usize;
}

/// How much a sorter buffers before it spills a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpillLimits {
    pub rows: usize,
    pub bytes: usize,
}

/// A buffer of rows that spills sorted runs to disk past its limits.
pub struct ExternalSorter<T> {
    buffer: Vec<T>,
    buffered_bytes: usize,
    runs: Vec<File>,
    limits: SpillLimits,
    /// The first spill error; reported when the rows are read back.
    error: Option<io::Error>,
}

impl<T: Sortable> ExternalSorter<T> {
    pub fn new(limits: SpillLimits) -> Self {
        let limits = SpillLimits { rows: limits.rows.max(1), bytes: limits.bytes.max(1) };
        ExternalSorter { buffer: Vec::new(), buffered_bytes: 0, runs: Vec::new(), limits, error: None }
    }

    pub fn push(&mut self, row: T) {
        self.buffered_bytes += row.size_estimate();
        self.buffer.push(row);
        if self.buffer.len() >= self.limits.rows || self.buffered_bytes >= self.limits.bytes {
            self.spill();
        }
    }

    /// How many runs are on disk now.
    pub fn runs(&self) -> usize {
        self.runs.len()
    }

    pub fn merge(&mut self, other: ExternalSorter<T>) {
        self.runs.extend(other.runs);
        if self.error.is_none() {
            self.error = other.error;
        }
        for row in other.buffer {
            self.push(row);
        }
        self.compact();
    }

    fn spill(&mut self) {
        let mut rows = std::mem::take(&mut self.buffer);
        rows.sort_by_key(Sortable::key);
        match write_run(rows.iter()) {
            Ok(file) => {
                self.runs.push(file);
                self.buffered_bytes = 0;
                self.compact();
            }
            Err(e) => self.keep_in_memory(rows, e),
        }
    }

    /// After a failed write: keep the rows rather than lose them, and report the failure at the end.
    fn keep_in_memory(&mut self, rows: Vec<T>, e: io::Error) {
        self.error.get_or_insert(e);
        self.buffer = rows;
        self.limits = SpillLimits { rows: usize::MAX, bytes: usize::MAX };
    }

    /// Merges the runs into one when [`MAX_RUNS`] have piled up: open files stay under `2 × MAX_RUNS` per
    /// sorter, and each row is rewritten about log(runs) / log(MAX_RUNS) times in all.
    fn compact(&mut self) {
        if self.runs.len() < MAX_RUNS || self.error.is_some() {
            return;
        }
        let merged = merge_runs::<T>(std::mem::take(&mut self.runs)).and_then(|mut rows| {
            let file = write_run(std::iter::from_fn(|| rows.next()).map_while(|row| row.ok()))?;
            // A read error ends the merge early: report it rather than lose the rows after it.
            match rows.error.take() {
                Some(e) => Err(e),
                None => Ok(file),
            }
        });
        match merged {
            Ok(file) => self.runs.push(file),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
    }

    /// Every row in key order (stable for equal keys within a run).
    pub fn into_sorted(mut self) -> io::Result<SortedRows<T>> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.buffer.sort_by_key(Sortable::key);
        let mut sources = open_runs(self.runs)?;
        sources.push(Source::Memory(self.buffer.into_iter()));
        SortedRows::new(sources)
    }
}

fn open_runs<T>(runs: Vec<File>) -> io::Result<Vec<Source<T>>> {
    let mut sources = Vec::with_capacity(runs.len() + 1);
    for mut run in runs {
        run.rewind()?;
        sources.push(Source::Run(BufReader::new(run).lines()));
    }
    Ok(sources)
}

fn merge_runs<T: Sortable>(runs: Vec<File>) -> io::Result<SortedRows<T>> {
    SortedRows::new(open_runs(runs)?)
}

fn write_run<T: Serialize>(rows: impl Iterator<Item = T>) -> io::Result<File> {
    let file = tempfile::tempfile()?;
    let mut writer = BufWriter::new(file);
    for row in rows {
        serde_json::to_writer(&mut writer, &row).map_err(io::Error::other)?;
        writer.write_all(b"\n")?;
    }
    writer.into_inner().map_err(|e| e.into_error())
}

enum Source<T> {
    Run(io::Lines<BufReader<File>>),
    Memory(std::vec::IntoIter<T>),
}

/// The merged, ordered rows.
pub struct SortedRows<T: Sortable> {
    sources: Vec<Source<T>>,
    heap: BinaryHeap<Reverse<(T::Key, usize)>>,
    heads: Vec<Option<T>>,
    /// A read error met while merging runs in [`ExternalSorter::compact`].
    error: Option<io::Error>,
}

impl<T: Sortable> SortedRows<T> {
    fn new(sources: Vec<Source<T>>) -> io::Result<SortedRows<T>> {
        let count = sources.len();
        let mut sorted = SortedRows { sources, heap: BinaryHeap::new(), heads: Vec::new(), error: None };
        for index in 0..count {
            sorted.heads.push(None);
            sorted.advance(index)?;
        }
        Ok(sorted)
    }

    fn advance(&mut self, index: usize) -> io::Result<()> {
        let next = match &mut self.sources[index] {
            Source::Memory(rows) => rows.next(),
            Source::Run(lines) => match lines.next() {
                None => None,
                Some(line) => Some(serde_json::from_str(&line?).map_err(io::Error::other)?),
            },
        };
        if let Some(row) = &next {
            self.heap.push(Reverse((row.key(), index)));
        }
        self.heads[index] = next;
        Ok(())
    }
}

impl<T: Sortable> Iterator for SortedRows<T> {
    type Item = io::Result<T>;

    fn next(&mut self) -> Option<io::Result<T>> {
        let Reverse((_, index)) = self.heap.pop()?;
        let row = self.heads[index].take()?;
        if let Err(e) = self.advance(index) {
            self.error.get_or_insert_with(|| io::Error::new(e.kind(), e.to_string()));
            return Some(Err(e));
        }
        Some(Ok(row))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Deserialize;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Row(i64, String);

    impl Sortable for Row {
        type Key = (i64, String);
        fn key(&self) -> (i64, String) {
            (self.0, self.1.clone())
        }
        fn size_estimate(&self) -> usize {
            std::mem::size_of::<Row>() + self.1.len()
        }
    }

    fn row_limit(limit: usize) -> SpillLimits {
        SpillLimits { rows: limit, bytes: usize::MAX }
    }

    proptest! {
        #[test]
        fn spilled_order_equals_in_memory_order(
            rows in prop::collection::vec((0i64..50, "[a-z]{0,3}"), 0..200),
            limit in 1usize..40,
            split in 0usize..200,
        ) {
            let rows: Vec<Row> = rows.into_iter().map(|(k, s)| Row(k, s)).collect();
            let mut expected = rows.clone();
            expected.sort_by_key(Sortable::key);
            // Two workers, merged, with a small limit so runs go to disk.
            let split = split.min(rows.len());
            let mut left = ExternalSorter::new(row_limit(limit));
            let mut right = ExternalSorter::new(row_limit(limit));
            for row in &rows[..split] { left.push(row.clone()); }
            for row in &rows[split..] { right.push(row.clone()); }
            left.merge(right);
            let got: Vec<Row> = left.into_sorted().unwrap().map(Result::unwrap).collect();
            prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn small_limits_spill() {
        let mut sorter = ExternalSorter::new(row_limit(10));
        for i in (0..95).rev() {
            sorter.push(Row(i, String::new()));
        }
        assert_eq!(sorter.runs(), 9);
        let got: Vec<i64> = sorter.into_sorted().unwrap().map(|r| r.unwrap().0).collect();
        assert_eq!(got, (0..95).collect::<Vec<_>>());
    }

    #[test]
    fn the_byte_limit_spills_before_the_row_limit() {
        let row = Row(0, "x".repeat(1000));
        let limits = SpillLimits { rows: 1_000_000, bytes: 10 * row.size_estimate() };
        let mut sorter = ExternalSorter::new(limits);
        for i in 0..35 {
            sorter.push(Row(i, row.1.clone()));
        }
        assert_eq!(sorter.runs(), 3, "a run every 10 rows of ~1 KB");
        assert_eq!(sorter.into_sorted().unwrap().count(), 35);
    }

    #[test]
    fn runs_are_merged_so_open_files_stay_bounded() {
        // One row per run, from several workers: without compaction this would hold 1,000 open files.
        let mut total = ExternalSorter::new(row_limit(1));
        for worker in 0..10 {
            let mut sorter = ExternalSorter::new(row_limit(1));
            for i in 0..100 {
                sorter.push(Row((i * 7919 + worker * 13) % 1000, format!("w{worker}")));
                assert!(sorter.runs() < 2 * MAX_RUNS, "{} runs", sorter.runs());
            }
            total.merge(sorter);
            assert!(total.runs() < 2 * MAX_RUNS, "{} runs", total.runs());
        }
        let got: Vec<Row> = total.into_sorted().unwrap().map(Result::unwrap).collect();
        assert_eq!(got.len(), 1000);
        assert!(got.windows(2).all(|w| w[0].key() <= w[1].key()));
    }
}
