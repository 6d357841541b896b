//! `verify` flags, the `--verify` flags of `timeline`, `denied` and `outside`, and their resolved configs.

use std::path::PathBuf;

use super::common::{CommonArgs, Shared};
use super::formats::VerifyFormat;
use crate::config::Overrides;

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub common: CommonArgs<VerifyFormat>,
    /// CloudTrail's public keys, saved from `aws cloudtrail list-public-keys --start-time … --end-time …`
    /// (repeatable: one file per region). Without it the keys come from the ListPublicKeys API.
    #[arg(long, value_name = "FILE")]
    pub public_keys: Vec<PathBuf>,
}

/// `verify`, resolved.
#[derive(Debug, Clone)]
pub struct VerifyTask {
    pub shared: Shared,
    pub format: VerifyFormat,
    /// Saved `list-public-keys` answers; empty: ask the ListPublicKeys API.
    pub public_keys: Vec<PathBuf>,
}

impl VerifyArgs {
    pub fn resolve(&self) -> Result<VerifyTask, String> {
        check_built("verify")?;
        let (shared, format) = self.common.resolve("verify", Overrides::default())?;
        Ok(VerifyTask { shared, format, public_keys: self.public_keys.clone() })
    }
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

/// `--verify`, resolved: the report's rows carry their source file's integrity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntegrityCheck {
    /// Saved `list-public-keys` answers; empty: ask the ListPublicKeys API.
    pub public_keys: Vec<PathBuf>,
}

impl VerifyFlags {
    /// `None` without `--verify`.
    pub fn resolve(&self) -> Result<Option<IntegrityCheck>, String> {
        if !self.verify {
            return Ok(None);
        }
        check_built("--verify")?;
        Ok(Some(IntegrityCheck { public_keys: self.public_keys.clone() }))
    }
}

/// Signatures are checked with aws-lc-rs, which the `aws` feature links: refused without it, naming the feature.
fn check_built(what: &str) -> Result<(), String> {
    if cfg!(feature = "aws") {
        return Ok(());
    }
    Err(format!(
        "{what} needs the `aws` feature (RSA signatures and SHA-256 come from aws-lc-rs, which that feature \
         links); rebuild with `--features aws`"
    ))
}
