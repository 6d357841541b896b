use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::model::{AccountId, VpceId};

/// (user agent, source ip, AWSService identity, invokedBy) → (signal, private plain).
type SightingCase<'a> = (Option<&'a str>, Option<&'a str>, bool, bool, Option<Signal>, bool);

#[test]
fn sightings_from_one_record() {
    use Signal::*;
    let console_ua = "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488 Linux/5.10]";
    let cases: [SightingCase<'_>; 12] = [
        // (user agent, source ip, AWSService identity, invokedBy) → (signal, private plain)
        (Some(console_ua), Some("198.51.100.7"), false, false, Some(Console), false),
        (Some(console_ua), Some("10.12.3.4"), false, false, Some(Console), false),
        (Some("[AWSCloudTrail, aws-internal/3 aws-sdk-java]"), None, false, false, Some(Console), false),
        (Some("aws-cli/2.15"), Some("secretsmanager.amazonaws.com"), false, false, Some(Service), false),
        (Some("aws-cli/2.15"), Some("AWS Internal"), false, false, Some(Service), false),
        (None, Some("10.0.1.5"), false, true, Some(Service), false),
        (None, Some("cloudtrail.amazonaws.com"), true, false, Some(Delivery), false),
        (Some(console_ua), Some("delivery.logs.amazonaws.com"), true, true, Some(Delivery), false),
        (Some("aws-sdk-java/2.20 Linux"), Some("10.0.1.5"), false, false, None, true),
        (Some("aws-sdk-java/2.20 Linux"), Some(" 100.64.0.9 "), false, false, None, true),
        (Some("Boto3/1.34"), Some("203.0.113.50"), false, false, None, false),
        (None, None, false, false, None, false),
    ];
    for (ua, ip, service, invoked, signal, private) in cases {
        let s = Sighting::of(ua, ip, service, invoked);
        assert_eq!((s.signal, s.private_plain), (signal, private), "{ua:?} {ip:?} {service} {invoked}");
    }
}

fn evidence(records: u64, console: u64, service: u64, delivery: u64, private: u64, owners: &[&str]) -> Evidence {
    let mut evidence = Evidence::default();
    (evidence.records, evidence.console, evidence.service, evidence.delivery) = (records, console, service, delivery);
    evidence.private_plain = private;
    evidence.owner_accounts = owners.iter().map(|s| AccountId::from(s.to_string())).collect();
    evidence
}

#[test]
fn decisions() {
    use Basis::{AwsSignal, ConfiguredOperator, ForeignOwner, MixedSignals, NoEvidence, OwnerAccount, PrivateTraffic};
    use OwnerClass::*;
    let known = |a: &AccountId<'_>| a == "111122223333";
    let configured = Some(Configured { operated_by: None });
    let says_aws = Some(Configured { operated_by: Some(Operator::Aws) });
    let says_customer = Some(Configured { operated_by: Some(Operator::Customer) });
    let cases = [
        // the configuration decides first
        (evidence(10, 10, 0, 0, 0, &[]), says_customer, Customer, ConfiguredOperator, None),
        (evidence(10, 0, 0, 0, 10, &["111122223333"]), says_aws, Aws, ConfiguredOperator, None),
        (evidence(10, 10, 0, 0, 0, &["999988887777"]), configured, Customer, Basis::Configured, None),
        (evidence(0, 0, 0, 0, 0, &[]), configured, Customer, Basis::Configured, None),
        // an owner account among the known ones outranks user agents (callers choose those)
        (evidence(10, 10, 0, 0, 0, &["111122223333"]), None, Customer, OwnerAccount, None),
        // console backends, services acting for a caller, deliveries
        (evidence(10, 10, 0, 0, 0, &[]), None, Aws, AwsSignal, Some(Signal::Console)),
        (evidence(4, 2, 0, 0, 2, &[]), None, Aws, AwsSignal, Some(Signal::Console)),
        (evidence(5, 0, 5, 0, 0, &["999988887777"]), None, Aws, AwsSignal, Some(Signal::Service)),
        (evidence(7, 0, 0, 7, 0, &[]), None, Aws, AwsSignal, Some(Signal::Delivery)),
        (evidence(9, 3, 4, 2, 0, &[]), None, Aws, AwsSignal, Some(Signal::Service)),
        // someone else's endpoint
        (evidence(3, 0, 0, 0, 3, &["999988887777"]), None, Foreign, ForeignOwner, None),
        (evidence(10, 1, 0, 0, 9, &["999988887777"]), None, Foreign, ForeignOwner, None),
        // a minority of signals (a caller may forge a user agent) decides nothing
        (evidence(10, 1, 0, 0, 9, &[]), None, Unknown, MixedSignals, Some(Signal::Console)),
        // plain private traffic is the customer's own VPC
        (evidence(10, 0, 0, 0, 10, &[]), None, Customer, PrivateTraffic, None),
        (evidence(10, 0, 0, 0, 0, &[]), None, Unknown, NoEvidence, None),
    ];
    for (i, (e, config, class, basis, signal)) in cases.into_iter().enumerate() {
        let owner = decide(&e, config, &known);
        assert_eq!((owner.class, owner.basis, owner.signal), (class, basis, signal), "case {i}: {e:?} {config:?}");
    }
}

