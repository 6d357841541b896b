//! Builders for raw CloudTrail records (S3 and DynamoDB data events, KMS / Secrets Manager / other management
//! events, network activity events), shaped like the real ones in the AWS documentation and public samples.

use serde_json::{Value, json};

use crate::rng::{Rng, iso};
use crate::who::{APP_ACCT, DATA_ACCT, Who};

/// Which delivered file a record lands in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Branch {
    /// The account trail of 111122223333, us-east-1.
    Main,
    /// The organization trail's branch for 444455556666, eu-west-1.
    Org,
    /// The damaged archive (records 1..K survive).
    Damaged,
    /// `exports/lake-export-2026-11-21.json`, one record per line.
    Ndjson,
    /// `exports/athena-results-2026-11-20.json`, a bare JSON array.
    BareArray,
}

/// One CloudTrail record and where it is delivered.
pub struct Rec {
    pub v: Value,
    pub t: i64,
    pub branch: Branch,
    /// Delivered a second time in another file.
    pub dup: bool,
    /// The half-written record K+1 of the damaged archive: not recoverable, counted nowhere.
    pub lost: bool,
}

impl Rec {
    pub fn new(v: Value, t: i64, branch: Branch) -> Rec {
        Rec { v, t, branch, dup: false, lost: false }
    }

    pub fn event_id(&self) -> String {
        self.v["eventID"].as_str().unwrap_or_default().to_owned()
    }
}

/// How a request reached the service.
#[derive(Clone, Copy)]
pub enum Route<'a> {
    /// Through a customer VPC endpoint: (endpoint id, endpoint owner account).
    Vpce(&'a str, &'a str),
    /// Over the internet / a NAT gateway: no endpoint fields.
    Public,
    /// An AWS service's own path: `vpcEndpointId: "AWS Internal"`.
    AwsInternal,
}

pub const NA_DENIED_MESSAGE: &str = "The request was denied due to a VPC endpoint policy";

/// The user agent each kind of caller uses.
pub fn ua_for(who: &Who) -> String {
    let principal = who.principal.as_deref().unwrap_or_default();
    if who.service {
        return principal.to_owned();
    }
    if principal.ends_with("role/App") {
        "aws-sdk-java/2.25.60 Linux/6.1.112-124.190.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.4+7-LTS Java/21.0.4 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/standard".to_owned()
    } else if principal.ends_with("role/Batch") {
        "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#5.10.226-214.880.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython exec-env/AWS_ECS_FARGATE cfg/retry-mode#legacy Botocore/1.35.36".to_owned()
    } else if principal.ends_with("user/deploy") {
        "aws-cli/2.18.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-1015-aws md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off".to_owned()
    } else {
        "aws-sdk-java/1.12.772 Linux/5.10.225-213.878.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.12+7-LTS java/17.0.12 scala/2.12.18 vendor/Amazon.com_Inc. exec-env/Amazon_EMR".to_owned()
    }
}

/// The fields every API call record has.
#[allow(clippy::too_many_arguments)]
fn base(
    rng: &mut Rng,
    who: &Who,
    t: i64,
    version: &str,
    source: &str,
    name: &str,
    region: &str,
    ip: &str,
    ua: &str,
    request_id: String,
) -> Value {
    json!({
        "eventVersion": version,
        "userIdentity": who.identity,
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": if who.service { who.principal.clone().unwrap_or_default() } else { ip.to_owned() },
        "userAgent": ua,
        "requestParameters": null,
        "responseElements": null,
        "requestID": request_id,
        "eventID": rng.uuid(),
        "eventType": "AwsApiCall",
        "recipientAccountId": APP_ACCT,
    })
}

fn categorize(v: &mut Value, data: bool, read_only: bool) {
    v["readOnly"] = json!(read_only);
    v["managementEvent"] = json!(!data);
    v["eventCategory"] = json!(if data { "Data" } else { "Management" });
}

