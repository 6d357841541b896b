//! The limits every CloudTrail record is held to before it is parsed, whatever its source: a file, an archive
//! entry, an S3 object or a LookupEvents page. One check, one wording in `bad_records`.
//!
//! Records cut out of a stream are measured on the way by the splitter (size and nesting come free with the
//! scan); a record that arrives whole (a LookupEvents `CloudTrailEvent` string) is measured by
//! [`nests_deeper_than`], which counts brackets the way the splitter does.

use super::json_split::{MAX_DEPTH, deeper};
use super::unit::DecodeOptions;

/// Why a record is refused before parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RecordLimit {
    #[error("record of {size} bytes exceeds --max-record-bytes {max}")]
    TooLarge { size: u64, max: usize },
    #[error("nesting deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

impl DecodeOptions {
    /// The one check: a record of `size` bytes whose nesting went past [`MAX_DEPTH`] when `too_deep`.
    pub fn check_record(&self, size: u64, too_deep: bool) -> Result<(), RecordLimit> {
        if size > self.max_record_bytes as u64 {
            return Err(RecordLimit::TooLarge { size, max: self.max_record_bytes });
        }
        if too_deep {
            return Err(RecordLimit::TooDeep);
        }
        Ok(())
    }

    /// [`DecodeOptions::check_record`] for a record that arrives whole: its nesting is measured here (only when
    /// its size passes).
    pub fn check_whole_record(&self, bytes: &[u8]) -> Result<(), RecordLimit> {
        self.check_record(bytes.len() as u64, false)?;
        self.check_record(bytes.len() as u64, nests_deeper_than(bytes, MAX_DEPTH))
    }
}

/// True when brackets outside strings nest deeper than `max` anywhere in `bytes` (the text need not be valid
/// JSON: a stray closing bracket does not go below zero). Linear, no allocation.
pub fn nests_deeper_than(bytes: &[u8], max: u32) -> bool {
    let (mut depth, mut in_string, mut escape) = (0u32, false, false);
    for &byte in bytes {
        if in_string {
            match byte {
                _ if escape => escape = false,
                b'\\' => escape = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth = deeper(depth);
                if depth > max {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::json_split::{JsonSplitter, Piece};
    use super::*;
    use proptest::prelude::*;

    fn nested(levels: usize) -> String {
        format!(r#"{{"eventName":"GetObject","a":{}1{}}}"#, "[".repeat(levels - 1), "]".repeat(levels - 1))
    }

    #[test]
    fn one_check_for_size_and_nesting() {
        let options = DecodeOptions { max_record_bytes: 1000, ..DecodeOptions::default() };
        let cases: Vec<(String, Result<(), RecordLimit>)> = vec![
            (nested(128), Ok(())),
            (nested(129), Err(RecordLimit::TooDeep)),
            (nested(129).replace('[', "\"[").replace('1', "\"").replace(']', ""), Ok(())),
            (r#"{"a":"\"[[[[[["}"#.to_owned(), Ok(())),
            ("x".repeat(1001), Err(RecordLimit::TooLarge { size: 1001, max: 1000 })),
            ("[".repeat(1001), Err(RecordLimit::TooLarge { size: 1001, max: 1000 })),
            ("]".repeat(500) + &"[".repeat(128), Ok(())),
        ];
        for (text, want) in cases {
            assert_eq!(options.check_whole_record(text.as_bytes()), want, "{text}");
        }
        assert_eq!(RecordLimit::TooDeep.to_string(), "nesting deeper than 128 levels");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        /// On the bytes of any record the splitter cuts out, the whole-record measure agrees with its flag.
        #[test]
        fn agrees_with_the_splitter(
            open in 100usize..160,
            body in proptest::collection::vec(prop::sample::select(b"{}[]\"\\a:, ".to_vec()), 0..200),
        ) {
            let mut value = b"{\"k\":".to_vec();
            value.extend(std::iter::repeat_n(b'[', open));
            value.extend_from_slice(&body);
            value.extend(std::iter::repeat_n(b']', open + 100));
            let mut splitter = JsonSplitter::from_buffer(value, usize::MAX);
            if let Ok(Some(Piece::Value { bytes, len, too_deep, .. })) = splitter.next_piece() {
                prop_assert_eq!(nests_deeper_than(&bytes[..len], MAX_DEPTH), too_deep);
            }
        }
    }
}
