//! Units → statements: resource patterns by granularity, principal and resource-account conditions, merging
//! of units that grant the same thing, optional action folding, and stable Sids that say what a statement is.

use std::collections::{BTreeMap, BTreeSet};

use super::action_class::{Fold, class_word, fold_actions};
use super::document::{Conditions, OneOrMany, PolicyDocument, PolicyStatement};
use super::options::{Granularity, Scope};
use super::select::{Family, Section};
use super::units::{Unit, Units};

/// How far the statements are generalised (the widening steps move these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Knobs {
    pub granularity: Granularity,
    /// Buckets whose objects are widened to `bucket/*` whatever the granularity.
    pub whole_buckets: BTreeSet<String>,
    pub scope: Scope,
    /// Merge statements of one section, service and principal condition (union of actions).
    pub merge_actions: bool,
    /// S3 workload resources with known owners become `arn:aws:s3:::*` + `aws:ResourceAccount`.
    pub s3_by_account: bool,
    /// Other ARNs with known owners become `*` + `aws:ResourceAccount`.
    pub arns_by_account: bool,
    pub action_wildcards: bool,
}

/// A statement before it has a Sid.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Draft {
    section: Section,
    service: String,
    condition: Vec<(String, String, Vec<String>)>,
    actions: BTreeSet<String>,
    resources: BTreeSet<String>,
    /// Names of the families (bucket, table, ...), for the Sid.
    names: BTreeSet<String>,
}

/// The statements and what was noted while building them.
#[derive(Debug, Clone, Default)]
pub struct Built {
    pub document: Option<PolicyDocument>,
    pub folds: Vec<Fold>,
    /// Scope fallbacks and similar remarks.
    pub notes: BTreeSet<String>,
}

/// Builds the policy document from units.
pub fn build(units: &Units, knobs: &Knobs) -> Built {
    let mut notes = BTreeSet::new();
    let mut by_grant: BTreeMap<(Section, String, Vec<(String, String, Vec<String>)>, BTreeSet<String>), Draft> =
        BTreeMap::new();
    for ((section, service, family), unit) in units {
        let (resources, owners_known) = resources_of(family, unit, knobs);
        let mut condition = principal_condition(section, unit, knobs.scope, &mut notes);
        let owners: Vec<String> = unit.owners.iter().flatten().cloned().collect();
        let s3_workload = *section == Section::Workload && matches!(family, Family::S3Bucket(_));
        if owners_known && !owners.is_empty() && (s3_workload || resources.contains("*")) {
            condition.push(("StringEquals".into(), "aws:ResourceAccount".into(), owners));
        }
        let resources = if owners_known && s3_workload && knobs.s3_by_account {
            BTreeSet::from(["arn:aws:s3:::*".to_owned()])
        } else {
            resources
        };
        let actions = unit.actions.clone();
        let key = (section.clone(), service.clone(), condition.clone(), actions.clone());
        let draft = by_grant.entry(key).or_insert_with(|| Draft {
            section: section.clone(),
            service: service.clone(),
            condition,
            actions,
            resources: BTreeSet::new(),
            names: BTreeSet::new(),
        });
        draft.resources.extend(resources);
        draft.names.insert(family_name(family, unit));
    }
    let mut drafts: Vec<Draft> = by_grant.into_values().collect();
    if knobs.merge_actions {
        drafts = merge_actions(drafts);
    }
    let mut folds = Vec::new();
    if knobs.action_wildcards {
        for draft in &mut drafts {
            let (actions, mut found) = fold_actions(&draft.actions);
            draft.actions = actions;
            folds.append(&mut found);
        }
        folds.sort();
        folds.dedup();
    }
    drafts.sort();
    let statements = name_statements(drafts);
    Built { document: Some(PolicyDocument { version: "2012-10-17", statement: statements }), folds, notes }
}

