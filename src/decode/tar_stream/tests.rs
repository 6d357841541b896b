//! Tar reader tests: the same entries as the tar crate on ordinary archives, and capped extensions on hostile
//! ones (built here, generated as they are read so the test holds none of them).

use super::*;
use proptest::prelude::*;

/// Entries as (path, data) through [`TarReader`], with rejections as (path, "REJECTED: reason"), then the error.
fn read_all(archive: impl Read) -> (Vec<(String, Vec<u8>)>, Option<String>) {
    let mut reader = TarReader::new(archive);
    let mut out = Vec::new();
    loop {
        match reader.next_entry() {
            Ok(Some(TarEntry::File { path })) => {
                let mut data = Vec::new();
                reader.read_to_end(&mut data).unwrap();
                out.push((path, data));
            }
            Ok(Some(TarEntry::Rejected { path, reason })) => out.push((path, format!("REJECTED: {reason}").into())),
            Ok(None) => return (out, None),
            Err(e) => return (out, Some(e.to_string())),
        }
    }
}

/// The same through the tar crate's iterator (the reference on well-formed archives).
fn crate_reads(archive: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = tar::Archive::new(archive);
    let mut out = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        out.push((path, data));
    }
    out
}

fn header(kind: tar::EntryType, path: &str, size: u64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(kind);
    header.set_path(path).unwrap();
    header.set_size(size);
    header.set_mode(0o644);
    header.set_cksum();
    header
}

fn file(builder: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]) {
    let mut header = tar::Header::new_gnu();
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    builder.append_data(&mut header, path, data).unwrap();
}

#[test]
fn reads_what_the_tar_crate_reads() {
    let mut builder = tar::Builder::new(Vec::new());
    file(&mut builder, "a.json", b"{}");
    file(&mut builder, "empty", b"");
    file(&mut builder, "block", &[b'x'; 512]);
    file(&mut builder, "odd", &[b'y'; 513]);
    file(&mut builder, &format!("{}/long-name.json", "d".repeat(150)), b"long");
    builder.append(&header(tar::EntryType::Directory, "dir/", 0), io::empty()).unwrap();
    let mut link = header(tar::EntryType::Symlink, "link", 0);
    link.set_link_name("a.json").unwrap();
    link.set_cksum();
    builder.append(&link, io::empty()).unwrap();
    builder.append_pax_extensions([("path", "pax/path/name.json".as_bytes()), ("mtime", b"1".as_slice())]).unwrap();
    file(&mut builder, "short", b"pax");
    let archive = builder.into_inner().unwrap();
    let (ours, error) = read_all(&archive[..]);
    assert_eq!(error, None);
    assert_eq!(ours, crate_reads(&archive));
    assert_eq!(ours.len(), 6);
    assert_eq!(ours[5], ("pax/path/name.json".to_owned(), b"pax".to_vec()));
}

#[test]
fn a_pax_size_overrides_the_header_size() {
    let mut builder = tar::Builder::new(Vec::new());
    builder.append_pax_extensions([("size", b"600".as_slice())]).unwrap();
    // The header says 0 bytes; the PAX record says 600 (as writers do for sizes a header cannot hold).
    let mut data = vec![b'z'; 600];
    data.resize(1024, 0);
    builder.append(&header(tar::EntryType::Regular, "big", 0), &data[..]).unwrap();
    let mut archive = builder.into_inner().unwrap();
    // `append` wrote the 1024 data bytes after a header of size 0: rewrite it as the 600-byte entry it is.
    let pos = archive.len() - 1024 - 1024 - 512;
    let mut tail = header(tar::EntryType::Regular, "next", 3).as_bytes().to_vec();
    tail.extend_from_slice(b"abc");
    tail.resize(1024, 0);
    archive.truncate(pos + 512 + 1024);
    archive.extend_from_slice(&tail);
    archive.extend_from_slice(&[0; 1024]);
    let (ours, error) = read_all(&archive[..]);
    assert_eq!(error, None);
    assert_eq!(ours, vec![("big".to_owned(), vec![b'z'; 600]), ("next".to_owned(), b"abc".to_vec())]);
    assert_eq!(ours, crate_reads(&archive));
}

