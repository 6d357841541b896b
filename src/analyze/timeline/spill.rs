//! Sorting more rows than fit in memory: rows are buffered, and when the buffer is full (a row count or an
//! estimate of its bytes, whichever comes first) it is sorted and written to a temporary file (a run). Runs are
//! merged in levels, as a log-structured merge does: a spilled run is at level 0, and whenever [`MAX_RUNS`]
//! runs of one level pile up they are merged into one run of the next level. So every row is written once per
//! level, O(log n) times in all (merging everything whenever the run count hits a limit rewrote the one big run
//! again and again: quadratic), and at most `MAX_RUNS - 1` runs per level stay open. At the end the runs and
//! the buffer are merged in order with a heap, one row per run in memory. Memory is the buffer limit plus one
//! row and one read buffer per run.
//!
//! Runs are kept oldest first (by level, a stable order): rows of equal keys come out in the order they were
//! pushed into one sorter.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Seek, Write};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Runs of one level merged at once (the merge's fan-in); fewer stay open per level.
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

/// What a sorter wrote to its temporary files, merges included.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SpillStats {
    pub rows: u64,
    pub bytes: u64,
}

impl std::ops::AddAssign for SpillStats {
    fn add_assign(&mut self, other: SpillStats) {
        self.rows += other.rows;
        self.bytes += other.bytes;
    }
}

/// A sorted run on disk, and how many merges made it.
struct Run {
    file: File,
    level: u32,
}

/// A buffer of rows that spills sorted runs to disk past its limits.
pub struct ExternalSorter<T> {
    buffer: Vec<T>,
    buffered_bytes: usize,
    /// Highest level first; within a level, oldest first.
    runs: Vec<Run>,
    limits: SpillLimits,
    written: SpillStats,
    /// The first spill error; reported when the rows are read back.
    error: Option<io::Error>,
}

