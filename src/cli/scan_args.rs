//! `scan` flags and their resolved config.

use super::common::{CommonArgs, Shared};
use super::formats::ScanFormat;
use crate::config::Overrides;

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub common: CommonArgs<ScanFormat>,
    /// How many principals and actions to list per endpoint.
    #[arg(long, default_value_t = 5)]
    pub top: usize,
}

/// `scan`, resolved.
#[derive(Debug, Clone)]
pub struct ScanTask {
    pub shared: Shared,
    pub format: ScanFormat,
    /// Principals and actions listed per endpoint.
    pub top: usize,
}

impl ScanArgs {
    pub fn resolve(&self) -> Result<ScanTask, String> {
        let (shared, format) = self.common.resolve("scan", Overrides::default())?;
        Ok(ScanTask { shared, format, top: self.top })
    }
}
