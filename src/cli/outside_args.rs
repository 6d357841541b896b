//! `outside` flags and their resolved config.

use super::common::{CommonArgs, Shared};
use super::formats::OutsideFormat;
use super::verify_args::{IntegrityCheck, VerifyFlags};
use crate::config::Overrides;

#[derive(Debug, clap::Args)]
pub struct OutsideArgs {
    #[command(flatten)]
    pub common: CommonArgs<OutsideFormat>,
    #[command(flatten)]
    pub integrity: VerifyFlags,
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

/// `outside`, resolved (the trusted set, protected resources, networks and policies are in the overrides).
#[derive(Debug, Clone)]
pub struct OutsideTask {
    pub shared: Shared,
    pub format: OutsideFormat,
    pub fail_on_findings: bool,
    /// `--verify`: label rows with their source file's integrity.
    pub integrity: Option<IntegrityCheck>,
}

impl OutsideArgs {
    pub fn resolve(&self) -> Result<OutsideTask, String> {
        let overrides = Overrides {
            policies: self.policies.clone(),
            trusted_accounts: self.trusted_account.clone(),
            trusted_orgs: self.trusted_org.clone(),
            protect: self.protect.clone(),
            vpc_cidrs: self.vpc_cidr.clone(),
        };
        let (shared, format) = self.common.resolve("outside", overrides)?;
        Ok(OutsideTask {
            shared,
            format,
            fail_on_findings: self.fail_on_findings,
            integrity: self.integrity.resolve()?,
        })
    }
}
