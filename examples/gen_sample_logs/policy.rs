//! The endpoint policies in force, and a deliberately small evaluator for exactly the grammar they use.
//!
//! The evaluator is the generator's own check, independent of the crate's policy engine: every request the
//! world marks "allowed through the endpoint" is evaluated and must come out `Allow`, and the manifest
//! records what each policy decides for each planted request. Unknown facts (a missing resource owner, a
//! network activity event without a resource) evaluate three-valued, as a replaying tool would have to.

use serde_json::Value;

use crate::who::*;

/// A request as the endpoint policy sees it. `None` = the logs do not say.
pub struct Ctx<'a> {
    pub action: &'a str,
    pub resource: Option<&'a str>,
    pub principal_account: Option<&'a str>,
    pub principal_org: Option<&'a str>,
    pub resource_account: Option<&'a str>,
}

/// What an endpoint policy decides.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    Allow,
    ImplicitDeny,
    /// Denied by the Deny statement with this Sid.
    ExplicitDeny(String),
    /// Denied for sure, but whether explicitly depends on a fact the logs lack.
    Deny,
    /// Allowed or denied depending on a fact the logs lack.
    Indeterminate,
}

impl Decision {
    pub fn name(&self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::ImplicitDeny => "implicit-deny",
            Decision::ExplicitDeny(_) => "explicit-deny",
            Decision::Deny => "deny",
            Decision::Indeterminate => "indeterminate",
        }
    }

    pub fn denies(&self) -> bool {
        matches!(self, Decision::ImplicitDeny | Decision::ExplicitDeny(_) | Decision::Deny)
    }
}

/// The organization of an account, as the trail-vpce.toml `[account_orgs]` map tells it: members map to the
/// org; any other account is known NOT to be in it (the map lists every member).
pub fn org_of(account: &str) -> Option<&'static str> {
    match account {
        APP_ACCT | DATA_ACCT => Some(ORG),
        "" => None,
        _ => Some("(outside o-a1b2c3d4e5)"),
    }
}

/// The S3 gateway endpoint's policy, as written to `policies/` (human key order; parsed for evaluation).
pub const S3_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Id": "s3-gateway-endpoint-app-vpc",
  "Statement": [
    {
      "Sid": "AllowOrgPrincipalsOnOrgBuckets",
      "Effect": "Allow",
      "Principal": "*",
      "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:ListBucket",
                 "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      "Resource": [
        "arn:aws:s3:::app-data-111122223333", "arn:aws:s3:::app-data-111122223333/*",
        "arn:aws:s3:::app-logs-111122223333", "arn:aws:s3:::app-logs-111122223333/*",
        "arn:aws:s3:::analytics-444455556666", "arn:aws:s3:::analytics-444455556666/*"
      ],
      "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
    },
    {
      "Sid": "AllowAppAccountDeletesOfUploads",
      "Effect": "Allow",
      "Principal": "*",
      "Action": "s3:DeleteObject",
      "Resource": "arn:aws:s3:::app-data-111122223333/uploads/*",
      "Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}
    },
    {
      "Sid": "AllowEcrLayerDownloads",
      "Effect": "Allow",
      "Principal": "*",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*"
    },
    {
      "Sid": "AllowPartnerExchangeUploads",
      "Effect": "Allow",
      "Principal": "*",
      "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::exfil-drop-999988887777/incoming/*",
      "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
    },
    {
      "Sid": "DenyLogTampering",
      "Effect": "Deny",
      "Principal": "*",
      "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion"],
      "Resource": "arn:aws:s3:::app-logs-111122223333/*"
    },
    {
      "Sid": "DenyResourcesOutsideOrgAccounts",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:*",
      "NotResource": [
        "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*",
        "arn:aws:s3:::exfil-drop-999988887777/incoming/*"
      ],
      "Condition": {"StringNotEquals": {"aws:ResourceAccount": ["111122223333", "444455556666"]}}
    }
  ]
}
"#;

/// The DynamoDB gateway endpoint's policy.
pub const DYNAMODB_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowAppAccountOnOrders",
      "Effect": "Allow",
      "Principal": "*",
      "Action": ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem",
                 "dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem"],
      "Resource": [
        "arn:aws:dynamodb:us-east-1:111122223333:table/orders",
        "arn:aws:dynamodb:us-east-1:111122223333:table/orders/index/*"
      ],
      "Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}
    },
    {
      "Sid": "AllowDescribeEndpoints",
      "Effect": "Allow",
      "Principal": "*",
      "Action": "dynamodb:DescribeEndpoints",
      "Resource": "*"
    }
  ]
}
"#;

/// The KMS / Secrets Manager interface endpoint's policy.
pub const INTERFACE_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowOrgKeyUseOnOrgKeys",
      "Effect": "Allow",
      "Principal": "*",
      "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
      "Resource": "*",
      "Condition": {
        "StringEquals": {
          "aws:PrincipalOrgID": "o-a1b2c3d4e5",
          "aws:ResourceAccount": ["111122223333", "444455556666"]
        }
      }
    },
    {
      "Sid": "AllowOrgSecretReads",
      "Effect": "Allow",
      "Principal": "*",
      "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      "Resource": "arn:aws:secretsmanager:eu-west-1:444455556666:secret:*",
      "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
    }
  ]
}
"#;

