//! `export`: the normalized events as Parquet, Hive-partitioned by UTC date (`date=YYYY-MM-DD/part-N.parquet`),
//! written in bounded batches so memory stays flat: each worker buffers at most `batch_rows` rows (across all
//! dates) and writes them out when the buffer is full. The schema (one column per [`Event`] field, lists for
//! the multi-valued ones) is documented in `sql/README.md` and README.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::classify::classify;
use crate::ingest::Analyzer;
use crate::model::{Event, Outcome};
use crate::report::tabular::{ColumnData, Frame, TabularFormat, write_frame};

/// One exported row.
#[derive(Debug, Clone)]
struct Row {
    time: Option<crate::model::Timestamp>,
    log: &'static str,
    event_source: String,
    event_name: String,
    actions: Vec<String>,
    resources: Vec<String>,
    resource_accounts: Vec<String>,
    region: Option<String>,
    principal: Option<String>,
    principal_type: &'static str,
    principal_account: Option<String>,
    identity_arn: Option<String>,
    session_name: Option<String>,
    access_key_id: Option<String>,
    invoked_by: Option<String>,
    ec2_role_delivery: bool,
    source_ip: Option<String>,
    user_agent: Option<String>,
    vpce: Option<String>,
    vpce_account: Option<String>,
    aws_internal_endpoint: bool,
    outcome: &'static str,
    error_code: Option<String>,
    error_message: Option<String>,
    cause: Option<&'static str>,
    deny: Option<&'static str>,
    evidence: Option<&'static str>,
    category: String,
    event_type: Option<String>,
    event_id: Option<String>,
    recipient_account: Option<String>,
    tls_version: Option<String>,
    read_only: Option<bool>,
    bucket: Option<String>,
    key: Option<String>,
    http_status: Option<u64>,
}

impl Row {
    fn from_event(event: &Event) -> Row {
        let (outcome, error_code, error_message) = match &event.outcome {
            Outcome::Success => ("success", None, None),
            Outcome::Denied { code, message } => ("denied", Some(code.clone()), message.clone()),
            Outcome::Error { code, message } => ("error", Some(code.clone()), message.clone()),
        };
        let verdict = classify(event);
        let p = &event.principal;
        Row {
            time: event.time,
            log: event.kind.evidence_name(),
            event_source: event.event_source.clone(),
            event_name: event.event_name.clone(),
            actions: event.actions().map(str::to_owned).collect(),
            resources: event.resources.iter().map(|r| r.arn.clone()).collect(),
            resource_accounts: event.resources.iter().map(|r| r.account.clone().unwrap_or_default()).collect(),
            region: event.region.clone(),
            principal: p.arn.clone(),
            principal_type: p.kind.as_str(),
            principal_account: p.account.clone(),
            identity_arn: p.identity_arn.clone(),
            session_name: p.session_name.clone(),
            access_key_id: p.access_key_id.clone(),
            invoked_by: p.invoked_by.clone(),
            ec2_role_delivery: p.ec2_role_delivery,
            source_ip: event.source_ip.clone(),
            user_agent: event.user_agent.clone(),
            vpce: event.vpce.clone(),
            vpce_account: event.vpce_account.clone(),
            aws_internal_endpoint: event.aws_internal_endpoint,
            outcome,
            error_code,
            error_message,
            cause: verdict.as_ref().map(|v| v.cause.as_str()),
            deny: verdict.as_ref().map(|v| v.deny.as_str()),
            evidence: verdict.as_ref().map(|v| v.evidence.as_str()),
            category: event.category.clone(),
            event_type: event.event_type.clone(),
            event_id: event.event_id.clone(),
            recipient_account: event.recipient_account.clone(),
            tls_version: event.tls.as_ref().and_then(|t| t.version.clone()),
            read_only: event.read_only,
            bucket: event.request.bucket.clone(),
            key: event.request.key.clone(),
            http_status: event.http_status.map(u64::from),
        }
    }
}