fn route(v: &mut Value, route: Route<'_>, host: &str, tls13: bool) {
    match route {
        Route::Vpce(id, acct) => {
            v["vpcEndpointId"] = json!(id);
            v["vpcEndpointAccountId"] = json!(acct);
        }
        Route::Public => {}
        Route::AwsInternal => {
            v["vpcEndpointId"] = json!("AWS Internal");
            return;
        }
    }
    let (version, suite) =
        if tls13 { ("TLSv1.3", "TLS_AES_128_GCM_SHA256") } else { ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256") };
    v["tlsDetails"] = json!({"tlsVersion": version, "cipherSuite": suite, "clientProvidedHostHeader": host});
}

/// Marks a record as failed.
pub fn fail(v: &mut Value, code: &str, message: &str) {
    v["errorCode"] = json!(code);
    v["errorMessage"] = json!(message);
}

/// An S3 object-level (data) event. `key` is the prefix for `ListObjects`. `owner` is the bucket owner as
/// the log shows it (`""` = unknown).
#[allow(clippy::too_many_arguments)]
pub fn s3(
    rng: &mut Rng,
    who: &Who,
    t: i64,
    ip: &str,
    name: &str,
    bucket: &str,
    key: &str,
    owner: &str,
    via: Route<'_>,
) -> Value {
    let ua = format!("[{}]", ua_for(who));
    let request_id = rng.upper_alnum(16);
    let mut v = base(rng, who, t, "1.10", "s3.amazonaws.com", name, "us-east-1", ip, &ua, request_id);
    let host = format!("{bucket}.s3.us-east-1.amazonaws.com");
    let read_only = name.starts_with("Get") || name.starts_with("Head") || name.starts_with("List");
    let bucket_arn = format!("arn:aws:s3:::{bucket}");
    let bucket_res = json!({"accountId": owner, "type": "AWS::S3::Bucket", "ARN": bucket_arn});
    if name == "ListObjects" {
        v["requestParameters"] =
            json!({"bucketName": bucket, "Host": host, "list-type": "2", "prefix": key, "encoding-type": "url"});
        v["resources"] = json!([{"type": "AWS::S3::Object", "ARNPrefix": format!("{bucket_arn}/{key}")}, bucket_res]);
    } else {
        v["requestParameters"] = json!({"bucketName": bucket, "Host": host, "key": key});
        v["resources"] = json!([{"type": "AWS::S3::Object", "ARN": format!("{bucket_arn}/{key}")}, bucket_res]);
    }
    let (bytes_in, bytes_out) = match name {
        "GetObject" => (0, rng.range(512, 4_000_000)),
        "PutObject" | "UploadPart" => (rng.range(200, 8_000_000), 0),
        "ListObjects" => (0, rng.range(600, 9000)),
        _ => (0, 0),
    };
    v["additionalEventData"] = json!({
        "SignatureVersion": "SigV4",
        "CipherSuite": "TLS_AES_128_GCM_SHA256",
        "bytesTransferredIn": bytes_in,
        "AuthenticationMethod": "AuthHeader",
        "x-amz-id-2": rng.base64ish(76),
        "bytesTransferredOut": bytes_out,
    });
    categorize(&mut v, true, read_only);
    route(&mut v, via, &host, true);
    v
}

/// A DynamoDB item-level (data) event on the `orders` table, or a management call when `table` is false.
#[allow(clippy::too_many_arguments)]
pub fn dynamodb(
    rng: &mut Rng,
    who: &Who,
    t: i64,
    ip: &str,
    name: &str,
    params: Value,
    table: bool,
    via: Route<'_>,
) -> Value {
    let ua = ua_for(who);
    let request_id = rng.upper_alnum(52);
    let mut v = base(rng, who, t, "1.09", "dynamodb.amazonaws.com", name, "us-east-1", ip, &ua, request_id);
    v["requestParameters"] = params;
    let read_only = matches!(name, "GetItem" | "Query" | "Scan" | "BatchGetItem" | "DescribeEndpoints");
    if table {
        v["resources"] =
            json!([{"accountId": APP_ACCT, "type": "AWS::DynamoDB::Table", "ARN": crate::who::TABLE_ORDERS}]);
    }
    categorize(&mut v, table, read_only);
    route(&mut v, via, "dynamodb.us-east-1.amazonaws.com", true);
    v
}

/// A KMS call on a key of the data account, in eu-west-1 (management event).
#[allow(clippy::too_many_arguments)]
pub fn kms(
    rng: &mut Rng,
    who: &Who,
    t: i64,
    ip: &str,
    name: &str,
    key_arn: &str,
    params: Value,
    via: Route<'_>,
) -> Value {
    let ua = ua_for(who);
    let request_id = rng.uuid();
    let mut v = base(rng, who, t, "1.09", "kms.amazonaws.com", name, "eu-west-1", ip, &ua, request_id);
    v["requestParameters"] = params;
    v["resources"] = json!([{"accountId": DATA_ACCT, "type": "AWS::KMS::Key", "ARN": key_arn}]);
    v["recipientAccountId"] = json!(DATA_ACCT);
    categorize(&mut v, false, true);
    route(&mut v, via, "kms.eu-west-1.amazonaws.com", true);
    v
}

/// Any other management call (`ListBuckets`, `DescribeInstances`, `AssumeRole`, `GetSecretValue`, ...).
#[allow(clippy::too_many_arguments)]
pub fn call(
    rng: &mut Rng,
    who: &Who,
    t: i64,
    ip: &str,
    source: &str,
    name: &str,
    region: &str,
    params: Value,
    read_only: bool,
    via: Route<'_>,
) -> Value {
    let ua = ua_for(who);
    let request_id = if source == "s3.amazonaws.com" { rng.upper_alnum(16) } else { rng.uuid() };
    let version = if name.starts_with("Describe") { "1.11" } else { "1.10" };
    let mut v = base(rng, who, t, version, source, name, region, ip, &ua, request_id);
    v["requestParameters"] = params;
    categorize(&mut v, false, read_only);
    let service = source.trim_end_matches(".amazonaws.com");
    let host =
        if service == "iam" { "iam.amazonaws.com".to_owned() } else { format!("{service}.{region}.amazonaws.com") };
    if !who.service {
        route(&mut v, via, &host, false);
    } else if let Route::AwsInternal = via {
        route(&mut v, via, &host, false);
    }
    v
}

/// The network activity event (`AwsVpceEvent`) the endpoint owner gets for the request in `of`:
/// same time, principal, source and name, its own eventID, no request parameters or resources.
pub fn network_activity(rng: &mut Rng, of: &Value, denied: bool) -> Value {
    let endpoint_owner = of["vpcEndpointAccountId"].clone();
    let mut v = json!({
        "eventVersion": "1.09",
        "userIdentity": of["userIdentity"],
        "eventTime": of["eventTime"],
        "eventSource": of["eventSource"],
        "eventName": of["eventName"],
        "awsRegion": of["awsRegion"],
        "sourceIPAddress": of["sourceIPAddress"],
        "requestID": of["requestID"],
        "eventID": rng.uuid(),
        "eventType": "AwsVpceEvent",
        "recipientAccountId": endpoint_owner,
        "sharedEventID": rng.uuid(),
        "vpcEndpointId": of["vpcEndpointId"],
        "vpcEndpointAccountId": endpoint_owner,
        "eventCategory": "NetworkActivity",
    });
    if denied {
        fail(&mut v, "VpceAccessDenied", NA_DENIED_MESSAGE);
    }
    v
}
