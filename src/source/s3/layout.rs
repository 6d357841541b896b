//! Where logs sit in a bucket, and which folders and objects a run needs (pure, no AWS types).
//!
//! CloudTrail delivers to `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/` (organization trails add a level:
//! `AWSLogs/<o-id>/<account>/...`; digests and Insight files sit beside in `CloudTrail-Digest/` and
//! `CloudTrail-Insight/`). S3 server access logs are `prefixYYYY-mm-DD-HH-MM-SS-UNIQUE` or, partitioned,
//! `prefix<account>/<region>/<bucket>/YYYY/MM/DD/YYYY-mm-DD-HH-MM-SS-UNIQUE`. The folder date and the time in
//! an access log key are delivery times (after the events they hold), so the planner keeps one day of margin on
//! both sides of the window. Folders it does not recognise are always kept: pruning only ever skips what
//! cannot hold a wanted event.

use std::collections::BTreeSet;

use crate::model::{AccountId, Timestamp};

const DAY_MS: i64 = 86_400_000;
/// Up to this many days, a CloudTrail region folder is expanded straight into its day folders (one listing
/// each, in parallel) instead of listing years, then months, then days.
const MAX_DIRECT_DAYS: i64 = 31;
const TRAIL_FOLDERS: &[&str] = &["CloudTrail", "CloudTrail-Digest", "CloudTrail-Insight"];

/// Inclusive range of UTC days (days since 1970-01-01), margin included; `None` = unbounded on that side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DayWindow {
    pub first: Option<i64>,
    pub last: Option<i64>,
}

impl DayWindow {
    /// The days that can hold events in `[since, until)`, with one day of margin on each side.
    pub fn new(since: Option<Timestamp>, until: Option<Timestamp>) -> DayWindow {
        DayWindow {
            first: since.map(|s| s.millis().div_euclid(DAY_MS) - 1),
            last: until.map(|u| (u.millis() - 1).div_euclid(DAY_MS) + 1),
        }
    }

    pub fn is_unbounded(&self) -> bool {
        self.first.is_none() && self.last.is_none()
    }

    /// True when the inclusive day range `[from, to]` meets the window.
    fn overlaps(&self, from: i64, to: i64) -> bool {
        self.first.is_none_or(|first| to >= first) && self.last.is_none_or(|last| from <= last)
    }
}

/// What a run wants from a bucket: the time window and the `--account` / `--region` filters.
#[derive(Debug, Clone, Default)]
pub struct Prune {
    pub window: DayWindow,
    pub accounts: BTreeSet<AccountId<'static>>,
    pub regions: BTreeSet<String>,
}

/// What to do with one listed object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectPlan {
    Fetch,
    /// Left out without a trace, as a folder walk does (hidden names, folder markers, outside the window).
    Ignore,
    /// Skipped on purpose and counted (documentation and config next to the logs).
    Skip(String),
}

impl Prune {
    /// True when listing must walk the folders (a flat listing of the whole prefix is enough otherwise).
    pub fn needs_descent(&self) -> bool {
        !self.window.is_unbounded() || !self.accounts.is_empty() || !self.regions.is_empty()
    }

    /// Whether a folder (a key prefix ending in `/`) can hold anything the run wants.
    pub fn keep_folder(&self, folder: &str) -> bool {
        let segments: Vec<&str> = folder.trim_end_matches('/').split('/').collect();
        let last = segments.last().copied().unwrap_or_default();
        if last.starts_with('.') {
            return false;
        }
        if let Some((from, to)) = date_folder_range(&segments) {
            return self.window.overlaps(from, to);
        }
        if !self.accounts.is_empty() && is_account_folder(&segments) {
            return self.accounts.contains(last);
        }
        if !self.regions.is_empty() && is_region_folder(&segments) {
            return self.regions.contains(last);
        }
        true
    }

    /// Whether to fetch a listed object; `key` is relative to the source prefix (hidden folders inside it are
    /// left out, as a folder walk leaves them out).
    pub fn plan_object(&self, key: &str) -> ObjectPlan {
        let name = key.rsplit('/').next().unwrap_or(key);
        if name.is_empty() || name.starts_with('.') || key.split('/').any(|s| s.starts_with('.') && s.len() > 1) {
            return ObjectPlan::Ignore;
        }
        if let Some(time) = access_log_key_time(name) {
            let day = time.millis().div_euclid(DAY_MS);
            if !self.window.overlaps(day, day) {
                return ObjectPlan::Ignore;
            }
        }
        match crate::source::skip_reason_for_name(name) {
            Some(reason) => ObjectPlan::Skip(reason),
            None => ObjectPlan::Fetch,
        }
    }

