//! Who operates each VPC endpoint the logs name. `vpcEndpointId` is not only set for the customer's own
//! endpoints: requests made by the S3 and CloudTrail consoles' backends, by services acting for a caller and by
//! service deliveries go through endpoints AWS operates (aws-facts.md, "Endpoints AWS operates"). Treating those
//! as the customer's lists phantom endpoints, proposes policies for them and reports false bypasses.
//!
//! Three steps, each pure:
//! - [`Sighting::of`]: what one record through an endpoint says about it (an AWS signal, a private source);
//! - [`EndpointBook`]: the evidence per endpoint, folded per worker and merged (bounded by distinct endpoints
//!   and accounts, never by records);
//! - [`decide`]: one endpoint's [`Owner`] from its evidence, the configuration and the known accounts.
//!
//! The decision is per endpoint, not per record: a request through an endpoint that turns out AWS-operated is,
//! for every analysis, a request that did not come through any customer endpoint, whether or not the record
//! itself carries the signal. [`Ownership`] is the decided table every report asks.

mod book;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Serialize;

use crate::model::{AccountId, VpceId};

pub use book::{EndpointBook, Evidence};

/// An AWS signal one record carries (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Signal {
    /// A console backend: the user agent contains `aws-internal` (`[S3Console/0.4, aws-internal/3 …]`).
    Console,
    /// A service acting for a caller: the source "address" is a service host name
    /// (`secretsmanager.amazonaws.com`), or `invokedBy` names a service.
    Service,
    /// A service delivery: `userIdentity.type` is `AWSService` (CloudTrail, log delivery).
    Delivery,
}

impl Signal {
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Console => "console",
            Signal::Service => "service",
            Signal::Delivery => "delivery",
        }
    }
}

/// The console backends' user-agent marker, searched once per record through an endpoint (built once).
static AWS_INTERNAL: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"aws-internal"));

/// What one record through an endpoint says about who operates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sighting {
    pub signal: Option<Signal>,
    /// The source address is a private one (RFC 1918 / RFC 6598 / IPv6 ULA) and no AWS signal was seen.
    pub private_plain: bool,
}

impl Sighting {
    /// Reads the record's user agent, source address and identity. Linear in the user agent.
    pub fn of(user_agent: Option<&str>, source_ip: Option<&str>, aws_service: bool, invoked_by: bool) -> Sighting {
        let source = source_ip.map(str::trim).filter(|s| !s.is_empty());
        let ip = source.and_then(|s| s.parse::<IpAddr>().ok());
        let signal = if aws_service {
            Some(Signal::Delivery)
        } else if invoked_by || (source.is_some() && ip.is_none()) {
            Some(Signal::Service)
        } else if user_agent.is_some_and(|ua| AWS_INTERNAL.find(ua.as_bytes()).is_some()) {
            Some(Signal::Console)
        } else {
            None
        };
        Sighting { signal, private_plain: signal.is_none() && ip.is_some_and(crate::model::is_private_ip) }
    }
}

/// The owner classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OwnerClass {
    /// Traffic from the customer's own VPCs.
    Customer,
    /// Operated by AWS (console backends, services acting for a caller, deliveries).
    Aws,
    /// Owned by an account outside the known accounts (`vpcEndpointAccountId`): someone else's endpoint.
    Foreign,
    /// The input does not say. Analyses treat it like a customer endpoint (as before ownership was known).
    Unknown,
}

impl OwnerClass {
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerClass::Customer => "customer",
            OwnerClass::Aws => "aws",
            OwnerClass::Foreign => "foreign",
            OwnerClass::Unknown => "unknown",
        }
    }

    /// Whether requests through such an endpoint count as through one of the customer's endpoints.
    pub fn is_customer_side(self) -> bool {
        matches!(self, OwnerClass::Customer | OwnerClass::Unknown)
    }
}

/// Why an endpoint got its class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// `operated_by` in the configuration.
    ConfiguredOperator,
    /// Listed in the configuration's endpoints.
    Configured,
    /// `vpcEndpointAccountId` is one of the known accounts.
    OwnerAccount,
    /// At least half its records carry an AWS signal ([`Owner::signal`] says which).
    AwsSignal,
    /// `vpcEndpointAccountId` is an account outside the known accounts.
    ForeignOwner,
    /// Only a minority of its records carry an AWS signal: not decided.
    MixedSignals,
    /// Plain traffic (no AWS signal) from private addresses.
    PrivateTraffic,
    /// Nothing in the input says.
    NoEvidence,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::ConfiguredOperator => "configured-operator",
            Basis::Configured => "configured",
            Basis::OwnerAccount => "owner-account",
            Basis::AwsSignal => "aws-signal",
            Basis::ForeignOwner => "foreign-owner",
            Basis::MixedSignals => "mixed-signals",
            Basis::PrivateTraffic => "private-traffic",
            Basis::NoEvidence => "no-evidence",
        }
    }
}

/// `operated_by` in the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Operator {
    Aws,
    Customer,
}

