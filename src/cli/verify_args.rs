//! `verify` flags.

use std::path::PathBuf;

use super::CommonArgs;

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// CloudTrail's public keys, saved from `aws cloudtrail list-public-keys --start-time … --end-time …`
    /// (repeatable: one file per region). Without it the keys come from the ListPublicKeys API.
    #[arg(long, value_name = "FILE")]
    pub public_keys: Vec<PathBuf>,
}

/// `--verify` on `timeline`, `denied` and `outside`.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Integrity")]
pub struct VerifyFlags {
    /// Also check the CloudTrail log files read against their signed digests, in the same pass (each file is
    /// hashed as it is decoded): every row says whether its source file is verified, unverified or altered.
    #[arg(long)]
    pub verify: bool,
    /// With --verify: CloudTrail's public keys saved from `aws cloudtrail list-public-keys` (repeatable);
    /// without it they come from the ListPublicKeys API.
    #[arg(long, value_name = "FILE", requires = "verify")]
    pub public_keys: Vec<PathBuf>,
}
