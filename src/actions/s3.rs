//! S3 eventName → IAM actions on bucket and object ARNs, with the request-shape rules the table cannot hold:
//! versioned requests, the source of copies, per-key DeleteObjects.

use super::{ApiCall, ResourceKind, access, partition_of, resource_arn, s3_table::S3_TABLE, table_rows};
use crate::model::Access;
use percent_encoding::percent_decode_str;

/// Object actions that have a `...Version...` twin, used when the request names a `versionId`.
const VERSIONED: &[(&str, &str)] = &[
    ("DeleteObject", "s3:DeleteObjectVersion"),
    ("DeleteObjectTagging", "s3:DeleteObjectVersionTagging"),
    ("GetObject", "s3:GetObjectVersion"),
    ("GetObjectAcl", "s3:GetObjectVersionAcl"),
    ("GetObjectAttributes", "s3:GetObjectVersionAttributes"),
    ("GetObjectTagging", "s3:GetObjectVersionTagging"),
    ("GetObjectTorrent", "s3:GetObjectVersionTorrent"),
    ("HeadObject", "s3:GetObjectVersion"),
    ("PutObjectAcl", "s3:PutObjectVersionAcl"),
    ("PutObjectTagging", "s3:PutObjectVersionTagging"),
];

struct Names<'a> {
    partition: &'static str,
    bucket: Option<&'a str>,
    bucket_arn: Option<String>,
    object_arn: Option<String>,
}

impl<'a> Names<'a> {
    fn new(call: &'a ApiCall<'a>) -> Names<'a> {
        let partition = partition_of(call.region);
        let bucket = call.facts.bucket.as_deref().filter(|b| !b.is_empty());
        let key = call.facts.key.as_deref().filter(|k| !k.is_empty());
        let bucket_arn = bucket.map(|b| ["arn:", partition, ":s3:::", b].concat()).or_else(|| {
            resource_arn(call.resources, |r| r.kind.as_deref() == Some("AWS::S3::Bucket")).map(str::to_owned)
        });
        let object_arn = match (bucket, key) {
            (Some(b), Some(k)) => Some(["arn:", partition, ":s3:::", b, "/", k].concat()),
            _ => resource_arn(call.resources, |r| r.kind.as_deref() == Some("AWS::S3::Object")).map(str::to_owned),
        };
        Names { partition, bucket, bucket_arn, object_arn }
    }

    fn resource(&self, kind: ResourceKind) -> Option<String> {
        match kind {
            ResourceKind::Bucket => self.bucket_arn.clone(),
            ResourceKind::Object => self.object_arn.clone(),
            ResourceKind::Star => None,
            _ => self.object_arn.clone().or_else(|| self.bucket_arn.clone()),
        }
    }
}

pub(super) fn accesses(call: &ApiCall) -> Vec<Access> {
    let names = Names::new(call);
    let event = call.event_name;
    let versioned = call.facts.version_id.as_deref().is_some_and(|v| !v.is_empty());
    let mut out = Vec::new();

    match event {
        "DeleteObjects" => return delete_objects(call, &names),
        "CopyObject" | "UploadPartCopy" => {
            if let Some((source, source_versioned)) =
                call.facts.copy_source.as_deref().and_then(|s| parse_copy_source(s, names.partition))
            {
                let action = if source_versioned { "s3:GetObjectVersion" } else { "s3:GetObject" };
                out.push(access(action, Some(source)));
            }
        }
        _ => {}
    }
    if versioned && let Some((_, action)) = VERSIONED.iter().find(|(name, _)| *name == event) {
        out.push(access(action, names.object_arn.clone()));
        return out;
    }
    let rows = table_rows(S3_TABLE, event);
    if rows.is_empty() {
        // Not in the table: most S3 operations are authorized by the action of the same name.
        let kind = if names.object_arn.is_some() { ResourceKind::Object } else { ResourceKind::Bucket };
        out.push(access(&["s3:", event].concat(), names.resource(kind)));
    }
    for (_, action, kind) in rows {
        out.push(access(action, names.resource(*kind)));
    }
    out
}

/// `s3:DeleteObject` (or `s3:DeleteObjectVersion`) per key: keys from the call's items, else the one key of the
/// facts (an access log `BATCH.DELETE.OBJECT` line), else one access on `arn:aws:s3:::bucket/*` (or the
/// `ARNPrefix` of `resources[]` followed by `*`): CloudTrail does not log the keys of a DeleteObjects request, so
/// the resource then stands for "some objects under this prefix".
fn delete_objects(call: &ApiCall, names: &Names) -> Vec<Access> {
    let action = |version: Option<&str>| {
        if version.is_some_and(|v| !v.is_empty()) { "s3:DeleteObjectVersion" } else { "s3:DeleteObject" }
    };
    let keyed: Vec<Access> = call
        .items
        .iter()
        .filter_map(|item| {
            let key = item.key.filter(|k| !k.is_empty())?;
            let resource = names.bucket.map(|b| ["arn:", names.partition, ":s3:::", b, "/", key].concat());
            Some(access(action(item.version_id), resource))
        })
        .collect();
    if !keyed.is_empty() {
        return keyed;
    }
    if let Some(object) = names.object_arn.clone().filter(|_| call.facts.key.is_some()) {
        return vec![access(action(call.facts.version_id.as_deref()), Some(object))];
    }
    let prefix = call
        .resources
        .iter()
        .find(|r| r.is_prefix && r.arn.contains('/'))
        .map(|r| [r.arn.as_str(), "*"].concat())
        .or_else(|| names.bucket.map(|b| ["arn:", names.partition, ":s3:::", b, "/*"].concat()));
    vec![access("s3:DeleteObject", prefix)]
}

/// Parses `x-amz-copy-source` (`[/]bucket/key[?versionId=v]`, URL-encoded or not, or an access point object ARN)
/// into the source object ARN and whether a source version was named.
pub(crate) fn parse_copy_source(raw: &str, partition: &str) -> Option<(String, bool)> {
    let raw = raw.trim();
    let (path, query) = raw.split_once('?').unwrap_or((raw, ""));
    let versioned = query.split('&').any(|p| p.strip_prefix("versionId=").is_some_and(|v| !v.is_empty()));
    let path = percent_decode_str(path).decode_utf8_lossy();
    let path = path.trim_start_matches('/');
    if path.starts_with("arn:") {
        // arn:aws:s3:region:acct:accesspoint/name/object/key
        return path.contains("/object/").then(|| (path.to_owned(), versioned));
    }
    let (bucket, key) = path.split_once('/')?;
    if bucket.is_empty() || key.is_empty() {
        return None;
    }
    Some((["arn:", partition, ":s3:::", bucket, "/", key].concat(), versioned))
}
