//! Whole-buffer gzip inflation with libdeflate: the fast path for log objects that fit in memory.
//!
//! libdeflate decompresses about twice as fast as the streaming zlib backends, but only from a complete
//! buffer into a complete buffer. CloudTrail objects are single-member gzip files of a few MB, so the
//! unit decoder reads a compressed object whole and inflates it here when the result fits a memory limit.
//! Everything this path does not handle — output over the limit, damaged or truncated data, trailing
//! garbage — is reported as such, and the caller falls back to the streaming path in [`super::gzip`],
//! which recovers every byte before the damage and names the error. So this path only ever adds speed.
//!
//! The FFI calls into libdeflate (through `libdeflate-sys`) are `unsafe`, each with its safety argument; the
//! crate's only other `unsafe` is the process allocator (`alloc`) and the splitter's SSE2 loads
//! (`json_split::blocks`).

use std::ptr::NonNull;

use libdeflate_sys::{
    libdeflate_alloc_decompressor, libdeflate_decompressor, libdeflate_free_decompressor,
    libdeflate_gzip_decompress_ex, libdeflate_result_LIBDEFLATE_INSUFFICIENT_SPACE,
    libdeflate_result_LIBDEFLATE_SUCCESS,
};

/// What [`Inflater::inflate_all`] made of a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inflated {
    /// Every member inflated; the output holds all of it.
    Complete,
    /// The output would pass the limit: use the streaming path (which enforces the real cap).
    OverLimit,
    /// Not valid gzip from here on (damaged, truncated, trailing garbage): use the streaming path to
    /// recover what precedes the damage and to name it.
    Damaged,
}

/// One libdeflate decompressor (about 10 KB of tables); keep one per thread and reuse it.
pub struct Inflater {
    decompressor: NonNull<libdeflate_decompressor>,
}

// SAFETY: a libdeflate decompressor holds no thread-affine state; it is only used through `&mut self`.
unsafe impl Send for Inflater {}

impl Default for Inflater {
    fn default() -> Self {
        Self::new()
    }
}

impl Inflater {
    pub fn new() -> Self {
        // SAFETY: plain allocation; a null result (out of memory) is handled below.
        let raw = unsafe { libdeflate_alloc_decompressor() };
        let decompressor = NonNull::new(raw).unwrap_or_else(|| std::alloc::handle_alloc_error(layout_hint()));
        Inflater { decompressor }
    }

    /// Inflates every gzip member of `compressed` into `out` (cleared first, its capacity reused) as long
    /// as the total stays within `limit` bytes.
    pub fn inflate_all(&mut self, compressed: &[u8], limit: usize, out: &mut Vec<u8>) -> Inflated {
        out.clear();
        if trailer_size(compressed) / MAX_PLAUSIBLE_RATIO > compressed.len() {
            // A decompression bomb (or a lying trailer): don't allocate for it, let the streaming path meet the cap.
            return Inflated::OverLimit;
        }
        let mut input = compressed;
        while !input.is_empty() {
            let room = limit - out.len();
            let mut avail = first_guess(input).min(room);
            loop {
                out.reserve(avail);
                let (consumed, produced, result) = self.member(input, out, avail);
                if result == libdeflate_result_LIBDEFLATE_SUCCESS {
                    // SAFETY: libdeflate wrote exactly `produced` (≤ avail ≤ spare capacity) initialized bytes
                    // right after the current length.
                    unsafe { out.set_len(out.len() + produced) };
                    input = &input[consumed..];
                    break;
                }
                if result != libdeflate_result_LIBDEFLATE_INSUFFICIENT_SPACE {
                    return Inflated::Damaged;
                }
                if avail >= room {
                    return Inflated::OverLimit;
                }
                avail = avail.saturating_mul(2).min(room);
            }
        }
        Inflated::Complete
    }

    /// Inflates one member into the spare capacity of `out` (at most `avail` bytes).
    fn member(&mut self, input: &[u8], out: &mut Vec<u8>, avail: usize) -> (usize, usize, u32) {
        debug_assert!(out.capacity() - out.len() >= avail);
        let (mut consumed, mut produced) = (0usize, 0usize);
        // SAFETY: `input` is a live slice; the output pointer addresses `avail` bytes of `out`'s spare
        // capacity (reserved by the caller), which libdeflate only writes; both out-params are valid.
        let result = unsafe {
            libdeflate_gzip_decompress_ex(
                self.decompressor.as_ptr(),
                input.as_ptr().cast(),
                input.len(),
                out.as_mut_ptr().add(out.len()).cast(),
                avail,
                &mut consumed,
                &mut produced,
            )
        };
        (consumed.min(input.len()), produced.min(avail), result)
    }
}

