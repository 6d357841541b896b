//! Pure facts about one request for `outside`: which network it came through, whether an AWS service made
//! it, which resources (bucket, table, or ARN) it touched, and whether the user protects them.

use std::net::IpAddr;

use crate::actions::first_occurrences;
use crate::ingest::EndpointNetwork;
use crate::model::{AccountId, Event, LogKind, Principal, VpceId, is_private_ip};
use crate::policy::arn_like;

/// Where a request came from, as far as its log shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Network<'v> {
    /// Through this customer endpoint (CloudTrail `vpcEndpointId`, an endpoint-specific Host header, or an
    /// access-log address inside one configured endpoint's VPC CIDRs).
    Endpoint(VpceId<'v>),
    /// Through some endpoint, which one is unknown: an access-log line from a private address (no CIDRs
    /// configured), or from an address several configured endpoints share.
    SomeEndpoint,
    /// Not through a customer endpoint. `public` when the source address is a public one.
    Outside { public: bool },
}

impl<'v> Network<'v> {
    pub fn through_endpoint(&self) -> bool {
        !matches!(self, Network::Outside { .. })
    }

    /// The endpoint id, when known.
    pub fn vpce(&self) -> Option<&VpceId<'v>> {
        match self {
            Network::Endpoint(vpce) => Some(vpce),
            _ => None,
        }
    }
}

/// Classifies a request's network. CloudTrail: through an endpoint exactly when it names a customer endpoint
/// (`AWS Internal` is not one). S3 access logs carry no endpoint id: an address inside the configured VPC
/// CIDRs (`networks`) came through an endpoint; with no CIDRs configured, private addresses (RFC 1918 /
/// RFC 6598) count as "through some endpoint" and every other address as outside.
pub fn classify_network<'v>(
    kind: LogKind,
    vpce: Option<&'v VpceId<'_>>,
    source_ip: Option<&str>,
    networks: &[EndpointNetwork],
) -> Network<'v> {
    if let Some(vpce) = vpce {
        return Network::Endpoint(vpce.view());
    }
    let ip: Option<IpAddr> = source_ip.and_then(|ip| ip.trim().parse().ok());
    let public = ip.is_some_and(|ip| !is_private_ip(ip));
    if kind == LogKind::CloudTrail {
        return Network::Outside { public };
    }
    let Some(ip) = ip else { return Network::Outside { public: false } };
    let inside = if networks.is_empty() { is_private_ip(ip) } else { networks.iter().any(|n| n.net.contains(&ip)) };
    if inside { Network::SomeEndpoint } else { Network::Outside { public } }
}

/// True when an AWS service made the request: an `AWSService` identity, a call `invokedBy` a service, or a
/// source "address" that is a name (`s3.amazonaws.com`, `AWS Internal`) rather than an IP.
pub fn is_service_request(principal: &Principal, source_ip: Option<&str>) -> bool {
    principal.is_aws_service()
        || principal.invoked_by.is_some()
        || source_ip.is_some_and(|ip| !ip.trim().is_empty() && ip.trim().parse::<IpAddr>().is_err())
}

/// The resource a finding is about: the bucket of an S3 ARN (`arn:aws:s3:::b/k` → `arn:aws:s3:::b`), the
/// table of a DynamoDB ARN (indexes and streams belong to their table), any other ARN as it is.
pub fn resource_key(arn: &str) -> String {
    resource_key_str(arn).to_owned()
}

/// [`resource_key`] without a copy: the key is always a prefix of the ARN.
pub fn resource_key_str(arn: &str) -> &str {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some(service), Some(region), Some(account), Some(resource)) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return arn;
    };
    // `resource` is the rest of the ARN after the fifth colon.
    let resource_start = arn.len() - resource.len();
    let until_slash = |s: &str| s.find('/').unwrap_or(s.len());
    match service {
        "s3" if region.is_empty() && account.is_empty() => &arn[..resource_start + until_slash(resource)],
        "dynamodb" => match resource.strip_prefix("table/") {
            Some(rest) => &arn[..resource_start + "table/".len() + until_slash(rest)],
            None => arn,
        },
        _ => arn,
    }
}

