//! One record as the pipeline hands it to analyzers: a borrowed [`RecordHead`] that every step reads (the
//! books, de-duplication, the shared filters, endpoint ownership, and each analyzer's first look), and the full
//! [`Event`], built on first use and at most once per record.
//!
//! This is the one record path: an analyzer that needs only the head never pays for the event (owned strings,
//! principal, IAM accesses: about a sixth of `denied`'s CPU time, for the tenth of records it classifies), and
//! analyzers that need it share one build. The head and the event come from the same parse, so they cannot
//! disagree.

use std::borrow::Cow;
use std::cell::{Cell, OnceCell};

use super::{AccountId, Event, EventCategory, LogKind, OutcomeKind, Timestamp, VpceId};
use crate::ownership::Sighting;

/// What every record says before its full event is built (see the module doc). Borrowed from the parsed
/// record (or from an event already built), so reading it allocates nothing.
#[derive(Debug)]
pub struct RecordHead<'a> {
    pub kind: LogKind,
    pub time: Option<Timestamp>,
    pub event_id: Option<Cow<'a, str>>,
    /// Empty when the record has none.
    pub event_source: Cow<'a, str>,
    /// Empty when the record has none.
    pub event_name: Cow<'a, str>,
    pub region: Option<Cow<'a, str>>,
    /// `eventCategory`, else `Insight`, `Management`, `Data` or `Unknown` from the other fields.
    pub category: EventCategory,
    /// The endpoint id, trimmed (`None` for `AWS Internal`, see `aws_internal_endpoint`).
    pub vpce: Option<VpceId<'a>>,
    pub aws_internal_endpoint: bool,
    pub vpce_account: Option<AccountId<'a>>,
    /// What the record says about who operates `vpce` (computed only when it names one).
    pub endpoint_sighting: Sighting,
    pub source_ip: Option<Cow<'a, str>>,
    pub user_agent: Option<Cow<'a, str>>,
    pub recipient_account: Option<AccountId<'a>>,
    /// The principal's account as `Principal::account` has it (anonymous callers have none of their own).
    pub principal_account: Option<AccountId<'a>>,
    /// `userIdentity.principalId`. Part of the de-duplication key.
    pub principal_id: Option<Cow<'a, str>>,
    pub error_code: Option<Cow<'a, str>>,
    pub error_message: Option<Cow<'a, str>>,
    /// How the request ended, as the full event's `outcome` says.
    pub outcome: OutcomeKind,
    /// HTTP status (S3 access logs).
    pub http_status: Option<u16>,
    /// `resources`, without entries that have neither an ARN nor an ARN prefix.
    pub resources: Vec<HeadResource<'a>>,
}

/// One entry of a record's `resources`.
#[derive(Debug)]
pub struct HeadResource<'a> {
    /// The ARN, or the ARN prefix when `is_prefix`.
    pub arn: Cow<'a, str>,
    pub is_prefix: bool,
    pub kind: Option<Cow<'a, str>>,
    pub account: Option<AccountId<'a>>,
}

