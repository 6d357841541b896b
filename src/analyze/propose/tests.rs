//! Table-driven tests of the pure generator: grouping, granularity, scope, Sids, widening, verification.

use std::collections::BTreeSet;

use super::observed::{Observed, ObservedAccess, ObservedRequest};
use super::statements::{camel, object_patterns};
use super::*;
use crate::config::Settings;

const APP: &str = "arn:aws:iam::111122223333:role/App";
const OTHER: &str = "arn:aws:iam::444455556666:role/Analytics";

fn access(principal: &str, action: &str, resource: Option<&str>, owner: Option<&str>) -> ObservedAccess {
    let account = principal.split(':').nth(4).unwrap().to_owned();
    let mut context = vec![
        ("aws:principalaccount".to_owned(), vec![account.clone()]),
        ("aws:principalarn".to_owned(), vec![principal.to_owned()]),
        ("aws:principalisawsservice".to_owned(), vec!["false".to_owned()]),
        ("aws:principalorgid".to_owned(), vec!["o-a1b2c3d4e5".to_owned()]),
    ];
    if let Some(owner) = owner {
        context.push(("aws:resourceaccount".to_owned(), vec![owner.to_owned()]));
    }
    context.sort();
    ObservedAccess {
        principal: Some(principal.to_owned()),
        principal_account: Some(account.into()),
        principal_is_service: false,
        action: action.to_owned(),
        resource: resource.map(str::to_owned),
        context,
        known_absent: Vec::new(),
    }
}

/// principal, action, resource, owner, outcome.
type Row<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, Observed);

fn facts(rows: &[Row<'_>]) -> EndpointFacts {
    let requests = rows.iter().map(|(principal, action, resource, owner, outcome)| {
        let accesses = vec![access(principal, action, *resource, *owner)];
        (ObservedRequest { outcome: *outcome, network_activity: false, accesses }, 1)
    });
    EndpointFacts::of(requests, &["us-east-1"])
}

fn trusted() -> TrustedSet {
    let mut settings = Settings::default();
    settings.trusted_accounts.extend(["111122223333".into(), "444455556666".into()]);
    TrustedSet::from_settings(&settings)
}

fn run(facts: &EndpointFacts, options: &ProposeOptions) -> Proposal {
    propose_endpoint(&"vpce-1".into(), facts, &trusted(), options, None).expect("a proposal")
}

fn sample_rows() -> Vec<Row<'static>> {
    use Observed::*;
    vec![
        (APP, "s3:GetObject", Some("arn:aws:s3:::app-data/reports/2026/a.csv"), Some("111122223333"), Success),
        (APP, "s3:PutObject", Some("arn:aws:s3:::app-data/uploads/x.bin"), Some("111122223333"), Success),
        (APP, "s3:ListBucket", Some("arn:aws:s3:::app-data"), Some("111122223333"), Success),
        (OTHER, "s3:GetObject", Some("arn:aws:s3:::app-data/reports/2026/b.csv"), Some("111122223333"), Success),
        (
            APP,
            "s3:GetObject",
            Some("arn:aws:s3:::prod-us-east-1-starport-layer-bucket/sha/1"),
            Some("146783251090"),
            Success,
        ),
        (APP, "s3:PutObject", Some("arn:aws:s3:::exfil-drop/dump.gz"), Some("999988887777"), Success),
        (APP, "s3:DeleteObject", Some("arn:aws:s3:::app-data/reports/2026/a.csv"), Some("111122223333"), Denied),
        (
            APP,
            "dynamodb:Query",
            Some("arn:aws:dynamodb:us-east-1:111122223333:table/orders/index/by-day"),
            None,
            Success,
        ),
        (APP, "dynamodb:GetItem", Some("arn:aws:dynamodb:us-east-1:111122223333:table/orders"), None, Success),
        (APP, "dynamodb:DescribeEndpoints", None, None, Success),
    ]
}

#[test]
fn groups_resource_families_into_described_statements() {
    let p = run(&facts(&sample_rows()), &ProposeOptions::default());
    let sids: Vec<&str> = p.policy.statement.iter().map(|s| s.sid.as_str()).collect();
    let expected = [
        "S3ReadWriteAppData",
        "S3ReadAppData",
        "DynamodbReadOrders",
        "DynamodbReadDescribeEndpoints",
        "AwsOwnedAmazonECRImageLayersRead",
    ];
    assert_eq!(sids.iter().copied().collect::<BTreeSet<_>>(), expected.into_iter().collect(), "{}", p.text);
    let text = &p.text;
    assert!(text.contains("\"arn:aws:dynamodb:us-east-1:111122223333:table/orders/index/*\""), "{text}");
    assert!(!text.contains("exfil-drop"), "{text}");
    assert_eq!(p.left_out.len(), 1);
    assert_eq!(p.left_out[0].reason, "foreign-resource");
    assert_eq!(p.verified.not_allowed, 0);
    assert_eq!(p.verified.allowed, 8);
    assert_eq!(p.verified.denied_allowed_by_proposal, 0, "DeleteObject was never allowed");
    assert_eq!(p.verified.denied_stay_denied, 1);
    // Bucket-level ListBucket joins the object statement of the same principals.
    let rw = p.policy.statement.iter().find(|s| s.sid == "S3ReadWriteAppData").unwrap();
    assert_eq!(rw.resource.0, vec!["arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*"]);
    assert_eq!(rw.action.0, vec!["s3:ListBucket", "s3:PutObject"]);
    // GetObject was used by both accounts: a statement of its own, admitting both.
    let read = p.policy.statement.iter().find(|s| s.sid == "S3ReadAppData").unwrap();
    assert_eq!(read.condition["StringEquals"]["aws:PrincipalAccount"].0, vec!["111122223333", "444455556666"]);
}