/// The account in an ARN's account field, if it has one (S3 ARNs have none).
pub fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// The distinct resources a request touched, as full ARNs: the resources of its IAM accesses, else the
/// log's resource list. Prefix ARNs (`ListObjects`) stand for their bucket. In order of first appearance;
/// linear in the request (a DeleteObjects names up to 1,000 keys, a hostile record millions).
pub fn request_arns(event: &Event) -> Vec<&str> {
    let mut arns: Vec<&str> = event.accesses.iter().filter_map(|a| a.resource.as_deref()).collect();
    if arns.is_empty() {
        arns = event.resources.iter().map(|r| r.arn.as_str()).collect();
    }
    arns.retain(|arn| !arn.is_empty());
    let first = first_occurrences(&arns, |arn| *arn);
    let mut first = first.into_iter();
    arns.retain(|_| first.next().unwrap_or(true));
    arns
}

/// The distinct [`resource_key`]s of a request's resources ([`request_arns`]), sorted.
pub fn request_keys(event: &Event) -> Vec<String> {
    let mut keys: Vec<&str> = request_arns(event).into_iter().map(resource_key_str).collect();
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter().map(str::to_owned).collect()
}

/// What a request's resource list (`resources[]`) says about each resource key, worked out once per request:
/// asking per key by scanning the list would be quadratic in a record that names many resources.
pub struct Listing<'e> {
    /// (key, the first non-empty owner account listed for it), sorted by key, one entry per key.
    owners: Vec<(&'e str, Option<&'e AccountId<'static>>)>,
}

impl<'e> Listing<'e> {
    pub fn of(event: &'e Event) -> Listing<'e> {
        let mut owners: Vec<(&str, Option<&AccountId<'static>>)> = event
            .resources
            .iter()
            .map(|r| (resource_key_str(&r.arn), r.account.as_ref().filter(|a| !a.is_empty())))
            .collect();
        // Stable: within a key, the list's order decides which owner comes first.
        owners.sort_by_key(|(key, _)| *key);
        owners.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same && kept.1.is_none() {
                kept.1 = later.1;
            }
            same
        });
        Listing { owners }
    }

    fn entry(&self, key: &str) -> Option<&(&'e str, Option<&'e AccountId<'static>>)> {
        self.owners.binary_search_by_key(&key, |(k, _)| *k).ok().and_then(|i| self.owners.get(i))
    }

    /// The owner account of resource `key` according to this event: the account of an ARN that has one, else
    /// the `accountId` the log gives for the bucket. `None` when the event does not say (or says `""`).
    pub fn owner(&self, key: &str) -> Option<AccountId<'static>> {
        if let Some(account) = arn_account(key) {
            return Some(AccountId::from(account.to_owned()));
        }
        self.entry(key).and_then(|(_, owner)| owner.cloned())
    }

    /// Whether the event's resource list names resource `key` (with or without an owner).
    pub fn listed(&self, key: &str) -> bool {
        self.entry(key).is_some()
    }
}