/// What the configuration says about an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Configured {
    pub operated_by: Option<Operator>,
}

/// One endpoint's decided owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Owner {
    pub class: OwnerClass,
    pub basis: Basis,
    /// The AWS signal most of its records carry (for [`OwnerClass::Aws`] decided by signal, and mixed).
    pub signal: Option<Signal>,
    /// The owner account from `vpcEndpointAccountId`, when the records name exactly one.
    pub account: Option<AccountId<'static>>,
}

impl Owner {
    /// How reports name an endpoint that is not the customer's: `aws:console`, `aws:service`,
    /// `aws:delivery`, `aws:configured`, `foreign:<account>`; `None` for customer-side endpoints.
    pub fn operator_label(&self) -> Option<String> {
        match self.class {
            OwnerClass::Aws => Some(format!("aws:{}", self.signal.map_or("configured", Signal::as_str))),
            OwnerClass::Foreign => {
                Some(format!("foreign:{}", self.account.as_ref().map_or("unknown", AccountId::as_str)))
            }
            OwnerClass::Customer | OwnerClass::Unknown => None,
        }
    }
}

impl Owner {
    /// The `evidence` name of a finding about a request through this (AWS-operated) endpoint.
    pub fn evidence_name(&self) -> &'static str {
        match (self.class, self.signal) {
            (OwnerClass::Aws, Some(Signal::Console)) => "aws-console",
            (OwnerClass::Aws, Some(Signal::Service)) => "aws-service",
            (OwnerClass::Aws, Some(Signal::Delivery)) => "aws-delivery",
            (OwnerClass::Aws, None) => "aws-configured",
            _ => "cloudtrail",
        }
    }
}

/// Decides one endpoint's owner (see the README's "Endpoint ownership"). In order:
/// 1. `operated_by` in the configuration;
/// 2. listed in the configuration: the customer's;
/// 3. `vpcEndpointAccountId` names a known account: the customer's (an AWS-written field outranks user agents,
///    which callers choose);
/// 4. at least half of its records carry an AWS signal: AWS's;
/// 5. `vpcEndpointAccountId` names only accounts outside the known ones: foreign;
/// 6. some records carry an AWS signal: unknown (mixed);
/// 7. plain traffic from private addresses: the customer's;
/// 8. otherwise unknown.
pub fn decide(evidence: &Evidence, configured: Option<Configured>, known: &dyn Fn(&AccountId<'_>) -> bool) -> Owner {
    let account = (evidence.owner_accounts.len() == 1 && !evidence.owner_accounts_truncated)
        .then(|| evidence.owner_accounts.iter().next().cloned())
        .flatten();
    let owner = |class, basis, signal| Owner { class, basis, signal, account: account.clone() };
    let signal = evidence.dominant_signal();
    match configured {
        Some(Configured { operated_by: Some(Operator::Aws) }) => {
            return owner(OwnerClass::Aws, Basis::ConfiguredOperator, signal);
        }
        Some(Configured { operated_by: Some(Operator::Customer) }) => {
            return owner(OwnerClass::Customer, Basis::ConfiguredOperator, None);
        }
        Some(Configured { operated_by: None }) => return owner(OwnerClass::Customer, Basis::Configured, None),
        None => {}
    }
    if evidence.owner_accounts.iter().any(known) {
        return owner(OwnerClass::Customer, Basis::OwnerAccount, None);
    }
    let signalled = evidence.signalled();
    if signalled > 0 && signalled.saturating_mul(2) >= evidence.records {
        return owner(OwnerClass::Aws, Basis::AwsSignal, signal);
    }
    if !evidence.owner_accounts.is_empty() {
        return owner(OwnerClass::Foreign, Basis::ForeignOwner, None);
    }
    if signalled > 0 {
        return owner(OwnerClass::Unknown, Basis::MixedSignals, signal);
    }
    if evidence.private_plain > 0 {
        return owner(OwnerClass::Customer, Basis::PrivateTraffic, None);
    }
    owner(OwnerClass::Unknown, Basis::NoEvidence, None)
}

/// The decision for one record alone, for consumers that write as they read and cannot wait for the whole
/// input (`export`): the same [`decide`] over the evidence of that record, the configuration, and the known
/// accounts plus the record's own recipient.
#[derive(Debug, Clone, Default)]
pub struct RecordOwners {
    configured: BTreeMap<VpceId<'static>, Configured>,
    accounts: std::collections::BTreeSet<AccountId<'static>>,
}

impl RecordOwners {
    pub fn new(
        configured: BTreeMap<VpceId<'static>, Configured>,
        accounts: std::collections::BTreeSet<AccountId<'static>>,
    ) -> Self {
        RecordOwners { configured, accounts }
    }

    /// The owner of `vpce` as this one record shows it. One record cannot tell another account's endpoint
    /// from one of the organization's other accounts (an organization trail delivers a caller's copy to the
    /// caller's account, whose recipient is not the endpoint owner), so it never says `foreign`: such an
    /// endpoint stays `unknown`, on the customer's side.
    pub fn owner(
        &self,
        vpce: &VpceId<'_>,
        owner_account: Option<&AccountId<'_>>,
        recipient: Option<&AccountId<'_>>,
        sighting: Sighting,
    ) -> Owner {
        let mut book = EndpointBook::default();
        book.observe(recipient, Some(vpce), owner_account, sighting);
        let evidence = book.endpoints().get(vpce.as_str()).cloned().unwrap_or_default();
        let known = |account: &AccountId<'_>| {
            self.accounts.contains(account.as_str()) || recipient.is_some_and(|r| r.as_str() == account.as_str())
        };
        let mut owner = decide(&evidence, self.configured.get(vpce.as_str()).copied(), &known);
        if owner.class == OwnerClass::Foreign {
            owner.class = OwnerClass::Unknown;
        }
        owner
    }

    /// How export names the operator of any endpoint: `customer`, `unknown`, or the operator label.
    pub fn column_label(owner: &Owner) -> String {
        owner.operator_label().unwrap_or_else(|| owner.class.as_str().to_owned())
    }
}

