//! Several analyzers in one pass: a tuple of analyzers is an analyzer. Each record is handed to every member
//! in turn, so the full event ([`Record::event`]) is built at most once and shared by all of them; merging is
//! member by member. `report` folds `scan`, `denied`, `outside`, `propose`'s facts and the traffic series this
//! way over one read of the input.

use super::Analyzer;
use crate::model::{Aggregate, Record};

macro_rules! tuple_analyzer {
    ($($name:ident $index:tt),+) => {
        impl<$($name: Analyzer),+> Analyzer for ($($name,)+) {
            fn observe(&mut self, record: &Record<'_>) {
                $(self.$index.observe(record);)+
            }

            fn aggregated(&mut self, aggregate: &Aggregate) {
                $(self.$index.aggregated(aggregate);)+
            }

            fn merge(&mut self, other: Self) {
                $(self.$index.merge(other.$index);)+
            }
        }
    };
}

tuple_analyzer!(A 0, B 1);
tuple_analyzer!(A 0, B 1, C 2);
tuple_analyzer!(A 0, B 1, C 2, D 3);
tuple_analyzer!(A 0, B 1, C 2, D 3, E 4);
tuple_analyzer!(A 0, B 1, C 2, D 3, E 4, F 5);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Event;

    /// Counts what it sees.
    #[derive(Default, Debug, PartialEq)]
    struct Count {
        records: u64,
        aggregates: u64,
    }

    impl Analyzer for Count {
        fn observe(&mut self, _record: &Record<'_>) {
            self.records += 1;
        }
        fn aggregated(&mut self, _aggregate: &Aggregate) {
            self.aggregates += 1;
        }
        fn merge(&mut self, other: Self) {
            self.records += other.records;
            self.aggregates += other.aggregates;
        }
    }

    #[test]
    fn every_member_sees_every_record_and_merges_its_own() {
        let event = Event::blank();
        let mut pair = (Count::default(), Count::default());
        pair.observe(&Record::built(&event));
        pair.observe(&Record::built(&event));
        let mut other = (Count::default(), Count::default());
        other.observe(&Record::built(&event));
        pair.merge(other);
        assert_eq!((pair.0.records, pair.1.records), (3, 3));
        let mut triple = (Count::default(), Count::default(), Count::default());
        let aggregate = Aggregate {
            event_id: None,
            account: None,
            region: None,
            event_source: "s3.amazonaws.com".to_owned(),
            window_start: None,
            requests: 5,
            error_codes: Vec::new(),
        };
        triple.aggregated(&aggregate);
        assert_eq!((triple.0.aggregates, triple.1.aggregates, triple.2.aggregates), (1, 1, 1));
    }
}
