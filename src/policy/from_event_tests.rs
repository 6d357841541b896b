//! Table tests for [`super::requests_from_event`].

use super::*;
use crate::model::{Access, Outcome, Principal, RequestFacts, Resource, Timestamp, Tls};
use crate::policy::Lookup;

fn event() -> Event {
    let mut principal = Principal::unknown();
    principal.arn = Some("arn:aws:iam::111122223333:role/App".to_owned());
    principal.kind = PrincipalType::AssumedRole;
    principal.account = Some("111122223333".into());
    principal.principal_id = Some("AROAEXAMPLE:i-0abc".to_owned());
    Event {
        time: Timestamp::parse_rfc3339("2024-06-04T23:12:50Z"),
        kind: LogKind::CloudTrail,
        event_source: "s3.amazonaws.com".to_owned(),
        event_name: "ListObjects".to_owned(),
        accesses: vec![Access { action: "s3:ListBucket".to_owned(), resource: Some("arn:aws:s3:::b".to_owned()) }],
        region: Some("eu-west-1".to_owned()),
        principal,
        source_ip: Some("10.0.1.5".to_owned()),
        vpce: Some("vpce-1".into()),
        vpce_account: Some("111122223333".into()),
        resources: vec![Resource {
            arn: "arn:aws:s3:::b".to_owned(),
            kind: Some("AWS::S3::Bucket".to_owned()),
            account: Some("444455556666".into()),
            is_prefix: false,
        }],
        outcome: Outcome::Success,
        category: crate::model::EventCategory::Data,
        event_type: Some("AwsApiCall".to_owned()),
        event_id: Some("e1".to_owned()),
        recipient_account: Some("111122223333".into()),
        tls: Some(Tls { version: Some("TLSv1.3".to_owned()), cipher: None }),
        read_only: Some(true),
        request: RequestFacts { prefix: Some("logs/".to_owned()), ..RequestFacts::default() },
        ..Event::blank()
    }
}

fn value(request: &Request, key: &str) -> Option<String> {
    match request.lookup(&key.to_ascii_lowercase()) {
        Lookup::Present(values) => Some(values.join(",")),
        Lookup::Absent => Some("<absent>".to_owned()),
        Lookup::Unknown => None,
    }
}

#[test]
fn keys_through_an_endpoint() {
    let mut env = ReplayEnv::default();
    env.account_orgs.insert("111122223333".into(), "o-abc".to_owned());
    let requests = requests_from_event(&event(), &env);
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.action, "s3:ListBucket");
    assert_eq!(r.principal.as_deref(), Some("arn:aws:iam::111122223333:role/App"));
    let cases = [
        ("aws:PrincipalArn", Some("arn:aws:iam::111122223333:role/App")),
        ("aws:PrincipalAccount", Some("111122223333")),
        ("aws:PrincipalOrgID", Some("o-abc")),
        ("aws:PrincipalType", Some("AssumedRole")),
        ("aws:PrincipalIsAWSService", Some("false")),
        ("aws:userid", Some("AROAEXAMPLE:i-0abc")),
        ("aws:username", Some("<absent>")),
        ("aws:SourceVpce", Some("vpce-1")),
        ("aws:SourceVpc", None),
        ("aws:VpcSourceIp", Some("10.0.1.5")),
        ("aws:SourceIp", Some("<absent>")),
        ("aws:ResourceAccount", Some("444455556666")),
        ("s3:ResourceAccount", Some("444455556666")),
        ("aws:SecureTransport", Some("true")),
        ("aws:ViaAWSService", Some("false")),
        ("aws:CalledVia", Some("<absent>")),
        ("s3:prefix", Some("logs/")),
        ("aws:PrincipalTag/team", None),
        ("aws:EpochTime", Some("1717542770")),
        ("aws:RequestedRegion", Some("eu-west-1")),
    ];
    for (key, want) in cases {
        assert_eq!(value(r, key).as_deref(), want, "{key}");
    }
}

