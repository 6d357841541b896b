//! The inventory the logs cannot show, from `trail-vpce.toml` (`--config FILE`) and command-line flags:
//! trusted accounts and organizations, account → organization and OU path, endpoints (owner, VPC, CIDRs,
//! kind, policy), protected resources. Flags add to (and, for an endpoint's policy, override) the file.
//!
//! ```toml
//! trusted_accounts = ["111122223333"]
//! trusted_orgs = ["o-a1b2c3d4e5"]
//! protect = ["arn:aws:s3:::app-data"]
//! aws_owned_buckets = ["my-vendor-bucket-*"]   # added to AWS's catalogue: never foreign ('*' spans anything)
//! [account_orgs]                # aws:PrincipalOrgID, aws:VpceOrgID (a given map is taken as complete)
//! "111122223333" = "o-a1b2c3d4e5"
//! [account_org_paths]           # aws:PrincipalOrgPaths, aws:VpceOrgPaths (an account missing: unknown)
//! "111122223333" = "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"
//! [[endpoints]]
//! id = "vpce-0abc"
//! account = "111122223333"     # the owner: aws:VpceAccount when the record lacks vpcEndpointAccountId
//! region = "us-east-1"         # with vpc and account: aws:SourceVpcArn
//! vpc = "vpc-0abc"             # aws:SourceVpc
//! cidrs = ["10.0.0.0/16"]
//! kind = "gateway"            # or "interface"
//! service = ["s3"]
//! policy = "policies/vpce-0abc.json"   # relative to the config file
//! operated_by = "customer"    # or "aws": overrides what the logs suggest (see `ownership`)
//! ```
//!
//! A listed endpoint is always the customer's unless `operated_by = "aws"` says otherwise.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ipnet::IpNet;
use serde::Deserialize;

use crate::analyze::aws_owned::AwsOwned;
use crate::model::{AccountId, VpceId};
use crate::ownership::{Configured, EndpointBook, Operator, Ownership, RecordOwners};
use crate::policy::{EndpointInventory, EndpointKind, EvalOptions, Policy, ReplayEnv};

/// Why the configuration could not be used. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("{path}: endpoint {id}: invalid CIDR {cidr:?}: {message}")]
    Cidr { path: PathBuf, id: String, cidr: String, message: String },
    #[error("policy {path}: {message}")]
    Policy { path: PathBuf, message: String },
    #[error("{0}")]
    Flag(String),
}

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    trusted_accounts: Vec<AccountId<'static>>,
    #[serde(default)]
    trusted_orgs: Vec<String>,
    #[serde(default)]
    protect: Vec<String>,
    #[serde(default)]
    account_orgs: BTreeMap<AccountId<'static>, String>,
    #[serde(default)]
    account_org_paths: BTreeMap<AccountId<'static>, String>,
    #[serde(default)]
    aws_owned_buckets: Vec<String>,
    #[serde(default)]
    endpoints: Vec<FileEndpoint>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEndpoint {
    id: VpceId<'static>,
    account: Option<AccountId<'static>>,
    region: Option<String>,
    vpc: Option<String>,
    #[serde(default)]
    cidrs: Vec<String>,
    kind: Option<FileEndpointKind>,
    #[serde(default)]
    service: Vec<String>,
    policy: Option<PathBuf>,
    operated_by: Option<Operator>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum FileEndpointKind {
    Gateway,
    Interface,
}

/// An endpoint policy, loaded and parsed.
#[derive(Debug, Clone)]
pub struct LoadedPolicy {
    pub path: PathBuf,
    pub text: String,
    pub policy: Policy,
}

/// One VPC endpoint as the user described it.
#[derive(Debug, Clone, Default)]
pub struct Endpoint {
    pub account: Option<AccountId<'static>>,
    pub region: Option<String>,
    pub vpc: Option<String>,
    pub cidrs: Vec<IpNet>,
    pub kind: Option<EndpointKind>,
    pub services: Vec<String>,
    pub policy: Option<LoadedPolicy>,
    /// `operated_by`: who runs it, overriding what the logs suggest.
    pub operated_by: Option<Operator>,
    /// Listed in the configuration file or given VPC CIDRs (`--vpc-cidr`): the customer says it is theirs. A
    /// policy given with `--policy` alone does not say who operates the endpoint.
    pub listed: bool,
}

impl Endpoint {
    /// Evaluation options for this endpoint's policy (an account principal means root only on gateways;
    /// unknown kinds get the conservative gateway meaning).
    pub fn eval_options(&self) -> EvalOptions {
        EvalOptions::for_endpoint(self.kind.unwrap_or(EndpointKind::Gateway))
    }
}

/// Everything resolved: what commands use.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub trusted_accounts: BTreeSet<AccountId<'static>>,
    pub trusted_orgs: BTreeSet<String>,
    pub account_orgs: BTreeMap<AccountId<'static>, String>,
    /// Account id → OU path (`o-…/r-…/ou-…/`).
    pub account_org_paths: BTreeMap<AccountId<'static>, String>,
    pub protect: BTreeSet<String>,
    pub endpoints: BTreeMap<VpceId<'static>, Endpoint>,
    /// AWS's bucket catalogue plus `aws_owned_buckets`, built once.
    pub aws_owned: Arc<AwsOwned>,
}

