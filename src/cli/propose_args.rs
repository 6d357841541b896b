//! `propose` flags.

use super::CommonArgs;

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
