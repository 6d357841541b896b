//! `--verify` on `denied`: each row and request labelled with the integrity of the files it came from.

use super::DeniedReport;
use crate::analyze::integrity::{IntegrityBook, IntegrityCounts};

impl DeniedReport {
    /// Labels every row and request with the integrity of its source files (`--verify`).
    pub fn apply_integrity(&mut self, book: &IntegrityBook) -> IntegrityCounts {
        let mut total = IntegrityCounts::default();
        for row in &mut self.denials {
            let counts = book.count(row.source_files.iter());
            row.integrity = Some(counts.worst());
            row.integrity_counts = Some(counts);
            total += counts;
        }
        for request in &mut self.requests {
            request.integrity = Some(book.of_event(request.source_file.as_deref(), request.event_id.as_deref()));
        }
        total
    }
}
