//! eventName → IAM action(s) and the resources they apply to (S3 and DynamoDB in full; `service:EventName`
//! for other services).
//!
//! Interim generic mapping: replaced by the full S3/DynamoDB tables (branch `actions`).

use crate::model::{Access, RequestFacts, Resource};

/// One API call as the action map needs to see it.
pub struct ApiCall<'a> {
    pub event_source: &'a str,
    pub event_name: &'a str,
    pub region: Option<&'a str>,
    pub account: Option<&'a str>,
    pub facts: &'a RequestFacts,
    pub resources: &'a [Resource],
}

/// The IAM accesses a call needs.
pub fn accesses(call: &ApiCall) -> Vec<Access> {
    let service = call.event_source.split('.').next().unwrap_or(call.event_source);
    let resource = call.resources.first().map(|r| r.arn.clone());
    vec![Access { action: format!("{service}:{}", call.event_name), resource }]
}
