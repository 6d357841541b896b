//! Sorting more rows than fit in memory: rows are buffered, and when the buffer is full it is sorted and
//! written to a temporary file (a run). At the end the runs and the buffer are merged in order with a heap,
//! one row per run in memory. Memory is the buffer limit, whatever the number of rows.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Seek, Write};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Rows that know their sort key.
pub trait Sortable: Serialize + DeserializeOwned {
    type Key: Ord + Clone;
    fn key(&self) -> Self::Key;
}

/// A buffer of rows that spills sorted runs to disk past `limit` rows.
pub struct ExternalSorter<T> {
    buffer: Vec<T>,
    runs: Vec<File>,
    limit: usize,
    /// The first spill error; reported when the rows are read back.
    error: Option<io::Error>,
}

impl<T: Sortable> ExternalSorter<T> {
    pub fn new(limit: usize) -> Self {
        ExternalSorter { buffer: Vec::new(), runs: Vec::new(), limit: limit.max(1), error: None }
    }

    pub fn push(&mut self, row: T) {
        self.buffer.push(row);
        if self.buffer.len() >= self.limit {
            self.spill();
        }
    }

    /// How many runs went to disk.
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
    }

    fn spill(&mut self) {
        let mut rows = std::mem::take(&mut self.buffer);
        rows.sort_by_key(Sortable::key);
        match write_run(&rows) {
            Ok(file) => self.runs.push(file),
            Err(e) => {
                // Keep the rows in memory rather than lose them; report the failure at the end.
                self.error.get_or_insert(e);
                self.buffer = rows;
                self.limit = usize::MAX;
            }
        }
    }

    /// Every row in key order (stable for equal keys within a run).
    pub fn into_sorted(mut self) -> io::Result<SortedRows<T>> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.buffer.sort_by_key(Sortable::key);
        let mut sources: Vec<Source<T>> = Vec::with_capacity(self.runs.len() + 1);
        for mut run in self.runs {
            run.rewind()?;
            sources.push(Source::Run(BufReader::new(run).lines()));
        }
        sources.push(Source::Memory(self.buffer.into_iter()));
        let mut sorted = SortedRows { sources, heap: BinaryHeap::new(), heads: Vec::new() };
        for index in 0..sorted.sources.len() {
            sorted.heads.push(None);
            sorted.advance(index)?;
        }
        Ok(sorted)
    }
}

fn write_run<T: Serialize>(rows: &[T]) -> io::Result<File> {
    let file = tempfile::tempfile()?;
    let mut writer = BufWriter::new(file);
    for row in rows {
        serde_json::to_writer(&mut writer, row).map_err(io::Error::other)?;
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
}

impl<T: Sortable> SortedRows<T> {
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
            let mut left = ExternalSorter::new(limit);
            let mut right = ExternalSorter::new(limit);
            for row in &rows[..split] { left.push(row.clone()); }
            for row in &rows[split..] { right.push(row.clone()); }
            left.merge(right);
            let got: Vec<Row> = left.into_sorted().unwrap().map(Result::unwrap).collect();
            prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn small_limits_spill() {
        let mut sorter = ExternalSorter::new(10);
        for i in (0..95).rev() {
            sorter.push(Row(i, String::new()));
        }
        assert_eq!(sorter.runs(), 9);
        let got: Vec<i64> = sorter.into_sorted().unwrap().map(|r| r.unwrap().0).collect();
        assert_eq!(got, (0..95).collect::<Vec<_>>());
    }
}
