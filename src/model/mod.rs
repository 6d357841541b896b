//! The normalized event model every analyzer sees.
//!
//! Decoders turn CloudTrail records and S3 server access log lines into [`Event`]s; nothing past the decoder
//! knows a CloudTrail field name or an access-log column. Events are owned and small: only the fields the
//! analyses and the policy engine use are kept. Endpoint and account ids are their own types ([`VpceId`],
//! [`AccountId`]), so neither can be mistaken for the other or for any other string.

mod category;
mod ids;
mod principal;
mod record;
mod time;

pub use category::EventCategory;
pub use ids::{AccountId, VpceId};
pub use principal::{Principal, PrincipalType, role_arn_from_session_arn};
pub use record::{BuildEvent, HeadResource, Record, RecordHead};
pub use time::{Timestamp, format_rfc3339};

use serde::Serialize;

/// Which kind of log a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogKind {
    CloudTrail,
    S3AccessLog,
}

impl LogKind {
    /// The `evidence` name used in reports.
    pub fn evidence_name(self) -> &'static str {
        match self {
            LogKind::CloudTrail => "cloudtrail",
            LogKind::S3AccessLog => "s3-access-log",
        }
    }
}

/// A resource a request touched, as an ARN.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Resource {
    /// `arn:aws:s3:::bucket/key`, `arn:aws:s3:::bucket`, `arn:aws:dynamodb:r:acct:table/t`, ...
    pub arn: String,
    /// CloudTrail's resource type (`AWS::S3::Object`), when known.
    pub kind: Option<String>,
    /// The owning account, when the log says. An empty owner in the log is `None` (unknown), never "ours".
    pub account: Option<AccountId<'static>>,
    /// The ARN is a prefix (CloudTrail `ARNPrefix`, e.g. for `ListObjects`/`DeleteObjects`).
    pub is_prefix: bool,
}

/// One IAM authorization a request needs: an action on a resource.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Access {
    /// `s3:GetObject`, `dynamodb:Query`, `kms:Decrypt` (service prefix lower case, action as AWS spells it).
    pub action: String,
    /// The resource ARN the action applies to; `None` when the log does not show it.
    pub resource: Option<String>,
}

/// How a request ended.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Outcome {
    Success,
    /// An authorization failure (AccessDenied family, VpceAccessDenied, UnauthorizedOperation, HTTP 403 AccessDenied).
    Denied {
        code: String,
        message: Option<String>,
    },
    /// Any other error (NoSuchKey, throttling, ...).
    Error {
        code: String,
        message: Option<String>,
    },
}

impl Outcome {
    /// Classifies an error code (and optional message) from a log into an outcome.
    pub fn from_error(code: Option<&str>, message: Option<&str>) -> Outcome {
        match error_code(code) {
            None => Outcome::Success,
            Some(code) => {
                let owned_message = message.filter(|m| !m.is_empty()).map(str::to_owned);
                if is_denial_code(code) {
                    Outcome::Denied { code: code.to_owned(), message: owned_message }
                } else {
                    Outcome::Error { code: code.to_owned(), message: owned_message }
                }
            }
        }
    }

    /// Which of the three outcomes this is.
    pub fn kind(&self) -> OutcomeKind {
        match self {
            Outcome::Success => OutcomeKind::Success,
            Outcome::Denied { .. } => OutcomeKind::Denied,
            Outcome::Error { .. } => OutcomeKind::Error,
        }
    }

    pub fn is_success(&self) -> bool {
        matches!(self, Outcome::Success)
    }

    pub fn is_denied(&self) -> bool {
        matches!(self, Outcome::Denied { .. })
    }

    /// `success`, `denied` or `error`.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }
}

/// How a request ended, without the error's code and message: what the record head carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutcomeKind {
    Success,
    Denied,
    Error,
}

impl OutcomeKind {
    /// What [`Outcome::from_error`] would make of `code`, without building it.
    pub fn of_code(code: Option<&str>) -> OutcomeKind {
        match error_code(code) {
            None => OutcomeKind::Success,
            Some(code) if is_denial_code(code) => OutcomeKind::Denied,
            Some(_) => OutcomeKind::Error,
        }
    }

