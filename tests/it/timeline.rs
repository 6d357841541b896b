//! `timeline` on the planted stolen-credentials story: the exact ordered events (CloudTrail and S3 access
//! log lines), the summary, the pivot, and the same order when sorting spills to disk.

use crate::common;

use serde_json::Value;

use common::manifest;

/// `trail-vpce timeline sample-logs ARGS -q`.
fn timeline(args: &[&str]) -> common::Run {
    common::run(["timeline", &common::sample()].iter().copied().chain(args.iter().copied()).chain(["-q"]))
}

/// `trail-vpce timeline sample-logs ARGS -q`, expecting exit 0 and one JSON document.
fn json(args: &[&str]) -> Value {
    common::run_json(["timeline", &common::sample()].iter().copied().chain(args.iter().copied()))
}

#[test]
fn the_leaked_session_story_in_exact_order() {
    let m = manifest();
    let story = &m["timeline_app_role"];
    let session = story["session_arn"].as_str().unwrap();
    let rotated = story["events"][0]["time"].as_str().unwrap();
    // The leaked key is in use from the rotation on: the session's requests since then are the story.
    let since = &rotated[..13];
    let since = format!("{since}:00:00Z");
    for spill in ["100000", "7"] {
        let report = json(&["--principal", session, "--since", &since, "--format", "json", "--spill-rows", spill]);
        let got: Vec<&str> =
            report["events"].as_array().unwrap().iter().map(|e| e["event_id"].as_str().unwrap()).collect();
        let want: Vec<&str> = story["event_ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(got, want, "spill rows {spill}");
        let logs: Vec<&str> =
            report["events"].as_array().unwrap().iter().map(|e| e["evidence"].as_str().unwrap()).collect();
        assert!(logs.contains(&"s3-access-log") && logs.contains(&"cloudtrail"));
        let summary = &report["summary"];
        assert_eq!(summary["requests"].as_u64().unwrap() as usize, want.len());
        assert_eq!(summary["public_ips"], serde_json::json!([m["world"]["attacker_ip"]]));
        assert_eq!(summary["access_keys"], serde_json::json!([story["access_key_id"]]));
        let first_outside = &summary["first_outside_usual_endpoint"];
        assert_eq!(first_outside["source_ip"], m["world"]["attacker_ip"]);
        assert_eq!(first_outside["vpce"], Value::Null);
    }
}

#[test]
fn pivot_finds_the_key_and_the_public_ip() {
    let m = manifest();
    let key = m["world"]["leaked_access_key"].as_str().unwrap();
    let report = json(&["--access-key", key, "--pivot", "--format", "json"]);
    let pivot = &report["pivot"];
    assert_eq!(pivot["access_keys"], serde_json::json!([key]));
    assert_eq!(pivot["public_ips"], serde_json::json!([m["world"]["attacker_ip"]]));
    assert_eq!(pivot["principals"], serde_json::json!([m["timeline_app_role"]["role"]]));
    // Back from the IP: everything from the attacker address comes along, whoever made it.
    let from_ip = json(&["--ip", m["world"]["attacker_ip"].as_str().unwrap(), "--format", "json"]);
    let pivot_ids: Vec<&Value> = report["events"].as_array().unwrap().iter().map(|e| &e["event_id"]).collect();
    for event in from_ip["events"].as_array().unwrap() {
        assert!(pivot_ids.contains(&&event["event_id"]), "{event}");
    }
    // Times are in order.
    let times: Vec<&str> = report["events"].as_array().unwrap().iter().filter_map(|e| e["time"].as_str()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn ndjson_table_and_usage() {
    let key = manifest()["world"]["leaked_access_key"].as_str().unwrap().to_owned();
    let ndjson = timeline(&["--access-key", &key, "--format", "ndjson"]);
    let lines = String::from_utf8(ndjson.stdout).unwrap();
    assert!(lines.lines().count() > 100);
    assert!(lines.lines().all(|l| serde_json::from_str::<Value>(l).is_ok()));
    let table = timeline(&["--access-key", &key]);
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("first request outside its endpoints"), "{text}");
    assert!(text.contains("outside"));
    let none = timeline(&[]);
    assert_eq!(none.code, 2);
}
