//! Which observed requests a proposal covers, which it leaves out on purpose (and why), and the resource
//! family each covered access belongs to.

use serde::Serialize;

use super::observed::{Observed, ObservedAccess, ObservedRequest};
use super::options::ProposeOptions;
use crate::analyze::aws_owned::{AwsOwned, aws_owned_bucket, s3_bucket_of};
use crate::analyze::trust::{Trust, TrustedSet};
use crate::policy::literal;

/// What the proposal does with an observed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// The proposal must allow it.
    Covered,
    /// Left out on purpose; listed in the report.
    LeftOut(LeftOutReason),
    /// Not evidence for the proposal (a denied request without `--include-denied`, another error, a network
    /// activity event that does not show the resource).
    NotUsed,
}

/// Why a request was left out.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LeftOutReason {
    /// The resource belongs to an account outside the trusted set (`--include-foreign` keeps it).
    ForeignResource,
    /// The principal belongs to an account outside the trusted set (`--include-foreign` keeps it).
    ForeignPrincipal,
    /// An unsigned request: allowing it means allowing everyone.
    Anonymous,
    /// The log does not say who made the request, so no principal condition can admit it.
    UnidentifiedPrincipal,
    /// The action or the resource ARN has a wildcard character where a policy cannot escape it (an action
    /// `s3:Get*`, a region `*` in an ARN) or an S3 ARN outside the `aws` partition: written into the policy it
    /// would allow more than was observed (see [`writable`]).
    Unwritable,
}

impl LeftOutReason {
    pub fn as_str(&self) -> &'static str {
        match self {
            LeftOutReason::ForeignResource => "foreign-resource",
            LeftOutReason::ForeignPrincipal => "foreign-principal",
            LeftOutReason::Anonymous => "anonymous",
            LeftOutReason::UnidentifiedPrincipal => "unidentified-principal",
            LeftOutReason::Unwritable => "unwritable",
        }
    }
}

/// Decides what the proposal does with a request.
pub fn select(request: &ObservedRequest, trusted: &TrustedSet, options: &ProposeOptions) -> Selection {
    let wanted = match request.outcome {
        Observed::Success => true,
        Observed::Denied => options.include_denied,
        Observed::Error => false,
    };
    if !wanted || (request.network_activity && request.accesses.iter().any(|a| a.resource.is_none())) {
        return Selection::NotUsed;
    }
    for access in &request.accesses {
        if access.is_anonymous() {
            return Selection::LeftOut(LeftOutReason::Anonymous);
        }
        if !access.principal_is_service && access.principal_account.is_none() {
            return Selection::LeftOut(LeftOutReason::UnidentifiedPrincipal);
        }
        if options.include_foreign {
            continue;
        }
        if !access.principal_is_service && trusted.trust(access.principal_account.as_ref()) == Trust::Untrusted {
            return Selection::LeftOut(LeftOutReason::ForeignPrincipal);
        }
        if is_foreign_resource(access, trusted, &options.aws_owned) {
            return Selection::LeftOut(LeftOutReason::ForeignResource);
        }
    }
    if !request.accesses.iter().all(writable) {
        return Selection::LeftOut(LeftOutReason::Unwritable);
    }
    Selection::Covered
}

/// True when the generator can write the access's action and resource so that they match exactly what was
/// observed: see [`crate::policy::literal`]. S3 resources are written in the `aws` partition.
pub fn writable(access: &ObservedAccess) -> bool {
    let resource_ok = access.resource.as_deref().is_none_or(|arn| {
        literal::resource_arn(arn).is_ok() && (s3_bucket_of(arn).is_none() || arn.starts_with("arn:aws:s3:::"))
    });
    resource_ok && literal::action(&access.action).is_ok()
}

/// The resource is owned by an untrusted account and is not an AWS-owned (or configured) bucket.
pub fn is_foreign_resource(access: &ObservedAccess, trusted: &TrustedSet, catalogue: &AwsOwned) -> bool {
    let aws_owned = access.resource.as_deref().and_then(s3_bucket_of).and_then(|b| catalogue.bucket(b)).is_some();
    !aws_owned && trusted.trust(access.resource_account().as_ref()) == Trust::Untrusted
}

/// Where a covered access goes in the policy.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    /// The workloads' own resources, admitted by the principal scope.
    Workload,
    /// An AWS-owned bucket, by the service that owns it.
    AwsOwned(&'static str),
    /// Requests made by AWS service principals (`aws:PrincipalIsAWSService`).
    AwsService,
}

