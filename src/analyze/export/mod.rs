//! `export`: the normalized events as Parquet, Hive-partitioned by UTC date (`date=YYYY-MM-DD/part-N.parquet`).
//! Export is a record sink outside the analyzer fold ([`crate::ingest::RecordSink`]), not an analyzer: each
//! worker builds the rows of the records it reads ([`ExportRow`], its columns declared once in [`row`]), and
//! the ingest window hands them here in input order, in bounded memory (`ingest::ordered`).
//!
//! **Deterministic parts.** The rows arrive in input order (inputs as listed, records in file order), a
//! duplicated event kept at its first copy in that order, so the batches are cut at the same rows whatever
//! the threads: a batch closes at `--batch-rows` rows or [`DEFAULT_BATCH_BYTES`] (estimated), whichever
//! comes first, and becomes one part per date in it, numbered in order. The set of files, their names and
//! their rows are a function of the input and the flags; `export --threads 1` and `--threads 4` write the
//! same bytes. Objects read from `s3://` are fetched concurrently and numbered in the order they arrive: the
//! same events are written, but their order (so the parts, and which copy of a duplicate is kept) may differ.
//!
//! **Memory.** The window holds at most `threads` batches of rows read ahead of the earliest input still being
//! read (workers past that wait), plus the batch being cut, one batch waiting for the writer thread and one
//! being written: `(threads + 3)` batches, plus one chunk (≤ 256 rows) per worker.
//! The schema is documented in `sql/README.md` and README; every command reads an export back
//! (`decode::parquet::export_row`).

pub mod row;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

pub use row::ExportRow;

use crate::ingest::{Limit, RecordSink};
use crate::model::Record;
use crate::ownership::RecordOwners;
use crate::report::rows::{View, frame, size_estimate};
use crate::report::tabular::{TabularFormat, write_frame};

/// Default bytes (estimated) of a batch, whichever of this and the row limit comes first: about 1,500
/// CloudTrail rows. Writing a batch costs about twice its buffer again (the polars columns and the Parquet
/// encoder).
pub const DEFAULT_BATCH_BYTES: usize = 2 << 20;

/// Rows waiting to be written, by date partition.
type Batch = BTreeMap<String, Vec<ExportRow>>;

/// The export sink: builds rows in the workers, cuts the ordered rows into batches, and hands full batches to
/// one writer thread outside the worker pool, at most one waiting (back-pressure when decoding outruns
/// writing).
#[derive(Debug)]
pub struct ExportSink {
    owners: RecordOwners,
    limit: Limit,
    cutter: Mutex<Cutter>,
    writer: Mutex<Option<JoinHandle<ExportSummary>>>,
}

/// The batch being cut (rows in input order) and where full batches go.
#[derive(Debug)]
struct Cutter {
    batch: Batch,
    rows: usize,
    bytes: usize,
    batch_rows: usize,
    batch_bytes: usize,
    /// Full batches for the writer; `None` ends it.
    batches: SyncSender<Option<Batch>>,
    /// Set by the writer at its first error: rows after it are dropped.
    failed: Arc<AtomicBool>,
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportSummary {
    pub rows_written: u64,
    pub files_written: u64,
    /// The first write error (rows after it were not written).
    pub error: Option<String>,
}

impl ExportSink {
    /// `threads` is the size of the worker pool: the window holds up to a batch per worker. Starts the writer
    /// thread.
    pub fn new(dir: PathBuf, batch_rows: usize, threads: usize, owners: RecordOwners) -> std::io::Result<ExportSink> {
        let (batches, received) = sync_channel(1);
        let failed = Arc::new(AtomicBool::new(false));
        let writer = {
            let failed = failed.clone();
            std::thread::Builder::new()
                .name("parquet-writer".into())
                .spawn(move || write_batches(&dir, &received, &failed))?
        };
        let batch_rows = batch_rows.max(1);
        let threads = threads.max(1);
        Ok(ExportSink {
            owners,
            limit: Limit { items: threads * batch_rows, bytes: threads * DEFAULT_BATCH_BYTES },
            cutter: Mutex::new(Cutter {
                batch: Batch::new(),
                rows: 0,
                bytes: 0,
                batch_rows,
                batch_bytes: DEFAULT_BATCH_BYTES,
                batches,
                failed,
            }),
            writer: Mutex::new(Some(writer)),
        })
    }