    /// `success`, `denied` or `error`.
    pub fn name(self) -> &'static str {
        match self {
            OutcomeKind::Success => "success",
            OutcomeKind::Denied => "denied",
            OutcomeKind::Error => "error",
        }
    }
}

/// A log's error code, when it holds one (`-` and blanks mean none).
fn error_code(code: Option<&str>) -> Option<&str> {
    code.map(str::trim).filter(|c| !c.is_empty() && *c != "-")
}

/// Error codes that mean "not authorized". Matches are exact (AWS error codes are case-sensitive).
pub fn is_denial_code(code: &str) -> bool {
    matches!(
        code,
        "AccessDenied"
            | "AccessDeniedException"
            | "VpceAccessDenied"
            | "Client.UnauthorizedOperation"
            | "UnauthorizedOperation"
            | "Client.AccessDenied"
            | "UnauthorizedAccess"
            | "AuthorizationError"
            | "AuthorizationErrorException"
            | "Forbidden"
    )
}

/// TLS details of a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Tls {
    pub version: Option<String>,
    pub cipher: Option<String>,
}

/// The few request parameters the analyses and the policy engine need. Decoders fill what the record shows;
/// nothing is invented.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct RequestFacts {
    pub bucket: Option<String>,
    pub key: Option<String>,
    pub version_id: Option<String>,
    /// `list-type` (`"2"` for ListObjectsV2).
    pub list_type: Option<String>,
    pub prefix: Option<String>,
    /// `x-amz-copy-source` (`bucket/key[?versionId=..]`), for CopyObject and UploadPartCopy.
    pub copy_source: Option<String>,
    pub table_name: Option<String>,
    pub index_name: Option<String>,
    /// The Host header the client used (tells endpoint-specific DNS names apart).
    pub host: Option<String>,
}

/// One request, from either log kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub time: Option<Timestamp>,
    pub kind: LogKind,
    /// `s3.amazonaws.com`, `dynamodb.amazonaws.com`, ...
    pub event_source: String,
    /// The API operation (`GetObject`); S3 access log operations (`REST.GET.OBJECT`) are mapped to the
    /// same names so both log kinds read alike.
    pub event_name: String,
    /// What IAM authorizes for this request: each action with the resource it applies to, per the action map
    /// (CopyObject is `s3:GetObject` on the source and `s3:PutObject` on the target).
    pub accesses: Vec<Access>,
    pub region: Option<String>,
    pub principal: Principal,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    /// The customer VPC endpoint the request came through. `AWS Internal` is not an endpoint and is `None`.
    pub vpce: Option<VpceId<'static>>,
    /// The account that owns `vpce`.
    pub vpce_account: Option<AccountId<'static>>,
    /// CloudTrail said `vpcEndpointId: "AWS Internal"` (an AWS-side endpoint, not a customer one).
    pub aws_internal_endpoint: bool,
    pub resources: Vec<Resource>,
    pub outcome: Outcome,
    /// `Management`, `Data`, `NetworkActivity`, `Insight`; S3 access log lines are `Data`.
    pub category: EventCategory,
    /// `AwsApiCall`, `AwsServiceEvent`, `AwsVpceEvent`, ...
    pub event_type: Option<String>,
    pub event_id: Option<String>,
    pub recipient_account: Option<AccountId<'static>>,
    pub tls: Option<Tls>,
    pub read_only: Option<bool>,
    pub request: RequestFacts,
    /// HTTP status (S3 access logs).
    pub http_status: Option<u16>,
}

impl Event {
    /// An event with nothing known (tests fill it in with struct update syntax).
    pub fn blank() -> Event {
        Event {
            time: None,
            kind: LogKind::CloudTrail,
            event_source: String::new(),
            event_name: String::new(),
            accesses: Vec::new(),
            region: None,
            principal: Principal::unknown(),
            source_ip: None,
            user_agent: None,
            vpce: None,
            vpce_account: None,
            aws_internal_endpoint: false,
            resources: Vec::new(),
            outcome: Outcome::Success,
            category: EventCategory::Unknown,
            event_type: None,
            event_id: None,
            recipient_account: None,
            tls: None,
            read_only: None,
            request: RequestFacts::default(),
            http_status: None,
        }
    }

