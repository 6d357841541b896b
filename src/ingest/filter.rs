//! The shared filters every command accepts: time window, endpoint, account, region, service.

use std::collections::BTreeSet;

use crate::model::{AccountId, RecordHead, Timestamp, VpceId};

/// Which events a command looks at. Empty sets mean "any".
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Inclusive lower bound on the event time.
    pub since: Option<Timestamp>,
    /// Exclusive upper bound on the event time.
    pub until: Option<Timestamp>,
    pub vpces: BTreeSet<VpceId<'static>>,
    pub accounts: BTreeSet<AccountId<'static>>,
    pub regions: BTreeSet<String>,
    /// Service prefixes (`s3`, `dynamodb`) or event sources (`s3.amazonaws.com`).
    pub services: BTreeSet<String>,
}

impl Filter {
    /// True when the record passes every filter. With a time window, records without a time are excluded.
    pub fn matches(&self, head: &RecordHead<'_>) -> bool {
        self.matches_fields(&Fields {
            time: head.time,
            vpce: head.vpce.as_ref(),
            accounts: [head.recipient_account.as_ref(), head.principal_account.as_ref(), head.vpce_account.as_ref()],
            region: head.region.as_deref(),
            event_source: &head.event_source,
        })
    }

    /// [`Filter::matches`] for an aggregated event: its window start is its time, it names no endpoint (so an
    /// endpoint filter leaves it out), and its account is the one that received it.
    pub fn matches_aggregate(&self, aggregate: &crate::model::Aggregate) -> bool {
        self.matches_fields(&Fields {
            time: aggregate.window_start,
            vpce: None,
            accounts: [aggregate.account.as_ref(), None, None],
            region: aggregate.region.as_deref(),
            event_source: &aggregate.event_source,
        })
    }

    fn matches_fields(&self, fields: &Fields<'_>) -> bool {
        if self.since.is_some() || self.until.is_some() {
            let Some(time) = fields.time else { return false };
            if self.since.is_some_and(|since| time < since) || self.until.is_some_and(|until| time >= until) {
                return false;
            }
        }
        if !self.vpces.is_empty() && !fields.vpce.is_some_and(|v| self.vpces.contains(v.as_str())) {
            return false;
        }
        if !self.accounts.is_empty()
            && !fields.accounts.iter().any(|a| a.is_some_and(|a| self.accounts.contains(a.as_str())))
        {
            return false;
        }
        if !self.regions.is_empty() && !fields.region.is_some_and(|r| self.regions.contains(r)) {
            return false;
        }
        let service = fields.event_source.split('.').next().unwrap_or(fields.event_source);
        if !self.services.is_empty() && !self.services.contains(service) && !self.services.contains(fields.event_source)
        {
            return false;
        }
        true
    }
}

/// What the filters look at: the principal's, recipient's and endpoint owner's accounts all count.
struct Fields<'a> {
    time: Option<Timestamp>,
    vpce: Option<&'a VpceId<'a>>,
    accounts: [Option<&'a AccountId<'a>>; 3],
    region: Option<&'a str>,
    event_source: &'a str,
}
