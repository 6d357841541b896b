//! `export`: the normalized events as Parquet, Hive-partitioned by UTC date (`date=YYYY-MM-DD/part-N.parquet`),
//! written in bounded batches so memory stays flat: each worker buffers at most `batch_rows` rows or
//! [`DEFAULT_BATCH_BYTES`] (across all dates) and hands them to one writer thread when the buffer is full. The schema (one column per [`Event`] field, lists for
//! the multi-valued ones) is documented in `sql/README.md` and README. The export is also a source: every
//! command reads it back (`decode::parquet::export_row`) and rebuilds each event exactly, so the last columns
//! carry what only that needs (IAM accesses with their resources, request facts, principal id).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::classify::{Cause, classify};
use crate::ingest::Analyzer;
use crate::model::{Event, Outcome, Record};
use crate::ownership::{RecordOwners, Sighting};
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
    vpce_operator: Option<String>,
    endpoint_id: Option<String>,
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
    // What reading the export back needs to rebuild the event exactly (`decode::parquet::export_row`): the
    // columns above are for SQL; these make "export once, ask many times" give the same answers.
    principal_id: Option<String>,
    user_name: Option<String>,
    access_actions: Vec<String>,
    access_resources: Vec<String>,
    resource_types: Vec<String>,
    resource_prefixes: Vec<bool>,
    tls_cipher: Option<String>,
    version_id: Option<String>,
    list_type: Option<String>,
    prefix: Option<String>,
    copy_source: Option<String>,
    table_name: Option<String>,
    index_name: Option<String>,
    host: Option<String>,
}

impl Row {
    /// An estimate of the bytes the row holds, for the buffer's byte limit.
    fn size_estimate(&self) -> usize {
        let text = |s: &Option<String>| s.as_ref().map_or(0, String::capacity);
        let list = |l: &Vec<String>| {
            l.capacity() * std::mem::size_of::<String>() + l.iter().map(String::capacity).sum::<usize>()
        };
        std::mem::size_of::<Row>()
            + self.event_source.capacity()
            + self.event_name.capacity()
            + self.category.capacity()
            + list(&self.actions)
            + list(&self.resources)
            + list(&self.resource_accounts)
            + list(&self.access_actions)
            + list(&self.access_resources)
            + list(&self.resource_types)
            + self.resource_prefixes.capacity()
            + [
                &self.region,
                &self.principal,
                &self.principal_account,
                &self.identity_arn,
                &self.session_name,
                &self.access_key_id,
                &self.invoked_by,
                &self.source_ip,
                &self.user_agent,
                &self.vpce,
                &self.vpce_operator,
                &self.endpoint_id,
                &self.vpce_account,
                &self.error_code,
                &self.error_message,
                &self.event_type,
                &self.event_id,
                &self.recipient_account,
                &self.tls_version,
                &self.bucket,
                &self.key,
                &self.principal_id,
                &self.user_name,
                &self.tls_cipher,
                &self.version_id,
                &self.list_type,
                &self.prefix,
                &self.copy_source,
                &self.table_name,
                &self.index_name,
                &self.host,
            ]
            .into_iter()
            .map(text)
            .sum::<usize>()
    }

    fn from_event(event: &Event, owners: &RecordOwners) -> Row {
        let (outcome, error_code, error_message) = match &event.outcome {
            Outcome::Success => ("success", None, None),
            Outcome::Denied { code, message } => ("denied", Some(code.clone()), message.clone()),
            Outcome::Error { code, message } => ("error", Some(code.clone()), message.clone()),
        };
        let verdict = classify(event);
        let p = &event.principal;
        let owner = event.vpce.as_deref().map(|vpce| {
            let sighting = Sighting::of(
                event.user_agent.as_deref(),
                event.source_ip.as_deref(),
                p.is_aws_service(),
                p.invoked_by.is_some(),
            );
            owners.owner(vpce, event.vpce_account.as_deref(), event.recipient_account.as_deref(), sighting)
        });
        let customer_side = owner.as_ref().is_none_or(|o| o.class.is_customer_side());
        let cause = verdict.as_ref().map(|v| match v.cause {
            Cause::VpcePolicy if !customer_side => Cause::OtherEndpointPolicy.as_str(),
            cause => cause.as_str(),
        });
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
            vpce: event.vpce.clone().filter(|_| customer_side),
            vpce_operator: owner.as_ref().map(RecordOwners::column_label),
            endpoint_id: event.vpce.clone(),
            vpce_account: event.vpce_account.clone(),
            aws_internal_endpoint: event.aws_internal_endpoint,
            outcome,
            error_code,
            error_message,
            cause,
            deny: verdict.as_ref().map(|v| v.deny.as_str()),
            evidence: verdict.as_ref().map(|v| v.evidence.as_str()),
            category: event.category.as_str().to_owned(),
            event_type: event.event_type.clone(),
            event_id: event.event_id.clone(),
            recipient_account: event.recipient_account.clone(),
            tls_version: event.tls.as_ref().and_then(|t| t.version.clone()),
            read_only: event.read_only,
            bucket: event.request.bucket.clone(),
            key: event.request.key.clone(),
            http_status: event.http_status.map(u64::from),
            principal_id: p.principal_id.clone(),
            user_name: p.user_name.clone(),
            access_actions: event.accesses.iter().map(|a| a.action.clone()).collect(),
            access_resources: event.accesses.iter().map(|a| a.resource.clone().unwrap_or_default()).collect(),
            resource_types: event.resources.iter().map(|r| r.kind.clone().unwrap_or_default()).collect(),
            resource_prefixes: event.resources.iter().map(|r| r.is_prefix).collect(),
            tls_cipher: event.tls.as_ref().and_then(|t| t.cipher.clone()),
            version_id: event.request.version_id.clone(),
            list_type: event.request.list_type.clone(),
            prefix: event.request.prefix.clone(),
            copy_source: event.request.copy_source.clone(),
            table_name: event.request.table_name.clone(),
            index_name: event.request.index_name.clone(),
            host: event.request.host.clone(),
        }
    }
}

