//! Table-driven tests of the non-obvious mappings.

use super::*;
use crate::model::{Access, RequestFacts, Resource};

fn s3_facts(bucket: &str, key: Option<&str>, version: Option<&str>) -> RequestFacts {
    RequestFacts {
        bucket: Some(bucket.to_owned()),
        key: key.map(str::to_owned),
        version_id: version.map(str::to_owned),
        ..RequestFacts::default()
    }
}

fn pairs(accesses: &[Access]) -> Vec<(&str, Option<&str>)> {
    accesses.iter().map(|a| (a.action.as_str(), a.resource.as_deref())).collect()
}

fn run(source: &str, event: &str, facts: &RequestFacts) -> Vec<Access> {
    accesses(&ApiCall {
        region: Some("us-east-1"),
        account: Some("111122223333"),
        ..ApiCall::new(source, event, facts)
    })
}

fn resource(arn: &str, kind: &str, is_prefix: bool) -> Resource {
    Resource { arn: arn.to_owned(), kind: Some(kind.to_owned()), account: None, is_prefix }
}

/// `(event or operation, a, b, expected action or name, expected resource)`: one row of a mapping table.
pub(super) type Row<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a str, Option<&'a str>);
type CopyRow<'a> = (&'a str, &'a str, Vec<(&'a str, Option<&'a str>)>);

const S3: &str = "s3.amazonaws.com";
const B: Option<&str> = Some("arn:aws:s3:::b");
const BK: Option<&str> = Some("arn:aws:s3:::b/k");

#[test]
fn s3_single_action_mappings() {
    #[rustfmt::skip]
    let cases: &[Row] = &[
        // event, key, versionId → action, resource
        ("GetObject", Some("k"), None, "s3:GetObject", BK),
        ("GetObject", Some("k"), Some("v1"), "s3:GetObjectVersion", BK),
        ("HeadObject", Some("k"), None, "s3:GetObject", BK),
        ("HeadObject", Some("k"), Some("v1"), "s3:GetObjectVersion", BK),
        ("SelectObjectContent", Some("k"), None, "s3:GetObject", BK),
        ("DeleteObject", Some("k"), None, "s3:DeleteObject", BK),
        ("DeleteObject", Some("k"), Some("v1"), "s3:DeleteObjectVersion", BK),
        ("GetObjectAcl", Some("k"), Some("v1"), "s3:GetObjectVersionAcl", BK),
        ("PutObjectAcl", Some("k"), Some("v1"), "s3:PutObjectVersionAcl", BK),
        ("GetObjectTagging", Some("k"), Some("v1"), "s3:GetObjectVersionTagging", BK),
        ("PutObjectTagging", Some("k"), Some("null"), "s3:PutObjectVersionTagging", BK),
        ("DeleteObjectTagging", Some("k"), Some("v1"), "s3:DeleteObjectVersionTagging", BK),
        ("PutObject", Some("k"), Some("v1"), "s3:PutObject", BK),
        ("ListObjects", None, None, "s3:ListBucket", B),
        ("ListObjectsV2", None, None, "s3:ListBucket", B),
        ("HeadBucket", None, None, "s3:ListBucket", B),
        ("ListObjectVersions", None, None, "s3:ListBucketVersions", B),
        ("CreateMultipartUpload", Some("k"), None, "s3:PutObject", BK),
        ("UploadPart", Some("k"), None, "s3:PutObject", BK),
        ("CompleteMultipartUpload", Some("k"), None, "s3:PutObject", BK),
        ("AbortMultipartUpload", Some("k"), None, "s3:AbortMultipartUpload", BK),
        ("ListParts", Some("k"), None, "s3:ListMultipartUploadParts", BK),
        ("ListMultipartUploads", None, None, "s3:ListBucketMultipartUploads", B),
        ("ListBuckets", None, None, "s3:ListAllMyBuckets", None),
        ("DeleteBucket", None, None, "s3:DeleteBucket", B),
        ("DeleteBucketPolicy", None, None, "s3:DeleteBucketPolicy", B),
        ("DeleteBucketCors", None, None, "s3:PutBucketCORS", B),
        ("DeleteBucketEncryption", None, None, "s3:PutEncryptionConfiguration", B),
        ("DeleteBucketLifecycle", None, None, "s3:PutLifecycleConfiguration", B),
        ("DeleteBucketTagging", None, None, "s3:PutBucketTagging", B),
        ("DeleteBucketReplication", None, None, "s3:PutReplicationConfiguration", B),
        ("DeleteBucketOwnershipControls", None, None, "s3:PutBucketOwnershipControls", B),
        ("DeleteBucketIntelligentTieringConfiguration", None, None, "s3:PutIntelligentTieringConfiguration", B),
        ("DeleteBucketPublicAccessBlock", None, None, "s3:PutBucketPublicAccessBlock", B),
        ("PutBucketPublicAccessBlock", None, None, "s3:PutBucketPublicAccessBlock", B),
        ("GetBucketPublicAccessBlock", None, None, "s3:GetBucketPublicAccessBlock", B),
        ("GetObjectLockConfiguration", None, None, "s3:GetBucketObjectLockConfiguration", B),
        ("PutBucketNotification", None, None, "s3:PutBucketNotification", B),
        ("GetBucketEncryption", None, None, "s3:GetEncryptionConfiguration", B),
        ("PostObject", Some("k"), None, "s3:PutObject", BK),
        // Not in the table: s3:<EventName>.
        ("GetBucketAbac", None, None, "s3:GetBucketAbac", B),
    ];
    for (event, key, version, action, res) in cases {
        let facts = s3_facts("b", *key, *version);
        let got = run(S3, event, &facts);
        assert_eq!(pairs(&got), vec![(*action, *res)], "{event} key={key:?} version={version:?}");
    }
}

