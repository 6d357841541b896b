//! Flags of `trail-vpce check` (replay traffic through candidate endpoint policies) and `trail-vpce policy`
//! (evaluate requests against a policy, lint a policy), and their resolved configs.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};

use super::common::{CommonArgs, Shared};
use super::formats::{CheckFormat, LintFormat};
use crate::config::Overrides;
use crate::policy::EndpointKind;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs<CheckFormat>,
    /// Candidate endpoint policy: VPCE_ID=FILE (repeatable; overrides the config's policy for that endpoint).
    #[arg(long = "policy", value_name = "VPCE=FILE")]
    pub policies: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub command: PolicyCommand,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Evaluate requests (JSON) against a policy: allow, implicit-deny, explicit-deny or unknown.
    Eval(EvalArgs),
    /// Check an endpoint policy for mistakes AWS rejects or that make it useless or wide open.
    Lint(LintArgs),
}

/// The kind of endpoint a policy is for (what an account principal means).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// S3 / DynamoDB gateway endpoint: an account principal means its root user only.
    Gateway,
    /// Interface endpoint: an account principal means every principal of the account.
    Interface,
}

impl From<KindArg> for EndpointKind {
    fn from(kind: KindArg) -> EndpointKind {
        match kind {
            KindArg::Gateway => EndpointKind::Gateway,
            KindArg::Interface => EndpointKind::Interface,
        }
    }
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["request", "requests"])))]
pub struct EvalArgs {
    /// The policy document (JSON).
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// One request as a JSON object (- for stdin).
    #[arg(long, value_name = "REQ.json")]
    pub request: Option<String>,
    /// Many requests, one JSON object per line (- for stdin); one decision per output line.
    #[arg(long, value_name = "FILE.ndjson")]
    pub requests: Option<String>,
    /// The endpoint kind the policy is attached to.
    #[arg(long, value_enum, default_value_t = KindArg::Gateway)]
    pub endpoint_kind: KindArg,
    /// Inventory (trail-vpce.toml): for a request whose context names aws:SourceVpce, fill in the keys the
    /// config knows (aws:SourceVpc, aws:SourceVpcArn, aws:VpceAccount, aws:VpceOrgID, aws:VpceOrgPaths)
    /// unless the context gives them; the ones it cannot tell are unknown.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// The policy document (JSON).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The endpoint kind (gateway-only rules run only when it is given).
    #[arg(long, value_enum)]
    pub endpoint_kind: Option<KindArg>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Table)]
    pub format: LintFormat,
}

/// `check`, resolved (the candidate policies are in the overrides).
#[derive(Debug, Clone)]
pub struct CheckTask {
    pub shared: Shared,
    pub format: CheckFormat,
}

impl CheckArgs {
    pub fn resolve(&self) -> Result<CheckTask, String> {
        let overrides = Overrides { policies: self.policies.clone(), ..Overrides::default() };
        let (shared, format) = self.common.resolve("check", overrides)?;
        Ok(CheckTask { shared, format })
    }
}

/// Where `policy eval` reads its requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requests {
    /// One JSON object, from this file (`-` for stdin).
    One(String),
    /// One JSON object per line, from this file (`-` for stdin).
    Many(String),
}

/// `policy eval`, resolved.
#[derive(Debug, Clone)]
pub struct EvalTask {
    pub policy: PathBuf,
    pub requests: Requests,
    pub kind: EndpointKind,
    /// The inventory that fills in the endpoint keys.
    pub config: Option<PathBuf>,
}

/// `policy lint`, resolved.
#[derive(Debug, Clone)]
pub struct LintTask {
    pub file: PathBuf,
    /// Gateway-only rules run only when the kind is given.
    pub kind: Option<EndpointKind>,
    pub format: LintFormat,
}

impl EvalArgs {
    pub fn resolve(&self) -> EvalTask {
        let requests = match (&self.request, &self.requests) {
            (Some(one), _) => Requests::One(one.clone()),
            (None, many) => Requests::Many(many.clone().unwrap_or_else(|| "-".to_owned())),
        };
        EvalTask { policy: self.policy.clone(), requests, kind: self.endpoint_kind.into(), config: self.config.clone() }
    }
}

impl LintArgs {
    pub fn resolve(&self) -> LintTask {
        LintTask { file: self.file.clone(), kind: self.endpoint_kind.map(Into::into), format: self.format }
    }
}