/// Columns from rows, each value moved once (no copy): `columns!(rows, r => { name: Variant = expr, ... })`.
macro_rules! columns {
    ($rows:expr, $r:ident => { $($name:ident: $variant:ident = $value:expr),* $(,)? }) => {{
        let rows = $rows;
        $(let mut $name = Vec::with_capacity(rows.len());)*
        for $r in rows {
            $($name.push($value);)*
        }
        Frame::new()$(.column(stringify!($name), ColumnData::$variant($name)))*
    }};
}

/// The rows as columns: a batch is in memory once, as rows or as columns.
fn frame(rows: Vec<Row>) -> Frame {
    columns!(rows, r => {
        time: Time = r.time,
        log: Str = Some(r.log.to_owned()),
        event_source: Str = Some(r.event_source),
        event_name: Str = Some(r.event_name),
        actions: List = r.actions,
        resources: List = r.resources,
        resource_accounts: List = r.resource_accounts,
        region: Str = r.region,
        principal: Str = r.principal,
        principal_type: Str = Some(r.principal_type.to_owned()),
        principal_account: Str = r.principal_account,
        identity_arn: Str = r.identity_arn,
        session_name: Str = r.session_name,
        access_key_id: Str = r.access_key_id,
        invoked_by: Str = r.invoked_by,
        ec2_role_delivery: Bool = r.ec2_role_delivery,
        source_ip: Str = r.source_ip,
        user_agent: Str = r.user_agent,
        vpce: Str = r.vpce,
        vpce_operator: Str = r.vpce_operator,
        endpoint_id: Str = r.endpoint_id,
        vpce_account: Str = r.vpce_account,
        aws_internal_endpoint: Bool = r.aws_internal_endpoint,
        outcome: Str = Some(r.outcome.to_owned()),
        error_code: Str = r.error_code,
        error_message: Str = r.error_message,
        cause: Str = r.cause.map(str::to_owned),
        deny: Str = r.deny.map(str::to_owned),
        evidence: Str = r.evidence.map(str::to_owned),
        category: Str = Some(r.category),
        event_type: Str = r.event_type,
        event_id: Str = r.event_id,
        recipient_account: Str = r.recipient_account,
        tls_version: Str = r.tls_version,
        read_only: OptBool = r.read_only,
        bucket: Str = r.bucket,
        key: Str = r.key,
        http_status: OptU64 = r.http_status,
        principal_id: Str = r.principal_id,
        user_name: Str = r.user_name,
        access_actions: List = r.access_actions,
        access_resources: List = r.access_resources,
        resource_types: List = r.resource_types,
        resource_prefixes: BoolList = r.resource_prefixes,
        tls_cipher: Str = r.tls_cipher,
        version_id: Str = r.version_id,
        list_type: Str = r.list_type,
        prefix: Str = r.prefix,
        copy_source: Str = r.copy_source,
        table_name: Str = r.table_name,
        index_name: Str = r.index_name,
        host: Str = r.host,
    })
}

/// Default bytes (estimated) a worker buffers before it writes, whichever of this and the row limit comes
/// first: about 1,500 CloudTrail rows. Writing a batch costs about twice its buffer again (the polars columns
/// and the Parquet encoder), so each worker holds at most ~3× this.
pub const DEFAULT_BATCH_BYTES: usize = 2 << 20;

/// Rows waiting to be written, by date partition.
type Batch = BTreeMap<String, Vec<Row>>;

