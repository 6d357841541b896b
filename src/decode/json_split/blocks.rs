//! The splitter's fast lane inside a record: 64 bytes at a time instead of one.
//!
//! Each block becomes bit masks (quotes, backslashes, opening and closing brackets). Escaped quotes are
//! removed with simdjson's odd-backslash-run trick, the in-string mask is the prefix XOR of the remaining
//! quotes, and only the brackets outside strings are visited, bit by bit, to follow the depth. Most of a
//! CloudTrail record is string bytes and few brackets, so this runs several times faster than the byte loop.
//!
//! The byte loop in `json_split` stays the reference and keeps every decision about damaged input: this lane
//! gives a block back to it at a backslash outside a string (not JSON; the masks would assume it escapes),
//! unless the record closes before it, and it never looks at a partial block.

/// Bytes per block.
pub(super) const BLOCK: usize = 64;

/// Where the scanner stands inside a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Inside {
    pub depth: u32,
    pub in_string: bool,
    /// The next byte is escaped (the last block ended inside a string on an odd run of backslashes).
    pub escape: bool,
    /// The depth went past the limit at some point.
    pub too_deep: bool,
}

/// How far [`skip`] went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Skipped {
    /// The record closed: the index just past its closing bracket.
    Closed(usize),
    /// The record is still open after this many bytes (a multiple of [`BLOCK`]; 0 when the first block had to
    /// go to the byte loop or fewer than [`BLOCK`] bytes were left).
    Open(usize),
}

/// Follows `state` through whole blocks of `bytes` until the depth comes back to `close_depth` (the record
/// closed), a block needs the byte loop, or fewer than [`BLOCK`] bytes are left. `state` is updated to the
/// point reached.
pub(super) fn skip(bytes: &[u8], state: &mut Inside, close_depth: u32, max_depth: u32) -> Skipped {
    let mut at = 0;
    let mut prev_in_string = if state.in_string { u64::MAX } else { 0 };
    let mut prev_escaped = u64::from(state.escape);
    while let Some(block) = bytes.get(at..at + BLOCK) {
        let m = Masks::of(block.try_into().expect("a block is BLOCK bytes"));
        let (escaped, next_escaped) = escaped_bits(m.backslash, prev_escaped);
        let in_string = prefix_xor(m.quote & !escaped) ^ prev_in_string;
        // Up to a backslash outside a string the masks are exact (escapes only reach forward); from there on
        // the byte loop decides, unless the record closes before it.
        let stray_backslash = m.backslash & !in_string;
        let exact = if stray_backslash == 0 { u64::MAX } else { (1 << stray_backslash.trailing_zeros()) - 1 };
        let before = *state;
        let mut brackets = (m.open | m.close) & !in_string & exact;
        while brackets != 0 {
            let bit = brackets.trailing_zeros();
            brackets &= brackets - 1;
            if m.open >> bit & 1 == 1 {
                state.depth = super::deeper(state.depth);
                state.too_deep |= state.depth > max_depth;
            } else {
                state.depth -= 1;
                if state.depth == close_depth {
                    state.in_string = false;
                    state.escape = false;
                    return Skipped::Closed(at + bit as usize + 1);
                }
            }
        }
        if stray_backslash != 0 {
            *state = before;
            break;
        }
        prev_in_string = ((in_string as i64) >> 63) as u64;
        prev_escaped = next_escaped;
        at += BLOCK;
    }
    state.in_string = prev_in_string != 0;
    state.escape = prev_escaped != 0;
    Skipped::Open(at)
}

/// One bit per byte of a block.
struct Masks {
    quote: u64,
    backslash: u64,
    /// `{` or `[`.
    open: u64,
    /// `}` or `]`.
    close: u64,
}

