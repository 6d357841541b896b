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

/// Where a digest object's signature may be: its user metadata (keys without `x-amz-meta-`), and, when that
/// has no `signature`, the `KEY.sig` sidecar object beside it (digests copied with their sidecars).
#[derive(Debug, Clone, Default)]
pub struct SignatureSources {
    pub metadata: HashMap<String, String>,
    pub sidecar: Option<Vec<u8>>,
}

/// One object's signature sources, or why HeadObject failed.
pub type Metadata = Result<SignatureSources, String>;

/// A sidecar is a signature or the JSON of `head-object`: anything larger is not one.
const SIDECAR_CAP: i64 = 64 << 10;

/// The signature sources of each object (`bucket`, `key`), in order.
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
            let metadata = match result {
                Ok(head) => head.metadata().cloned().unwrap_or_default(),
                Err(error) => {
                    out.push(Err(describe(&error)));
                    continue;
                }
            };
            let mut sidecar = None;
            if !metadata.keys().any(|k| k.eq_ignore_ascii_case("signature")) {
                let sig = format!("{key}.sig");
                if let Ok(object) = client.get_object().bucket(bucket).key(&sig).send().await
                    && object.content_length().is_some_and(|n| n <= SIDECAR_CAP)
                    && let Ok(body) = object.body.collect().await
                {
                    sidecar = Some(body.into_bytes().to_vec());
                }
            }
            out.push(Ok(SignatureSources { metadata, sidecar }));
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