/// Where and how to write, and the per-thread buffers. Buffers live here, one per worker thread, not in the
/// accumulators: rayon folds many accumulators per thread, and buffering in each would hold up to a batch per
/// accumulator. Full batches go to one writer thread outside the worker pool, at most one waiting: a worker
/// that wrote itself would, while polars encodes on its own pool, steal another input from ours, fill and
/// write another batch inside the first, and so on (measured: 119 MB instead of 42 with 100-row batches).
/// Memory is `(threads + 3) × batch` rows at most: the buffers, one batch waiting, one being written.
#[derive(Debug)]
pub struct ExportTarget {
    batch_rows: usize,
    batch_bytes: usize,
    slots: Vec<Mutex<Slot>>,
    /// Full batches for the writer; `None` ends it.
    batches: SyncSender<Option<Batch>>,
    writer: Mutex<Option<JoinHandle<ExportSummary>>>,
    /// Set by the writer at its first error: rows after it are not buffered.
    failed: Arc<AtomicBool>,
}

#[derive(Debug, Default)]
struct Slot {
    buffer: Batch,
    buffered: usize,
    buffered_bytes: usize,
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
    /// `threads` is the size of the worker pool (one buffer each, plus one for work outside it). Starts the
    /// writer thread.
    pub fn new(dir: PathBuf, batch_rows: usize, threads: usize) -> std::io::Result<ExportTarget> {
        let (batches, received) = sync_channel(1);
        let failed = Arc::new(AtomicBool::new(false));
        let writer = {
            let failed = failed.clone();
            std::thread::Builder::new()
                .name("parquet-writer".into())
                .spawn(move || write_batches(&dir, &received, &failed))?
        };
        Ok(ExportTarget {
            batch_rows: batch_rows.max(1),
            batch_bytes: DEFAULT_BATCH_BYTES,
            slots: (0..threads.max(1) + 1).map(|_| Mutex::new(Slot::default())).collect(),
            batches,
            writer: Mutex::new(Some(writer)),
            failed,
        })
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Slot> {
        let index = rayon::current_thread_index().map_or(0, |i| i + 1) % self.slots.len();
        // A poisoned slot means a worker panicked mid-push; its rows are still consistent.
        self.slots[index].lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn push(&self, row: Row, date: String) {
        if self.failed.load(Ordering::Relaxed) {
            return;
        }
        let full = {
            let mut slot = self.slot();
            slot.buffered += 1;
            slot.buffered_bytes += row.size_estimate();
            slot.buffer.entry(date).or_default().push(row);
            if slot.buffered < self.batch_rows && slot.buffered_bytes < self.batch_bytes {
                return;
            }
            slot.buffered = 0;
            slot.buffered_bytes = 0;
            std::mem::take(&mut slot.buffer)
        };
        // Sent without holding the slot. Blocks while a batch already waits: the back-pressure that keeps memory
        // bounded when decoding outruns writing. Fails only if the writer is gone, which `finish` reports.
        let _ = self.batches.send(Some(full));
    }

    /// Writes every buffered row, stops the writer and adds up what was written; call once, after the
    /// pipeline.
    pub fn finish(&self) -> ExportSummary {
        for slot in &self.slots {
            let mut slot = slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let batch = std::mem::take(&mut slot.buffer);
            if !batch.is_empty() {
                let _ = self.batches.send(Some(batch));
            }
        }
        let _ = self.batches.send(None);
        let writer = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
        let gone = |why: &str| ExportSummary { error: Some(format!("the Parquet writer {why}")), ..Default::default() };
        match writer.map(JoinHandle::join) {
            Some(Ok(summary)) => summary,
            Some(Err(_)) => gone("thread panicked"),
            None => gone("was already finished"),
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
            let count = rows.len() as u64;
            match write_part(dir, &date, next_part, rows) {
                Ok(()) => {
                    summary.rows_written += count;
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

fn write_part(dir: &Path, date: &str, part: u64, rows: Vec<Row>) -> Result<(), String> {
    let dir = dir.join(format!("date={date}"));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("part-{part:06}.parquet"));
    let file = std::fs::File::create(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let mut file = std::io::BufWriter::new(file);
    write_frame(frame(rows), TabularFormat::Parquet, &mut file).map_err(|e| format!("{}: {e}", path.display()))?;
    std::io::Write::flush(&mut file).map_err(|e| format!("{}: {e}", path.display()))
}

/// The accumulator: a handle that hands rows to its thread's buffer.
pub struct Export {
    target: Arc<ExportTarget>,
    /// Who operates the endpoint, decided per record: export writes as it reads (the README says so).
    owners: Arc<RecordOwners>,
}

impl Export {
    pub fn new(target: Arc<ExportTarget>, owners: Arc<RecordOwners>) -> Export {
        Export { target, owners }
    }
}

impl Analyzer for Export {
    fn observe(&mut self, record: &Record<'_>) {
        let event = record.event();
        let date = event.time.map_or_else(|| "unknown".to_owned(), |t| t.date_string());
        self.target.push(Row::from_event(event, &self.owners), date);
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
