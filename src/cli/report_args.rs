//! `report` flags and their resolved config: the shared flags, and the options of the analyses the page
//! gathers (trusted accounts, protected resources, endpoint networks and policies as for `outside`; `propose`'s
//! options).

use super::common::{CommonArgs, Shared};
use super::formats::ReportFormat;
use super::perimeter_args::PerimeterArgs;
use super::propose_args::ScopeArg;
use crate::analyze::propose::{Granularity, ProposeOptions};

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub common: CommonArgs<ReportFormat>,
    #[command(flatten)]
    pub perimeter: PerimeterArgs,
    /// Principals and actions listed per endpoint.
    #[arg(long, default_value_t = 5)]
    pub top: usize,
    /// How the proposals generalise S3 object keys: bucket, prefix[:DEPTH], or exact (as `propose`).
    #[arg(long, value_name = "LEVEL", default_value = "bucket")]
    pub granularity: String,
    /// Which principals the proposed statements admit (as `propose`).
    #[arg(long, value_enum, default_value_t = ScopeArg::Accounts)]
    pub scope: ScopeArg,
}

/// `report`, resolved.
#[derive(Debug, Clone)]
pub struct ReportTask {
    pub shared: Shared,
    pub format: ReportFormat,
    pub top: usize,
    pub propose: ProposeOptions,
}

impl ReportArgs {
    pub fn resolve(&self) -> Result<ReportTask, String> {
        let (shared, format) = self.common.resolve("report", self.perimeter.overrides())?;
        let propose = ProposeOptions {
            granularity: Granularity::parse(&self.granularity)?,
            scope: self.scope.into(),
            ..ProposeOptions::default()
        };
        Ok(ReportTask { shared, format, top: self.top, propose })
    }
}