/// Flags that add to the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--policy VPCE=FILE`.
    pub policies: Vec<String>,
    pub trusted_accounts: Vec<AccountId<'static>>,
    pub trusted_orgs: Vec<String>,
    pub protect: Vec<String>,
    /// `--vpc-cidr VPCE=CIDR`.
    pub vpc_cidrs: Vec<String>,
}

impl Settings {
    /// Loads `config` (if given) and applies the flags.
    pub fn load(config: Option<&Path>, overrides: &Overrides) -> Result<Settings, ConfigError> {
        let mut settings = match config {
            Some(path) => Settings::from_file(path)?,
            None => Settings::default(),
        };
        settings.trusted_accounts.extend(overrides.trusted_accounts.iter().cloned());
        settings.trusted_orgs.extend(overrides.trusted_orgs.iter().cloned());
        settings.protect.extend(overrides.protect.iter().cloned());
        for spec in &overrides.policies {
            let (id, file) = split_assignment(spec, "--policy", "VPCE_ID=FILE")?;
            let loaded = load_policy(Path::new(file))?;
            settings.endpoints.entry(VpceId::from(id.to_owned())).or_default().policy = Some(loaded);
        }
        for spec in &overrides.vpc_cidrs {
            let (id, cidr) = split_assignment(spec, "--vpc-cidr", "VPCE_ID=CIDR")?;
            let net: IpNet = cidr.parse().map_err(|e| ConfigError::Flag(format!("--vpc-cidr {spec:?}: {e}")))?;
            let endpoint = settings.endpoints.entry(VpceId::from(id.to_owned())).or_default();
            endpoint.cidrs.push(net);
            endpoint.listed = true;
        }
        Ok(settings)
    }

