//! Time series for `report`: per endpoint and time bucket, the requests that were not denied and the denials by
//! cause. [`Traffic`] (an analyzer) counts the requests; `denied` adds each denial once its cause is settled
//! (after pairing and replay), so both land in one [`Series`] after the merge.
//!
//! Bucket widths come from a fixed ladder (1 minute … 1 day, then doubling) in which each width divides the next
//! and buckets are aligned on the epoch, so a bucket of one width falls into exactly one of the next. While
//! folding, a series keeps at most [`MAX_BUCKETS`] distinct buckets: past that it moves one rung up and folds its
//! buckets together. The rung a series ends on is the lowest that keeps the whole input under the cap whatever
//! the order records arrived in (a worker's share never needs a higher rung than the whole), so parallel and
//! sequential runs agree. [`Series::bucketed`] then picks the display width from the window's length.
//!
//! Memory: one [`Counts`] (13 counters, 104 bytes) plus a map entry (about 50 bytes) per endpoint and bucket,
//! so at most endpoints × [`MAX_BUCKETS`] × ~150 bytes, plus 8 bytes per distinct bucket; never per record.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::classify::Cause;
use crate::ingest::Analyzer;
use crate::model::{Record, Timestamp, VpceId};

/// The most distinct buckets a series keeps while folding.
pub const MAX_BUCKETS: usize = 1024;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// The bucket widths, finest first; each divides the next. Past the end, widths double.
const LADDER: [i64; 8] = [MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY];

/// The width of rung `level`, in milliseconds.
pub fn width(level: usize) -> i64 {
    match LADDER.get(level) {
        Some(width) => *width,
        None => {
            let doublings = (level - LADDER.len() + 1).min(36) as u32;
            DAY.saturating_mul(1_i64 << doublings)
        }
    }
}

/// The highest rung: a day × 2^36 (about 188 million years), so folding always ends.
const TOP_LEVEL: usize = LADDER.len() - 1 + 36;

/// The counts of one endpoint in one bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Counts {
    /// Requests that were not denied (network activity events excluded: they are a second record of a request).
    pub requests: u64,
    /// Denied requests by cause, in [`Cause::ALL`] order.
    pub denied: [u64; Cause::ALL.len()],
    /// Of the `vpce-policy` denials, those without a network activity event: they become
    /// `other-endpoint-policy` if the endpoint turns out not to be the customer's (as `denied` decides).
    pub vpce_policy_by_message: u64,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.requests += other.requests;
        for (ours, theirs) in self.denied.iter_mut().zip(other.denied) {
            *ours += theirs;
        }
        self.vpce_policy_by_message += other.vpce_policy_by_message;
    }

    pub fn denials(&self) -> u64 {
        self.denied.iter().sum()
    }

    pub fn total(&self) -> u64 {
        self.requests + self.denials()
    }
}

fn cause_index(cause: Cause) -> usize {
    Cause::ALL.iter().position(|c| *c == cause).unwrap_or(Cause::ALL.len() - 1)
}

/// Per endpoint, per bucket counts (see the module doc).
#[derive(Debug, Clone, Default)]
pub struct Series {
    level: usize,
    endpoints: HashMap<VpceId<'static>, BTreeMap<i64, Counts>>,
    buckets: BTreeSet<i64>,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    /// Records through an endpoint without a time: counted, not charted.
    pub untimed: u64,
}

impl Series {
    /// A request through `vpce` that was not denied.
    pub fn add_request(&mut self, vpce: &VpceId<'_>, time: Option<Timestamp>) {
        if let Some(counts) = self.cell(vpce, time) {
            counts.requests += 1;
        }
        self.fit();
    }

