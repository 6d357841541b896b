//! eventName → IAM action(s) and the resources they apply to (S3 and DynamoDB in full; `service:EventName`
//! for other services).
//!
//! One pure entry point, [`accesses`], serves both log kinds: CloudTrail records call it with their eventName;
//! S3 server access log lines first turn their operation column into the CloudTrail-style eventName with
//! [`s3_access_log_operation`]. The S3 and DynamoDB tables are compiled in (generated from the reference data by
//! `tools/gen_action_tables.py`, with the known errors of that data corrected); the crate never reads the
//! reference data at run time.
//!
//! Only actions the called service authorizes are listed: `iam:PassRole` (authorized by IAM against identity
//! policies, never through a VPC endpoint) is left out.

mod access_log_ops;
mod dynamodb;
mod dynamodb_table;
mod generic;
pub mod items;
mod s3;
mod s3_table;

pub use access_log_ops::{is_s3_internal_event_name, needs_no_authorization, s3_access_log_operation};
pub(crate) use access_log_ops::{query_param, uri_query};
pub use generic::service_prefix;
pub use items::items_from_request_parameters;

use crate::model::{Access, RequestFacts, Resource};

/// One API call, as much as the log shows of it. Everything is borrowed; nothing is required but the names.
#[derive(Debug, Clone, Copy)]
pub struct ApiCall<'a> {
    /// `s3.amazonaws.com`, `dynamodb.amazonaws.com`, `kms.amazonaws.com`, ...
    pub event_source: &'a str,
    /// The CloudTrail eventName (`GetObject`), or the one [`s3_access_log_operation`] gave for an access log line.
    pub event_name: &'a str,
    /// The region the call was made in (for DynamoDB ARNs).
    pub region: Option<&'a str>,
    /// The account that owns the resource (recipient / resource account), for building DynamoDB ARNs when
    /// `resources` does not carry them.
    pub account: Option<&'a str>,
    pub facts: &'a RequestFacts,
    /// CloudTrail `resources[]` (empty for access logs and network activity events).
    pub resources: &'a [Resource],
    /// Per-item details of multi-item calls (TransactWriteItems items, PartiQL statements, DeleteObjects keys),
    /// when the log shows them; see [`items_from_request_parameters`]. Empty when unknown.
    pub items: &'a [CallItem<'a>],
}

impl<'a> ApiCall<'a> {
    /// A call with no region, account, resources or items.
    pub fn new(event_source: &'a str, event_name: &'a str, facts: &'a RequestFacts) -> ApiCall<'a> {
        ApiCall { event_source, event_name, region: None, account: None, facts, resources: &[], items: &[] }
    }
}

/// One item of a multi-item call. Which fields are set depends on the call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallItem<'a> {
    /// DynamoDB transaction item kind as CloudTrail logs it: `Put`, `Update`, `Delete`, `ConditionCheck`, `Get`.
    pub operation: Option<&'a str>,
    /// DynamoDB table name.
    pub table: Option<&'a str>,
    /// A PartiQL statement (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction).
    pub statement: Option<&'a str>,
    /// An S3 object key (DeleteObjects), as logged (decoded).
    pub key: Option<&'a str>,
    /// The version of `key`, when given.
    pub version_id: Option<&'a str>,
}

/// What kind of resource an action in the generated tables applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResourceKind {
    /// `arn:aws:s3:::bucket`
    Bucket,
    /// `arn:aws:s3:::bucket/key`
    Object,
    /// `arn:aws:dynamodb:r:acct:table/T`
    Table,
    /// `.../table/T/index/I` when the call names an index, else the table.
    Index,
    /// `.../table/T/stream/label`, only when the log shows the stream ARN.
    Stream,
    /// Some other resource: taken from `resources[]` when present.
    Other,
    /// The action takes no resource (`"Resource": "*"`): `None`.
    Star,
}

/// The IAM authorizations `call` needs: each action with the resource it applies to, in a stable order, without
/// duplicates. Never empty for a named call, except for S3-internal operations (lifecycle) and CORS preflight
/// requests, which IAM does not authorize (see [`needs_no_authorization`]).
pub fn accesses(call: &ApiCall) -> Vec<Access> {
    if call.event_name.is_empty() {
        return Vec::new();
    }
    let prefix = service_prefix(call.event_source);
    let mut out = match prefix {
        "s3" if needs_no_authorization(call.event_name) => Vec::new(),
        "s3" => s3::accesses(call),
        "dynamodb" => dynamodb::accesses(call),
        _ => generic::accesses(prefix, call),
    };
    dedup_in_order(&mut out);
    out
}

/// Builds an [`Access`].
pub(crate) fn access(action: &str, resource: Option<String>) -> Access {
    Access { action: action.to_owned(), resource }
}

/// Rows of a sorted `(eventName, action, kind)` table for one eventName.
pub(crate) fn table_rows(
    table: &'static [(&'static str, &'static str, ResourceKind)],
    event_name: &str,
) -> &'static [(&'static str, &'static str, ResourceKind)] {
    let start = table.partition_point(|row| row.0 < event_name);
    let end = start + table[start..].partition_point(|row| row.0 == event_name);
    &table[start..end]
}

/// The first resource ARN of `resources` that satisfies `pick` (non-empty, not a prefix).
pub(crate) fn resource_arn(resources: &[Resource], pick: impl Fn(&Resource) -> bool) -> Option<&str> {
    resources.iter().find(|r| !r.is_prefix && !r.arn.is_empty() && pick(r)).map(|r| r.arn.as_str())
}

/// The ARN partition of a region: `aws-cn` for `cn-*`, `aws-us-gov` for `us-gov-*`, else `aws`.
pub(crate) fn partition_of(region: Option<&str>) -> &'static str {
    match region {
        Some(r) if r.starts_with("cn-") => "aws-cn",
        Some(r) if r.starts_with("us-gov-") => "aws-us-gov",
        _ => "aws",
    }
}

/// Drops repeated (action, resource) pairs, keeping first occurrences in order. Records map to a handful of
/// accesses, compared pairwise without allocating; a batch of many items (attacker-sized) goes through a set.
fn dedup_in_order(accesses: &mut Vec<Access>) {
    const PAIRWISE: usize = 16;
    let same = |a: &Access, b: &Access| a.action == b.action && a.resource == b.resource;
    if accesses.len() <= PAIRWISE {
        let mut kept = 0;
        for i in 0..accesses.len() {
            if !accesses[..kept].iter().any(|k| same(k, &accesses[i])) {
                accesses.swap(kept, i);
                kept += 1;
            }
        }
        accesses.truncate(kept);
        return;
    }
    let first = first_occurrences(accesses, |a| (a.action.as_str(), a.resource.as_deref()));
    let mut first = first.into_iter();
    accesses.retain(|_| first.next().unwrap_or(true));
}

/// For each item, whether it is the first with its key: one hash-set pass, linear in the items (never
/// `Vec::contains` in a loop, which is quadratic in an attacker-sized list). Keep the flagged items with
/// `retain` to de-duplicate in order.
pub(crate) fn first_occurrences<'t, T, K: std::hash::Hash + Eq>(items: &'t [T], key: impl Fn(&'t T) -> K) -> Vec<bool> {
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    items.iter().map(|item| seen.insert(key(item))).collect()
}

#[cfg(test)]
mod tests;
