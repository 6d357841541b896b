//! `--verify` as rows see it: whether the log file a row came from is verified (listed in a valid digest with
//! the same hash), altered (listed, but its content differs or is not one gzip stream) or unverified (in no
//! valid digest: no digest, a failed or missing digest, or not a CloudTrail log at all, like S3 access logs).
//! The per-file verdicts come from `verify` after the pass; rows carry their file's name until then. A row of
//! one event ([`IntegrityBook::of_event`]) takes the worst integrity of every file that held a copy of it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ingest::copies::CopyIndex;

/// The integrity of a row's source file, from the best to the worst evidence (`max` is the worst).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Integrity {
    Verified,
    Unverified,
    Altered,
}

impl Integrity {
    pub fn as_str(self) -> &'static str {
        match self {
            Integrity::Verified => "verified",
            Integrity::Unverified => "unverified",
            Integrity::Altered => "altered",
        }
    }
}

/// Rows (or records) by the integrity of their source file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct IntegrityCounts {
    pub verified: u64,
    pub unverified: u64,
    pub altered: u64,
}

impl std::ops::AddAssign for IntegrityCounts {
    fn add_assign(&mut self, other: IntegrityCounts) {
        self.verified += other.verified;
        self.unverified += other.unverified;
        self.altered += other.altered;
    }
}

impl IntegrityCounts {
    pub fn add(&mut self, integrity: Integrity, n: u64) {
        *match integrity {
            Integrity::Verified => &mut self.verified,
            Integrity::Unverified => &mut self.unverified,
            Integrity::Altered => &mut self.altered,
        } += n;
    }

    /// The weakest evidence among them: altered, else unverified, else verified.
    pub fn worst(&self) -> Integrity {
        if self.altered > 0 {
            Integrity::Altered
        } else if self.unverified > 0 {
            Integrity::Unverified
        } else {
            Integrity::Verified
        }
    }
}

/// What `--verify` adds to a report: the files judged, and the rows by their source file's integrity.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IntegritySummary {
    /// `verified` when every digest read is valid and chained and every CloudTrail log read is listed and
    /// intact; else `failed` (run `verify` on the same sources for the details).
    pub verdict: String,
    /// CloudTrail log files read, by integrity.
    pub files: IntegrityCounts,
    /// Files the valid digests list that are not among the sources.
    pub deleted_files: u64,
    /// Digests invalid, unchecked or missing from the chain.
    pub digests_failed: u64,
    /// Report rows (or the records behind them) by their source file's integrity (`timeline` counts its rows
    /// in `summary.integrity`, as they stream out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<IntegrityCounts>,
}

/// Every judged file's integrity, by the name the pass read it under. A file not in the book is unverified.
#[derive(Debug, Clone, Default)]
pub struct IntegrityBook {
    pub files: BTreeMap<String, Integrity>,
    /// The files that held the copies de-duplication dropped, by event id.
    pub copies: CopyIndex,
}

impl IntegrityBook {
    pub fn of(&self, file: &str) -> Integrity {
        self.files.get(file).copied().unwrap_or(Integrity::Unverified)
    }

    /// The integrity of one event's row: the worst of the file it was read from (unverified when unknown) and
    /// of every file that held another copy of it. The same whichever copy a run read first.
    pub fn of_event(&self, file: Option<&str>, event_id: Option<&str>) -> Integrity {
        let read = file.map_or(Integrity::Unverified, |f| self.of(f));
        let copies = event_id.into_iter().flat_map(|id| self.copies.files_of(id));
        copies.map(|f| self.of(f)).fold(read, Integrity::max)
    }

    /// The counts of a group's source files, given as (file, records) pairs.
    pub fn count<'a>(&self, files: impl IntoIterator<Item = (&'a str, u64)>) -> IntegrityCounts {
        let mut counts = IntegrityCounts::default();
        for (file, n) in files {
            counts.add(self.of(file), n);
        }
        counts
    }
}

/// The source files of a group of records, with how many records each gave (`--verify` only; empty otherwise).
/// Memory: one entry per distinct (group, file).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceFiles(pub BTreeMap<String, u64>);

impl SourceFiles {
    pub fn add(&mut self, file: &str) {
        match self.0.get_mut(file) {
            Some(n) => *n += 1,
            None => {
                self.0.insert(file.to_owned(), 1);
            }
        }
    }

    pub fn merge(&mut self, other: SourceFiles) {
        for (file, n) in other.0 {
            *self.0.entry(file).or_default() += n;
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.0.iter().map(|(f, n)| (f.as_str(), *n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_worst() {
        let book = IntegrityBook {
            files: [("a".to_owned(), Integrity::Verified), ("b".to_owned(), Integrity::Altered)].into(),
            ..IntegrityBook::default()
        };
        type Case<'a> = (&'a [(&'a str, u64)], IntegrityCounts, Integrity);
        let cases: [Case<'_>; 4] = [
            (&[("a", 2)], IntegrityCounts { verified: 2, unverified: 0, altered: 0 }, Integrity::Verified),
            (&[("a", 2), ("c", 1)], IntegrityCounts { verified: 2, unverified: 1, altered: 0 }, Integrity::Unverified),
            (
                &[("a", 1), ("b", 3), ("c", 1)],
                IntegrityCounts { verified: 1, unverified: 1, altered: 3 },
                Integrity::Altered,
            ),
            (&[], IntegrityCounts::default(), Integrity::Verified),
        ];
        for (files, counts, worst) in cases {
            let got = book.count(files.iter().copied());
            assert_eq!((got, got.worst()), (counts, worst), "{files:?}");
        }
        let mut copies = crate::ingest::copies::Copies::default();
        copies.add("e1", "b");
        copies.add("e2", "c");
        copies.add("e3", "a");
        let book = IntegrityBook { copies: copies.into_index(), ..book };
        let events: [(Option<&str>, Option<&str>, Integrity); 6] = [
            (Some("a"), Some("e1"), Integrity::Altered),
            (Some("a"), Some("e2"), Integrity::Unverified),
            (Some("a"), Some("e3"), Integrity::Verified),
            (Some("a"), Some("e9"), Integrity::Verified),
            (Some("a"), None, Integrity::Verified),
            (None, Some("e3"), Integrity::Unverified),
        ];
        for (file, event, want) in events {
            assert_eq!(book.of_event(file, event), want, "{file:?} {event:?}");
        }
        let mut sources = SourceFiles::default();
        sources.add("a");
        sources.add("a");
        let mut other = SourceFiles::default();
        other.add("a");
        other.add("b");
        sources.merge(other);
        assert_eq!(sources.iter().collect::<Vec<_>>(), vec![("a", 3), ("b", 1)]);
    }
}
