//! Covered accesses folded into resource families ("units"): per section and family, the actions, the
//! principals, the resource owners and the parts seen. Statements are built from units.

use std::collections::{BTreeMap, BTreeSet};

use super::facts::EndpointFacts;
use super::options::ProposeOptions;
use super::select::{Family, Part, Section, Selection, place_with, select};
use crate::analyze::aws_owned::aws_owned_buckets_for_region;
use crate::analyze::trust::TrustedSet;
use crate::model::AccountId;

/// Who made a request, as the principal conditions see it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PrincipalKey {
    pub arn: Option<String>,
    pub account: Option<AccountId<'static>>,
    pub org: Option<String>,
    pub service: Option<String>,
}

/// What in a family an access touched.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// The bucket, table or resource itself.
    Whole,
    /// An S3 object key.
    Object(String),
    /// Any object (`bucket/*`; AWS-owned buckets added by `--allow-aws-owned`).
    AllObjects,
    /// A DynamoDB index (`table/t/index/*`).
    Index,
    /// A DynamoDB stream (`table/t/stream/*`).
    Stream,
}

/// Action → the principals that used it.
pub type Grants = BTreeMap<String, BTreeSet<PrincipalKey>>;

/// One resource family of one section: per target, which principals used which actions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unit {
    pub targets: BTreeMap<Target, Grants>,
    /// Resource owners (`aws:ResourceAccount`); `None` when a request did not show one.
    pub owners: BTreeSet<Option<AccountId<'static>>>,
}

impl Unit {
    /// Every action used on the family.
    pub fn actions(&self) -> BTreeSet<String> {
        self.targets.values().flat_map(|g| g.keys().cloned()).collect()
    }

    /// The object keys used (S3).
    pub fn keys(&self) -> BTreeSet<String> {
        self.targets
            .keys()
            .filter_map(|t| match t {
                Target::Object(k) => Some(k.clone()),
                _ => None,
            })
            .collect()
    }
}

/// Units by section and family, sorted.
pub type Units = BTreeMap<(Section, String, Family), Unit>;

/// The service prefix of an action (`s3` for `s3:GetObject`).
pub fn service_of(action: &str) -> String {
    action.split_once(':').map_or(action, |(s, _)| s).to_ascii_lowercase()
}

/// Folds the covered requests of an endpoint into units. Units are ordered maps and sets, so the requests are
/// taken in the facts' order: no sort.
pub fn build_units(facts: &EndpointFacts, trusted: &TrustedSet, options: &ProposeOptions) -> Units {
    let mut units = Units::new();
    for (request, _) in &facts.requests {
        if select(request, trusted, options) != Selection::Covered {
            continue;
        }
        for access in &request.accesses {
            let (section, family, part) = place_with(access, Some(&options.aws_owned));
            let unit = units.entry((section, service_of(&access.action), family)).or_default();
            let target = match part {
                Part::Bucket | Part::Table | Part::Whole => Target::Whole,
                Part::Object(key) => Target::Object(key),
                Part::Index => Target::Index,
                Part::Stream => Target::Stream,
            };
            let principal = PrincipalKey {
                arn: access.principal.clone().filter(|_| !access.principal_is_service),
                account: access.principal_account.clone(),
                org: access.principal_org().map(str::to_owned),
                service: access.principal_is_service.then(|| access.service_name().map(str::to_owned)).flatten(),
            };
            unit.targets.entry(target).or_default().entry(access.action.clone()).or_default().insert(principal);
            unit.owners.insert(access.resource_account().map(AccountId::into_owned));
        }
    }
    if options.allow_aws_owned {
        add_standard_aws_owned(&mut units, facts);
    }
    units
}

/// `--allow-aws-owned`: every standard AWS-owned bucket of the endpoint's regions, read-only, for the
/// principals the workload statements admit.
fn add_standard_aws_owned(units: &mut Units, facts: &EndpointFacts) {
    let principals: BTreeSet<PrincipalKey> = units
        .iter()
        .filter(|((section, _, _), _)| !matches!(section, Section::AwsService))
        .flat_map(|(_, unit)| unit.targets.values().flat_map(|g| g.values().flatten().cloned()))
        .collect();
    for region in &facts.regions {
        for (bucket, service) in aws_owned_buckets_for_region(region) {
            let unit =
                units.entry((Section::AwsOwned(service), "s3".to_owned(), Family::S3Bucket(bucket))).or_default();
            let grants = unit.targets.entry(Target::AllObjects).or_default();
            grants.entry("s3:GetObject".to_owned()).or_default().extend(principals.iter().cloned());
        }
    }
}
