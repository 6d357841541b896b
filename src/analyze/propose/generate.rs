//! The generator: facts + options → the tightest policy that fits, widening step by step when the exact
//! proposal is over the size limit. Pure: no I/O.

use std::collections::BTreeSet;

use serde::Serialize;

use super::action_class::Fold;
use super::document::PolicyDocument;
use super::facts::EndpointFacts;
use super::options::{Granularity, ProposeOptions, Scope};
use super::select::Family;
use super::statements::{Knobs, build, object_patterns};
use super::units::{Units, build_units};
use crate::analyze::trust::TrustedSet;

/// One generalisation made to fit the size limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Widening {
    /// `exact-to-prefix`, `prefix-to-bucket`, `merge-actions`, `buckets-to-account`, `principals-to-accounts`,
    /// `arns-to-account`.
    pub step: &'static str,
    pub detail: String,
    pub size_chars_before: usize,
    pub size_chars_after: usize,
}

/// A generated policy.
#[derive(Debug, Clone)]
pub struct Generated {
    pub document: PolicyDocument,
    pub text: String,
    pub size_chars: usize,
    pub widened: Vec<Widening>,
    pub folds: Vec<Fold>,
    pub notes: Vec<String>,
}

/// Why no policy could be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerateError {
    #[error("nothing to allow: no request through this endpoint is covered (see left_out)")]
    Empty,
    #[error("the policy is still {size} characters after every widening step (limit {limit})")]
    TooLarge { size: usize, limit: usize },
}

/// Generates the policy for one endpoint.
pub fn generate(
    facts: &EndpointFacts,
    trusted: &TrustedSet,
    options: &ProposeOptions,
) -> Result<Generated, GenerateError> {
    let units = build_units(facts, trusted, options);
    if units.is_empty() {
        return Err(GenerateError::Empty);
    }
    let mut knobs = Knobs {
        granularity: options.granularity,
        whole_buckets: BTreeSet::new(),
        scope: options.scope,
        merge_actions: false,
        s3_by_account: false,
        arns_by_account: false,
        action_wildcards: options.action_wildcards,
    };
    let mut widened = Vec::new();
    let mut size = render(&units, &knobs).1;
    let limit = options.max_chars;
    let mut step = |name: &'static str, detail: String, knobs: &Knobs, size: &mut usize| {
        let after = render(&units, knobs).1;
        widened.push(Widening { step: name, detail, size_chars_before: *size, size_chars_after: after });
        *size = after;
    };
    if size > limit && knobs.granularity == Granularity::Exact {
        knobs.granularity = Granularity::Prefix(1);
        step("exact-to-prefix", "object keys → their first folder (prefix:1)".into(), &knobs, &mut size);
    }
    if size > limit && knobs.granularity != Granularity::Bucket {
        let buckets = buckets_by_patterns(&units, knobs.granularity);
        let chunk = (buckets.len() / 20).max(1);
        let mut widened_buckets = Vec::new();
        for group in buckets.chunks(chunk) {
            if render(&units, &knobs).1 <= limit {
                break;
            }
            knobs.whole_buckets.extend(group.iter().cloned());
            widened_buckets.extend(group.iter().cloned());
        }
        let detail = format!(
            "objects of {} bucket(s) → bucket/* (most patterns first): {}",
            widened_buckets.len(),
            summarize(&widened_buckets)
        );
        step("prefix-to-bucket", detail, &knobs, &mut size);
    }
    if size > limit {
        knobs.merge_actions = true;
        step(
            "merge-actions",
            "statements of one service and principal condition merged (each gets the union of their actions)".into(),
            &knobs,
            &mut size,
        );
    }
    if size > limit {
        knobs.s3_by_account = true;
        step(
            "buckets-to-account",
            "explicit bucket lists → arn:aws:s3:::* limited by aws:ResourceAccount (buckets whose owner the logs show)"
                .into(),
            &knobs,
            &mut size,
        );
    }
    if size > limit && knobs.scope == Scope::Principals {
        knobs.scope = Scope::Accounts;
        step("principals-to-accounts", "aws:PrincipalArn lists → aws:PrincipalAccount".into(), &knobs, &mut size);
    }
    if size > limit {
        knobs.arns_by_account = true;
        step(
            "arns-to-account",
            "explicit resource ARNs → * limited by aws:ResourceAccount (where the owner is known)".into(),
            &knobs,
            &mut size,
        );
    }
    let (built, size_chars, text) = render(&units, &knobs).0;
    if size_chars > limit {
        return Err(GenerateError::TooLarge { size: size_chars, limit });
    }
    Ok(Generated {
        document: built.document.unwrap_or(PolicyDocument { version: "2012-10-17", statement: Vec::new() }),
        text,
        size_chars,
        widened,
        folds: built.folds,
        notes: built.notes.into_iter().collect(),
    })
}

type Rendered = ((super::statements::Built, usize, String), usize);

fn render(units: &Units, knobs: &Knobs) -> Rendered {
    let built = build(units, knobs);
    let text = built.document.as_ref().map(PolicyDocument::to_text).unwrap_or_default();
    let size = text.chars().count();
    ((built, size, text), size)
}

/// S3 buckets with more than one object pattern at this granularity, most patterns first (ties by name).
fn buckets_by_patterns(units: &Units, granularity: Granularity) -> Vec<String> {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for ((_, _, family), unit) in units {
        if let Family::S3Bucket(bucket) = family {
            let patterns = object_patterns(&unit.keys(), granularity);
            let n = patterns.len();
            let is_whole = n == 1 && patterns.contains("*");
            if n > 0 && !is_whole {
                *counts.entry(bucket.clone()).or_default() += n;
            }
        }
    }
    let mut buckets: Vec<(String, usize)> = counts.into_iter().collect();
    buckets.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    buckets.into_iter().map(|(b, _)| b).collect()
}

fn summarize(items: &[String]) -> String {
    const SHOWN: usize = 5;
    let shown = items.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > SHOWN { format!("{shown} and {} more", items.len() - SHOWN) } else { shown }
}
