//! The endpoint condition keys that need an inventory or a service table: `aws:VpceAccount`,
//! `aws:VpceOrgID`, `aws:VpceOrgPaths` (the endpoint owner's account, organization and OU paths) and
//! `aws:SourceVpcArn` (the endpoint's VPC as an ARN).
//!
//! The three owner keys are carried by a limited set of services only; where a service does not carry
//! them, the key is absent from the request context. [`VPCE_OWNER_KEY_SERVICES`] is that set, one table for
//! the request builder ([`super::requests_from_event`]) and for lint (`unsupported-condition-key`).
//!
//! `aws:SourceVpcArn` has no such list in any source we have (aws-facts.md, "Endpoint condition keys": present
//! whenever the request went through an endpoint), so it is not limited here.

/// The lower-case condition keys that only [`VPCE_OWNER_KEY_SERVICES`] carry.
pub const VPCE_OWNER_KEYS: &[&str] = &["aws:vpceaccount", "aws:vpceorgid", "aws:vpceorgpaths"];

/// Service prefixes (IAM action prefixes) whose requests carry `aws:VpceAccount`, `aws:VpceOrgID` and
/// `aws:VpceOrgPaths`. Source: aws-samples/data-perimeter-policy-examples,
/// `service_control_policies/network_perimeter_vpceorgid_scp.json` (commit 47045a06b1bcd0b3a3f4a6ff0f078b27a2362446,
/// the `Action` list of `EnforceNetworkPerimeterVpceOrgID`, 31 prefixes). The resource control policy form of
/// the same example (`resource_control_policies/network_perimeter_vpceorgid_rcp.json`, same commit) lists only
/// `s3:*` and `kms:*`, a subset (resource control policies cover fewer services). Sorted.
pub const VPCE_OWNER_KEY_SERVICES: &[&str] = &[
    "acm-pca",
    "applicationinsights",
    "apprunner",
    "athena",
    "cloudformation",
    "comprehendmedical",
    "compute-optimizer",
    "datasync",
    "discovery",
    "ebs",
    "firehose",
    "healthlake",
    "iotfleetwise",
    "iotwireless",
    "kms",
    "lambda",
    "medical-imaging",
    "omics",
    "payment-cryptography",
    "polly",
    "rbin",
    "rekognition",
    "s3",
    "scheduler",
    "servicediscovery",
    "servicequotas",
    "ssm-contacts",
    "storagegateway",
    "textract",
    "transcribe",
    "transfer",
];

/// True when requests of the IAM action `action` (`s3:GetObject`) carry the endpoint-owner keys.
pub fn action_carries_owner_keys(action: &str) -> bool {
    action.split_once(':').is_some_and(|(service, _)| service_carries_owner_keys(service))
}

/// True when `service` (an IAM action prefix, any case) is in [`VPCE_OWNER_KEY_SERVICES`].
pub fn service_carries_owner_keys(service: &str) -> bool {
    VPCE_OWNER_KEY_SERVICES.binary_search(&service.to_ascii_lowercase().as_str()).is_ok()
}

/// The partition of a region code: `aws-cn` for `cn-…`, `aws-us-gov` for `us-gov-…`, the ISO partitions for
/// theirs, `aws-eusc` for the European Sovereign Cloud, `aws` otherwise.
pub fn partition_of(region: &str) -> &'static str {
    const PREFIXES: &[(&str, &str)] = &[
        ("cn-", "aws-cn"),
        ("us-gov-", "aws-us-gov"),
        ("us-isob-", "aws-iso-b"),
        ("us-isof-", "aws-iso-f"),
        ("us-iso-", "aws-iso"),
        ("eu-isoe-", "aws-iso-e"),
        ("eusc-", "aws-eusc"),
    ];
    PREFIXES.iter().find(|(prefix, _)| region.starts_with(prefix)).map_or("aws", |(_, partition)| partition)
}

/// `arn:<partition>:ec2:<region>:<account>:vpc/<vpc>`, the value of `aws:SourceVpcArn`. `None` when a part is
/// empty (the inventory is silent: the key stays unknown).
pub fn vpc_arn(region: &str, account: &str, vpc: &str) -> Option<String> {
    if [region, account, vpc].iter().any(|s| s.trim().is_empty()) {
        return None;
    }
    Some(format!("arn:{}:ec2:{region}:{account}:vpc/{vpc}", partition_of(region)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_lower_case_and_complete() {
        assert_eq!(VPCE_OWNER_KEY_SERVICES.len(), 31);
        assert!(VPCE_OWNER_KEY_SERVICES.windows(2).all(|w| w[0] < w[1]));
        assert!(VPCE_OWNER_KEY_SERVICES.iter().all(|s| *s == s.to_ascii_lowercase()));
    }

    #[test]
    fn which_actions_carry_the_owner_keys() {
        let cases = [
            ("s3:GetObject", true),
            ("S3:GetObject", true),
            ("kms:Decrypt", true),
            ("lambda:InvokeFunction", true),
            ("transfer:StartFileTransfer", true),
            ("dynamodb:GetItem", false),
            ("sqs:SendMessage", false),
            ("sts:AssumeRole", false),
            ("s3express:CreateSession", false),
            ("s3", false),
            ("", false),
        ];
        for (action, want) in cases {
            assert_eq!(action_carries_owner_keys(action), want, "{action}");
        }
    }

    #[test]
    fn vpc_arns_and_partitions() {
        let cases = [
            ("us-east-1", "111122223333", "vpc-0abc", Some("arn:aws:ec2:us-east-1:111122223333:vpc/vpc-0abc")),
            ("cn-north-1", "111122223333", "vpc-1", Some("arn:aws-cn:ec2:cn-north-1:111122223333:vpc/vpc-1")),
            ("us-gov-west-1", "1", "vpc-1", Some("arn:aws-us-gov:ec2:us-gov-west-1:1:vpc/vpc-1")),
            ("us-isob-east-1", "1", "vpc-1", Some("arn:aws-iso-b:ec2:us-isob-east-1:1:vpc/vpc-1")),
            ("us-iso-east-1", "1", "vpc-1", Some("arn:aws-iso:ec2:us-iso-east-1:1:vpc/vpc-1")),
            ("eu-west-1", "", "vpc-1", None),
            ("", "1", "vpc-1", None),
            ("eu-west-1", "1", " ", None),
        ];
        for (region, account, vpc, want) in cases {
            assert_eq!(vpc_arn(region, account, vpc).as_deref(), want, "{region} {account} {vpc}");
        }
    }
}