    /// For a CloudTrail region folder and a short bounded window: the day folders to list directly.
    pub fn day_folders(&self, folder: &str) -> Option<Vec<String>> {
        let segments: Vec<&str> = folder.trim_end_matches('/').split('/').collect();
        let (first, last) = (self.window.first?, self.window.last?);
        if !is_region_folder(&segments) || last - first >= MAX_DIRECT_DAYS {
            return None;
        }
        let base = if folder.ends_with('/') { folder.to_owned() } else { format!("{folder}/") };
        Some(
            (first..=last)
                .map(|day| {
                    let (y, m, d) = civil_from_days(day);
                    format!("{base}{y:04}/{m:02}/{d:02}/")
                })
                .collect(),
        )
    }
}

/// `AWSLogs/<12 digits>` or `AWSLogs/o-xxx/<12 digits>`.
fn is_account_folder(segments: &[&str]) -> bool {
    let n = segments.len();
    if n < 2 || !is_account_id(segments[n - 1]) {
        return false;
    }
    segments[n - 2] == "AWSLogs" || (n >= 3 && segments[n - 2].starts_with("o-") && segments[n - 3] == "AWSLogs")
}

/// `<account>/CloudTrail/<region>` (and the digest and Insight siblings).
fn is_region_folder(segments: &[&str]) -> bool {
    let n = segments.len();
    n >= 3 && TRAIL_FOLDERS.contains(&segments[n - 2]) && is_account_id(segments[n - 3])
}

fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// A folder path ending in `YYYY`, `YYYY/MM` or `YYYY/MM/DD` → the inclusive day range it covers.
fn date_folder_range(segments: &[&str]) -> Option<(i64, i64)> {
    let n = segments.len();
    let number = |text: &str, digits: usize| {
        (text.len() == digits && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse::<i64>().ok()).flatten()
    };
    let year = |text: &str| number(text, 4).filter(|y| (1990..=2200).contains(y));
    let month = |text: &str| number(text, 2).filter(|m| (1..=12).contains(m));
    if n >= 3
        && let (Some(y), Some(m), Some(d)) = (year(segments[n - 3]), month(segments[n - 2]), number(segments[n - 1], 2))
    {
        if !(1..=days_in_month(y, m)).contains(&d) {
            return None;
        }
        let day = days_from_civil(y, m, d);
        return Some((day, day));
    }
    if n >= 2
        && let (Some(y), Some(m)) = (year(segments[n - 2]), month(segments[n - 1]))
    {
        return Some((days_from_civil(y, m, 1), days_from_civil(y, m, days_in_month(y, m))));
    }
    let y = year(segments.last()?)?;
    Some((days_from_civil(y, 1, 1), days_from_civil(y, 12, 31)))
}

/// The delivery time in an S3 server access log object name: `YYYY-mm-DD-HH-MM-SS-UNIQUE`.
pub fn access_log_key_time(name: &str) -> Option<Timestamp> {
    let bytes = name.as_bytes();
    if bytes.len() < 21 || bytes[19] != b'-' {
        return None;
    }
    let mut fields = [0i64; 6];
    for (i, field) in fields.iter_mut().enumerate() {
        let (start, len) = if i == 0 { (0, 4) } else { (5 + (i - 1) * 3, 2) };
        let text = &bytes[start..start + len];
        if !text.iter().all(u8::is_ascii_digit) || (i > 0 && bytes[start - 1] != b'-') {
            return None;
        }
        *field = text.iter().fold(0, |acc, b| acc * 10 + i64::from(b - b'0'));
    }
    let [y, mo, d, h, mi, s] = fields;
    if !(1..=12).contains(&mo) || !(1..=days_in_month(y, mo)).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    Some(Timestamp::from_millis(((days * 24 + h) * 60 + mi) * 60_000 + s * 1000))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
#[path = "layout_tests.rs"]
mod tests;