    fn from_file(path: &Path) -> Result<Settings, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
        let file: FileConfig =
            toml::from_str(&text).map_err(|e| ConfigError::Syntax { path: path.to_owned(), message: e.to_string() })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut endpoints = BTreeMap::new();
        for endpoint in file.endpoints {
            let cidrs = endpoint
                .cidrs
                .iter()
                .map(|cidr| {
                    cidr.parse::<IpNet>().map_err(|e| ConfigError::Cidr {
                        path: path.to_owned(),
                        id: endpoint.id.as_str().to_owned(),
                        cidr: cidr.clone(),
                        message: e.to_string(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let policy = endpoint.policy.as_ref().map(|p| load_policy(&base.join(p))).transpose()?;
            endpoints.insert(
                endpoint.id,
                Endpoint {
                    account: endpoint.account,
                    region: endpoint.region,
                    vpc: endpoint.vpc,
                    cidrs,
                    kind: endpoint.kind.map(|k| match k {
                        FileEndpointKind::Gateway => EndpointKind::Gateway,
                        FileEndpointKind::Interface => EndpointKind::Interface,
                    }),
                    services: endpoint.service,
                    policy,
                    operated_by: endpoint.operated_by,
                    listed: true,
                },
            );
        }
        Ok(Settings {
            trusted_accounts: file.trusted_accounts.into_iter().collect(),
            trusted_orgs: file.trusted_orgs.into_iter().collect(),
            account_orgs: file.account_orgs,
            account_org_paths: file.account_org_paths,
            aws_owned: Arc::new(
                AwsOwned::with_configured(&file.aws_owned_buckets)
                    .map_err(|message| ConfigError::Syntax { path: path.to_owned(), message })?,
            ),
            protect: file.protect.into_iter().collect(),
            endpoints,
        })
    }

    /// The inventory the policy engine needs to build requests from events.
    pub fn replay_env(&self) -> ReplayEnv {
        ReplayEnv {
            account_orgs: self.account_orgs.clone(),
            account_org_paths: self.account_org_paths.clone(),
            endpoints: self
                .endpoints
                .iter()
                .map(|(id, e)| {
                    let inventory =
                        EndpointInventory { vpc: e.vpc.clone(), account: e.account.clone(), region: e.region.clone() };
                    (id.clone(), inventory)
                })
                .collect(),
        }
    }

    /// The networks whose S3 access log lines go through a known S3 endpoint (endpoints that serve `s3`,
    /// or say nothing about their services).
    pub fn s3_endpoint_networks(&self) -> Vec<crate::ingest::EndpointNetwork> {
        self.endpoints
            .iter()
            .filter(|(_, e)| e.services.is_empty() || e.services.iter().any(|s| s == "s3"))
            .flat_map(|(id, e)| {
                e.cidrs.iter().map(|net| crate::ingest::EndpointNetwork { net: *net, vpce: id.clone() })
            })
            .collect()
    }

    /// Decides who operates every endpoint the input named (and every configured one): configured endpoints
    /// are the customer's unless `operated_by` says otherwise; the accounts the configuration names (trusted
    /// accounts, endpoint owners, members of trusted organizations) and the logs' recipients are the
    /// customer's own.
    pub fn ownership(&self, book: &EndpointBook) -> Ownership {
        let (configured, accounts) = self.ownership_inputs();
        Ownership::decide(book, &configured, &accounts)
    }

    /// [`Settings::ownership`]'s rules for one record at a time (export writes as it reads).
    pub fn record_owners(&self) -> RecordOwners {
        let (configured, accounts) = self.ownership_inputs();
        RecordOwners::new(configured, accounts)
    }

    fn ownership_inputs(&self) -> (BTreeMap<VpceId<'static>, Configured>, BTreeSet<AccountId<'static>>) {
        let configured = self
            .endpoints
            .iter()
            .filter(|(_, e)| e.listed || e.operated_by.is_some())
            .map(|(id, e)| (id.clone(), Configured { operated_by: e.operated_by }))
            .collect();
        let mut accounts = self.trusted_accounts.clone();
        accounts.extend(self.endpoints.values().filter_map(|e| e.account.clone()));
        accounts.extend(
            self.account_orgs.iter().filter(|(_, org)| self.trusted_orgs.contains(*org)).map(|(a, _)| a.clone()),
        );
        (configured, accounts)
    }

    /// The endpoint policies to replay logged requests through (with the inventory requests are built with).
    pub fn endpoint_policies(&self) -> crate::policy::EndpointPolicies {
        let policies = self.policies().map(|(id, e, p)| (id.clone(), p.policy.clone(), e.eval_options()));
        crate::policy::EndpointPolicies::new(self.replay_env(), policies)
    }

    /// Endpoints that have a policy.
    pub fn policies(&self) -> impl Iterator<Item = (&VpceId<'static>, &Endpoint, &LoadedPolicy)> {
        self.endpoints.iter().filter_map(|(id, e)| Some((id, e, e.policy.as_ref()?)))
    }
}

fn split_assignment<'a>(spec: &'a str, flag: &str, shape: &str) -> Result<(&'a str, &'a str), ConfigError> {
    match spec.split_once('=') {
        Some((id, value)) if !id.trim().is_empty() && !value.trim().is_empty() => Ok((id.trim(), value.trim())),
        _ => Err(ConfigError::Flag(format!("{flag} {spec:?}: expected {shape}"))),
    }
}

/// Reads and parses a policy file.
pub fn load_policy(path: &Path) -> Result<LoadedPolicy, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::Policy { path: path.to_owned(), message: e.to_string() })?;
    let policy =
        Policy::parse(&text).map_err(|e| ConfigError::Policy { path: path.to_owned(), message: e.to_string() })?;
    Ok(LoadedPolicy { path: path.to_owned(), text, policy })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_the_sample_config() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs/trail-vpce.toml");
        let settings = Settings::load(Some(&path), &Overrides::default()).unwrap();
        assert_eq!(settings.endpoints.len(), 3);
        assert_eq!(settings.policies().count(), 3);
        assert!(settings.trusted_orgs.contains("o-a1b2c3d4e5"));
        let env = settings.replay_env();
        assert_eq!(env.endpoints["vpce-0a1b2c3d4e5f60001"].vpc.as_deref(), Some("vpc-0a1b2c3d4e5f6a001"));
        assert_eq!(settings.endpoints["vpce-0a1b2c3d4e5f60003"].kind, Some(EndpointKind::Interface));
    }

