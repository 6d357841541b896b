//! Table tests for the AWS-owned bucket catalogue and its matcher.

use super::*;

#[test]
fn recognises_aws_owned_buckets() {
    let cases = [
        ("prod-us-east-1-starport-layer-bucket", Some("Amazon ECR (image layers)")),
        ("prod-eu-west-3-starport-layer-bucket", Some("Amazon ECR (image layers)")),
        ("al2023-repos-us-gov-west-1-de612dc2", Some("Amazon Linux 2023 repositories")),
        ("al2023-eu-west-1", Some("Amazon Linux 2023 repositories")),
        ("amazon-ssm-packages-ap-southeast-4", Some("AWS Systems Manager")),
        ("cloudformation-custom-resource-response-useast1", Some("AWS CloudFormation")),
        ("prod-04-2014-tasks", Some("AWS Lambda")),
        ("repo.eu-central-1.emr.amazonaws.com", Some("Amazon EMR")),
        ("aws-cli", Some("AWS CLI (version 1 bundle)")),
        ("assets-123456789012-us-west-2", Some("AWS CodeArtifact")),
        ("amazonq-code-scan-us-east-1-a1b2c3d4", Some("Amazon Q Developer")),
        ("amazonq-test-generation-eu-central-1-x9", Some("Amazon Q Developer")),
        ("aws-neptune-notebook", Some("Amazon Neptune")),
        ("aws-neptune-notebook-us-west-2", Some("Amazon Neptune")),
        ("aws-glue-studio-transforms-123456789012-prod-us-east-1", Some("AWS Glue Studio")),
        ("sc-0a1b2c3d4e5f-us-east-1", Some("AWS Service Catalog")),
        ("1a2b-aws-data-exchange-3c4d", Some("AWS Data Exchange")),
        ("aws-synthetics-library-abc123", Some("Amazon CloudWatch Synthetics")),
        ("elasticbeanstalk-samples-us-east-1", Some("AWS Elastic Beanstalk")),
        ("elasticbeanstalk-env-resources-ap-south-1", Some("AWS Elastic Beanstalk")),
        ("elasticbeanstalk-platform-assets-public-beta-cn-north-1", Some("AWS Elastic Beanstalk")),
        ("static-us-east-1-prod-static-1a2b3c", Some("AWS Cloud9")),
        ("us-east-1.managedblockchain", Some("Amazon Managed Blockchain")),
        ("amazoncloudwatch-agent", Some("Amazon CloudWatch agent")),
        ("amazon-eks", Some("Amazon EKS")),
        // Negative: near misses, prefixes and suffixes, customer buckets of AWS-like shape.
        ("prod-attacker-starport-layer-bucket", None),
        ("prod-us-east-1x-starport-layer-bucket", None),
        ("aws-ssm-us-east-1-evil", None),
        ("exfil-drop-999988887777", None),
        ("elasticbeanstalk-us-east-1-111122223333", None),
        ("aws-cli-exfil", None),
        ("my-aws-cli", None),
        ("aws-neptune-notebook-evil", None),
        ("amazon-eks-drop", None),
        ("assets-12345678901-us-west-2", None),
        ("assets-1234567890123-us-west-2", None),
        ("assets-12345678901a-us-west-2", None),
        ("assets-123456789012-us-west-2-x", None),
        ("amazonq-code-scan-us-east-1", None),
        ("amazonq-code-scan-us-east-1-", None),
        ("aws-data-exchange", None),
        ("xaws-data-exchange", None),
        ("aws-data-exchangex", None),
        ("sc--us-east-1", None),
        ("sc-abc-notaregion", None),
        ("aws-synthetics-library-", None),
        ("cloudformation-custom-resource-response-us-east-1", None),
        ("cloudformation-custom-resource-response-use1", None),
        ("", None),
    ];
    for (bucket, expected) in cases {
        assert_eq!(aws_owned_bucket(bucket), expected, "{bucket}");
    }
}

#[test]
fn configured_patterns_extend_the_catalogue() {
    let catalogue = AwsOwned::with_configured(&[
        "my-vendor-bucket-*".to_owned(),
        "platform-artifacts".to_owned(),
        "*-mirror-*".to_owned(),
    ])
    .unwrap();
    let cases = [
        ("my-vendor-bucket-eu", Some(CONFIGURED)),
        ("my-vendor-bucket-", Some(CONFIGURED)),
        ("my-vendor-bucket", None),
        ("x-my-vendor-bucket-eu", None),
        ("platform-artifacts", Some(CONFIGURED)),
        ("platform-artifacts-2", None),
        ("pypi-mirror-eu", Some(CONFIGURED)),
        ("-mirror-", Some(CONFIGURED)),
        ("mirror", None),
        // AWS's own templates still answer first.
        ("prod-us-east-1-starport-layer-bucket", Some("Amazon ECR (image layers)")),
        ("exfil-drop-999988887777", None),
    ];
    for (bucket, want) in cases {
        assert_eq!(catalogue.bucket(bucket), want, "{bucket}");
    }
    assert_eq!(AwsOwned::builtin().bucket("my-vendor-bucket-eu"), None);
    for bad in ["", "*", "**", "My-Bucket", "bucket/key", "a b"] {
        assert!(AwsOwned::with_configured(&[bad.to_owned()]).is_err(), "{bad:?}");
    }
}