/// Merges drafts of one section, service and principal condition (ResourceAccount values are united).
fn merge_actions(drafts: Vec<Draft>) -> Vec<Draft> {
    let mut merged: BTreeMap<(Section, String, Vec<(String, String, Vec<String>)>), Draft> = BTreeMap::new();
    for draft in drafts {
        let principal_only: Vec<_> =
            draft.condition.iter().filter(|(_, key, _)| key != "aws:ResourceAccount").cloned().collect();
        let key = (draft.section.clone(), draft.service.clone(), principal_only);
        match merged.get_mut(&key) {
            None => {
                merged.insert(key, draft);
            }
            Some(into) => {
                into.actions.extend(draft.actions);
                into.resources.extend(draft.resources);
                into.names.extend(draft.names);
                into.condition = unite_resource_accounts(&into.condition, &draft.condition);
            }
        }
    }
    merged.into_values().collect()
}

/// Unites the `aws:ResourceAccount` values of two conditions; the key is dropped if either lacks it.
fn unite_resource_accounts(
    a: &[(String, String, Vec<String>)],
    b: &[(String, String, Vec<String>)],
) -> Vec<(String, String, Vec<String>)> {
    let accounts = |c: &[(String, String, Vec<String>)]| {
        c.iter().find(|(_, k, _)| k == "aws:ResourceAccount").map(|(_, _, v)| v.clone())
    };
    let mut out: Vec<_> = a.iter().filter(|(_, key, _)| key != "aws:ResourceAccount").cloned().collect();
    if let (Some(x), Some(y)) = (accounts(a), accounts(b)) {
        let all: BTreeSet<String> = x.into_iter().chain(y).collect();
        out.push(("StringEquals".into(), "aws:ResourceAccount".into(), all.into_iter().collect()));
    }
    out
}

/// A unit's resource patterns, and whether every owner is known.
fn resources_of(family: &Family, unit: &Unit, knobs: &Knobs) -> (BTreeSet<String>, bool) {
    let owners_known = !unit.owners.is_empty() && unit.owners.iter().all(Option::is_some);
    let mut out = BTreeSet::new();
    match family {
        Family::S3Bucket(bucket) => {
            let base = format!("arn:aws:s3:::{bucket}");
            if unit.whole {
                out.insert(base.clone());
            }
            let granularity = if unit.unseen || knobs.whole_buckets.contains(bucket) {
                Granularity::Bucket
            } else {
                knobs.granularity
            };
            out.extend(object_patterns(&unit.keys, granularity).into_iter().map(|p| format!("{base}/{p}")));
        }
        Family::DynamoTable(table) => {
            if unit.whole {
                out.insert(table.clone());
            }
            if unit.index {
                out.insert(format!("{table}/index/*"));
            }
            if unit.stream {
                out.insert(format!("{table}/stream/*"));
            }
        }
        Family::Arn(_) if knobs.arns_by_account && owners_known => {
            out.insert("*".to_owned());
        }
        Family::Arn(arn) => {
            out.insert(arn.clone());
        }
        Family::NoResource => {
            out.insert("*".to_owned());
        }
    }
    (out, owners_known)
}

/// Object key patterns for a granularity: `*`, `folder/*` prefixes (exact keys where a key has fewer
/// folders), or the keys themselves. Keys a prefix covers are dropped.
pub fn object_patterns(keys: &BTreeSet<String>, granularity: Granularity) -> BTreeSet<String> {
    if keys.is_empty() {
        return BTreeSet::new();
    }
    match granularity {
        Granularity::Bucket => BTreeSet::from(["*".to_owned()]),
        Granularity::Exact => keys.clone(),
        Granularity::Prefix(depth) => {
            let mut prefixes = BTreeSet::new();
            let mut exact = BTreeSet::new();
            for key in keys {
                let segments: Vec<&str> = key.split('/').collect();
                if segments.len() > depth {
                    prefixes.insert(format!("{}/*", segments[..depth].join("/")));
                } else {
                    exact.insert(key.clone());
                }
            }
            exact.retain(|k| !prefixes.iter().any(|p| k.starts_with(p.trim_end_matches('*'))));
            prefixes.into_iter().chain(exact).collect()
        }
    }
}