#[test]
fn keys_outside_an_endpoint_and_unknowns() {
    let mut e = event();
    e.vpce = None;
    e.source_ip = Some("203.0.113.9".to_owned());
    e.principal.kind = PrincipalType::IAMUser;
    e.principal.user_name = Some("alice".to_owned());
    e.principal.invoked_by = Some("athena.amazonaws.com".to_owned());
    let r = &requests_from_event(&e, &ReplayEnv::default())[0];
    let cases = [
        ("aws:SourceIp", Some("203.0.113.9")),
        ("aws:SourceVpce", Some("<absent>")),
        ("aws:VpcSourceIp", Some("<absent>")),
        ("aws:PrincipalType", Some("User")),
        ("aws:username", Some("alice")),
        ("aws:PrincipalOrgID", None),
        ("aws:CalledVia", Some("athena.amazonaws.com")),
        ("aws:ViaAWSService", Some("true")),
    ];
    for (key, want) in cases {
        assert_eq!(value(r, key).as_deref(), want, "{key}");
    }
    // Access logs never show the endpoint: every network key stays unknown.
    let mut log = event();
    log.kind = LogKind::S3AccessLog;
    log.vpce = None;
    let r = &requests_from_event(&log, &ReplayEnv::default())[0];
    for key in ["aws:SourceVpce", "aws:SourceIp", "aws:VpcSourceIp", "aws:CalledVia"] {
        assert_eq!(value(r, key), None, "{key}");
    }
}

#[test]
fn service_and_anonymous_principals() {
    let mut e = event();
    e.principal = Principal::unknown();
    e.principal.kind = PrincipalType::AWSService;
    e.principal.arn = Some("cloudtrail.amazonaws.com".to_owned());
    let r = &requests_from_event(&e, &ReplayEnv::default())[0];
    assert!(r.principal_is_service);
    assert_eq!(r.principal.as_deref(), Some("cloudtrail.amazonaws.com"));
    assert_eq!(value(r, "aws:PrincipalIsAWSService").as_deref(), Some("true"));
    assert_eq!(value(r, "aws:PrincipalArn"), None);

    let mut e = event();
    e.principal = Principal::unknown();
    e.principal.account = Some("ANONYMOUS_PRINCIPAL".into());
    let r = &requests_from_event(&e, &ReplayEnv::default())[0];
    assert_eq!(r.principal.as_deref(), Some("anonymous"));
    assert_eq!(r.principal_account, None);
    assert_eq!(value(r, "aws:PrincipalType").as_deref(), Some("Anonymous"));
    assert_eq!(value(r, "aws:PrincipalAccount").as_deref(), Some("<absent>"));
}

#[test]
fn an_object_is_owned_by_its_buckets_account() {
    // CloudTrail puts accountId on the bucket entry only.
    let mut e = event();
    e.event_name = "GetObject".to_owned();
    e.accesses = vec![Access { action: "s3:GetObject".to_owned(), resource: Some("arn:aws:s3:::b/k/1".to_owned()) }];
    e.resources.insert(
        0,
        Resource {
            arn: "arn:aws:s3:::b/k/1".to_owned(),
            kind: Some("AWS::S3::Object".to_owned()),
            account: None,
            is_prefix: false,
        },
    );
    let r = &requests_from_event(&e, &ReplayEnv::default())[0];
    assert_eq!(value(r, "aws:ResourceAccount").as_deref(), Some("444455556666"));
    assert_eq!(value(r, "s3:ResourceAccount").as_deref(), Some("444455556666"));
    // A bucket whose name merely starts the same does not count.
    e.resources[1].arn = "arn:aws:s3:::b2".to_owned();
    let r = &requests_from_event(&e, &ReplayEnv::default())[0];
    assert_eq!(value(r, "aws:ResourceAccount"), None);
}

