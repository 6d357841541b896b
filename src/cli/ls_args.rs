//! `ls` flags and their resolved config.

use super::common::{CommonArgs, Shared};
use super::formats::LsFormat;
use crate::config::Overrides;

/// The inputs a run with the same flags would read, listed without reading them.
#[derive(Debug, clap::Args)]
pub struct LsArgs {
    #[command(flatten)]
    pub common: CommonArgs<LsFormat>,
}

/// `ls`, resolved.
#[derive(Debug, Clone)]
pub struct LsTask {
    pub shared: Shared,
    pub format: LsFormat,
}

impl LsArgs {
    pub fn resolve(&self) -> Result<LsTask, String> {
        let (shared, format) = self.common.resolve("ls", Overrides::default())?;
        Ok(LsTask { shared, format })
    }
}