/// The decided owner of every endpoint seen (and configured). Endpoints it has never heard of are unknown.
#[derive(Debug, Clone, Default)]
pub struct Ownership {
    owners: BTreeMap<VpceId<'static>, Owner>,
    /// The evidence behind each decision (records and signal counts), for reports.
    evidence: BTreeMap<VpceId<'static>, Evidence>,
}

const UNKNOWN: Owner = Owner { class: OwnerClass::Unknown, basis: Basis::NoEvidence, signal: None, account: None };

impl Ownership {
    /// Decides every endpoint of `book`, plus every configured one. `configured` lists the configuration's
    /// endpoints; `known` the accounts that are the customer's (configuration, trusted organizations' members
    /// the configuration names); the book's log recipients are added.
    pub fn decide(
        book: &EndpointBook,
        configured: &BTreeMap<VpceId<'static>, Configured>,
        configured_accounts: &std::collections::BTreeSet<AccountId<'static>>,
    ) -> Ownership {
        let known = |account: &AccountId<'_>| {
            configured_accounts.contains(account.as_str()) || book.recipients.contains(account.as_str())
        };
        let endpoints = book.endpoints();
        let mut owners = BTreeMap::new();
        let empty = Evidence::default();
        for id in endpoints.keys().chain(configured.keys()) {
            if owners.contains_key(id.as_str()) {
                continue;
            }
            let evidence = endpoints.get(id.as_str()).unwrap_or(&empty);
            owners.insert(id.clone(), decide(evidence, configured.get(id.as_str()).copied(), &known));
        }
        Ownership { owners, evidence: endpoints.clone().into_iter().collect() }
    }

    /// An ownership that knows nothing: every endpoint is unknown (customer-side).
    pub fn unknown() -> Ownership {
        Ownership::default()
    }

    /// The owner of `vpce` (unknown when never seen).
    pub fn owner(&self, vpce: &VpceId<'_>) -> &Owner {
        self.owners.get(vpce.as_str()).unwrap_or(&UNKNOWN)
    }

    pub fn class(&self, vpce: &VpceId<'_>) -> OwnerClass {
        self.owner(vpce).class
    }

    /// Whether a request through `vpce` came through one of the customer's endpoints (customer or unknown).
    pub fn is_customer_side(&self, vpce: &VpceId<'_>) -> bool {
        self.class(vpce).is_customer_side()
    }

    /// `vpce` if it is customer-side, else `None`: what "the endpoint the request came through" means in
    /// every analysis.
    pub fn customer_vpce<'v, 'a>(&self, vpce: Option<&'v VpceId<'a>>) -> Option<&'v VpceId<'a>> {
        vpce.filter(|v| self.is_customer_side(v))
    }

    /// The operator label of a non-customer endpoint (`aws:console`, `foreign:<account>`), else `None`.
    pub fn operator_label(&self, vpce: &VpceId<'_>) -> Option<String> {
        self.owner(vpce).operator_label()
    }

    /// The evidence behind `vpce`'s decision, when the input named it.
    pub fn evidence(&self, vpce: &VpceId<'_>) -> Option<&Evidence> {
        self.evidence.get(vpce.as_str())
    }

    /// Every decided endpoint with its owner and evidence, by id.
    pub fn iter(&self) -> impl Iterator<Item = (&VpceId<'static>, &Owner, Option<&Evidence>)> {
        self.owners.iter().map(|(id, owner)| (id, owner, self.evidence.get(id)))
    }

    /// The endpoints that are not the customer's (AWS-operated or foreign), sorted by id.
    pub fn not_customer(&self) -> impl Iterator<Item = (&VpceId<'static>, &Owner)> {
        self.owners.iter().filter(|(_, o)| !o.class.is_customer_side())
    }

    /// Test and tool constructor: fixed owners.
    pub fn from_owners(owners: impl IntoIterator<Item = (VpceId<'static>, Owner)>) -> Ownership {
        Ownership { owners: owners.into_iter().collect(), evidence: BTreeMap::new() }
    }
}
