//! Property tests: a proposal is never wider than what was observed, whatever characters the observed keys,
//! buckets and principals hold (`*`, `?`, `$`, `{`, `}`, unicode). Each proposal is replayed from its printed
//! text, as `propose` does.

use proptest::prelude::*;

use super::observed::{Observed, ObservedAccess, ObservedRequest};
use super::*;
use crate::config::Settings;
use crate::policy::{Decision, evaluate_with};

const ACCOUNT: &str = "111122223333";

/// Characters that mean something to a policy, separators, and unicode; plus any character now and then.
fn text(max: usize) -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec!['*', '?', '$', '{', '}', '/', ':', 'a', 'b', ' ', 'é', '日', '\'']);
    let one = prop_oneof![4 => special, 1 => any::<char>()];
    prop::collection::vec(one, 1..max).prop_map(|chars| chars.into_iter().collect())
}

fn bucket() -> impl Strategy<Value = String> {
    text(12).prop_map(|b| b.replace('/', "-"))
}

fn access(principal: &str, action: &str, resource: &str) -> ObservedAccess {
    let mut context = vec![
        ("aws:principalaccount".to_owned(), vec![ACCOUNT.to_owned()]),
        ("aws:principalarn".to_owned(), vec![principal.to_owned()]),
        ("aws:principalisawsservice".to_owned(), vec!["false".to_owned()]),
        ("aws:resourceaccount".to_owned(), vec![ACCOUNT.to_owned()]),
    ];
    context.sort();
    ObservedAccess {
        principal: Some(principal.to_owned()),
        principal_account: Some(ACCOUNT.into()),
        principal_is_service: false,
        action: action.to_owned(),
        resource: Some(resource.to_owned()),
        context,
        known_absent: Vec::new(),
    }
}

fn facts(accesses: &[ObservedAccess]) -> EndpointFacts {
    let requests = accesses.iter().map(|access| {
        (ObservedRequest { outcome: Observed::Success, network_activity: false, accesses: vec![access.clone()] }, 1)
    });
    EndpointFacts::of(requests, &["us-east-1"])
}

fn trusted() -> TrustedSet {
    let mut settings = Settings::default();
    settings.trusted_accounts.insert(ACCOUNT.into());
    TrustedSet::from_settings(&settings)
}

/// `text` with its character at `at` (modulo its length) replaced by a different one.
fn one_off(text: &str, at: usize) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let i = at % chars.len();
    chars[i] = if chars[i] == 'x' { 'y' } else { 'x' };
    chars.into_iter().collect()
}

/// Is `access`, changed by `change`, allowed by the printed proposal?
fn allows(proposal: &Proposal, access: &ObservedAccess, change: impl FnOnce(&mut crate::policy::Request)) -> bool {
    let policy = Policy::parse(&proposal.text).expect("the printed proposal parses");
    let mut request = access.to_request();
    change(&mut request);
    matches!(
        evaluate_with(&policy, &request, &EvalOptions::for_endpoint(EndpointKind::Gateway)),
        Decision::Allow { .. }
    )
}

