//! A sorted set of strings for per-key state that is nearly always tiny (a finding's actions, addresses and
//! sample event ids): a sorted boxed slice while it holds few values, a B-tree past that. A `BTreeSet<String>`
//! allocates a whole node (~320 bytes) for its first value; a finding per distinct principal held three of
//! them, most of the ~2 KB each principal cost `outside`.

use std::collections::BTreeSet;

/// Values kept in the sorted vector before it becomes a B-tree (inserting is a shift of at most this many).
const FEW: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmallSet {
    /// Sorted, distinct, at most [`FEW`].
    Few(Vec<Box<str>>),
    Many(BTreeSet<Box<str>>),
}

impl Default for SmallSet {
    fn default() -> Self {
        SmallSet::Few(Vec::new())
    }
}

impl SmallSet {
    pub fn len(&self) -> usize {
        match self {
            SmallSet::Few(v) => v.len(),
            SmallSet::Many(s) => s.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, value: &str) -> bool {
        match self {
            SmallSet::Few(v) => v.binary_search_by(|x| (**x).cmp(value)).is_ok(),
            SmallSet::Many(s) => s.contains(value),
        }
    }

    /// Inserts a copy of `value` unless it is there; true when it was inserted.
    pub fn insert(&mut self, value: &str) -> bool {
        match self {
            SmallSet::Few(v) => match v.binary_search_by(|x| (**x).cmp(value)) {
                Ok(_) => false,
                Err(at) if v.len() < FEW => {
                    if v.capacity() == v.len() {
                        // Grow by one: most sets stay at one or two values.
                        v.reserve_exact(1);
                    }
                    v.insert(at, value.into());
                    true
                }
                Err(_) => {
                    let mut many: BTreeSet<Box<str>> = std::mem::take(v).into_iter().collect();
                    many.insert(value.into());
                    *self = SmallSet::Many(many);
                    true
                }
            },
            SmallSet::Many(s) => !s.contains(value) && s.insert(value.into()),
        }
    }

    /// The greatest value.
    pub fn last(&self) -> Option<&str> {
        match self {
            SmallSet::Few(v) => v.last().map(|x| &**x),
            SmallSet::Many(s) => s.last().map(|x| &**x),
        }
    }

    /// Removes the greatest value.
    pub fn pop_last(&mut self) {
        match self {
            SmallSet::Few(v) => {
                v.pop();
            }
            SmallSet::Many(s) => {
                s.pop_last();
            }
        }
    }

    /// The values in order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        match self {
            SmallSet::Few(v) => Box::new(v.iter().map(|x| &**x)),
            SmallSet::Many(s) => Box::new(s.iter().map(|x| &**x)),
        }
    }

    /// Adds every value of `other`.
    pub fn extend(&mut self, other: SmallSet) {
        for value in other {
            self.insert(&value);
        }
    }
}

impl IntoIterator for SmallSet {
    type Item = String;
    type IntoIter = Box<dyn Iterator<Item = String>>;

    /// The values in order.
    fn into_iter(self) -> Self::IntoIter {
        match self {
            SmallSet::Few(v) => Box::new(v.into_iter().map(String::from)),
            SmallSet::Many(s) => Box::new(s.into_iter().map(String::from)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Behaves as a `BTreeSet<String>` through inserts, merges and popping the greatest value.
        #[test]
        fn same_as_a_btreeset(
            values in prop::collection::vec("[a-e]{0,3}", 0..120),
            more in prop::collection::vec("[a-e]{0,3}", 0..60),
            pops in 0usize..5,
        ) {
            let (mut small, mut oracle) = (SmallSet::default(), BTreeSet::new());
            for v in &values {
                prop_assert_eq!(small.insert(v), oracle.insert(v.clone()));
                prop_assert!(small.contains(v));
            }
            let mut other = SmallSet::default();
            for v in &more {
                other.insert(v);
                oracle.insert(v.clone());
            }
            small.extend(other);
            for _ in 0..pops {
                prop_assert_eq!(small.last(), oracle.last().map(String::as_str));
                small.pop_last();
                oracle.pop_last();
            }
            prop_assert_eq!(small.len(), oracle.len());
            prop_assert_eq!(small.iter().collect::<Vec<_>>(), oracle.iter().map(String::as_str).collect::<Vec<_>>());
            prop_assert_eq!(small.into_iter().collect::<Vec<_>>(), oracle.into_iter().collect::<Vec<_>>());
        }
    }
}