/// The resource keys of a request that a `protect` entry covers through one of its ARNs, sorted (empty when
/// nothing is protected). One pass over the request's ARNs.
pub fn protected_keys<'e>(event: &'e Event, protect: &[String]) -> Vec<&'e str> {
    if protect.is_empty() {
        return Vec::new();
    }
    let mut keys: Vec<&str> =
        request_arns(event).into_iter().filter(|arn| is_protected(protect, arn)).map(resource_key_str).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Whether `arn` is covered by a `protect` entry: the same ARN, anything under it (a bucket ARN covers its
/// objects, a table ARN its indexes), or an ARN pattern with `*` / `?`.
pub fn is_protected(protect: &[String], arn: &str) -> bool {
    protect.iter().any(|p| {
        let p = p.trim_end_matches('/');
        arn == p
            || arn.strip_prefix(p).is_some_and(|rest| rest.starts_with('/'))
            || ((p.contains('*') || p.contains('?')) && arn_like(p, arn))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PrincipalType;

    fn nets(specs: &[(&str, &str)]) -> Vec<EndpointNetwork> {
        specs
            .iter()
            .map(|(net, vpce)| EndpointNetwork { net: net.parse().unwrap(), vpce: VpceId::from((*vpce).to_owned()) })
            .collect()
    }

    #[test]
    fn network_of_a_request() {
        let configured = nets(&[("10.0.0.0/16", "vpce-1")]);
        let out = |public| Network::Outside { public };
        #[rustfmt::skip]
        type Case<'a> = (LogKind, Option<&'a str>, Option<&'a str>, &'a [EndpointNetwork], Network<'a>);
        let cases: [Case; 12] = [
            (LogKind::CloudTrail, Some("vpce-1"), Some("10.0.1.2"), &[], Network::Endpoint("vpce-1".into())),
            (LogKind::CloudTrail, None, Some("203.0.113.50"), &[], out(true)),
            // CloudTrail without an endpoint id: outside, even from a private address.
            (LogKind::CloudTrail, None, Some("10.0.1.2"), &[], out(false)),
            (LogKind::CloudTrail, None, None, &[], out(false)),
            // Access logs without CIDRs: private (RFC 1918 / RFC 6598) means some endpoint.
            (LogKind::S3AccessLog, None, Some("10.0.1.2"), &[], Network::SomeEndpoint),
            (LogKind::S3AccessLog, None, Some("100.64.3.4"), &[], Network::SomeEndpoint),
            (LogKind::S3AccessLog, None, Some("198.51.100.7"), &[], out(true)),
            // With CIDRs: only the configured networks are endpoints.
            (LogKind::S3AccessLog, None, Some("10.0.1.2"), &configured, Network::SomeEndpoint),
            (LogKind::S3AccessLog, None, Some("10.9.1.2"), &configured, out(false)),
            (LogKind::S3AccessLog, None, Some("203.0.113.50"), &configured, out(true)),
            (LogKind::S3AccessLog, Some("vpce-1"), Some("10.0.1.2"), &configured, Network::Endpoint("vpce-1".into())),
            (LogKind::S3AccessLog, None, Some("-"), &[], out(false)),
        ];
        for (kind, vpce, ip, networks, expected) in cases {
            assert_eq!(
                classify_network(kind, vpce.map(VpceId::from).as_ref(), ip, networks),
                expected,
                "{kind:?} {vpce:?} {ip:?}"
            );
        }
    }

    #[test]
    fn service_requests() {
        let mut service = Principal::unknown();
        service.kind = PrincipalType::AWSService;
        let mut invoked = Principal::unknown();
        invoked.kind = PrincipalType::AssumedRole;
        invoked.invoked_by = Some("athena.amazonaws.com".into());
        let mut role = Principal::unknown();
        role.kind = PrincipalType::AssumedRole;
        let cases = [
            (&service, Some("1.2.3.4"), true),
            (&invoked, Some("10.0.0.1"), true),
            (&role, Some("s3.amazonaws.com"), true),
            (&role, Some("AWS Internal"), true),
            (&role, Some("203.0.113.50"), false),
            (&role, None, false),
        ];
        for (principal, ip, expected) in cases {
            assert_eq!(is_service_request(principal, ip), expected, "{:?} {ip:?}", principal.kind);
        }
    }

    #[test]
    fn resource_keys() {
        let cases = [
            ("arn:aws:s3:::b/k/x.csv", "arn:aws:s3:::b"),
            ("arn:aws:s3:::b", "arn:aws:s3:::b"),
            ("arn:aws:s3:::b/", "arn:aws:s3:::b"),
            ("arn:aws:dynamodb:us-east-1:1:table/t/index/i", "arn:aws:dynamodb:us-east-1:1:table/t"),
            ("arn:aws:dynamodb:us-east-1:1:table/t", "arn:aws:dynamodb:us-east-1:1:table/t"),
            ("arn:aws:kms:eu-west-1:4:key/abc", "arn:aws:kms:eu-west-1:4:key/abc"),
            ("not-an-arn", "not-an-arn"),
        ];
        for (arn, key) in cases {
            assert_eq!(resource_key(arn), key, "{arn}");
        }
        assert_eq!(arn_account("arn:aws:dynamodb:us-east-1:111:table/t"), Some("111"));
        assert_eq!(arn_account("arn:aws:s3:::b"), None);
    }

    #[test]
    fn protection() {
        let protect = vec!["arn:aws:s3:::data".to_owned(), "arn:aws:dynamodb:*:111122223333:table/orders*".to_owned()];
        let cases = [
            ("arn:aws:s3:::data", true),
            ("arn:aws:s3:::data/k", true),
            ("arn:aws:s3:::data-other", false),
            ("arn:aws:s3:::datak", false),
            ("arn:aws:dynamodb:us-east-1:111122223333:table/orders", true),
            ("arn:aws:dynamodb:us-east-1:111122223333:table/orders-v2", true),
            ("arn:aws:dynamodb:us-east-1:999988887777:table/orders", false),
        ];
        for (arn, expected) in cases {
            assert_eq!(is_protected(&protect, arn), expected, "{arn}");
        }
    }
}
