//! The head of a CloudTrail record ([`RecordHead`]), taken out of the parse: the fields the pipeline needs of
//! every record (the input books, de-duplication, the shared filters, endpoint ownership) and that an analyzer
//! looks at before it asks for the full event. It borrows from the parsed record, so taking it allocates nothing;
//! the full event is built from the same head (`cloudtrail::to_event`), so the two cannot disagree.

use std::borrow::Cow;

use super::cloudtrail_raw::RawRecord;
use crate::model::{AccountId, EventCategory, HeadResource, LogKind, OutcomeKind, RecordHead, Timestamp, VpceId};
use crate::ownership::Sighting;

/// Moves the head's fields out of `raw` (what the full event still needs stays behind).
pub(super) fn take<'a>(raw: &mut RawRecord<'a>) -> RecordHead<'a> {
    let time = raw
        .event_time
        .as_deref()
        .and_then(Timestamp::parse_rfc3339)
        .or_else(|| raw.at_timestamp.as_deref().and_then(Timestamp::parse_rfc3339));
    let (vpce, aws_internal_endpoint) = match raw.vpc_endpoint_id.take().map(trim) {
        Some(id) if id == "AWS Internal" => (None, true),
        Some(id) if !id.is_empty() => (Some(VpceId::new(id)), false),
        _ => (None, false),
    };
    let insight = raw.event_type.as_deref() == Some("AwsCloudTrailInsight");
    let category = match non_empty(raw.event_category.take()) {
        Some(named) => EventCategory::parse(&named),
        None if insight => EventCategory::Insight,
        None => match raw.management_event.0 {
            Some(true) => EventCategory::Management,
            Some(false) => EventCategory::Data,
            None => EventCategory::Unknown,
        },
    };
    let resources = raw
        .resources
        .take()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| {
            let (arn, is_prefix) = match (non_empty(r.arn), non_empty(r.arn_prefix)) {
                (Some(arn), _) => (arn, false),
                (None, Some(prefix)) => (prefix, true),
                (None, None) => return None,
            };
            Some(HeadResource {
                arn,
                is_prefix,
                kind: non_empty(r.kind),
                account: non_empty(r.account_id).map(AccountId::new),
            })
        })
        .collect();
    let source_ip = non_empty(raw.source_ip_address.take());
    let user_agent = non_empty(raw.user_agent.take());
    let endpoint_sighting = if vpce.is_some() {
        let identity = raw.user_identity.as_ref();
        Sighting::of(
            user_agent.as_deref(),
            source_ip.as_deref(),
            identity.is_some_and(|i| i.kind.as_deref() == Some("AWSService")),
            identity.is_some_and(|i| i.invoked_by.as_deref().is_some_and(|s| !s.is_empty())),
        )
    } else {
        Sighting::default()
    };
    let error_code = raw.error_code.take();
    RecordHead {
        kind: LogKind::CloudTrail,
        time,
        event_id: non_empty(raw.event_id.take()),
        event_source: non_empty(raw.event_source.take()).unwrap_or_default(),
        event_name: non_empty(raw.event_name.take()).unwrap_or_default(),
        region: non_empty(raw.aws_region.take()),
        category,
        vpce,
        aws_internal_endpoint,
        vpce_account: non_empty(raw.vpc_endpoint_account_id.take()).map(AccountId::new),
        endpoint_sighting,
        source_ip,
        user_agent,
        recipient_account: non_empty(raw.recipient_account_id.take()).map(AccountId::new),
        principal_account: principal_account(raw),
        principal_id: raw.user_identity.as_ref().and_then(|i| non_empty(i.principal_id.0.clone())),
        outcome: OutcomeKind::of_code(error_code.as_deref()),
        error_code,
        error_message: raw.error_message.take(),
        http_status: None,
        resources,
    }
}

/// The principal's own account; for an anonymous caller (`ANONYMOUS_PRINCIPAL`) or none, the session issuer's.
fn principal_account<'a>(raw: &RawRecord<'a>) -> Option<AccountId<'a>> {
    let identity = raw.user_identity.as_ref()?;
    let own = identity.account_id.as_ref().filter(|a| !a.is_empty() && *a != "ANONYMOUS_PRINCIPAL");
    let issuer = || {
        let issuer = identity.session_context.as_ref()?.session_issuer.as_ref()?;
        issuer.account_id.as_ref().filter(|a| !a.is_empty())
    };
    own.or_else(issuer).cloned().map(AccountId::new)
}

fn non_empty<'a>(value: impl Into<Option<Cow<'a, str>>>) -> Option<Cow<'a, str>> {
    value.into().filter(|s| !s.is_empty())
}

fn trim(value: Cow<'_, str>) -> Cow<'_, str> {
    match value {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
        Cow::Owned(s) if s.trim().len() == s.len() => Cow::Owned(s),
        Cow::Owned(s) => Cow::Owned(s.trim().to_owned()),
    }
}
