//! How remote items reach the pipeline: as they arrive (the default: a slow object delays nothing), or in
//! listing order (`RemotePlan::in_order`: `export`, whose parts must not depend on the network, and `ls`).
//!
//! In listing order, the dispatcher queues one [`Pending`] slot per listed object, in order, before its fetch
//! starts; a forwarder hands the slots' items on in queue order. A fetch's concurrency permit is shared by the
//! fetch and its slot, so it is released only when the fetch has ended *and* its item was handed on: the
//! objects held, fetched but not yet handed on, stay within `--s3-concurrency`. There is no deadlock: the
//! earliest slot's fetch was dispatched first, so it holds a permit and will fill its slot.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, mpsc, oneshot};

use crate::source::remote::RemoteItem;

/// Where one fetch hands its one item (an object body, or the failure).
pub(crate) enum Handoff {
    /// Straight to the pipeline.
    Arrival(mpsc::Sender<RemoteItem>),
    /// Into its slot in the listing-order queue.
    Slot(oneshot::Sender<RemoteItem>),
}

impl Handoff {
    /// Hands the item on; `false` when nobody will read it any more (the run is ending).
    pub(crate) async fn send(self, item: RemoteItem) -> bool {
        match self {
            Handoff::Arrival(items) => items.send(item).await.is_ok(),
            Handoff::Slot(slot) => slot.send(item).is_ok(),
        }
    }
}

/// A place in the listing-order queue.
pub(crate) struct Pending {
    /// The object's name, for the failure handed on if its fetch ends without an item.
    name: String,
    item: oneshot::Receiver<RemoteItem>,
    /// Shared with the fetch: released when both are done.
    _permit: Option<Arc<OwnedSemaphorePermit>>,
}

/// How a prefix's listed objects are handed on.
#[derive(Clone)]
pub(crate) enum Delivery {
    Arrival(mpsc::Sender<RemoteItem>),
    InOrder(mpsc::Sender<Pending>),
}

impl Delivery {
    /// Listing order: the queue (holding at most `capacity` slots) and the forwarder to spawn, which hands items
    /// on to `items` in queue order.
    pub(crate) fn in_order(
        items: mpsc::Sender<RemoteItem>,
        capacity: usize,
    ) -> (Delivery, impl Future<Output = ()> + Send + 'static) {
        let (queue, mut slots) = mpsc::channel::<Pending>(capacity.max(1));
        let forwarder = async move {
            while let Some(pending) = slots.recv().await {
                let item = pending.item.await.unwrap_or_else(|_| RemoteItem::Failed {
                    name: pending.name,
                    error: "the fetch ended without a result".to_owned(),
                });
                if items.send(item).await.is_err() {
                    break;
                }
            }
        };
        (Delivery::InOrder(queue), forwarder)
    }

    /// Hands on an item that needs no fetch (an object skipped or only listed); `false` when the run is ending.
    pub(crate) async fn ready(&self, name: &str, item: RemoteItem) -> bool {
        match self {
            Delivery::Arrival(items) => items.send(item).await.is_ok(),
            Delivery::InOrder(queue) => {
                let (slot, pending) = self.slot(name, None);
                let _ = slot.send(item);
                queue.send(pending).await.is_ok()
            }
        }
    }

    /// The handoff for a fetch about to start, holding `permit` (its place in the queue is taken now, in
    /// listing order); `None` when the run is ending.
    pub(crate) async fn fetch(&self, name: &str, permit: OwnedSemaphorePermit) -> Option<(Handoff, FetchPermit)> {
        match self {
            Delivery::Arrival(items) => {
                Some((Handoff::Arrival(items.clone()), FetchPermit { _held: Arc::new(permit) }))
            }
            Delivery::InOrder(queue) => {
                let permit = Arc::new(permit);
                let (slot, pending) = self.slot(name, Some(permit.clone()));
                queue.send(pending).await.ok()?;
                Some((Handoff::Slot(slot), FetchPermit { _held: permit }))
            }
        }
    }

    fn slot(&self, name: &str, permit: Option<Arc<OwnedSemaphorePermit>>) -> (oneshot::Sender<RemoteItem>, Pending) {
        let (slot, item) = oneshot::channel();
        (slot, Pending { name: name.to_owned(), item, _permit: permit })
    }
}

/// The fetch's share of its concurrency permit (dropped when the fetch ends).
pub(crate) struct FetchPermit {
    _held: Arc<OwnedSemaphorePermit>,
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::sync::Semaphore;

    use super::*;

    fn name(item: &RemoteItem) -> &str {
        match item {
            RemoteItem::Skipped { name, .. } | RemoteItem::Failed { name, .. } => name,
            _ => "?",
        }
    }

    fn skipped(name: &str) -> RemoteItem {
        RemoteItem::Skipped { name: name.to_owned(), reason: "test".to_owned() }
    }

    /// Fetches that finish in reverse order are handed on in the order they were queued, mixed with items that
    /// needed no fetch; a fetch that ends without an item is handed on as a failure in its place.
    #[tokio::test]
    async fn items_are_handed_on_in_queue_order() {
        let (items, mut out) = mpsc::channel(16);
        let (delivery, forwarder) = Delivery::in_order(items, 4);
        tokio::spawn(forwarder);
        let permits = Arc::new(Semaphore::new(4));
        let mut fetches = Vec::new();
        for (i, name) in ["a", "b", "c"].into_iter().enumerate() {
            let permit = permits.clone().acquire_owned().await.unwrap();
            let (handoff, held) = delivery.fetch(name, permit).await.unwrap();
            let delay = Duration::from_millis(30 * (3 - i as u64));
            fetches.push(tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                if name != "b" {
                    handoff.send(skipped(name)).await;
                }
                drop(held);
            }));
            assert!(delivery.ready(&format!("{name}+"), skipped(&format!("{name}+"))).await);
        }
        drop(delivery);
        let mut got = Vec::new();
        while let Some(item) = out.recv().await {
            got.push(format!("{}{}", name(&item), if matches!(item, RemoteItem::Failed { .. }) { "!" } else { "" }));
        }
        assert_eq!(got, ["a", "a+", "b!", "b+", "c", "c+"]);
    }

    /// A fetch's permit comes back only when its item has been handed on, not when the fetch ends.
    #[tokio::test]
    async fn a_permit_is_held_until_the_item_is_handed_on() {
        let (items, mut out) = mpsc::channel(1);
        let (delivery, forwarder) = Delivery::in_order(items, 4);
        tokio::spawn(forwarder);
        let permits = Arc::new(Semaphore::new(2));
        for name in ["a", "b"] {
            let permit = permits.clone().acquire_owned().await.unwrap();
            let (handoff, held) = delivery.fetch(name, permit).await.unwrap();
            handoff.send(skipped(name)).await;
            drop(held);
        }
        // "a" fills the pipeline's one place; "b" waits in the forwarder, its permit still taken.
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(permits.available_permits(), 1);
        assert_eq!(name(&out.recv().await.unwrap()), "a");
        assert_eq!(name(&out.recv().await.unwrap()), "b");
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(permits.available_permits(), 2);
    }
}