#[test]
fn labels_name_the_operator() {
    let aws = Owner { class: OwnerClass::Aws, basis: Basis::AwsSignal, signal: Some(Signal::Console), account: None };
    assert_eq!(aws.operator_label().as_deref(), Some("aws:console"));
    let configured = Owner { signal: None, basis: Basis::ConfiguredOperator, ..aws.clone() };
    assert_eq!(configured.operator_label().as_deref(), Some("aws:configured"));
    let foreign = Owner {
        class: OwnerClass::Foreign,
        basis: Basis::ForeignOwner,
        signal: None,
        account: Some("999988887777".into()),
    };
    assert_eq!(foreign.operator_label().as_deref(), Some("foreign:999988887777"));
    let customer = Owner { class: OwnerClass::Customer, basis: Basis::Configured, signal: None, account: None };
    assert_eq!(customer.operator_label(), None);
}

/// Folding records in any split across workers and merging gives the same decisions as one worker.
#[test]
fn books_merge_like_one_worker() {
    let records: Vec<(&str, &str, Sighting, Option<&str>)> = (0..40)
        .map(|i| {
            let vpce = ["vpce-a", "vpce-b", "vpce-c"][i % 3];
            let sighting = match i % 4 {
                0 => Sighting { signal: Some(Signal::Console), private_plain: false },
                1 => Sighting { signal: None, private_plain: true },
                2 => Sighting { signal: Some(Signal::Delivery), private_plain: false },
                _ => Sighting::default(),
            };
            let owner = (i % 5 == 0).then_some(["111122223333", "1", "2", "3", "4", "5"][i % 6]);
            (["111122223333", "444455556666"][i % 2], vpce, sighting, owner)
        })
        .collect();
    let mut one = EndpointBook::default();
    for (recipient, vpce, sighting, owner) in &records {
        one.observe(Some(&(*recipient).into()), Some(&(*vpce).into()), owner.map(AccountId::from).as_ref(), *sighting);
    }
    for split in [1, 7, 13, 39] {
        let (a, b) = records.split_at(split);
        let mut left = EndpointBook::default();
        let mut right = EndpointBook::default();
        for (recipient, vpce, sighting, owner) in a {
            left.observe(
                Some(&(*recipient).into()),
                Some(&(*vpce).into()),
                owner.map(AccountId::from).as_ref(),
                *sighting,
            );
        }
        for (recipient, vpce, sighting, owner) in b {
            right.observe(
                Some(&(*recipient).into()),
                Some(&(*vpce).into()),
                owner.map(AccountId::from).as_ref(),
                *sighting,
            );
        }
        right.merge(left);
        let none = BTreeMap::new();
        let accounts = BTreeSet::new();
        let merged = Ownership::decide(&right, &none, &accounts);
        let single = Ownership::decide(&one, &none, &accounts);
        let pick = |o: &Ownership| o.iter().map(|(id, owner, _)| (id.to_owned(), owner.clone())).collect::<Vec<_>>();
        assert_eq!(pick(&merged), pick(&single), "split at {split}");
        assert_eq!(right.recipients(), one.recipients());
    }
}

#[test]
fn unknown_endpoints_are_customer_side() {
    let ownership = Ownership::unknown();
    assert!(ownership.is_customer_side(&VpceId::from("vpce-never-seen")));
    let one = VpceId::from("vpce-1");
    assert_eq!(ownership.customer_vpce(Some(&one)), Some(&one));
    let aws = Owner { class: OwnerClass::Aws, basis: Basis::AwsSignal, signal: Some(Signal::Console), account: None };
    let ownership = Ownership::from_owners([(VpceId::from("vpce-aws"), aws)]);
    assert_eq!(ownership.customer_vpce(Some(&VpceId::from("vpce-aws"))), None);
    assert_eq!(ownership.operator_label(&VpceId::from("vpce-aws")).as_deref(), Some("aws:console"));
}

/// Export decides record by record: AWS signals make an AWS endpoint; an owner outside the record's own
/// recipient is an organization's other account as often as someone else's, so it is never `foreign`.
#[test]
fn one_record_decisions() {
    let owners = RecordOwners::new(BTreeMap::new(), BTreeSet::from([AccountId::from("111122223333")]));
    let console = Sighting { signal: Some(Signal::Console), private_plain: false };
    let plain = Sighting { signal: None, private_plain: true };
    let cases = [
        (Some("503210987654"), Some("111122223333"), console, OwnerClass::Aws),
        (Some("111122223333"), Some("444455556666"), plain, OwnerClass::Customer),
        (Some("222233334444"), Some("444455556666"), plain, OwnerClass::Unknown),
        (Some("444455556666"), Some("444455556666"), plain, OwnerClass::Customer),
        (None, Some("444455556666"), plain, OwnerClass::Customer),
        (None, None, Sighting::default(), OwnerClass::Unknown),
    ];
    for (owner, recipient, sighting, class) in cases {
        let (owner, recipient) = (owner.map(AccountId::from), recipient.map(AccountId::from));
        let decided = owners.owner(&VpceId::from("vpce-1"), owner.as_ref(), recipient.as_ref(), sighting);
        assert_eq!(decided.class, class, "{owner:?} {recipient:?}");
    }
}
