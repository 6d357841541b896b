//! Content sniffing: what a byte stream is, from its first bytes, never from its name.

/// What the first bytes of a stream look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// Nothing at all (or only whitespace).
    Empty,
    /// gzip member (`1f 8b 08`).
    Gzip,
    /// zip archive (`PK\x03\x04`, or an empty zip's `PK\x05\x06`).
    Zip,
    /// POSIX/GNU tar (`ustar` magic at offset 257).
    Tar,
    /// Apache Parquet (`PAR1`; the footer at the end says the rest).
    Parquet,
    /// JSON text starting with `{` (an object: Records wrapper, a record, NDJSON, a digest, a policy).
    JsonObject,
    /// JSON text starting with `[` (a bare array of records).
    JsonArray,
    /// Other text; may be an S3 server access log (the caller checks the first line).
    Text,
    /// Binary data of no known kind.
    Binary,
}

/// How many leading bytes [`sniff`] wants to see (enough for the tar magic).
pub const SNIFF_LEN: usize = 512;

/// Classifies a stream by its first bytes (pass up to [`SNIFF_LEN`] bytes; fewer at end of stream).
pub fn sniff(head: &[u8]) -> Sniffed {
    if head.len() >= 3 && head[0] == 0x1f && head[1] == 0x8b && head[2] == 0x08 {
        return Sniffed::Gzip;
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Sniffed::Zip;
    }
    if head.starts_with(b"PAR1") {
        return Sniffed::Parquet;
    }
    if head.len() >= 262 && &head[257..262] == b"ustar" {
        return Sniffed::Tar;
    }
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    match text.iter().find(|b| !b.is_ascii_whitespace()) {
        None => Sniffed::Empty,
        Some(b'{') => Sniffed::JsonObject,
        Some(b'[') => Sniffed::JsonArray,
        Some(_) if looks_textual(text) => Sniffed::Text,
        Some(_) => Sniffed::Binary,
    }
}

/// True when the bytes are mostly printable (allowing UTF-8 and a few control characters).
fn looks_textual(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(SNIFF_LEN)];
    let suspicious =
        sample.iter().filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x1b))).count();
    suspicious * 20 <= sample.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        let cases: Vec<(&[u8], Sniffed)> = vec![
            (b"", Sniffed::Empty),
            (b"  \n\t", Sniffed::Empty),
            (b"\x1f\x8b\x08\x00\x00", Sniffed::Gzip),
            (b"\x1f\x8b", Sniffed::Binary),
            (b"PK\x03\x04rest", Sniffed::Zip),
            (b"PK\x05\x06", Sniffed::Zip),
            (b"PAR1\x15\x04\x15", Sniffed::Parquet),
            (b"PAR", Sniffed::Text),
            (&tar, Sniffed::Tar),
            (b"{\"Records\":[]}", Sniffed::JsonObject),
            (b"\xEF\xBB\xBF  {\"a\":1}", Sniffed::JsonObject),
            (b"\n[{}]", Sniffed::JsonArray),
            (b"79a59df9 bucket [06/Feb/2019:00:00:38 +0000] 192.0.2.3", Sniffed::Text),
            (b"\x00\x01\x02\x03\x04\x05garbage\x00\x00\x00", Sniffed::Binary),
        ];
        for (input, expected) in cases {
            assert_eq!(sniff(input), expected, "{:?}", String::from_utf8_lossy(input));
        }
    }
}
