//! Archive units: tar and zip entries, read as they stream past and decoded as units of their own (named
//! `bundle.zip!/AWSLogs/...`).

use std::io::{self, Read};

use super::{DecodeOptions, Sink, UnitOutcome, decode_nested, describe_io};
use crate::decode::gzip::{self, cap_exceeded};
use crate::decode::tar_stream::{TarEntry, TarError, TarReader};

pub(super) fn read_tar(
    name: &str,
    stream: &mut dyn Read,
    options: &DecodeOptions,
    sink: &mut dyn Sink,
    depth: u32,
) -> Result<(), String> {
    let mut archive = TarReader::new(stream);
    loop {
        let entry = match archive.next_entry() {
            Ok(Some(entry)) => entry,
            Ok(None) => return Ok(()),
            Err(TarError::Io(e)) => return Err(format!("damaged tar archive: {}", describe_io(&e))),
            Err(e) => return Err(format!("damaged tar archive: {e}")),
        };
        match entry {
            TarEntry::File { path } => {
                decode_nested(&format!("{name}!/{path}"), &mut archive, options, sink, depth + 1);
            }
            // Counted as a bad entry of its own; its data is skipped with the next entry.
            TarEntry::Rejected { path, reason } => {
                let mut outcome = UnitOutcome::new(&format!("{name}!/{path}"));
                outcome.failure = Some(reason);
                sink.unit_done(outcome);
            }
        }
    }
}

pub(super) fn read_zip(
    name: &str,
    stream: &mut dyn Read,
    options: &DecodeOptions,
    sink: &mut dyn Sink,
    depth: u32,
) -> Result<(), String> {
    let mut stream = stream;
    loop {
        let entry =
            zip::read::read_zipfile_from_stream(&mut stream).map_err(|e| format!("damaged zip archive: {e}"))?;
        let Some(mut entry) = entry else { return Ok(()) };
        if !entry.is_file() {
            continue;
        }
        let path = match entry.name() {
            Ok(path) => path.into_owned(),
            Err(e) => format!("<unreadable entry name: {e}>"),
        };
        // Entries are deflated: the decompression cap applies to each, as to a gzip stream.
        let mut capped = gzip::Capped::new(&mut entry, options.max_decompressed_bytes);
        decode_nested(&format!("{name}!/{path}"), &mut capped, options, sink, depth + 1);
        // Drain what the decoder did not read so the stream is positioned at the next entry (and its checksum is
        // verified). Past the cap the entry is already reported; dropping it skips its compressed bytes unread.
        match io::copy(&mut capped, &mut io::sink()) {
            Err(e) if cap_exceeded(&e).is_some() => {}
            Err(e) => return Err(format!("damaged zip entry {path}: {e}")),
            Ok(_) => {}
        }
    }
}
