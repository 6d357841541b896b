//! Every AccessDenied-family record in ../shared/fixtures/real is classified; the counts by cause are pinned
//! (traildiscover's policy-type messages, the AWS network activity sample, panther's vpce events, stratus'
//! EC2 encoded messages). Skips with a notice when ../shared is absent.

use crate::common;

use std::collections::BTreeMap;

use serde_json::Value;

fn by_cause(dir: &std::path::Path) -> (BTreeMap<String, u64>, u64) {
    let report: Value = common::run_json(["denied", dir.to_str().unwrap(), "--all-causes", "--format", "json"]);
    let counts = report["totals"]["by_cause"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, n)| n.as_u64().unwrap() > 0)
        .map(|(k, n)| (k.clone(), n.as_u64().unwrap()))
        .collect();
    (counts, report["totals"]["denied_requests"].as_u64().unwrap())
}

#[test]
fn real_denials_are_classified_and_pinned() {
    let Some(real) = common::real_fixtures() else { return };
    let cases: [(&str, &[(&str, u64)]); 6] = [
        ("cloudtrail/awsdocs", &[("vpce-policy", 1)]),
        ("cloudtrail/otrf", &[]),
        ("cloudtrail/panther", &[("identity-policy", 6), ("unknown", 27), ("vpce-policy", 1)]),
        ("cloudtrail/stratus-red-team", &[("identity-policy", 47), ("unknown", 4)]),
        ("cloudtrail/traildiscover", &[("identity-policy", 170), ("resource-policy", 3), ("unknown", 35)]),
        ("s3-access", &[]),
    ];
    for (folder, expected) in cases {
        let (got, total) = by_cause(&real.join(folder));
        let expected: BTreeMap<String, u64> = expected.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect();
        assert_eq!(got, expected, "{folder}");
        assert_eq!(total, expected.values().sum::<u64>(), "{folder}: every denial has exactly one cause");
    }
}