fn principal_condition(
    section: &Section,
    unit: &Unit,
    scope: Scope,
    notes: &mut BTreeSet<String>,
) -> Vec<(String, String, Vec<String>)> {
    let collect = |f: fn(&super::units::PrincipalKey) -> Option<&String>| -> Option<Vec<String>> {
        let values: Option<BTreeSet<String>> = unit.principals.iter().map(|p| f(p).cloned()).collect();
        values.map(|v| v.into_iter().collect())
    };
    if *section == Section::AwsService {
        let mut out = vec![("Bool".into(), "aws:PrincipalIsAWSService".into(), vec!["true".to_owned()])];
        if let Some(names) = collect(|p| p.service.as_ref()) {
            out.push(("StringEquals".into(), "aws:PrincipalServiceName".into(), names));
        }
        return out;
    }
    let accounts = || match collect(|p| p.account.as_ref()) {
        Some(accounts) => vec![("StringEquals".into(), "aws:PrincipalAccount".into(), accounts)],
        None => Vec::new(),
    };
    match scope {
        Scope::Any => Vec::new(),
        Scope::Accounts => accounts(),
        Scope::Org => match collect(|p| p.org.as_ref()) {
            Some(orgs) => vec![("StringEquals".into(), "aws:PrincipalOrgID".into(), orgs)],
            None => {
                notes.insert("--scope org: some principal accounts have no known organization ([account_orgs] in the config); their statements use aws:PrincipalAccount".to_owned());
                accounts()
            }
        },
        Scope::Principals => match collect(|p| p.arn.as_ref()) {
            Some(arns) => vec![("ArnEquals".into(), "aws:PrincipalArn".into(), arns)],
            None => {
                notes.insert("--scope principals: some requests do not show the principal ARN; their statements use aws:PrincipalAccount".to_owned());
                accounts()
            }
        },
    }
}

/// The short name of a family, for Sids.
fn family_name(family: &Family, unit: &Unit) -> String {
    match family {
        Family::S3Bucket(bucket) => bucket.clone(),
        Family::DynamoTable(table) => table.rsplit('/').next().unwrap_or(table).to_owned(),
        Family::Arn(arn) => arn.rsplit([':', '/']).next().unwrap_or(arn).to_owned(),
        Family::NoResource if unit.actions.len() == 1 => {
            unit.actions.iter().next().and_then(|a| a.split_once(':')).map_or("", |(_, n)| n).to_owned()
        }
        Family::NoResource => "ActionsWithoutResource".to_owned(),
    }
}

/// Stable, descriptive, unique Sids (letters and digits only).
fn name_statements(drafts: Vec<Draft>) -> Vec<PolicyStatement> {
    let mut used = BTreeSet::new();
    let mut out = Vec::with_capacity(drafts.len());
    for draft in drafts {
        let first = draft.names.iter().next().cloned().unwrap_or_default();
        let more = if draft.names.len() > 1 { format!("And{}More", draft.names.len() - 1) } else { String::new() };
        let what = if draft.resources.iter().any(|r| r == "arn:aws:s3:::*" || r == "*") && draft.names.len() > 1 {
            "InTrustedAccounts".to_owned()
        } else {
            format!("{}{more}", camel(&first, 40))
        };
        let class = class_word(&draft.actions);
        let service = camel(&draft.service, 20);
        let base = match &draft.section {
            Section::Workload => format!("{service}{class}{what}"),
            Section::AwsOwned(owner) => format!("AwsOwned{}{class}", camel(owner, 40)),
            Section::AwsService => format!("AwsServicePrincipals{service}{class}{what}"),
        };
        let mut sid = base.clone();
        let mut n = 2;
        while !used.insert(sid.clone()) {
            sid = format!("{base}{n}");
            n += 1;
        }
        let mut condition = Conditions::new();
        for (op, key, values) in draft.condition {
            condition.entry(op).or_default().insert(key, OneOrMany(values));
        }
        out.push(PolicyStatement {
            sid,
            effect: "Allow",
            principal: "*",
            action: OneOrMany(draft.actions.into_iter().collect()),
            resource: OneOrMany(draft.resources.into_iter().collect()),
            condition,
        });
    }
    out
}

/// `app-data-111122223333` → `AppData111122223333`, at most `max` characters.
pub fn camel(text: &str, max: usize) -> String {
    let mut out = String::new();
    for word in text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    out.chars().take(max).collect()
}
