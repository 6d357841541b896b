//! Arbitrary bytes through the capped gzip reader: it never yields more than the cap, never panics, and a cap
//! failure is reported as the typed `CapExceeded` error only once the cap has been reached.
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use trail_vpce::decode::gzip::{cap_exceeded, decompress};

fuzz_target!(|input: &[u8]| {
    // The first two bytes choose the cap (0..=65535) and the read size, so tiny caps and odd reads are covered.
    let (cap, chunk, data) = match input {
        [a, b, c, rest @ ..] => (u64::from(u16::from_le_bytes([*a, *b])), usize::from(*c) * 97 + 1, rest),
        _ => return,
    };
    let mut reader = decompress(data, cap);
    let mut total = 0u64;
    let mut buf = vec![0u8; chunk];
    let mut reads = 0u32;
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                assert!(n <= chunk);
                total += n as u64;
                assert!(total <= cap, "yielded {total} bytes past the cap of {cap}");
            }
            Err(e) => {
                if let Some(exceeded) = cap_exceeded(&e) {
                    assert_eq!(exceeded.cap, cap);
                    assert_eq!(total, cap, "cap error before the cap was reached");
                }
                break;
            }
        }
        reads += 1;
        // Bounded input and cap: an endless stream of successful reads would be a bug.
        assert!(reads < 1_000_000, "reader never ends");
    }
});
