//! Hex and base64, the two text encodings CloudTrail integrity data uses: signatures, fingerprints and hashes
//! are hex; the public keys of `list-public-keys` JSON are base64 (the CLI's rendering of a blob). Pure.

/// Lower-case hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 0xf)] as char);
    }
    out
}

/// Decodes hex (either case); `None` for an odd length or a non-hex character.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    let text = text.as_bytes();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.chunks_exact(2).map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?)).collect()
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Decodes standard base64 (RFC 4648, `+/`, padding optional, ASCII whitespace ignored); `None` when invalid.
pub fn from_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    let mut padding = 0;
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        if c == b'=' {
            padding += 1;
            continue;
        }
        if padding > 0 {
            return None; // data after padding
        }
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // Leftover bits must be the zero fill of a short final group (6 bits is never a valid remainder).
    (bits < 6 && acc == 0 && padding <= 2).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_rejects() {
        assert_eq!(to_hex(&[0x00, 0xab, 0x7f]), "00ab7f");
        let cases: [(&str, Option<Vec<u8>>); 5] = [
            ("00ab7f", Some(vec![0, 0xab, 0x7f])),
            ("00AB7F", Some(vec![0, 0xab, 0x7f])),
            ("", Some(vec![])),
            ("abc", None),
            ("zz", None),
        ];
        for (text, want) in cases {
            assert_eq!(from_hex(text), want, "{text}");
        }
    }

    #[test]
    fn base64_table() {
        // RFC 4648 section 10 test vectors, with and without padding, and refusals.
        let cases: [(&str, Option<&[u8]>); 12] = [
            ("", Some(b"")),
            ("Zg==", Some(b"f")),
            ("Zm8=", Some(b"fo")),
            ("Zm9v", Some(b"foo")),
            ("Zm9vYg==", Some(b"foob")),
            ("Zm9vYmE=", Some(b"fooba")),
            ("Zm9vYmFy", Some(b"foobar")),
            ("Zm9vYg", Some(b"foob")),
            ("Zm9v\nYmFy", Some(b"foobar")),
            ("Zm9v!", None),
            ("Zg==Zg", None),
            ("Z", None),
        ];
        for (text, want) in cases {
            assert_eq!(from_base64(text).as_deref(), want, "{text:?}");
        }
    }
}
