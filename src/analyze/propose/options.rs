//! The knobs of `propose`: object-key granularity, principal scope, what to include.

use std::sync::Arc;

use crate::analyze::aws_owned::AwsOwned;
use crate::policy::{EndpointKind, MAX_ENDPOINT_POLICY_CHARS};

/// How S3 object keys generalise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Granularity {
    /// `arn:aws:s3:::bucket/*`.
    #[default]
    Bucket,
    /// The first `depth` folders of each key: `arn:aws:s3:::bucket/reports/*` for depth 1; keys with fewer
    /// folders stay exact.
    Prefix(usize),
    /// Every observed key.
    Exact,
}

impl Granularity {
    /// Parses `bucket`, `prefix`, `prefix:DEPTH` (DEPTH ≥ 1) or `exact`.
    pub fn parse(text: &str) -> Result<Granularity, String> {
        match text.split_once(':') {
            None if text == "bucket" => Ok(Granularity::Bucket),
            None if text == "prefix" => Ok(Granularity::Prefix(1)),
            None if text == "exact" => Ok(Granularity::Exact),
            Some(("prefix", depth)) => match depth.parse::<usize>() {
                Ok(d) if d >= 1 => Ok(Granularity::Prefix(d)),
                _ => Err(format!("--granularity {text:?}: DEPTH must be a whole number ≥ 1")),
            },
            _ => Err(format!("--granularity {text:?}: expected bucket, prefix, prefix:DEPTH or exact")),
        }
    }

    /// The flag spelling.
    pub fn name(self) -> String {
        match self {
            Granularity::Bucket => "bucket".to_owned(),
            Granularity::Prefix(d) => format!("prefix:{d}"),
            Granularity::Exact => "exact".to_owned(),
        }
    }
}

/// Which principals the statements admit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// No principal condition.
    Any,
    /// `aws:PrincipalOrgID` of the observed principals.
    Org,
    /// `aws:PrincipalAccount` of the observed principals.
    #[default]
    Accounts,
    /// `aws:PrincipalArn` of the observed principals.
    Principals,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::Any => "any",
            Scope::Org => "org",
            Scope::Accounts => "accounts",
            Scope::Principals => "principals",
        }
    }
}

/// Everything the generator needs besides the facts.
#[derive(Debug, Clone)]
pub struct ProposeOptions {
    pub granularity: Granularity,
    pub scope: Scope,
    /// Also allow the observed denied requests.
    pub include_denied: bool,
    /// Keep requests to resources (or from principals) outside the trusted set.
    pub include_foreign: bool,
    /// Add the standard AWS-owned buckets of the endpoint's region(s) even if unseen.
    pub allow_aws_owned: bool,
    /// The AWS-owned bucket catalogue (with the configured `aws_owned_buckets`).
    pub aws_owned: Arc<AwsOwned>,
    /// Fold explicit actions into `service:Prefix*` where that adds only read-class actions.
    pub action_wildcards: bool,
    /// The endpoint kind (what the proposal is evaluated as).
    pub kind: EndpointKind,
    /// The size limit, in characters of the printed document.
    pub max_chars: usize,
}

impl Default for ProposeOptions {
    fn default() -> Self {
        ProposeOptions {
            granularity: Granularity::default(),
            scope: Scope::default(),
            include_denied: false,
            include_foreign: false,
            allow_aws_owned: false,
            aws_owned: Arc::default(),
            action_wildcards: false,
            kind: EndpointKind::Gateway,
            max_chars: MAX_ENDPOINT_POLICY_CHARS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn granularity_flags() {
        let cases = [
            ("bucket", Ok(Granularity::Bucket)),
            ("prefix", Ok(Granularity::Prefix(1))),
            ("prefix:3", Ok(Granularity::Prefix(3))),
            ("exact", Ok(Granularity::Exact)),
        ];
        for (text, want) in cases {
            assert_eq!(Granularity::parse(text), want, "{text}");
        }
        for bad in ["prefix:0", "prefix:x", "buckets", "exact:2", ""] {
            assert!(Granularity::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Granularity::Prefix(2).name(), "prefix:2");
    }
}
