//! `timeline` flags.

use super::CommonArgs;

#[derive(Debug, clap::Args)]
pub struct TimelineArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub integrity: super::VerifyFlags,
    /// A principal: role or user ARN (as aws:PrincipalArn), an STS session ARN, or account:<id>.
    #[arg(long, value_name = "ARN")]
    pub principal: Vec<String>,
    /// An access key id (AKIA..., ASIA...).
    #[arg(long, value_name = "KEY")]
    pub access_key: Vec<String>,
    /// A source IP address.
    #[arg(long, value_name = "ADDR")]
    pub ip: Vec<String>,
    /// A resource ARN; a bucket ARN also matches its objects.
    #[arg(long, value_name = "ARN")]
    pub resource: Vec<String>,
    /// A role session name (e.g. an instance id).
    #[arg(long, value_name = "NAME")]
    pub session: Option<String>,
    /// Also follow what the matches used, one level: the access keys, public IPs and principals of the
    /// matching requests, and every request that used any of them.
    #[arg(long)]
    pub pivot: bool,
    /// Rows kept in memory per accumulator before sorting spills to temporary files (a ~512 KiB limit applies too).
    #[arg(long, value_name = "ROWS", default_value_t = crate::analyze::timeline::DEFAULT_SPILL_ROWS, hide = true)]
    pub spill_rows: usize,
}