impl Masks {
    /// `{`/`[` and `}`/`]` differ only in bit 0x20, so one comparison against `x | 0x20` finds both.
    #[cfg(target_arch = "x86_64")]
    fn of(block: &[u8; BLOCK]) -> Masks {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        };
        let mut masks = Masks { quote: 0, backslash: 0, open: 0, close: 0 };
        for lane in 0..BLOCK / 16 {
            // SAFETY: SSE2 is part of the x86_64 baseline, and the load reads 16 bytes inside `block`
            // (`lane * 16 + 16 <= BLOCK`); `_mm_loadu_si128` has no alignment requirement.
            let bits = unsafe {
                let v = _mm_loadu_si128(block.as_ptr().add(lane * 16).cast::<__m128i>());
                let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
                let eq = |x: __m128i, byte: u8| {
                    u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(byte as i8))) as u16)
                };
                [eq(v, b'"'), eq(v, b'\\'), eq(folded, b'{'), eq(folded, b'}')]
            };
            let shift = lane * 16;
            masks.quote |= bits[0] << shift;
            masks.backslash |= bits[1] << shift;
            masks.open |= bits[2] << shift;
            masks.close |= bits[3] << shift;
        }
        masks
    }

    /// Eight bytes at a time in a `u64` elsewhere (exact per byte: no borrow crosses a byte).
    #[cfg(not(target_arch = "x86_64"))]
    fn of(block: &[u8; BLOCK]) -> Masks {
        const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
        let eq = |word: u64, byte: u8| {
            let x = word ^ (0x0101_0101_0101_0101 * u64::from(byte));
            let nonzero = ((x & LOW7) + LOW7) | x;
            let high_bits = !nonzero & 0x8080_8080_8080_8080;
            (high_bits >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
        };
        let mut masks = Masks { quote: 0, backslash: 0, open: 0, close: 0 };
        for (i, chunk) in block.chunks_exact(8).enumerate() {
            let word = u64::from_le_bytes(chunk.try_into().expect("chunks of 8"));
            let folded = word | 0x2020_2020_2020_2020;
            masks.quote |= eq(word, b'"') << (i * 8);
            masks.backslash |= eq(word, b'\\') << (i * 8);
            masks.open |= eq(folded, b'{') << (i * 8);
            masks.close |= eq(folded, b'}') << (i * 8);
        }
        masks
    }
}

/// The bytes escaped by a backslash (the byte after an odd-length run), and whether the block's last run
/// escapes the first byte of the next block. simdjson's `find_escaped_branchless`.
fn escaped_bits(backslash: u64, prev_escaped: u64) -> (u64, u64) {
    const EVEN: u64 = 0x5555_5555_5555_5555;
    let backslash = backslash & !prev_escaped;
    let follows_escape = (backslash << 1) | prev_escaped;
    let odd_starts = backslash & !EVEN & !follows_escape;
    let (starting_on_even, overflow) = odd_starts.overflowing_add(backslash);
    let invert = starting_on_even << 1;
    ((EVEN ^ invert) & follows_escape, u64::from(overflow))
}