fn frame(rows: Vec<Row>) -> Frame {
    macro_rules! col {
        ($rows:expr, $variant:ident, |$r:ident| $e:expr) => {
            ColumnData::$variant($rows.iter().map(|$r| $e).collect())
        };
    }
    Frame::new()
        .column("time", col!(rows, Time, |r| r.time))
        .column("log", col!(rows, Str, |r| Some(r.log.to_owned())))
        .column("event_source", col!(rows, Str, |r| Some(r.event_source.clone())))
        .column("event_name", col!(rows, Str, |r| Some(r.event_name.clone())))
        .column("actions", col!(rows, List, |r| r.actions.clone()))
        .column("resources", col!(rows, List, |r| r.resources.clone()))
        .column("resource_accounts", col!(rows, List, |r| r.resource_accounts.clone()))
        .column("region", col!(rows, Str, |r| r.region.clone()))
        .column("principal", col!(rows, Str, |r| r.principal.clone()))
        .column("principal_type", col!(rows, Str, |r| Some(r.principal_type.to_owned())))
        .column("principal_account", col!(rows, Str, |r| r.principal_account.clone()))
        .column("identity_arn", col!(rows, Str, |r| r.identity_arn.clone()))
        .column("session_name", col!(rows, Str, |r| r.session_name.clone()))
        .column("access_key_id", col!(rows, Str, |r| r.access_key_id.clone()))
        .column("invoked_by", col!(rows, Str, |r| r.invoked_by.clone()))
        .column("ec2_role_delivery", col!(rows, Bool, |r| r.ec2_role_delivery))
        .column("source_ip", col!(rows, Str, |r| r.source_ip.clone()))
        .column("user_agent", col!(rows, Str, |r| r.user_agent.clone()))
        .column("vpce", col!(rows, Str, |r| r.vpce.clone()))
        .column("vpce_account", col!(rows, Str, |r| r.vpce_account.clone()))
        .column("aws_internal_endpoint", col!(rows, Bool, |r| r.aws_internal_endpoint))
        .column("outcome", col!(rows, Str, |r| Some(r.outcome.to_owned())))
        .column("error_code", col!(rows, Str, |r| r.error_code.clone()))
        .column("error_message", col!(rows, Str, |r| r.error_message.clone()))
        .column("cause", col!(rows, Str, |r| r.cause.map(str::to_owned)))
        .column("deny", col!(rows, Str, |r| r.deny.map(str::to_owned)))
        .column("evidence", col!(rows, Str, |r| r.evidence.map(str::to_owned)))
        .column("category", col!(rows, Str, |r| Some(r.category.clone())))
        .column("event_type", col!(rows, Str, |r| r.event_type.clone()))
        .column("event_id", col!(rows, Str, |r| r.event_id.clone()))
        .column("recipient_account", col!(rows, Str, |r| r.recipient_account.clone()))
        .column("tls_version", col!(rows, Str, |r| r.tls_version.clone()))
        .column("read_only", col!(rows, OptBool, |r| r.read_only))
        .column("bucket", col!(rows, Str, |r| r.bucket.clone()))
        .column("key", col!(rows, Str, |r| r.key.clone()))
        .column("http_status", col!(rows, OptU64, |r| r.http_status))
}

/// Where and how to write, and the per-thread buffers. Buffers live here, one per worker thread, not in the
/// accumulators: rayon folds many accumulators per thread, and buffering in each would hold up to
/// `batch_rows` rows per accumulator. With one buffer per thread, memory is `threads × batch_rows` rows.
#[derive(Debug)]
pub struct ExportTarget {
    dir: PathBuf,
    batch_rows: usize,
    /// Names the part files uniquely across threads.
    next_part: AtomicU64,
    slots: Vec<Mutex<Slot>>,
}

#[derive(Debug, Default)]
struct Slot {
    buffer: BTreeMap<String, Vec<Row>>,
    buffered: usize,
    rows_written: u64,
    files_written: u64,
    error: Option<String>,
}

