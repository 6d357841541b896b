//! Every record is de-duplicated, filtered and counted from its head, while analyzers read its full event
//! (built on first use): the two must agree. These tests decode every record of sample-logs and of the real
//! fixtures, and check that the decoder's head gives the same de-duplication key, the same verdict from every
//! filter, the same category and the same outcome as the view of the built event (`RecordHead::of_event`, the
//! head S3 access log lines get).

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;

use trail_vpce::decode::{DecodeOptions, Sink, UnitOutcome, decode_unit};
use trail_vpce::ingest::{Deduper, Filter};
use trail_vpce::model::{Event, LogKind, Record, RecordHead, Timestamp};

/// What the books and filters take from a record.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    category: String,
    outcome: &'static str,
    verdicts: Vec<bool>,
}

/// Reads each record's decoder head, or the head of its built event.
struct Collector<'a> {
    heads: bool,
    filters: &'a [Filter],
    dedup: &'a Deduper,
    seen: Vec<Seen>,
    /// Per record with an event id: whether the deduper took it as new.
    fresh: Vec<bool>,
}

impl Collector<'_> {
    fn see(&mut self, head: &RecordHead<'_>) {
        let verdicts = self.filters.iter().map(|f| f.matches(head)).collect();
        self.seen.push(Seen { category: head.category.to_string(), outcome: head.outcome.name(), verdicts });
        if head.event_id.is_some() {
            self.fresh.push(self.dedup.insert(head));
        }
    }
}

impl Sink for Collector<'_> {
    fn record(&mut self, record: &Record<'_>) {
        if record.head().kind != LogKind::CloudTrail {
            return;
        }
        if self.heads {
            self.see(record.head());
            assert!(!record.is_built(), "reading the head built the event");
        } else {
            self.see(&RecordHead::of_event(record.event()));
        }
    }
    fn bad_record(&mut self, _unit: &str, _position: u64, _location: &str, _reason: &str) {}
    fn unit_done(&mut self, _outcome: UnitOutcome) {}
}

fn files(root: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    files.sort();
    files
}

fn decode_all(files: &[std::path::PathBuf], sink: &mut Collector<'_>) {
    for path in files {
        let mut file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
        decode_unit(&path.display().to_string(), &mut file, &DecodeOptions::default(), sink);
    }
}

/// Single-value filters over what the records hold (accounts, endpoints, regions, services) and a time window.
fn filters_for(files: &[std::path::PathBuf]) -> Vec<Filter> {
    let mut events = Vec::new();
    struct Keep<'a>(&'a mut Vec<Event>);
    impl Sink for Keep<'_> {
        fn record(&mut self, record: &Record<'_>) {
            self.0.push(record.event().clone());
        }
        fn bad_record(&mut self, _: &str, _: u64, _: &str, _: &str) {}
        fn unit_done(&mut self, _: UnitOutcome) {}
    }
    for path in files {
        let mut file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
        decode_unit("x", &mut file, &DecodeOptions::default(), &mut Keep(&mut events));
    }
    let mut accounts = BTreeSet::new();
    let (mut vpces, mut regions, mut services) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for event in &events {
        accounts.extend(
            [&event.recipient_account, &event.principal.account, &event.vpce_account].into_iter().flatten().cloned(),
        );
        vpces.extend(event.vpce.clone());
        regions.extend(event.region.clone());
        services.insert(event.service().to_owned());
        services.insert(event.event_source.clone());
    }
    let mut filters = vec![Filter::default()];
    fn one<T: Clone + Ord>(value: &T) -> BTreeSet<T> {
        BTreeSet::from([value.clone()])
    }
    filters.extend(accounts.iter().take(30).map(|a| Filter { accounts: one(a), ..Filter::default() }));
    filters.extend(vpces.iter().take(30).map(|v| Filter { vpces: one(v), ..Filter::default() }));
    filters.extend(regions.iter().take(30).map(|r| Filter { regions: one(r), ..Filter::default() }));
    filters.extend(services.iter().take(30).map(|s| Filter { services: one(s), ..Filter::default() }));
    let mut times: Vec<i64> = events.iter().filter_map(|e| e.time.map(|t| t.millis())).collect();
    times.sort_unstable();
    if let Some(&middle) = times.get(times.len() / 2) {
        filters.push(Filter { since: Some(Timestamp(middle)), ..Filter::default() });
        filters.push(Filter { until: Some(Timestamp(middle)), ..Filter::default() });
    }
    filters
}

fn heads_agree_with_events(root: &Path) -> usize {
    let files = files(root);
    let filters = filters_for(&files);
    let dedup = Deduper::default();
    let mut full = Collector { heads: false, filters: &filters, dedup: &dedup, seen: Vec::new(), fresh: Vec::new() };
    decode_all(&files, &mut full);
    // The same deduper: a head with the event's key is a repeat of it.
    let mut heads = Collector { heads: true, filters: &filters, dedup: &dedup, seen: Vec::new(), fresh: Vec::new() };
    decode_all(&files, &mut heads);
    assert_eq!(full.seen.len(), heads.seen.len(), "{}", root.display());
    for (i, (event, head)) in full.seen.iter().zip(&heads.seen).enumerate() {
        assert_eq!(event, head, "record {i} under {}", root.display());
    }
    assert!(full.fresh.iter().any(|&fresh| fresh), "no record with an id under {}", root.display());
    assert!(heads.fresh.iter().all(|&fresh| !fresh), "a head's key differs from its event's under {}", root.display());
    assert!(filters.len() > 5, "too few filters to mean anything: {}", filters.len());
    full.seen.len()
}

#[test]
fn heads_agree_with_events_on_sample_logs() {
    let records = heads_agree_with_events(&common::sample_logs());
    assert!(records > 100, "{records} records");
}

#[test]
fn heads_agree_with_events_on_the_real_fixtures() {
    let Some(root) = common::real_fixtures() else { return };
    let records = heads_agree_with_events(&root);
    assert!(records > 1000, "{records} records");
}
