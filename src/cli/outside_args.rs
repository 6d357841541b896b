//! `outside` flags and their resolved config.

use super::common::{CommonArgs, Shared};
use super::formats::OutsideFormat;
use super::perimeter_args::PerimeterArgs;
use super::verify_args::{IntegrityCheck, VerifyFlags};

#[derive(Debug, clap::Args)]
pub struct OutsideArgs {
    #[command(flatten)]
    pub common: CommonArgs<OutsideFormat>,
    #[command(flatten)]
    pub integrity: VerifyFlags,
    #[command(flatten)]
    pub perimeter: PerimeterArgs,
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
        let (shared, format) = self.common.resolve("outside", self.perimeter.overrides())?;
        Ok(OutsideTask {
            shared,
            format,
            fail_on_findings: self.fail_on_findings,
            integrity: self.integrity.resolve()?,
        })
    }
}
