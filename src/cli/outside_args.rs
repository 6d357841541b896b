//! `outside` flags.

use super::CommonArgs;

#[derive(Debug, clap::Args)]
pub struct OutsideArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub integrity: super::VerifyFlags,
    /// A resource ARN that must only be reached through an endpoint (repeatable; a bucket ARN covers its
    /// objects). Resources seen reached through an endpoint are endpoint-bound anyway.
    #[arg(long, value_name = "ARN")]
    pub protect: Vec<String>,
    /// A VPC network behind an endpoint: S3 access log lines from it came through the endpoint (repeatable).
    #[arg(long, value_name = "VPCE=CIDR")]
    pub vpc_cidr: Vec<String>,
    /// An account whose principals and resources are trusted (repeatable or comma-separated).
    #[arg(long, value_name = "ACCOUNT_ID", value_delimiter = ',')]
    pub trusted_account: Vec<String>,
    /// An AWS Organizations id whose members are trusted (needs the account → org map of the config).
    #[arg(long, value_name = "ORG_ID", value_delimiter = ',')]
    pub trusted_org: Vec<String>,
    /// Endpoint policy to check successful requests against: VPCE_ID=FILE (repeatable).
    #[arg(long = "policy", value_name = "VPCE=FILE")]
    pub policies: Vec<String>,
    /// Exit 1 when any finding of medium or high severity is reported.
    #[arg(long)]
    pub fail_on_findings: bool,
}