#[test]
fn copies_read_the_source_and_write_the_target() {
    let cases: &[CopyRow] = &[
        (
            "CopyObject",
            "src-bucket/dir/a%20b.txt",
            vec![("s3:GetObject", Some("arn:aws:s3:::src-bucket/dir/a b.txt")), ("s3:PutObject", BK)],
        ),
        (
            "CopyObject",
            "/src-bucket/x?versionId=3HL4kqtJ",
            vec![("s3:GetObjectVersion", Some("arn:aws:s3:::src-bucket/x")), ("s3:PutObject", BK)],
        ),
        ("UploadPartCopy", "src/k2", vec![("s3:GetObject", Some("arn:aws:s3:::src/k2")), ("s3:PutObject", BK)]),
        (
            "CopyObject",
            "arn:aws:s3:us-west-2:123456789012:accesspoint/ap/object/r%2Fj.pdf",
            vec![
                ("s3:GetObject", Some("arn:aws:s3:us-west-2:123456789012:accesspoint/ap/object/r/j.pdf")),
                ("s3:PutObject", BK),
            ],
        ),
        // A malformed copy source: the target write is still mapped.
        ("CopyObject", "no-slash", vec![("s3:PutObject", BK)]),
    ];
    for (event, source, expected) in cases {
        let facts = RequestFacts { copy_source: Some((*source).to_owned()), ..s3_facts("b", Some("k"), None) };
        assert_eq!(pairs(&run(S3, event, &facts)), *expected, "{event} {source}");
    }
    // CopyObject with a versionId of the *target* request does not turn the write into a Version action.
    let facts = RequestFacts { copy_source: Some("s/k".into()), ..s3_facts("b", Some("k"), Some("v")) };
    assert!(pairs(&run(S3, "CopyObject", &facts)).contains(&("s3:PutObject", BK)));
}

#[test]
fn delete_objects_is_per_key_else_a_prefix() {
    let facts = s3_facts("b", None, None);
    let items = [
        CallItem { key: Some("a"), ..CallItem::default() },
        CallItem { key: Some("c"), version_id: Some("v"), ..CallItem::default() },
    ];
    let call = ApiCall { items: &items, ..ApiCall::new(S3, "DeleteObjects", &facts) };
    assert_eq!(
        pairs(&accesses(&call)),
        vec![("s3:DeleteObject", Some("arn:aws:s3:::b/a")), ("s3:DeleteObjectVersion", Some("arn:aws:s3:::b/c")),]
    );
    // Keys unknown: one access on the bucket's objects.
    assert_eq!(pairs(&run(S3, "DeleteObjects", &facts)), vec![("s3:DeleteObject", Some("arn:aws:s3:::b/*"))]);
    // CloudTrail ARNPrefix.
    let resources = [resource("arn:aws:s3:::b/logs/", "AWS::S3::Object", true)];
    let call = ApiCall { resources: &resources, ..ApiCall::new(S3, "DeleteObjects", &facts) };
    assert_eq!(pairs(&accesses(&call)), vec![("s3:DeleteObject", Some("arn:aws:s3:::b/logs/*"))]);
    // One key (an access log BATCH.DELETE.OBJECT line).
    let facts = s3_facts("b", Some("k"), None);
    assert_eq!(pairs(&run(S3, "DeleteObjects", &facts)), vec![("s3:DeleteObject", BK)]);
}

