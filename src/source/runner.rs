//! The background side of remote inputs: a small tokio runtime that lists every S3 prefix, dispatches GETs
//! (at most `--s3-concurrency` objects in flight across all prefixes) and runs LookupEvents, handing
//! [`RemoteItem`]s to the pipeline through a bounded channel, as they arrive or in listing order
//! ([`super::delivery`]). The pipeline's threads block on that channel; async code never decodes.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::SdkConfig;
use tokio::sync::{Semaphore, mpsc};

use super::Input;
use super::delivery::Delivery;
use super::s3::client::{bucket_client, load};
use super::s3::fetch::FetchJob;
use super::s3::layout::ObjectPlan;
use super::s3::list::{Listed, list_prefix};
use crate::source::lookup::{self, LookupJob};
use crate::source::remote::{RemoteConfig, RemoteError, RemoteItem, RemotePlan, RemoteProgress, RemoteStream};

/// Listed keys buffered ahead of the fetches.
const LISTED_BUFFER: usize = 2_000;

/// Shared by the tasks of one run.
#[derive(Clone)]
struct Shared {
    sdk: SdkConfig,
    config: RemoteConfig,
    plan: RemotePlan,
    items: mpsc::Sender<RemoteItem>,
    progress: Arc<RemoteProgress>,
    permits: Arc<Semaphore>,
    fatal: Arc<Mutex<Option<RemoteError>>>,
}

impl Shared {
    fn fail(&self, error: RemoteError) {
        let mut fatal = self.fatal.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        fatal.get_or_insert(error);
    }
}

pub(crate) fn start(inputs: &[Input], config: &RemoteConfig, plan: &RemotePlan) -> Result<RemoteStream, RemoteError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("trail-vpce-aws")
        .enable_all()
        .build()
        .map_err(|e| RemoteError::Runtime(e.to_string()))?;
    let concurrency = config.concurrency.max(1);
    let (items, mut items_rx) = mpsc::channel(concurrency);
    let sdk = runtime.block_on(load(config));
    let shared = Shared {
        sdk,
        config: config.clone(),
        plan: plan.clone(),
        items,
        progress: Arc::default(),
        permits: Arc::new(Semaphore::new(concurrency)),
        fatal: Arc::default(),
    };
    let prefixes: Vec<(String, String)> = inputs
        .iter()
        .filter_map(|input| match input {
            Input::S3 { bucket, prefix, .. } => Some((bucket.clone(), prefix.clone())),
            _ => None,
        })
        .collect();
    if plan.in_order {
        let (delivery, forwarder) = Delivery::in_order(shared.items.clone(), concurrency);
        runtime.spawn(forwarder);
        runtime.spawn(read_prefixes_in_order(shared.clone(), prefixes, delivery));
    } else {
        for (bucket, prefix) in prefixes {
            let delivery = Delivery::Arrival(shared.items.clone());
            runtime.spawn(read_prefix(shared.clone(), bucket, prefix, delivery));
        }
    }
    if inputs.iter().any(|input| matches!(input, Input::Lookup)) {
        for region in lookup::regions(&shared.config, &shared.sdk)? {
            let job = LookupJob {
                sdk: shared.sdk.clone(),
                region,
                since: plan.since,
                until: plan.until,
                items: shared.items.clone(),
                progress: shared.progress.clone(),
            };
            let shared = shared.clone();
            runtime.spawn(async move {
                if let Err(error) = job.run().await {
                    shared.fail(error);
                }
            });
        }
    }
    let progress = shared.progress.clone();
    let fatal = shared.fatal.clone();
    drop(shared);
    Ok(RemoteStream {
        items: Box::new(std::iter::from_fn(move || items_rx.blocking_recv())),
        finish: Box::new(move || {
            runtime.shutdown_timeout(Duration::from_secs(5));
            let mut fatal = fatal.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            fatal.take().map_or(Ok(()), Err)
        }),
        progress,
    })
}

/// A prefix being listed: its client, and the keys as they are listed.
struct Opened {
    client: aws_sdk_s3::Client,
    bucket: String,
    prefix: String,
    listed: mpsc::Receiver<Listed>,
    lister: tokio::task::JoinHandle<()>,
}

/// Starts listing one prefix (`None` when its client cannot be made: the run's error is set).
async fn open_prefix(shared: Shared, bucket: String, prefix: String) -> Option<Opened> {
    let client = match bucket_client(&shared.sdk, &shared.config, &bucket, &prefix).await {
        Ok(client) => client,
        Err(error) => {
            shared.fail(error);
            return None;
        }
    };
    let (listed_tx, listed) = mpsc::channel::<Listed>(LISTED_BUFFER);
    let lister = {
        let (client, bucket, prefix, shared) = (client.clone(), bucket.clone(), prefix.clone(), shared.clone());
        tokio::spawn(async move {
            if let Err(error) =
                list_prefix(&client, &bucket, &prefix, &shared.plan.prune, &listed_tx, &shared.progress).await
            {
                shared.fail(error);
            }
        })
    };
    Some(Opened { client, bucket, prefix, listed, lister })
}

/// Lists one prefix and fetches what the plan keeps, handing the items on as they arrive.
async fn read_prefix(shared: Shared, bucket: String, prefix: String, delivery: Delivery) {
    if let Some(opened) = open_prefix(shared.clone(), bucket, prefix).await {
        dispatch(&shared, opened, &delivery).await;
    }
}

/// Every prefix listed at once, their objects dispatched and handed on in order: the prefixes in the order
/// given, each in listing (key) order.
async fn read_prefixes_in_order(shared: Shared, prefixes: Vec<(String, String)>, delivery: Delivery) {
    let opening: Vec<_> = prefixes
        .into_iter()
        .map(|(bucket, prefix)| tokio::spawn(open_prefix(shared.clone(), bucket, prefix)))
        .collect();
    for opened in opening {
        if let Ok(Some(opened)) = opened.await
            && !dispatch(&shared, opened, &delivery).await
        {
            break;
        }
    }
}

/// Plans each listed object of one prefix and starts its fetch; `false` when the run is ending.
async fn dispatch(shared: &Shared, opened: Opened, delivery: &Delivery) -> bool {
    let Opened { client, bucket, prefix, mut listed, lister } = opened;
    let max_attempts = shared.sdk.retry_config().map_or(3, |r| r.max_attempts());
    let mut going = true;
    while let Some(Listed { key, bytes }) = listed.recv().await {
        let name = format!("s3://{bucket}/{key}");
        going = match shared.plan.prune.plan_object(key.strip_prefix(prefix.as_str()).unwrap_or(&key)) {
            ObjectPlan::Ignore => true,
            ObjectPlan::Skip(reason) => delivery.ready(&name, RemoteItem::Skipped { name: name.clone(), reason }).await,
            ObjectPlan::Fetch if shared.plan.list_only => {
                delivery.ready(&name, RemoteItem::Listed { name: name.clone(), bytes }).await
            }
            ObjectPlan::Fetch => {
                let Ok(permit) = shared.permits.clone().acquire_owned().await else { break };
                match delivery.fetch(&name, permit).await {
                    None => false,
                    Some((handoff, permit)) => {
                        let job = FetchJob {
                            client: client.clone(),
                            bucket: bucket.clone(),
                            key,
                            max_attempts,
                            handoff: Some(handoff),
                            progress: shared.progress.clone(),
                        };
                        tokio::spawn(async move {
                            job.run().await;
                            drop(permit);
                        });
                        true
                    }
                }
            }
        };
        if !going {
            break;
        }
    }
    drop(listed);
    let _ = lister.await;
    going
}
