//! The evidence about endpoint owners, folded record by record in every ingest worker and merged. Memory:
//! one [`Evidence`] per distinct endpoint id (about 100 bytes plus at most [`MAX_OWNER_ACCOUNTS`] account
//! ids) and one string per distinct log recipient account.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::{Sighting, Signal};
use crate::model::{AccountId, VpceId};

/// Most distinct `vpcEndpointAccountId` values kept per endpoint (an endpoint has one owner; more is damage).
pub const MAX_OWNER_ACCOUNTS: usize = 4;

/// What the records through one endpoint showed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Evidence {
    pub records: u64,
    pub console: u64,
    pub service: u64,
    pub delivery: u64,
    /// Records with no AWS signal from a private source address.
    pub private_plain: u64,
    /// `vpcEndpointAccountId` values seen (at most [`MAX_OWNER_ACCOUNTS`]).
    pub owner_accounts: BTreeSet<AccountId<'static>>,
    pub owner_accounts_truncated: bool,
    /// The owner account of the latest record, known to be in `owner_accounts` (or truncated): most records
    /// repeat it, and comparing it is cheaper than the set lookup.
    #[serde(skip)]
    last_owner_account: String,
}

/// Equal when what they say is equal (the lookup cache aside).
impl PartialEq for Evidence {
    fn eq(&self, other: &Evidence) -> bool {
        (self.records, self.console, self.service, self.delivery, self.private_plain)
            == (other.records, other.console, other.service, other.delivery, other.private_plain)
            && self.owner_accounts == other.owner_accounts
            && self.owner_accounts_truncated == other.owner_accounts_truncated
    }
}

impl Eq for Evidence {}

impl Evidence {
    fn add(&mut self, sighting: Sighting, owner_account: Option<&AccountId<'_>>) {
        self.records += 1;
        match sighting.signal {
            Some(Signal::Console) => self.console += 1,
            Some(Signal::Service) => self.service += 1,
            Some(Signal::Delivery) => self.delivery += 1,
            None => {}
        }
        if sighting.private_plain {
            self.private_plain += 1;
        }
        if let Some(account) = owner_account.filter(|a| !a.is_empty())
            && account.as_str() != self.last_owner_account
        {
            if !self.owner_accounts.contains(account.as_str()) {
                if self.owner_accounts.len() < MAX_OWNER_ACCOUNTS {
                    self.owner_accounts.insert(account.to_static());
                } else {
                    self.owner_accounts_truncated = true;
                }
            }
            account.as_str().clone_into(&mut self.last_owner_account);
        }
    }

    fn merge(&mut self, other: Evidence) {
        self.records += other.records;
        self.console += other.console;
        self.service += other.service;
        self.delivery += other.delivery;
        self.private_plain += other.private_plain;
        self.owner_accounts_truncated |= other.owner_accounts_truncated;
        for account in other.owner_accounts {
            if self.owner_accounts.len() < MAX_OWNER_ACCOUNTS || self.owner_accounts.contains(&account) {
                self.owner_accounts.insert(account);
            } else {
                self.owner_accounts_truncated = true;
            }
        }
    }

    /// Records that carry an AWS signal.
    pub fn signalled(&self) -> u64 {
        self.console + self.service + self.delivery
    }

    /// The signal most records carry (ties: console, then service, then delivery).
    pub fn dominant_signal(&self) -> Option<Signal> {
        [(Signal::Console, self.console), (Signal::Service, self.service), (Signal::Delivery, self.delivery)]
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .fold(None, |best: Option<(Signal, u64)>, (s, n)| match best {
                Some((_, m)) if m >= n => best,
                _ => Some((s, n)),
            })
            .map(|(s, _)| s)
    }
}

/// Evidence per endpoint id, and the log recipient accounts (the accounts whose trails these are).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointBook {
    endpoints: HashMap<VpceId<'static>, Evidence>,
    pub(super) recipients: BTreeSet<AccountId<'static>>,
    /// The recipient of the latest record, known to be in `recipients`: most records repeat it, and comparing
    /// it is cheaper than the set lookup.
    last_recipient: String,
}

impl EndpointBook {
    /// Notes one analysed record: its recipient account, and (when it names an endpoint) what it says about it.
    pub fn observe(
        &mut self,
        recipient: Option<&AccountId<'_>>,
        vpce: Option<&VpceId<'_>>,
        owner_account: Option<&AccountId<'_>>,
        sighting: Sighting,
    ) {
        if let Some(recipient) = recipient.filter(|r| !r.is_empty())
            && recipient.as_str() != self.last_recipient
        {
            if !self.recipients.contains(recipient.as_str()) {
                self.recipients.insert(recipient.to_static());
            }
            recipient.as_str().clone_into(&mut self.last_recipient);
        }
        let Some(vpce) = vpce else { return };
        // Look up before inserting: `entry` would need an owned key (an allocation) per record.
        match self.endpoints.get_mut(vpce.as_str()) {
            Some(evidence) => evidence.add(sighting, owner_account),
            None => {
                let mut evidence = Evidence::default();
                evidence.add(sighting, owner_account);
                self.endpoints.insert(vpce.to_static(), evidence);
            }
        }
    }

    /// The evidence per endpoint.
    pub fn endpoints(&self) -> &HashMap<VpceId<'static>, Evidence> {
        &self.endpoints
    }

    pub fn merge(&mut self, other: EndpointBook) {
        for (vpce, theirs) in other.endpoints {
            self.endpoints.entry(vpce).or_default().merge(theirs);
        }
        self.recipients.extend(other.recipients);
    }

    /// The recipient accounts seen.
    pub fn recipients(&self) -> &BTreeSet<AccountId<'static>> {
        &self.recipients
    }
}
