//! `timeline` flags and their resolved config.

use super::common::{CommonArgs, Shared};
use super::formats::TimelineFormat;
use super::verify_args::{IntegrityCheck, VerifyFlags};
use crate::analyze::timeline::spill::SpillLimits;
use crate::analyze::timeline::{DEFAULT_SPILL_BYTES, Matcher};
use crate::config::Overrides;

#[derive(Debug, clap::Args)]
pub struct TimelineArgs {
    #[command(flatten)]
    pub common: CommonArgs<TimelineFormat>,
    #[command(flatten)]
    pub integrity: VerifyFlags,
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

/// `timeline`, resolved.
#[derive(Debug, Clone)]
pub struct TimelineTask {
    pub shared: Shared,
    pub format: TimelineFormat,
    /// What the requests are selected by (with `--vpce`, which is a filter of [`Shared::ingest`]).
    pub seed: Matcher,
    /// Follow what the seed's matches used, one level (a second pass).
    pub pivot: bool,
    pub spill: SpillLimits,
    /// `--verify`: label rows with their source file's integrity.
    pub integrity: Option<IntegrityCheck>,
}

impl TimelineArgs {
    pub fn resolve(&self) -> Result<TimelineTask, String> {
        let seed = Matcher {
            principals: self.principal.iter().cloned().collect(),
            access_keys: self.access_key.iter().cloned().collect(),
            ips: self.ip.iter().cloned().collect(),
            resources: self.resource.iter().cloned().collect(),
            session: self.session.clone(),
            any_of: false,
        };
        if seed.is_empty() && self.common.vpce.is_empty() {
            return Err(
                "timeline needs at least one of --principal, --access-key, --ip, --resource, --session, --vpce"
                    .to_owned(),
            );
        }
        if self.pivot && seed.principals.is_empty() && seed.access_keys.is_empty() && seed.ips.is_empty() {
            return Err("--pivot follows a --principal, --access-key or --ip".to_owned());
        }
        let (shared, format) = self.common.resolve("timeline", Overrides::default())?;
        let spill = SpillLimits { rows: self.spill_rows, bytes: DEFAULT_SPILL_BYTES };
        let integrity = self.integrity.resolve()?;
        Ok(TimelineTask { shared, format, seed, pivot: self.pivot, spill, integrity })
    }
}
