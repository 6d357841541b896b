//! The propose path, generate → escape → replay: arbitrary observed requests (object keys, bucket and table
//! names, principal names, event names, any characters) through `propose_endpoint` at every granularity, with
//! and without `--action-wildcards`, for the input's principal scope.
//!
//! Checks: no panic; a proposal is made unless nothing is covered or it cannot fit the size limit; the printed
//! text parses; every covered request (as `select` decides) is allowed by the engine evaluating that text.
#![no_main]

use std::collections::BTreeSet;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use trail_vpce::analyze::propose::observed::{Observed, ObservedAccess, ObservedRequest};
use trail_vpce::analyze::propose::select::{Selection, select};
use trail_vpce::analyze::propose::verify::{Verdict, verdict};
use trail_vpce::analyze::propose::{
    EndpointFacts, GenerateError, Granularity, ProposeError, ProposeOptions, Scope, propose_endpoint,
};
use trail_vpce::analyze::trust::TrustedSet;
use trail_vpce::config::Settings;
use trail_vpce::policy::{EndpointKind, EvalOptions, Policy};

const TRUSTED: &str = "111122223333";
const FOREIGN: &str = "444455556666";
const KNOWN: &[&str] = &[
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:GetObjectAcl",
    "s3:PutObject",
    "s3:ListBucket",
    "dynamodb:GetItem",
    "dynamodb:GetRecords",
    "dynamodb:Query",
    "kms:Decrypt",
];

#[derive(Arbitrary, Debug)]
enum Who {
    Role(String),
    ForeignRole(String),
    Service(String),
    Anonymous,
}

#[derive(Arbitrary, Debug)]
enum What {
    Known(u8),
    /// `service:EventName`, as the generic mapping builds it from any eventSource and eventName.
    Named(String, String),
}

#[derive(Arbitrary, Debug)]
enum Where {
    Nothing,
    Bucket(String),
    Object(String, String),
    Table(String, String),
    Index(String, String),
    Arn(String),
}

#[derive(Arbitrary, Debug)]
struct Seen {
    who: Who,
    what: What,
    target: Where,
    foreign_owner: bool,
    denied: bool,
}

#[derive(Arbitrary, Debug)]
struct Input {
    scope: u8,
    seen: Vec<Seen>,
}

fn cut(text: &str) -> String {
    text.chars().take(48).collect()
}

fn access(seen: &Seen) -> ObservedAccess {
    let (principal, account, is_service) = match &seen.who {
        Who::Role(name) => (Some(format!("arn:aws:iam::{TRUSTED}:role/{}", cut(name))), Some(TRUSTED), false),
        Who::ForeignRole(name) => (Some(format!("arn:aws:iam::{FOREIGN}:role/{}", cut(name))), Some(FOREIGN), false),
        Who::Service(name) => (Some(format!("{}.amazonaws.com", cut(name))), None, true),
        Who::Anonymous => (Some("anonymous".to_owned()), None, false),
    };
    let action = match &seen.what {
        What::Known(i) => KNOWN[usize::from(*i) % KNOWN.len()].to_owned(),
        What::Named(service, name) => format!("{}:{}", cut(service).replace(':', ""), cut(name)),
    };
    let resource = match &seen.target {
        Where::Nothing => None,
        Where::Bucket(b) => Some(format!("arn:aws:s3:::{}", cut(b).replace('/', ""))),
        Where::Object(b, k) => Some(format!("arn:aws:s3:::{}/{}", cut(b).replace('/', ""), cut(k))),
        Where::Table(region, t) => Some(format!("arn:aws:dynamodb:{}:{TRUSTED}:table/{}", cut(region), cut(t))),
        Where::Index(t, i) => Some(format!("arn:aws:dynamodb:eu-west-1:{TRUSTED}:table/{}/index/{}", cut(t), cut(i))),
        Where::Arn(rest) => Some(format!("arn:aws:{}", cut(rest))),
    };
    let owner = if seen.foreign_owner { FOREIGN } else { TRUSTED };
    let mut context = vec![
        ("aws:principalisawsservice".to_owned(), vec![is_service.to_string()]),
        ("aws:resourceaccount".to_owned(), vec![owner.to_owned()]),
    ];
    if let (Some(principal), Some(account)) = (&principal, account) {
        context.push(("aws:principalaccount".to_owned(), vec![account.to_owned()]));
        context.push(("aws:principalarn".to_owned(), vec![principal.clone()]));
    }
    if is_service {
        context.push(("aws:principalservicename".to_owned(), vec![principal.clone().unwrap_or_default()]));
    }
    context.sort();
    ObservedAccess {
        principal,
        principal_account: account.map(str::to_owned),
        principal_is_service: is_service,
        action,
        resource,
        context,
        known_absent: Vec::new(),
    }
}

fuzz_target!(|input: Input| {
    let mut facts = EndpointFacts::default();
    facts.regions.insert("eu-west-1".to_owned());
    for seen in input.seen.iter().take(12) {
        let outcome = if seen.denied { Observed::Denied } else { Observed::Success };
        let request = ObservedRequest { outcome, network_activity: false, accesses: vec![access(seen)] };
        facts.add(request, 1);
    }
    let mut settings = Settings::default();
    settings.trusted_accounts = BTreeSet::from([TRUSTED.to_owned()]);
    let trusted = TrustedSet::from_settings(&settings);
    let scope = [Scope::Any, Scope::Org, Scope::Accounts, Scope::Principals][usize::from(input.scope) % 4];
    let eval = EvalOptions::for_endpoint(EndpointKind::Gateway);
    for granularity in [Granularity::Bucket, Granularity::Prefix(1), Granularity::Prefix(2), Granularity::Exact] {
        for action_wildcards in [false, true] {
            let options = ProposeOptions { granularity, scope, action_wildcards, ..ProposeOptions::default() };
            let proposal = match propose_endpoint("vpce-1", &facts, &trusted, &options, None) {
                Ok(proposal) => proposal,
                Err(ProposeError::Generate {
                    source: GenerateError::Empty | GenerateError::TooLarge { .. }, ..
                }) => {
                    continue;
                }
                Err(e) => panic!("{granularity:?} wildcards={action_wildcards}: {e}"),
            };
            let policy = Policy::parse(&proposal.text).expect("the printed proposal parses");
            for (request, _) in facts.sorted() {
                let covered = select(request, &trusted, &options) == Selection::Covered;
                if covered {
                    let got = verdict(&policy, request, &eval);
                    assert_eq!(got, Verdict::Allowed, "{request:?} under {granularity:?}:\n{}", proposal.text);
                }
            }
        }
    }
});
