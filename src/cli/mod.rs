//! Command-line definitions (clap) and the shared flags, resolved once into plain configs: no clap type
//! goes past this module.

mod common;
mod time_arg;

use clap::{Parser, Subcommand};

pub use common::{CommonArgs, Format, OutputConfig, Resolved};
pub use time_arg::{parse_duration_millis, parse_instant, parse_time_arg};

/// Stream CloudTrail and S3 server access logs and answer questions about VPC endpoints.
#[derive(Debug, Parser)]
#[command(name = "trail-vpce", version, about, long_about = None, max_term_width = 110)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inventory: per endpoint, records, first/last seen, services, top principals and actions, denials.
    Scan(ScanArgs),
    /// Denied requests: which did an endpoint policy deny, and how sure we are of the cause.
    Denied(DeniedArgs),
    /// The tightest endpoint policy that still allows what the workloads did, verified by replay.
    Propose(ProposeArgs),
}

#[derive(Debug, clap::Args)]
pub struct ProposeArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// The endpoint's current policy, to say what the proposal removes (default: the policy in --config).
    /// Needs exactly one endpoint (--vpce).
    #[arg(long, value_name = "FILE")]
    pub current: Option<std::path::PathBuf>,
    /// How S3 object keys generalise: bucket, prefix[:DEPTH] (first DEPTH folders, default 1), or exact.
    #[arg(long, value_name = "LEVEL", default_value = "bucket")]
    pub granularity: String,
    /// Which principals the statements admit (conditions on Principal "*").
    #[arg(long, value_enum, default_value_t = ScopeArg::Accounts)]
    pub scope: ScopeArg,
    /// Also allow the observed denied requests.
    #[arg(long)]
    pub include_denied: bool,
    /// Keep traffic to resources or from principals outside the trusted accounts (left out by default).
    #[arg(long)]
    pub include_foreign: bool,
    /// Add the standard AWS-owned buckets of the endpoint's region (ECR layers, package repositories, SSM ...)
    /// even if unseen.
    #[arg(long)]
    pub allow_aws_owned: bool,
    /// Fold explicit actions into wildcards (s3:GetObject*) where that adds only read-class actions.
    #[arg(long)]
    pub action_wildcards: bool,
}

/// `--scope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScopeArg {
    /// No principal condition.
    Any,
    /// aws:PrincipalOrgID of the observed principals.
    Org,
    /// aws:PrincipalAccount of the observed principals.
    Accounts,
    /// aws:PrincipalArn of the observed principals.
    Principals,
}

#[derive(Debug, clap::Args)]
pub struct DeniedArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Show every denial with its cause, not only endpoint-policy (and possibly-endpoint) denials.
    #[arg(long)]
    pub all_causes: bool,
    /// Endpoint policy to replay plain "Access Denied" requests through: VPCE_ID=FILE (repeatable).
    #[arg(long = "policy", value_name = "VPCE=FILE")]
    pub policies: Vec<String>,
    /// Dimensions to group rows by (cause, deny kind and evidence always are).
    #[arg(long, value_delimiter = ',', value_name = "DIMS", default_value = "vpce,principal,action,resource")]
    pub group_by: Vec<GroupDim>,
    /// Show at most N rows (the most frequent).
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// Exit 1 when any endpoint-policy denial is reported (for scheduled jobs).
    #[arg(long)]
    pub fail_on_findings: bool,
}

/// A dimension of `--group-by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupDim {
    Vpce,
    Principal,
    Action,
    Resource,
    /// Accepted for completeness: rows are always split by cause.
    Cause,
}

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// How many principals and actions to list per endpoint.
    #[arg(long, default_value_t = 5)]
    pub top: usize,
}
