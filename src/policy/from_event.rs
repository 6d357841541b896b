//! From a logged [`Event`] to the policy [`Request`]s it needed: one per `event.accesses` entry, in the open
//! world, with the condition keys the record really shows. Nothing is invented: a key the log cannot show
//! (`aws:PrincipalTag/*`, `aws:RequestTag/*`, `aws:SourceVpc` without an inventory, ...) stays unknown, and a
//! key the request is known not to carry (`aws:SourceIp` through an endpoint) is recorded as known absent.
//!
//! `aws:PrincipalType` uses the values of the IAM documentation (`AssumedRole`, `User`, `Account` for root,
//! `FederatedUser`, `Anonymous`); other identity types leave it unknown.
//!
//! Endpoint keys, for a request through an endpoint (CloudTrail's `vpcEndpointId`):
//! - `aws:SourceVpce` from the record; `aws:SourceVpc` and `aws:SourceVpcArn` from the endpoint inventory
//!   ([`ReplayEnv::endpoints`]: VPC, region, owner), unknown when it is silent;
//! - `aws:VpceAccount` from the record's `vpcEndpointAccountId`, else the inventory's owner;
//!   `aws:VpceOrgID` / `aws:VpceOrgPaths` from that owner through [`ReplayEnv::account_orgs`] /
//!   [`ReplayEnv::account_org_paths`]. These three are absent for actions of services that do not carry them
//!   ([`super::endpoint_keys::VPCE_OWNER_KEY_SERVICES`]).
//!
//! A CloudTrail request known not to have come through an endpoint has none of these keys (known absent).

use super::endpoint_keys::{VPCE_OWNER_KEYS, action_carries_owner_keys, vpc_arn};
use super::request::{Context, MissingKeys, Request};
use crate::model::{AccountId, Event, LogKind, PrincipalType, VpceId};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

/// Inventory the logs do not show, supplied by the user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplayEnv {
    /// Account id → AWS Organizations id (`o-...`), for `aws:PrincipalOrgID`. When non-empty it is taken as
    /// complete: an account not listed is treated as outside every organization (the key is absent).
    pub account_orgs: BTreeMap<AccountId<'static>, String>,
    /// Account id → its OU path in AWS Organizations (`o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/`), for
    /// `aws:PrincipalOrgPaths` and `aws:VpceOrgPaths`. An account missing from it has unknown paths, unless
    /// [`ReplayEnv::account_orgs`] says it belongs to no organization (then it has none).
    pub account_org_paths: BTreeMap<AccountId<'static>, String>,
    /// Endpoint id (`vpce-...`) → what the user's inventory says about it.
    pub endpoints: BTreeMap<VpceId<'static>, EndpointInventory>,
}

/// One endpoint of the inventory: each part is optional, and a key that needs a missing part stays unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointInventory {
    /// The VPC (`vpc-...`), for `aws:SourceVpc` and `aws:SourceVpcArn`.
    pub vpc: Option<String>,
    /// The endpoint owner's account, for `aws:VpceAccount` (when the record lacks `vpcEndpointAccountId`) and
    /// the account field of `aws:SourceVpcArn`.
    pub account: Option<AccountId<'static>>,
    /// The endpoint's region, for `aws:SourceVpcArn` (and its partition).
    pub region: Option<String>,
}

/// What the record and the inventory say about one condition key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Known {
    Values(Vec<String>),
    Absent,
    Unknown,
}

impl Known {
    /// Puts the key in `context`, or hands it to `mark_absent`, or leaves it unknown.
    pub fn apply(&self, key: &str, context: &mut Context, mark_absent: &mut dyn FnMut(&str)) {
        match self {
            Known::Values(values) => context.insert_many(key, values.iter().cloned()),
            Known::Absent => mark_absent(key),
            Known::Unknown => {}
        }
    }
}