    /// A denied request through `vpce`, with its settled cause; `network_activity` when a network activity
    /// event is its evidence.
    pub fn add_denial(&mut self, vpce: &VpceId<'_>, time: Option<Timestamp>, cause: Cause, network_activity: bool) {
        if let Some(counts) = self.cell(vpce, time) {
            counts.denied[cause_index(cause)] += 1;
            if cause == Cause::VpcePolicy && !network_activity {
                counts.vpce_policy_by_message += 1;
            }
        }
        self.fit();
    }

    fn cell(&mut self, vpce: &VpceId<'_>, time: Option<Timestamp>) -> Option<&mut Counts> {
        let Some(time) = time else {
            self.untimed += 1;
            return None;
        };
        self.first = Some(self.first.map_or(time, |t| t.min(time)));
        self.last = Some(self.last.map_or(time, |t| t.max(time)));
        let index = time.millis().div_euclid(width(self.level));
        if !self.endpoints.contains_key(vpce.as_str()) {
            self.endpoints.insert(vpce.to_static(), BTreeMap::new());
        }
        let buckets = self.endpoints.get_mut(vpce.as_str())?;
        if !buckets.contains_key(&index) {
            self.buckets.insert(index);
        }
        let counts = buckets.entry(index).or_default();
        Some(counts)
    }

    /// Moves up the ladder until the buckets fit under the cap.
    fn fit(&mut self) {
        while self.buckets.len() > MAX_BUCKETS && self.level < TOP_LEVEL {
            self.coarsen_to(self.level + 1);
        }
    }

    fn coarsen_to(&mut self, level: usize) {
        if level <= self.level {
            return;
        }
        let (from, to) = (width(self.level), width(level));
        let regroup = |index: i64| index.saturating_mul(from).div_euclid(to);
        for buckets in self.endpoints.values_mut() {
            let mut coarse: BTreeMap<i64, Counts> = BTreeMap::new();
            for (index, counts) in std::mem::take(buckets) {
                coarse.entry(regroup(index)).or_default().add(&counts);
            }
            *buckets = coarse;
        }
        self.buckets = self.buckets.iter().map(|i| regroup(*i)).collect();
        self.level = level;
    }

    pub fn merge(&mut self, mut other: Series) {
        let level = self.level.max(other.level);
        self.coarsen_to(level);
        other.coarsen_to(level);
        for (vpce, theirs) in other.endpoints {
            let ours = self.endpoints.entry(vpce).or_default();
            for (index, counts) in theirs {
                ours.entry(index).or_default().add(&counts);
            }
        }
        self.buckets.extend(other.buckets);
        self.first = [self.first, other.first].into_iter().flatten().min();
        self.last = [self.last, other.last].into_iter().flatten().max();
        self.untimed += other.untimed;
        self.fit();
    }

