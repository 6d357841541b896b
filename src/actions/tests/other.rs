//! Other services, and the S3 access log operation column.

use super::{pairs, resource};
use crate::actions::generic::strip_api_version;
use crate::actions::{ApiCall, accesses, s3_access_log_operation, service_prefix};
use crate::model::RequestFacts;

#[test]
fn service_prefixes() {
    let cases = [
        ("kms.amazonaws.com", "kms"),
        ("monitoring.amazonaws.com", "cloudwatch"),
        ("email.amazonaws.com", "ses"),
        ("streams.dynamodb.amazonaws.com", "dynamodb"),
        ("runtime.sagemaker.amazonaws.com", "sagemaker"),
        ("tagging.amazonaws.com", "tag"),
        ("secretsmanager.amazonaws.com", "secretsmanager"),
        ("s3", "s3"),
        ("", ""),
    ];
    for (source, prefix) in cases {
        assert_eq!(service_prefix(source), prefix, "{source}");
    }
}

#[test]
fn other_services_map_by_name_on_each_resource() {
    let facts = RequestFacts::default();
    let key = "arn:aws:kms:us-east-2:123456789012:key/7944f0ec";
    let resources = [resource(key, "AWS::KMS::Key", false), resource("", "AWS::KMS::Key", false)];
    let call = ApiCall { resources: &resources, ..ApiCall::new("kms.amazonaws.com", "Decrypt", &facts) };
    assert_eq!(pairs(&accesses(&call)), vec![("kms:Decrypt", Some(key))]);
    let call = ApiCall::new("monitoring.amazonaws.com", "PutMetricData", &facts);
    assert_eq!(pairs(&accesses(&call)), vec![("cloudwatch:PutMetricData", None)]);
    let call = ApiCall::new("lambda.amazonaws.com", "GetFunction20150331v2", &facts);
    assert_eq!(pairs(&accesses(&call)), vec![("lambda:GetFunction", None)]);
}

#[test]
fn api_versions_are_stripped() {
    let cases = [
        ("GetFunction20150331v2", "GetFunction"),
        ("ListFunctions20150331", "ListFunctions"),
        ("CreateDistribution2020_05_31", "CreateDistribution"),
        ("Decrypt", "Decrypt"),
        ("20150331", "20150331"),
        ("Somethingv3", "Somethingv3"),
        ("", ""),
    ];
    for (name, expected) in cases {
        assert_eq!(strip_api_version(name), expected, "{name}");
    }
}

