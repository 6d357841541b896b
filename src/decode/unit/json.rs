//! CloudTrail JSON units: values split out of the stream, each decoded into a record, an aggregated event,
//! or a rejection; digest- and policy-shaped values tell a digest or policy file from a log.

use std::io::Read;

use super::{Sink, UnitKind, UnitOutcome, describe_io};
use crate::decode::cloudtrail::{Decoded, RecordParser};
use crate::decode::json_split::{JsonSplitter, Piece, SplitError};
use crate::decode::limits::RecordLimit;
use crate::decode::unit::DecodeOptions;
use crate::model::EventCategory;

pub(super) fn read_json<R: Read>(
    splitter: &mut JsonSplitter<R>,
    options: &DecodeOptions,
    sink: &mut dyn Sink,
    outcome: &mut UnitOutcome,
) {
    let mut parser = RecordParser::default();
    // The unit's name, apart from `outcome` (which the record callback updates): once per unit, not per record.
    let unit = outcome.name.clone();
    let mut digests = 0u64;
    let mut policies = 0u64;
    // Digest- and policy-shaped values seen before the first record, by place: a file of them is a digest or
    // a policy, but among log records they are foreign values, rejected once the file proves to hold records.
    // Past a few of them the file is neither a digest nor a policy (those are one value), so later ones are
    // rejected at once and memory stays bounded.
    let mut not_records: Vec<(u64, u64, &'static str)> = Vec::new();
    let mut ordinal = 0u64;
    loop {
        let piece = match splitter.next_piece() {
            Ok(Some(piece)) => piece,
            Ok(None) => break,
            Err(e) => {
                outcome.failure = Some(match &e {
                    SplitError::Io { source, offset } => {
                        format!("{} at decompressed byte {offset}", describe_io(source))
                    }
                    SplitError::Truncated { .. } => e.to_string(),
                });
                break;
            }
        };
        ordinal += 1;
        let (bytes, len, offset, too_deep) = match piece {
            Piece::Value { bytes, len, offset, too_deep } => (bytes, len, offset, too_deep),
            Piece::Oversize { offset, size } => {
                let limit = RecordLimit::TooLarge { size, max: options.max_record_bytes };
                reject(sink, outcome, ordinal, offset, &limit.to_string());
                continue;
            }
        };
        // The limits every source holds records to (LookupEvents pages too: `ingest::remote`).
        if let Err(limit) = options.check_record(len as u64, too_deep) {
            reject(sink, outcome, ordinal, offset, &limit.to_string());
            continue;
        }
        let decoded = parser.decode_in(&unit, bytes, len, &mut |record| {
            if count_record(sink, outcome, &mut not_records, record.head().category == EventCategory::Insight) {
                sink.record(record);
            }
        });
        match decoded {
            Ok(Decoded::Record) => {}
            Ok(Decoded::Aggregated(aggregate)) => {
                if count_record(sink, outcome, &mut not_records, false) {
                    outcome.aggregated_records += 1;
                    sink.aggregated(&outcome.name, *aggregate);
                }
            }
            Ok(other) => {
                let reason = if matches!(other, Decoded::Digest) {
                    digests += 1;
                    "a CloudTrail digest inside a log file"
                } else {
                    policies += 1;
                    "an IAM policy document inside a log file"
                };
                if outcome.records > 0 || not_records.len() >= MAX_PENDING_NOT_RECORDS {
                    reject(sink, outcome, ordinal, offset, reason);
                } else {
                    not_records.push((ordinal, offset, reason));
                }
            }
            Err(e) => reject(sink, outcome, ordinal, offset, &e.to_string()),
        }
    }
    outcome.bytes = splitter.bytes_read();
    outcome.kind = if outcome.records == 0 && digests > 0 {
        UnitKind::Digest
    } else if outcome.records == 0 && policies > 0 {
        UnitKind::NotLog("an IAM policy document, not a log")
    } else if outcome.records > 0 && outcome.records == outcome.insight_records {
        UnitKind::Insight
    } else {
        UnitKind::CloudTrail
    };
}

/// Counts a record in the unit's books (rejecting the digest- or policy-shaped values held back before it);
/// true when it goes on to the sink, false for an Insight record (counted on its own, analysed by nobody).
fn count_record(
    sink: &mut dyn Sink,
    outcome: &mut UnitOutcome,
    not_records: &mut Vec<(u64, u64, &'static str)>,
    insight: bool,
) -> bool {
    for (ordinal, offset, reason) in not_records.drain(..) {
        reject(sink, outcome, ordinal, offset, reason);
    }
    outcome.records += 1;
    if insight {
        outcome.insight_records += 1;
        return false;
    }
    true
}

/// Digest- or policy-shaped values held back before the first record (see `read_json`).
const MAX_PENDING_NOT_RECORDS: usize = 64;

fn reject(sink: &mut dyn Sink, outcome: &mut UnitOutcome, ordinal: u64, offset: u64, reason: &str) {
    outcome.bad_records += 1;
    sink.bad_record(&outcome.name, ordinal, &format!("record #{ordinal} at byte {offset}"), reason);
}
