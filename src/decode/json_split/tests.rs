//! Splitter tests: every input shape, damage, limits, and independence from read boundaries.

use super::*;
use proptest::prelude::*;

/// A reader that hands out at most `step` bytes per call, to move chunk boundaries around.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.step.min(out.len()).min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Splits `input` and describes each piece: the value text, `OVERSIZE@offset/size`, `DEEP:` prefix; then the
/// error, if any, as a last `ERR:` entry.
fn split(input: &str, max: usize, step: usize) -> Vec<String> {
    let mut splitter = JsonSplitter::new(Trickle { data: input.as_bytes(), step }, max);
    let mut out = Vec::new();
    loop {
        match splitter.next_piece() {
            Ok(Some(Piece::Value { bytes, len, too_deep, .. })) => {
                let text = String::from_utf8_lossy(&bytes[..len]).into_owned();
                out.push(if too_deep { format!("DEEP:{text}") } else { text });
            }
            Ok(Some(Piece::Oversize { offset, size })) => out.push(format!("OVERSIZE@{offset}/{size}")),
            Ok(None) => break,
            Err(SplitError::Truncated { .. }) => {
                out.push("ERR:truncated".to_owned());
                break;
            }
            Err(e) => {
                out.push(format!("ERR:{e}"));
                break;
            }
        }
    }
    out
}

