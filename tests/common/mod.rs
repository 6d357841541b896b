//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use trail_vpce::ingest::{self, Analyzer, IngestConfig, InputStats};
use trail_vpce::model::Event;

/// The real third-party fixtures beside the project (`../shared/fixtures/real`), or `None` with a notice.
pub fn real_fixtures() -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/real");
    if path.is_dir() {
        Some(path)
    } else {
        eprintln!("NOTICE: {} is absent; skipping the real-fixture test", path.display());
        None
    }
}

pub fn sample_logs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-logs")
}

/// Collects every event as a JSON line, sorted: a canonical form to compare runs.
#[derive(Default)]
pub struct Collect(pub Vec<String>);

impl Analyzer for Collect {
    fn observe(&mut self, event: &Event) {
        self.0.push(serde_json::to_string(event).unwrap());
    }
    fn merge(&mut self, other: Self) {
        self.0.extend(other.0);
    }
}

/// Runs the pipeline over `sources` with `threads` workers; events sorted.
pub fn collect(sources: &[String], threads: usize) -> (Vec<String>, InputStats) {
    let config = IngestConfig { sources: sources.to_vec(), threads: Some(threads), ..IngestConfig::default() };
    let (mut events, stats) = ingest::run(&config, Collect::default).expect("pipeline runs");
    events.0.sort();
    (events.0, stats)
}
