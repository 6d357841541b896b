//! Observed text → policy text: the one place where log content (object keys, bucket and table names, principal
//! ARNs, account ids) becomes part of a policy string.
//!
//! In a `2012-10-17` policy, `*` and `?` are wildcards (`Resource`, `ArnLike`/`ArnEquals`, `StringLike`) and
//! `${…}` is a policy variable (the resource part of `Resource`, string and ARN condition values). Text seen in
//! logs must match only itself, so [`literal`] writes each of those characters as IAM's escape: `*` → `${*}`,
//! `?` → `${?}`, `$` → `${$}`. Every `$` is escaped, not only one before `{`: the mapping is then a plain
//! character-by-character substitution, so `literal(a + b) == literal(a) + literal(b)` and a key starts with a
//! prefix exactly when its literal starts with the prefix's literal (the prefix granularity relies on it).
//!
//! Where IAM recognises no variables — the `Action` element, and an ARN in `Resource` before its resource part
//! (the fifth colon) — nothing can be escaped: [`resource_arn`] and [`action`] refuse text that has a wildcard
//! (or a `$`) there, and the caller leaves that request out of the policy instead of widening it.

use std::borrow::Cow;

/// Why observed text cannot be written into a policy so that it matches only itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unwritable {
    #[error("the action has a wildcard character (`*` or `?`), which the Action element cannot escape")]
    Action,
    #[error("the ARN has `*`, `?` or `$` before its resource part, where a policy cannot escape them")]
    ArnHead,
}

/// `text` as policy text that matches exactly `text` wherever policy variables are recognised (the resource
/// part of a `Resource` ARN, string and ARN condition values). Borrows when there is nothing to escape.
pub fn literal(text: &str) -> Cow<'_, str> {
    if !text.contains(['*', '?', '$']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '*' => out.push_str("${*}"),
            '?' => out.push_str("${?}"),
            '$' => out.push_str("${$}"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The length of an ARN's head: up to and including its fifth colon (the whole text when it has fewer).
fn head_len(arn: &str) -> usize {
    arn.match_indices(':').nth(4).map_or(arn.len(), |(at, _)| at + 1)
}

/// An observed resource ARN as a `Resource` entry matching exactly it: the resource part through [`literal`],
/// the head as it is (it cannot be escaped, so it must hold no wildcard).
pub fn resource_arn(arn: &str) -> Result<String, Unwritable> {
    let (head, resource) = arn.split_at(head_len(arn));
    if head.contains(['*', '?', '$']) {
        return Err(Unwritable::ArnHead);
    }
    Ok([head, &literal(resource)].concat())
}

/// An observed action as an `Action` entry: there is no escape there, so an action with a wildcard character
/// cannot be written at all.
pub fn action(action: &str) -> Result<&str, Unwritable> {
    if action.contains(['*', '?']) { Err(Unwritable::Action) } else { Ok(action) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Decision, Policy, Request, evaluate};

    #[test]
    fn escapes_wildcards_and_variables() {
        let cases = [
            ("plain/key.csv", "plain/key.csv"),
            ("secret*", "secret${*}"),
            ("*/x", "${*}/x"),
            ("a?b", "a${?}b"),
            ("home/${aws:username}/x", "home/${$}{aws:username}/x"),
            ("cost $5", "cost ${$}5"),
            ("${*}", "${$}{${*}}"),
            ("日本*", "日本${*}"),
            ("", ""),
        ];
        for (text, want) in cases {
            assert_eq!(literal(text), want, "{text}");
        }
        assert!(matches!(literal("no-escape"), Cow::Borrowed(_)));
    }

    #[test]
    fn resource_arns_escape_only_the_resource_part() {
        let cases = [
            ("arn:aws:s3:::b/secret*", Ok("arn:aws:s3:::b/secret${*}")),
            ("arn:aws:s3:::b$/k?:x", Ok("arn:aws:s3:::b${$}/k${?}:x")),
            ("arn:aws:dynamodb:eu-west-1:1:table/t*", Ok("arn:aws:dynamodb:eu-west-1:1:table/t${*}")),
            ("arn:aws:dynamodb:*:1:table/t", Err(Unwritable::ArnHead)),
            ("arn:aws:kms:eu-west-1:${x}:key/k", Err(Unwritable::ArnHead)),
            ("arn:aws:sns", Ok("arn:aws:sns")),
            ("arn:aws:sn?", Err(Unwritable::ArnHead)),
        ];
        for (arn, want) in cases {
            assert_eq!(resource_arn(arn).as_deref().map_err(|e| *e), want, "{arn}");
        }
        assert_eq!(action("s3:GetObject"), Ok("s3:GetObject"));
        assert_eq!(action("s3:Get*"), Err(Unwritable::Action));
        assert_eq!(action("s3:Get?bject"), Err(Unwritable::Action));
    }

    /// The engine reads back exactly what was written: the escaped pattern matches the text and nothing that
    /// differs from it in one character.
    #[test]
    fn the_engine_reads_the_escapes_as_the_characters() {
        for key in ["secret*", "*/x", "a?b", "home/${aws:username}/x", "${$}", "$", "{}", "é*?"] {
            let arn = format!("arn:aws:s3:::b/{key}");
            let text = format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"{}","Condition":{{"StringEquals":{{"aws:PrincipalAccount":"{}"}}}}}}]}}"#,
                resource_arn(&arn).unwrap(),
                literal(key)
            );
            let policy = Policy::parse(&text).unwrap();
            let request = |resource: &str, account: &str| {
                let mut request = Request::new("s3:GetObject").with("aws:PrincipalAccount", account);
                request.resource = Some(resource.to_owned());
                request.principal = Some("arn:aws:iam::1:role/r".to_owned());
                request
            };
            assert!(matches!(evaluate(&policy, &request(&arn, key)), Decision::Allow { .. }), "{key}: {text}");
            let others = [format!("{arn}x"), arn.replace(['*', '?', '$'], "x"), format!("arn:aws:s3:::b/{key}-2")];
            for other in others.iter().filter(|o| **o != arn) {
                assert!(matches!(evaluate(&policy, &request(other, key)), Decision::ImplicitDeny), "{key} vs {other}");
            }
            assert!(matches!(evaluate(&policy, &request(&arn, "other")), Decision::ImplicitDeny), "{key}");
        }
    }
}
