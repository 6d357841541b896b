//! A group of requests one finding may report: counts, actions, addresses, times and a capped sample of
//! record ids, merged across workers.

use std::collections::HashMap;

use crate::analyze::integrity::SourceFiles;
use crate::analyze::small_set::SmallSet;

use crate::model::{AccountId, Event, PrincipalType, Timestamp, is_private_ip};

/// Most event ids kept per finding (the smallest, so runs are deterministic).
pub(super) const MAX_EVENT_IDS: usize = 50;
/// Most source addresses kept per finding.
const MAX_SOURCE_IPS: usize = 50;

/// What a group of requests has in common and how they varied.
#[derive(Debug, Clone, Default)]
pub(super) struct Group {
    pub(super) count: u64,
    pub(super) principal_account: Option<AccountId<'static>>,
    pub(super) actions: SmallSet,
    pub(super) source_ips: SmallSet,
    pub(super) source_ips_truncated: bool,
    pub(super) first_seen: Option<Timestamp>,
    pub(super) last_seen: Option<Timestamp>,
    pub(super) event_ids: SmallSet,
    pub(super) event_ids_truncated: bool,
    pub(super) ec2_role_delivery: bool,
    pub(super) public_source: bool,
    pub(super) private_source: bool,
    pub(super) anonymous: bool,
    /// `--verify`: the files the requests came from.
    pub(super) files: SourceFiles,
}

/// The distinct actions of one request, listed once per request: a request that touches many resources adds
/// itself to a group per resource, and listing them per group would be quadratic in the request.
pub(super) struct EventActions<'e>(Vec<&'e str>);

impl<'e> EventActions<'e> {
    pub(super) fn of(event: &'e Event) -> EventActions<'e> {
        EventActions(event.actions().collect())
    }
}

impl Group {
    pub(super) fn add(&mut self, event: &Event, actions: &EventActions<'_>, file: Option<&str>) {
        self.count += 1;
        if let Some(file) = file {
            self.files.add(file);
        }
        if self.principal_account.is_none() {
            self.principal_account = event.principal.account.clone().filter(|a| !a.is_empty());
        }
        for action in &actions.0 {
            self.actions.insert(action);
        }
        if event.accesses.is_empty() {
            self.actions.insert(&format!("{}:{}", event.service(), event.event_name));
        }
        if let Some(ip) = &event.source_ip {
            insert_capped(&mut self.source_ips, ip, MAX_SOURCE_IPS, &mut self.source_ips_truncated);
            match ip.parse::<std::net::IpAddr>() {
                Ok(addr) if is_private_ip(addr) => self.private_source = true,
                Ok(_) => self.public_source = true,
                Err(_) => {}
            }
        }
        if let Some(time) = event.time {
            self.first_seen = Some(self.first_seen.map_or(time, |t| t.min(time)));
            self.last_seen = Some(self.last_seen.map_or(time, |t| t.max(time)));
        }
        if let Some(id) = &event.event_id {
            insert_capped(&mut self.event_ids, id, MAX_EVENT_IDS, &mut self.event_ids_truncated);
        }
        self.ec2_role_delivery |= event.principal.ec2_role_delivery;
        self.anonymous |= event.principal.kind == PrincipalType::Anonymous;
    }

    fn merge(&mut self, other: Group) {
        self.count += other.count;
        if self.principal_account.is_none() {
            self.principal_account = other.principal_account;
        }
        self.actions.extend(other.actions);
        self.source_ips_truncated |= other.source_ips_truncated;
        for ip in other.source_ips {
            insert_capped(&mut self.source_ips, &ip, MAX_SOURCE_IPS, &mut self.source_ips_truncated);
        }
        self.first_seen = match (self.first_seen, other.first_seen) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last_seen = match (self.last_seen, other.last_seen) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.event_ids_truncated |= other.event_ids_truncated;
        for id in other.event_ids {
            insert_capped(&mut self.event_ids, &id, MAX_EVENT_IDS, &mut self.event_ids_truncated);
        }
        self.ec2_role_delivery |= other.ec2_role_delivery;
        self.public_source |= other.public_source;
        self.private_source |= other.private_source;
        self.anonymous |= other.anonymous;
        self.files.merge(other.files);
    }
}

/// Keeps the `cap` smallest values (deterministic whatever the order of arrival).
fn insert_capped(set: &mut SmallSet, value: &str, cap: usize, truncated: &mut bool) {
    if set.contains(value) {
        return;
    }
    if set.len() >= cap {
        *truncated = true;
        match set.last() {
            Some(last) if value < last => set.pop_last(),
            _ => return,
        }
    }
    set.insert(value);
}

pub(super) fn merge_groups<K: std::hash::Hash + Eq>(ours: &mut HashMap<K, Group>, theirs: HashMap<K, Group>) {
    for (key, group) in theirs {
        match ours.get_mut(&key) {
            Some(existing) => existing.merge(group),
            None => {
                ours.insert(key, group);
            }
        }
    }
}
