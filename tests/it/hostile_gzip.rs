//! Hostile compressed input through the real binary: truncated and corrupt gzip, concatenated members, gzip
//! of garbage, empty archives, and decompression bombs (gzip and zip) that must stop at
//! `--max-decompressed-bytes` quickly and in bounded memory. Every input is generated at test time.

use crate::common;

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use common::{Books, gzip, only_bad_file, record, scan_books, wrapper};

fn records(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(record).collect()
}

/// Decompresses as much of `compressed` as flate2 can, ignoring the error at the damage.
fn decompress_prefix(compressed: &[u8]) -> Vec<u8> {
    let mut decoder = flate2::read::MultiGzDecoder::new(compressed);
    let mut out = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(n) = decoder.read(&mut chunk) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&chunk[..n]);
    }
    out
}

#[test]
fn a_truncated_gzip_keeps_every_complete_record() {
    let dir = tempfile::tempdir().unwrap();
    let all = records(0..3000);
    let full = gzip(wrapper(&all).as_bytes());
    let cases = [("three-quarters.json.gz", full.len() * 3 / 4), ("header-only.json.gz", 5), ("one-byte.json.gz", 1)];
    for (name, cut) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &full[..cut]).unwrap();
        // The oracle: the complete records in what can be decompressed before the cut.
        let prefix = String::from_utf8_lossy(&decompress_prefix(&full[..cut])).into_owned();
        let complete = all.iter().take_while(|r| prefix.contains(r.as_str())).count() as u64;
        let input = scan_books(&[&path], &[]);
        assert_eq!(
            Books::of(&input),
            Books { files: 1, records: complete, bad_files: 1, ..Books::default() },
            "{name}"
        );
        let (bad_path, error, recovered) = only_bad_file(&input);
        assert_eq!(bad_path, path.display().to_string());
        assert_eq!(recovered, (complete > 0).then_some(complete), "{name}");
        match name {
            "one-byte.json.gz" => assert!(error.starts_with("not a log: binary data of unknown format, "), "{error}"),
            _ => assert!(
                error.starts_with("truncated (unexpected end of compressed data)")
                    || error.starts_with("input ends inside a JSON value"),
                "{name}: {error}"
            ),
        }
        if name == "three-quarters.json.gz" {
            assert!(complete > 1000, "{complete}");
            let at: u64 = error.rsplit(' ').next().unwrap().parse().unwrap();
            assert!(at >= prefix.find(all[complete as usize - 1].as_str()).unwrap() as u64, "{error}");
        }
    }
}

#[test]
fn concatenated_members_split_anywhere_read_as_one_stream() {
    let dir = tempfile::tempdir().unwrap();
    let text = wrapper(&records(0..50));
    // Members cut in the middle of records, plus an empty member.
    let cuts = [0, 7, 1000, 1001, 5000, text.len()];
    let mut data = Vec::new();
    for pair in cuts.windows(2) {
        data.extend(gzip(&text.as_bytes()[pair[0]..pair[1]]));
        if pair[0] == 1000 {
            data.extend(gzip(b""));
        }
    }
    let path = dir.path().join("multi.json.gz");
    std::fs::write(&path, data).unwrap();
    let input = scan_books(&[&path], &[]);
    assert_eq!(Books::of(&input), Books { files: 1, records: 50, ..Books::default() });
}

