//! Read/write classes of IAM actions and the optional `--action-wildcards` folding.
//!
//! The class comes from the action's verb (`Get`, `List`, `Describe`, `Query`, `Scan`, `BatchGet`,
//! `PartiQLSelect`, `ConditionCheck` read; everything else write), which is how the Service Authorization
//! Reference levels S3 and DynamoDB data actions (Read / List versus Write / Permissions management / Tagging).
//! A fold `service:Prefix*` is used only when every action of the compiled SAR list it matches is either
//! observed or read-class, so a wildcard never adds a write; services without a compiled list are never folded.

use std::collections::BTreeSet;

use crate::policy::known_actions;

const READ_VERBS: &[&str] =
    &["Get", "List", "Describe", "Query", "Scan", "BatchGet", "PartiQLSelect", "ConditionCheck"];

/// True for read-class actions (`s3:GetObject`, `dynamodb:Query`, `kms:DescribeKey`).
pub fn is_read(action: &str) -> bool {
    let name = action.split_once(':').map_or(action, |(_, n)| n);
    READ_VERBS.iter().any(|verb| name.starts_with(verb))
}

/// `Read`, `Write` or `ReadWrite` for a set of actions (used in Sids).
pub fn class_word<'a>(actions: impl IntoIterator<Item = &'a String>) -> &'static str {
    let (mut read, mut write) = (false, false);
    for action in actions {
        if is_read(action) { read = true } else { write = true }
    }
    match (read, write) {
        (true, false) => "Read",
        (false, true) => "Write",
        _ => "ReadWrite",
    }
}

/// One fold made by `--action-wildcards`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Fold {
    pub wildcard: String,
    pub replaces: Vec<String>,
    /// Actions of the service the wildcard allows that were not observed (all read-class).
    pub adds: Vec<String>,
}

/// Folds a statement's actions: groups the observed actions of a service by verb, and replaces each group of
/// two or more with `service:<longest common prefix>*` when the wildcard adds only read-class actions.
pub fn fold_actions(actions: &BTreeSet<String>) -> (BTreeSet<String>, Vec<Fold>) {
    let mut out = BTreeSet::new();
    let mut folds = Vec::new();
    let mut groups: std::collections::BTreeMap<(String, String), Vec<String>> = Default::default();
    for action in actions {
        let Some((service, name)) = action.split_once(':') else {
            out.insert(action.clone());
            continue;
        };
        let verb: String =
            name.chars().enumerate().take_while(|(i, c)| *i == 0 || !c.is_ascii_uppercase()).map(|(_, c)| c).collect();
        groups.entry((service.to_owned(), verb)).or_default().push(name.to_owned());
    }
    for ((service, verb), names) in groups {
        let fold = known_actions(&service).filter(|_| names.len() >= 2).and_then(|known| {
            let prefix = common_prefix(&names);
            if prefix.len() < verb.len() {
                return None;
            }
            let matched: Vec<&str> = known.iter().copied().filter(|k| k.starts_with(prefix.as_str())).collect();
            // Every observed action must be a known one, so the wildcard really covers them.
            if !names.iter().all(|n| matched.contains(&n.as_str())) {
                return None;
            }
            let adds: Vec<String> =
                matched.iter().filter(|m| !names.iter().any(|n| n == *m)).map(|m| format!("{service}:{m}")).collect();
            adds.iter().all(|a| is_read(a)).then(|| Fold {
                wildcard: format!("{service}:{prefix}*"),
                replaces: names.iter().map(|n| format!("{service}:{n}")).collect(),
                adds,
            })
        });
        match fold {
            Some(fold) => {
                out.insert(fold.wildcard.clone());
                folds.push(fold);
            }
            None => out.extend(names.into_iter().map(|n| format!("{service}:{n}"))),
        }
    }
    (out, folds)
}

/// The longest common prefix of `names`, in whole characters (event names are log content: a byte-wise cut
/// could fall inside a UTF-8 character).
fn common_prefix(names: &[String]) -> String {
    let Some((first, rest)) = names.split_first() else { return String::new() };
    let mut len = first.len();
    for name in rest {
        len = first
            .char_indices()
            .zip(name.chars())
            .take_while(|((i, a), b)| *i < len && a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8());
    }
    first[..len].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn classes() {
        let cases = [
            ("s3:GetObject", true),
            ("s3:ListBucket", true),
            ("dynamodb:Query", true),
            ("dynamodb:BatchGetItem", true),
            ("dynamodb:BatchWriteItem", false),
            ("s3:PutObject", false),
            ("kms:Decrypt", false),
        ];
        for (action, read) in cases {
            assert_eq!(is_read(action), read, "{action}");
        }
        assert_eq!(class_word(&set(&["s3:GetObject", "s3:ListBucket"])), "Read");
        assert_eq!(class_word(&set(&["s3:GetObject", "s3:PutObject"])), "ReadWrite");
        assert_eq!(class_word(&set(&["s3:PutObject"])), "Write");
    }

    #[test]
    fn common_prefixes_end_on_character_boundaries() {
        let cases: &[(&[&str], &str)] = &[
            (&["GetOÄ", "GetOÖ"], "GetO"),
            (&["Ä", "Ö"], ""),
            (&["GetÄx", "GetÄy"], "GetÄ"),
            (&["GetObject", "GetObjectAcl", "GetObjectTagging"], "GetObject"),
            (&["a"], "a"),
            (&["é", "é"], "é"),
            (&["日本", "日付"], "日"),
            (&[], ""),
        ];
        for (names, want) in cases {
            let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
            assert_eq!(common_prefix(&names), *want, "{names:?}");
        }
    }

    #[test]
    fn folds_only_reads() {
        let cases: &[(&[&str], &[&str])] = &[
            // Two Get actions → GetObject* (adds only reads).
            (&["s3:GetObject", "s3:GetObjectVersion"], &["s3:GetObject*"]),
            // A single action is never folded.
            (&["s3:GetObject", "s3:PutObject"], &["s3:GetObject", "s3:PutObject"]),
            // Put* would add writes: kept explicit.
            (&["s3:PutObject", "s3:PutObjectTagging"], &["s3:PutObject", "s3:PutObjectTagging"]),
            // Services without a compiled list stay explicit.
            (&["kms:DescribeKey", "kms:DescribeCustomKeyStores"], &["kms:DescribeCustomKeyStores", "kms:DescribeKey"]),
            (&["dynamodb:GetItem", "dynamodb:GetRecords"], &["dynamodb:Get*"]),
            // Log content: names that share a prefix up to the middle of a UTF-8 character.
            (&["s3:GetOÄ", "s3:GetOÖ"], &["s3:GetOÄ", "s3:GetOÖ"]),
            (&["s3:GetObjectÄ", "s3:GetObjectÖ"], &["s3:GetObjectÄ", "s3:GetObjectÖ"]),
        ];
        for (input, want) in cases {
            let (got, folds) = fold_actions(&set(input));
            assert_eq!(got, set(want), "{input:?}");
            for fold in folds {
                assert!(fold.adds.iter().all(|a| is_read(a)), "{fold:?}");
            }
        }
    }
}