/// Bit i = XOR of bits 0..=i: set from an opening quote up to (not including) its closing quote.
fn prefix_xor(mut bits: u64) -> u64 {
    for shift in [1, 2, 4, 8, 16, 32] {
        bits ^= bits << shift;
    }
    bits
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The byte loop's rules inside a record, one byte at a time: the reference for [`skip`]. Returns what
    /// `skip` must return, block by block (a block with a backslash outside a string stops it).
    fn reference(bytes: &[u8], start: Inside, close_depth: u32, max_depth: u32) -> (Skipped, Inside) {
        let mut state = start;
        let mut at = 0;
        while at + BLOCK <= bytes.len() {
            let before = state;
            let mut stop = false;
            for (i, &b) in bytes[at..at + BLOCK].iter().enumerate() {
                if state.in_string {
                    match (state.escape, b) {
                        (true, _) => state.escape = false,
                        (false, b'\\') => state.escape = true,
                        (false, b'"') => state.in_string = false,
                        _ => {}
                    }
                    continue;
                }
                match b {
                    b'"' => state.in_string = true,
                    b'{' | b'[' => {
                        state.depth += 1;
                        state.too_deep |= state.depth > max_depth;
                    }
                    b'}' | b']' => {
                        state.depth -= 1;
                        if state.depth == close_depth {
                            return (Skipped::Closed(at + i + 1), state);
                        }
                    }
                    b'\\' => {
                        stop = true;
                        break;
                    }
                    _ => {}
                }
            }
            if stop {
                return (Skipped::Open(at), before);
            }
            at += BLOCK;
        }
        (Skipped::Open(at), state)
    }

    fn start(depth: u32, in_string: bool, escape: bool) -> Inside {
        Inside { depth, in_string, escape: in_string && escape, too_deep: false }
    }

    #[test]
    fn table() {
        let pad = |s: &str| format!("{s:<width$}", width = s.len().div_ceil(BLOCK).max(1) * BLOCK);
        let cases: Vec<(&str, String, Inside, Skipped)> = vec![
            ("closes in the first block", pad(r#""a":1}, {"b":2}"#), start(2, false, false), Skipped::Closed(6)),
            ("brackets in strings do not count", pad(r#""a":"}]{["}, "#), start(2, false, false), Skipped::Closed(11)),
            ("escaped quote stays in the string", pad(r#""a":"x\"}"}"#), start(2, false, false), Skipped::Closed(11)),
            (
                "escaped backslash ends before the quote",
                pad(r#""a":"x\\"}"#),
                start(2, false, false),
                Skipped::Closed(10),
            ),
            ("starts inside a string", pad(r#"abc"}"#), start(2, true, false), Skipped::Closed(5)),
            ("starts on an escaped byte", pad(r#""}"}"#), start(2, true, true), Skipped::Closed(4)),
            ("nested objects", pad(r#"{"a":[{},{}]}}"#), start(2, false, false), Skipped::Closed(14)),
            (
                "backslash outside a string goes to the byte loop",
                pad(r#"\"}"#),
                start(2, false, false),
                Skipped::Open(0),
            ),
            ("unless the record closes before it", pad(r#"1}\"#), start(2, false, false), Skipped::Closed(2)),
            ("stays open", pad(r#""a":{"b":1}"#), start(2, false, false), Skipped::Open(BLOCK)),
            ("a partial block is left alone", r#""a":1}"#.to_owned(), start(2, false, false), Skipped::Open(0)),
        ];
        for (name, text, state, expected) in cases {
            let mut state_after = state;
            let got = skip(text.as_bytes(), &mut state_after, 1, 128);
            assert_eq!(got, expected, "{name}");
            assert_eq!((got, state_after), reference(text.as_bytes(), state, 1, 128), "{name}");
        }
    }

    #[test]
    fn runs_of_backslashes_across_block_boundaries() {
        // A string whose backslash runs of every length end exactly at the block boundary, then `"}`.
        for run in 0..=130 {
            let mut text = vec![b'"'];
            text.resize(BLOCK * 3 - run, b'x');
            text.resize(BLOCK * 3, b'\\');
            text.extend_from_slice(b"\"}");
            text.resize(BLOCK * 4, b' ');
            let mut state = start(2, false, false);
            let got = skip(&text, &mut state, 1, 128);
            assert_eq!((got, state), reference(&text, start(2, false, false), 1, 128), "run of {run}");
        }
    }

    #[test]
    fn depth_past_the_limit_is_flagged() {
        let text = format!("{:<width$}", "[[[[]]]]]", width = BLOCK);
        let mut state = start(1, false, false);
        assert_eq!(skip(text.as_bytes(), &mut state, 0, 3), Skipped::Closed(9));
        assert!(state.too_deep);
    }

    #[test]
    fn depth_saturates_instead_of_wrapping() {
        let text = [b'['; BLOCK];
        for from in [u32::MAX - 70, u32::MAX - 1, u32::MAX] {
            let mut state = start(from, false, false);
            assert_eq!(skip(&text, &mut state, 0, 128), Skipped::Open(BLOCK), "{from}");
            assert_eq!((state.depth, state.too_deep), (from.saturating_add(BLOCK as u32), true), "{from}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn agrees_with_the_byte_loop(
            bytes in proptest::collection::vec(prop::sample::select(b"{}[]\"\\ax:,\xe9".to_vec()), 0..400),
            depth in 1u32..6,
            in_string: bool,
            escape: bool,
        ) {
            let start = start(depth, in_string, escape);
            let mut state = start;
            let got = skip(&bytes, &mut state, 0, 4);
            prop_assert_eq!((got, state), reference(&bytes, start, 0, 4));
        }
    }
}