#[test]
fn corrupt_gzip_is_reported_and_keeps_what_came_before() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = gzip(wrapper(&records(0..20)).as_bytes());
    // A bad CRC in the trailer: the data came through, but the stream is damaged.
    let mut bad_crc = good.clone();
    let n = bad_crc.len();
    bad_crc[n - 8] ^= 0xff;
    std::fs::write(d.join("crc.json.gz"), &bad_crc).unwrap();
    // Junk after a complete member.
    let mut junk = good.clone();
    junk.extend_from_slice(b"this is not another gzip member");
    std::fs::write(d.join("junk.json.gz"), &junk).unwrap();
    // gzip of random bytes, of text, and of nothing; a zero-byte .gz.
    let noise: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(d.join("noise.gz"), gzip(&noise)).unwrap();
    std::fs::write(d.join("text.gz"), gzip(b"hello\nthis is not a log\n")).unwrap();
    std::fs::write(d.join("nothing.json.gz"), gzip(b"")).unwrap();
    std::fs::write(d.join("zero.json.gz"), b"").unwrap();
    let input = scan_books(&[d], &[]);
    assert_eq!(
        Books::of(&input),
        Books { files: 6, records: 20, duplicate_records: 20, bad_files: 4, empty_files: 2, ..Books::default() },
        "{input}"
    );
    let bad: Vec<(String, String, Option<u64>)> = input["bad_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let name = b["path"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
            (name, b["error"].as_str().unwrap().to_owned(), b["recovered_records"].as_u64())
        })
        .collect();
    let names: Vec<&str> = bad.iter().map(|b| b.0.as_str()).collect();
    assert_eq!(names, ["crc.json.gz", "junk.json.gz", "noise.gz", "text.gz"]);
    let end = wrapper(&records(0..20)).len();
    assert_eq!(bad[0].1, format!("corrupt gzip stream does not have a matching checksum at decompressed byte {end}"));
    assert_eq!(bad[0].2, Some(20));
    assert_eq!(bad[1].1, format!("invalid gzip header at decompressed byte {end}"));
    assert_eq!(bad[1].2, Some(20));
    assert!(bad[2].1.starts_with("not a log: binary data of unknown format, "), "{}", bad[2].1);
    // Named by kind and size, never quoted: the file may be anything (a credentials file).
    assert_eq!(bad[3].1, "not a log: text, 24 bytes");
}

/// Streams `total` bytes of `fill` (after `head`) through a gzip encoder into `path`; returns the file size.
fn write_bomb(path: &Path, head: &[u8], fill: u8, total: usize) -> u64 {
    let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut encoder = flate2::write::GzEncoder::new(file, flate2::Compression::new(6));
    encoder.write_all(head).unwrap();
    let chunk = vec![fill; 1 << 20];
    for _ in 0..total / chunk.len() {
        encoder.write_all(&chunk).unwrap();
    }
    encoder.finish().unwrap().flush().unwrap();
    std::fs::metadata(path).unwrap().len()
}

/// Runs scan on `path` with `extra` flags, returning the books, the wall time and the peak RSS if measurable.
fn timed_scan(path: &Path, extra: &[&str]) -> (serde_json::Value, Duration, Option<u64>) {
    let mut args: Vec<OsString> = vec!["scan".into(), path.into(), "--format".into(), "json".into(), "-q".into()];
    args.extend(extra.iter().map(Into::into));
    let start = Instant::now();
    let (rss, run) = common::peak_rss_kib(&args);
    let elapsed = start.elapsed();
    assert_eq!(run.code, 0, "{}", run.stderr);
    (run.input(), elapsed, rss)
}

const GIB: usize = 1 << 30;

#[test]
fn a_gzip_bomb_stops_at_the_cap_quickly_and_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let cap = 32u64 << 20;
    let cap_flag = cap.to_string();
    // Past the cap nothing is read, so only the first bomb needs its full size (generating one costs ~3 s).
    let cases: [(&str, &[u8], u8, usize); 3] = [
        // Opening brackets: every byte goes through the splitter's nesting logic (the slowest path).
        ("brackets.json.gz", b"", b'[', GIB),
        // One endless string inside a record: the splitter's fast path.
        ("string.json.gz", b"{\"Records\":[{\"userAgent\":\"", b'A', GIB / 8),
        // Whitespace: nothing to sniff until the cap.
        ("spaces.json.gz", b"", b' ', GIB / 8),
    ];
    for (name, head, fill, total) in cases {
        let path = dir.path().join(name);
        let size = write_bomb(&path, head, fill, total);
        assert!(size < (total / 1000) as u64, "{name}: {total} bytes compress to {size}");
        let (input, elapsed, rss) = timed_scan(&path, &["--max-decompressed-bytes", &cap_flag]);
        assert_eq!(Books::of(&input), Books { files: 1, bad_files: 1, ..Books::default() }, "{name}: {input}");
        let (_, error, _) = only_bad_file(&input);
        assert!(
            error.starts_with(&format!(
                "decompressed size exceeds the cap of {cap} bytes (raise --max-decompressed-bytes if this is a real log)"
            )),
            "{name}: {error}"
        );
        eprintln!("{name}: {size} bytes compressed, stopped in {elapsed:?}, peak RSS {rss:?} KiB");
        assert!(elapsed < Duration::from_secs(30), "{name}: {elapsed:?}");
        if let Some(kib) = rss {
            assert!(kib < 100 * 1024, "{name}: peak RSS {kib} KiB");
        }
    }
    // A gzip of 1 GiB of zeros is binary: recognised from its first bytes, without inflating the rest.
    let zeros = dir.path().join("zeros.gz");
    write_bomb(&zeros, b"", 0, GIB);
    let (input, elapsed, _) = timed_scan(&zeros, &[]);
    assert_eq!(only_bad_file(&input).1, "not a log: binary data of unknown format, over 1 MiB");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[test]