#[test]
fn include_flags() {
    let rows = sample_rows();
    let foreign = run(&facts(&rows), &ProposeOptions { include_foreign: true, ..ProposeOptions::default() });
    assert!(foreign.text.contains("arn:aws:s3:::exfil-drop/*") && foreign.left_out.is_empty());
    let denied = run(&facts(&rows), &ProposeOptions { include_denied: true, ..ProposeOptions::default() });
    assert!(denied.text.contains("s3:DeleteObject") && denied.verified.allowed == 9);
    let owned = run(&facts(&rows), &ProposeOptions { allow_aws_owned: true, ..ProposeOptions::default() });
    assert!(owned.text.contains("arn:aws:s3:::amazonlinux-2-repos-us-east-1/*"), "{}", owned.text);
    assert!(owned.text.contains("\"AwsOwnedAWSSystemsManagerRead\""), "{}", owned.text);
}

#[test]
fn granularity_patterns() {
    let keys: BTreeSet<String> =
        ["reports/2026/a.csv", "reports/2026/b.csv", "uploads/x", "top.txt"].iter().map(|s| s.to_string()).collect();
    let set = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    let cases = [
        (Granularity::Bucket, set(&["*"])),
        (Granularity::Prefix(1), set(&["reports/*", "uploads/*", "top.txt"])),
        (Granularity::Prefix(2), set(&["reports/2026/*", "uploads/x", "top.txt"])),
        (Granularity::Exact, keys.clone()),
    ];
    for (granularity, want) in cases {
        assert_eq!(object_patterns(&keys, granularity), want, "{granularity:?}");
    }
    let p = run(&facts(&sample_rows()), &ProposeOptions { granularity: Granularity::Prefix(1), ..Default::default() });
    assert!(p.text.contains("arn:aws:s3:::app-data/reports/*") && p.text.contains("arn:aws:s3:::app-data/uploads/*"));
    assert!(!p.text.contains("arn:aws:s3:::app-data/*"), "{}", p.text);
}

#[test]
fn scope_conditions() {
    let cases: [(Scope, Option<(&str, &str)>); 4] = [
        (Scope::Any, None),
        (Scope::Accounts, Some(("StringEquals", "aws:PrincipalAccount"))),
        (Scope::Org, Some(("StringEquals", "aws:PrincipalOrgID"))),
        (Scope::Principals, Some(("ArnEquals", "aws:PrincipalArn"))),
    ];
    for (scope, want) in cases {
        let p = run(&facts(&sample_rows()), &ProposeOptions { scope, ..ProposeOptions::default() });
        assert_eq!(p.verified.not_allowed, 0);
        for statement in &p.policy.statement {
            assert_eq!(statement.principal, "*", "never an account principal");
            let keys: Vec<(&str, &str)> = statement
                .condition
                .iter()
                .flat_map(|(op, keys)| keys.keys().map(move |k| (op.as_str(), k.as_str())))
                .filter(|(_, k)| *k != "aws:ResourceAccount")
                .collect();
            assert_eq!(keys, want.into_iter().collect::<Vec<_>>(), "{scope:?} {}", statement.sid);
        }
    }
}

#[test]
fn sid_words() {
    let cases = [
        ("app-data-111122223333", "AppData111122223333"),
        ("Amazon ECR (image layers)", "AmazonECRImageLayers"),
        ("s3", "S3"),
        ("key/5f2b-9a3d", "Key5f2b9a3d"),
    ];
    for (input, want) in cases {
        assert_eq!(camel(input, 64), want, "{input}");
    }
}

