//! `cloudtrail:lookup`: reads the CloudTrail LookupEvents API (management events of the last 90 days) for the
//! window, per region, at most two requests a second per region (the API's limit; the SDK also backs off on
//! throttling), following `NextToken`. Each page reaches the pipeline as the events' `CloudTrailEvent` JSON
//! strings, decoded there by the same CloudTrail decoder as files and de-duplicated with them.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_cloudtrail::primitives::DateTime;
use tokio::sync::mpsc;

use super::LOOKUP_SOURCE;
use super::remote::{RemoteConfig, RemoteError, RemoteItem, RemoteProgress};
use crate::model::Timestamp;

/// LookupEvents allows 2 requests per second per account and region.
const REQUEST_INTERVAL: Duration = Duration::from_millis(500);
/// How far back LookupEvents reaches.
const RETENTION_MS: i64 = 90 * 86_400_000;
const PAGE_SIZE: i32 = 50;

/// The regions to read: `--region` values, else the configured default region.
pub(crate) fn regions(config: &RemoteConfig, sdk: &SdkConfig) -> Result<Vec<String>, RemoteError> {
    if !config.regions.is_empty() {
        return Ok(config.regions.clone());
    }
    sdk.region().map(|r| vec![r.as_ref().to_owned()]).ok_or_else(|| {
        RemoteError::Config("cloudtrail:lookup needs a region: give --region or set AWS_REGION".to_owned())
    })
}

/// One region's lookup.
pub(crate) struct LookupJob {
    pub sdk: SdkConfig,
    pub region: String,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub items: mpsc::Sender<RemoteItem>,
    pub progress: Arc<RemoteProgress>,
}

impl LookupJob {
    /// Pages through the window; access denied on the first page is an error for the whole run, a later
    /// failure marks this region's input as incomplete.
    pub(crate) async fn run(self) -> Result<(), RemoteError> {
        let name = format!("{LOOKUP_SOURCE}/{}", self.region);
        let config = aws_sdk_cloudtrail::config::Builder::from(&self.sdk)
            .region(aws_config::Region::new(self.region.clone()))
            .build();
        let client = Client::from_conf(config);
        let now = jiff::Timestamp::now().as_millisecond();
        let end = self.until.map_or(now, Timestamp::millis);
        let start = self.since.map_or(end - RETENTION_MS, Timestamp::millis);
        let mut ticker = tokio::time::interval(REQUEST_INTERVAL);
        let (mut token, mut ordinal, mut bytes, mut pages) = (None::<String>, 0u64, 0u64, 0u64);
        let failure = loop {
            ticker.tick().await;
            let response = client
                .lookup_events()
                .start_time(DateTime::from_millis(start))
                .end_time(DateTime::from_millis(end))
                .max_results(PAGE_SIZE)
                .set_next_token(token.take())
                .send()
                .await;
            let page = match response {
                Ok(page) => page,
                Err(error) => {
                    let detail = match (error.code(), error.message()) {
                        (Some(code), Some(message)) => format!("{code}: {message}"),
                        _ => DisplayErrorContext(&error).to_string(),
                    };
                    let status = error.raw_response().map(|r| r.status().as_u16());
                    let denied = status == Some(403) || error.code().is_some_and(|c| c.contains("AccessDenied"));
                    if denied && pages == 0 {
                        return Err(RemoteError::LookupDenied { region: self.region, detail });
                    }
                    break Some(format!("LookupEvents failed after {pages} pages: {detail}"));
                }
            };
            pages += 1;
            let events: Vec<String> =
                page.events().iter().filter_map(|e| e.cloud_trail_event().map(str::to_owned)).collect();
            bytes += events.iter().map(|e| e.len() as u64).sum::<u64>();
            self.progress.lookup_events.fetch_add(events.len() as u64, Ordering::Relaxed);
            let count = events.len() as u64;
            let item = RemoteItem::LookupPage { name: name.clone(), first_ordinal: ordinal, events };
            if self.items.send(item).await.is_err() {
                return Ok(());
            }
            ordinal += count;
            token = page.next_token().filter(|t| !t.is_empty()).map(str::to_owned);
            if token.is_none() {
                break None;
            }
        };
        let _ = self.items.send(RemoteItem::LookupDone { name, bytes, failure }).await;
        Ok(())
    }
}