impl Drop for Inflater {
    fn drop(&mut self) {
        // SAFETY: allocated by `libdeflate_alloc_decompressor`, freed exactly once.
        unsafe { libdeflate_free_decompressor(self.decompressor.as_ptr()) }
    }
}

fn layout_hint() -> std::alloc::Layout {
    std::alloc::Layout::new::<[u8; 32 * 1024]>()
}

/// Logs compress about 10:1; a trailer promising more than this ratio is not believed (bombs reach 1000:1).
const MAX_PLAUSIBLE_RATIO: usize = 64;

/// The output size to try first for the member at the start of `input`. A gzip file ends with ISIZE, the
/// size of its last member mod 2^32: exact for the usual single-member file. When it is implausibly small
/// (several members, or a lie), a JSON-like ratio is assumed instead; too small a guess only costs a retry.
fn first_guess(input: &[u8]) -> usize {
    let isize = trailer_size(input);
    if isize >= input.len() / 2 { isize } else { input.len().saturating_mul(8).max(4096) }
}

/// ISIZE, the last four bytes of a gzip file (0 when there are fewer).
fn trailer_size(input: &[u8]) -> usize {
    match input.len().checked_sub(4) {
        Some(at) => u32::from_le_bytes([input[at], input[at + 1], input[at + 2], input[at + 3]]) as usize,
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::new(6));
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn json_like(records: usize) -> Vec<u8> {
        (0..records)
            .flat_map(|i| format!("{{\"eventID\":\"{i}\",\"eventName\":\"GetObject\"}},").into_bytes())
            .collect()
    }

    /// The first half of a gzip stream, its last four bytes set to a small "size" so the trailer check passes.
    fn truncated_with_small_tail(whole: &[u8]) -> Vec<u8> {
        let mut cut = whole[..whole.len() / 2].to_vec();
        let n = cut.len();
        cut[n - 4..].copy_from_slice(&1000u32.to_le_bytes());
        cut
    }

    #[test]
    fn table_of_shapes() {
        let body = json_like(5000);
        let one = gzip(&body);
        let two = [gzip(b"first member\n"), gzip(&body)].concat();
        let empty_member = gzip(b"");
        let mut lying_isize = one.clone();
        let n = lying_isize.len();
        lying_isize[n - 4..].copy_from_slice(&1u32.to_le_bytes());
        // (name, input, limit, verdict, bytes expected when complete)
        type Case = (&'static str, Vec<u8>, usize, Inflated, Option<Vec<u8>>);
        let cases: Vec<Case> = vec![
            ("single member", one.clone(), 1 << 30, Inflated::Complete, Some(body.clone())),
            (
                "two members",
                two,
                1 << 30,
                Inflated::Complete,
                Some([b"first member\n".to_vec(), body.clone()].concat()),
            ),
            ("empty member", empty_member, 1 << 30, Inflated::Complete, Some(Vec::new())),
            ("exactly at the limit", one.clone(), body.len(), Inflated::Complete, Some(body.clone())),
            ("one byte over the limit", one.clone(), body.len() - 1, Inflated::OverLimit, None),
            // Cut mid-stream, the "trailer" is arbitrary bytes: refused as damaged or as implausibly large,
            // both of which send the caller to the streaming path. This cut lands on a small "trailer".
            ("truncated", truncated_with_small_tail(&one), 1 << 30, Inflated::Damaged, None),
            ("trailing garbage", [one.clone(), b"\0\0\0".to_vec()].concat(), 1 << 30, Inflated::Damaged, None),
            ("not gzip", b"{\"Records\":[]}\x10\0\0\0".to_vec(), 1 << 30, Inflated::Damaged, None),
            // A wrong ISIZE trailer breaks the checksum check: damaged, never silently short.
            ("lying ISIZE", lying_isize, 1 << 30, Inflated::Damaged, None),
            ("a bomb's trailer is not believed", gzip(&vec![b'['; 8 << 20]), 1 << 30, Inflated::OverLimit, None),
        ];
        let mut inflater = Inflater::new();
        let mut out = Vec::new();
        for (name, input, limit, want, want_bytes) in cases {
            assert_eq!(inflater.inflate_all(&input, limit, &mut out), want, "{name}");
            if let Some(bytes) = want_bytes {
                assert_eq!(out, bytes, "{name}");
            }
        }
    }

    #[test]
    fn an_empty_buffer_is_complete_and_empty() {
        let mut out = vec![1, 2, 3];
        assert_eq!(Inflater::new().inflate_all(&[], 100, &mut out), Inflated::Complete);
        assert!(out.is_empty());
    }
}
