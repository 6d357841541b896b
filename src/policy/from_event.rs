//! Requests from logged events (stub).
use super::request::Request;
use std::collections::BTreeMap;

/// Inventory the logs do not show.
#[derive(Debug, Clone, Default)]
pub struct ReplayEnv {
    pub account_orgs: BTreeMap<String, String>,
    pub vpce_vpcs: BTreeMap<String, String>,
}

/// One request per access.
pub fn requests_from_event(_event: &crate::model::Event, _env: &ReplayEnv) -> Vec<Request> {
    Vec::new()
}
