//! Hostile records cost linear work and bounded memory: records of N and 10N items (PartiQL statements,
//! BatchGetItem tables, DeleteObjects keys) go through the decoder, the action map and the analyzers, and the
//! cost of 10N must be about ten times that of N. Cost is counted where it can be: bytes allocated and the peak
//! of live bytes, from a counting allocator (per thread, so parallel tests do not disturb each other); CPU
//! work without allocations (comparisons) is timed, only ever as a ratio between N and 10N (best of three),
//! with a bound (40×) a quadratic algorithm fails by far (it gives ~100×).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Arc;
use std::time::{Duration, Instant};

use trail_vpce::analyze::outside::{Outside, OutsideConfig};
use trail_vpce::decode::cloudtrail::RecordParser;
use trail_vpce::ingest::Analyzer;
use trail_vpce::model::{Access, Event, Record};

struct Counting;

thread_local! {
    static LIVE: Cell<i64> = const { Cell::new(0) };
    static PEAK: Cell<i64> = const { Cell::new(0) };
    static TOTAL: Cell<u64> = const { Cell::new(0) };
}

fn note(grown: i64) {
    let _ = LIVE.try_with(|live| {
        live.set(live.get() + grown);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(live.get())));
    });
    if grown > 0 {
        let _ = TOTAL.try_with(|total| total.set(total.get() + grown as u64));
    }
}

// SAFETY: forwards every call to the system allocator; the counters are plain thread-local cells.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size() as i64);
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size() as i64);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note(-(layout.size() as i64));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size as i64 - layout.size() as i64);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What running something cost on this thread.
#[derive(Debug, Clone, Copy)]
struct Cost {
    /// Bytes allocated in all (frees not subtracted).
    allocated: u64,
    /// The most bytes live at once above what was live at the start.
    peak: u64,
    time: Duration,
}

fn measure<R>(f: impl FnOnce() -> R) -> (R, Cost) {
    let live = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(live));
    let total = TOTAL.with(Cell::get);
    let start = Instant::now();
    let out = f();
    let time = start.elapsed();
    let cost =
        Cost { allocated: TOTAL.with(Cell::get) - total, peak: (PEAK.with(Cell::get) - live).max(0) as u64, time };
    (out, cost)
}

/// The cheapest of three runs (time), with the allocation counts of the last (they do not vary).
fn best_of_three<R>(mut f: impl FnMut() -> R) -> Cost {
    let mut best: Option<Cost> = None;
    for _ in 0..3 {
        let (_, cost) = measure(&mut f);
        best = Some(match best {
            Some(b) if b.time <= cost.time => Cost { allocated: cost.allocated, peak: cost.peak, ..b },
            _ => cost,
        });
    }
    best.expect("three runs")
}

/// Asserts that `cost(10n) / cost(n)` stays under `bound` for a cost measure.
fn assert_ratio(what: &str, measure: &str, small: f64, large: f64, bound: f64) {
    let ratio = large / small.max(1.0);
    assert!(ratio < bound, "{what}: {measure} grew {ratio:.1}× for 10× the items ({small} → {large})");
}

fn cloudtrail(event_source: &str, event_name: &str, request_parameters: &str, resources: &str) -> Vec<u8> {
    format!(
        r#"{{"eventVersion":"1.09","eventTime":"2026-11-21T10:00:00Z","eventSource":"{event_source}","eventName":"{event_name}","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9","userAgent":"x","userIdentity":{{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/App/s","accountId":"111122223333","sessionContext":{{"sessionIssuer":{{"arn":"arn:aws:iam::111122223333:role/App","accountId":"111122223333"}}}}}},"requestParameters":{request_parameters},"resources":[{resources}],"eventID":"e-1","eventType":"AwsApiCall","eventCategory":"Data","recipientAccountId":"111122223333"}}"#
    )
    .into_bytes()
}

fn decode(mut bytes: Vec<u8>) -> Event {
    match RecordParser::default().decode_event(&mut bytes) {
        Ok(Some(event)) => event,
        other => panic!("not a record: {other:?}"),
    }
}