impl<'a> RecordHead<'a> {
    /// The head of an event already built (S3 access log lines, tests): a view of its fields.
    pub fn of_event(event: &'a Event) -> RecordHead<'a> {
        let borrowed = |s: &'a Option<String>| s.as_deref().map(Cow::Borrowed);
        let (error_code, error_message) = match &event.outcome {
            super::Outcome::Success => (None, None),
            super::Outcome::Denied { code, message } | super::Outcome::Error { code, message } => {
                (Some(Cow::Borrowed(code.as_str())), borrowed(message))
            }
        };
        let endpoint_sighting = match event.vpce {
            Some(_) => Sighting::of(
                event.user_agent.as_deref(),
                event.source_ip.as_deref(),
                event.principal.is_aws_service(),
                event.principal.invoked_by.is_some(),
            ),
            None => Sighting::default(),
        };
        RecordHead {
            kind: event.kind,
            time: event.time,
            event_id: borrowed(&event.event_id),
            event_source: Cow::Borrowed(&event.event_source),
            event_name: Cow::Borrowed(&event.event_name),
            region: borrowed(&event.region),
            category: event.category.clone(),
            vpce: event.vpce.as_ref().map(VpceId::view),
            aws_internal_endpoint: event.aws_internal_endpoint,
            vpce_account: event.vpce_account.as_ref().map(AccountId::view),
            endpoint_sighting,
            source_ip: borrowed(&event.source_ip),
            user_agent: borrowed(&event.user_agent),
            recipient_account: event.recipient_account.as_ref().map(AccountId::view),
            principal_account: event.principal.account.as_ref().map(AccountId::view),
            principal_id: borrowed(&event.principal.principal_id),
            error_code,
            error_message,
            outcome: event.outcome.kind(),
            http_status: event.http_status,
            resources: event
                .resources
                .iter()
                .map(|r| HeadResource {
                    arn: Cow::Borrowed(&r.arn),
                    is_prefix: r.is_prefix,
                    kind: borrowed(&r.kind),
                    account: r.account.as_ref().map(AccountId::view),
                })
                .collect(),
        }
    }

    pub fn is_denied(&self) -> bool {
        self.outcome == OutcomeKind::Denied
    }

    /// True for network activity events (`eventCategory: NetworkActivity`).
    pub fn is_network_activity(&self) -> bool {
        self.category == EventCategory::NetworkActivity
    }

    /// Data events: CloudTrail's `Data` category, and every S3 access log line.
    pub fn is_data_event(&self) -> bool {
        self.category == EventCategory::Data || self.kind == LogKind::S3AccessLog
    }

    pub fn resource_arns(&self) -> impl Iterator<Item = &str> {
        self.resources.iter().map(|r| r.arn.as_ref())
    }
}

/// The rest of a parsed record, from which the decoder builds the full event (implemented by the decoder).
pub trait BuildEvent {
    /// Builds the event from the head and what is left of the record. Called at most once.
    fn build(&mut self, head: &RecordHead<'_>) -> Event;
}

/// One record: the unit it came from, its head, and its full event on demand (see the module doc).
pub struct Record<'r> {
    unit: &'r str,
    head: RecordHead<'r>,
    full: Full<'r>,
}

// A record lives on one worker's stack for one `observe` pass and is never stored: keeping the event inline
// saves the allocation a box would cost per built event.
#[allow(clippy::large_enum_variant)]
enum Full<'r> {
    /// Built by the decoder already (S3 access log lines).
    Built(&'r Event),
    /// Built on first use from the rest of the parse.
    Lazy { rest: Cell<Option<&'r mut dyn BuildEvent>>, event: OnceCell<Event> },
}

impl<'r> Record<'r> {
    /// A record whose event is already built (from no unit in particular: see [`Record::from_unit`]).
    pub fn built(event: &'r Event) -> Record<'r> {
        Record { unit: "", head: RecordHead::of_event(event), full: Full::Built(event) }
    }

    /// A record of `unit` whose event `rest` builds on first use.
    pub fn lazy(unit: &'r str, head: RecordHead<'r>, rest: &'r mut dyn BuildEvent) -> Record<'r> {
        Record { unit, head, full: Full::Lazy { rest: Cell::new(Some(rest)), event: OnceCell::new() } }
    }

    /// The same record, said to come from `unit`.
    pub fn from_unit(self, unit: &'r str) -> Record<'r> {
        Record { unit, ..self }
    }

    /// The unit (file, object, archive entry, LookupEvents page) the record came from; empty when unknown.
    pub fn unit(&self) -> &'r str {
        self.unit
    }

    pub fn head(&self) -> &RecordHead<'r> {
        &self.head
    }

    /// The full event, built now if no one asked for it before.
    pub fn event(&self) -> &Event {
        match &self.full {
            Full::Built(event) => event,
            Full::Lazy { rest, event } => event.get_or_init(|| match rest.take() {
                Some(rest) => rest.build(&self.head),
                // `get_or_init` runs this once, and only this takes `rest`: not reached.
                None => Event::blank(),
            }),
        }
    }

    /// Whether the full event exists (was built by the decoder, or asked for).
    pub fn is_built(&self) -> bool {
        match &self.full {
            Full::Built(_) => true,
            Full::Lazy { event, .. } => event.get().is_some(),
        }
    }
}