fn a_zip_bomb_entry_stops_at_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.zip");
    let file = std::fs::File::create(&path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    zip.start_file("AWSLogs/1/CloudTrail/bomb.json", options).unwrap();
    zip.write_all(b"{\"Records\":[{\"userAgent\":\"").unwrap();
    let chunk = vec![b'A'; 1 << 20];
    for _ in 0..(GIB / 8) / chunk.len() {
        zip.write_all(&chunk).unwrap();
    }
    zip.start_file("AWSLogs/1/CloudTrail/ok.json", options).unwrap();
    zip.write_all(wrapper(&records(0..3)).as_bytes()).unwrap();
    zip.finish().unwrap();
    let cap = 32u64 << 20;
    let (input, elapsed, rss) = timed_scan(&path, &["--max-decompressed-bytes", &cap.to_string()]);
    eprintln!("zip bomb: stopped in {elapsed:?}, peak RSS {rss:?} KiB");
    let (bad_path, error, _) = only_bad_file(&input);
    assert!(bad_path.ends_with("bomb.zip!/AWSLogs/1/CloudTrail/bomb.json"), "{bad_path}");
    assert!(error.starts_with(&format!("decompressed size exceeds the cap of {cap} bytes")), "{error}");
    // The entry after the bomb is still read.
    assert_eq!(Books::of(&input), Books { files: 2, records: 3, bad_files: 1, ..Books::default() }, "{input}");
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
}

#[test]
fn a_huge_tar_long_name_rejects_its_entry_in_bounded_memory_and_the_archive_goes_on() {
    // A .tar.gz whose first entry claims a 256 MiB GNU long name (256 KiB compressed), then a log file. The tar
    // crate's iterator read such a name whole (a 1 GB name took 4.2 GB); it is skipped as it streams past.
    let long = 256u64 << 20;
    let header = |kind: tar::EntryType, path: &str, size: u64| {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(kind);
        header.set_path(path).unwrap();
        header.set_size(size);
        header.set_mode(0o644);
        header.set_cksum();
        header
    };
    let pad = |w: &mut dyn Write, size: u64| w.write_all(&vec![0; (size.div_ceil(512) * 512 - size) as usize]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bundle.tar.gz");
    let mut out = flate2::write::GzEncoder::new(std::fs::File::create(&path).unwrap(), flate2::Compression::new(6));
    out.write_all(header(tar::EntryType::GNULongName, "././@LongLink", long).as_bytes()).unwrap();
    let chunk = vec![b'n'; 1 << 20];
    for _ in 0..long >> 20 {
        out.write_all(&chunk).unwrap();
    }
    let victim = wrapper(&records(0..1));
    out.write_all(header(tar::EntryType::Regular, "victim.json", victim.len() as u64).as_bytes()).unwrap();
    out.write_all(victim.as_bytes()).unwrap();
    pad(&mut out, victim.len() as u64);
    let log = wrapper(&records(1..3));
    out.write_all(header(tar::EntryType::Regular, "after.json", log.len() as u64).as_bytes()).unwrap();
    out.write_all(log.as_bytes()).unwrap();
    pad(&mut out, log.len() as u64);
    out.write_all(&[0; 1024]).unwrap();
    out.finish().unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 1 << 20);
    let (input, _, rss) = timed_scan(&path, &[]);
    // The two entries are the files; the rejected one is a bad file with the reason.
    assert_eq!(Books::of(&input), Books { files: 2, records: 2, bad_files: 1, ..Books::default() }, "{input}");
    let (bad, error, _) = only_bad_file(&input);
    assert_eq!(bad, format!("{}!/victim.json", path.display()));
    assert_eq!(
        error,
        "its tar GNU long name header of 268435456 bytes (at byte 0) exceeds the cap of 4194304 bytes; entry skipped"
    );
    if let Some(kib) = rss {
        eprintln!("peak RSS for a 256 MiB tar long name: {kib} KiB");
        assert!(kib < 64 * 1024, "peak RSS {kib} KiB");
    }
}
