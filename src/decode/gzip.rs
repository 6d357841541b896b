//! gzip decompression (multi-member, streaming) with a hard cap on the decompressed size, so a
//! decompression bomb stops with a clear error instead of filling memory or disk.

use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::MultiGzDecoder;

/// The error put inside `io::Error` when the cap is reached; find it with [`cap_exceeded`].
#[derive(Debug, thiserror::Error)]
#[error("decompressed size exceeds the cap of {cap} bytes (raise --max-decompressed-bytes if this is a real log)")]
pub struct CapExceeded {
    pub cap: u64,
}

/// Returns the cap error inside an I/O error, if that is what it is.
pub fn cap_exceeded(error: &io::Error) -> Option<&CapExceeded> {
    error.get_ref().and_then(|inner| inner.downcast_ref::<CapExceeded>())
}

/// A reader that fails once more than `cap` bytes have come through.
pub struct Capped<R> {
    inner: R,
    remaining: u64,
    cap: u64,
}

impl<R: Read> Capped<R> {
    pub fn new(inner: R, cap: u64) -> Self {
        Capped { inner, remaining: cap, cap }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        if self.remaining == 0 {
            // Probe one byte: exactly `cap` bytes is fine, one more is not.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::other(CapExceeded { cap: self.cap })),
            };
        }
        let limit = out.len().min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut out[..limit])?;
        self.remaining -= n as u64;
        Ok(n)
    }
}

/// Decompresses every gzip member of `compressed` (CloudTrail objects are one member; `cat a.gz b.gz` is
/// two), failing with [`CapExceeded`] past `cap` decompressed bytes. A truncated stream yields everything
/// before the damage and then an `UnexpectedEof` error.
pub fn decompress<R: BufRead>(compressed: R, cap: u64) -> Capped<BufReader<MultiGzDecoder<R>>> {
    Capped::new(BufReader::with_capacity(256 * 1024, MultiGzDecoder::new(compressed)), cap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn read_all(compressed: &[u8], cap: u64) -> (Vec<u8>, Option<io::Error>) {
        let mut reader = decompress(compressed, cap);
        let mut out = Vec::new();
        let mut chunk = [0u8; 100];
        loop {
            match reader.read(&mut chunk) {
                Ok(0) => return (out, None),
                Ok(n) => out.extend_from_slice(&chunk[..n]),
                Err(e) => return (out, Some(e)),
            }
        }
    }

    #[test]
    fn reads_multi_member_streams() {
        let mut data = gzip(b"hello ");
        data.extend(gzip(b"world"));
        let (out, err) = read_all(&data, 1 << 20);
        assert_eq!(out, b"hello world");
        assert!(err.is_none());
    }

    #[test]
    fn stops_at_the_cap() {
        let data = gzip(&vec![b'a'; 10_000]);
        let (out, err) = read_all(&data, 1000);
        assert_eq!(out.len(), 1000);
        let err = err.expect("cap error");
        assert_eq!(cap_exceeded(&err).map(|c| c.cap), Some(1000));
        let (out, err) = read_all(&data, 10_000);
        assert_eq!(out.len(), 10_000);
        assert!(err.is_none(), "exactly the cap is allowed");
    }

    #[test]
    fn truncated_streams_keep_what_came_before() {
        let data = gzip(&(0..200_000u32).flat_map(|i| i.to_le_bytes()).collect::<Vec<_>>());
        let (out, err) = read_all(&data[..data.len() / 2], 1 << 30);
        assert!(!out.is_empty());
        assert!(err.is_some());
    }
}
