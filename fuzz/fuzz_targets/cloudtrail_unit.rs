//! Arbitrary bytes through `decode_unit` (sniffing, gzip, tar, zip, JSON splitting, CloudTrail and access-log
//! decoding) with small caps, checking that the books balance for every unit it reports. Each input is
//! decoded twice, the second time declining the full event of about half the records (`Sink::wants`, as
//! `denied` does): the verdicts must not change.
#![no_main]

use std::collections::{HashMap, HashSet};

use libfuzzer_sys::fuzz_target;
use trail_vpce::decode::{DecodeOptions, Sink, UnitKind, UnitOutcome, decode_unit};
use trail_vpce::model::Record;

const TOP: &str = "fuzz-input";
const CAP: u64 = 1 << 20;
const MAX_RECORD: usize = 64 << 10;

/// What the sink saw for one unit name since that name's last verdict.
#[derive(Default, Debug)]
struct Pending {
    events: u64,
    /// Aggregated event records (summaries, counted apart from events).
    aggregated: u64,
    bad_records: u64,
    /// Bad-record positions are distinct within a unit (ordinals or line numbers). Not always increasing:
    /// digest- or policy-shaped values among log records are rejected once the file proves to hold records.
    positions: HashSet<u64>,
}

#[derive(Default)]
struct Books {
    pending: HashMap<String, Pending>,
    verdicts: Vec<UnitOutcome>,
    /// Build the full event only of records whose name has an even length (as analyzers that ask for some).
    decline: bool,
}

fn belongs_to_input(unit: &str) -> bool {
    unit == TOP || unit.starts_with(&format!("{TOP}!/"))
}

impl Sink for Books {
    fn record(&mut self, record: &Record<'_>) {
        let (unit, head) = (record.unit(), record.head());
        assert!(belongs_to_input(unit), "record for a unit outside the input: {unit:?}");
        assert_ne!(
            head.category,
            trail_vpce::model::EventCategory::Insight,
            "Insight records are counted, not reported as records"
        );
        if !self.decline || head.event_name.len() % 2 == 0 {
            let event = record.event();
            assert_eq!(event.category, head.category, "the head and the event disagree");
            assert_eq!(event.outcome.kind(), head.outcome, "the head and the event disagree");
        }
        self.pending.entry(unit.to_owned()).or_default().events += 1;
    }

    fn aggregated(&mut self, unit: &str, _aggregate: trail_vpce::model::Aggregate) {
        assert!(belongs_to_input(unit), "aggregate for a unit outside the input: {unit:?}");
        self.pending.entry(unit.to_owned()).or_default().aggregated += 1;
    }

    fn bad_record(&mut self, unit: &str, position: u64, location: &str, reason: &str) {
        assert!(belongs_to_input(unit), "bad record for a unit outside the input: {unit:?}");
        assert!(!reason.is_empty(), "a rejection without a reason at {location}");
        assert!(!location.is_empty(), "a rejection without a location");
        let pending = self.pending.entry(unit.to_owned()).or_default();
        assert!(position > 0, "bad-record positions start at 1 in {unit}");
        assert!(pending.positions.insert(position), "bad-record position {position} reported twice in {unit}");
        pending.bad_records += 1;
    }

    fn unit_done(&mut self, outcome: UnitOutcome) {
        assert!(belongs_to_input(&outcome.name), "verdict for a unit outside the input: {:?}", outcome.name);
        let seen = self.pending.remove(&outcome.name).unwrap_or_default();
        // The books: every decoded record was reported as an event unless it is an Insight record (counted
        // apart), and every rejection was reported as a bad record.
        assert!(outcome.insight_records <= outcome.records, "{outcome:?}");
        assert_eq!(seen.aggregated, outcome.aggregated_records, "aggregates vs aggregated records: {outcome:?}");
        assert_eq!(
            seen.events + outcome.insight_records + outcome.aggregated_records,
            outcome.records,
            "events vs records: {outcome:?}"
        );
        assert_eq!(seen.bad_records, outcome.bad_records, "bad records vs rejections: {outcome:?}");
        match outcome.kind {
            UnitKind::Archive | UnitKind::Empty | UnitKind::Unrecognised | UnitKind::Digest | UnitKind::NotLog(_) => {
                assert_eq!(outcome.records, 0, "a unit of kind {:?} with records: {outcome:?}", outcome.kind)
            }
            UnitKind::Insight => assert_eq!(outcome.records, outcome.insight_records, "{outcome:?}"),
            UnitKind::CloudTrail | UnitKind::AccessLog | UnitKind::Parquet(_) => {}
        }
        if matches!(outcome.kind, UnitKind::Archive | UnitKind::Empty) {
            assert_eq!(outcome.bad_records, 0, "{outcome:?}");
        }
        if outcome.kind == UnitKind::Unrecognised {
            assert!(outcome.failure.is_some(), "an unrecognised unit without a reason: {outcome:?}");
        }
        if let Some(failure) = &outcome.failure {
            assert!(!failure.is_empty(), "an empty failure reason: {outcome:?}");
        }
        self.verdicts.push(outcome);
    }
}

fuzz_target!(|data: &[u8]| {
    let options =
        DecodeOptions { max_decompressed_bytes: CAP, max_record_bytes: MAX_RECORD, ..DecodeOptions::default() };
    let mut books = Books::default();
    let mut reader = data;
    decode_unit(TOP, &mut reader, &options, &mut books);
    let mut declining = Books { decline: true, ..Books::default() };
    let mut reader = data;
    decode_unit(TOP, &mut reader, &options, &mut declining);
    assert_eq!(
        format!("{:?}", books.verdicts),
        format!("{:?}", declining.verdicts),
        "declining events changed the books"
    );
    // Every unit that produced anything got a verdict, and the input itself got one, last.
    assert!(books.pending.is_empty(), "events or rejections without a verdict: {:?}", books.pending);
    let last = books.verdicts.last().expect("no verdict for the input");
    assert_eq!(last.name, TOP);
    // Decompressed bytes read: a plain unit cannot read more than the input, a gzip stream not more than the cap.
    for verdict in &books.verdicts {
        assert!(verdict.bytes <= CAP.max(data.len() as u64), "{verdict:?}");
    }
});