    /// For endpoints that are not the customer's: `vpce-policy` denials without a network activity event become
    /// `other-endpoint-policy`, as `denied` re-reads them.
    pub fn reassign(&mut self, not_customer: impl Fn(&VpceId<'_>) -> bool) {
        let (from, to) = (cause_index(Cause::VpcePolicy), cause_index(Cause::OtherEndpointPolicy));
        for (_, buckets) in self.endpoints.iter_mut().filter(|(vpce, _)| not_customer(vpce)) {
            for counts in buckets.values_mut() {
                let moved = std::mem::take(&mut counts.vpce_policy_by_message).min(counts.denied[from]);
                counts.denied[from] -= moved;
                counts.denied[to] += moved;
            }
        }
    }

    /// The first and last times seen.
    pub fn span(&self) -> Option<(Timestamp, Timestamp)> {
        Some((self.first?, self.last?))
    }

    /// The width the series was folded at, in milliseconds.
    pub fn fold_width(&self) -> i64 {
        width(self.level)
    }

    /// The series over `[since, until]` in at most `max_bars` buckets of the finest ladder width that fits (never
    /// finer than the fold). Counts outside the window are left out.
    pub fn bucketed(&self, since: Timestamp, until: Timestamp, max_bars: usize) -> Bucketed {
        let max_bars = max_bars.max(1) as i64;
        let mut level = self.level;
        let span = until.millis().saturating_sub(since.millis()).max(0);
        while level < TOP_LEVEL && span / width(level) + 1 > max_bars {
            level += 1;
        }
        let (fold, width) = (width(self.level), width(level));
        let start = since.millis().div_euclid(width);
        let bars = (until.millis().div_euclid(width) - start + 1).clamp(1, max_bars) as usize;
        let mut endpoints = BTreeMap::new();
        for (vpce, buckets) in &self.endpoints {
            let mut counts = vec![Counts::default(); bars];
            for (index, c) in buckets {
                let at = index.saturating_mul(fold).div_euclid(width) - start;
                if let Some(slot) = usize::try_from(at).ok().and_then(|at| counts.get_mut(at)) {
                    slot.add(c);
                }
            }
            endpoints.insert(vpce.clone(), counts);
        }
        Bucketed { start: Timestamp::from_millis(start.saturating_mul(width)), width, bars, endpoints }
    }

    #[cfg(test)]
    fn level(&self) -> usize {
        self.level
    }
}

/// A series cut into display buckets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucketed {
    /// The start of the first bucket.
    pub start: Timestamp,
    /// The bucket width, in milliseconds.
    pub width: i64,
    pub bars: usize,
    /// Per endpoint, one [`Counts`] per bucket.
    pub endpoints: BTreeMap<VpceId<'static>, Vec<Counts>>,
}

/// The analyzer that counts the requests of the series (denials come from `denied`).
#[derive(Debug, Default)]
pub struct Traffic {
    pub series: Series,
}

impl Analyzer for Traffic {
    /// Reads only the record's head.
    fn observe(&mut self, record: &Record<'_>) {
        let head = record.head();
        let Some(vpce) = &head.vpce else { return };
        if head.is_denied() || head.is_network_activity() {
            return;
        }
        self.series.add_request(vpce, head.time);
    }