#[test]
fn access_log_operations() {
    type OpRow<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>);
    #[rustfmt::skip]
    let cases: &[OpRow] = &[
        ("REST.GET.OBJECT", Some("k"), Some("GET /b/k HTTP/1.1"), Some("GetObject")),
        ("REST.GET.OBJECT", Some("k"), Some("GET /k?torrent HTTP/1.1"), Some("GetObjectTorrent")),
        ("REST.PUT.OBJECT", Some("k"), None, Some("PutObject")),
        ("REST.HEAD.OBJECT", Some("k"), None, Some("HeadObject")),
        ("REST.DELETE.OBJECT", Some("k"), None, Some("DeleteObject")),
        ("REST.POST.OBJECT", Some("k"), None, Some("PostObject")),
        ("REST.GET.BUCKET", None, Some("GET /b?prefix=x HTTP/1.1"), Some("ListObjects")),
        ("REST.GET.BUCKET", None, Some("GET /?list-type=2&prefix=a HTTP/1.1"), Some("ListObjectsV2")),
        ("REST.GET.BUCKET", None, Some("GET /?versions HTTP/1.1"), Some("ListObjectVersions")),
        ("REST.GET.BUCKET", None, Some("GET /?location HTTP/1.1"), Some("GetBucketLocation")),
        ("REST.GET.BUCKET", None, Some("GET /b?acl HTTP/1.1"), Some("GetBucketAcl")),
        ("REST.GET.BUCKET", None, Some("GET /?policy HTTP/1.1"), Some("GetBucketPolicy")),
        ("REST.GET.BUCKET", None, Some("GET /?uploads HTTP/1.1"), Some("ListMultipartUploads")),
        ("REST.GET.BUCKETVERSIONS", None, None, Some("ListObjectVersions")),
        ("REST.HEAD.BUCKET", None, None, Some("HeadBucket")),
        ("BATCH.DELETE.OBJECT", Some("k"), None, Some("DeleteObjects")),
        ("REST.POST.MULTI_OBJECT_DELETE", None, Some("POST /?delete HTTP/1.1"), Some("DeleteObjects")),
        ("REST.POST.UPLOADS", Some("k"), None, Some("CreateMultipartUpload")),
        ("REST.PUT.PART", Some("k"), None, Some("UploadPart")),
        ("REST.POST.UPLOAD", Some("k"), None, Some("CompleteMultipartUpload")),
        ("REST.DELETE.UPLOAD", Some("k"), None, Some("AbortMultipartUpload")),
        ("REST.GET.UPLOAD", Some("k"), None, Some("ListParts")),
        ("REST.GET.UPLOADS", None, None, Some("ListMultipartUploads")),
        ("REST.COPY.OBJECT", Some("k"), None, Some("CopyObject")),
        ("REST.COPY.PART", Some("k"), None, Some("UploadPartCopy")),
        ("REST.COPY.OBJECT_GET", Some("k"), None, Some("GetObject")),
        ("REST.GET.ACL", Some("k"), None, Some("GetObjectAcl")),
        ("REST.GET.ACL", None, None, Some("GetBucketAcl")),
        ("REST.PUT.ACL", Some("k"), None, Some("PutObjectAcl")),
        ("REST.GET.OBJECT_TAGGING", None, None, Some("GetObjectTagging")),
        ("REST.GET.TAGGING", None, None, Some("GetBucketTagging")),
        ("REST.DELETE.TAGGING", None, None, Some("DeleteBucketTagging")),
        ("REST.GET.VERSIONING", None, None, Some("GetBucketVersioning")),
        ("REST.GET.LOGGING_STATUS", None, None, Some("GetBucketLogging")),
        ("REST.GET.BUCKETPOLICY", None, None, Some("GetBucketPolicy")),
        ("REST.DELETE.BUCKETPOLICY", None, None, Some("DeleteBucketPolicy")),
        ("REST.GET.POLICY_STATUS", None, None, Some("GetBucketPolicyStatus")),
        ("REST.PUT.PUBLIC_ACCESS_BLOCK", None, None, Some("PutBucketPublicAccessBlock")),
        ("REST.DELETE.LIFECYCLE", None, None, Some("DeleteBucketLifecycle")),
        ("REST.GET.LOCATION", None, None, Some("GetBucketLocation")),
        ("REST.PUT.LOCATION", None, None, None),
        ("REST.GET.ANALYTICS", None, Some("GET /?analytics HTTP/1.1"), Some("ListBucketAnalyticsConfigurations")),
        ("REST.GET.ANALYTICS", None, Some("GET /?analytics&id=a HTTP/1.1"), Some("GetBucketAnalyticsConfiguration")),
        ("REST.DELETE.INTELLIGENT_TIERING", None, None, Some("DeleteBucketIntelligentTieringConfiguration")),
        ("REST.OPTIONS.PREFLIGHT", Some("k"), None, Some("OptionsPreflight")),
        ("WEBSITE.GET.OBJECT", Some("index.html"), None, Some("GetObject")),
        ("WEBSITE.HEAD.OBJECT", Some("index.html"), None, Some("HeadObject")),
        ("S3.EXPIRE.OBJECT", Some("k"), Some("-"), Some("S3LifecycleExpiration")),
        ("S3.CREATE.DELETEMARKER", Some("k"), None, Some("S3LifecycleExpiration")),
        ("S3.TRANSITION_SIA.OBJECT", Some("k"), None, Some("S3LifecycleTransition")),
        ("S3.TRANSITION.OBJECT", Some("k"), None, Some("S3LifecycleTransition")),
        ("S3.DELETE.UPLOAD", Some("k"), None, Some("S3InternalOperation")),
        ("SOAP.CreateBucket", None, None, None),
        ("REST.GET", None, None, None),
        ("garbage", None, None, None),
        ("", None, None, None),
    ];
    for (op, key, uri, expected) in cases {
        assert_eq!(s3_access_log_operation(op, *key, *uri), *expected, "{op} {key:?} {uri:?}");
    }
}
