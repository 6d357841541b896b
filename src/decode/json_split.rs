//! A streaming splitter that cuts a JSON byte stream into candidate CloudTrail records without parsing them.
//!
//! It understands every shape users feed in: a `{"Records":[...]}` log file, a bare array of records, one
//! record object, and one record per line (NDJSON, or any run of concatenated top-level values). It only
//! tracks strings, escapes and nesting depth, so it runs at memchr speed and its memory is one record plus one
//! read chunk, whatever the file size. Because each record is cut out on its own:
//! - a truncated file still yields every complete record before the damage;
//! - a record that fails to parse costs only itself;
//! - records larger than `max_record_bytes` are skipped (and reported) without being buffered.
//!
//! Every piece of the input ends up as exactly one [`Piece`]; the parser decides whether a piece is a record.

use std::io::{self, Read};

use super::cloudtrail::PARSE_PADDING;
use blocks::{BLOCK, Inside, Skipped};

mod blocks;

/// Deepest nesting accepted inside a record; deeper pieces are reported instead of parsed.
pub const MAX_DEPTH: u32 = 128;

/// One more level of nesting. The counter saturates instead of wrapping: 2^32 opening brackets (4 GiB, within
/// reach of a plain file) would otherwise bring it back to 0 and make the splitter take the inside of a record
/// for the top level. A saturated piece is far past [`MAX_DEPTH`], so it is rejected whatever follows.
#[inline]
pub(super) fn deeper(depth: u32) -> u32 {
    depth.saturating_add(1)
}

const CHUNK: usize = 256 * 1024;
/// The first read's size; each later read doubles it up to [`CHUNK`]. Most log files are small (one object per
/// file is common), and every read zero-fills the space it reads into, so small files stay cheap.
const FIRST_READ: usize = 8 * 1024;

/// One unit cut from the stream.
#[derive(Debug)]
pub enum Piece<'a> {
    /// A candidate record: one JSON value (normally an object), `bytes[..len]`, as raw bytes the parser may
    /// rewrite in place. Up to [`PARSE_PADDING`] bytes of what follows come along (the parser may read them,
    /// never change them), so it can parse the value where it lies instead of copying it.
    Value { bytes: &'a mut [u8], len: usize, offset: u64, too_deep: bool },
    /// A value larger than the configured limit; its bytes were skipped.
    Oversize { offset: u64, size: u64 },
}

/// The splitter's verdict on a stream that ended badly.
#[derive(Debug, thiserror::Error)]
pub enum SplitError {
    #[error("read failed at byte {offset}: {source}")]
    Io { offset: u64, source: io::Error },
    #[error("input ends inside a JSON value at byte {offset} (truncated file)")]
    Truncated { offset: u64 },
}

/// Cuts records out of a JSON stream. Call [`JsonSplitter::next_piece`] until it returns `Ok(None)`.
pub struct JsonSplitter<R> {
    reader: R,
    buf: Vec<u8>,
    /// Absolute stream offset of `buf[0]`.
    base: u64,
    /// Scan position in `buf`.
    pos: usize,
    eof: bool,
    /// Size of the next read (grows from [`FIRST_READ`] to [`CHUNK`]).
    read_size: usize,
    depth: u32,
    in_string: bool,
    escape: bool,
    /// Depth of the array whose elements are records (1: bare array, 2: `Records` in a wrapper object).
    records_array_depth: Option<u32>,
    /// Start of the current piece in `buf` (meaningless while `oversize`: its bytes are being dropped).
    piece_start: Option<usize>,
    /// Absolute stream offset of the current piece.
    piece_offset: u64,
    /// Depth at which the current piece began (its value closes when depth returns here).
    piece_depth: u32,
    /// The current piece is a scalar / garbage run (ends at a delimiter, not at a closing bracket).
    piece_is_scalar: bool,
    piece_too_deep: bool,
    /// The current piece passed the size limit: its bytes are being skipped.
    oversize: bool,
    max_record_bytes: usize,
    /// The block fast lane is not tried before this position in `buf` (it handed a block back to the byte
    /// loop, or too few bytes were left).
    slow_until: usize,
}

