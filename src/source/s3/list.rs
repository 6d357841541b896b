//! Listing a prefix: one flat paginated ListObjectsV2 when nothing prunes, else a walk down the folders
//! (delimiter `/`, several folders listed at once) that skips what [`Prune`] rules out and jumps straight to the
//! day folders of a short window. Objects are handed on page by page, so memory does not grow with the
//! number of keys.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use aws_sdk_s3::Client;
use aws_sdk_s3::error::ProvideErrorMetadata;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::client::{describe, list_error};
use super::layout::Prune;
use crate::source::remote::{RemoteError, RemoteProgress};

/// Folders listed at once during a walk.
const LIST_CONCURRENCY: usize = 8;

/// One listed object.
#[derive(Debug)]
pub(crate) struct Listed {
    pub key: String,
    /// The object's size in bytes, as listed.
    pub bytes: u64,
}

/// Lists everything under `prefix` the run can need, sending objects to `out`.
pub(crate) async fn list_prefix(
    client: &Client,
    bucket: &str,
    prefix: &str,
    prune: &Prune,
    out: &mpsc::Sender<Listed>,
    progress: &Arc<RemoteProgress>,
) -> Result<(), RemoteError> {
    if !prune.needs_descent() {
        list_folder(client.clone(), bucket.to_owned(), prefix.to_owned(), false, out.clone(), progress.clone()).await?;
        return Ok(());
    }
    let mut pending: VecDeque<String> = match prune.day_folders(prefix).filter(|_| prefix.ends_with('/')) {
        Some(days) => days.into(),
        None => [prefix.to_owned()].into(),
    };
    let mut running = JoinSet::new();
    loop {
        while running.len() < LIST_CONCURRENCY
            && let Some(folder) = pending.pop_front()
        {
            running.spawn(list_folder(client.clone(), bucket.to_owned(), folder, true, out.clone(), progress.clone()));
        }
        let Some(done) = running.join_next().await else { break };
        let folders = done.map_err(|e| RemoteError::Runtime(e.to_string()))??;
        for folder in folders.into_iter().filter(|f| prune.keep_folder(f)) {
            match prune.day_folders(&folder) {
                Some(days) => pending.extend(days),
                None => pending.push_back(folder),
            }
        }
    }
    Ok(())
}

/// Lists one folder (or, without a delimiter, everything under the prefix), all pages; returns the subfolders.
async fn list_folder(
    client: Client,
    bucket: String,
    prefix: String,
    delimited: bool,
    out: mpsc::Sender<Listed>,
    progress: Arc<RemoteProgress>,
) -> Result<Vec<String>, RemoteError> {
    let mut folders = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut request = client.list_objects_v2().bucket(&bucket).prefix(&prefix).set_continuation_token(token);
        if delimited {
            request = request.delimiter("/");
        }
        let page = request.send().await.map_err(|e| {
            let status = e.raw_response().map(|r| r.status().as_u16());
            list_error(status, e.code(), describe(&e), &bucket, &prefix)
        })?;
        folders.extend(page.common_prefixes().iter().filter_map(|p| p.prefix().map(str::to_owned)));
        for object in page.contents() {
            let Some(key) = object.key() else { continue };
            let size = object.size().unwrap_or_default().max(0) as u64;
            progress.listed_objects.fetch_add(1, Ordering::Relaxed);
            progress.listed_bytes.fetch_add(size, Ordering::Relaxed);
            if out.send(Listed { key: key.to_owned(), bytes: size }).await.is_err() {
                return Ok(folders);
            }
        }
        token = page.next_continuation_token().map(str::to_owned);
        if token.is_none() || page.is_truncated() == Some(false) {
            return Ok(folders);
        }
    }
}