#[test]
fn splits_every_shape() {
    let cases: Vec<(&str, &str, Vec<&str>)> = vec![
        ("wrapper", r#"{"Records":[{"a":1},{"b":"x]}"}]}"#, vec![r#"{"a":1}"#, r#"{"b":"x]}"}"#]),
        (
            "pretty wrapper",
            "{\n \"Records\" : [\n  {\"a\": [1, {\"c\": 2}]},\n  {\"d\": \"\\\"}\"}\n ]\n}\n",
            vec![r#"{"a": [1, {"c": 2}]}"#, r#"{"d": "\"}"}"#],
        ),
        ("wrapper with other keys first", r#"{"x":{"y":[1]},"Records":[{"a":1}]}"#, vec![r#"{"a":1}"#]),
        ("empty wrapper", r#"{"Records":[]}"#, vec![]),
        ("bare array", r#"[{"a":1}, {"b":2}]"#, vec![r#"{"a":1}"#, r#"{"b":2}"#]),
        (
            "single record",
            r#"{"eventName":"GetObject","resources":[{"ARN":"x"}]}"#,
            vec![r#"{"eventName":"GetObject","resources":[{"ARN":"x"}]}"#],
        ),
        ("ndjson", "{\"a\":1}\n{\"b\":2}\n\n{\"c\":[3]}\n", vec![r#"{"a":1}"#, r#"{"b":2}"#, r#"{"c":[3]}"#]),
        (
            "a record named Records is not a wrapper at depth 2",
            r#"{"a":{"Records":[{"x":1}]}}"#,
            vec![r#"{"a":{"Records":[{"x":1}]}}"#],
        ),
        (
            "garbage line between records",
            "{\"a\":1}\nnot json \"at all\n{\"b\":2}",
            vec![r#"{"a":1}"#, "not json \"at all", r#"{"b":2}"#],
        ),
        ("scalar elements", r#"[1, "two, three", {"a":1}, null]"#, vec!["1", r#""two, three""#, r#"{"a":1}"#, "null"]),
        ("stray closer", "}\n{\"a\":1}", vec!["}", r#"{"a":1}"#]),
        ("empty", "", vec![]),
        ("whitespace", " \n\t ", vec![]),
    ];
    for (name, input, expected) in cases {
        for step in [1, 3, 7, 4096] {
            assert_eq!(split(input, 1 << 20, step), expected, "{name} (step {step})");
        }
    }
}

#[test]
fn truncation_keeps_complete_records() {
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (r#"{"Records":[{"a":1},{"b":2},{"c":"#, vec![r#"{"a":1}"#, r#"{"b":2}"#, "ERR:truncated"]),
        (r#"{"Records":[{"a":1},{"b":2}"#, vec![r#"{"a":1}"#, r#"{"b":2}"#, "ERR:truncated"]),
        (r#"{"Records":[{"a":"unterminated"#, vec!["ERR:truncated"]),
        ("{\"a\":1}\n{\"b\":", vec![r#"{"a":1}"#, "ERR:truncated"]),
        (r#"[{"a":1},"#, vec![r#"{"a":1}"#, "ERR:truncated"]),
    ];
    for (input, expected) in cases {
        for step in [1, 5, 4096] {
            assert_eq!(split(input, 1 << 20, step), expected, "{input} (step {step})");
        }
    }
}

#[test]
fn broken_ndjson_lines_do_not_swallow_the_next_line() {
    let input = "{\"a\":\"cut here\n{\"b\":2}\n{\"c\":{\"d\":1\n{\"e\":3}\n";
    let expected = vec!["{\"a\":\"cut here", r#"{"b":2}"#, "{\"c\":{\"d\":1", r#"{"e":3}"#];
    for step in [1, 2, 4096] {
        assert_eq!(split(input, 1 << 20, step), expected, "step {step}");
    }
}

#[test]
fn oversize_records_are_skipped_and_reported() {
    let big = format!(r#"{{"big":"{}"}}"#, "x".repeat(1000));
    let input = format!(r#"{{"Records":[{{"a":1}},{big},{{"b":2}}]}}"#);
    for step in [1, 64, 4096] {
        let got = split(&input, 100, step);
        assert_eq!(got, vec![r#"{"a":1}"#.to_owned(), "OVERSIZE@20/1010".to_owned(), r#"{"b":2}"#.to_owned()]);
    }
    let garbage = format!("{}\n{{\"a\":1}}", "y".repeat(500));
    let got = split(&garbage, 100, 4096);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got[0].starts_with("OVERSIZE@0/"), "{got:?}");
}

#[test]
fn the_depth_counter_saturates_instead_of_wrapping() {
    // Reaching 2^32 levels takes 4 GiB of brackets; the splitter is put where they would leave it instead: just
    // after the first byte of a record, 2^32 - 4 levels deep. The byte loop (a top-level object) and the block
    // lane (a record in a records array) must both saturate (a debug build panicked on the overflow; a release
    // build wrapped to 0 and took the rest of the record for the top level).
    let table = [
        (format!("{{\"a\":{}{}}}", "[".repeat(100), "]".repeat(100)), 1),
        (format!("[{{\"a\":{}{}}},{{\"b\":1}}]", "[".repeat(300), "]".repeat(300)), 2),
    ];
    for (input, first_byte) in table {
        let mut splitter = JsonSplitter::from_buffer(input.clone().into_bytes(), usize::MAX);
        while splitter.pos < first_byte {
            let (at, byte) = (splitter.pos, splitter.buf[splitter.pos]);
            splitter.pos += 1;
            assert!(matches!(splitter.on_byte(at, byte), Step::Go));
        }
        splitter.depth += u32::MAX - 4;
        splitter.piece_too_deep = true;
        let mut deepest = 0;
        let mut pieces = Vec::new();
        loop {
            deepest = deepest.max(splitter.depth);
            match splitter.next_piece() {
                Ok(Some(Piece::Value { bytes, len, too_deep, .. })) => {
                    pieces.push((String::from_utf8_lossy(&bytes[..len]).into_owned(), too_deep))
                }
                Ok(Some(Piece::Oversize { .. })) => unreachable!("no size limit"),
                Ok(None) => break,
                Err(e) => {
                    pieces.push((e.to_string(), false));
                    break;
                }
            }
        }
        // The deep record is flagged or never closes; nothing of it comes out as a record of its own.
        assert!(pieces.iter().all(|(text, too_deep)| *too_deep || !text.contains("\"a\"")), "{input}: {pieces:?}");
        assert!(!pieces.is_empty() && deepest >= u32::MAX - 4, "{input}: {pieces:?}");
    }
}

#[test]
fn deep_nesting_is_flagged_not_followed() {
    let depth = MAX_DEPTH as usize + 5;
    let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let input = format!(r#"{{"Records":[{{"a":{deep}}},{{"b":2}}]}}"#);
    let got = split(&input, 1 << 20, 4096);
    assert_eq!(got.len(), 2);
    assert!(got[0].starts_with("DEEP:"));
    assert_eq!(got[1], r#"{"b":2}"#);
}

proptest! {
    #[test]
    fn read_boundaries_never_change_the_pieces(
        records in prop::collection::vec("[a-z\\\\\"\\[\\]{}, ]{0,12}", 0..8),
        step in 1usize..64,
    ) {
        let body: Vec<String> = records
            .iter()
            .map(|r| format!("{{\"k\":{}}}", serde_json::to_string(r).unwrap()))
            .collect();
        let input = format!("{{\"Records\":[{}]}}", body.join(","));
        let whole = split(&input, 1 << 20, 1 << 20);
        prop_assert_eq!(&whole, &body);
        prop_assert_eq!(split(&input, 1 << 20, step), whole);
        let ndjson = body.join("\n");
        prop_assert_eq!(split(&ndjson, 1 << 20, step), body);
    }
}