    fn cutter(&self) -> std::sync::MutexGuard<'_, Cutter> {
        // Only the window's ordered delivery locks it; poisoned means a panic mid-push, the batch is consistent.
        self.cutter.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Writes the last batch, stops the writer and adds up what was written; call once, after the pipeline.
    pub fn finish(&self) -> ExportSummary {
        {
            let mut cutter = self.cutter();
            cutter.send();
            let _ = cutter.batches.send(None);
        }
        let writer = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
        let gone = |why: &str| ExportSummary { error: Some(format!("the Parquet writer {why}")), ..Default::default() };
        match writer.map(JoinHandle::join) {
            Some(Ok(summary)) => summary,
            Some(Err(_)) => gone("thread panicked"),
            None => gone("was already finished"),
        }
    }
}

impl RecordSink for ExportSink {
    type Item = ExportRow;

    fn item(&self, record: &Record<'_>) -> Option<ExportRow> {
        Some(ExportRow::new(record.event().clone(), &self.owners))
    }

    fn weight(&self, row: &ExportRow) -> usize {
        size_estimate(row, View::PLAIN)
    }

    fn take(&self, row: ExportRow, weight: usize) {
        let mut cutter = self.cutter();
        if cutter.failed.load(Ordering::Relaxed) {
            return;
        }
        cutter.rows += 1;
        cutter.bytes += weight;
        cutter.batch.entry(row.date()).or_default().push(row);
        if cutter.rows >= cutter.batch_rows || cutter.bytes >= cutter.batch_bytes {
            cutter.send();
        }
    }

    fn limit(&self) -> Limit {
        self.limit
    }
}

impl Cutter {
    /// Sends the batch to the writer, if it has rows. Blocks while a batch already waits; fails only if the
    /// writer is gone, which `finish` reports.
    fn send(&mut self) {
        let batch = std::mem::take(&mut self.batch);
        (self.rows, self.bytes) = (0, 0);
        if !batch.is_empty() {
            let _ = self.batches.send(Some(batch));
        }
    }
}

/// The writer thread: writes each batch, one file per date, until `None` or until every sender is gone.
/// After the first error it only drains the channel (so no worker waits forever).
fn write_batches(dir: &Path, batches: &Receiver<Option<Batch>>, failed: &AtomicBool) -> ExportSummary {
    let mut summary = ExportSummary::default();
    let mut next_part = 0u64;
    while let Ok(Some(batch)) = batches.recv() {
        if summary.error.is_some() {
            continue;
        }
        for (date, rows) in batch {
            match write_part(dir, &date, next_part, &rows) {
                Ok(()) => {
                    summary.rows_written += rows.len() as u64;
                    summary.files_written += 1;
                }
                Err(e) => {
                    summary.error = Some(e);
                    failed.store(true, Ordering::Relaxed);
                    break;
                }
            }
            next_part += 1;
        }
    }
    summary
}

fn write_part(dir: &Path, date: &str, part: u64, rows: &[ExportRow]) -> Result<(), String> {
    let dir = dir.join(format!("date={date}"));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("part-{part:06}.parquet"));
    let file = std::fs::File::create(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let mut file = std::io::BufWriter::new(file);
    write_frame(frame(rows, View::PLAIN), TabularFormat::Parquet, &mut file)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    std::io::Write::flush(&mut file).map_err(|e| format!("{}: {e}", path.display()))
}

/// Refuses an output folder that already holds a previous export (mixing two exports double counts).
pub fn check_output_dir(dir: &Path) -> Result<(), String> {
    match std::fs::read_dir(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot read {}: {e}", dir.display())),
        Ok(mut entries) => match entries.next() {
            None => Ok(()),
            Some(_) => Err(format!("{} is not empty: export into a new or empty folder", dir.display())),
        },
    }
}
