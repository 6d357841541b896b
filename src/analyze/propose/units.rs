//! Covered accesses folded into resource families ("units"): per section and family, the actions, the
//! principals, the resource owners and the parts seen. Statements are built from units.

use std::collections::{BTreeMap, BTreeSet};

use super::facts::EndpointFacts;
use super::options::ProposeOptions;
use super::select::{Family, Part, Section, Selection, place, select};
use crate::analyze::aws_owned::aws_owned_buckets_for_region;
use crate::analyze::trust::TrustedSet;

/// Who made a request, as the principal conditions see it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PrincipalKey {
    pub arn: Option<String>,
    pub account: Option<String>,
    pub org: Option<String>,
    pub service: Option<String>,
}

/// One resource family of one section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unit {
    pub actions: BTreeSet<String>,
    pub principals: BTreeSet<PrincipalKey>,
    /// Resource owners (`aws:ResourceAccount`); `None` when a request did not show one.
    pub owners: BTreeSet<Option<String>>,
    /// The bucket or table itself was used.
    pub whole: bool,
    /// Object keys (S3).
    pub keys: BTreeSet<String>,
    pub index: bool,
    pub stream: bool,
    /// Added by `--allow-aws-owned`, not observed: all its objects are allowed (`bucket/*`).
    pub unseen: bool,
}

/// Units by section and family, sorted.
pub type Units = BTreeMap<(Section, String, Family), Unit>;

/// The service prefix of an action (`s3` for `s3:GetObject`).
pub fn service_of(action: &str) -> String {
    action.split_once(':').map_or(action, |(s, _)| s).to_ascii_lowercase()
}

/// Folds the covered requests of an endpoint into units.
pub fn build_units(facts: &EndpointFacts, trusted: &TrustedSet, options: &ProposeOptions) -> Units {
    let mut units = Units::new();
    for request in facts.requests.keys() {
        if select(request, trusted, options) != Selection::Covered {
            continue;
        }
        for access in &request.accesses {
            let (section, family, part) = place(access);
            let unit = units.entry((section, service_of(&access.action), family)).or_default();
            unit.actions.insert(access.action.clone());
            unit.principals.insert(PrincipalKey {
                arn: access.principal.clone().filter(|_| !access.principal_is_service),
                account: access.principal_account.clone(),
                org: access.principal_org().map(str::to_owned),
                service: access.principal_is_service.then(|| access.service_name().map(str::to_owned)).flatten(),
            });
            unit.owners.insert(access.resource_account().map(str::to_owned));
            match part {
                Part::Bucket | Part::Table | Part::Whole => unit.whole = true,
                Part::Object(key) => {
                    unit.keys.insert(key);
                }
                Part::Index => unit.index = true,
                Part::Stream => unit.stream = true,
            }
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
        .flat_map(|(_, unit)| unit.principals.iter().cloned())
        .collect();
    for region in &facts.regions {
        for (bucket, service) in aws_owned_buckets_for_region(region) {
            let unit = units
                .entry((Section::AwsOwned(service), "s3".to_owned(), Family::S3Bucket(bucket)))
                .or_insert_with(|| Unit { unseen: true, ..Unit::default() });
            unit.actions.insert("s3:GetObject".to_owned());
            unit.principals.extend(principals.iter().cloned());
        }
    }
}
