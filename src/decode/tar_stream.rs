//! Tar archives read entry by entry as they stream past, with header extensions capped.
//!
//! The tar crate's entry iterator reads every GNU long name (`L`, `K`) and PAX header (`x`) whole into memory
//! before it hands out the entry they describe, however large they claim to be: a 1 MB `.tar.gz` holding a
//! 1 GB long name took 4.2 GB. So the framing is followed here — 512-byte headers, sizes (a PAX `size` record
//! overrides the header's), data padded to 512 bytes, GNU sparse extension blocks — while the tar crate still
//! parses each header's fields ([`tar::Header`]) and the PAX records ([`tar::PaxExtensions`]).
//!
//! An extension larger than [`MAX_EXTENSION_BYTES`] is skipped as it streams past, never held, and the entry it
//! describes is handed out as [`TarEntry::Rejected`] with the reason. The archive goes on after an oversized long
//! name; after an oversized PAX header it cannot (a `size` record in it may move the next header), so it ends
//! there with [`TarError::ExtensionTooLarge`]. Global PAX headers (`g`) and entries that are not regular files
//! are skipped unread, as the tar crate's iterator does for the caller.

use std::io::{self, Read};

/// The largest long name or PAX header held in memory (real ones are a few hundred bytes).
pub const MAX_EXTENSION_BYTES: u64 = 4 << 20;

const BLOCK: u64 = 512;

/// The next regular file of an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TarEntry {
    /// Its data is read through the [`TarReader`] itself, up to the entry's end.
    File { path: String },
    /// Described by a header extension over the cap: its data is skipped.
    Rejected { path: String, reason: String },
}

/// Why the archive cannot be read further (every entry before it was handed out).
#[derive(Debug, thiserror::Error)]
pub enum TarError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("unexpected end of the archive inside a header or an entry at byte {0}")]
    Truncated(u64),
    #[error("header checksum mismatch at byte {0}")]
    Checksum(u64),
    #[error("unreadable size field in the header at byte {0}")]
    Size(u64),
    #[error("two {0} headers describe the same entry (byte {1})")]
    TwoExtensions(&'static str, u64),
    #[error("header extensions at byte {0} describe no entry")]
    Dangling(u64),
    #[error(
        "a PAX header of {size} bytes at byte {offset} exceeds the cap of {MAX_EXTENSION_BYTES} bytes; it may change \
         the next entry's size, so the rest of the archive cannot be framed"
    )]
    ExtensionTooLarge { size: u64, offset: u64 },
}

/// Header extensions read for the next entry.
#[derive(Default)]
struct Pending {
    long_name: Option<Vec<u8>>,
    long_link: bool,
    pax: Option<Vec<u8>>,
    /// Why the next entry is rejected (an extension over the cap).
    rejected: Option<String>,
    /// Offset of the first extension, for errors.
    since: Option<u64>,
}

/// A streaming tar reader. Call [`TarReader::next_entry`]; between calls, reading the reader reads the current
/// file's data (and nothing past its end).
pub struct TarReader<R> {
    inner: R,
    /// Bytes consumed from `inner`.
    offset: u64,
    /// Data of the current entry not read yet.
    data_left: u64,
    /// Padding after the current entry's data.
    padding: u64,
    done: bool,
}

impl<R: Read> TarReader<R> {
    pub fn new(inner: R) -> TarReader<R> {
        TarReader { inner, offset: 0, data_left: 0, padding: 0, done: false }
    }

    /// The next regular file, `Ok(None)` at the end of the archive.
    pub fn next_entry(&mut self) -> Result<Option<TarEntry>, TarError> {
        if self.done {
            return Ok(None);
        }
        let result = self.advance();
        if !matches!(result, Ok(Some(_))) {
            self.done = true;
        }
        result
    }

    fn advance(&mut self) -> Result<Option<TarEntry>, TarError> {
        self.skip(self.data_left + self.padding)?;
        (self.data_left, self.padding) = (0, 0);
        let mut pending = Pending::default();
        loop {
            let at = self.offset;
            let mut block = [0u8; BLOCK as usize];
            if !self.read_block(&mut block)? || block.iter().all(|&b| b == 0) {
                // End of the archive (a zero block, or the end of the stream at a header boundary).
                return match pending.since {
                    Some(since) => Err(TarError::Dangling(since)),
                    None => Ok(None),
                };
            }
            let header = tar::Header::from_byte_slice(&block);
            check_sum(&block, header, at)?;
            let kind = header.entry_type();
            let recognised = header.as_gnu().is_some() || header.as_ustar().is_some();
            let extension = kind.is_gnu_longname() || kind.is_gnu_longlink() || kind.is_pax_local_extensions();
            let size = match pending.pax.as_deref().filter(|_| !extension).and_then(pax_size) {
                Some(size) => size,
                None => header.entry_size().map_err(|_| TarError::Size(at))?,
            };
            if recognised && extension {
                pending.since.get_or_insert(at);
                self.extension(header, size, at, &mut pending)?;
                continue;
            }
            if kind.is_gnu_sparse() && header.as_gnu().is_some_and(|gnu| gnu.is_extended()) {
                self.skip_sparse_blocks()?;
            }
            (self.data_left, self.padding) = (size, padded(size) - size);
            if !kind.is_file() {
                self.skip(self.data_left + self.padding)?;
                (self.data_left, self.padding) = (0, 0);
                pending = Pending::default();
                continue;
            }
            let path = entry_path(header, &pending);
            return Ok(Some(match pending.rejected {
                Some(reason) => TarEntry::Rejected { path, reason },
                None => TarEntry::File { path },
            }));
        }
    }

