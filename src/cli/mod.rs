//! Command-line definitions (clap) and the shared flags, resolved once into plain configs: no clap type
//! goes past this module.

mod common;
mod export_args;
mod outside_args;
mod policy_args;
mod propose_args;
mod time_arg;
mod timeline_args;
mod verify_args;

use clap::{Parser, Subcommand};

pub use common::{AwsArgs, CommonArgs, Format, OutputConfig, Resolved};
pub use export_args::ExportArgs;
pub use outside_args::OutsideArgs;
pub use policy_args::{CheckArgs, EvalArgs, KindArg, LintArgs, LintFormat, PolicyArgs, PolicyCommand};
pub use propose_args::{ProposeArgs, ScopeArg};
pub use time_arg::{parse_duration_millis, parse_instant, parse_time_arg};
pub use timeline_args::TimelineArgs;
pub use verify_args::{VerifyArgs, VerifyFlags};

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
    /// Forensics: every request of a principal, access key, IP, endpoint or resource, in time order.
    Timeline(TimelineArgs),
    /// The normalized events as Hive-partitioned Parquet, for DuckDB, Athena, Trino or Spark (see sql/).
    Export(ExportArgs),
    /// What-if: replay the traffic seen through each endpoint against a candidate policy before deploying it.
    Check(CheckArgs),
    /// Work with one policy document: evaluate requests against it, lint it.
    Policy(PolicyArgs),
    /// Traffic that bypassed the endpoints (endpoint-bound resources reached from outside) and traffic that
    /// left through them (foreign resources and principals, requests the given policy would refuse).
    Outside(OutsideArgs),
    /// The tightest endpoint policy that still allows what the workloads did, verified by replay.
    Propose(ProposeArgs),
    /// Integrity: check CloudTrail digest signatures and chains and every log file's hash; exit 1 when any
    /// log is modified, deleted or not covered, or any digest is invalid, unchecked or missing.
    Verify(VerifyArgs),
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
    #[command(flatten)]
    pub integrity: VerifyFlags,
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
