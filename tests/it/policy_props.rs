//! Property tests for the policy engine: the wildcard matchers against a `regex` oracle, and `NotAction` as
//! the complement of `Action`.

use proptest::prelude::*;
use regex::Regex;
use trail_vpce::policy::{Decision, Policy, Request, arn_like, evaluate, string_like};

/// `*` → `.*`, `?` → `.` (or their colon-free versions), everything else literal.
fn glob_to_regex(pattern: &str, star: &str, one: &str) -> String {
    let mut out = String::new();
    for c in pattern.chars() {
        match c {
            '*' => out.push_str(star),
            '?' => out.push_str(one),
            c => out.push_str(&regex::escape(&c.to_string())),
        }
    }
    out
}

/// StringLike: one anchored glob over the whole value.
fn string_like_oracle(pattern: &str) -> Regex {
    Regex::new(&format!("(?s)^{}$", glob_to_regex(pattern, ".*", "."))).expect("valid regex")
}

/// ArnLike: the pattern's first five colon-separated segments match single value segments (wildcards do not
/// cross a colon); the last pattern segment matches the rest of the value.
fn arn_like_oracle(pattern: &str) -> Regex {
    let segments: Vec<&str> = pattern.splitn(6, ':').collect();
    let last = segments.len() - 1;
    let parts: Vec<String> = segments
        .iter()
        .enumerate()
        .map(|(i, s)| if i == last { glob_to_regex(s, ".*", ".") } else { glob_to_regex(s, "[^:]*", "[^:]") })
        .collect();
    Regex::new(&format!("(?s)^{}$", parts.join(":"))).expect("valid regex")
}

fn pattern_strategy() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[ab:/*?é]{0,12}").expect("strategy")
}

fn value_strategy() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[ab:/é]{0,14}").expect("strategy")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn string_like_matches_the_regex_oracle(pattern in pattern_strategy(), value in value_strategy()) {
        prop_assert_eq!(string_like(&pattern, &value), string_like_oracle(&pattern).is_match(&value));
    }

    #[test]
    fn arn_like_matches_the_regex_oracle(pattern in pattern_strategy(), value in value_strategy()) {
        prop_assert_eq!(arn_like(&pattern, &value), arn_like_oracle(&pattern).is_match(&value));
    }

    #[test]
    fn arn_like_on_arn_shaped_values(
        service in "[a-z*?]{1,4}",
        account in "[0-9*?]{0,3}",
        resource in "[a-z/:*?]{0,8}",
        value_service in "[a-z]{1,4}",
        value_account in "[0-9]{0,3}",
        value_resource in "[a-z/:]{0,8}",
    ) {
        let pattern = format!("arn:aws:{service}::{account}:{resource}");
        let value = format!("arn:aws:{value_service}::{value_account}:{value_resource}");
        prop_assert_eq!(arn_like(&pattern, &value), arn_like_oracle(&pattern).is_match(&value));
    }

    #[test]
    fn not_action_is_the_complement_of_action(
        patterns in proptest::collection::vec("(s3|dynamodb|\\*):[A-Za-z*?]{0,6}|\\*", 1..4),
        action in "(s3|dynamodb|kms):(Get|Put|List|get)[A-Za-z]{0,4}",
    ) {
        let list = serde_json::to_string(&patterns).expect("json");
        let with = |element: &str| {
            Policy::parse(&format!(
                r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","{element}":{list},"Resource":"*"}}]}}"#
            ))
            .expect("policy parses")
        };
        let request = Request::new(action.clone()).resource("arn:aws:s3:::b/k");
        let plain = evaluate(&with("Action"), &request);
        let negated = evaluate(&with("NotAction"), &request);
        let allowed = |d: &Decision| matches!(d, Decision::Allow { .. });
        let definite = |d: &Decision| d.is_allowed().is_some() && !matches!(d, Decision::ExplicitDeny { .. });
        prop_assert!(definite(&plain), "{}", plain);
        prop_assert!(definite(&negated), "{}", negated);
        prop_assert_ne!(allowed(&plain), allowed(&negated), "{} {:?}", action, patterns);
    }

    #[test]
    fn parser_never_panics(text in "\\PC{0,200}") {
        let _ = Policy::parse(&text);
    }

    #[test]
    fn parser_never_panics_on_policy_shaped_input(
        op in "(ForAnyValue:|ForAllValues:)?(String|Numeric|Date|Arn|Ip|Bool|Null|Binary)[A-Za-z]{0,12}",
        key in "[a-z:/]{1,10}",
        value in "[\\PC]{0,12}",
    ) {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{{"{op}":{{"{key}":{}}}}}}}]}}"#,
            serde_json::to_string(&value).expect("json")
        );
        if let Ok(policy) = Policy::parse(&text) {
            let _ = evaluate(&policy, &Request::new("s3:GetObject").with(&key, &value));
            let _ = evaluate(&policy, &Request::new("s3:GetObject").open_world());
        }
    }
}
