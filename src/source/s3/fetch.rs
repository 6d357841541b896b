//! One object GET, streamed to a pipeline worker through [`super::body`]. The SDK retries failed requests
//! (throttling, 5xx, connection errors before the response) with backoff; a body that breaks midway (reset,
//! truncated) is resumed here with a ranged GET from the last byte delivered, pinned to the first response's
//! ETag, up to the same number of attempts. An object that still fails reaches the worker as a read error (or
//! a [`RemoteItem::Failed`] when not one byte arrived), so it lands in `bad_files` with the reason.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use aws_sdk_s3::Client;
use aws_sdk_s3::error::ProvideErrorMetadata;
use tokio::sync::mpsc;

use super::body::{self, Chunk};
use super::client::{backoff, describe};
use crate::source::delivery::Handoff;
use crate::source::remote::{RemoteItem, RemoteProgress};

/// What to fetch and where to send it.
pub(crate) struct FetchJob {
    pub client: Client,
    pub bucket: String,
    pub key: String,
    pub max_attempts: u32,
    /// Where the one item goes (taken when it is handed on).
    pub handoff: Option<Handoff>,
    pub progress: Arc<RemoteProgress>,
}

impl FetchJob {
    fn name(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.key)
    }

    /// Runs the fetch to its end (complete, failed, or abandoned by the reader).
    pub(crate) async fn run(mut self) {
        let mut offset = 0u64;
        let mut etag: Option<String> = None;
        let mut body_tx: Option<mpsc::Sender<Chunk>> = None;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let mut request = self.client.get_object().bucket(&self.bucket).key(&self.key);
            if offset > 0 {
                request = request.range(format!("bytes={offset}-")).set_if_match(etag.clone());
            }
            let reason = match request.send().await {
                Err(error) => {
                    let hint = if error.code() == Some("AccessDenied") {
                        format!(
                            " (the credentials need s3:GetObject on arn:aws:s3:::{}/{}, and kms:Decrypt on the \
                             bucket's key if it uses SSE-KMS)",
                            self.bucket, self.key
                        )
                    } else {
                        String::new()
                    };
                    format!("GetObject failed: {}{hint}", describe(&error))
                }
                Ok(mut output) => {
                    if etag.is_none() {
                        etag = output.e_tag().map(str::to_owned);
                    }
                    let tx = match &body_tx {
                        Some(tx) => tx.clone(),
                        None => {
                            let (tx, reader) = body::channel();
                            let item = RemoteItem::Object { name: self.name(), body: Box::new(reader) };
                            let Some(handoff) = self.handoff.take() else { return };
                            if !handoff.send(item).await {
                                return;
                            }
                            body_tx = Some(tx.clone());
                            tx
                        }
                    };
                    let broken = loop {
                        match output.body.next().await {
                            Some(Ok(bytes)) => {
                                offset += bytes.len() as u64;
                                self.progress.fetched_bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
                                if tx.send(Chunk::Data(bytes)).await.is_err() {
                                    return; // the reader gave up on this object (e.g. a decode error)
                                }
                            }
                            Some(Err(error)) => break error.to_string(),
                            None => {
                                self.progress.fetched_objects.fetch_add(1, Ordering::Relaxed);
                                let _ = tx.send(Chunk::End).await;
                                return;
                            }
                        }
                    };
                    format!("connection broke at byte {offset}: {broken}")
                }
            };
            // A request the SDK already retried is final; our own retries are for broken bodies.
            let resumable = body_tx.is_some() && attempt < self.max_attempts;
            if !resumable {
                match &body_tx {
                    Some(tx) => {
                        let plural = if attempt == 1 { "" } else { "s" };
                        let _ = tx.send(Chunk::Failed(format!("{reason} (after {attempt} attempt{plural})"))).await;
                    }
                    None => {
                        if let Some(handoff) = self.handoff.take() {
                            handoff.send(RemoteItem::Failed { name: self.name(), error: reason }).await;
                        }
                    }
                }
                return;
            }
            tokio::time::sleep(backoff(attempt)).await;
        }
    }
}