/// The resource family of an access: what one statement's resources are built from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// An S3 bucket (its ARN and its objects).
    S3Bucket(String),
    /// A DynamoDB table ARN (with its indexes and streams).
    DynamoTable(String),
    /// Any other resource ARN, exactly.
    Arn(String),
    /// Actions logged without a resource (`Resource: "*"`).
    NoResource,
}

/// What one access contributes to its family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Bucket,
    Object(String),
    Table,
    Index,
    Stream,
    Whole,
}

/// The section, family and part of an access, with AWS's catalogue only (for callers that need the family).
pub fn place(access: &ObservedAccess) -> (Section, Family, Part) {
    place_with(access, None)
}

/// The section, family and part of an access; `catalogue` (with the configured buckets) decides the
/// AWS-owned section, AWS's own templates when `None`.
pub fn place_with(access: &ObservedAccess, catalogue: Option<&AwsOwned>) -> (Section, Family, Part) {
    let (family, part) = family_of(access.resource.as_deref());
    let section = if access.principal_is_service {
        Section::AwsService
    } else if let Family::S3Bucket(bucket) = &family
        && let Some(service) = catalogue.map_or_else(|| aws_owned_bucket(bucket), |c| c.bucket(bucket))
    {
        Section::AwsOwned(service)
    } else {
        Section::Workload
    };
    (section, family, part)
}

fn family_of(resource: Option<&str>) -> (Family, Part) {
    let Some(arn) = resource else { return (Family::NoResource, Part::Whole) };
    if let Some(bucket) = s3_bucket_of(arn) {
        let rest = arn.split_once(":::").map_or("", |(_, r)| r);
        return match rest.split_once('/') {
            Some((_, key)) => (Family::S3Bucket(bucket.to_owned()), Part::Object(key.to_owned())),
            None => (Family::S3Bucket(bucket.to_owned()), Part::Bucket),
        };
    }
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() == 6
        && parts[2] == "dynamodb"
        && let Some(rest) = parts[5].strip_prefix("table/")
    {
        // Only the shapes the policy writes as the table, `table/*/index/*` and `table/*/stream/*`; any other
        // path under a table (log content) stays an exact ARN of its own rather than be taken for the table.
        let segments: Vec<&str> = rest.splitn(4, '/').collect();
        let part = match segments.as_slice() {
            [_] => Some(Part::Table),
            [_, "index", _] => Some(Part::Index),
            [_, "stream", _] => Some(Part::Stream),
            _ => None,
        };
        if let Some(part) = part {
            return (Family::DynamoTable(format!("{}:table/{}", parts[..5].join(":"), segments[0])), part);
        }
    }
    (Family::Arn(arn.to_owned()), Part::Whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families() {
        let cases = [
            (Some("arn:aws:s3:::b"), Family::S3Bucket("b".into()), Part::Bucket),
            (Some("arn:aws:s3:::b/k/x.csv"), Family::S3Bucket("b".into()), Part::Object("k/x.csv".into())),
            (
                Some("arn:aws:dynamodb:us-east-1:1:table/orders/index/by-date"),
                Family::DynamoTable("arn:aws:dynamodb:us-east-1:1:table/orders".into()),
                Part::Index,
            ),
            (
                Some("arn:aws:dynamodb:us-east-1:1:table/orders"),
                Family::DynamoTable("arn:aws:dynamodb:us-east-1:1:table/orders".into()),
                Part::Table,
            ),
            (
                Some("arn:aws:kms:eu-west-1:4:key/abc"),
                Family::Arn("arn:aws:kms:eu-west-1:4:key/abc".into()),
                Part::Whole,
            ),
            (None, Family::NoResource, Part::Whole),
            // Found by the `propose` fuzz target: a path under the table that is neither an index nor a stream
            // was taken for the table itself, and the proposal did not allow it.
            (
                Some("arn:aws:dynamodb:eu-west-1:1:table/t/x/index/i"),
                Family::Arn("arn:aws:dynamodb:eu-west-1:1:table/t/x/index/i".into()),
                Part::Whole,
            ),
            (
                Some("arn:aws:dynamodb:eu-west-1:1:table/t/index/a/b"),
                Family::Arn("arn:aws:dynamodb:eu-west-1:1:table/t/index/a/b".into()),
                Part::Whole,
            ),
            (
                Some("arn:aws:dynamodb:eu-west-1:1:table/t/stream/2026-11-21T10:00:00.000"),
                Family::DynamoTable("arn:aws:dynamodb:eu-west-1:1:table/t".into()),
                Part::Stream,
            ),
        ];
        for (arn, family, part) in cases {
            assert_eq!(family_of(arn), (family, part), "{arn:?}");
        }
    }
}
