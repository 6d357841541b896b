//! With `--verify`: where the other copies of a de-duplicated event were. CloudTrail may deliver an event twice,
//! and an attacker who edits one file may leave a copy in another; the analyzers see the copy read first, which
//! depends on scheduling. A row then takes the worst integrity of every file that held its event
//! ([`CopyIndex::files_of`]), the same whichever copy was read first.
//!
//! Memory: one entry per distinct (event id, file) pair among the copies dropped, so giving the same folder
//! twice costs about 100 bytes per event (the id, its table slot and the pair), and a file repeating one event
//! costs one pair. Adding is O(1); the pairs are sorted once, when the pass is over.

use std::collections::{HashMap, HashSet};

/// The copies dropped by de-duplication, gathered during the pass (one per worker, merged).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Copies {
    events: HashMap<Box<str>, u32>,
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

impl Copies {
    /// A copy of event `event_id` read from `file` and dropped as a duplicate.
    pub fn add(&mut self, event_id: &str, file: &str) {
        let event = intern(&mut self.events, event_id);
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
        let names = |table: HashMap<Box<str>, u32>| {
            let mut names = vec![Box::<str>::default(); table.len()];
            for (name, index) in table {
                names[index as usize] = name;
            }
            names
        };
        let (events, files) = (names(other.events), names(other.files));
        for (event, file) in other.pairs {
            self.add(&events[event as usize], &files[file as usize]);
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
    events: HashMap<Box<str>, u32>,
    files: Vec<Box<str>>,
    /// (event, file), sorted.
    pairs: Vec<(u32, u32)>,
}

impl CopyIndex {
    /// The files that held a copy of `event_id` other than the one read (none for an event seen once).
    pub fn files_of<'a>(&'a self, event_id: &str) -> impl Iterator<Item = &'a str> + 'a {
        let range = match self.events.get(event_id) {
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
