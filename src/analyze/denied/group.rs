//! `denied`'s groups: the key a denied request is grouped by, and what a group keeps (count, first and last
//! seen, up to 20 source addresses, the smallest event id, logs, policy ARNs, source files).

use std::collections::BTreeSet;

use super::{DeniedRequest, GroupBy};
use crate::analyze::classify::{Cause, DenyKind, Evidence};
use crate::analyze::integrity::SourceFiles;
use crate::model::{Timestamp, VpceId};

/// The grouping key of a row; dimensions not grouped by are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct GroupKey {
    pub(super) cause: Cause,
    pub(super) deny: DenyKind,
    pub(super) evidence: Evidence,
    /// Always the request's endpoint while folding; dropped at the end unless grouped by endpoint.
    pub(super) vpce: Option<VpceId<'static>>,
    pub(super) vpce_operator: Option<String>,
    pub(super) principal: Option<String>,
    pub(super) action: Option<String>,
    pub(super) resource: Option<String>,
    pub(super) statement: Option<String>,
    pub(super) possibly_vpce: bool,
    pub(super) service_principal: bool,
    pub(super) endpoint_ruled_out: bool,
}

impl GroupKey {
    pub(super) fn of(request: &DeniedRequest, by: GroupBy) -> GroupKey {
        GroupKey {
            cause: request.cause,
            deny: request.deny,
            evidence: request.evidence,
            vpce: request.vpce.clone(),
            vpce_operator: request.vpce_operator.clone(),
            principal: by.principal.then(|| request.principal.clone()),
            action: if by.action { request.action.clone() } else { None },
            resource: if by.resource { request.resource.clone() } else { None },
            statement: request.statement.clone(),
            possibly_vpce: request.possibly_vpce(),
            service_principal: request.service_principal,
            endpoint_ruled_out: request.endpoint_ruled_out,
        }
    }
}

const MAX_SOURCE_IPS: usize = 20;

#[derive(Debug, Default)]
pub(super) struct Group {
    pub(super) count: u64,
    pub(super) first_seen: Option<Timestamp>,
    pub(super) last_seen: Option<Timestamp>,
    pub(super) source_ips: BTreeSet<String>,
    pub(super) sample_event_id: Option<String>,
    pub(super) logs: BTreeSet<&'static str>,
    pub(super) policy_arns: BTreeSet<String>,
    pub(super) files: SourceFiles,
}

impl Group {
    pub(super) fn add(&mut self, request: &DeniedRequest) {
        self.count += 1;
        if let Some(time) = request.time {
            self.first_seen = Some(self.first_seen.map_or(time, |t| t.min(time)));
            self.last_seen = Some(self.last_seen.map_or(time, |t| t.max(time)));
        }
        if let Some(ip) = &request.source_ip
            && (self.source_ips.len() < MAX_SOURCE_IPS || self.source_ips.last().is_some_and(|last| ip < last))
        {
            self.source_ips.insert(ip.clone());
            while self.source_ips.len() > MAX_SOURCE_IPS {
                self.source_ips.pop_last();
            }
        }
        if let Some(id) = &request.event_id
            && self.sample_event_id.as_ref().is_none_or(|current| id < current)
        {
            self.sample_event_id = Some(id.clone());
        }
        self.logs.insert(request.log);
        if let Some(arn) = &request.policy_arn {
            self.policy_arns.insert(arn.clone());
        }
        if let Some(file) = &request.source_file {
            self.files.add(file);
        }
    }

    pub(super) fn merge(&mut self, other: Group) {
        self.count += other.count;
        self.first_seen = [self.first_seen, other.first_seen].into_iter().flatten().min();
        self.last_seen = [self.last_seen, other.last_seen].into_iter().flatten().max();
        self.source_ips.extend(other.source_ips);
        while self.source_ips.len() > MAX_SOURCE_IPS {
            self.source_ips.pop_last();
        }
        self.sample_event_id = [self.sample_event_id.take(), other.sample_event_id].into_iter().flatten().min();
        self.logs.extend(other.logs);
        self.policy_arns.extend(other.policy_arns);
        self.files.merge(other.files);
    }
}
