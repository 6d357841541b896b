//! CloudTrail records → [`Event`]: parse one record's bytes with simd-json into the borrowed view of
//! `cloudtrail_raw`, recognise what is not a record (digest files, policy documents, wrappers), and normalize
//! the rest: principal as `aws:PrincipalArn` sees it, endpoint, resources, outcome, IAM accesses.

use std::borrow::Cow;

use serde::Deserialize;
use simd_json::Tape;

use super::cloudtrail_raw::{RawRecord, RawUserIdentity};
use crate::actions::{self, ApiCall};
use crate::model::{
    AccountId, BuildEvent, Event, LogKind, Outcome, Principal, PrincipalType, Record, RecordHead, RequestFacts,
    Resource, Tls, VpceId, role_arn_from_session_arn,
};

/// What one JSON value turned out to be.
#[derive(Debug)]
pub enum Decoded {
    /// A CloudTrail record (any category, including `Insight`), handed to the caller as a [`Record`].
    Record,
    /// An aggregated event (a 5-minute summary of data events, not a request).
    Aggregated(Box<crate::model::Aggregate>),
    /// A CloudTrail digest file's body.
    Digest,
    /// An IAM policy document (e.g. an endpoint policy lying next to the logs): not a log.
    PolicyDocument,
}

/// Why a JSON value could not be used as a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    #[error("not a JSON object")]
    NotAnObject,
    #[error("field {path}: {message}")]
    WrongType { path: String, message: String },
    #[error("not a CloudTrail record: no eventName/eventSource")]
    NotARecord,
    #[error("a \"Records\" wrapper whose Records is not an array")]
    MalformedWrapper,
}

/// simd-json's working memory for parsing records one after another: the stage-one buffers and the tape keep
/// their allocations from record to record (a fresh tape per record was one allocation and one free each).
pub struct RecordParser {
    buffers: simd_json::Buffers,
    tape: Tape<'static>,
}

impl Default for RecordParser {
    fn default() -> Self {
        RecordParser { buffers: simd_json::Buffers::default(), tape: Tape(Vec::new()) }
    }
}

/// Bytes that must follow a value in its buffer for [`RecordParser::decode_in`] to parse it where it lies.
pub const PARSE_PADDING: usize = simd_json::INPUT_PADDING;

impl RecordParser {
    /// Parses one JSON value (bytes are rewritten in place): the full event of a record (`None` for another
    /// known document). For tests and fuzzing; the pipeline uses [`RecordParser::decode_in`].
    pub fn decode_event(&mut self, bytes: &mut [u8]) -> Result<Option<Event>, RecordError> {
        let len = bytes.len();
        let mut event = None;
        self.decode_in("", bytes, len, &mut |record| event = Some(record.event().clone()))?;
        Ok(event)
    }

