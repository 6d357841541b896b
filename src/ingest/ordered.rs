//! A record sink outside the analyzer fold, fed in input order: `export` writes its rows through one.
//!
//! Workers read whole input units (a file, stdin, a remote object) in parallel; the units are dispatched in
//! the order the inputs were listed, so the lowest unit not yet finished (the head) is always being read by
//! some worker. Each worker builds the sink's items from its unit ([`RecordSink::item`], in parallel) and
//! hands them over in chunks to the [`Window`], which passes them to [`RecordSink::take`] in input order:
//! the head's items at once, the items of later units once every unit before them is finished. What the sink
//! receives is therefore a function of the inputs alone, whatever the number of threads or their timing.
//!
//! De-duplication keeps, per event id, the earliest input unit that holds a copy
//! ([`super::Deduper::ordered`]; within a unit, the first copy read); an item is passed on only if its unit is
//! that one, which is final by then (every earlier unit is finished). So the copy a sink keeps is the one a
//! one-thread run keeps.
//!
//! Memory is bounded: items of units after the head wait in the window up to [`Limit`] (items and estimated
//! bytes); past it, a worker that is not reading the head waits before it reads on, until the head has
//! caught up with its unit (back-pressure). The head never waits on the window, so the run cannot stall.
//! Held at most: the limit plus one chunk per worker.

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, MutexGuard};

use super::Deduper;
use crate::model::Record;

/// A sink fed beside the analyzers, outside their fold, with every record that passed de-duplication and
/// the filter, in input order (see the module doc).
pub trait RecordSink: Sync {
    /// What the sink keeps of a record.
    type Item: Send;
    /// Whether the sink takes records at all ([`NoSink`] does not: the pipeline then keeps no order).
    const ACTIVE: bool = true;
    /// The item for a record, built by the worker that read it (in parallel); `None` keeps nothing.
    fn item(&self, record: &Record<'_>) -> Option<Self::Item>;
    /// The estimated bytes an item holds (the window's byte bound).
    fn weight(&self, item: &Self::Item) -> usize;
    /// The next item in input order. Called by one thread at a time; may block (back-pressure).
    fn take(&self, item: Self::Item, weight: usize);
    /// How much the window may hold of units read ahead of the head.
    fn limit(&self) -> Limit;
}

/// How much a window holds before workers ahead of the head wait: whichever of items or bytes comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub items: usize,
    pub bytes: usize,
}

/// No sink: the records go to the analyzers only.
pub struct NoSink;

impl RecordSink for NoSink {
    type Item = std::convert::Infallible;
    const ACTIVE: bool = false;

    fn item(&self, _record: &Record<'_>) -> Option<Self::Item> {
        None
    }

    fn weight(&self, item: &Self::Item) -> usize {
        match *item {}
    }

    fn take(&self, item: Self::Item, _weight: usize) {
        match item {}
    }

    fn limit(&self) -> Limit {
        Limit { items: 0, bytes: 0 }
    }
}

/// An item with its de-duplication digest (`None`: no id, always kept) and its estimated bytes.
pub struct Placed<T> {
    pub digest: Option<u128>,
    pub weight: usize,
    pub item: T,
}

/// Items of units ahead of the head, and whether the unit is finished.
struct Held<T> {
    items: Vec<Placed<T>>,
    done: bool,
}

struct State<T> {
    /// The lowest unit not yet finished.
    head: u32,
    ahead: BTreeMap<u32, Held<T>>,
    held_items: usize,
    held_bytes: usize,
    /// The most items ever held (for tests of the bound).
    peak_items: usize,
    /// Workers waiting for the head (for tests).
    waiting: usize,
}

/// Puts the items of units read in parallel back in input order (see the module doc).
pub struct Window<'a, S: RecordSink> {
    sink: &'a S,
    dedup: &'a Deduper,
    limit: Limit,
    /// Items a worker gathers before it hands them to the window.
    chunk: Limit,
    state: Mutex<State<S::Item>>,
    moved: Condvar,
}