/// The organization of `account`: a given map is taken as complete (an account missing from it is in none
/// of the organizations the user cares about), an empty one says nothing.
fn org_of(env: &ReplayEnv, account: Option<&AccountId<'_>>) -> Known {
    let Some(account) = account else { return Known::Unknown };
    match env.account_orgs.get(account.as_str()) {
        Some(org) => Known::Values(vec![org.clone()]),
        None if !env.account_orgs.is_empty() => Known::Absent,
        None => Known::Unknown,
    }
}

/// The OU paths of `account`: listed, or none when the account is in no organization, else unknown (a
/// paths map is not taken as complete: a forgotten account must not read as "outside every OU").
fn org_paths_of(env: &ReplayEnv, account: Option<&AccountId<'_>>) -> Known {
    let Some(account) = account else { return Known::Unknown };
    match (env.account_org_paths.get(account.as_str()), org_of(env, Some(account))) {
        (Some(path), _) => Known::Values(vec![path.clone()]),
        (None, Known::Absent) => Known::Absent,
        (None, _) => Known::Unknown,
    }
}

/// The keys of a request for `action` through the endpoint `vpce` that need the inventory or the service
/// table: `aws:SourceVpc`, `aws:SourceVpcArn`, `aws:VpceAccount`, `aws:VpceOrgID`, `aws:VpceOrgPaths`.
/// `record_owner` is the record's `vpcEndpointAccountId` (it wins over the inventory's owner for
/// `aws:VpceAccount`; the inventory's owner wins for the VPC ARN, the VPC being the inventory's).
pub fn endpoint_keys(
    vpce: &VpceId<'_>,
    record_owner: Option<&AccountId<'_>>,
    action: &str,
    env: &ReplayEnv,
) -> [(&'static str, Known); 5] {
    let inventory = env.endpoints.get(vpce.as_str());
    fn given(s: Option<&str>) -> Option<&str> {
        s.filter(|a| !a.trim().is_empty())
    }
    fn given_account<'a, 'b>(a: Option<&'a AccountId<'b>>) -> Option<&'a AccountId<'b>> {
        a.filter(|a| !a.as_str().trim().is_empty())
    }
    let inventory_owner = given_account(inventory.and_then(|e| e.account.as_ref()));
    let owner = given_account(record_owner).or(inventory_owner);
    let vpc = given(inventory.and_then(|e| e.vpc.as_deref()));
    let region = given(inventory.and_then(|e| e.region.as_deref()));
    let vpc_arn = match (region, inventory_owner.or(owner), vpc) {
        (Some(region), Some(account), Some(vpc)) => vpc_arn(region, account.as_str(), vpc),
        _ => None,
    };
    let value = |v: Option<String>| v.map_or(Known::Unknown, |v| Known::Values(vec![v]));
    // Services outside the table never carry the owner keys: absent, whatever the inventory says.
    let carried = action_carries_owner_keys(action);
    let owner_key = |known: Known| if carried { known } else { Known::Absent };
    [
        ("aws:SourceVpc", value(vpc.map(str::to_owned))),
        ("aws:SourceVpcArn", value(vpc_arn)),
        (VPCE_OWNER_KEYS[0], owner_key(value(owner.map(|o| o.as_str().to_owned())))),
        (VPCE_OWNER_KEYS[1], owner_key(org_of(env, owner))),
        (VPCE_OWNER_KEYS[2], owner_key(org_paths_of(env, owner))),
    ]
}

/// The requests an event needed, one per access (action + resource). Empty when the event has no access.
pub fn requests_from_event(event: &Event, env: &ReplayEnv) -> Vec<Request> {
    let (base, known_absent) = base_context(event, env);
    let principal = &event.principal;
    let anonymous = principal.kind == PrincipalType::Anonymous
        || principal.account.as_ref().is_some_and(|a| a == "ANONYMOUS_PRINCIPAL");
    let is_service = principal.kind == PrincipalType::AWSService;
    let request_principal = if anonymous {
        Some("anonymous".to_owned())
    } else if is_service {
        principal.arn.clone().or_else(|| principal.invoked_by.clone())
    } else {
        principal.arn.clone()
    };
    let principal_account =
        if anonymous || is_service { None } else { principal.account.as_ref().map(|a| a.as_str().to_owned()) };
    event
        .accesses
        .iter()
        .map(|access| {
            let mut context = base.clone();
            if let Some(resource) = &access.resource {
                let owner = resource_owner(event, resource)
                    .or_else(|| super::request::arn_account(resource).map(str::to_owned));
                if let Some(owner) = owner.filter(|o| !o.is_empty()) {
                    context.insert("aws:ResourceAccount", owner.clone());
                    if access.action.to_ascii_lowercase().starts_with("s3:") {
                        context.insert("s3:ResourceAccount", owner);
                    }
                }
            }
            s3_keys(event, &access.action, &mut context);
            let mut known_absent = known_absent.clone();
            // The endpoint-owner keys depend on the action's service: decided per access.
            if let Some(vpce) = &event.vpce {
                for (key, known) in endpoint_keys(vpce, event.vpce_account.as_ref(), &access.action, env) {
                    known.apply(key, &mut context, &mut |k| {
                        known_absent.insert(k.to_ascii_lowercase());
                    });
                }
            }
            Request {
                principal: request_principal.clone(),
                principal_account: principal_account.clone(),
                principal_is_service: is_service,
                action: access.action.clone(),
                resource: access.resource.clone(),
                context,
                unknown: MissingKeys::Unknown { known_absent },
            }
        })
        .collect()
}

/// The account that owns a resource, as the record's `resources[]` shows it: the entry of the resource itself
/// (or of a prefix covering it), else, for an S3 object, its bucket's entry (CloudTrail gives the account on
/// the bucket entry only, and `aws:ResourceAccount` of an object is its bucket's owner).
fn resource_owner(event: &Event, resource: &str) -> Option<String> {
    let owner_of = |arn: &str| {
        event
            .resources
            .iter()
            .filter(|r| r.arn == arn || (r.is_prefix && arn.starts_with(&r.arn)))
            .find_map(|r| r.account.as_ref().filter(|a| !a.is_empty()).map(|a| a.as_str().to_owned()))
    };
    owner_of(resource).or_else(|| {
        let bucket = resource.strip_prefix("arn:aws:s3:::")?.split_once('/')?.0;
        owner_of(&format!("arn:aws:s3:::{bucket}"))
    })
}

/// Keys shared by every access of the event.
fn base_context(event: &Event, env: &ReplayEnv) -> (Context, BTreeSet<String>) {
    let mut ctx = Context::new();
    let mut absent = BTreeSet::new();
    let mut mark_absent = |key: &str| {
        absent.insert(key.to_ascii_lowercase());
    };
    let principal = &event.principal;
    let kind = principal.kind;
    let anonymous =
        kind == PrincipalType::Anonymous || principal.account.as_ref().is_some_and(|a| a == "ANONYMOUS_PRINCIPAL");
    let cloudtrail = event.kind == LogKind::CloudTrail;

    if anonymous {
        ctx.insert("aws:PrincipalType", "Anonymous");
        for key in [
            "aws:PrincipalArn",
            "aws:PrincipalAccount",
            "aws:PrincipalOrgID",
            "aws:PrincipalOrgPaths",
            "aws:userid",
            "aws:username",
        ] {
            mark_absent(key);
        }
    } else if kind == PrincipalType::AWSService {
        ctx.insert("aws:PrincipalIsAWSService", "true");
        if let Some(name) = principal.arn.as_ref().or(principal.invoked_by.as_ref()) {
            ctx.insert("aws:PrincipalServiceName", name.clone());
        }
    } else {
        if let Some(arn) = &principal.arn {
            ctx.insert("aws:PrincipalArn", arn.clone());
        }
        if let Some(account) = &principal.account {
            ctx.insert("aws:PrincipalAccount", account.as_str());
            // A given organization map is taken as complete: an account missing from it belongs to none of
            // the organizations the user cares about, so conditions naming them cannot match.
            org_of(env, Some(account)).apply("aws:PrincipalOrgID", &mut ctx, &mut mark_absent);
            org_paths_of(env, Some(account)).apply("aws:PrincipalOrgPaths", &mut ctx, &mut mark_absent);
        }
        let principal_type = match kind {
            PrincipalType::AssumedRole => Some("AssumedRole"),
            PrincipalType::IAMUser => Some("User"),
            PrincipalType::Root => Some("Account"),
            PrincipalType::FederatedUser => Some("FederatedUser"),
            _ => None,
        };
        if let Some(t) = principal_type {
            ctx.insert("aws:PrincipalType", t);
        }
        if kind != PrincipalType::Unknown {
            ctx.insert("aws:PrincipalIsAWSService", "false");
        }
        if let Some(id) = &principal.principal_id {
            ctx.insert("aws:userid", id.clone());
        }
        match (&principal.user_name, kind) {
            (Some(name), PrincipalType::IAMUser) => ctx.insert("aws:username", name.clone()),
            (_, PrincipalType::AssumedRole | PrincipalType::Root | PrincipalType::FederatedUser) => {
                mark_absent("aws:username")
            }
            _ => {}
        }
        match &principal.invoked_by {
            Some(service) => {
                ctx.insert("aws:ViaAWSService", "true");
                if service.ends_with(".amazonaws.com") {
                    ctx.insert_many("aws:CalledVia", [service.clone()]);
                }
            }
            None if cloudtrail => {
                ctx.insert("aws:ViaAWSService", "false");
                mark_absent("aws:CalledVia");
            }
            None => {}
        }
    }

    // Network path. CloudTrail names the customer endpoint when there is one; access logs never do.
    let source_ip = event.source_ip.as_deref().and_then(|ip| ip.trim().parse::<IpAddr>().ok());
    match (&event.vpce, cloudtrail && !event.aws_internal_endpoint) {
        (Some(vpce), _) => {
            // aws:SourceVpc, aws:SourceVpcArn and the owner keys: per access (`endpoint_keys`).
            ctx.insert("aws:SourceVpce", vpce.as_str());
            if let Some(ip) = source_ip {
                ctx.insert("aws:VpcSourceIp", ip.to_string());
            }
            mark_absent("aws:SourceIp");
        }
        (None, true) => {
            for key in ["aws:SourceVpce", "aws:SourceVpc", "aws:SourceVpcArn", "aws:VpcSourceIp"]
                .into_iter()
                .chain(VPCE_OWNER_KEYS.iter().copied())
            {
                mark_absent(key);
            }
            if let Some(ip) = source_ip {
                ctx.insert("aws:SourceIp", ip.to_string());
            }
        }
        (None, false) => {}
    }

    if event.tls.as_ref().is_some_and(|t| t.version.is_some() || t.cipher.is_some()) {
        ctx.insert("aws:SecureTransport", "true");
    }
    if let Some(region) = &event.region {
        ctx.insert("aws:RequestedRegion", region.clone());
    }
    if let Some(time) = event.time {
        ctx.insert("aws:CurrentTime", time.to_rfc3339());
        ctx.insert("aws:EpochTime", time.millis().div_euclid(1000).to_string());
    }
    (ctx, absent)
}

/// S3 request keys the record shows.
fn s3_keys(event: &Event, action: &str, ctx: &mut Context) {
    let action = action.to_ascii_lowercase();
    if !action.starts_with("s3:") {
        return;
    }
    let facts = &event.request;
    if action == "s3:listbucket"
        && let Some(prefix) = &facts.prefix
    {
        ctx.insert("s3:prefix", prefix.clone());
    }
    if action == "s3:putobject"
        && let Some(source) = &facts.copy_source
    {
        ctx.insert("s3:x-amz-copy-source", source.clone());
    }
    if action.contains("version")
        && let Some(version) = &facts.version_id
    {
        ctx.insert("s3:VersionId", version.clone());
    }
}

#[cfg(test)]
#[path = "from_event_tests.rs"]
mod tests;
