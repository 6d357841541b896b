//! Writes a large, realistic benchmark input for `bench/e2e.sh`: CloudTrail files in the real bucket layout
//! (gzip level 6) plus plain-text S3 server access logs, grown from the records of `sample-logs/`.
//!
//! ```text
//! bench/tools/target/release/gen_bench_logs --templates sample-logs --out /tmp/bench/1x --size-mb 1024
//! ```
//!
//! Every record is a real-shaped sample record with a fresh event id, request id and time, so duplicates do not
//! collapse and time filters see a spread of two weeks. File sizes follow the shape of a busy trail: most files
//! hold tens to hundreds of records, one in five holds thousands (a data-event burst), so the benchmark covers
//! both many small files and few large ones. `--size-mb` counts uncompressed CloudTrail JSON; the access logs
//! add about 5 % on top. Deterministic: a fixed seed, no clock, gzip mtime 0.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use rayon::prelude::*;
use serde_json::Value;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const ACCOUNT: &str = "111122223333";
const ORG: &str = "o-a1b2c3d4e5";
const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];
const DAYS: u64 = 14;
const ACCESS_LOG_SHARE: f64 = 0.05;
/// Object keys vary over this many suffixes: enough for realistic grouping work, and bounded, so the number of
/// distinct keys (what `denied` keeps in memory) stops growing with the input, as it does in real traffic.
const KEY_VARIANTS: u64 = 64;

struct Args {
    templates: PathBuf,
    out: PathBuf,
    size_mb: u64,
    seed: u64,
}

fn parse_args() -> Res<Args> {
    let mut args = Args { templates: "sample-logs".into(), out: PathBuf::new(), size_mb: 1024, seed: 0x5eed };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--templates" => args.templates = value()?.into(),
            "--out" => args.out = value()?.into(),
            "--size-mb" => args.size_mb = value()?.parse()?,
            "--seed" => args.seed = value()?.parse()?,
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    if args.out.as_os_str().is_empty() {
        return Err("--out DIR is required".into());
    }
    Ok(args)
}

/// SplitMix64: small, fast and good enough to vary ids and sizes.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len);
        while s.len() < len {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(len);
        s
    }
    fn alnum(&mut self, len: usize) -> String {
        const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len).map(|_| CHARS[self.below(CHARS.len() as u64) as usize] as char).collect()
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) -> Res<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Every record of every readable CloudTrail log file under `templates/AWSLogs` (damaged samples are skipped).
fn cloudtrail_templates(templates: &Path) -> Res<Vec<Value>> {
    let mut files = Vec::new();
    files_under(&templates.join("AWSLogs"), &mut files)?;
    let mut records = Vec::new();
    for path in files.iter().filter(|p| p.to_string_lossy().contains("/CloudTrail/")) {
        let mut text = Vec::new();
        if MultiGzDecoder::new(fs::File::open(path)?).read_to_end(&mut text).is_err() {
            continue;
        }
        if let Ok(Value::Object(mut doc)) = serde_json::from_slice::<Value>(&text)
            && let Some(Value::Array(list)) = doc.remove("Records")
        {
            records.extend(list.into_iter().filter(|r| r.get("eventName").is_some()));
        }
    }
    if records.is_empty() {
        return Err(format!("no CloudTrail records under {}", templates.display()).into());
    }
    Ok(records)
}

fn access_log_templates(templates: &Path) -> Res<Vec<String>> {
    let mut files = Vec::new();
    files_under(&templates.join("s3-access-logs"), &mut files)?;
    let mut lines = Vec::new();
    for path in files {
        // The samples include hostile lines (bad UTF-8, broken quoting): only well-formed ones are templates.
        for line in BufReader::new(fs::File::open(path)?).split(b'\n') {
            if let Ok(line) = String::from_utf8(line?)
                && line.split(' ').count() > 20
                && line.matches('"').count() % 2 == 0
            {
                lines.push(line);
            }
        }
    }
    Ok(lines)
}

/// `2026-11-08T00:00:00Z` plus `seconds`, as CloudTrail writes it.
fn timestamp(seconds: u64) -> (String, String, String) {
    let day = 8 + seconds / 86_400;
    let rest = seconds % 86_400;
    let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    let iso = format!("2026-11-{day:02}T{h:02}:{m:02}:{s:02}Z");
    let folder = format!("2026/11/{day:02}");
    let access = format!("{day:02}/Nov/2026:{h:02}:{m:02}:{s:02} +0000");
    (iso, folder, access)
}

fn uuid(rng: &mut Rng) -> String {
    let h = rng.hex(32);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// One CloudTrail file's worth of records, serialized as CloudTrail writes them.
fn cloudtrail_file(templates: &[Value], rng: &mut Rng, records: u64, start: u64) -> Res<Vec<u8>> {
    let mut json = Vec::with_capacity(records as usize * 1600);
    json.extend_from_slice(b"{\"Records\":[");
    for i in 0..records {
        let mut record = templates[rng.below(templates.len() as u64) as usize].clone();
        let (time, _, _) = timestamp(start + rng.below(300));
        if let Value::Object(map) = &mut record {
            map.insert("eventID".into(), Value::String(uuid(rng)));
            map.insert("eventTime".into(), Value::String(time));
            if map.contains_key("requestID") {
                map.insert("requestID".into(), Value::String(rng.hex(16).to_uppercase()));
            }
            if let Some(Value::Object(params)) = map.get_mut("requestParameters")
                && let Some(Value::String(key)) = params.get_mut("key")
            {
                key.push_str(&format!(".{}", rng.below(KEY_VARIANTS)));
            }
        }
        if i > 0 {
            json.push(b',');
        }
        serde_json::to_writer(&mut json, &record)?;
    }
    json.extend_from_slice(b"]}");
    Ok(json)
}

fn gzip6(bytes: &[u8]) -> Res<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 6), Compression::new(6));
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