impl JsonSplitter<io::Empty> {
    /// A splitter over bytes already in memory: it cuts pieces straight out of `buffer` (no copy), and
    /// [`JsonSplitter::into_buffer`] hands the allocation back.
    pub fn from_buffer(buffer: Vec<u8>, max_record_bytes: usize) -> JsonSplitter<io::Empty> {
        let mut splitter = JsonSplitter::new(io::empty(), max_record_bytes);
        splitter.buf = buffer;
        splitter.eof = true;
        splitter
    }
}

impl<R: Read> JsonSplitter<R> {
    pub fn new(reader: R, max_record_bytes: usize) -> Self {
        JsonSplitter {
            reader,
            buf: Vec::with_capacity(FIRST_READ),
            base: 0,
            pos: 0,
            eof: false,
            read_size: FIRST_READ,
            depth: 0,
            in_string: false,
            escape: false,
            records_array_depth: None,
            piece_start: None,
            piece_offset: 0,
            piece_depth: 0,
            piece_is_scalar: false,
            piece_too_deep: false,
            oversize: false,
            max_record_bytes: max_record_bytes.max(2),
            slow_until: 0,
        }
    }

    /// The buffer, for reuse (its contents are the input, partly rewritten by the parser).
    pub fn into_buffer(self) -> Vec<u8> {
        self.buf
    }

    /// Counts offsets from `offset` (bytes of the stream already consumed before the splitter saw it).
    pub fn starting_at(mut self, offset: u64) -> Self {
        self.base = offset;
        self
    }

    /// Bytes consumed so far (decompressed).
    pub fn bytes_read(&self) -> u64 {
        self.base + self.buf.len() as u64
    }