    /// Parses the value `input[..len]`. When at least [`PARSE_PADDING`] more bytes follow it in `input`, the
    /// parser reads them as padding (and leaves them as they were) instead of copying the value first. A record
    /// is handed to `on_record` where it was parsed (nothing of it is moved or copied): its head, and its event
    /// built only if someone asks ([`Record::event`]).
    pub fn decode_in(
        &mut self,
        unit: &str,
        input: &mut [u8],
        len: usize,
        on_record: &mut dyn FnMut(&Record<'_>),
    ) -> Result<Decoded, RecordError> {
        let first = input[..len].iter().find(|b| !b.is_ascii_whitespace()).copied();
        if first != Some(b'{') {
            // Validate anyway so the reason says whether it is JSON at all.
            return match simd_json::to_borrowed_value(&mut input[..len]) {
                Ok(_) => Err(RecordError::NotAnObject),
                Err(e) => Err(invalid_json(&e)),
            };
        }
        // An empty Vec as the placeholder: `Tape::null()` would allocate a node per record.
        let mut tape = std::mem::replace(&mut self.tape, Tape(Vec::new())).reset();
        let filled = if input.len() - len >= PARSE_PADDING {
            simd_json::fill_tape_padded(input, len, &mut self.buffers, &mut tape)
        } else {
            simd_json::fill_tape(&mut input[..len], &mut self.buffers, &mut tape)
        };
        if let Err(e) = filled {
            self.tape = tape.reset();
            return Err(invalid_json(&e));
        }
        let mut deserializer = simd_json::Deserializer::from_tape(tape);
        let decoded = match RawRecord::deserialize(&mut deserializer) {
            Ok(mut raw) => classify(unit, &mut raw, on_record),
            Err(_) => {
                // Cold path: run again over the same tape, this time tracking the field path for the message.
                deserializer.restart();
                Err(match serde_path_to_error::deserialize::<_, RawRecord>(&mut deserializer) {
                    Err(e) => RecordError::WrongType { path: e.path().to_string(), message: describe(e.inner()) },
                    Ok(_) => RecordError::InvalidJson("inconsistent parse".to_owned()),
                })
            }
        };
        self.tape = deserializer.into_tape().reset();
        decoded
    }
}

/// What a parsed object is: a record (handed to `on_record`), an aggregated event, a digest or policy document,
/// or not a record.
fn classify(
    unit: &str,
    raw: &mut RawRecord<'_>,
    on_record: &mut dyn FnMut(&Record<'_>),
) -> Result<Decoded, RecordError> {
    if raw.digest_start_time.is_some() && raw.log_files.is_some() && raw.event_name.is_none() {
        return Ok(Decoded::Digest);
    }
    if raw.statement.is_some() && raw.event_name.is_none() {
        return Ok(Decoded::PolicyDocument);
    }
    if raw.records.is_some() && raw.event_name.is_none() {
        return Err(RecordError::MalformedWrapper);
    }
    if super::aggregated::is_aggregated(raw) {
        return Ok(Decoded::Aggregated(Box::new(super::aggregated::to_aggregate(std::mem::take(raw)))));
    }
    // Insight events carry their source and name inside `insightDetails`, not at the top level.
    let insight =
        raw.event_category.as_deref() == Some("Insight") || raw.event_type.as_deref() == Some("AwsCloudTrailInsight");
    if raw.event_name.is_none() && raw.event_source.is_none() && !insight {
        return Err(RecordError::NotARecord);
    }
    let head = super::record_head::take(raw);
    let mut rest = Rest(raw);
    on_record(&Record::lazy(unit, head, &mut rest));
    Ok(Decoded::Record)
}

/// What [`Record::event`] builds the event from: what the head left of the parsed record.
struct Rest<'r, 'a>(&'r mut RawRecord<'a>);

impl BuildEvent for Rest<'_, '_> {
    fn build(&mut self, head: &RecordHead<'_>) -> Event {
        to_event(std::mem::take(self.0), head)
    }
}

/// simd-json names its errors by enum variant and often at "character 0" (stage-one and type failures have no
/// position): say what is wrong in words, with the position only when there is one (relative to the record,
/// whose own place the caller reports).
fn describe(error: &simd_json::Error) -> String {
    use simd_json::ErrorType;
    let what = match error.error() {
        ErrorType::InvalidUtf8 => "invalid UTF-8".to_owned(),
        ErrorType::Syntax | ErrorType::InternalError | ErrorType::UnexpectedCharacter => {
            "malformed JSON (a stray byte, or a raw control character in a string)".to_owned()
        }
        ErrorType::Eof => "ends in the middle of a value".to_owned(),
        ErrorType::ExpectedString => "expected a string".to_owned(),
        ErrorType::ExpectedMap => "expected an object".to_owned(),
        ErrorType::ExpectedArray => "expected an array".to_owned(),
        ErrorType::Serde(message) => message.clone(),
        other => format!("malformed JSON ({other:?})"),
    };
    match (error.index(), error.character()) {
        (0, _) => what,
        (index, Some(c)) => format!("{what} at byte {index} of the record ({c:?})"),
        (index, None) => format!("{what} at byte {index} of the record"),
    }
}

fn invalid_json(error: &simd_json::Error) -> RecordError {
    RecordError::InvalidJson(describe(error))
}

fn non_empty<'a>(value: impl Into<Option<Cow<'a, str>>>) -> Option<String> {
    value.into().map(Cow::into_owned).filter(|s| !s.is_empty())
}

fn owned(value: &Option<Cow<'_, str>>) -> Option<String> {
    value.as_deref().map(str::to_owned)
}

/// The full event: the head's fields, and the rest of the record.
fn to_event(raw: RawRecord<'_>, head: &RecordHead<'_>) -> Event {
    let source_ip = owned(&head.source_ip);
    let principal =
        principal(raw.user_identity, source_ip.as_deref(), head.principal_account.as_ref().map(AccountId::to_static));
    let resources: Vec<Resource> = head
        .resources
        .iter()
        .map(|r| Resource {
            arn: r.arn.clone().into_owned(),
            kind: owned(&r.kind),
            account: r.account.as_ref().map(AccountId::to_static),
            is_prefix: r.is_prefix,
        })
        .collect();
    let mut params = raw.request_parameters.0.unwrap_or_default();
    let items = params.multi_items();
    let tls_details = raw.tls_details.unwrap_or_default();
    let request = RequestFacts {
        bucket: non_empty(params.bucket_name.0),
        key: non_empty(params.key.0),
        version_id: non_empty(params.version_id.0),
        list_type: non_empty(params.list_type.0),
        prefix: params.prefix.0.map(Cow::into_owned),
        copy_source: non_empty(params.copy_source.0),
        table_name: non_empty(params.table_name.0),
        index_name: non_empty(params.index_name.0),
        host: non_empty(params.host.0).or_else(|| non_empty(tls_details.client_provided_host_header)),
    };
    let tls = match (non_empty(tls_details.tls_version), non_empty(tls_details.cipher_suite)) {
        (None, None) => None,
        (version, cipher) => Some(Tls { version, cipher }),
    };
    let event_source = head.event_source.as_ref().to_owned();
    let event_name = head.event_name.as_ref().to_owned();
    let region = owned(&head.region);
    let recipient_account = head.recipient_account.as_ref().map(AccountId::to_static);
    let resource_account = resources.iter().find_map(|r| r.account.clone());
    let accesses = actions::accesses(&ApiCall {
        event_source: &event_source,
        event_name: &event_name,
        region: region.as_deref(),
        account: resource_account.as_ref().or(recipient_account.as_ref()).map(AccountId::as_str),
        facts: &request,
        resources: &resources,
        items: &items,
    });
    Event {
        time: head.time,
        kind: LogKind::CloudTrail,
        event_source,
        event_name,
        accesses,
        region,
        principal,
        source_ip,
        user_agent: owned(&head.user_agent),
        vpce: head.vpce.as_ref().map(VpceId::to_static),
        vpce_account: head.vpce_account.as_ref().map(AccountId::to_static),
        aws_internal_endpoint: head.aws_internal_endpoint,
        resources,
        outcome: Outcome::from_error(head.error_code.as_deref(), head.error_message.as_deref()),
        category: head.category.clone(),
        event_type: non_empty(raw.event_type),
        event_id: owned(&head.event_id),
        recipient_account,
        tls,
        read_only: raw.read_only.0,
        request,
        http_status: None,
    }
}

/// Normalizes `userIdentity` into the identity a policy sees (`account` comes from the record's head).
fn principal(
    identity: Option<RawUserIdentity<'_>>,
    source_ip: Option<&str>,
    account: Option<AccountId<'static>>,
) -> Principal {
    let Some(identity) = identity else {
        return Principal::unknown();
    };
    let mut kind = identity.kind.as_deref().map_or(PrincipalType::Unknown, PrincipalType::from_cloudtrail);
    let identity_arn = non_empty(identity.arn);
    let invoked_by = non_empty(identity.invoked_by);
    let context = identity.session_context.unwrap_or_default();
    let issuer = context.session_issuer.unwrap_or_default();
    let ec2_role_delivery = context.ec2_role_delivery.0.is_some();
    let mut session_name = None;
    let mut user_name = None;
    let arn = match kind {
        PrincipalType::AssumedRole => {
            let from_session = identity_arn.as_deref().and_then(role_arn_from_session_arn);
            if let Some((_, session)) = &from_session {
                session_name = Some(session.clone());
            }
            non_empty(issuer.arn).or(from_session.map(|(role, _)| role)).or_else(|| identity_arn.clone())
        }
        PrincipalType::IAMUser => {
            user_name = non_empty(identity.user_name);
            identity_arn.clone()
        }
        PrincipalType::AWSService => {
            invoked_by.clone().or_else(|| source_ip.filter(|ip| ip.ends_with(".amazonaws.com")).map(str::to_owned))
        }
        _ => identity_arn.clone(),
    };
    if identity.account_id.as_deref() == Some("ANONYMOUS_PRINCIPAL") {
        kind = PrincipalType::Anonymous;
    }
    let arn = if kind == PrincipalType::Anonymous { Some("anonymous".to_owned()) } else { arn };
    Principal {
        arn,
        kind,
        account,
        identity_arn,
        session_name,
        principal_id: non_empty(identity.principal_id),
        user_name,
        access_key_id: non_empty(identity.access_key_id),
        invoked_by,
        ec2_role_delivery,
    }
}

#[cfg(test)]
mod tests;