impl<T: Sortable> ExternalSorter<T> {
    pub fn new(limits: SpillLimits) -> Self {
        let limits = SpillLimits { rows: limits.rows.max(1), bytes: limits.bytes.max(1) };
        ExternalSorter {
            buffer: Vec::new(),
            buffered_bytes: 0,
            runs: Vec::new(),
            limits,
            written: SpillStats::default(),
            error: None,
        }
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

    /// Rows and bytes written to temporary files so far (each row once per level it went through).
    pub fn written(&self) -> SpillStats {
        self.written
    }

    pub fn merge(&mut self, other: ExternalSorter<T>) {
        self.runs.extend(other.runs);
        // Stable: each sorter's runs keep their order (theirs were already highest level first).
        self.runs.sort_by_key(|run| Reverse(run.level));
        self.written += other.written;
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
        match write_run(rows.iter(), &mut self.written) {
            Ok(file) => {
                self.runs.push(Run { file, level: 0 });
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

    /// While some level holds [`MAX_RUNS`] runs, merges the oldest [`MAX_RUNS`] of the lowest such level into one
    /// run of the next level, in their place (the order stays highest level first, oldest first).
    fn compact(&mut self) {
        while self.error.is_none() {
            let Some(start) = self.full_level() else { return };
            let level = self.runs.get(start).map_or(0, |run| run.level);
            let group: Vec<File> = self.runs.drain(start..start + MAX_RUNS).map(|run| run.file).collect();
            let written = &mut self.written;
            let merged = merge_runs::<T>(group).and_then(|mut rows| {
                let file = write_run(std::iter::from_fn(|| rows.next()).map_while(|row| row.ok()), written)?;
                // A read error ends the merge early: report it rather than lose the rows after it.
                match rows.error.take() {
                    Some(e) => Err(e),
                    None => Ok(file),
                }
            });
            match merged {
                Ok(file) => self.runs.insert(start, Run { file, level: level + 1 }),
                Err(e) => {
                    self.error.get_or_insert(e);
                }
            }
        }
    }

    /// Where the lowest level with [`MAX_RUNS`] runs or more starts.
    fn full_level(&self) -> Option<usize> {
        let mut end = self.runs.len();
        while end > 0 {
            let level = self.runs[end - 1].level;
            let start = self.runs[..end].iter().rposition(|run| run.level != level).map_or(0, |i| i + 1);
            if end - start >= MAX_RUNS {
                return Some(start);
            }
            end = start;
        }
        None
    }

    /// Every row in key order (stable for equal keys within a run).
    pub fn into_sorted(mut self) -> io::Result<SortedRows<T>> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.buffer.sort_by_key(Sortable::key);
        let mut sources = open_runs(self.runs.into_iter().map(|run| run.file).collect())?;
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

fn write_run<T: Serialize>(rows: impl Iterator<Item = T>, written: &mut SpillStats) -> io::Result<File> {
    let file = tempfile::tempfile()?;
    let mut writer = BufWriter::new(file);
    let mut line = Vec::new();
    for row in rows {
        line.clear();
        serde_json::to_writer(&mut line, &row).map_err(io::Error::other)?;
        line.push(b'\n');
        writer.write_all(&line)?;
        written.rows += 1;
        written.bytes += line.len() as u64;
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

    /// At most `MAX_RUNS - 1` runs per level, and levels grow as log16 of the runs spilled.
    fn open_files_bound(rows: usize) -> usize {
        let mut levels = 1;
        let mut capacity = MAX_RUNS;
        while capacity <= rows {
            capacity *= MAX_RUNS;
            levels += 1;
        }
        (MAX_RUNS - 1) * levels
    }

    #[test]
    fn runs_are_merged_so_open_files_stay_bounded() {
        // One row per run, from several workers: without merging this would hold 1,000 open files.
        let mut total = ExternalSorter::new(row_limit(1));
        for worker in 0..10 {
            let mut sorter = ExternalSorter::new(row_limit(1));
            for i in 0..100 {
                sorter.push(Row((i * 7919 + worker * 13) % 1000, format!("w{worker}")));
                assert!(sorter.runs() <= open_files_bound(i as usize + 1), "{} runs", sorter.runs());
            }
            total.merge(sorter);
            assert!(total.runs() <= open_files_bound(100 * (worker as usize + 1)), "{} runs", total.runs());
        }
        let got: Vec<Row> = total.into_sorted().unwrap().map(Result::unwrap).collect();
        assert_eq!(got.len(), 1000);
        assert!(got.windows(2).all(|w| w[0].key() <= w[1].key()));
    }

    /// Rows written to temporary files for `n` rows spilled 10 at a time, by one sorter or by ten merged.
    fn rows_written(n: i64, workers: i64) -> u64 {
        let mut total = ExternalSorter::new(row_limit(10));
        for worker in 0..workers {
            let mut sorter = ExternalSorter::new(row_limit(10));
            for i in (worker..n).step_by(workers as usize) {
                sorter.push(Row((i * 7919) % n, String::new()));
            }
            total.merge(sorter);
        }
        let written = total.written();
        assert_eq!(total.into_sorted().unwrap().count() as i64, n);
        written.rows
    }

    #[test]
    fn each_row_is_written_a_logarithmic_number_of_times() {
        // Merging every run whenever 16 piled up rewrote the growing run each time: 10× the rows wrote 94× the
        // rows (89,480 → 8,394,980). In levels every row is written once per level: 10× the rows, times the
        // one more level they climb (12,520 → 189,520).
        for workers in [1, 10] {
            let (small, large) = (rows_written(5_000, workers), rows_written(50_000, workers));
            let ratio = large as f64 / small as f64;
            assert!(ratio < 20.0, "{workers} worker(s): {small} rows written for 5,000, {large} for 50,000");
            // 5,000 runs of 10 rows: written once, then once per level of 16 (16^4 > 5,000 runs).
            assert!(large <= 5 * 50_000, "{workers} worker(s): {large} rows written for 50,000");
        }
    }

    #[test]
    fn equal_keys_keep_their_push_order() {
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        struct Tagged(i64, u32);
        impl Sortable for Tagged {
            type Key = i64;
            fn key(&self) -> i64 {
                self.0
            }
            fn size_estimate(&self) -> usize {
                16
            }
        }
        let mut sorter = ExternalSorter::new(row_limit(3));
        for seq in 0..2_000u32 {
            sorter.push(Tagged(i64::from(seq % 7), seq));
        }
        let got: Vec<Tagged> = sorter.into_sorted().unwrap().map(Result::unwrap).collect();
        for pair in got.windows(2) {
            assert!(pair[0].0 < pair[1].0 || (pair[0].0 == pair[1].0 && pair[0].1 < pair[1].1), "{pair:?}");
        }
    }
}
