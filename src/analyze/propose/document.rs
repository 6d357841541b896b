//! The proposal as a policy document: statements in a human key order (Sid, Effect, Principal, Action,
//! Resource, Condition), one string where a list would hold one value, and the exact printed text whose
//! characters count against the endpoint-policy limit.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::Serializer;

/// One value or several: printed as a string when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneOrMany(pub Vec<String>);

impl Serialize for OneOrMany {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.as_slice() {
            [one] => serializer.serialize_str(one),
            many => many.serialize(serializer),
        }
    }
}

/// `operator → key → values`.
pub type Conditions = BTreeMap<String, BTreeMap<String, OneOrMany>>;

/// One Allow statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyStatement {
    #[serde(rename = "Sid")]
    pub sid: String,
    #[serde(rename = "Effect")]
    pub effect: &'static str,
    #[serde(rename = "Principal")]
    pub principal: &'static str,
    #[serde(rename = "Action")]
    pub action: OneOrMany,
    #[serde(rename = "Resource")]
    pub resource: OneOrMany,
    #[serde(rename = "Condition", skip_serializing_if = "BTreeMap::is_empty")]
    pub condition: Conditions,
}

/// A whole endpoint policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyDocument {
    #[serde(rename = "Version")]
    pub version: &'static str,
    #[serde(rename = "Statement")]
    pub statement: Vec<PolicyStatement>,
}

impl PolicyDocument {
    /// The document as printed (pretty JSON, two-space indent, trailing newline).
    pub fn to_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Characters of the printed document: what the 20,480-character limit counts.
    pub fn size_chars(&self) -> usize {
        self.to_text().chars().count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_in_human_order() {
        let mut condition = Conditions::new();
        condition
            .entry("StringEquals".into())
            .or_default()
            .insert("aws:PrincipalAccount".into(), OneOrMany(vec!["111122223333".into()]));
        let doc = PolicyDocument {
            version: "2012-10-17",
            statement: vec![PolicyStatement {
                sid: "S3ReadAppData".into(),
                effect: "Allow",
                principal: "*",
                action: OneOrMany(vec!["s3:GetObject".into()]),
                resource: OneOrMany(vec!["arn:aws:s3:::a".into(), "arn:aws:s3:::a/*".into()]),
                condition,
            }],
        };
        let text = doc.to_text();
        let order: Vec<usize> =
            ["\"Sid\"", "\"Effect\"", "\"Principal\"", "\"Action\"", "\"Resource\"", "\"Condition\""]
                .iter()
                .map(|k| text.find(k).unwrap())
                .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert!(text.contains("\"Action\": \"s3:GetObject\""), "{text}");
        assert_eq!(doc.size_chars(), text.chars().count());
        assert!(crate::policy::Policy::parse(&text).is_ok());
    }
}
