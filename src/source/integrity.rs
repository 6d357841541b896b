//! What `verify` asks of AWS besides object bodies: the user metadata of digest objects (their signature is
//! `x-amz-meta-signature`, HeadObject) and CloudTrail's public keys for a time range (ListPublicKeys, per
//! region). Blocking calls on a small runtime of their own; the SDK stays behind this boundary (feature `aws`).

use std::collections::HashMap;

use aws_sdk_cloudtrail::primitives::DateTime;

use super::remote::{RemoteConfig, RemoteError};
use super::s3::client::{bucket_client, describe, load};
use crate::model::Timestamp;

/// One public key as ListPublicKeys returns it: DER value, hex fingerprint, validity (epoch millis).
#[derive(Debug, Clone)]
pub struct ListedKey {
    pub der: Vec<u8>,
    pub fingerprint: String,
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
}

fn runtime() -> Result<tokio::runtime::Runtime, RemoteError> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| RemoteError::Runtime(e.to_string()))
}

/// One object's user metadata, or why HeadObject failed.
pub type Metadata = Result<HashMap<String, String>, String>;

/// The user metadata of each object (`bucket`, `key`), in order: a map without the `x-amz-meta-` prefix, or
/// why HeadObject failed.
pub fn object_metadata(config: &RemoteConfig, objects: &[(String, String)]) -> Result<Vec<Metadata>, RemoteError> {
    if objects.is_empty() {
        return Ok(Vec::new());
    }
    let runtime = runtime()?;
    runtime.block_on(async {
        let sdk = load(config).await;
        let mut clients = HashMap::new();
        let mut out = Vec::with_capacity(objects.len());
        for (bucket, key) in objects {
            if !clients.contains_key(bucket) {
                let client = bucket_client(&sdk, config, bucket, "").await?;
                clients.insert(bucket.clone(), client);
            }
            let client = &clients[bucket];
            let result = client.head_object().bucket(bucket).key(key).send().await;
            out.push(match result {
                Ok(head) => Ok(head.metadata().cloned().unwrap_or_default()),
                Err(error) => Err(describe(&error)),
            });
        }
        Ok(out)
    })
}

/// CloudTrail's public keys valid at some point in `[start, end]`, for each region.
pub fn list_public_keys(
    config: &RemoteConfig,
    regions: &[String],
    start: Timestamp,
    end: Timestamp,
) -> Result<Vec<ListedKey>, RemoteError> {
    let runtime = runtime()?;
    runtime.block_on(async {
        let sdk = load(config).await;
        let mut keys = Vec::new();
        for region in regions {
            let conf =
                aws_sdk_cloudtrail::config::Builder::from(&sdk).region(aws_config::Region::new(region.clone())).build();
            let client = aws_sdk_cloudtrail::Client::from_conf(conf);
            let mut token: Option<String> = None;
            loop {
                let response = client
                    .list_public_keys()
                    .start_time(DateTime::from_millis(start.millis()))
                    .end_time(DateTime::from_millis(end.millis()))
                    .set_next_token(token.take())
                    .send()
                    .await
                    .map_err(|e| {
                        RemoteError::Config(format!(
                            "cloudtrail:ListPublicKeys in {region}: {} (the credentials need \
                             cloudtrail:ListPublicKeys; or give --public-keys FILE)",
                            describe(&e)
                        ))
                    })?;
                for key in response.public_key_list() {
                    let millis = |t: Option<&DateTime>| t.and_then(|t| t.to_millis().ok());
                    keys.push(ListedKey {
                        der: key.value().map(|v| v.as_ref().to_vec()).unwrap_or_default(),
                        fingerprint: key.fingerprint().unwrap_or_default().to_owned(),
                        valid_from: millis(key.validity_start_time()),
                        valid_until: millis(key.validity_end_time()),
                    });
                }
                match response.next_token() {
                    Some(next) if !next.is_empty() => token = Some(next.to_owned()),
                    _ => break,
                }
            }
        }
        Ok(keys)
    })
}
