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