use crate::policy::EndpointKind;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn a_proposal_allows_what_was_observed_and_nothing_one_character_away(
        bucket in bucket(),
        key in text(24),
        role in text(10),
        at in any::<usize>(),
        scope in prop::sample::select(vec![Scope::Accounts, Scope::Principals]),
    ) {
        let principal = format!("arn:aws:iam::{ACCOUNT}:role/{role}");
        let resource = format!("arn:aws:s3:::{bucket}/{key}");
        let observed = access(&principal, "s3:GetObject", &resource);
        let facts = facts(std::slice::from_ref(&observed));
        for granularity in [Granularity::Exact, Granularity::Prefix(1), Granularity::Bucket] {
            let options = ProposeOptions { granularity, scope, ..ProposeOptions::default() };
            // propose_endpoint replays every observed request through the printed text: an error is a failure.
            let proposal = propose_endpoint(&"vpce-1".into(), &facts, &trusted(), &options, None);
            let proposal = proposal.map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(proposal.verified.allowed, 1, "{}", proposal.text);
            prop_assert!(allows(&proposal, &observed, |_| {}), "{}", proposal.text);
            // The part of the key the granularity keeps: all of it, its first folder, or none.
            let kept = match granularity {
                Granularity::Exact => key.chars().count(),
                Granularity::Prefix(_) if key.contains('/') => key.split('/').next().unwrap_or("").chars().count(),
                Granularity::Prefix(_) => key.chars().count(),
                Granularity::Bucket => 0,
            };
            if kept > 0 {
                let changed = format!("arn:aws:s3:::{bucket}/{}", one_off(&key, at % kept));
                prop_assert!(
                    !allows(&proposal, &observed, |r| r.resource = Some(changed.clone())),
                    "{} allowed by {:?}:\n{}", changed, granularity, proposal.text
                );
            }
            let other_bucket = format!("arn:aws:s3:::{}/{key}", one_off(&bucket, at));
            prop_assert!(
                !allows(&proposal, &observed, |r| r.resource = Some(other_bucket.clone())),
                "{} allowed:\n{}", other_bucket, proposal.text
            );
            if scope == Scope::Principals {
                let other = format!("arn:aws:iam::{ACCOUNT}:role/{}", one_off(&role, at));
                prop_assert!(
                    !allows(&proposal, &observed, |r| {
                        r.principal = Some(other.clone());
                        r.context.insert_many("aws:principalarn", [other.clone()]);
                    }),
                    "{} allowed:\n{}", other, proposal.text
                );
            }
        }
    }
}

/// The two findings of the review, and hostile text where a policy cannot escape it.
#[test]
fn wildcards_in_observed_text_are_escaped_or_left_out() {
    let principal = format!("arn:aws:iam::{ACCOUNT}:role/App");
    // (granularity, observed key, a key that must stay denied, the Resource printed)
    let cases = [
        (Granularity::Exact, "secret*", "secret-payroll.xlsx", "arn:aws:s3:::b/secret${*}"),
        (Granularity::Prefix(1), "*/x", "reports/x", "arn:aws:s3:::b/${*}/*"),
        (Granularity::Exact, "home/${aws:username}/x", "home/alice/x", "arn:aws:s3:::b/home/${$}{aws:username}/x"),
        (Granularity::Prefix(1), "*", "anything", "arn:aws:s3:::b/${*}"),
    ];
    for (granularity, key, denied, printed) in cases {
        let observed = access(&principal, "s3:GetObject", &format!("arn:aws:s3:::b/{key}"));
        let options = ProposeOptions { granularity, ..ProposeOptions::default() };
        let proposal =
            propose_endpoint(&"vpce-1".into(), &facts(std::slice::from_ref(&observed)), &trusted(), &options, None)
                .unwrap();
        assert_eq!(proposal.policy.statement[0].resource.0, vec![printed.to_owned()], "{key}");
        let other = format!("arn:aws:s3:::b/{denied}");
        assert!(!allows(&proposal, &observed, |r| r.resource = Some(other)), "{key}: {}", proposal.text);
    }
    // An action or an ARN head with a wildcard cannot be escaped: the request is left out, and said so.
    for (action, resource) in [
        ("s3:Get*", "arn:aws:s3:::b/k"),
        ("dynamodb:GetItem", "arn:aws:dynamodb:*:111122223333:table/t"),
        ("s3:GetObject", "arn:*:s3:::b/k"),
    ] {
        let hostile = access(&principal, action, resource);
        let fine = access(&principal, "s3:GetObject", "arn:aws:s3:::b/k");
        let proposal = propose_endpoint(
            &"vpce-1".into(),
            &facts(&[hostile.clone(), fine]),
            &trusted(),
            &ProposeOptions::default(),
            None,
        )
        .unwrap();
        assert_eq!(proposal.left_out.len(), 1, "{action} {resource}");
        assert_eq!(proposal.left_out[0].reason, "unwritable", "{action} {resource}");
        assert!(!allows(&proposal, &hostile, |_| {}), "{action} {resource}: {}", proposal.text);
    }
}