    fn merge(&mut self, other: Traffic) {
        self.series.merge(other.series);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> Option<Timestamp> {
        Some(Timestamp::from_millis(minutes * MINUTE))
    }

    #[test]
    fn each_width_divides_the_next() {
        for level in 0..TOP_LEVEL {
            assert_eq!(width(level + 1) % width(level), 0, "{level}");
            assert!(width(level + 1) > width(level));
        }
    }

    #[test]
    fn a_short_input_stays_at_a_minute_and_a_long_one_coarsens_under_the_cap() {
        let mut s = Series::default();
        for m in 0..100 {
            s.add_request(&VpceId::from("vpce-1"), at(m));
        }
        s.fit();
        assert_eq!((s.level(), s.buckets.len()), (0, 100));
        // Ten days of minutes: 14,400 distinct minutes → coarser than a quarter-hour (960 buckets at 15 min).
        for m in 0..10 * 24 * 60 {
            s.add_request(&VpceId::from("vpce-2"), at(m));
            s.fit();
        }
        assert!(s.buckets.len() <= MAX_BUCKETS);
        assert_eq!(width(s.level()), 15 * MINUTE);
        let total: u64 = s.endpoints.values().flat_map(|b| b.values()).map(|c| c.requests).sum();
        assert_eq!(total, 100 + 10 * 24 * 60, "nothing lost in coarsening");
    }

    /// Split anywhere, merged in either order: the same series as one sequential fold.
    #[test]
    fn merging_equals_a_sequential_fold() {
        let times: Vec<(usize, i64)> = (0..3000).map(|i| (i as usize, (i * 7919) % (20 * 24 * 60))).collect();
        let fold = |times: &[(usize, i64)]| {
            let mut s = Series::default();
            for &(i, ref m) in times {
                if i % 5 == 0 {
                    s.add_denial(&VpceId::from("vpce-1"), at(*m), Cause::VpcePolicy, i % 2 == 0);
                } else {
                    s.add_request(&VpceId::from(if i % 3 == 0 { "vpce-1" } else { "vpce-2" }), at(*m));
                    s.fit();
                }
            }
            s
        };
        let whole = fold(&times);
        for split in [1, 500, 2999] {
            let (a, b) = times.split_at(split);
            let mut ab = fold(a);
            ab.merge(fold(b));
            let mut ba = fold(b);
            ba.merge(fold(a));
            for merged in [ab, ba] {
                assert_eq!(merged.level(), whole.level(), "{split}");
                for (vpce, buckets) in &whole.endpoints {
                    for (index, counts) in buckets {
                        assert_eq!(merged.endpoints[vpce].get(index), Some(counts), "{split} {vpce} {index}");
                    }
                    assert_eq!(merged.endpoints[vpce].len(), buckets.len());
                }
            }
        }
    }

    /// Years apart (an attacker's eventTime): the series still ends under the cap.
    #[test]
    fn extreme_times_end_under_the_cap() {
        let mut s = Series::default();
        for (i, millis) in [i64::MIN / 2, -1, 0, 1, 253_402_300_799_000, i64::MAX / 2].into_iter().enumerate() {
            s.add_denial(&VpceId::from(format!("vpce-{i}")), Some(Timestamp::from_millis(millis)), Cause::Scp, false);
        }
        for m in 0..5000 {
            s.add_request(&VpceId::from("vpce-x"), at(m * 1000));
            s.fit();
        }
        assert!(s.buckets.len() <= MAX_BUCKETS, "{}", s.buckets.len());
        let bars = s.bucketed(Timestamp::from_millis(0), Timestamp::from_millis(5000 * 1000 * MINUTE), 60);
        assert!(bars.bars <= 60);
    }

    #[test]
    fn display_width_follows_the_window() {
        let mut s = Series::default();
        s.add_request(&VpceId::from("vpce-1"), at(0));
        s.add_denial(&VpceId::from("vpce-1"), at(90), Cause::VpcePolicy, false);
        s.add_denial(&VpceId::from("vpce-1"), at(24 * 60 - 1), Cause::Scp, true);
        let cases = [
            (60, 60, MINUTE),
            (24 * 60, 60, HOUR),
            (24 * 60, 24, HOUR),
            (24 * 60, 20, 3 * HOUR),
            (7 * 24 * 60, 60, 3 * HOUR),
        ];
        for (minutes, max_bars, want) in cases {
            let b = s.bucketed(Timestamp::from_millis(0), Timestamp::from_millis(minutes * MINUTE - 1), max_bars);
            assert_eq!(b.width, want, "{minutes} minutes in {max_bars} bars");
            assert!(b.bars <= max_bars);
            let counts = &b.endpoints["vpce-1"];
            let total: u64 = counts.iter().map(Counts::total).sum();
            let inside = if minutes == 60 { 1 } else { 3 };
            assert_eq!(total, inside, "{minutes}");
        }
    }

    #[test]
    fn endpoint_policy_denials_of_other_endpoints_are_reassigned_unless_network_activity_says_so() {
        let mut s = Series::default();
        s.add_denial(&VpceId::from("vpce-aws"), at(1), Cause::VpcePolicy, false);
        s.add_denial(&VpceId::from("vpce-aws"), at(1), Cause::VpcePolicy, true);
        s.add_denial(&VpceId::from("vpce-mine"), at(1), Cause::VpcePolicy, false);
        s.reassign(|vpce| vpce == "vpce-aws");
        let (vpce, other) = (cause_index(Cause::VpcePolicy), cause_index(Cause::OtherEndpointPolicy));
        let aws = &s.endpoints["vpce-aws"][&1];
        assert_eq!((aws.denied[vpce], aws.denied[other]), (1, 1));
        let mine = &s.endpoints["vpce-mine"][&1];
        assert_eq!((mine.denied[vpce], mine.denied[other]), (1, 0));
    }
}
