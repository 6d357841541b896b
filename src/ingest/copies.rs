//! With `--verify`: where the other copies of a de-duplicated event were. CloudTrail may deliver an event twice,
//! and an attacker who edits one file may leave a copy in another; the analyzers see the copy read first, which
//! depends on scheduling. A row then takes the worst integrity of every file that held its event
//! ([`CopyIndex::files_of`]), the same whichever copy was read first.
//!
//! Memory: one entry per distinct (event id, file) pair among the copies dropped, the id kept as a seeded 128-bit
//! hash (an attacker's long ids cost nothing more), so giving the same folder twice costs 50 to 100 bytes per
//! event, and a file repeating one event costs one pair. Adding is O(1); the pairs are sorted once, when the
//! pass is over. Two ids whose hashes collide would share their copies' files: a row could be marked worse than
//! it is, never better.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};
use std::sync::LazyLock;

/// A per-process seed: event ids are attacker-written, so their hashes must not be predictable offline.
static SEED: LazyLock<u64> = LazyLock::new(|| RandomState::new().hash_one(0x636f_7069_6573_u64));

fn event_key(event_id: &str) -> u128 {
    xxhash_rust::xxh3::xxh3_128_with_seed(event_id.as_bytes(), *SEED)
}

/// The copies dropped by de-duplication, gathered during the pass (one per worker, merged).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Copies {
    events: HashMap<u128, u32>,
    files: HashMap<Box<str>, u32>,
    pairs: HashSet<(u32, u32)>,
}

fn intern(table: &mut HashMap<Box<str>, u32>, value: &str) -> u32 {
    if let Some(&index) = table.get(value) {
        return index;
    }
    let index = u32::try_from(table.len()).unwrap_or(u32::MAX);
    table.insert(value.into(), index);
    index
}

fn intern_key(table: &mut HashMap<u128, u32>, key: u128) -> u32 {
    let next = u32::try_from(table.len()).unwrap_or(u32::MAX);
    *table.entry(key).or_insert(next)
}

impl Copies {
    /// A copy of event `event_id` read from `file` and dropped as a duplicate.
    pub fn add(&mut self, event_id: &str, file: &str) {
        self.add_key(event_key(event_id), file);
    }

    fn add_key(&mut self, event: u128, file: &str) {
        let event = intern_key(&mut self.events, event);
        let file = intern(&mut self.files, file);
        self.pairs.insert((event, file));
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    pub fn merge(&mut self, other: Copies) {
        if self.is_empty() {
            *self = other;
            return;
        }
        let mut events = vec![0u128; other.events.len()];
        for (key, index) in other.events {
            events[index as usize] = key;
        }
        let mut files = vec![Box::<str>::default(); other.files.len()];
        for (name, index) in other.files {
            files[index as usize] = name;
        }
        for (event, file) in other.pairs {
            self.add_key(events[event as usize], &files[file as usize]);
        }
    }

    /// The lookup side, built once after the pass.
    pub fn into_index(self) -> CopyIndex {
        let mut files = vec![Box::<str>::default(); self.files.len()];
        for (name, index) in self.files {
            files[index as usize] = name;
        }
        let mut pairs: Vec<(u32, u32)> = self.pairs.into_iter().collect();
        pairs.sort_unstable();
        CopyIndex { events: self.events, files, pairs }
    }
}

/// The files that held dropped copies of each event, looked up by event id.
#[derive(Debug, Clone, Default)]
pub struct CopyIndex {
    events: HashMap<u128, u32>,
    files: Vec<Box<str>>,
    /// (event, file), sorted.
    pairs: Vec<(u32, u32)>,
}

impl CopyIndex {
    /// The files that held a copy of `event_id` other than the one read (none for an event seen once).
    pub fn files_of<'a>(&'a self, event_id: &str) -> impl Iterator<Item = &'a str> + 'a {
        let range = match self.events.get(&event_key(event_id)) {
            Some(&event) => {
                let start = self.pairs.partition_point(|&(e, _)| e < event);
                let end = self.pairs.partition_point(|&(e, _)| e <= event);
                start..end
            }
            None => 0..0,
        };
        self.pairs[range].iter().map(|&(_, file)| &*self.files[file as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(index: &CopyIndex, event: &str) -> Vec<String> {
        let mut got: Vec<String> = index.files_of(event).map(str::to_owned).collect();
        got.sort();
        got
    }

    #[test]
    fn copies_are_found_by_event_whatever_worker_saw_them() {
        let mut one = Copies::default();
        one.add("e1", "b.json");
        one.add("e1", "b.json");
        one.add("e2", "c.json");
        let mut two = Copies::default();
        two.add("e2", "b.json");
        two.add("e1", "c.json");
        two.add("e3", "c.json");
        one.merge(two);
        let index = one.into_index();
        let cases: [(&str, &[&str]); 4] =
            [("e1", &["b.json", "c.json"]), ("e2", &["b.json", "c.json"]), ("e3", &["c.json"]), ("e4", &[])];
        for (event, want) in cases {
            assert_eq!(files(&index, event), want, "{event}");
        }
    }

    /// N copies of one event in N files, and N events each copied once: both cost N pairs (no quadratic
    /// step), and each event finds exactly its files.
    #[test]
    fn many_copies_scale_linearly() {
        for n in [1_000usize, 10_000] {
            let mut copies = Copies::default();
            for i in 0..n {
                copies.add("hot", &format!("f{i}"));
                copies.add(&format!("e{i}"), "g");
            }
            assert_eq!(copies.pairs.len(), 2 * n);
            let index = copies.into_index();
            assert_eq!(index.files_of("hot").count(), n);
            assert_eq!(files(&index, &format!("e{}", n - 1)), ["g"]);
        }
    }
}