#[test]
fn widening_steps_until_it_fits() {
    let mut rows = Vec::new();
    let resources: Vec<String> =
        (0..400).map(|i| format!("arn:aws:s3:::bucket-{:03}/folder-{i}/file.csv", i % 40)).collect();
    for (i, resource) in resources.iter().enumerate() {
        let action = if i % 2 == 0 { "s3:GetObject" } else { "s3:PutObject" };
        rows.push((APP, action, Some(resource.as_str()), Some("111122223333"), Observed::Success));
    }
    let f = facts(&rows);
    let cases: [(usize, Granularity, &[&str]); 3] = [
        (20_480, Granularity::Exact, &["exact-to-prefix"]),
        (4_000, Granularity::Prefix(1), &["prefix-to-bucket"]),
        (1_000, Granularity::Bucket, &["merge-actions", "buckets-to-account"]),
    ];
    for (max_chars, granularity, steps) in cases {
        let p = run(&f, &ProposeOptions { max_chars, granularity, ..ProposeOptions::default() });
        let got: Vec<&str> = p.widened.iter().map(|w| w.step).collect();
        assert_eq!(got, steps, "limit {max_chars}");
        assert!(p.size_chars <= max_chars && p.size_chars == p.text.chars().count());
        assert!(p.widened.windows(2).all(|w| w[0].size_chars_after == w[1].size_chars_before));
        assert_eq!((p.verified.allowed, p.verified.not_allowed), (400, 0));
    }
    let err = generate::generate(&f, &trusted(), &ProposeOptions { max_chars: 100, ..ProposeOptions::default() });
    assert!(matches!(err, Err(GenerateError::TooLarge { .. })));
}

#[test]
fn action_wildcards_add_only_reads() {
    use Observed::Success;
    let rows = [
        (APP, "s3:GetObject", Some("arn:aws:s3:::b/k"), Some("111122223333"), Success),
        (APP, "s3:GetObjectVersion", Some("arn:aws:s3:::b/k"), Some("111122223333"), Success),
        (APP, "s3:PutObject", Some("arn:aws:s3:::b/k"), Some("111122223333"), Success),
    ];
    let p = run(&facts(&rows), &ProposeOptions { action_wildcards: true, ..ProposeOptions::default() });
    assert_eq!(p.policy.statement[0].action.0, vec!["s3:GetObject*", "s3:PutObject"]);
    assert_eq!(p.action_wildcards.len(), 1);
    assert!(p.action_wildcards[0].adds.iter().all(|a| a.starts_with("s3:GetObject")));
}

/// The cheapest of five runs of `f`, in seconds (other tests run at the same time).
#[test]
fn exact_and_prefix_patterns_cost_linear_work() {
    // Each key's pattern was found by a scan of all the patterns: 20,000 distinct keys took 12-18 s at exact
    // or prefix granularity (0.9 s at bucket). Time is only compared, between n and 10n keys: 102× before,
    // ~10-15× now (the bound leaves room for other tests running at the same time).
    use super::statements::{Knobs, build};
    use super::units::build_units;
    let cost = |n: usize, granularity: Granularity| {
        let resources: Vec<String> = (0..n).map(|i| format!("arn:aws:s3:::b/d{}/k{i}", i % 7)).collect();
        let observed: Vec<Row> = resources
            .iter()
            .map(|r| (APP, "s3:GetObject", Some(r.as_str()), Some("111122223333"), Observed::Success))
            .collect();
        let options = ProposeOptions { granularity, ..ProposeOptions::default() };
        let units = build_units(&facts(&observed), &trusted(), &options);
        let knobs = Knobs {
            granularity,
            whole_buckets: BTreeSet::new(),
            scope: options.scope,
            merge_actions: false,
            s3_by_account: false,
            arns_by_account: false,
            action_wildcards: false,
        };
        let start = std::time::Instant::now();
        build(&units, &knobs);
        start.elapsed().as_secs_f64()
    };
    for granularity in [Granularity::Exact, Granularity::Prefix(1)] {
        // n and 10n alternate, and each keeps its best run: a burst of load from other tests or processes
        // inflates both sides alike instead of one.
        let (mut small, mut large) = (f64::INFINITY, f64::INFINITY);
        for _ in 0..7 {
            small = small.min(cost(1_000, granularity));
            large = large.min(cost(10_000, granularity));
        }
        let ratio = large / small;
        assert!(ratio < 60.0, "{granularity:?}: {small:.4} s for 1,000 keys, {large:.4} s for 10,000 ({ratio:.1}×)");
    }
}

proptest::proptest! {
    /// The patterns of a set of keys are the patterns of each key (a prefix never covers a key kept exact).
    #[test]
    fn patterns_are_per_key(keys in proptest::collection::btree_set("[ab/]{0,6}", 0..30), depth in 1usize..4) {
        let granularity = Granularity::Prefix(depth);
        let mut prefixes = BTreeSet::new();
        let mut exact = BTreeSet::new();
        for key in &keys {
            let segments: Vec<&str> = key.split('/').collect();
            if segments.len() > depth {
                prefixes.insert(format!("{}/*", segments[..depth].join("/")));
            } else {
                exact.insert(key.clone());
            }
        }
        exact.retain(|k| !prefixes.iter().any(|p| k.starts_with(p.trim_end_matches('*'))));
        let reference: BTreeSet<String> = prefixes.into_iter().chain(exact).collect();
        proptest::prop_assert_eq!(object_patterns(&keys, granularity), reference);
    }
}
