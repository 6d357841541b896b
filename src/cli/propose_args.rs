//! `propose` flags and their resolved config.

use std::path::PathBuf;

use super::common::{CommonArgs, Shared};
use super::formats::ProposeFormat;
use crate::analyze::propose::{Granularity, ProposeOptions, Scope};
use crate::config::Overrides;
use crate::model::VpceId;

#[derive(Debug, clap::Args)]
pub struct ProposeArgs {
    #[command(flatten)]
    pub common: CommonArgs<ProposeFormat>,
    /// The endpoint's current policy, to say what the proposal removes (default: the policy in --config).
    /// Needs exactly one endpoint (--vpce).
    #[arg(long, value_name = "FILE")]
    pub current: Option<PathBuf>,
    /// How S3 object keys generalise: bucket, prefix[:DEPTH] (first DEPTH folders, default 1), or exact.
    #[arg(long, value_name = "LEVEL", default_value = "bucket")]
    pub granularity: String,
    /// Which principals the statements admit (conditions on Principal "*").
    #[arg(long, value_enum, default_value_t = ScopeArg::Accounts)]
    pub scope: ScopeArg,
    /// Also allow the observed denied requests.
    #[arg(long)]
    pub include_denied: bool,
    /// Keep traffic to resources or from principals outside the trusted accounts (left out by default).
    #[arg(long)]
    pub include_foreign: bool,
    /// Add the standard AWS-owned buckets of the endpoint's region (ECR layers, package repositories, SSM ...)
    /// even if unseen.
    #[arg(long)]
    pub allow_aws_owned: bool,
    /// Fold explicit actions into wildcards (s3:GetObject*) where that adds only read-class actions.
    #[arg(long)]
    pub action_wildcards: bool,
}

/// `--scope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScopeArg {
    /// No principal condition.
    Any,
    /// aws:PrincipalOrgID of the observed principals.
    Org,
    /// aws:PrincipalAccount of the observed principals.
    Accounts,
    /// aws:PrincipalArn of the observed principals.
    Principals,
}

impl From<ScopeArg> for Scope {
    fn from(scope: ScopeArg) -> Scope {
        match scope {
            ScopeArg::Any => Scope::Any,
            ScopeArg::Org => Scope::Org,
            ScopeArg::Accounts => Scope::Accounts,
            ScopeArg::Principals => Scope::Principals,
        }
    }
}

/// `propose`, resolved.
#[derive(Debug, Clone)]
pub struct ProposeTask {
    pub shared: Shared,
    pub format: ProposeFormat,
    /// The one endpoint asked for (`--vpce` given once): its policy document alone goes to stdout.
    pub single: Option<VpceId<'static>>,
    /// `--current FILE` (only with a single endpoint).
    pub current: Option<PathBuf>,
    /// The options every endpoint's proposal starts from (the AWS-owned catalogue and the endpoint kind come
    /// from the settings).
    pub options: ProposeOptions,
}

impl ProposeArgs {
    pub fn resolve(&self) -> Result<ProposeTask, String> {
        let single = match self.common.vpce.as_slice() {
            [one] => Some(VpceId::from(one.clone())),
            _ => None,
        };
        if self.current.is_some() && single.is_none() {
            return Err("--current needs exactly one endpoint: add --vpce VPCE_ID".to_owned());
        }
        let (shared, format) = self.common.resolve("propose", Overrides::default())?;
        let options = ProposeOptions {
            granularity: Granularity::parse(&self.granularity)?,
            scope: self.scope.into(),
            include_denied: self.include_denied,
            include_foreign: self.include_foreign,
            allow_aws_owned: self.allow_aws_owned,
            action_wildcards: self.action_wildcards,
            ..ProposeOptions::default()
        };
        Ok(ProposeTask { shared, format, single, current: self.current.clone(), options })
    }
}
