//! `cloudtrail:lookup` against a local endpoint speaking the CloudTrail JSON protocol: pagination, the time
//! window sent to the API, decoding through the CloudTrail decoder, de-duplication and the input note.

use crate::aws_support;

use aws_support::lookup::LookupServer;
use aws_support::trail_vpce;

fn record(id: &str, minutes_ago: i64, name: &str) -> serde_json::Value {
    let time = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(minutes_ago);
    serde_json::json!({
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:app",
            "arn": "arn:aws:sts::111122223333:assumed-role/App/app",
            "accountId": "111122223333",
            "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::111122223333:role/App",
                "accountId": "111122223333", "userName": "App"}}
        },
        "eventTime": time.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "eventSource": "kms.amazonaws.com",
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "10.0.1.20",
        "userAgent": "aws-sdk-go-v2/1.30",
        "requestParameters": null,
        "responseElements": null,
        "eventID": id,
        "readOnly": true,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": "111122223333",
        "eventCategory": "Management",
        "vpcEndpointId": "vpce-0a1b2c3d4e5f60009",
        "vpcEndpointAccountId": "111122223333"
    })
}

#[test]
fn lookup_pages_through_the_window() {
    let pages = vec![
        vec![record("e1", 5, "Decrypt"), record("e2", 20, "GenerateDataKey"), record("e3", 120, "Decrypt")],
        vec![record("e4", 40, "Decrypt"), record("e2", 20, "GenerateDataKey")],
        vec![],
    ];
    let server = LookupServer::start(pages);
    let started = std::time::Instant::now();
    let output = trail_vpce()
        .args(["scan", "cloudtrail:lookup", "--since", "1h", "--region", "eu-west-1", "--endpoint-url"])
        .arg(server.url())
        .args(["--format", "json", "-q"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let input = &report["input"];
    assert_eq!(input["records"], 3, "{input:#}");
    assert_eq!(input["duplicate_records"], 1);
    assert_eq!(input["filtered_out"], 1);
    assert_eq!(input["files"], 1, "one input per region");
    assert!(input["notes"][0].as_str().unwrap().contains("management events only"), "{input:#}");
    let requests = server.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 3, "{requests:?}");
    assert_eq!(requests[1]["NextToken"], "page-1");
    let now = jiff::Timestamp::now().as_second() as f64;
    let start = requests[0]["StartTime"].as_f64().unwrap();
    assert!((now - 3600.0 - start).abs() < 120.0, "StartTime {start} is not an hour ago");
    // Three requests at most two a second.
    assert!(started.elapsed() >= std::time::Duration::from_millis(1000), "{:?}", started.elapsed());
}

#[test]
fn without_a_source_the_lookup_flag_is_enough() {
    let server = LookupServer::start(vec![vec![record("only", 1, "Decrypt")]]);
    let output = trail_vpce()
        .args(["denied", "--lookup", "--since", "10m", "--region", "eu-west-1", "--endpoint-url"])
        .arg(server.url())
        .args(["--format", "json", "-q"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["input"]["records"], 1);
}

#[test]
fn lookup_events_are_held_to_the_record_limits_of_files() {
    // A record nesting `levels` deep: the record itself is one level, its requestParameters the rest.
    let nested = |id: &str, levels: usize| {
        let mut value = record(id, 5, "Decrypt");
        let mut inner = serde_json::json!(1);
        for _ in 0..levels - 1 {
            inner = serde_json::json!([inner]);
        }
        value["requestParameters"] = inner;
        value
    };
    let big = {
        let mut value = record("big", 5, "Decrypt");
        value["userAgent"] = serde_json::json!("x".repeat(70_000));
        value
    };
    let server = LookupServer::start(vec![vec![nested("ok", 128), nested("deep", 129), nested("deeper", 1000), big]]);
    let output = trail_vpce()
        .args(["scan", "cloudtrail:lookup", "--since", "1h", "--region", "eu-west-1", "--endpoint-url"])
        .arg(server.url())
        .args(["--format", "json", "-q", "--max-record-bytes", "65536"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let input = &report["input"];
    assert_eq!((input["records"].as_u64(), input["bad_records"].as_u64()), (Some(1), Some(3)), "{input:#}");
    let reasons: Vec<&str> =
        input["bad_record_samples"].as_array().unwrap().iter().map(|s| s["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons[..2], ["nesting deeper than 128 levels", "nesting deeper than 128 levels"], "{input:#}");
    assert!(reasons[2].starts_with("record of ") && reasons[2].ends_with(" bytes exceeds --max-record-bytes 65536"));
}
