//! The decompression floor of `bench/e2e.sh`: inflate every `.gz` file under the given folders on all cores
//! with the same backend and buffers trail-vpce uses (libdeflate, whole buffer; streaming zlib-rs for objects
//! too large for memory), discard the output, and print what it did as one JSON line.
//!
//! ```text
//! bench/tools/target/release/gunzip_floor [--threads N] DIR...
//! ```
//!
//! No JSON is parsed: the time this takes is the least any tool reading these files could spend.

use std::fs;
use std::io::{self, Read};
use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;
use trail_vpce::decode::gzip;
use trail_vpce::decode::inflate::{Inflated, Inflater};
use trail_vpce::decode::unit::WHOLE_INFLATED_LIMIT;

fn gz_files(dir: &PathBuf, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            gz_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "gz") {
            out.push(path);
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut threads = 0;
    let mut dirs = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--threads" => threads = args.next().ok_or("--threads needs a number")?.parse()?,
            _ => dirs.push(PathBuf::from(arg)),
        }
    }
    let mut files = Vec::new();
    for dir in &dirs {
        gz_files(dir, &mut files)?;
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build()?;
    let started = Instant::now();
    let (compressed, inflated) = pool.install(|| {
        files
            .par_iter()
            .map_init(
                || (Inflater::new(), Vec::new(), Vec::new()),
                |(inflater, input, output), path| -> io::Result<(u64, u64)> {
                    input.clear();
                    fs::File::open(path)?.read_to_end(input)?;
                    let produced = match inflater.inflate_all(input, WHOLE_INFLATED_LIMIT, output) {
                        Inflated::Complete => output.len() as u64,
                        Inflated::OverLimit | Inflated::Damaged => {
                            io::copy(&mut gzip::decompress(&input[..], u64::MAX), &mut io::sink())?
                        }
                    };
                    Ok((input.len() as u64, produced))
                },
            )
            .try_reduce(|| (0, 0), |a, b| Ok((a.0 + b.0, a.1 + b.1)))
    })?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{{\"files\":{},\"compressed_bytes\":{compressed},\"decompressed_bytes\":{inflated},\"seconds\":{seconds:.4}}}",
        files.len()
    );
    Ok(())
}