#[test]
fn lists_a_regions_buckets() {
    let buckets = aws_owned_buckets_for_region("us-east-1");
    assert!(buckets.iter().any(|(b, _)| b == "prod-us-east-1-starport-layer-bucket"));
    assert!(buckets.iter().any(|(b, _)| b == "cloudformation-custom-resource-response-useast1"));
    assert!(buckets.iter().any(|(b, _)| b == "al2023-us-east-1"));
    assert!(buckets.iter().all(|(b, _)| !b.contains('{')), "{buckets:?}");
    assert!(buckets.iter().all(|(b, _)| aws_owned_bucket(b).is_some()));
}

/// A template filled in: region `r`, its short code `rc`, account 123456789012, and `id`.
fn instance(pattern: &str, r: &str, rc: &str, id: &str) -> String {
    pattern.replace("{rc}", rc).replace("{r}", r).replace("{acct}", "123456789012").replace("{id}", id)
}

#[test]
fn every_template_matches_its_own_instance() {
    for template in TEMPLATES {
        let name = instance(template.pattern, "us-west-2", "uswest2", "a1b2");
        assert_eq!(aws_owned_bucket(&name), Some(template.service), "{}", template.pattern);
        // One more character at either end is another bucket (templates ending in {id} excepted).
        if !template.pattern.ends_with("{id}") {
            assert_eq!(aws_owned_bucket(&format!("{name}z")), None, "{name}z");
        }
        if !template.pattern.starts_with("{id}") && !template.pattern.starts_with("{r}") {
            assert_eq!(aws_owned_bucket(&format!("z{name}")), None, "z{name}");
        }
    }
}

#[test]
fn hostile_names_cost_a_bounded_amount() {
    // Longer than any bucket: never AWS-owned, never scanned.
    assert_eq!(aws_owned_bucket(&"a".repeat(10_000)), None);
    // The worst case for the position sets: two {id}s around a literal, over 63 characters.
    let name = format!("{}aws-data-exchange", "a".repeat(46));
    assert_eq!(name.len(), 63);
    assert_eq!(aws_owned_bucket(&name), None);
}

#[test]
fn bucket_of_arn() {
    assert_eq!(s3_bucket_of("arn:aws:s3:::b/k/x"), Some("b"));
    assert_eq!(s3_bucket_of("arn:aws-cn:s3:::b"), Some("b"));
    assert_eq!(s3_bucket_of("arn:aws:dynamodb:us-east-1:1:table/t"), None);
    assert_eq!(s3_bucket_of("arn:aws:s3:::"), None);
}

/// The index answers exactly as trying every entry in catalogue order would, on every template's instance,
/// its neighbours, and names that several entries match (the earliest one names the service).
#[test]
fn the_index_answers_as_a_scan_of_every_entry() {
    let catalogue = AwsOwned::with_configured(&[
        "aws-ssm-*".to_owned(),
        "*-birdwatcher-prod".to_owned(),
        "*".to_owned() + "vendor",
        "zz-*".to_owned(),
    ])
    .unwrap();
    let scan = |name: &str| catalogue.entries.iter().find(|e| matches(&e.pieces, name.as_bytes())).map(|e| e.service);
    let mut names: Vec<String> = ["aws-ssm-us-east-1", "us-east-1-birdwatcher-prod", "x-birdwatcher-prod", "a-vendor"]
        .into_iter()
        .chain(["zz-top", "vendor", "z", "-", ".", "0", "aws-ssm-", "my-bucket"])
        .map(str::to_owned)
        .collect();
    for template in TEMPLATES {
        let name = instance(template.pattern, "eu-west-1", "euwest1", "q");
        names.extend([format!("{name}z"), format!("z{name}"), format!("{name}vendor"), name]);
    }
    let mut matched = 0;
    for name in &names {
        let want = scan(name);
        matched += usize::from(want.is_some());
        assert_eq!(catalogue.bucket(name), want, "{name}");
    }
    assert!(matched > TEMPLATES.len(), "the cases exercise matches, not only misses ({matched})");
    assert_eq!(catalogue.bucket("aws-ssm-us-east-1"), Some("AWS Systems Manager"));
}