    /// True for network activity events (`eventCategory: NetworkActivity`).
    pub fn is_network_activity(&self) -> bool {
        self.category == EventCategory::NetworkActivity
    }

    /// The distinct IAM actions of the request, in order of first appearance.
    pub fn actions(&self) -> impl Iterator<Item = &str> {
        Actions::new(&self.accesses)
    }

    /// The service part of the event source (`s3` for `s3.amazonaws.com`).
    pub fn service(&self) -> &str {
        self.event_source.split('.').next().unwrap_or(&self.event_source)
    }
}

/// A CloudTrail aggregated event: a 5-minute summary of data events (not a request; never analysed as one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Aggregate {
    pub event_id: Option<String>,
    pub account: Option<AccountId<'static>>,
    pub region: Option<String>,
    pub event_source: String,
    pub window_start: Option<Timestamp>,
    /// The requests summarized (the sum of the primary dimension's statistics).
    pub requests: u64,
    /// The `errorCodes` dimension's statistics: error code and count.
    pub error_codes: Vec<(String, u64)>,
}

/// [`Event::actions`]: a handful of accesses are compared pairwise without allocating; a record with many (a
/// DeleteObjects of 1,000 keys, attacker-sized) is de-duplicated through a set, so the cost stays linear.
struct Actions<'e> {
    accesses: &'e [Access],
    next: usize,
    /// Whether each access is the first with its action, when there are too many to compare pairwise.
    firsts: Option<Vec<bool>>,
}

impl<'e> Actions<'e> {
    const PAIRWISE: usize = 16;

    fn new(accesses: &'e [Access]) -> Actions<'e> {
        let firsts = (accesses.len() > Self::PAIRWISE).then(|| {
            let mut seen = std::collections::HashSet::with_capacity(8);
            accesses.iter().map(|a| seen.insert(a.action.as_str())).collect()
        });
        Actions { accesses, next: 0, firsts }
    }
}

impl<'e> Iterator for Actions<'e> {
    type Item = &'e str;

    fn next(&mut self) -> Option<&'e str> {
        loop {
            let i = self.next;
            let access = self.accesses.get(i)?;
            self.next += 1;
            let first = match &self.firsts {
                Some(firsts) => firsts.get(i).copied().unwrap_or(true),
                None => !self.accesses[..i].iter().any(|b| b.action == access.action),
            };
            if first {
                return Some(access.action.as_str());
            }
        }
    }
}

/// True for addresses a VPC uses privately: RFC 1918, RFC 6598 (shared address space), and IPv6 unique
/// local addresses. Used to tell "through some endpoint" from "from the internet" in S3 access logs when no
/// VPC CIDRs are configured.
pub fn is_private_ip(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_private() || (a == 100 && (64..128).contains(&b))
        }
        std::net::IpAddr::V6(v6) => (v6.segments()[0] & 0xfe00) == 0xfc00,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses() {
        let cases = [
            ("10.0.1.7", true),
            ("172.16.0.1", true),
            ("172.32.0.1", false),
            ("192.168.1.1", true),
            ("100.64.0.1", true),
            ("100.127.255.255", true),
            ("100.128.0.1", false),
            ("203.0.113.50", false),
            ("fd00::1", true),
            ("2001:db8::1", false),
        ];
        for (ip, expected) in cases {
            assert_eq!(is_private_ip(ip.parse().unwrap()), expected, "{ip}");
        }
    }

    #[test]
    fn outcomes_from_error_codes() {
        let cases = [
            (None, "success"),
            (Some(""), "success"),
            (Some("-"), "success"),
            (Some("AccessDenied"), "denied"),
            (Some("VpceAccessDenied"), "denied"),
            (Some("Client.UnauthorizedOperation"), "denied"),
            (Some("AccessDeniedException"), "denied"),
            (Some("NoSuchKey"), "error"),
            (Some("accessdenied"), "error"),
            (Some(" AccessDenied "), "denied"),
        ];
        for (code, expected) in cases {
            assert_eq!(Outcome::from_error(code, None).name(), expected, "{code:?}");
            assert_eq!(OutcomeKind::of_code(code).name(), expected, "{code:?}");
        }
    }
}
