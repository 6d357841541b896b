//! The example `trail-vpce.toml` written beside the sample logs.

pub const TOML: &str = r#"# trail-vpce configuration for the sample world in this folder.
#
# Keys (all optional):
#   trusted_accounts  account ids whose principals and resources count as "ours".
#   trusted_orgs      AWS Organizations ids; members of these orgs are trusted too.
#   protect           ARNs (buckets, tables, ...) whose use outside an endpoint `outside` reports.
#                     A bucket ARN covers its objects.
#   [account_orgs]    account id -> organization id. Lists every member of each trusted org, so an
#                     account missing here is known NOT to be in a trusted org (aws:PrincipalOrgID).
#   [[endpoints]]     one table per VPC endpoint:
#     id              the endpoint id (vpcEndpointId in CloudTrail)
#     account         the account that owns the endpoint
#     region          the endpoint's region
#     vpc             the VPC it sits in (aws:SourceVpc; not in CloudTrail)
#     cidrs           the VPC's CIDR blocks: S3 access log lines from these addresses came through it
#     kind            "gateway" or "interface"
#     service         the service prefixes it serves (a list)
#     policy          path of the endpoint policy JSON, relative to this file
#
# Top-level keys must come before the first [table].

trusted_accounts = ["111122223333", "444455556666"]
trusted_orgs = ["o-a1b2c3d4e5"]
protect = [
    "arn:aws:s3:::app-data-111122223333",
    "arn:aws:s3:::app-logs-111122223333",
    "arn:aws:dynamodb:us-east-1:111122223333:table/orders",
]

[account_orgs]
"111122223333" = "o-a1b2c3d4e5"
"444455556666" = "o-a1b2c3d4e5"

[[endpoints]]
id = "vpce-0a1b2c3d4e5f60001"
account = "111122223333"
region = "us-east-1"
vpc = "vpc-0a1b2c3d4e5f6a001"
cidrs = ["10.0.0.0/16"]
kind = "gateway"
service = ["s3"]
policy = "policies/vpce-0a1b2c3d4e5f60001.json"

[[endpoints]]
id = "vpce-0a1b2c3d4e5f60002"
account = "111122223333"
region = "us-east-1"
vpc = "vpc-0a1b2c3d4e5f6a001"
cidrs = ["10.0.0.0/16"]
kind = "gateway"
service = ["dynamodb"]
policy = "policies/vpce-0a1b2c3d4e5f60002.json"

[[endpoints]]
id = "vpce-0a1b2c3d4e5f60003"
account = "444455556666"
region = "eu-west-1"
vpc = "vpc-0a1b2c3d4e5f6a002"
cidrs = ["10.1.0.0/16"]
kind = "interface"
service = ["kms", "secretsmanager"]
policy = "policies/vpce-0a1b2c3d4e5f60003.json"
"#;
