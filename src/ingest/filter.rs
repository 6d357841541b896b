//! The shared filters every command accepts: time window, endpoint, account, region, service.

use std::collections::BTreeSet;

use crate::model::{Event, Timestamp};

/// Which events a command looks at. Empty sets mean "any".
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Inclusive lower bound on the event time.
    pub since: Option<Timestamp>,
    /// Exclusive upper bound on the event time.
    pub until: Option<Timestamp>,
    pub vpces: BTreeSet<String>,
    pub accounts: BTreeSet<String>,
    pub regions: BTreeSet<String>,
    /// Service prefixes (`s3`, `dynamodb`) or event sources (`s3.amazonaws.com`).
    pub services: BTreeSet<String>,
}

impl Filter {
    /// True when the event passes every filter. With a time window, events without a time are excluded.
    pub fn matches(&self, event: &Event) -> bool {
        if self.since.is_some() || self.until.is_some() {
            let Some(time) = event.time else { return false };
            if self.since.is_some_and(|since| time < since) || self.until.is_some_and(|until| time >= until) {
                return false;
            }
        }
        if !self.vpces.is_empty() && !event.vpce.as_ref().is_some_and(|v| self.vpces.contains(v)) {
            return false;
        }
        if !self.accounts.is_empty() {
            let accounts = [&event.recipient_account, &event.principal.account, &event.vpce_account];
            if !accounts.iter().any(|a| a.as_ref().is_some_and(|a| self.accounts.contains(a))) {
                return false;
            }
        }
        if !self.regions.is_empty() && !event.region.as_ref().is_some_and(|r| self.regions.contains(r)) {
            return false;
        }
        if !self.services.is_empty()
            && !self.services.contains(event.service())
            && !self.services.contains(&event.event_source)
        {
            return false;
        }
        true
    }
}
