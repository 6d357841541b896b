//! Which accounts are "ours": the trusted set that `outside` and `propose` measure resources and principals
//! against. Configured accounts and organizations (with the account → organization map) when given; by
//! default, the accounts that own the endpoints plus the recipient accounts of the logs, as observed.

use std::collections::BTreeSet;

use crate::config::Settings;
use crate::model::{AccountId, Event};

/// Whether an account is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Trust {
    Trusted,
    Untrusted,
    /// The account is not known (e.g. an empty bucket owner in the log).
    Unknown,
}

/// The trusted set, from configuration plus (when nothing is configured) the accounts seen in the logs.
#[derive(Debug, Clone, Default)]
pub struct TrustedSet {
    configured_accounts: BTreeSet<AccountId<'static>>,
    configured_orgs: BTreeSet<String>,
    account_orgs: std::collections::BTreeMap<AccountId<'static>, String>,
    /// Endpoint owners from the configuration (always trusted).
    endpoint_owners: BTreeSet<AccountId<'static>>,
    /// Endpoint owners and log recipients seen in the input (trusted when nothing is configured).
    observed: BTreeSet<AccountId<'static>>,
}

impl TrustedSet {
    pub fn from_settings(settings: &Settings) -> TrustedSet {
        TrustedSet {
            configured_accounts: settings.trusted_accounts.clone(),
            configured_orgs: settings.trusted_orgs.clone(),
            account_orgs: settings.account_orgs.clone(),
            endpoint_owners: settings.endpoints.values().filter_map(|e| e.account.clone()).collect(),
            observed: BTreeSet::new(),
        }
    }

    /// True when the user configured trusted accounts or organizations (so observations are not used).
    pub fn is_configured(&self) -> bool {
        !self.configured_accounts.is_empty() || !self.configured_orgs.is_empty()
    }

    /// Notes the log recipient of an event, for the default trusted set. Endpoint owners are added once
    /// ownership is decided ([`TrustedSet::observe_endpoint_owner`]): an endpoint AWS operates names an AWS
    /// account as its owner, which is nobody the customer trusts.
    pub fn observe(&mut self, event: &Event) {
        if let Some(account) = &event.recipient_account
            && !self.observed.contains(account.as_str())
        {
            self.observed.insert(account.clone());
        }
    }

    /// Notes the owner of one of the customer's endpoints, for the default trusted set.
    pub fn observe_endpoint_owner(&mut self, account: &AccountId<'_>) {
        if !self.observed.contains(account.as_str()) {
            self.observed.insert(account.to_static());
        }
    }

    pub fn merge(&mut self, other: TrustedSet) {
        self.observed.extend(other.observed);
    }

    /// Whether `account` is trusted. `None` or an empty id is unknown.
    pub fn trust(&self, account: Option<&AccountId<'_>>) -> Trust {
        let Some(account) = account.map(AccountId::as_str).filter(|a| !a.is_empty()) else { return Trust::Unknown };
        let trusted = self.endpoint_owners.contains(account)
            || self.configured_accounts.contains(account)
            || self.account_orgs.get(account).is_some_and(|org| self.configured_orgs.contains(org))
            || (!self.is_configured() && self.observed.contains(account));
        if trusted { Trust::Trusted } else { Trust::Untrusted }
    }

    /// The accounts trusted by name (configured, endpoint owners, and observed when nothing is configured),
    /// sorted; organization members known only through `account_orgs` are included.
    pub fn accounts(&self) -> BTreeSet<AccountId<'static>> {
        let mut accounts: BTreeSet<AccountId<'static>> =
            self.configured_accounts.union(&self.endpoint_owners).cloned().collect();
        accounts.extend(
            self.account_orgs.iter().filter(|(_, org)| self.configured_orgs.contains(*org)).map(|(a, _)| a.clone()),
        );
        if !self.is_configured() {
            accounts.extend(self.observed.iter().cloned());
        }
        accounts
    }

    /// The configured trusted organizations.
    pub fn orgs(&self) -> &BTreeSet<String> {
        &self.configured_orgs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_and_default_trust() {
        let mut settings = Settings::default();
        settings.trusted_orgs.insert("o-1".into());
        settings.account_orgs.insert("444".into(), "o-1".into());
        settings.account_orgs.insert("555".into(), "o-2".into());
        settings.trusted_accounts.insert("111".into());
        let mut set = TrustedSet::from_settings(&settings);
        set.observed.insert("999".into());
        let cases = [
            (Some("111"), Trust::Trusted),
            (Some("444"), Trust::Trusted),
            (Some("555"), Trust::Untrusted),
            (Some("999"), Trust::Untrusted),
            (Some(""), Trust::Unknown),
            (None, Trust::Unknown),
        ];
        for (account, expected) in cases {
            assert_eq!(set.trust(account.map(AccountId::from).as_ref()), expected, "{account:?}");
        }
        let mut default = TrustedSet::default();
        default.observed.insert("999".into());
        assert_eq!(default.trust(Some(&AccountId::from("999"))), Trust::Trusted);
        assert_eq!(default.trust(Some(&AccountId::from("111"))), Trust::Untrusted);
    }
}
