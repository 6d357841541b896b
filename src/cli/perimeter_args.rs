//! The flags that describe the customer's perimeter, shared by `outside` and `report`: trusted accounts and
//! organizations, protected resources, the VPC networks behind endpoints, and the endpoint policies. They
//! override the configuration file.

use crate::config::Overrides;
use crate::model::AccountId;

#[derive(Debug, clap::Args)]
pub struct PerimeterArgs {
    /// A resource ARN that must only be reached through an endpoint (repeatable; a bucket ARN covers its
    /// objects). Resources seen reached through an endpoint are endpoint-bound anyway.
    #[arg(long, value_name = "ARN")]
    pub protect: Vec<String>,
    /// A VPC network behind an endpoint: S3 access log lines from it came through the endpoint (repeatable).
    #[arg(long, value_name = "VPCE=CIDR")]
    pub vpc_cidr: Vec<String>,
    /// An account whose principals and resources are trusted (repeatable or comma-separated).
    #[arg(long, value_name = "ACCOUNT_ID", value_delimiter = ',')]
    pub trusted_account: Vec<String>,
    /// An AWS Organizations id whose members are trusted (needs the account → org map of the config).
    #[arg(long, value_name = "ORG_ID", value_delimiter = ',')]
    pub trusted_org: Vec<String>,
    /// An endpoint's current policy, VPCE_ID=FILE (repeatable): successful requests are checked against it
    /// (and, in `report`, plain "Access Denied" requests replayed and the proposal compared with it).
    #[arg(long = "policy", value_name = "VPCE=FILE")]
    pub policies: Vec<String>,
}

impl PerimeterArgs {
    /// The configuration file's values these flags replace.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            policies: self.policies.clone(),
            trusted_accounts: self.trusted_account.iter().cloned().map(AccountId::from).collect(),
            trusted_orgs: self.trusted_org.clone(),
            protect: self.protect.clone(),
            vpc_cidrs: self.vpc_cidr.clone(),
        }
    }
}
