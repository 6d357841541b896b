//! The input books: every file and record ends up tallied in exactly one place. Serialized as the
//! `input` block of every JSON report (field names are a contract).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::decode::content::UnitContent;
use crate::decode::parquet::ParquetSchema;
use crate::decode::{UnitKind, UnitOutcome};

/// How many rejected records are described individually (the rest are tallied).
const BAD_RECORD_SAMPLES: usize = 20;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct InputStats {
    /// Input files read (archive entries count, the archives themselves do not).
    pub files: u64,
    /// Distinct CloudTrail records analysed (after de-duplication and filters).
    pub records: u64,
    /// S3 server access log lines analysed.
    pub access_log_lines: u64,
    /// Files skipped on purpose: Insight files, policy documents, documentation next to the logs.
    pub skipped_files: u64,
    pub digest_files: u64,
    /// Copies of an already-seen event id (CloudTrail delivers some events twice).
    pub duplicate_records: u64,
    /// Records and lines rejected (see `bad_record_samples`).
    pub bad_records: u64,
    /// Files that failed or are damaged (sorted by path).
    pub bad_files: Vec<BadFile>,
    /// Analysed records by `eventCategory`.
    pub event_categories: BTreeMap<String, u64>,
    pub empty_files: u64,
    pub archives: u64,
    /// CloudTrail Insight records seen (not analysed).
    pub insight_records: u64,
    /// CloudTrail aggregated event records (5-minute summaries of data events): tallied here, never as
    /// requests in `records`; `scan` sums their statistics.
    pub aggregated_records: u64,
    /// Distinct records left out by `--since/--until/--vpce/--account/--region/--service`.
    pub filtered_out: u64,
    /// Decompressed bytes decoded.
    pub bytes: u64,
    pub skipped: Vec<SkippedFile>,
    /// The first rejected records, in (path, location) order.
    pub bad_record_samples: Vec<BadRecordSample>,
    /// What the reader should know about the input as a whole (e.g. LookupEvents has no data events).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// What the analysed records showed about who operates each endpoint (decided by the command).
    #[serde(skip)]
    pub endpoints: crate::ownership::EndpointBook,
    /// With `--verify`: each CloudTrail log and digest file's content hash (one entry per file; a digest's
    /// content too), judged after the pass.
    #[serde(skip)]
    pub contents: Vec<(String, UnitContent)>,
    /// With `--verify`: the files that held the copies de-duplication dropped, by event id.
    #[serde(skip)]
    pub copies: super::copies::Copies,
    /// OCSF Parquet files read (the run's notes then say what OCSF loses).
    #[serde(skip)]
    pub ocsf_files: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct BadFile {
    pub path: String,
    pub error: String,
    /// Complete records recovered from a damaged file before the damage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovered_records: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SkippedFile {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct BadRecordSample {
    pub path: String,
    /// Record ordinal or line number within the file (orders the samples).
    #[serde(skip)]
    pub position: u64,
    pub location: String,
    pub reason: String,
}

impl InputStats {
    pub(crate) fn failed_input(&mut self, name: &str, error: &str) {
        self.bad_files.push(BadFile { path: name.to_owned(), error: error.to_owned(), recovered_records: None });
    }

    pub(crate) fn skipped_input(&mut self, name: &str, reason: &str) {
        self.skipped_files += 1;
        self.skipped.push(SkippedFile { path: name.to_owned(), reason: reason.to_owned() });
    }

    pub(crate) fn bad_record(&mut self, unit: &str, position: u64, location: &str, reason: &str) {
        self.bad_records += 1;
        let full = self.bad_record_samples.len() >= BAD_RECORD_SAMPLES;
        if full
            && self.bad_record_samples.last().is_some_and(|last| (last.path.as_str(), last.position) < (unit, position))
        {
            return;
        }
        let sample = BadRecordSample {
            path: unit.to_owned(),
            position,
            location: location.to_owned(),
            reason: reason.to_owned(),
        };
        let at = self.bad_record_samples.partition_point(|s| s < &sample);
        self.bad_record_samples.insert(at, sample);
        self.bad_record_samples.truncate(BAD_RECORD_SAMPLES);
    }

    pub(crate) fn unit_done(&mut self, mut outcome: UnitOutcome) {
        if let Some(content) = outcome.content.take() {
            self.contents.push((outcome.name.clone(), content));
        }
        if outcome.kind.is_file() {
            self.files += 1;
        }
        self.bytes += outcome.bytes;
        self.insight_records += outcome.insight_records;
        match outcome.kind {
            UnitKind::Digest => self.digest_files += 1,
            UnitKind::Insight => self.skipped_input(&outcome.name, "CloudTrail Insight file"),
            UnitKind::NotLog(reason) => self.skipped_input(&outcome.name, reason),
            UnitKind::Empty => self.empty_files += 1,
            UnitKind::Archive => self.archives += 1,
            UnitKind::Parquet(ParquetSchema::Ocsf) => self.ocsf_files += 1,
            UnitKind::CloudTrail | UnitKind::AccessLog | UnitKind::Unrecognised => {}
            UnitKind::Parquet(ParquetSchema::Export) => {}
        }
        if let Some(error) = outcome.failure {
            let recovered = (outcome.records > 0).then_some(outcome.records);
            self.bad_files.push(BadFile { path: outcome.name, error, recovered_records: recovered });
        } else if outcome.kind == UnitKind::Unrecognised {
            self.bad_files.push(BadFile {
                path: outcome.name,
                error: "not a CloudTrail or S3 access log".to_owned(),
                recovered_records: None,
            });
        }
    }

    pub(crate) fn merge(&mut self, other: InputStats) {
        self.files += other.files;
        self.records += other.records;
        self.access_log_lines += other.access_log_lines;
        self.skipped_files += other.skipped_files;
        self.digest_files += other.digest_files;
        self.duplicate_records += other.duplicate_records;
        self.bad_records += other.bad_records;
        self.bad_files.extend(other.bad_files);
        for (category, count) in other.event_categories {
            *self.event_categories.entry(category).or_default() += count;
        }
        self.empty_files += other.empty_files;
        self.archives += other.archives;
        self.insight_records += other.insight_records;
        self.aggregated_records += other.aggregated_records;
        self.endpoints.merge(other.endpoints);
        self.filtered_out += other.filtered_out;
        self.ocsf_files += other.ocsf_files;
        self.bytes += other.bytes;
        self.skipped.extend(other.skipped);
        self.notes.extend(other.notes);
        self.contents.extend(other.contents);
        self.copies.merge(other.copies);
        let samples: BTreeSet<BadRecordSample> =
            self.bad_record_samples.drain(..).chain(other.bad_record_samples).collect();
        self.bad_record_samples = samples.into_iter().take(BAD_RECORD_SAMPLES).collect();
    }

    /// Puts the lists in a stable order once all workers are merged.
    pub(crate) fn finish(&mut self) {
        self.bad_files.sort();
        self.skipped.sort();
    }

    /// True when anything failed or was rejected (what `--strict` refuses).
    pub fn has_problems(&self) -> bool {
        !self.bad_files.is_empty() || self.bad_records > 0
    }
}
