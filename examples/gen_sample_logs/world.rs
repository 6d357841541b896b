//! The world being built: every record, every access-log line, and the manifest rows (the ground truth)
//! kept beside them, plus the endpoint-policy bookkeeping that fills each row's replay fields.

use serde::Serialize;
use serde_json::Value;

use crate::access_log::AccessLine;
use crate::policy::{self, Ctx, Decision};
use crate::records::{Branch, Rec};
use crate::rng::{Rng, iso};
use crate::who::Who;

pub type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// The generator's own story of why a request was denied (not inferable from every log).
#[derive(Serialize, Clone)]
pub struct Actual {
    pub cause: String,
    pub deny: String,
    /// What the endpoint policy decides with every fact known (the real owner of a `""`-owner bucket, ...).
    pub vpce_policy_decision: Option<String>,
    pub vpce_policy_statement: Option<String>,
}

/// One planted request of interest (see the report for field meanings).
#[derive(Serialize, Clone)]
pub struct Row {
    pub story: String,
    pub event_ids: Vec<String>,
    pub log: String,
    pub time: String,
    pub vpce: Option<String>,
    pub principal: Option<String>,
    pub principal_account: String,
    pub action: String,
    pub resource: Option<String>,
    pub outcome: String,
    pub error_code: Option<String>,
    pub source_ip: String,
    pub cause: Option<String>,
    pub deny: Option<String>,
    pub evidence: Option<String>,
    pub vpce_policy_decision: Option<String>,
    pub cause_with_policy_replay: Option<String>,
    pub deny_with_policy_replay: Option<String>,
    pub evidence_with_policy_replay: Option<String>,
    pub statement_with_policy_replay: Option<String>,
    pub service_principal: bool,
    pub tags: Vec<String>,
    pub actual: Option<Actual>,
}

/// How a planted denial is classified from the logs alone: (cause, deny, evidence).
pub struct Class<'a>(pub &'a str, pub &'a str, pub &'a str);

/// Facts about a planted request that the manifest needs and the record alone does not carry.
pub struct Plant<'a> {
    pub id: &'a str,
    pub who: &'a Who,
    pub action: &'a str,
    pub resource: Option<&'a str>,
    /// The resource owner as the log shows it (`None` = not shown / `""`).
    pub logged_owner: Option<&'a str>,
    /// The real resource owner.
    pub real_owner: Option<&'a str>,
    /// The resource the request really touched when the log does not show it (network activity events).
    pub hidden_resource: Option<&'a str>,
    pub tags: &'a [&'a str],
}

pub struct World {
    pub rng: Rng,
    pub recs: Vec<Rec>,
    pub rows: Vec<Row>,
    pub access: Vec<AccessLine>,
}

impl World {
    pub fn new(seed: u64) -> World {
        World { rng: Rng::new(seed), recs: Vec::new(), rows: Vec::new(), access: Vec::new() }
    }

    /// Adds a record; returns its eventID.
    pub fn push(&mut self, v: Value, t: i64, branch: Branch) -> String {
        let rec = Rec::new(v, t, branch);
        let id = rec.event_id();
        self.recs.push(rec);
        id
    }

    /// Adds a record that normal traffic sends through an endpoint, after checking that the endpoint policy
    /// really allows every access it needs.
    pub fn push_allowed(
        &mut self,
        v: Value,
        t: i64,
        branch: Branch,
        who: &Who,
        accesses: &[(&str, &str, &str)],
    ) -> Res<String> {
        if let Some(vpce) = v["vpcEndpointId"].as_str().and_then(policy::policy_for) {
            for (action, resource, owner) in accesses {
                let ctx = ctx_for(who, action, Some(resource), Some(owner));
                let decision = policy::evaluate(&vpce, &ctx);
                if decision != Decision::Allow {
                    return Err(
                        format!("{action} on {resource} by {:?} is not allowed: {decision:?}", who.principal).into()
                    );
                }
            }
        }
        Ok(self.push(v, t, branch))
    }

    /// Records a manifest row for a planted CloudTrail request (`ids`: its record(s), the NA event second).
    pub fn plant(
        &mut self,
        ids: Vec<String>,
        v: &Value,
        p: &Plant<'_>,
        class: Option<Class<'_>>,
        actual: Option<(&str, &str)>,
    ) {
        let vpce = v["vpcEndpointId"].as_str().filter(|id| id.starts_with("vpce-")).map(str::to_owned);
        let outcome = if v["errorCode"].is_string() { "denied" } else { "success" };
        let row = build_row(RowInput {
            id: p.id,
            event_ids: ids,
            log: "cloudtrail",
            time: v["eventTime"].as_str().unwrap_or_default().to_owned(),
            vpce,
            who: p.who,
            action: p.action,
            resource: p.resource,
            real_resource: p.hidden_resource.or(p.resource),
            logged_owner: p.logged_owner,
            real_owner: p.real_owner,
            outcome,
            error_code: v["errorCode"].as_str().map(str::to_owned),
            source_ip: v["sourceIPAddress"].as_str().unwrap_or_default().to_owned(),
            class,
            actual,
            tags: p.tags,
        });
        self.rows.push(row);
    }
}

