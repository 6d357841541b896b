//! Arbitrary text through the S3 server access log line parser and `to_event`, then through the whole unit
//! path behind a valid first line (so the unit is sniffed as an access log), checking that every line is
//! accounted for: each non-blank line is either an event or a rejected record.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trail_vpce::decode::s3_access_log::{MIN_FIELDS, parse_line, to_event};
use trail_vpce::decode::{DecodeOptions, Sink, UnitKind, UnitOutcome, decode_unit};
use trail_vpce::model::Record;

const FIRST_LINE: &str = "b2b03aa9be3903e80a9bf89481d313bf2b5fe5bd35220336ae3821d149d4459f app-data-111122223333 \
    [21/Nov/2026:09:03:42 +0000] 10.0.1.23 arn:aws:sts::111122223333:assumed-role/App/i-0abc 6KQD30LI2KRFJK5B \
    REST.HEAD.OBJECT reports/daily.csv \"HEAD /reports/daily.csv HTTP/1.1\" 200 - - - 112 111 \"-\" \"aws-cli/2 \
    Linux/6.1.112-124.190.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.4+7-LTS Java/21.0.4 vendor/Amazon.com_Inc. \
    io/sync http/Apache cfg/retry-mode/standard md/io#sync md/http#Apache ua/2.1 os/linux#6.1 lang/java#21 \
    exec-env/AWS_ECS_FARGATE\" - hostid SigV4 TLS_AES_128_GCM_SHA256 AuthHeader app-data.s3.eu-west-1.amazonaws.com TLSv1.3 - -\n";
/// Longer than the sniffing window (512 bytes), so whatever follows cannot change what the unit is sniffed as.
const _: () = assert!(FIRST_LINE.len() > 512);
const MAX_RECORD: usize = 1024;

#[derive(Default)]
struct Count {
    events: u64,
    bad: u64,
    positions: Vec<u64>,
    outcome: Option<UnitOutcome>,
}

impl Sink for Count {
    fn record(&mut self, record: &Record<'_>) {
        std::hint::black_box(record.event());
        self.events += 1;
    }
    fn bad_record(&mut self, _unit: &str, position: u64, _location: &str, reason: &str) {
        assert!(!reason.is_empty());
        self.bad += 1;
        self.positions.push(position);
    }
    fn unit_done(&mut self, outcome: UnitOutcome) {
        assert!(self.outcome.is_none(), "two verdicts for one plain unit");
        self.outcome = Some(outcome);
    }
}

/// The lines the unit reader must account for: over-long ones (rejected unread) and non-blank ones.
fn lines_to_account_for(data: &[u8]) -> u64 {
    let mut lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    if data.ends_with(b"\n") || data.is_empty() {
        lines.pop();
    }
    lines
        .iter()
        .filter(|line| {
            line.len() > MAX_RECORD || !String::from_utf8_lossy(line).trim_end_matches(['\n', '\r']).trim().is_empty()
        })
        .count() as u64
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(line) = parse_line(&text) {
        assert!(line.field_count >= MIN_FIELDS, "{line:?}");
        assert!(!line.bucket_owner.is_empty() && !line.bucket.is_empty() && !line.operation.is_empty());
        let event = to_event(&line);
        assert_eq!(event.event_source, "s3.amazonaws.com");
    }

    let mut unit = FIRST_LINE.as_bytes().to_vec();
    unit.extend_from_slice(data);
    let options =
        DecodeOptions { max_decompressed_bytes: 1 << 20, max_record_bytes: MAX_RECORD, ..DecodeOptions::default() };
    let mut count = Count::default();
    decode_unit("fuzz.log", &mut unit.as_slice(), &options, &mut count);
    let outcome = count.outcome.expect("no verdict");
    assert_eq!(outcome.kind, UnitKind::AccessLog, "{outcome:?}");
    assert_eq!(outcome.failure, None, "reading from memory cannot fail: {outcome:?}");
    assert_eq!(count.events, outcome.records, "{outcome:?}");
    assert_eq!(count.bad, outcome.bad_records, "{outcome:?}");
    assert!(count.positions.windows(2).all(|w| w[0] < w[1]), "positions out of order: {:?}", count.positions);
    assert_eq!(outcome.records + outcome.bad_records, lines_to_account_for(&unit), "lines lost: {outcome:?}");
    assert_eq!(outcome.bytes, unit.len() as u64, "every byte read: {outcome:?}");
});
