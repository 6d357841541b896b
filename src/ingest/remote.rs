//! Pipeline workers reading remote items: S3 object bodies go through `decode_unit` like files; LookupEvents
//! pages are decoded event by event with the CloudTrail decoder; failures land in `bad_files` by name.

use crate::decode::cloudtrail::{Decoded, RecordParser};
use crate::decode::{DecodeOptions, Sink, UnitKind, UnitOutcome, decode_unit};
use crate::model::EventCategory;
use crate::source::remote::RemoteItem;

use super::{Analyzer, RecordSink, Worker};

impl<A: Analyzer, S: RecordSink> Worker<'_, A, S> {
    pub(super) fn read_remote(&mut self, item: RemoteItem, options: &DecodeOptions) {
        match item {
            RemoteItem::Object { name, mut body } => {
                let mut reader = std::io::BufReader::with_capacity(64 * 1024, &mut body);
                decode_unit(&name, &mut reader, options, self);
            }
            RemoteItem::Failed { name, error } => self.stats.failed_input(&name, &error),
            RemoteItem::Skipped { name, reason } => self.stats.skipped_input(&name, &reason),
            RemoteItem::Listed { name, .. } => self.stats.skipped_input(&name, "listed only, not fetched"),
            RemoteItem::LookupPage { name, first_ordinal, events } => {
                let mut parser = RecordParser::default();
                for (i, event) in events.into_iter().enumerate() {
                    let ordinal = first_ordinal + i as u64;
                    let mut bytes = event.into_bytes();
                    // The same size and nesting limits as records read from files.
                    if let Err(limit) = options.check_whole_record(&bytes) {
                        self.bad_record(&name, ordinal, &format!("event {ordinal}"), &limit.to_string());
                        continue;
                    }
                    let len = bytes.len();
                    let decoded = parser.decode_in(&name, &mut bytes, len, &mut |record| {
                        if record.head().category == EventCategory::Insight {
                            self.stats.insight_records += 1;
                        } else {
                            self.record(record);
                        }
                    });
                    match decoded {
                        Ok(Decoded::Record) => {}
                        Ok(Decoded::Aggregated(aggregate)) => self.aggregated(&name, *aggregate),
                        Ok(Decoded::Digest | Decoded::PolicyDocument) => {
                            self.bad_record(&name, ordinal, &format!("event {ordinal}"), "not a CloudTrail event")
                        }
                        Err(e) => self.bad_record(&name, ordinal, &format!("event {ordinal}"), &e.to_string()),
                    }
                }
            }
            RemoteItem::LookupDone { name, bytes, failure } => self.unit_done(UnitOutcome {
                name,
                kind: UnitKind::CloudTrail,
                records: 0,
                insight_records: 0,
                aggregated_records: 0,
                bad_records: 0,
                bytes,
                failure,
                content: None,
            }),
        }
    }
}
