//! Buckets AWS owns that workloads legitimately reach through an S3 endpoint (ECR layers, package
//! repositories, Systems Manager, ...). They look like foreign-account buckets but are not: `outside` never
//! flags them and `propose` keeps the observed ones in a statement of their own.
//! Source: aws-samples/data-perimeter-policy-examples, `service_owned_resources.md` (via aws-facts.md).

/// A bucket-name template: `{r}` is a region (`us-east-1`), `{rc}` the region without dashes (`useast1`).
struct Template {
    pattern: &'static str,
    service: &'static str,
}

const TEMPLATES: &[Template] = &[
    Template { pattern: "prod-{r}-starport-layer-bucket", service: "Amazon ECR (image layers)" },
    Template { pattern: "packages.{r}.amazonaws.com", service: "Amazon Linux repositories" },
    Template { pattern: "repo.{r}.amazonaws.com", service: "Amazon Linux repositories" },
    Template { pattern: "amazonlinux.{r}.amazonaws.com", service: "Amazon Linux repositories" },
    Template { pattern: "amazonlinux-2-repos-{r}", service: "Amazon Linux 2 repositories" },
    Template { pattern: "al2023-repos-{r}-de612dc2", service: "Amazon Linux 2023 repositories" },
    Template { pattern: "aws-ssm-{r}", service: "AWS Systems Manager" },
    Template { pattern: "amazon-ssm-{r}", service: "AWS Systems Manager" },
    Template { pattern: "amazon-ssm-packages-{r}", service: "AWS Systems Manager" },
    Template { pattern: "{r}-birdwatcher-prod", service: "AWS Systems Manager" },
    Template { pattern: "aws-ssm-distributor-file-{r}", service: "AWS Systems Manager Distributor" },
    Template { pattern: "aws-ssm-document-attachments-{r}", service: "AWS Systems Manager" },
    Template { pattern: "patch-baseline-snapshot-{r}", service: "AWS Systems Manager Patch Manager" },
    Template { pattern: "aws-windows-downloads-{r}", service: "AWS Systems Manager (Windows)" },
    Template { pattern: "aws-patchmanager-macos-{r}", service: "AWS Systems Manager Patch Manager (macOS)" },
    Template { pattern: "amazoncloudwatch-agent-{r}", service: "Amazon CloudWatch agent" },
    Template { pattern: "aws-codedeploy-{r}", service: "AWS CodeDeploy" },
    Template { pattern: "ec2imagebuilder-toe-{r}-prod", service: "EC2 Image Builder" },
    Template { pattern: "prod-04-2014-tasks", service: "AWS Lambda" },
    Template { pattern: "awslambda-{r}-tasks", service: "AWS Lambda" },
    Template { pattern: "cloudformation-waitcondition-{r}", service: "AWS CloudFormation" },
    Template { pattern: "cloudformation-custom-resource-response-{rc}", service: "AWS CloudFormation" },
    Template { pattern: "elasticbeanstalk-{r}", service: "AWS Elastic Beanstalk" },
    Template { pattern: "elasticbeanstalk-platform-assets-{r}", service: "AWS Elastic Beanstalk" },
    Template { pattern: "jumpstart-cache-prod-{r}", service: "Amazon SageMaker JumpStart" },
    Template { pattern: "repo.{r}.emr.amazonaws.com", service: "Amazon EMR" },
    Template { pattern: "aws-mgn-clients-{r}", service: "AWS Application Migration Service" },
    Template { pattern: "aws-mgn-clients-hashes-{r}", service: "AWS Application Migration Service" },
    Template { pattern: "aws-mgn-internal-{r}", service: "AWS Application Migration Service" },
    Template { pattern: "aws-drs-clients-{r}", service: "AWS Elastic Disaster Recovery" },
    Template { pattern: "aws-drs-clients-hashes-{r}", service: "AWS Elastic Disaster Recovery" },
    Template { pattern: "aws-drs-internal-{r}", service: "AWS Elastic Disaster Recovery" },
];

/// The AWS service that owns `bucket`, if it is a known AWS-owned bucket.
pub fn aws_owned_bucket(bucket: &str) -> Option<&'static str> {
    TEMPLATES.iter().find(|t| matches_template(t.pattern, bucket)).map(|t| t.service)
}