/// The endpoint keys: from the record, from the inventory, absent where the service does not carry them,
/// unknown where the inventory is silent.
#[test]
fn endpoint_owner_keys_and_vpc_arn() {
    let inventory = |vpc: Option<&str>, account: Option<&str>, region: Option<&str>| EndpointInventory {
        vpc: vpc.map(str::to_owned),
        account: account.map(|a| a.to_owned().into()),
        region: region.map(str::to_owned),
    };
    let full = || {
        let mut env = ReplayEnv::default();
        env.account_orgs.insert("111122223333".into(), "o-abc".to_owned());
        env.account_org_paths.insert("111122223333".into(), "o-abc/r-ab12/ou-ab12-11111111/".to_owned());
        env.endpoints.insert("vpce-1".into(), inventory(Some("vpc-9"), Some("111122223333"), Some("eu-west-1")));
        env
    };
    let with_action = |action: &str| {
        let mut e = event();
        e.accesses = vec![Access { action: action.to_owned(), resource: Some("arn:aws:s3:::b".to_owned()) }];
        e
    };
    let keys = ["aws:VpceAccount", "aws:VpceOrgID", "aws:VpceOrgPaths", "aws:SourceVpc", "aws:SourceVpcArn"];
    type Case = (&'static str, Event, ReplayEnv, [Option<&'static str>; 5]);
    let cases: Vec<Case> = vec![
        (
            "record and full inventory",
            event(),
            full(),
            [
                Some("111122223333"),
                Some("o-abc"),
                Some("o-abc/r-ab12/ou-ab12-11111111/"),
                Some("vpc-9"),
                Some("arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-9"),
            ],
        ),
        (
            "a service that does not carry the owner keys",
            with_action("dynamodb:GetItem"),
            full(),
            [
                Some("<absent>"),
                Some("<absent>"),
                Some("<absent>"),
                Some("vpc-9"),
                Some("arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-9"),
            ],
        ),
        ("no inventory", event(), ReplayEnv::default(), [Some("111122223333"), None, None, None, None]),
        (
            "no vpcEndpointAccountId (event version 1.08): the inventory's owner",
            {
                let mut e = event();
                e.vpce_account = None;
                e
            },
            full(),
            [
                Some("111122223333"),
                Some("o-abc"),
                Some("o-abc/r-ab12/ou-ab12-11111111/"),
                Some("vpc-9"),
                Some("arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-9"),
            ],
        ),
        (
            "neither record nor inventory names the owner",
            {
                let mut e = event();
                e.vpce_account = None;
                e
            },
            {
                let mut env = full();
                env.endpoints.insert("vpce-1".into(), inventory(Some("vpc-9"), None, Some("eu-west-1")));
                env
            },
            [None, None, None, Some("vpc-9"), None],
        ),
        (
            "an owner outside every organization of a complete map",
            {
                let mut e = event();
                e.vpce_account = Some("999988887777".into());
                e
            },
            full(),
            [
                Some("999988887777"),
                Some("<absent>"),
                Some("<absent>"),
                Some("vpc-9"),
                Some("arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-9"),
            ],
        ),
        (
            "an owner in an organization whose path is not listed",
            event(),
            {
                let mut env = full();
                env.account_org_paths.clear();
                env.account_org_paths.insert("444455556666".into(), "o-abc/r-ab12/".to_owned());
                env
            },
            [
                Some("111122223333"),
                Some("o-abc"),
                None,
                Some("vpc-9"),
                Some("arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-9"),
            ],
        ),
        (
            "the inventory lacks the region: no VPC ARN",
            event(),
            {
                let mut env = full();
                env.endpoints.insert("vpce-1".into(), inventory(Some("vpc-9"), Some("111122223333"), None));
                env
            },
            [Some("111122223333"), Some("o-abc"), Some("o-abc/r-ab12/ou-ab12-11111111/"), Some("vpc-9"), None],
        ),
        (
            "not through an endpoint: every key known absent",
            {
                let mut e = event();
                e.vpce = None;
                e.source_ip = Some("203.0.113.9".to_owned());
                e
            },
            full(),
            [Some("<absent>"); 5],
        ),
        (
            "an access log line: nothing known",
            {
                let mut e = event();
                e.kind = LogKind::S3AccessLog;
                e.vpce = None;
                e
            },
            full(),
            [None; 5],
        ),
    ];
    for (name, e, env, want) in cases {
        let r = &requests_from_event(&e, &env)[0];
        for (key, want) in keys.iter().zip(want) {
            assert_eq!(value(r, key).as_deref(), want, "{name}: {key}");
        }
    }
}

#[test]
fn org_paths_of_the_principal() {
    let mut env = ReplayEnv::default();
    env.account_orgs.insert("111122223333".into(), "o-abc".to_owned());
    env.account_org_paths.insert("111122223333".into(), "o-abc/r-ab12/".to_owned());
    let r = &requests_from_event(&event(), &env)[0];
    assert_eq!(value(r, "aws:PrincipalOrgPaths").as_deref(), Some("o-abc/r-ab12/"));
    let mut e = event();
    e.principal.account = Some("999988887777".into());
    let r = &requests_from_event(&e, &env)[0];
    assert_eq!(value(r, "aws:PrincipalOrgPaths").as_deref(), Some("<absent>"));
    let r = &requests_from_event(&e, &ReplayEnv::default())[0];
    assert_eq!(value(r, "aws:PrincipalOrgPaths"), None);
}
