//! Comparing what the valid digests list with the log files found: every listed file present with the listed
//! hash, every file found listed. Keyed on the `AWSLogs/…` tail, so a local copy or a copy under another key
//! prefix compares like the trail bucket itself. Memory: one entry (tail, hash, digest) per listed file of
//! the window, about 250 bytes each. Pure.

use std::collections::HashMap;

use super::status::FileStatus;

/// A log file a valid digest lists.
#[derive(Debug, Clone)]
pub struct Expected<'a> {
    pub tail: &'a str,
    pub hash: &'a str,
    /// Index of the listing digest in the caller's list.
    pub digest: usize,
}

/// A log file found among the sources: its hex hash, or why its content could not be hashed.
#[derive(Debug, Clone)]
pub struct Found<'a> {
    pub tail: &'a str,
    pub hash: Result<&'a str, &'a str>,
}

/// One verdict: `found` indexes the found file (absent for a deleted one), `expected` the listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub status: FileStatus,
    pub found: Option<usize>,
    pub expected: Option<usize>,
}

/// Every found file's verdict (in `found` order), then every deleted file (in `expected` order). A file listed
/// twice (an hourly and a backfill digest) is judged against its first listing.
pub fn compare(expected: &[Expected<'_>], found: &[Found<'_>]) -> Vec<Verdict> {
    let mut listed: HashMap<&str, usize> = HashMap::with_capacity(expected.len());
    for (i, e) in expected.iter().enumerate() {
        listed.entry(e.tail).or_insert(i);
    }
    let mut seen = vec![false; expected.len()];
    let mut verdicts = Vec::with_capacity(found.len());
    for (i, file) in found.iter().enumerate() {
        let Some(&at) = listed.get(file.tail) else {
            verdicts.push(Verdict { status: FileStatus::NotCovered, found: Some(i), expected: None });
            continue;
        };
        seen[at] = true;
        let status = match file.hash {
            Ok(hash) if hash.eq_ignore_ascii_case(expected[at].hash) => FileStatus::Verified,
            Ok(_) => FileStatus::Modified,
            Err(_) => FileStatus::Invalid,
        };
        verdicts.push(Verdict { status, found: Some(i), expected: Some(at) });
    }
    for (at, e) in expected.iter().enumerate() {
        if !seen[at] && listed.get(e.tail) == Some(&at) {
            verdicts.push(Verdict { status: FileStatus::Deleted, found: None, expected: Some(at) });
        }
    }
    verdicts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_table() {
        let expected = [
            Expected { tail: "a", hash: "aa", digest: 0 },
            Expected { tail: "b", hash: "bb", digest: 0 },
            Expected { tail: "c", hash: "cc", digest: 1 },
            Expected { tail: "d", hash: "dd", digest: 1 },
            Expected { tail: "a", hash: "zz", digest: 2 },
        ];
        let found = [
            Found { tail: "a", hash: Ok("AA") },
            Found { tail: "b", hash: Ok("b0") },
            Found { tail: "c", hash: Err("data after the end of the gzip stream") },
            Found { tail: "e", hash: Ok("ee") },
        ];
        let got: Vec<(FileStatus, Option<usize>, Option<usize>)> =
            compare(&expected, &found).into_iter().map(|v| (v.status, v.found, v.expected)).collect();
        assert_eq!(
            got,
            vec![
                (FileStatus::Verified, Some(0), Some(0)),
                (FileStatus::Modified, Some(1), Some(1)),
                (FileStatus::Invalid, Some(2), Some(2)),
                (FileStatus::NotCovered, Some(3), None),
                (FileStatus::Deleted, None, Some(3)),
            ]
        );
    }

    /// Ten times the files, ten times the verdicts: one pass, one map lookup per file.
    #[test]
    fn cost_grows_with_the_files() {
        for n in [1_000usize, 10_000] {
            let tails: Vec<String> = (0..n).map(|i| format!("AWSLogs/1/CloudTrail/r/{i}")).collect();
            let expected: Vec<Expected<'_>> =
                tails.iter().map(|t| Expected { tail: t, hash: "h", digest: 0 }).collect();
            let found: Vec<Found<'_>> = tails.iter().map(|t| Found { tail: t, hash: Ok("h") }).collect();
            let verdicts = compare(&expected, &found);
            assert_eq!(verdicts.len(), n);
            assert!(verdicts.iter().all(|v| v.status == FileStatus::Verified));
        }
    }
}