/// Plans the CloudTrail files: (path, record count, first second, seed), until the byte budget is spent.
fn plan(out: &Path, budget: u64, average_record: u64, rng: &mut Rng) -> Vec<(PathBuf, u64, u64, u64)> {
    let mut files = Vec::new();
    let mut spent = 0;
    let mut slot = 0u64;
    while spent < budget {
        let region = REGIONS[(slot % 2) as usize];
        let start = (slot / 2 * 300) % (DAYS * 86_400);
        let records = if rng.below(5) == 0 { 2_000 + rng.below(18_000) } else { 20 + rng.below(480) };
        let (iso, folder, _) = timestamp(start);
        let stamp = format!("{}{}{}T{}{}Z", &iso[..4], &iso[5..7], &iso[8..10], &iso[11..13], &iso[14..16]);
        let name = format!("{ACCOUNT}_CloudTrail_{region}_{stamp}_{}.json.gz", rng.alnum(16));
        let path = out.join(format!("AWSLogs/{ORG}/{ACCOUNT}/CloudTrail/{region}/{folder}")).join(name);
        files.push((path, records, start, rng.next()));
        spent += records * average_record;
        slot += 1;
    }
    files
}

fn access_log_file(templates: &[String], rng: &mut Rng, lines: u64, start: u64) -> String {
    let mut text = String::with_capacity(lines as usize * 400);
    for _ in 0..lines {
        let template = &templates[rng.below(templates.len() as u64) as usize];
        let (_, _, when) = timestamp(start + rng.below(3600));
        // Field 3 is `[time`, field 4 `zone]`; field 7 is the request id.
        let mut out = Vec::new();
        let mut rest = template.as_str();
        let mut field = 0;
        while let Some(space) = rest.find(' ') {
            if field == 2 {
                out.push(format!("[{when}]"));
                rest = &rest[space + 1..];
                let close = rest.find(' ').unwrap_or(rest.len());
                rest = &rest[(close + 1).min(rest.len())..];
                field += 2;
                continue;
            }
            let piece = &rest[..space];
            out.push(if field == 6 { rng.hex(16).to_uppercase() } else { piece.to_string() });
            rest = &rest[space + 1..];
            field += 1;
        }
        out.push(rest.to_string());
        text.push_str(&out.join(" "));
        text.push('\n');
    }
    text
}

fn main() -> Res<()> {
    let args = parse_args()?;
    let templates = cloudtrail_templates(&args.templates)?;
    let lines = access_log_templates(&args.templates)?;
    let average_record =
        templates.iter().map(|t| serde_json::to_vec(t).map(|v| v.len() as u64 + 60)).sum::<Result<u64, _>>()?
            / templates.len() as u64;
    let mut rng = Rng(args.seed);
    let budget = args.size_mb << 20;
    let files = plan(&args.out, budget, average_record, &mut rng);

    let written: Vec<(u64, u64, u64)> = files
        .par_iter()
        .map(|(path, records, start, seed)| -> Res<(u64, u64, u64)> {
            let json = cloudtrail_file(&templates, &mut Rng(*seed), *records, *start)?;
            let gz = gzip6(&json)?;
            fs::create_dir_all(path.parent().expect("planned paths have a parent"))?;
            fs::write(path, &gz)?;
            Ok((*records, json.len() as u64, gz.len() as u64))
        })
        .collect::<Res<_>>()?;

    let (mut log_files, mut log_lines, mut log_bytes) = (0u64, 0u64, 0u64);
    if !lines.is_empty() {
        let log_budget = (budget as f64 * ACCESS_LOG_SHARE) as u64;
        let bucket_dir = args.out.join("s3-access-logs/app-data-111122223333");
        fs::create_dir_all(&bucket_dir)?;
        while log_bytes < log_budget {
            let start = rng.below(DAYS * 86_400 - 3600);
            let count = 50 + rng.below(2_000);
            let text = access_log_file(&lines, &mut rng, count, start);
            let (iso, _, _) = timestamp(start);
            let name = format!("{}-{}-{}", &iso[..10], iso[11..19].replace(':', "-"), rng.hex(16).to_uppercase());
            fs::write(bucket_dir.join(name), &text)?;
            log_files += 1;
            log_lines += count;
            log_bytes += text.len() as u64;
        }
    }

    let records: u64 = written.iter().map(|w| w.0).sum();
    let json: u64 = written.iter().map(|w| w.1).sum();
    let gz: u64 = written.iter().map(|w| w.2).sum();
    println!(
        "{{\"cloudtrail_files\":{},\"cloudtrail_records\":{records},\"cloudtrail_json_bytes\":{json},\
         \"cloudtrail_gzip_bytes\":{gz},\"access_log_files\":{log_files},\"access_log_lines\":{log_lines},\
         \"access_log_bytes\":{log_bytes}}}",
        written.len()
    );
    Ok(())
}