/// `BatchExecuteStatement` with `n` statements the PartiQL parser does not understand, each on its own table.
fn unparsable_partiql(n: usize) -> Vec<u8> {
    let items: Vec<String> =
        (0..n).map(|i| format!(r#"{{"statement":"EXPLAIN something {i}","tableName":"table{i}"}}"#)).collect();
    cloudtrail(
        "dynamodb.amazonaws.com",
        "BatchExecuteStatement",
        &format!(r#"{{"requestItems":[{}]}}"#, items.join(",")),
        "",
    )
}

/// `BatchGetItem` on `n` tables, each also in `resources[]`.
fn batch_get(n: usize) -> Vec<u8> {
    let tables: Vec<String> = (0..n).map(|i| format!(r#""table{i}":{{"keys":[]}}"#)).collect();
    let resources: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"ARN":"arn:aws:dynamodb:us-east-1:111122223333:table/table{i}","accountId":"111122223333","type":"AWS::DynamoDB::Table"}}"#
            )
        })
        .collect();
    let params = format!(r#"{{"requestItems":{{{}}}}}"#, tables.join(","));
    cloudtrail("dynamodb.amazonaws.com", "BatchGetItem", &params, &resources.join(","))
}

/// `DeleteObjects` of `n` keys (half of them versioned, after the unversioned half: two actions).
fn delete_objects(n: usize) -> Vec<u8> {
    let objects: Vec<String> = (0..n)
        .map(|i| match i < n / 2 {
            true => format!(r#"{{"key":"k{i:07}"}}"#),
            false => format!(r#"{{"key":"k{i:07}","versionId":"v"}}"#),
        })
        .collect();
    let params = format!(r#"{{"bucketName":"b","delete":{{"objects":[{}]}}}}"#, objects.join(","));
    cloudtrail("s3.amazonaws.com", "DeleteObjects", &params, "")
}

#[test]
fn unparsable_partiql_statements_cost_linear_work_and_memory() {
    // 1,000 statements on distinct tables took 4.6 s and 620 MB, 2,000 took 22 s and 2.4 GB: every statement
    // the parser did not understand added all four actions on every table of the call.
    let cost = |n| best_of_three(|| decode(unparsable_partiql(n)));
    let (small, large) = (cost(100), cost(1_000));
    let what = "BatchExecuteStatement with unparsable statements";
    assert_ratio(what, "bytes allocated", small.allocated as f64, large.allocated as f64, 20.0);
    assert_ratio(what, "time", small.time.as_secs_f64(), large.time.as_secs_f64(), 40.0);
    let event = decode(unparsable_partiql(3));
    assert_eq!(event.accesses.len(), 12, "four actions on each of three tables: {:?}", event.accesses);
}

#[test]
fn batch_get_item_on_many_tables_costs_linear_work() {
    // 200,000 tables took 40 s: each table was looked up by a scan of resources[] and de-duplicated with a
    // Vec::contains.
    let cost = |n| best_of_three(|| decode(batch_get(n)));
    let (small, large) = (cost(1_000), cost(10_000));
    let what = "BatchGetItem on many tables";
    assert_ratio(what, "bytes allocated", small.allocated as f64, large.allocated as f64, 20.0);
    assert_ratio(what, "time", small.time.as_secs_f64(), large.time.as_secs_f64(), 40.0);
    let event = decode(batch_get(5));
    let resources: Vec<&str> = event.accesses.iter().filter_map(|a| a.resource.as_deref()).collect();
    assert_eq!(resources.len(), 5, "one access per table: {resources:?}");
}

#[test]
fn a_delete_objects_record_takes_a_small_multiple_of_its_size() {
    // One 21 MB record took 1.09 GB: the keys were held as a serde_json tree (a B-tree node per object).
    let n = 100_000;
    let bytes = delete_objects(n);
    let size = bytes.len() as u64;
    let (event, cost) = measure(|| decode(bytes));
    assert_eq!(event.accesses.len(), n);
    // The event holds one access per key (an action and an ARN: ~90 bytes for a ~27-byte key entry). On the
    // way, simd-json's tape and structural index take most of the peak (~18× the record for one this dense in
    // small objects, measured with the event declined); the items and accesses add the rest.
    assert!(cost.peak < 25 * size, "peak {} bytes for a record of {size} bytes", cost.peak);
    let kept: u64 = event.accesses.iter().map(access_bytes).sum();
    assert!(kept < 5 * size, "the event keeps {kept} bytes for a record of {size} bytes");
}

fn access_bytes(access: &Access) -> u64 {
    (std::mem::size_of::<Access>() + access.action.capacity() + access.resource.as_ref().map_or(0, String::capacity))
        as u64
}

#[test]
fn delete_objects_cost_linear_work_from_decoding_to_every_analyzer() {
    // 100,000 keys took 9.8 s in `outside` (a Vec::contains per key); Event::actions compared each access
    // with every earlier one until it found its action.
    let run = |n| {
        let event = decode(delete_objects(n));
        best_of_three(|| {
            let mut outside = Outside::new(Arc::new(OutsideConfig {
                protect: vec!["arn:aws:s3:::b".to_owned()],
                ..OutsideConfig::default()
            }));
            outside.observe(&Record::built(&event));
            event.actions().count()
        })
    };
    let (small, large) = (run(5_000), run(50_000));
    let what = "outside on a DeleteObjects record";
    assert_ratio(what, "bytes allocated", small.allocated as f64, large.allocated as f64, 20.0);
    assert_ratio(what, "time", small.time.as_secs_f64(), large.time.as_secs_f64(), 40.0);
    let decoded = |n| best_of_three(|| decode(delete_objects(n)));
    let (small, large) = (decoded(5_000), decoded(50_000));
    let what = "decoding a DeleteObjects record";
    assert_ratio(what, "bytes allocated", small.allocated as f64, large.allocated as f64, 20.0);
    assert_ratio(what, "peak bytes", small.peak as f64, large.peak as f64, 20.0);
    assert_ratio(what, "time", small.time.as_secs_f64(), large.time.as_secs_f64(), 40.0);
}

#[test]
fn outside_on_a_batch_of_many_tables_costs_linear_work() {
    // Every table is its own resource key: owners and protection were found by scanning the record's
    // resources for each key.
    let run = |n| {
        let event = decode(batch_get(n));
        let through_endpoint = Event { vpce: Some("vpce-1".into()), ..event.clone() };
        best_of_three(|| {
            let config = OutsideConfig {
                protect: vec!["arn:aws:dynamodb:us-east-1:111122223333:table/table1".to_owned()],
                ..OutsideConfig::default()
            };
            let mut outside = Outside::new(Arc::new(config));
            outside.observe(&Record::built(&event));
            outside.observe(&Record::built(&through_endpoint));
        })
    };
    let (small, large) = (run(1_000), run(10_000));
    let what = "outside on BatchGetItem of many tables";
    assert_ratio(what, "bytes allocated", small.allocated as f64, large.allocated as f64, 20.0);
    assert_ratio(what, "time", small.time.as_secs_f64(), large.time.as_secs_f64(), 40.0);
}
