//! Counting names and reporting the most frequent ones, deterministically (ties broken by name).

use std::collections::HashMap;

use serde::Serialize;

/// A name and how often it was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counted {
    pub name: String,
    pub count: u64,
}

/// Counts per name. Memory grows with the number of distinct names, not with the input.
#[derive(Debug, Default, Clone)]
pub struct TopCounter {
    counts: HashMap<String, u64>,
}

impl TopCounter {
    pub fn add(&mut self, name: &str, count: u64) {
        match self.counts.get_mut(name) {
            Some(existing) => *existing += count,
            None => {
                self.counts.insert(name.to_owned(), count);
            }
        }
    }

    pub fn merge(&mut self, other: TopCounter) {
        for (name, count) in other.counts {
            *self.counts.entry(name).or_default() += count;
        }
    }

    /// Distinct names tallied.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The `n` most frequent names, most frequent first, ties in name order.
    pub fn top(&self, n: usize) -> Vec<Counted> {
        let mut all: Vec<(&String, &u64)> = self.counts.iter().collect();
        all.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        all.into_iter().take(n).map(|(name, &count)| Counted { name: name.clone(), count }).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_is_by_count_then_name() {
        let mut a = TopCounter::default();
        a.add("b", 2);
        a.add("a", 2);
        let mut b = TopCounter::default();
        b.add("c", 1);
        b.add("z", 5);
        a.merge(b);
        let top: Vec<(String, u64)> = a.top(3).into_iter().map(|c| (c.name, c.count)).collect();
        assert_eq!(top, vec![("z".into(), 5), ("a".into(), 2), ("b".into(), 2)]);
    }
}
