//! Services without a table: the action is `<service prefix>:<eventName>` on each resource CloudTrail lists.
//!
//! This is right for most AWS APIs (the IAM action is named after the operation) and wrong for a few
//! (e.g. EC2 `RunInstances` also needs `ec2:CreateTags` with tags); good enough to name what an endpoint saw.

use super::{ApiCall, access};
use crate::model::Access;

/// Event sources whose IAM service prefix is not their first label.
const PREFIX_EXCEPTIONS: &[(&str, &str)] =
    &[("cloudcontrolapi", "cloudformation"), ("email", "ses"), ("monitoring", "cloudwatch"), ("tagging", "tag")];

/// Leading labels that name an endpoint of a service rather than the service (`runtime.sagemaker`,
/// `streams.dynamodb`, `api.ecr`, `models.lex`, `data.iot`).
const ENDPOINT_LABELS: &[&str] = &["api", "data", "models", "runtime", "streams"];

/// The IAM service prefix of an event source: `kms.amazonaws.com` → `kms`, `monitoring.amazonaws.com` →
/// `cloudwatch`, `email.amazonaws.com` → `ses`, `streams.dynamodb.amazonaws.com` → `dynamodb`. An event source
/// without dots is taken as the prefix itself.
pub fn service_prefix(event_source: &str) -> &str {
    let mut labels = event_source.split('.');
    let mut first = labels.next().unwrap_or(event_source);
    if ENDPOINT_LABELS.contains(&first)
        && let Some(second) = labels.next()
        && second != "amazonaws"
    {
        first = second;
    }
    PREFIX_EXCEPTIONS.iter().find(|(label, _)| *label == first).map_or(first, |(_, prefix)| prefix)
}

pub(super) fn accesses(prefix: &str, call: &ApiCall) -> Vec<Access> {
    let action = [prefix, ":", strip_api_version(call.event_name)].concat();
    let mut out: Vec<Access> = call
        .resources
        .iter()
        .filter(|r| !r.is_prefix && r.arn.starts_with("arn:"))
        .map(|r| access(&action, Some(r.arn.clone())))
        .collect();
    if out.is_empty() {
        out.push(access(&action, None));
    }
    out
}

/// Drops the API version some services append to eventNames: Lambda `GetFunction20150331v2` → `GetFunction`,
/// CloudFront `CreateDistribution2020_05_31` → `CreateDistribution`.
pub(crate) fn strip_api_version(event_name: &str) -> &str {
    let b = event_name.as_bytes();
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    // …YYYYMMDD or …YYYYMMDDvN
    let mut end = b.len();
    if let Some(v) = b.iter().rposition(|&c| c == b'v')
        && digits(&b[v + 1..])
    {
        end = v;
    }
    if end > 8 && digits(&b[end - 8..end]) && !b[end - 9].is_ascii_digit() {
        return &event_name[..end - 8];
    }
    // …YYYY_MM_DD
    if b.len() > 10 {
        let t = &b[b.len() - 10..];
        if digits(&t[..4]) && t[4] == b'_' && digits(&t[5..7]) && t[7] == b'_' && digits(&t[8..]) {
            return &event_name[..b.len() - 10];
        }
    }
    event_name
}
