//! From a logged [`Event`] to the policy [`Request`]s it needed: one per `event.accesses` entry, in the open
//! world, with the condition keys the record really shows. Nothing is invented: a key the log cannot show
//! (`aws:PrincipalTag/*`, `aws:RequestTag/*`, `aws:SourceVpc` without an inventory, ...) stays unknown, and a
//! key the request is known not to carry (`aws:SourceIp` through an endpoint) is recorded as known absent.
//!
//! `aws:PrincipalType` uses the values of the IAM documentation (`AssumedRole`, `User`, `Account` for root,
//! `FederatedUser`, `Anonymous`); other identity types leave it unknown.

use super::request::{Context, MissingKeys, Request};
use crate::model::{Event, LogKind, PrincipalType};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

/// Inventory the logs do not show, supplied by the user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplayEnv {
    /// Account id → AWS Organizations id (`o-...`), for `aws:PrincipalOrgID`. When non-empty it is taken as
    /// complete: an account not listed is treated as outside every organization (the key is absent).
    pub account_orgs: BTreeMap<String, String>,
    /// Endpoint id (`vpce-...`) → VPC id (`vpc-...`), for `aws:SourceVpc`.
    pub vpce_vpcs: BTreeMap<String, String>,
}

/// The requests an event needed, one per access (action + resource). Empty when the event has no access.
pub fn requests_from_event(event: &Event, env: &ReplayEnv) -> Vec<Request> {
    let (base, known_absent) = base_context(event, env);
    let principal = &event.principal;
    let anonymous =
        principal.kind == PrincipalType::Anonymous || principal.account.as_deref() == Some("ANONYMOUS_PRINCIPAL");
    let is_service = principal.kind == PrincipalType::AWSService;
    let request_principal = if anonymous {
        Some("anonymous".to_owned())
    } else if is_service {
        principal.arn.clone().or_else(|| principal.invoked_by.clone())
    } else {
        principal.arn.clone()
    };
    let principal_account = if anonymous || is_service { None } else { principal.account.clone() };
    event
        .accesses
        .iter()
        .map(|access| {
            let mut context = base.clone();
            if let Some(resource) = &access.resource {
                let owner = event
                    .resources
                    .iter()
                    .find(|r| r.arn == *resource || (r.is_prefix && resource.starts_with(&r.arn)))
                    .and_then(|r| r.account.clone())
                    .or_else(|| s3_bucket_owner(event, resource))
                    .or_else(|| super::request::arn_account(resource).map(str::to_owned));
                if let Some(owner) = owner.filter(|o| !o.is_empty()) {
                    context.insert("aws:ResourceAccount", owner.clone());
                    if access.action.to_ascii_lowercase().starts_with("s3:") {
                        context.insert("s3:ResourceAccount", owner);
                    }
                }
            }
            s3_keys(event, &access.action, &mut context);
            Request {
                principal: request_principal.clone(),
                principal_account: principal_account.clone(),
                principal_is_service: is_service,
                action: access.action.clone(),
                resource: access.resource.clone(),
                context,
                unknown: MissingKeys::Unknown { known_absent: known_absent.clone() },
            }
        })
        .collect()
}

/// The owner of an S3 object is its bucket's owner: CloudTrail gives the account on the bucket entry of
/// `resources[]` only (`aws:ResourceAccount` is the bucket owner's account for object requests).
fn s3_bucket_owner(event: &Event, resource: &str) -> Option<String> {
    let (bucket_arn, _) = resource.strip_prefix("arn:").filter(|r| r.contains(":s3:::"))?.split_once('/')?;
    let bucket_arn = format!("arn:{bucket_arn}");
    event.resources.iter().find(|r| r.arn == bucket_arn).and_then(|r| r.account.clone())
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
    let anonymous = kind == PrincipalType::Anonymous || principal.account.as_deref() == Some("ANONYMOUS_PRINCIPAL");
    let cloudtrail = event.kind == LogKind::CloudTrail;

    if anonymous {
        ctx.insert("aws:PrincipalType", "Anonymous");
        for key in ["aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:userid", "aws:username"] {
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
            ctx.insert("aws:PrincipalAccount", account.clone());
            match env.account_orgs.get(account) {
                Some(org) => ctx.insert("aws:PrincipalOrgID", org.clone()),
                // A given map is taken as complete: an account missing from it belongs to none of the
                // organizations the user cares about, so conditions naming them cannot match.
                None if !env.account_orgs.is_empty() => mark_absent("aws:PrincipalOrgID"),
                None => {}
            }
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
            ctx.insert("aws:SourceVpce", vpce.clone());
            if let Some(vpc) = env.vpce_vpcs.get(vpce) {
                ctx.insert("aws:SourceVpc", vpc.clone());
            }
            if let Some(ip) = source_ip {
                ctx.insert("aws:VpcSourceIp", ip.to_string());
            }
            mark_absent("aws:SourceIp");
        }
        (None, true) => {
            for key in ["aws:SourceVpce", "aws:SourceVpc", "aws:VpcSourceIp"] {
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