/// The policy text in force on an endpoint.
pub fn policy_text(vpce: &str) -> Option<&'static str> {
    match vpce {
        VPCE_S3 => Some(S3_POLICY),
        VPCE_DDB => Some(DYNAMODB_POLICY),
        VPCE_IF => Some(INTERFACE_POLICY),
        _ => None,
    }
}

/// The parsed policy in force on an endpoint (`None` for no endpoint; the texts are checked at write time).
pub fn policy_for(vpce: &str) -> Option<Value> {
    policy_text(vpce).and_then(|text| serde_json::from_str(text).ok())
}

#[derive(Clone, Copy, PartialEq)]
enum Tri {
    Yes,
    No,
    Unknown,
}

fn and(a: Tri, b: Tri) -> Tri {
    match (a, b) {
        (Tri::No, _) | (_, Tri::No) => Tri::No,
        (Tri::Unknown, _) | (_, Tri::Unknown) => Tri::Unknown,
        _ => Tri::Yes,
    }
}

fn not(a: Tri) -> Tri {
    match a {
        Tri::Yes => Tri::No,
        Tri::No => Tri::Yes,
        Tri::Unknown => Tri::Unknown,
    }
}

/// `*` and `?` wildcards (enough for the ARNs and actions in these policies).
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match (pattern.first(), text.first()) {
        (None, None) => true,
        (Some(b'*'), _) => glob(&pattern[1..], text) || (!text.is_empty() && glob(pattern, &text[1..])),
        (Some(b'?'), Some(_)) => glob(&pattern[1..], &text[1..]),
        (Some(p), Some(t)) if p == t => glob(&pattern[1..], &text[1..]),
        _ => false,
    }
}

fn strings(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn any_glob(patterns: &Value, text: Option<&str>) -> Tri {
    let patterns = strings(patterns);
    if patterns.contains(&"*") {
        return Tri::Yes;
    }
    match text {
        None => Tri::Unknown,
        Some(t) => {
            if patterns.iter().any(|p| glob(p.as_bytes(), t.as_bytes())) {
                Tri::Yes
            } else {
                Tri::No
            }
        }
    }
}

fn condition(cond: &Value, ctx: &Ctx<'_>) -> Tri {
    let mut result = Tri::Yes;
    let Some(ops) = cond.as_object() else {
        return result;
    };
    for (op, keys) in ops {
        let Some(keys) = keys.as_object() else {
            continue;
        };
        for (key, wanted) in keys {
            let actual = match key.to_ascii_lowercase().as_str() {
                "aws:principalorgid" => ctx.principal_org,
                "aws:principalaccount" => ctx.principal_account,
                "aws:resourceaccount" | "s3:resourceaccount" => ctx.resource_account,
                _ => None,
            };
            let equal = match actual {
                None => Tri::Unknown,
                Some(a) => {
                    if strings(wanted).contains(&a) {
                        Tri::Yes
                    } else {
                        Tri::No
                    }
                }
            };
            let matched = if op == "StringNotEquals" { not(equal) } else { equal };
            result = and(result, matched);
        }
    }
    result
}

fn statement(st: &Value, ctx: &Ctx<'_>) -> Tri {
    let action = ctx.action.to_ascii_lowercase();
    let actions: Vec<String> = strings(&st["Action"]).iter().map(|a| a.to_ascii_lowercase()).collect();
    if !actions.iter().any(|a| glob(a.as_bytes(), action.as_bytes())) {
        return Tri::No;
    }
    let resource = if st.get("NotResource").is_some() {
        not(any_glob(&st["NotResource"], ctx.resource))
    } else {
        any_glob(&st["Resource"], ctx.resource)
    };
    and(resource, condition(&st["Condition"], ctx))
}

/// Standard evaluation restricted to one policy: an explicit deny wins, else an allow, else implicit deny;
/// three-valued where the context lacks a fact.
pub fn evaluate(policy: &Value, ctx: &Ctx<'_>) -> Decision {
    let (mut allow_yes, mut allow_unknown, mut deny_unknown) = (false, false, false);
    for st in policy["Statement"].as_array().into_iter().flatten() {
        let effect = st["Effect"].as_str().unwrap_or_default();
        match (effect, statement(st, ctx)) {
            ("Deny", Tri::Yes) => {
                return Decision::ExplicitDeny(st["Sid"].as_str().unwrap_or_default().to_owned());
            }
            ("Deny", Tri::Unknown) => deny_unknown = true,
            ("Allow", Tri::Yes) => allow_yes = true,
            ("Allow", Tri::Unknown) => allow_unknown = true,
            _ => {}
        }
    }
    match (deny_unknown, allow_yes || allow_unknown) {
        (true, true) => Decision::Indeterminate,
        (true, false) => Decision::Deny,
        (false, _) if allow_yes => Decision::Allow,
        (false, true) => Decision::Indeterminate,
        (false, false) => Decision::ImplicitDeny,
    }
}