    #[test]
    fn org_paths_endpoints_and_aws_owned_buckets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        let text = r#"
aws_owned_buckets = ["my-vendor-bucket-*"]
[account_orgs]
"111122223333" = "o-a1b2c3d4e5"
[account_org_paths]
"111122223333" = "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"
[[endpoints]]
id = "vpce-1"
account = "111122223333"
region = "eu-west-1"
vpc = "vpc-1"
"#;
        std::fs::write(&path, text).unwrap();
        let settings = Settings::load(Some(&path), &Overrides::default()).unwrap();
        let env = settings.replay_env();
        assert_eq!(env.account_org_paths["111122223333"], "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/");
        let want = EndpointInventory {
            vpc: Some("vpc-1".into()),
            account: Some("111122223333".into()),
            region: Some("eu-west-1".into()),
        };
        assert_eq!(env.endpoints["vpce-1"], want);
        assert_eq!(settings.aws_owned.bucket("my-vendor-bucket-eu"), Some(crate::analyze::aws_owned::CONFIGURED));
        assert_eq!(Settings::default().aws_owned.bucket("my-vendor-bucket-eu"), None);
        std::fs::write(&path, "aws_owned_buckets = [\"Bad/Name\"]\n").unwrap();
        let err = Settings::load(Some(&path), &Overrides::default()).unwrap_err().to_string();
        assert!(err.contains("c.toml") && err.contains("aws_owned_buckets") && err.contains("Bad/Name"), "{err}");
    }

    #[test]
    fn errors_name_the_problem() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "trusted_acounts = []\n").unwrap();
        let err = Settings::load(Some(&bad), &Overrides::default()).unwrap_err().to_string();
        assert!(err.contains("bad.toml") && err.contains("trusted_acounts"), "{err}");
        let flags = Overrides { policies: vec!["vpce-1".into()], ..Overrides::default() };
        let err = Settings::load(None, &flags).unwrap_err().to_string();
        assert!(err.contains("VPCE_ID=FILE"), "{err}");
        let flags = Overrides { vpc_cidrs: vec!["vpce-1=10.0.0.0/33".into()], ..Overrides::default() };
        assert!(Settings::load(None, &flags).is_err());
        let policy = dir.path().join("p.json");
        std::fs::write(&policy, r#"{"Statement": [{"Effect": "Maybe"}]}"#).unwrap();
        let flags = Overrides { policies: vec![format!("vpce-1={}", policy.display())], ..Overrides::default() };
        let err = Settings::load(None, &flags).unwrap_err().to_string();
        assert!(err.contains("p.json") && err.contains("Statement[0]"), "{err}");
    }
}
