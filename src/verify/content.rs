//! The SHA-256 of a file's uncompressed content, as digests record it (CloudTrail hashes the log before
//! compressing it). A gzip file must be exactly one complete gzip member: data after the end of the stream
//! makes the file invalid, as in the AWS CLI's validator, because a decoder reading every member would see
//! records the hash never covered. A file that is not gzip is taken as an uncompressed copy and hashed as is.
//! Streams: memory is one buffer, whatever the file's size (a digest's content is kept, up to a cap).

use std::io::{self, BufRead, BufReader, Read};

use aws_lc_rs::digest::{Context, SHA256};

/// Why a file's content could not be hashed as CloudTrail delivered it.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    #[error("not one complete gzip stream: {0}")]
    Damaged(String),
    #[error("data after the end of the gzip stream")]
    TrailingData,
    #[error("uncompressed content over {0} bytes")]
    TooLarge(u64),
    #[error("cannot read: {0}")]
    Read(io::Error),
}

/// A file's hash, and its uncompressed content when it was asked for.
#[derive(Debug)]
pub struct Content {
    pub sha256: [u8; 32],
    pub kept: Option<Vec<u8>>,
    /// Uncompressed bytes hashed.
    pub bytes: u64,
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(aws_lc_rs::digest::digest(&SHA256, bytes).as_ref());
    out
}

/// Hashes the uncompressed content of `reader` (at most `cap` bytes), keeping it when `keep` is set.
pub fn hash_content(reader: impl Read, cap: u64, keep: bool) -> Result<Content, ContentError> {
    let mut input = BufReader::with_capacity(64 * 1024, reader);
    let gzip = input.fill_buf().map_err(ContentError::Read)?.starts_with(&[0x1f, 0x8b]);
    let mut sink = Hashing { context: Context::new(&SHA256), kept: keep.then(Vec::new), bytes: 0 };
    if gzip {
        let mut decoder = flate2::bufread::GzDecoder::new(&mut input);
        copy_capped(&mut decoder, &mut sink, cap).map_err(|e| match e {
            Copy::Read(e) => ContentError::Damaged(e.to_string()),
            Copy::Cap => ContentError::TooLarge(cap),
        })?;
        drop(decoder);
        if !input.fill_buf().map_err(ContentError::Read)?.is_empty() {
            return Err(ContentError::TrailingData);
        }
    } else {
        copy_capped(&mut input, &mut sink, cap).map_err(|e| match e {
            Copy::Read(e) => ContentError::Read(e),
            Copy::Cap => ContentError::TooLarge(cap),
        })?;
    }
    let mut sha256 = [0u8; 32];
    sha256.copy_from_slice(sink.context.finish().as_ref());
    Ok(Content { sha256, kept: sink.kept, bytes: sink.bytes })
}

struct Hashing {
    context: Context,
    kept: Option<Vec<u8>>,
    bytes: u64,
}

enum Copy {
    Read(io::Error),
    Cap,
}

fn copy_capped(reader: &mut impl Read, sink: &mut Hashing, cap: u64) -> Result<(), Copy> {
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Copy::Read(e)),
        };
        sink.bytes += n as u64;
        if sink.bytes > cap {
            return Err(Copy::Cap);
        }
        sink.context.update(&buffer[..n]);
        if let Some(kept) = &mut sink.kept {
            kept.extend_from_slice(&buffer[..n]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::encoding::to_hex;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn table_of_shapes() {
        let body = br#"{"Records":[]}"#;
        let want = to_hex(&sha256(body));
        let one = gzip(body);
        // (name, bytes, Ok(hash) or Err(error text))
        let cases: Vec<(&str, Vec<u8>, Result<String, &str>)> = vec![
            ("one member", one.clone(), Ok(want.clone())),
            ("uncompressed copy", body.to_vec(), Ok(want.clone())),
            ("two members", [one.clone(), gzip(b"more")].concat(), Err("data after the end of the gzip stream")),
            ("trailing zeros", [one.clone(), vec![0; 4]].concat(), Err("data after the end of the gzip stream")),
            ("truncated", one[..one.len() - 6].to_vec(), Err("not one complete gzip stream")),
            ("empty file", Vec::new(), Ok(to_hex(&sha256(b"")))),
        ];
        for (name, bytes, want) in cases {
            let got = hash_content(&bytes[..], 1 << 20, false).map(|c| to_hex(&c.sha256)).map_err(|e| e.to_string());
            match want {
                Ok(hash) => assert_eq!(got.as_deref(), Ok(hash.as_str()), "{name}"),
                Err(text) => assert!(got.as_ref().is_err_and(|e| e.starts_with(text)), "{name}: {got:?}"),
            }
        }
    }

    #[test]
    fn keeps_content_when_asked_and_stops_at_the_cap() {
        let body = vec![b'x'; 10_000];
        let content = hash_content(&gzip(&body)[..], 10_000, true).unwrap();
        assert_eq!((content.kept.as_deref(), content.bytes), (Some(&body[..]), 10_000));
        assert!(matches!(hash_content(&gzip(&body)[..], 9_999, false), Err(ContentError::TooLarge(9_999))));
    }
}
