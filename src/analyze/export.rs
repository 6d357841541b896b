//! `export`: the normalized events as Parquet, Hive-partitioned by UTC date (`date=YYYY-MM-DD/part-N.parquet`),
//! written in bounded batches so memory stays flat: each worker buffers at most `batch_rows` rows (across all
//! dates) and writes them out when the buffer is full. The schema (one column per [`Event`] field, lists for
//! the multi-valued ones) is documented in `sql/README.md` and README.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

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

/// Where and how to write.
#[derive(Debug)]
pub struct ExportTarget {
    pub dir: PathBuf,
    pub batch_rows: usize,
    /// Names the part files uniquely across workers.
    pub next_part: AtomicU64,
}

/// The accumulator: a bounded buffer per worker, flushed to Parquet files as it fills.
pub struct Export {
    target: Arc<ExportTarget>,
    buffer: BTreeMap<String, Vec<Row>>,
    buffered: usize,
    pub rows_written: u64,
    pub files_written: u64,
    /// The first write error (the run reports it; rows after it are not written).
    pub error: Option<String>,
}

impl Export {
    pub fn new(target: Arc<ExportTarget>) -> Export {
        Export { target, buffer: BTreeMap::new(), buffered: 0, rows_written: 0, files_written: 0, error: None }
    }

    /// Writes every buffered row; call once after the merge.
    pub fn finish(mut self) -> Export {
        self.flush();
        self
    }

    fn flush(&mut self) {
        let buffer = std::mem::take(&mut self.buffer);
        self.buffered = 0;
        for (date, rows) in buffer {
            if self.error.is_some() {
                return;
            }
            let count = rows.len() as u64;
            match write_part(&self.target, &date, rows) {
                Ok(()) => {
                    self.rows_written += count;
                    self.files_written += 1;
                }
                Err(e) => self.error = Some(e),
            }
        }
    }
}

fn write_part(target: &ExportTarget, date: &str, rows: Vec<Row>) -> Result<(), String> {
    let dir = target.dir.join(format!("date={date}"));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let part = target.next_part.fetch_add(1, Ordering::Relaxed);
    let path = dir.join(format!("part-{part:06}.parquet"));
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?,
    );
    write_frame(frame(rows), TabularFormat::Parquet, &mut file).map_err(|e| format!("{}: {e}", path.display()))?;
    std::io::Write::flush(&mut file).map_err(|e| format!("{}: {e}", path.display()))
}

impl Analyzer for Export {
    fn observe(&mut self, event: &Event) {
        if self.error.is_some() {
            return;
        }
        let date = event.time.map_or_else(|| "unknown".to_owned(), |t| t.date_string());
        self.buffer.entry(date).or_default().push(Row::from_event(event));
        self.buffered += 1;
        if self.buffered >= self.target.batch_rows {
            self.flush();
        }
    }

    fn merge(&mut self, mut other: Export) {
        self.rows_written += other.rows_written;
        self.files_written += other.files_written;
        if self.error.is_none() {
            self.error = other.error.take();
        }
        for (date, rows) in std::mem::take(&mut other.buffer) {
            self.buffered += rows.len();
            self.buffer.entry(date).or_default().extend(rows);
        }
        if self.buffered >= self.target.batch_rows {
            self.flush();
        }
    }
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