#[test]
fn s3_resources_fall_back_to_cloudtrail_resources_and_partition() {
    let facts = RequestFacts::default();
    let resources = [
        resource("arn:aws:s3:::rb", "AWS::S3::Bucket", false),
        resource("arn:aws:s3:::rb/rk", "AWS::S3::Object", false),
    ];
    let call = ApiCall { resources: &resources, ..ApiCall::new(S3, "GetObject", &facts) };
    assert_eq!(pairs(&accesses(&call)), vec![("s3:GetObject", Some("arn:aws:s3:::rb/rk"))]);
    let call = ApiCall { resources: &resources, ..ApiCall::new(S3, "GetBucketAcl", &facts) };
    assert_eq!(pairs(&accesses(&call)), vec![("s3:GetBucketAcl", Some("arn:aws:s3:::rb"))]);
    // Network activity event: no parameters, the action is still known.
    assert_eq!(pairs(&accesses(&ApiCall::new(S3, "PutObject", &facts))), vec![("s3:PutObject", None)]);
    let facts = s3_facts("b", Some("k"), None);
    let call = ApiCall { region: Some("cn-north-1"), ..ApiCall::new(S3, "GetObject", &facts) };
    assert_eq!(pairs(&accesses(&call)), vec![("s3:GetObject", Some("arn:aws-cn:s3:::b/k"))]);
}

#[test]
fn s3_internal_operations_need_no_authorization() {
    let facts = s3_facts("b", Some("k"), None);
    for event in ["S3LifecycleExpiration", "S3LifecycleTransition", "S3InternalOperation", "OptionsPreflight"] {
        assert!(run(S3, event, &facts).is_empty(), "{event}");
        assert!(needs_no_authorization(event));
    }
    assert!(is_s3_internal_event_name("S3LifecycleExpiration"));
    assert!(!is_s3_internal_event_name("OptionsPreflight"));
    assert!(run(S3, "", &facts).is_empty());
}

mod dynamodb;
mod other;

#[test]
fn repeated_accesses_keep_their_first_occurrence_in_order() {
    let access = |action: &str, resource: Option<&str>| Access {
        action: action.to_owned(),
        resource: resource.map(str::to_owned),
    };
    let a = access("s3:GetObject", Some("arn:aws:s3:::b/k"));
    let b = access("s3:GetObject", None);
    let c = access("s3:PutObject", Some("arn:aws:s3:::b/k"));
    let cases: Vec<(&str, Vec<Access>, Vec<Access>)> = vec![
        ("empty", vec![], vec![]),
        ("no repeats", vec![a.clone(), b.clone(), c.clone()], vec![a.clone(), b.clone(), c.clone()]),
        ("repeats", vec![a.clone(), b.clone(), a.clone(), c.clone(), b.clone()], vec![a.clone(), b.clone(), c.clone()]),
        ("all the same", vec![c.clone(); 5], vec![c.clone()]),
    ];
    for (name, input, expected) in cases {
        let mut small = input.clone();
        dedup_in_order(&mut small);
        assert_eq!(small, expected, "{name}");
    }
    // Past the pairwise size (a batch of many items): the same rule.
    let many: Vec<Access> =
        (0..40).map(|i| access("dynamodb:GetItem", Some(&format!("arn:aws:dynamodb:r:1:table/t{}", i % 7)))).collect();
    let mut deduped = many.clone();
    dedup_in_order(&mut deduped);
    assert_eq!(deduped, many[..7].to_vec());
}
