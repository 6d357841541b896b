//! The background side of remote inputs: a small tokio runtime that lists every S3 prefix, dispatches GETs
//! (at most `--s3-concurrency` objects in flight across all prefixes) and runs LookupEvents, handing
//! [`RemoteItem`]s to the pipeline through a bounded channel. The pipeline's threads block on that channel;
//! async code never decodes.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::SdkConfig;
use tokio::sync::{Semaphore, mpsc};

use super::Input;
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
    for input in inputs {
        match input {
            Input::S3 { bucket, prefix, .. } => {
                runtime.spawn(read_prefix(shared.clone(), bucket.clone(), prefix.clone()));
            }
            Input::Lookup => {
                let regions = lookup::regions(&shared.config, &shared.sdk)?;
                for region in regions {
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
            _ => {}
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

/// Lists one prefix and fetches what the plan keeps.
async fn read_prefix(shared: Shared, bucket: String, prefix: String) {
    let client = match bucket_client(&shared.sdk, &shared.config, &bucket, &prefix).await {
        Ok(client) => client,
        Err(error) => return shared.fail(error),
    };
    let max_attempts = shared.sdk.retry_config().map_or(3, |r| r.max_attempts());
    let (listed_tx, mut listed_rx) = mpsc::channel::<Listed>(LISTED_BUFFER);
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
    while let Some(Listed { key, bytes }) = listed_rx.recv().await {
        let name = format!("s3://{bucket}/{key}");
        match shared.plan.prune.plan_object(key.strip_prefix(prefix.as_str()).unwrap_or(&key)) {
            ObjectPlan::Ignore => {}
            ObjectPlan::Skip(reason) => {
                if shared.items.send(RemoteItem::Skipped { name, reason }).await.is_err() {
                    break;
                }
            }
            ObjectPlan::Fetch if shared.plan.list_only => {
                if shared.items.send(RemoteItem::Listed { name, bytes }).await.is_err() {
                    break;
                }
            }
            ObjectPlan::Fetch => {
                let Ok(permit) = shared.permits.clone().acquire_owned().await else { break };
                let job = FetchJob {
                    client: client.clone(),
                    bucket: bucket.clone(),
                    key,
                    max_attempts,
                    items: shared.items.clone(),
                    progress: shared.progress.clone(),
                };
                tokio::spawn(async move {
                    job.run().await;
                    drop(permit);
                });
            }
        }
    }
    let _ = lister.await;
}
