//! Every wording of aws-facts.md's AccessDenied table, the irregular ones, and real messages from the
//! fixtures (traildiscover, stratus-red-team, the AWS network activity sample).

use super::*;
use crate::model::{LogKind, Principal, PrincipalType};

const U: &str = "User: arn:aws:sts::111122223333:assumed-role/App/i-0abc is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::app-data/k\"";

#[test]
fn every_documented_wording() {
    use Cause::*;
    use DenyKind::{Explicit, Implicit};
    let cases: Vec<(String, Cause, DenyKind)> = vec![
        (format!("{U} because no VPC endpoint policy allows the s3:GetObject action"), VpcePolicy, Implicit),
        (format!("{U} with an explicit deny in a VPC endpoint policy"), VpcePolicy, Explicit),
        (
            format!("{U} with an explicit deny in a VPC endpoint policy transitively through a service control policy"),
            VpcePolicy,
            Explicit,
        ),
        (format!("{U} because no service control policy allows the s3:GetObject action"), Scp, Implicit),
        (format!("{U} with an explicit deny in a service control policy"), Scp, Explicit),
        (format!("{U} with an explicit deny in a resource control policy"), Rcp, Explicit),
        (format!("{U} because no identity-based policy allows the s3:GetObject action"), IdentityPolicy, Implicit),
        (format!("{U} with an explicit deny in an identity-based policy"), IdentityPolicy, Explicit),
        (
            format!("{U} with an explicit deny in an identity-based policy: arn:aws:iam::111122223333:policy/DenyDeletes"),
            IdentityPolicy,
            Explicit,
        ),
        (format!("{U} because no resource-based policy allows the s3:GetObject action"), ResourcePolicy, Implicit),
        (format!("{U} with an explicit deny in a resource-based policy"), ResourcePolicy, Explicit),
        (format!("{U} because no permissions boundary allows the s3:GetObject action"), PermissionsBoundary, Implicit),
        (format!("{U} with an explicit deny in a permissions boundary"), PermissionsBoundary, Explicit),
        (format!("{U} because no session policy allows the s3:GetObject action"), SessionPolicy, Implicit),
        (format!("{U} with an explicit deny in a sessions policy"), SessionPolicy, Explicit),
        (
            "User: arn:aws:iam::111122223333:user/deploy is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/Admin because no role trust policy allows the sts:AssumeRole action".to_owned(),
            RoleTrustPolicy,
            Implicit,
        ),
        (
            "User: arn:aws:iam::111122223333:user/deploy is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/Admin with an explicit deny in the role trust policy".to_owned(),
            RoleTrustPolicy,
            Explicit,
        ),
        // DynamoDB: unquoted ARN, AccessDeniedException.
        (
            "User: arn:aws:sts::111122223333:assumed-role/App/s is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:111122223333:table/orders because no VPC endpoint policy allows the dynamodb:PutItem action".to_owned(),
            VpcePolicy,
            Implicit,
        ),
        // EC2 prefixes the sentence and appends an encoded message.
        (
            "You are not authorized to perform this operation. User: arn:aws:iam::1:user/x is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:1:instance/* because no identity-based policy allows the ec2:RunInstances action. Encoded authorization failure message: T-kSWIRFn32".to_owned(),
            IdentityPolicy,
            Implicit,
        ),
        // No policy type named.
        ("Access Denied".to_owned(), Unknown, DenyKind::Unknown),
        (
            "User: arn:aws:iam::1:user/x is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::1:role/r".to_owned(),
            Unknown,
            DenyKind::Unknown,
        ),
        (
            "You are not authorized to perform this operation. Encoded authorization failure message: abc-def_123".to_owned(),
            Unknown,
            DenyKind::Unknown,
        ),
        // Truncated at 1 KB before the policy type.
        (format!("{U} because no VPC endp"), Unknown, DenyKind::Unknown),
        (format!("{U} with an explicit deny in a VPC"), Unknown, DenyKind::Unknown),
        (format!("{U} because"), Unknown, DenyKind::Unknown),
    ];
    for (message, cause, deny) in cases {
        let got = classify_message(&message);
        assert_eq!((got.cause, got.deny), (cause, deny), "{message}");
        let expected_evidence = if cause == Unknown { Evidence::None } else { Evidence::ErrorMessage };
        assert_eq!(got.evidence, expected_evidence, "{message}");
    }
}

#[test]
fn non_policy_reasons_are_other() {
    let cases = [
        format!("{U} because SSE-C encryption is blocked for this bucket"),
        "Requests specifying Server Side Encryption with Customer provided keys (SSE-C) are blocked for this bucket"
            .to_owned(),
    ];
    for message in cases {
        let got = classify_message(&message);
        assert_eq!((got.cause, got.evidence), (Cause::Other, Evidence::ErrorMessage), "{message}");
    }
}

#[test]
fn extracts_action_resource_and_policy_arn() {
    let got = classify_message(&format!(
        "{U} with an explicit deny in an identity-based policy: arn:aws:iam::111122223333:policy/DenyDeletes"
    ));
    assert_eq!(got.action.as_deref(), Some("s3:GetObject"));
    assert_eq!(got.resource.as_deref(), Some("arn:aws:s3:::app-data/k"));
    assert_eq!(got.policy_arn.as_deref(), Some("arn:aws:iam::111122223333:policy/DenyDeletes"));
    let got = classify_message(
        "User: arn:aws:iam::1:user/x is not authorized to perform: ec2:DescribeVpcs because no identity-based policy allows the ec2:DescribeVpcs action",
    );
    assert_eq!(got.action.as_deref(), Some("ec2:DescribeVpcs"));
    assert_eq!(got.resource, None);
}

fn denied_event(code: &str, message: Option<&str>, kind: PrincipalType) -> Event {
    let mut principal = Principal::unknown();
    principal.kind = kind;
    Event {
        kind: LogKind::CloudTrail,
        event_source: "s3.amazonaws.com".into(),
        event_name: "GetObject".into(),
        principal,
        vpce: Some("vpce-1".into()),
        outcome: Outcome::Denied { code: code.into(), message: message.map(str::to_owned) },
        category: "Data".into(),
        ..Event::blank()
    }
}

#[test]
fn events_are_classified_by_code_and_principal() {
    let na = denied_event(
        "VpceAccessDenied",
        Some("The request was denied due to a VPC endpoint policy"),
        PrincipalType::AssumedRole,
    );
    let got = classify(&na).unwrap();
    assert_eq!((got.cause, got.deny, got.evidence), (Cause::VpcePolicy, DenyKind::Unknown, Evidence::NetworkActivity));

    let service = denied_event("AccessDenied", Some("Access Denied"), PrincipalType::AWSService);
    let got = classify(&service).unwrap();
    assert_eq!(got.cause, Cause::Unknown);
    assert!(got.service_principal);

    let no_message = denied_event("AccessDenied", None, PrincipalType::IAMUser);
    assert_eq!(classify(&no_message).unwrap().cause, Cause::Unknown);

    let mut ok = no_message.clone();
    ok.outcome = Outcome::Success;
    assert_eq!(classify(&ok), None);
}
