//! Adversarial wildcard patterns through `string_like` and `arn_like`, checked against a plain dynamic-
//! programming reference of the documented semantics (`*` any run of characters, `?` one character; for ARNs
//! the first five colons split segments whose wildcards do not cross a colon, the last segment takes the
//! rest). The matcher must agree and stay fast (the fuzzer's timeout catches exponential backtracking).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use trail_vpce::policy::{arn_like, string_like};

#[derive(Arbitrary, Debug)]
struct Input {
    /// Small alphabets make matches likely: each byte maps onto one of a few characters.
    pattern: Vec<u8>,
    value: Vec<u8>,
    /// Repeats the value to stress long inputs against many stars.
    repeat: u8,
}

const ALPHABET: [char; 8] = ['a', 'b', '*', '?', ':', 'é', '/', '$'];

fn text(bytes: &[u8]) -> String {
    bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()]).collect()
}

/// Reference glob: O(n·m) table over characters.
fn glob(pattern: &[char], value: &[char]) -> bool {
    let mut row = vec![false; value.len() + 1];
    row[0] = true;
    for &p in pattern {
        let mut next = vec![false; value.len() + 1];
        if p == '*' {
            let mut any = false;
            for j in 0..=value.len() {
                any |= row[j];
                next[j] = any;
            }
        } else {
            for j in 1..=value.len() {
                next[j] = row[j - 1] && (p == '?' || p == value[j - 1]);
            }
        }
        row = next;
    }
    row[value.len()]
}

fn reference_arn_like(pattern: &str, value: &str) -> bool {
    let segments: Vec<&str> = pattern.splitn(6, ':').collect();
    let (last, init) = segments.split_last().expect("splitn yields one piece at least");
    let mut rest = value;
    for segment in init {
        let Some((head, tail)) = rest.split_once(':') else { return false };
        if !glob(&segment.chars().collect::<Vec<_>>(), &head.chars().collect::<Vec<_>>()) {
            return false;
        }
        rest = tail;
    }
    glob(&last.chars().collect::<Vec<_>>(), &rest.chars().collect::<Vec<_>>())
}

fuzz_target!(|input: Input| {
    // Bounds keep the reference table small; the matcher itself is linear-ish, so these sizes still expose
    // super-linear behaviour (a quadratic matcher would take ~10^7 steps, an exponential one forever).
    let repeat = usize::from(input.repeat % 16) + 1;
    if input.pattern.len() > 512 || input.value.len() * repeat > 4096 {
        return;
    }
    let pattern = text(&input.pattern);
    let mut value = text(&input.value);
    value = value.repeat(repeat);
    let p: Vec<char> = pattern.chars().collect();
    let v: Vec<char> = value.chars().collect();
    assert_eq!(string_like(&pattern, &value), glob(&p, &v), "string_like({pattern:?}, {value:?})");
    assert_eq!(arn_like(&pattern, &value), reference_arn_like(&pattern, &value), "arn_like({pattern:?}, {value:?})");
});