/// The bucket name of an S3 ARN (`arn:aws:s3:::bucket/key` → `bucket`).
pub fn s3_bucket_of(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let (_, rest) = rest.split_once(':')?; // partition
    let rest = rest.strip_prefix("s3:::")?;
    let bucket = rest.split('/').next()?;
    (!bucket.is_empty()).then_some(bucket)
}

/// The standard AWS-owned buckets for a region, with their service, sorted by name.
pub fn aws_owned_buckets_for_region(region: &str) -> Vec<(String, &'static str)> {
    let compact = region.replace('-', "");
    let mut buckets: Vec<(String, &'static str)> =
        TEMPLATES.iter().map(|t| (t.pattern.replace("{rc}", &compact).replace("{r}", region), t.service)).collect();
    buckets.sort();
    buckets.dedup();
    buckets
}

fn matches_template(pattern: &str, bucket: &str) -> bool {
    let (placeholder, compact) = if pattern.contains("{rc}") {
        ("{rc}", true)
    } else if pattern.contains("{r}") {
        ("{r}", false)
    } else {
        return pattern == bucket;
    };
    let Some((prefix, suffix)) = pattern.split_once(placeholder) else { return false };
    let Some(middle) = bucket.strip_prefix(prefix).and_then(|rest| rest.strip_suffix(suffix)) else { return false };
    if compact { is_compact_region(middle) } else { is_region(middle) }
}

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`, `ap-southeast-4`, `cn-north-1`.
fn is_region(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    if parts.len() < 3 || parts.len() > 4 {
        return false;
    }
    let last = parts[parts.len() - 1];
    parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[1..parts.len() - 1].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && !last.is_empty()
        && last.len() <= 2
        && last.bytes().all(|b| b.is_ascii_digit())
}

/// `useast1`.
fn is_compact_region(text: &str) -> bool {
    let digits = text.bytes().rev().take_while(u8::is_ascii_digit).count();
    (1..=2).contains(&digits)
        && text.len() > digits + 4
        && text[..text.len() - digits].bytes().all(|b| b.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_aws_owned_buckets() {
        let cases = [
            ("prod-us-east-1-starport-layer-bucket", Some("Amazon ECR (image layers)")),
            ("prod-eu-west-3-starport-layer-bucket", Some("Amazon ECR (image layers)")),
            ("al2023-repos-us-gov-west-1-de612dc2", Some("Amazon Linux 2023 repositories")),
            ("amazon-ssm-packages-ap-southeast-4", Some("AWS Systems Manager")),
            ("cloudformation-custom-resource-response-useast1", Some("AWS CloudFormation")),
            ("prod-04-2014-tasks", Some("AWS Lambda")),
            ("repo.eu-central-1.emr.amazonaws.com", Some("Amazon EMR")),
            ("prod-attacker-starport-layer-bucket", None),
            ("prod-us-east-1x-starport-layer-bucket", None),
            ("aws-ssm-us-east-1-evil", None),
            ("exfil-drop-999988887777", None),
            ("elasticbeanstalk-us-east-1-111122223333", None),
        ];
        for (bucket, expected) in cases {
            assert_eq!(aws_owned_bucket(bucket), expected, "{bucket}");
        }
    }

    #[test]
    fn lists_a_regions_buckets() {
        let buckets = aws_owned_buckets_for_region("us-east-1");
        assert!(buckets.iter().any(|(b, _)| b == "prod-us-east-1-starport-layer-bucket"));
        assert!(buckets.iter().any(|(b, _)| b == "cloudformation-custom-resource-response-useast1"));
        assert!(buckets.iter().all(|(b, _)| aws_owned_bucket(b).is_some()));
    }

    #[test]
    fn bucket_of_arn() {
        assert_eq!(s3_bucket_of("arn:aws:s3:::b/k/x"), Some("b"));
        assert_eq!(s3_bucket_of("arn:aws-cn:s3:::b"), Some("b"));
        assert_eq!(s3_bucket_of("arn:aws:dynamodb:us-east-1:1:table/t"), None);
        assert_eq!(s3_bucket_of("arn:aws:s3:::"), None);
    }
}