/// A reader that makes up `len` bytes of `fill` as it is read.
fn made_up(fill: u8, len: u64) -> impl Read {
    io::repeat(fill).take(len)
}

fn padding(len: u64) -> impl Read {
    io::repeat(0).take(padded(len) - len)
}

#[test]
fn an_oversized_long_name_rejects_its_entry_and_the_archive_goes_on() {
    for len in [MAX_EXTENSION_BYTES + 1, 64 << 20] {
        let long = header(tar::EntryType::GNULongName, "././@LongLink", len);
        let victim = header(tar::EntryType::Regular, "short-name", 4);
        let after = header(tar::EntryType::Regular, "after.json", 2);
        let archive = (&long.as_bytes()[..])
            .chain(made_up(b'n', len))
            .chain(padding(len))
            .chain(&victim.as_bytes()[..])
            .chain(&b"data"[..])
            .chain(padding(4))
            .chain(&after.as_bytes()[..])
            .chain(&b"{}"[..])
            .chain(padding(2))
            .chain(io::repeat(0).take(1024));
        let (ours, error) = read_all(archive);
        assert_eq!(error, None, "{len}");
        let reason = format!(
            "REJECTED: its tar GNU long name header of {len} bytes (at byte 0) exceeds the cap of 4194304 bytes; entry skipped"
        );
        assert_eq!(ours, vec![("short-name".to_owned(), reason.into()), ("after.json".to_owned(), b"{}".to_vec())]);
    }
}

#[test]
fn damage_ends_the_archive_with_a_reason() {
    let pax = header(tar::EntryType::XHeader, "pax", 64 << 20);
    let huge_pax = (&pax.as_bytes()[..]).chain(made_up(b'p', 64 << 20));
    let (ours, error) = read_all(huge_pax);
    assert!(ours.is_empty());
    assert_eq!(
        error.as_deref(),
        Some(
            "a PAX header of 67108864 bytes at byte 0 exceeds the cap of 4194304 bytes; it may change the next entry's \
             size, so the rest of the archive cannot be framed"
        )
    );
    let mut bad_sum = header(tar::EntryType::Regular, "a", 0).as_bytes().to_vec();
    bad_sum[0] ^= 1;
    assert_eq!(read_all(&bad_sum[..]).1.as_deref(), Some("header checksum mismatch at byte 0"));
    let cut = header(tar::EntryType::Regular, "a", 100);
    let (ours, error) = read_all((&cut.as_bytes()[..]).chain(&b"abc"[..]));
    assert_eq!(ours, vec![("a".to_owned(), b"abc".to_vec())]);
    assert_eq!(error.as_deref(), Some("unexpected end of the archive inside a header or an entry at byte 515"));
    let name = header(tar::EntryType::GNULongName, "././@LongLink", 3);
    let dangling = (&name.as_bytes()[..]).chain(&b"abc"[..]).chain(padding(3));
    assert_eq!(read_all(dangling).1.as_deref(), Some("header extensions at byte 0 describe no entry"));
    assert_eq!(
        read_all(&[1u8; 100][..]).1.as_deref(),
        Some("unexpected end of the archive inside a header or an entry at byte 100")
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Any list of files (names of any length, any sizes) reads back the same as through the tar crate.
    #[test]
    fn agrees_with_the_tar_crate(files in proptest::collection::vec(("[a-z/]{1,200}", 0usize..1500), 0..6)) {
        let mut builder = tar::Builder::new(Vec::new());
        for (i, (name, size)) in files.iter().enumerate() {
            let name = format!("{i}{}", name.trim_matches('/'));
            file(&mut builder, &name, &vec![i as u8; *size]);
        }
        let archive = builder.into_inner().unwrap();
        let (ours, error) = read_all(&archive[..]);
        prop_assert_eq!(error, None);
        prop_assert_eq!(ours, crate_reads(&archive));
    }
}