impl Slot {
    fn record(&mut self, (rows, files, error): (u64, u64, Option<String>)) {
        self.rows_written += rows;
        self.files_written += files;
        if self.error.is_none() {
            self.error = error;
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportSummary {
    pub rows_written: u64,
    pub files_written: u64,
    /// The first write error (rows after it were not written).
    pub error: Option<String>,
}

impl ExportTarget {
    /// `threads` is the size of the worker pool (one buffer each, plus one for work outside it).
    pub fn new(dir: PathBuf, batch_rows: usize, threads: usize) -> ExportTarget {
        ExportTarget {
            dir,
            batch_rows: batch_rows.max(1),
            next_part: AtomicU64::new(0),
            slots: (0..threads.max(1) + 1).map(|_| Mutex::new(Slot::default())).collect(),
        }
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Slot> {
        let index = rayon::current_thread_index().map_or(0, |i| i + 1) % self.slots.len();
        // A poisoned slot means a worker panicked mid-push; its rows are still consistent.
        self.slots[index].lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn push(&self, row: Row, date: String) {
        let full = {
            let mut slot = self.slot();
            if slot.error.is_some() {
                return;
            }
            slot.buffer.entry(date).or_default().push(row);
            slot.buffered += 1;
            if slot.buffered < self.batch_rows {
                return;
            }
            slot.buffered = 0;
            std::mem::take(&mut slot.buffer)
        };
        // Written without holding the slot: the Parquet writer runs parallel work, and a rayon thread that
        // waits may pick up another of our tasks, which would then need this same slot.
        let outcome = self.write_all(full);
        self.slot().record(outcome);
    }

    /// Writes buffered rows, one file per date; returns (rows, files, first error).
    fn write_all(&self, buffer: BTreeMap<String, Vec<Row>>) -> (u64, u64, Option<String>) {
        let (mut rows_written, mut files_written) = (0, 0);
        for (date, rows) in buffer {
            let count = rows.len() as u64;
            match self.write_part(&date, rows) {
                Ok(()) => {
                    rows_written += count;
                    files_written += 1;
                }
                Err(e) => return (rows_written, files_written, Some(e)),
            }
        }
        (rows_written, files_written, None)
    }

    fn write_part(&self, date: &str, rows: Vec<Row>) -> Result<(), String> {
        let dir = self.dir.join(format!("date={date}"));
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let part = self.next_part.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!("part-{part:06}.parquet"));
        let file = std::fs::File::create(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        let mut file = std::io::BufWriter::new(file);
        write_frame(frame(rows), TabularFormat::Parquet, &mut file).map_err(|e| format!("{}: {e}", path.display()))?;
        std::io::Write::flush(&mut file).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Writes every buffered row and adds up what was written; call once, after the pipeline.
    pub fn finish(&self) -> ExportSummary {
        let mut summary = ExportSummary::default();
        for slot in &self.slots {
            let mut slot = slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if slot.error.is_none() {
                slot.buffered = 0;
                let buffer = std::mem::take(&mut slot.buffer);
                let outcome = self.write_all(buffer);
                slot.record(outcome);
            }
            summary.rows_written += slot.rows_written;
            summary.files_written += slot.files_written;
            if summary.error.is_none() {
                summary.error = slot.error.take();
            }
        }
        summary
    }
}

/// The accumulator: a handle that hands rows to its thread's buffer.
pub struct Export {
    target: Arc<ExportTarget>,
}

impl Export {
    pub fn new(target: Arc<ExportTarget>) -> Export {
        Export { target }
    }
}

impl Analyzer for Export {
    fn observe(&mut self, event: &Event) {
        let date = event.time.map_or_else(|| "unknown".to_owned(), |t| t.date_string());
        self.target.push(Row::from_event(event), date);
    }

    fn merge(&mut self, _other: Export) {}
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