impl<'a, S: RecordSink> Window<'a, S> {
    /// A window in front of `sink`, for `workers` workers, checking places against `dedup`.
    pub fn new(sink: &'a S, dedup: &'a Deduper, workers: usize) -> Window<'a, S> {
        let limit = sink.limit();
        let workers = workers.max(1);
        let chunk = Limit { items: (limit.items / workers).clamp(1, 256), bytes: (limit.bytes / workers).max(1) };
        let state = State { head: 0, ahead: BTreeMap::new(), held_items: 0, held_bytes: 0, peak_items: 0, waiting: 0 };
        Window { sink, dedup, limit, chunk, state: Mutex::new(state), moved: Condvar::new() }
    }

    pub fn sink(&self) -> &'a S {
        self.sink
    }

    /// Whether a worker's gathered items (count and bytes) make a chunk to hand over.
    pub fn chunk_full(&self, items: usize, bytes: usize) -> bool {
        items >= self.chunk.items || bytes >= self.chunk.bytes
    }

    fn lock(&self) -> MutexGuard<'_, State<S::Item>> {
        // A poisoned lock means a worker panicked; the state is still consistent between calls.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Hands over the next items of `unit` (in the unit's order); `done` when the unit is finished (call it
    /// exactly once per unit, with or without items). Blocks while the window is full and `unit` is not the
    /// head yet.
    pub fn push(&self, unit: u32, items: Vec<Placed<S::Item>>, done: bool) {
        let mut state = self.lock();
        if unit < state.head {
            // Already ended (only a unit ended twice gets here): nothing of it may be passed on any more.
            return;
        }
        if unit == state.head {
            self.deliver(unit, items);
            if done {
                // Its held items went out when it became the head.
                state.ahead.remove(&unit);
                state.head = state.head.saturating_add(1);
                self.drain(&mut state);
                self.moved.notify_all();
            }
            return;
        }
        state.held_items += items.len();
        state.held_bytes += items.iter().map(|p| p.weight).sum::<usize>();
        state.peak_items = state.peak_items.max(state.held_items);
        let held = state.ahead.entry(unit).or_insert_with(|| Held { items: Vec::new(), done: false });
        held.items.extend(items);
        held.done |= done;
        while state.head < unit && (state.held_items > self.limit.items || state.held_bytes > self.limit.bytes) {
            state.waiting += 1;
            state = self.moved.wait(state).unwrap_or_else(|poisoned| poisoned.into_inner());
            state.waiting -= 1;
        }
    }

    /// Passes on the held items of the units now at the head, advancing past finished ones.
    fn drain(&self, state: &mut State<S::Item>) {
        while let Some(entry) = state.ahead.first_entry() {
            if *entry.key() != state.head {
                return;
            }
            let held = if entry.get().done {
                entry.remove()
            } else {
                Held { items: std::mem::take(&mut entry.into_mut().items), done: false }
            };
            state.held_items -= held.items.len();
            state.held_bytes -= held.items.iter().map(|p| p.weight).sum::<usize>();
            self.deliver(state.head, held.items);
            if !held.done {
                return;
            }
            state.head = state.head.saturating_add(1);
        }
    }

    /// Items of `unit`, in input order, to the sink: each only if its unit holds its id (the earliest copy).
    fn deliver(&self, unit: u32, items: Vec<Placed<S::Item>>) {
        for placed in items {
            if placed.digest.is_none_or(|digest| self.dedup.holds(digest, unit)) {
                self.sink.take(placed.item, placed.weight);
            }
        }
    }

    /// The most items held at once so far.
    pub fn peak_items(&self) -> usize {
        self.lock().peak_items
    }

    /// Workers waiting for the head now.
    pub fn waiting(&self) -> usize {
        self.lock().waiting
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// Takes numbers, in the order given.
    struct Collect {
        limit: Limit,
        taken: Mutex<Vec<u64>>,
    }

    impl RecordSink for Collect {
        type Item = u64;
        fn item(&self, _record: &Record<'_>) -> Option<u64> {
            None
        }
        fn weight(&self, _item: &u64) -> usize {
            8
        }
        fn take(&self, item: u64, _weight: usize) {
            self.taken.lock().unwrap().push(item);
        }
        fn limit(&self) -> Limit {
            self.limit
        }
    }

    /// Where an item stands in the input, smaller first.
    fn order(unit: u32, position: u32) -> u64 {
        (u64::from(unit) << 32) | u64::from(position)
    }

    fn placed(unit: u32, position: u32) -> Placed<u64> {
        Placed { digest: None, weight: 8, item: order(unit, position) }
    }

    /// Units finished in any order come out in input order.
    #[test]
    fn units_come_out_in_input_order() {
        let sink = Collect { limit: Limit { items: 1000, bytes: 1 << 20 }, taken: Mutex::default() };
        let dedup = Deduper::ordered();
        let window = Window::new(&sink, &dedup, 4);
        window.push(2, vec![placed(2, 0), placed(2, 1)], true);
        window.push(1, vec![placed(1, 0)], false);
        window.push(3, vec![], true);
        window.push(0, vec![placed(0, 0)], false);
        assert_eq!(*sink.taken.lock().unwrap(), [order(0, 0)], "the head passes through at once");
        window.push(0, vec![placed(0, 1)], true);
        assert_eq!(*sink.taken.lock().unwrap(), [order(0, 0), order(0, 1), order(1, 0)]);
        window.push(1, vec![placed(1, 1)], true);
        window.push(4, vec![placed(4, 0)], true);
        let want = [order(0, 0), order(0, 1), order(1, 0), order(1, 1), order(2, 0), order(2, 1), order(4, 0)];
        assert_eq!(*sink.taken.lock().unwrap(), want);
    }

    /// A slow head: the workers reading ahead stop once the window is full, so what is held stays within
    /// the limit plus one chunk per worker however much input waits behind; all of it comes out in order
    /// once the head finishes.
    #[test]
    fn workers_ahead_of_a_slow_head_wait_at_the_limit() {
        const WORKERS: usize = 3;
        const UNITS: u32 = 200;
        const PER_UNIT: u32 = 50;
        let sink = Collect { limit: Limit { items: 120, bytes: 1 << 20 }, taken: Mutex::default() };
        let dedup = Deduper::ordered();
        let window = Window::new(&sink, &dedup, WORKERS);
        let next = AtomicU32::new(1);
        let (release, released) = std::sync::mpsc::channel::<()>();
        let window = &window;
        let next = &next;
        std::thread::scope(|scope| {
            // Unit 0 is slow: it hands over a chunk, then waits to be released before it finishes.
            scope.spawn(move || {
                window.push(0, vec![placed(0, 0)], false);
                released.recv().unwrap();
                window.push(0, vec![placed(0, 1)], true);
            });
            for _ in 1..WORKERS {
                scope.spawn(move || {
                    loop {
                        let unit = next.fetch_add(1, Ordering::Relaxed);
                        if unit >= UNITS {
                            return;
                        }
                        let mut chunk = Vec::new();
                        for position in 0..PER_UNIT {
                            chunk.push(placed(unit, position));
                            if window.chunk_full(chunk.len(), 0) {
                                window.push(unit, std::mem::take(&mut chunk), false);
                            }
                        }
                        window.push(unit, chunk, true);
                    }
                });
            }
            // Both readers ahead end up waiting on the full window (no clock: wait for the state).
            while window.waiting() < WORKERS - 1 {
                assert!(next.load(Ordering::Relaxed) < UNITS, "the readers never waited");
                std::thread::yield_now();
            }
            // The limit, plus one chunk (120 / 3 items) per worker.
            let bound = 120 + WORKERS * 40;
            assert!(window.peak_items() <= bound, "held {} > {bound}", window.peak_items());
            assert!(next.load(Ordering::Relaxed) < 10, "the readers stopped early");
            release.send(()).unwrap();
        });
        let taken = sink.taken.lock().unwrap();
        assert_eq!(taken.len(), 2 + (UNITS as usize - 1) * PER_UNIT as usize);
        assert!(taken.windows(2).all(|w| w[0] < w[1]), "input order");
        assert!(window.peak_items() <= 240);
    }

    /// Copies of one record: only the earliest place in the input is passed on, whichever came first.
    #[test]
    fn only_the_earliest_copy_is_passed_on() {
        use crate::model::{Event, LogKind, RecordHead};
        let event = Event { event_id: Some("dup".into()), kind: LogKind::CloudTrail, ..Event::blank() };
        let head = RecordHead::of_event(&event);
        let sink = Collect { limit: Limit { items: 1000, bytes: 1 << 20 }, taken: Mutex::default() };
        let dedup = Deduper::ordered();
        let window = Window::new(&sink, &dedup, 2);
        // Unit 1 reads its copy first (it is ahead); unit 0's copy, read later, is earlier in the input.
        let late = dedup.claim(&head, 1);
        window.push(1, vec![Placed { digest: late.digest, ..placed(1, 0) }], true);
        let early = dedup.claim(&head, 0);
        window.push(0, vec![Placed { digest: early.digest, ..placed(0, 3) }], true);
        assert_eq!(*sink.taken.lock().unwrap(), [order(0, 3)]);
    }
}