pub fn ctx_for<'a>(who: &'a Who, action: &'a str, resource: Option<&'a str>, owner: Option<&'a str>) -> Ctx<'a> {
    Ctx {
        action,
        resource,
        principal_account: Some(who.account.as_str()),
        principal_org: policy::org_of(&who.account),
        resource_account: owner.filter(|o| !o.is_empty()),
    }
}

pub struct RowInput<'a> {
    pub id: &'a str,
    pub event_ids: Vec<String>,
    pub log: &'a str,
    pub time: String,
    pub vpce: Option<String>,
    pub who: &'a Who,
    pub action: &'a str,
    pub resource: Option<&'a str>,
    pub real_resource: Option<&'a str>,
    pub logged_owner: Option<&'a str>,
    pub real_owner: Option<&'a str>,
    pub outcome: &'a str,
    pub error_code: Option<String>,
    pub source_ip: String,
    pub class: Option<Class<'a>>,
    pub actual: Option<(&'a str, &'a str)>,
    pub tags: &'a [&'a str],
}

fn some(s: &str) -> Option<String> {
    Some(s.to_owned())
}

/// Fills a row, replaying the endpoint policy twice: with the facts in the logs (the replay fields) and with
/// every fact (the `actual` block).
pub fn build_row(input: RowInput<'_>) -> Row {
    let policy = input.vpce.as_deref().and_then(policy::policy_for);
    let seen = policy
        .as_ref()
        .map(|p| policy::evaluate(p, &ctx_for(input.who, input.action, input.resource, input.logged_owner)));
    let real = policy
        .as_ref()
        .map(|p| policy::evaluate(p, &ctx_for(input.who, input.action, input.real_resource, input.real_owner)));
    let (mut cause, mut deny, mut evidence) = (None, None, None);
    let (mut cause_r, mut deny_r, mut evidence_r, mut statement_r) = (None, None, None, None);
    if let Some(Class(c, d, e)) = &input.class {
        (cause, deny, evidence) = (some(c), some(d), some(e));
        (cause_r, deny_r, evidence_r) = (cause.clone(), deny.clone(), evidence.clone());
        let service = input.who.service;
        if let Some(decision) = seen.as_ref().filter(|d| d.denies() && !service) {
            let replay_deny = match decision {
                Decision::ImplicitDeny => "implicit",
                Decision::ExplicitDeny(_) => "explicit",
                _ => "unknown",
            };
            if *c == "unknown" {
                (cause_r, deny_r, evidence_r) = (some("vpce-policy"), some(replay_deny), some("policy-replay"));
            } else if *c == "vpce-policy" && *d == "unknown" {
                deny_r = some(replay_deny);
            }
            if let (Decision::ExplicitDeny(sid), Some("vpce-policy")) = (decision, cause_r.as_deref()) {
                statement_r = some(sid);
            }
        }
    }
    let actual = input.actual.map(|(c, d)| Actual {
        cause: c.to_owned(),
        deny: d.to_owned(),
        vpce_policy_decision: real.as_ref().map(|r| r.name().to_owned()),
        vpce_policy_statement: match &real {
            Some(Decision::ExplicitDeny(sid)) => some(sid),
            _ => None,
        },
    });
    let mut tags: Vec<String> = input.tags.iter().map(|t| (*t).to_owned()).collect();
    if input.who.service {
        tags.push("service-principal".to_owned());
    }
    tags.sort();
    tags.dedup();
    Row {
        story: input.id.to_owned(),
        event_ids: input.event_ids,
        log: input.log.to_owned(),
        time: input.time,
        vpce: input.vpce,
        principal: input.who.principal.clone(),
        principal_account: input.who.account.clone(),
        action: input.action.to_owned(),
        resource: input.resource.map(str::to_owned),
        outcome: input.outcome.to_owned(),
        error_code: input.error_code,
        source_ip: input.source_ip,
        cause,
        deny,
        evidence,
        vpce_policy_decision: seen.map(|d| d.name().to_owned()),
        cause_with_policy_replay: cause_r,
        deny_with_policy_replay: deny_r,
        evidence_with_policy_replay: evidence_r,
        statement_with_policy_replay: statement_r,
        service_principal: input.who.service,
        tags,
        actual,
    }
}

/// RFC 3339 of epoch seconds (re-exported for the modules that build rows).
pub fn time(t: i64) -> String {
    iso(t)
}