    /// Takes in one header extension: a long name or a PAX header is read (up to the cap), a long link name
    /// (never used here) is skipped unread.
    fn extension(&mut self, header: &tar::Header, size: u64, at: u64, pending: &mut Pending) -> Result<(), TarError> {
        let kind = header.entry_type();
        let (what, taken) = if kind.is_gnu_longname() {
            ("GNU long name", pending.long_name.is_some() || pending.rejected.is_some())
        } else if kind.is_gnu_longlink() {
            ("GNU long link", pending.long_link)
        } else {
            ("PAX", pending.pax.is_some())
        };
        if taken {
            return Err(TarError::TwoExtensions(what, at));
        }
        if kind.is_gnu_longlink() {
            pending.long_link = true;
            return self.skip(padded(size));
        }
        if size > MAX_EXTENSION_BYTES {
            if kind.is_pax_local_extensions() {
                return Err(TarError::ExtensionTooLarge { size, offset: at });
            }
            pending.rejected = Some(format!(
                "its tar {what} header of {size} bytes (at byte {at}) exceeds the cap of {MAX_EXTENSION_BYTES} bytes; \
                 entry skipped"
            ));
            return self.skip(padded(size));
        }
        let mut data = Vec::with_capacity(size as usize);
        self.read_exact_counted(&mut data, size)?;
        self.skip(padded(size) - size)?;
        if kind.is_gnu_longname() {
            pending.long_name = Some(data);
        } else {
            pending.pax = Some(data);
        }
        Ok(())
    }

    /// Reads one block; false at the end of the stream before its first byte.
    fn read_block(&mut self, block: &mut [u8; BLOCK as usize]) -> Result<bool, TarError> {
        let mut filled = 0;
        while filled < block.len() {
            match self.inner.read(&mut block[filled..]) {
                Ok(0) if filled == 0 => return Ok(false),
                Ok(0) => return Err(TarError::Truncated(self.offset + filled as u64)),
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        self.offset += BLOCK;
        Ok(true)
    }

    /// Reads exactly `size` bytes (at most [`MAX_EXTENSION_BYTES`], checked by the caller) into `data`.
    fn read_exact_counted(&mut self, data: &mut Vec<u8>, size: u64) -> Result<(), TarError> {
        let read = (&mut self.inner).take(size).read_to_end(data)?;
        self.offset += read as u64;
        if (read as u64) < size {
            return Err(TarError::Truncated(self.offset));
        }
        Ok(())
    }

    /// Consumes `amount` bytes without keeping them.
    fn skip(&mut self, amount: u64) -> Result<(), TarError> {
        let skipped = io::copy(&mut (&mut self.inner).take(amount), &mut io::sink())?;
        self.offset += skipped;
        if skipped < amount {
            return Err(TarError::Truncated(self.offset));
        }
        Ok(())
    }

    /// GNU sparse files continue their block map in extension blocks after the header (byte 504 of each says
    /// whether another follows).
    fn skip_sparse_blocks(&mut self) -> Result<(), TarError> {
        loop {
            let mut block = [0u8; BLOCK as usize];
            if !self.read_block(&mut block)? {
                return Err(TarError::Truncated(self.offset));
            }
            if block[504] == 0 {
                return Ok(());
            }
        }
    }
}

impl<R: Read> Read for TarReader<R> {
    /// Reads the current file's data; the end of the entry reads as the end of the stream.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = buf.len().min(usize::try_from(self.data_left).unwrap_or(usize::MAX));
        if want == 0 {
            return Ok(0);
        }
        let n = self.inner.read(&mut buf[..want])?;
        self.data_left -= n as u64;
        self.offset += n as u64;
        Ok(n)
    }
}

fn padded(size: u64) -> u64 {
    size.div_ceil(BLOCK).saturating_mul(BLOCK)
}

/// The header checksum: the sum of its bytes with the checksum field read as spaces.
fn check_sum(block: &[u8; BLOCK as usize], header: &tar::Header, at: u64) -> Result<(), TarError> {
    let sum: u32 = block[..148].iter().chain(&block[156..]).map(|&b| u32::from(b)).sum::<u32>() + 8 * 32;
    match header.cksum() {
        Ok(stored) if stored == sum => Ok(()),
        _ => Err(TarError::Checksum(at)),
    }
}

/// The `size` record of a PAX header, when present and valid.
fn pax_size(pax: &[u8]) -> Option<u64> {
    let record = tar::PaxExtensions::new(pax).map_while(Result::ok).find(|r| r.key_bytes() == b"size")?;
    record.value().ok()?.parse().ok()
}

/// The entry's path: the GNU long name, else the PAX `path`, else the header's own (ustar prefix and name).
fn entry_path(header: &tar::Header, pending: &Pending) -> String {
    let long = pending.long_name.as_deref().filter(|name| !name.is_empty());
    let pax = || {
        let pax = pending.pax.as_deref()?;
        let record = tar::PaxExtensions::new(pax).map_while(Result::ok).find(|r| r.key_bytes() == b"path")?;
        Some(record.value_bytes().to_vec())
    };
    let bytes = match long {
        Some(name) => name.strip_suffix(&[0]).unwrap_or(name).to_vec(),
        None => pax().unwrap_or_else(|| header.path_bytes().into_owned()),
    };
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests;
