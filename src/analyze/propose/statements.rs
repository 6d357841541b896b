//! Units → statements: resource patterns by granularity, principal and resource-account conditions, merging
//! of units that grant the same thing, optional action folding, and stable Sids that say what a statement is.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::action_class::{Fold, class_word, fold_actions};
use super::document::{Conditions, OneOrMany, PolicyDocument, PolicyStatement};
use super::options::{Granularity, Scope};
use super::select::{Family, Section};
use super::units::{Grants, PrincipalKey, Target, Unit, Units};
use crate::model::AccountId;
use crate::policy::literal::{literal, resource_arn};

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

/// Conditions as `(operator, key, values)`, sorted.
type CondList = Vec<(String, String, Vec<String>)>;

/// Section, service, conditions and actions: what one statement grants.
type GrantKey = (Section, String, CondList, BTreeSet<String>);

/// A statement before it has a Sid.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Draft {
    section: Section,
    service: String,
    condition: CondList,
    actions: BTreeSet<String>,
    resources: BTreeSet<String>,
    /// Names of the families (bucket, table, ...), for the Sid.
    names: BTreeSet<String>,
}

impl Draft {
    /// Takes in another draft's grants (the caller has checked that joining them allows nothing more).
    fn absorb(&mut self, other: Draft) {
        self.actions.extend(other.actions);
        self.resources.extend(other.resources);
        self.names.extend(other.names);
    }
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
    let mut by_grant: BTreeMap<GrantKey, Draft> = BTreeMap::new();
    for ((section, service, family), unit) in units {
        let owners_known = !unit.owners.is_empty() && unit.owners.iter().all(Option::is_some);
        let owners: Vec<String> = unit.owners.iter().flatten().map(AccountId::to_string).collect();
        let s3_workload = *section == Section::Workload && matches!(family, Family::S3Bucket(_));
        for (pattern, grants) in patterns_of(section, family, unit, knobs, owners_known) {
            // Actions used by the same principals share a statement.
            let mut by_principals: BTreeMap<BTreeSet<PrincipalKey>, BTreeSet<String>> = BTreeMap::new();
            for (action, principals) in grants {
                by_principals.entry(principals).or_default().insert(action);
            }
            for (principals, actions) in by_principals {
                let mut condition = principal_condition(section, &principals, knobs.scope, &mut notes);
                if owners_known && (s3_workload || pattern == "*") && !owners.is_empty() {
                    condition.push(("StringEquals".into(), "aws:ResourceAccount".into(), owners.clone()));
                }
                let resource = if owners_known && s3_workload && knobs.s3_by_account {
                    "arn:aws:s3:::*".to_owned()
                } else {
                    pattern.clone()
                };
                let key = (section.clone(), service.clone(), condition.clone(), actions.clone());
                let draft = by_grant.entry(key).or_insert_with(|| Draft {
                    section: section.clone(),
                    service: service.clone(),
                    condition,
                    actions,
                    resources: BTreeSet::new(),
                    names: BTreeSet::new(),
                });
                draft.names.insert(format!("{} {}", family_name(family, unit), pattern_hint(&resource)));
                draft.resources.insert(resource);
            }
        }
    }
    let mut drafts = join_tables(join_bucket_level(by_grant.into_values().collect()));
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

/// Joins the statements of one DynamoDB table set (table, `index/*`, `stream/*`) granted to the same
/// principals, so a table reads as one grant. Item actions never apply to index or stream ARNs; the cost is
/// that `Query`/`Scan` seen only on indexes also apply to the table.
fn join_tables(drafts: Vec<Draft>) -> Vec<Draft> {
    let tables = |d: &Draft| -> Option<BTreeSet<String>> {
        if d.service != "dynamodb" {
            return None;
        }
        d.resources
            .iter()
            .map(|r| r.contains(":table/").then(|| r.split("/index/").next().unwrap_or(r)))
            .map(|t| t.map(|t| t.split("/stream/").next().unwrap_or(t).to_owned()))
            .collect()
    };
    // The first draft of each (section, condition, tables) takes in the later ones: absorbing a draft of the
    // same tables leaves its table set as it was, so one lookup per draft finds it.
    let mut first: BTreeMap<(Section, CondList, BTreeSet<String>), usize> = BTreeMap::new();
    let mut out: Vec<Draft> = Vec::with_capacity(drafts.len());
    for draft in drafts {
        let Some(key) = tables(&draft).map(|t| (draft.section.clone(), draft.condition.clone(), t)) else {
            out.push(draft);
            continue;
        };
        match first.get(&key).and_then(|&i| out.get_mut(i)) {
            Some(o) => o.absorb(draft),
            None => {
                first.insert(key, out.len());
                out.push(draft);
            }
        }
    }
    out
}

/// The buckets of S3 resource patterns, and whether they are all bucket ARNs (`Some(true)`), all object
/// patterns (`Some(false)`) or mixed / not S3 (`None`).
fn s3_shape(resources: &BTreeSet<String>) -> (BTreeSet<&str>, Option<bool>) {
    let mut buckets = BTreeSet::new();
    let mut shape = None;
    for r in resources {
        let Some(rest) = r.strip_prefix("arn:aws:s3:::").filter(|rest| *rest != "*") else { return (buckets, None) };
        let is_bucket = !rest.contains('/');
        if shape.is_some_and(|s| s != is_bucket) {
            return (buckets, None);
        }
        shape = Some(is_bucket);
        buckets.insert(rest.split('/').next().unwrap_or(rest));
    }
    (buckets, shape)
}

/// Puts bucket-level grants (`s3:ListBucket` on the bucket ARN) into the statement that grants object access
/// on the same buckets to the same principals: bucket actions never apply to object ARNs and object actions
/// never to bucket ARNs, so joining them allows nothing more and reads as one grant.
fn join_bucket_level(drafts: Vec<Draft>) -> Vec<Draft> {
    type Key = (Section, String, CondList, BTreeSet<String>);
    let key = |d: &Draft, buckets: BTreeSet<&str>| -> Key {
        let buckets = buckets.into_iter().map(str::to_owned).collect();
        (d.section.clone(), d.service.clone(), d.condition.clone(), buckets)
    };
    let (bucket_level, mut out): (Vec<Draft>, Vec<Draft>) =
        drafts.into_iter().partition(|d| s3_shape(&d.resources).1 == Some(true));
    // Object-level drafts by what they grant, in order: a bucket-level draft goes into the first one left. Once
    // it has taken one in, a draft holds bucket and object ARNs and takes in no other.
    let mut targets: BTreeMap<Key, VecDeque<usize>> = BTreeMap::new();
    for (i, o) in out.iter().enumerate() {
        if let (buckets, Some(false)) = s3_shape(&o.resources) {
            targets.entry(key(o, buckets)).or_default().push_back(i);
        }
    }
    for draft in bucket_level {
        let wanted = key(&draft, s3_shape(&draft.resources).0);
        let target = targets.get_mut(&wanted).and_then(VecDeque::pop_front);
        match target.and_then(|i| out.get_mut(i)) {
            Some(o) => o.absorb(draft),
            None => out.push(draft),
        }
    }
    out
}

/// Merges drafts of one section, service and principal condition (ResourceAccount values are united).
fn merge_actions(drafts: Vec<Draft>) -> Vec<Draft> {
    type MergeKey = (Section, String, CondList);
    let mut merged: BTreeMap<MergeKey, Draft> = BTreeMap::new();
    for draft in drafts {
        let principal_only: Vec<_> =
            draft.condition.iter().filter(|(_, key, _)| key != "aws:ResourceAccount").cloned().collect();
        let key = (draft.section.clone(), draft.service.clone(), principal_only);
        match merged.get_mut(&key) {
            None => {
                merged.insert(key, draft);
            }
            Some(into) => {
                into.condition = unite_resource_accounts(&into.condition, &draft.condition);
                into.absorb(draft);
            }
        }
    }
    merged.into_values().collect()
}

/// Unites the `aws:ResourceAccount` values of two conditions; the key is dropped if either lacks it.
fn unite_resource_accounts(a: &CondList, b: &CondList) -> CondList {
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

/// A unit's resource patterns, each with the actions used on it and by whom.
fn patterns_of(
    section: &Section,
    family: &Family,
    unit: &Unit,
    knobs: &Knobs,
    owners_known: bool,
) -> BTreeMap<String, Grants> {
    let mut out: BTreeMap<String, Grants> = BTreeMap::new();
    let mut add = |pattern: String, grants: &Grants| {
        let into = out.entry(pattern).or_default();
        for (action, principals) in grants {
            into.entry(action.clone()).or_default().extend(principals.iter().cloned());
        }
    };
    match family {
        Family::S3Bucket(bucket) => {
            let base = format!("arn:aws:s3:::{}", literal(bucket));
            // AWS-owned buckets hold content-addressed objects: their keys say nothing worth keeping.
            let whole = knobs.whole_buckets.contains(bucket) || matches!(section, Section::AwsOwned(_));
            let granularity = if whole { Granularity::Bucket } else { knobs.granularity };
            for (target, grants) in &unit.targets {
                match target {
                    Target::Whole => add(base.clone(), grants),
                    Target::AllObjects => add(format!("{base}/*"), grants),
                    Target::Object(key) => add(format!("{base}/{}", object_pattern(key, granularity)), grants),
                    Target::Index | Target::Stream => {}
                }
            }
        }
        Family::DynamoTable(table) => {
            // `select` leaves out what cannot be written exactly: nothing is skipped here in practice.
            let Ok(table) = resource_arn(table) else { return out };
            for (target, grants) in &unit.targets {
                match target {
                    Target::Index => add(format!("{table}/index/*"), grants),
                    Target::Stream => add(format!("{table}/stream/*"), grants),
                    _ => add(table.clone(), grants),
                }
            }
        }
        Family::Arn(arn) => {
            let Ok(arn) = resource_arn(arn) else { return out };
            let pattern = if knobs.arns_by_account && owners_known { "*".to_owned() } else { arn };
            for grants in unit.targets.values() {
                add(pattern.clone(), grants);
            }
        }
        Family::NoResource => {
            for grants in unit.targets.values() {
                add("*".to_owned(), grants);
            }
        }
    }
    out
}

/// Object key patterns for a granularity, as policy text: `*`, `folder/*` prefixes (exact keys where a key has
/// fewer folders), or the keys themselves: [`object_pattern`] of every key.
pub fn object_patterns(keys: &BTreeSet<String>, granularity: Granularity) -> BTreeSet<String> {
    keys.iter().map(|key| object_pattern(key, granularity).into_owned()).collect()
}

/// The pattern that stands for `key` at a granularity: `*`, its first `depth` folders followed by `/*` (the key
/// itself when it has no more folders than that), or the key; observed text goes through [`literal`], so a `*`
/// or `?` in a key never widens the pattern. Computed from the key alone, so building the
/// patterns of n keys is linear in them; a prefix pattern never covers a key kept exact (it has `depth`
/// slashes, the exact key fewer).
pub fn object_pattern(key: &str, granularity: Granularity) -> Cow<'_, str> {
    match granularity {
        Granularity::Bucket => Cow::Borrowed("*"),
        Granularity::Exact => literal(key),
        Granularity::Prefix(depth) => match key.match_indices('/').nth(depth.saturating_sub(1)) {
            Some((slash, _)) if depth > 0 => Cow::Owned(format!("{}/*", literal(&key[..slash]))),
            _ => literal(key),
        },
    }
}

fn principal_condition(
    section: &Section,
    principals: &BTreeSet<PrincipalKey>,
    scope: Scope,
    notes: &mut BTreeSet<String>,
) -> CondList {
    let collect = |f: fn(&PrincipalKey) -> Option<&str>| -> Option<Vec<String>> {
        let values: Option<BTreeSet<String>> = principals.iter().map(|p| f(p).map(str::to_owned)).collect();
        values.map(|v| v.into_iter().collect())
    };
    if *section == Section::AwsService {
        let mut out = vec![("Bool".into(), "aws:PrincipalIsAWSService".into(), vec!["true".to_owned()])];
        if let Some(names) = collect(|p| p.service.as_deref()) {
            out.push(("StringEquals".into(), "aws:PrincipalServiceName".into(), names));
        }
        return out;
    }
    let accounts = || match collect(|p| p.account.as_ref().map(AccountId::as_str)) {
        Some(accounts) => vec![("StringEquals".into(), "aws:PrincipalAccount".into(), accounts)],
        None => Vec::new(),
    };
    match scope {
        Scope::Any => Vec::new(),
        Scope::Accounts => accounts(),
        Scope::Org => match collect(|p| p.org.as_deref()) {
            Some(orgs) => vec![("StringEquals".into(), "aws:PrincipalOrgID".into(), orgs)],
            None => {
                notes.insert("--scope org: some principal accounts have no known organization ([account_orgs] in the config); their statements use aws:PrincipalAccount".to_owned());
                accounts()
            }
        },
        Scope::Principals => match collect(|p| p.arn.as_deref()) {
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
        Family::Arn(arn) => arn.rsplit(':').next().unwrap_or(arn).to_owned(),
        Family::NoResource if unit.actions().len() == 1 => {
            unit.actions().iter().next().and_then(|a| a.split_once(':')).map_or("", |(_, n)| n).to_owned()
        }
        Family::NoResource => "ActionsWithoutResource".to_owned(),
    }
}

/// The folder a resource pattern narrows to (`reports` for `arn:aws:s3:::b/reports/*`), for Sids.
fn pattern_hint(resource: &str) -> String {
    match resource.strip_prefix("arn:aws:s3:::").and_then(|r| r.split_once('/')) {
        Some((_, key)) if key != "*" => key.split('/').next().unwrap_or_default().to_owned(),
        _ => String::new(),
    }
}

/// Stable, descriptive, unique Sids (letters and digits only).
fn name_statements(drafts: Vec<Draft>) -> Vec<PolicyStatement> {
    let mut used = BTreeSet::new();
    let mut out = Vec::with_capacity(drafts.len());
    for draft in drafts {
        let families: BTreeSet<&str> = draft.names.iter().map(|n| n.split(' ').next().unwrap_or(n)).collect();
        let first = draft.names.iter().next().cloned().unwrap_or_default();
        let more = if families.len() > 1 { format!("And{}More", families.len() - 1) } else { String::new() };
        let what = if draft.resources.iter().any(|r| r == "arn:aws:s3:::*" || r == "*") && families.len() > 1 {
            "InTrustedAccounts".to_owned()
        } else {
            format!("{}{more}", camel(&first, 48))
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
            let values = values.iter().map(|value| literal(value).into_owned()).collect();
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