    /// The next piece, `Ok(None)` at a clean end of stream, or an error when the stream is truncated or
    /// unreadable (every complete piece before the damage has been returned already).
    pub fn next_piece(&mut self) -> Result<Option<Piece<'_>>, SplitError> {
        loop {
            match self.scan() {
                Some(Found::Value(start, end)) => {
                    let offset = self.base + start as u64;
                    let too_deep = self.piece_too_deep;
                    let tail_end = (end + PARSE_PADDING).min(self.buf.len());
                    let bytes = &mut self.buf[start..tail_end];
                    return Ok(Some(Piece::Value { bytes, len: end - start, offset, too_deep }));
                }
                Some(Found::Oversize(offset, size)) => return Ok(Some(Piece::Oversize { offset, size })),
                None => {}
            }
            if self.eof {
                return self.finish();
            }
            self.refill()?;
        }
    }

    fn finish(&mut self) -> Result<Option<Piece<'_>>, SplitError> {
        if let Some(start) = self.piece_start.take() {
            if self.piece_is_scalar && !self.in_string && self.depth == self.piece_depth {
                // A trailing scalar or garbage run at end of input: hand it over for rejection.
                let end = trim_end(&self.buf, start, self.buf.len());
                let offset = self.base + start as u64;
                if end > start {
                    let bytes = &mut self.buf[start..end];
                    return Ok(Some(Piece::Value { bytes, len: end - start, offset, too_deep: false }));
                }
                return Ok(None);
            }
            return Err(SplitError::Truncated { offset: self.base + self.buf.len() as u64 });
        }
        if self.depth > 0 || self.in_string {
            return Err(SplitError::Truncated { offset: self.base + self.buf.len() as u64 });
        }
        Ok(None)
    }

    fn refill(&mut self) -> Result<(), SplitError> {
        // Drop what no longer matters: everything before the current piece (or before the scan position).
        let keep_from = match self.piece_start {
            Some(start) if !self.oversize => start,
            _ => self.pos,
        };
        if keep_from > 0 {
            self.buf.copy_within(keep_from.., 0);
            self.buf.truncate(self.buf.len() - keep_from);
            self.base += keep_from as u64;
            self.pos -= keep_from;
            self.slow_until = self.slow_until.saturating_sub(keep_from);
            if let Some(start) = self.piece_start.as_mut() {
                // While oversize the piece's bytes are dropped; its offset lives in `piece_offset`.
                *start = start.saturating_sub(keep_from);
            }
        }
        let old_len = self.buf.len();
        self.buf.resize(old_len + self.read_size, 0);
        self.read_size = (self.read_size * 2).min(CHUNK);
        let result = loop {
            match self.reader.read(&mut self.buf[old_len..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        match result {
            Ok(0) => {
                self.buf.truncate(old_len);
                self.eof = true;
                Ok(())
            }
            Ok(n) => {
                self.buf.truncate(old_len + n);
                Ok(())
            }
            Err(source) => {
                self.buf.truncate(old_len);
                Err(SplitError::Io { offset: self.base + old_len as u64, source })
            }
        }
    }

    /// Scans from `pos` to the end of the buffer; returns the first completed piece.
    fn scan(&mut self) -> Option<Found> {
        while self.pos < self.buf.len() {
            if self.pos >= self.slow_until && self.inside_record() {
                if let Some(found) = self.skip_blocks() {
                    return Some(found);
                }
                continue;
            }
            if self.in_string {
                if let Some(found) = self.scan_string() {
                    return Some(found);
                }
                if self.in_string {
                    break;
                }
                continue;
            }
            let at = self.pos;
            let byte = self.buf[at];
            self.pos += 1;
            match self.on_byte(at, byte) {
                Step::Go => {}
                Step::Found(found) => return Some(found),
                Step::NeedMore => {
                    self.pos = at;
                    self.check_size();
                    return None;
                }
            }
        }
        self.check_size();
        None
    }

    /// True inside a record of a records array (not at its first byte): the block fast lane applies.
    fn inside_record(&self) -> bool {
        self.records_array_depth.is_some()
            && self.piece_start.is_some()
            && !self.piece_is_scalar
            && self.depth > self.piece_depth
    }

    /// Runs the block fast lane from `pos`; returns the piece if it closed. Otherwise the byte loop takes over
    /// for at least one block (or up to the end of the buffer).
    fn skip_blocks(&mut self) -> Option<Found> {
        let mut state =
            Inside { depth: self.depth, in_string: self.in_string, escape: self.escape, too_deep: self.piece_too_deep };
        let skipped = blocks::skip(&self.buf[self.pos..], &mut state, self.piece_depth, MAX_DEPTH);
        self.depth = state.depth;
        self.in_string = state.in_string;
        self.escape = state.escape;
        self.piece_too_deep = state.too_deep;
        match skipped {
            Skipped::Closed(end) => {
                self.pos += end;
                self.end_piece(self.pos)
            }
            Skipped::Open(consumed) => {
                self.pos += consumed;
                self.slow_until = self.pos + BLOCK;
                None
            }
        }
    }

    /// True while reading a top-level value that may be one NDJSON line (no records array around it).
    fn in_line_mode(&self) -> bool {
        self.records_array_depth.is_none() && self.piece_start.is_some() && self.piece_depth == 0
    }

    /// Advances through a string body to its closing quote (or the end of the buffer). In line mode a raw
    /// newline inside a string (illegal in JSON) means the line was cut: the piece ends there so the next
    /// line is read on its own.
    fn scan_string(&mut self) -> Option<Found> {
        let len = self.buf.len();
        if self.escape {
            self.escape = false;
            self.pos += 1;
        }
        let line_mode = self.in_line_mode();
        while self.pos < len {
            let hit = find_string_stop(&self.buf[self.pos..len], line_mode);
            let Some(i) = hit else {
                self.pos = len;
                return None;
            };
            let at = self.pos + i;
            match self.buf[at] {
                b'\\' if at + 1 >= len => {
                    self.escape = true;
                    self.pos = len;
                    return None;
                }
                b'\\' => self.pos = at + 2,
                b'\n' => {
                    self.pos = at + 1;
                    self.in_string = false;
                    return self.cut_broken_line(at);
                }
                _ => {
                    self.pos = at + 1;
                    self.in_string = false;
                    return None;
                }
            }
        }
        None
    }

    /// Ends a top-level piece that a line break proved broken; the parser will reject its bytes.
    fn cut_broken_line(&mut self, at: usize) -> Option<Found> {
        self.depth = 0;
        self.piece_too_deep = false;
        let start = self.piece_start?;
        if self.oversize {
            return self.end_piece(at);
        }
        let end = trim_end(&self.buf, start, at);
        self.piece_start = None;
        Some(Found::Value(start, end))
    }

    fn on_byte(&mut self, at: usize, byte: u8) -> Step {
        let garbage_run = self.piece_is_scalar && self.piece_start.is_some() && self.depth == self.piece_depth;
        match byte {
            b'"' if garbage_run && self.depth == 0 => Step::Go,
            b'"' => {
                self.begin_piece_if_element(at, true);
                self.in_string = true;
                Step::Go
            }
            b'{' | b'[' if garbage_run => Step::Go,
            b'{' | b'[' => {
                self.begin_piece_if_element(at, false);
                self.depth = deeper(self.depth);
                if self.depth > MAX_DEPTH {
                    self.piece_too_deep = true;
                }
                if byte == b'[' {
                    self.on_array_open(at);
                }
                Step::Go
            }
            b']' if garbage_run && self.records_array_depth == Some(self.depth) => {
                // `]` ends both the scalar element and the records array.
                let found = self.end_scalar(at);
                self.depth -= 1;
                self.records_array_depth = None;
                Step::from(found)
            }
            b'}' | b']' if garbage_run => Step::Go,
            b'}' | b']' if self.depth == 0 => {
                // A stray closing bracket at top level: start a garbage run so it gets reported.
                self.start_piece(at, true);
                Step::Go
            }
            b'}' | b']' => {
                if byte == b']' && self.records_array_depth == Some(self.depth) {
                    self.records_array_depth = None;
                }
                self.depth -= 1;
                if self.piece_start.is_some() && !self.piece_is_scalar && self.depth == self.piece_depth {
                    return Step::from(self.end_piece(at + 1));
                }
                Step::Go
            }
            b',' if garbage_run && self.depth > 0 => Step::from(self.end_scalar(at)),
            b'\n' if garbage_run && self.depth == 0 => Step::from(self.end_scalar(at)),
            b'\n' if self.in_line_mode() && !self.piece_is_scalar => self.check_line_start(at),
            b' ' | b'\t' | b'\r' | b'\n' | b',' | b':' => Step::Go,
            _ => {
                self.begin_piece_if_element(at, true);
                Step::Go
            }
        }
    }

    /// In line mode, a new line that starts with `{"` while an object is still open means the previous line
    /// was cut short (NDJSON with a damaged line): end the broken piece so the next line is read on its own.
    /// Pretty-printed records indent their nested lines, so they are not affected.
    fn check_line_start(&mut self, at: usize) -> Step {
        if self.buf.len() < at + 3 {
            return if self.eof { Step::Go } else { Step::NeedMore };
        }
        if &self.buf[at + 1..at + 3] == b"{\"" {
            return Step::from(self.cut_broken_line(at));
        }
        Step::Go
    }

    /// At an element position (top level, or directly inside the records array), a value starts a piece.
    fn begin_piece_if_element(&mut self, at: usize, scalar: bool) {
        if self.piece_start.is_some() {
            return;
        }
        let at_element = self.depth == 0 || self.records_array_depth == Some(self.depth);
        if at_element {
            // A bare `[` at top level is the records array itself, not a piece.
            if self.depth == 0 && self.buf[at] == b'[' {
                return;
            }
            self.start_piece(at, scalar);
        }
    }

    fn start_piece(&mut self, at: usize, scalar: bool) {
        self.piece_start = Some(at);
        self.piece_offset = self.base + at as u64;
        self.piece_depth = self.depth;
        self.piece_is_scalar = scalar && self.buf[at] != b'"';
        self.piece_too_deep = false;
        self.oversize = false;
        if self.buf[at] == b'"' {
            // A string element: treat it as a scalar run ending at the next delimiter.
            self.piece_is_scalar = true;
        }
    }

    fn on_array_open(&mut self, at: usize) {
        if self.depth == 1 && self.piece_start.is_none() {
            self.records_array_depth = Some(1);
            return;
        }
        // `"Records": [` directly inside a top-level object: the object is a log-file wrapper, not a record.
        if self.depth == 2
            && self.piece_depth == 0
            && self.piece_start.is_some()
            && !self.piece_is_scalar
            && preceded_by_records_key(&self.buf[..at])
        {
            self.records_array_depth = Some(2);
            self.piece_start = None;
            self.oversize = false;
        }
    }

    fn end_piece(&mut self, end: usize) -> Option<Found> {
        let start = self.piece_start.take()?;
        let size = self.base + end as u64 - self.piece_offset;
        if self.oversize || size > self.max_record_bytes as u64 {
            self.oversize = false;
            return Some(Found::Oversize(self.piece_offset, size));
        }
        Some(Found::Value(start, end))
    }

    fn end_scalar(&mut self, at: usize) -> Option<Found> {
        let start = self.piece_start?;
        let end = trim_end(&self.buf, start, at);
        if end == start {
            self.piece_start = None;
            return None;
        }
        self.end_piece(end)
    }

    /// Once the current piece passes the size limit, stop keeping its bytes; it is reported when it closes.
    fn check_size(&mut self) {
        if self.piece_start.is_some() && self.base + self.pos as u64 - self.piece_offset > self.max_record_bytes as u64
        {
            self.oversize = true;
        }
    }
}

enum Found {
    Value(usize, usize),
    Oversize(u64, u64),
}

/// What one scanned byte means for the scan loop.
enum Step {
    Go,
    Found(Found),
    /// A decision needs bytes past the end of the buffer: rescan this byte after the next read.
    NeedMore,
}

impl From<Option<Found>> for Step {
    fn from(found: Option<Found>) -> Step {
        found.map_or(Step::Go, Step::Found)
    }
}

/// The first byte that ends or interrupts a string body: a quote, a backslash, or (in line mode) a newline.
/// Most CloudTrail strings are short, too short for a memchr call to pay off, so this tests eight bytes at a
/// time in a plain `u64` (the classic "has zero byte" trick, exact for the lowest match), and hands long
/// strings to memchr.
#[inline]
fn find_string_stop(window: &[u8], line_mode: bool) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const LONG: usize = 64;
    let zero_bytes = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let newline = if line_mode { b'\n' } else { b'"' };
    let mut words = window.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let w = u64::from_le_bytes(word.try_into().expect("chunks_exact yields 8 bytes"));
        let hits = zero_bytes(w ^ (ONES * u64::from(b'"')))
            | zero_bytes(w ^ (ONES * u64::from(b'\\')))
            | zero_bytes(w ^ (ONES * u64::from(newline)));
        if hits != 0 {
            return Some(at + (hits.trailing_zeros() / 8) as usize);
        }
        at += 8;
        if at == LONG {
            // A long string (a policy document, a user agent): memchr's vector loop is faster from here.
            let rest = &window[at..];
            let hit =
                if line_mode { memchr::memchr3(b'"', b'\\', b'\n', rest) } else { memchr::memchr2(b'"', b'\\', rest) };
            return hit.map(|i| at + i);
        }
    }
    let stops = |b: u8| b == b'"' || b == b'\\' || b == newline;
    words.remainder().iter().position(|&b| stops(b)).map(|i| at + i)
}

fn trim_end(buf: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && buf[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    end
}

/// True when `before` ends with `"Records"` followed by optional whitespace and a colon.
fn preceded_by_records_key(before: &[u8]) -> bool {
    let mut end = before.len();
    while end > 0 && before[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    if end == 0 || before[end - 1] != b':' {
        return false;
    }
    end -= 1;
    while end > 0 && before[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    before[..end].ends_with(b"\"Records\"")
}

#[cfg(test)]
mod tests;
