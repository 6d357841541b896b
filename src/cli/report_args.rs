//! `report` flags and their resolved config: the shared flags, and the options of the analyses the page
//! gathers (trusted accounts, protected resources, endpoint networks and policies as for `outside`; `propose`'s
//! options).

use super::common::{CommonArgs, Shared};
use super::formats::ReportFormat;
use super::propose_args::ScopeArg;
use crate::analyze::propose::{Granularity, ProposeOptions};
use crate::config::Overrides;

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub common: CommonArgs<ReportFormat>,
    /// Endpoint policy (the current one): replays plain "Access Denied" requests, checks successful requests, and
    /// is compared with the proposal: VPCE_ID=FILE (repeatable).
    #[arg(long = "policy", value_name = "VPCE=FILE")]
    pub policies: Vec<String>,
    /// A resource ARN that must only be reached through an endpoint (repeatable).
    #[arg(long, value_name = "ARN")]
    pub protect: Vec<String>,
    /// A VPC network behind an endpoint: S3 access log lines from it came through the endpoint (repeatable).
    #[arg(long, value_name = "VPCE=CIDR")]
    pub vpc_cidr: Vec<String>,
    /// An account whose principals and resources are trusted (repeatable or comma-separated).
    #[arg(long, value_name = "ACCOUNT_ID", value_delimiter = ',')]
    pub trusted_account: Vec<String>,
    /// An AWS Organizations id whose members are trusted.
    #[arg(long, value_name = "ORG_ID", value_delimiter = ',')]
    pub trusted_org: Vec<String>,
    /// Principals and actions listed per endpoint.
    #[arg(long, default_value_t = 5)]
    pub top: usize,
    /// How the proposals generalise S3 object keys: bucket, prefix[:DEPTH], or exact (as `propose`).
    #[arg(long, value_name = "LEVEL", default_value = "bucket")]
    pub granularity: String,
    /// Which principals the proposed statements admit (as `propose`).
    #[arg(long, value_enum, default_value_t = ScopeArg::Accounts)]
    pub scope: ScopeArg,
}

/// `report`, resolved.
#[derive(Debug, Clone)]
pub struct ReportTask {
    pub shared: Shared,
    pub format: ReportFormat,
    pub top: usize,
    pub propose: ProposeOptions,
}

impl ReportArgs {
    pub fn resolve(&self) -> Result<ReportTask, String> {
        let overrides = Overrides {
            policies: self.policies.clone(),
            trusted_accounts: self.trusted_account.clone(),
            trusted_orgs: self.trusted_org.clone(),
            protect: self.protect.clone(),
            vpc_cidrs: self.vpc_cidr.clone(),
        };
        let (shared, format) = self.common.resolve("report", overrides)?;
        let propose = ProposeOptions {
            granularity: Granularity::parse(&self.granularity)?,
            scope: self.scope.into(),
            ..ProposeOptions::default()
        };
        Ok(ReportTask { shared, format, top: self.top, propose })
    }
}
