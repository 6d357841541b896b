//! AWS SDK configuration from the standard chain (environment, `--profile`, SSO, web identity, instance
//! metadata), plus the flags: region, endpoint URL (S3-compatible stores, test servers), path-style addressing
//! and retry attempts. Also finds a bucket's own region and turns HeadBucket/ListObjectsV2 failures into
//! actionable errors. Credentials are never logged or printed.

use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_s3::Client;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::head_bucket::HeadBucketError;

use crate::source::remote::{RemoteConfig, RemoteError};

/// Region used when neither the chain nor `--region` names one (S3 then redirects to the bucket's region).
const FALLBACK_REGION: &str = "us-east-1";

/// Loads the shared SDK configuration.
pub(crate) async fn load(config: &RemoteConfig) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(profile) = &config.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &config.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let sdk = loader.load().await;
    let mut builder = sdk.clone().into_builder();
    if sdk.region().is_none() {
        let region = config.regions.first().map_or(FALLBACK_REGION, String::as_str);
        builder.set_region(Some(Region::new(region.to_owned())));
    }
    if let Some(attempts) = config.max_attempts {
        let retry = sdk.retry_config().cloned().unwrap_or_else(aws_config::retry::RetryConfig::standard);
        builder.set_retry_config(Some(retry.with_max_attempts(attempts.max(1))));
    }
    builder.build()
}

/// True when requests go to a custom endpoint (flag or `AWS_ENDPOINT_URL[_S3]`): path-style addressing, and no
/// bucket-region discovery.
pub(crate) fn custom_endpoint(config: &RemoteConfig) -> bool {
    config.endpoint_url.is_some()
        || ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()))
}

/// An S3 client, optionally for another region than the shared configuration's.
pub(crate) fn s3_client(sdk: &SdkConfig, config: &RemoteConfig, region: Option<&str>) -> Client {
    let mut builder =
        aws_sdk_s3::config::Builder::from(sdk).force_path_style(config.path_style || custom_endpoint(config));
    if let Some(region) = region {
        builder = builder.region(Region::new(region.to_owned()));
    }
    Client::from_conf(builder.build())
}

/// Checks the bucket is there and readable, and returns a client in the bucket's region.
pub(crate) async fn bucket_client(
    sdk: &SdkConfig,
    config: &RemoteConfig,
    bucket: &str,
    prefix: &str,
) -> Result<Client, RemoteError> {
    let client = s3_client(sdk, config, None);
    let error = match client.head_bucket().bucket(bucket).send().await {
        Ok(output) => {
            let home = output.bucket_region().filter(|r| Some(*r) != sdk.region().map(Region::as_ref));
            return Ok(match home {
                Some(region) if !custom_endpoint(config) => s3_client(sdk, config, Some(region)),
                _ => client,
            });
        }
        Err(error) => error,
    };
    let header = error.raw_response().and_then(|r| r.headers().get("x-amz-bucket-region")).map(str::to_owned);
    let status = error.raw_response().map(|r| r.status().as_u16());
    match (status, header) {
        (Some(301 | 400), Some(region)) if !custom_endpoint(config) => {
            let client = s3_client(sdk, config, Some(&region));
            match client.head_bucket().bucket(bucket).send().await {
                Ok(_) => Ok(client),
                Err(error) => Err(head_error(&error, bucket, prefix)),
            }
        }
        _ => Err(head_error(&error, bucket, prefix)),
    }
}

fn head_error(error: &SdkError<HeadBucketError, HttpResponse>, bucket: &str, prefix: &str) -> RemoteError {
    let status = error.raw_response().map(|r| r.status().as_u16());
    list_error(status, error.code(), describe(error), bucket, prefix)
}

/// Classifies a bucket-level failure (HeadBucket or ListObjectsV2).
pub(crate) fn list_error(
    status: Option<u16>,
    code: Option<&str>,
    detail: String,
    bucket: &str,
    prefix: &str,
) -> RemoteError {
    let (bucket, prefix) = (bucket.to_owned(), prefix.to_owned());
    match (status, code) {
        (_, Some("NoSuchBucket")) | (Some(404), _) => RemoteError::NoSuchBucket { bucket },
        (_, Some("AccessDenied" | "AllAccessDisabled")) | (Some(403), _) => {
            RemoteError::ListDenied { bucket, prefix, detail }
        }
        _ => RemoteError::List { bucket, prefix, detail },
    }
}

/// One line describing an SDK error, without request ids or credentials.
pub(crate) fn describe<E, R>(error: &SdkError<E, R>) -> String
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
    R: std::fmt::Debug,
{
    match (error.code(), error.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_owned(),
        _ => match error {
            SdkError::TimeoutError(_) => "timed out".to_owned(),
            _ => DisplayErrorContext(error).to_string(),
        },
    }
}

/// Backoff before our own retry of a broken body (the SDK retries whole requests itself).
pub(crate) fn backoff(attempt: u32) -> Duration {
    Duration::from_millis((100u64 << attempt.min(6)).min(5_000))
}
