//! `denied` flags and their resolved config.

use super::common::{CommonArgs, Shared};
use super::formats::DeniedFormat;
use super::verify_args::{IntegrityCheck, VerifyFlags};
use crate::analyze::denied::GroupBy;
use crate::config::Overrides;

#[derive(Debug, clap::Args)]
pub struct DeniedArgs {
    #[command(flatten)]
    pub common: CommonArgs<DeniedFormat>,
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

/// `denied`, resolved.
#[derive(Debug, Clone)]
pub struct DeniedTask {
    pub shared: Shared,
    pub format: DeniedFormat,
    pub all_causes: bool,
    pub group_by: GroupBy,
    /// At most this many rows (the most frequent).
    pub top: Option<usize>,
    pub fail_on_findings: bool,
    /// `--verify`: label rows with their source file's integrity.
    pub integrity: Option<IntegrityCheck>,
}

impl DeniedArgs {
    pub fn resolve(&self) -> Result<DeniedTask, String> {
        let overrides = Overrides { policies: self.policies.clone(), ..Overrides::default() };
        let (shared, format) = self.common.resolve("denied", overrides)?;
        Ok(DeniedTask {
            shared,
            format,
            all_causes: self.all_causes,
            group_by: group_by(&self.group_by),
            top: self.top,
            fail_on_findings: self.fail_on_findings,
            integrity: self.integrity.resolve()?,
        })
    }
}

fn group_by(dims: &[GroupDim]) -> GroupBy {
    GroupBy {
        vpce: dims.contains(&GroupDim::Vpce),
        principal: dims.contains(&GroupDim::Principal),
        action: dims.contains(&GroupDim::Action),
        resource: dims.contains(&GroupDim::Resource),
    }
}
