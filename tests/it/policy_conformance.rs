//! Conformance suite for the policy engine: table-driven cases grouped in blocks, each block citing the
//! AWS documentation page its rules come from. A case is a policy, a request and the expected decision
//! (`allow`, `implicit-deny`, `explicit-deny`, `unknown`, or a detailed `name[...]` summary from
//! [`summary`]), or a policy and the JSON path its parse error must name.
//!
//! Condition cases wrap the condition in "Allow everyone everything if <condition>", so a true condition
//! is `allow`, a false one `implicit-deny` and an unknown one `unknown`.

use trail_vpce::policy::{AccountPrincipal, Decision, EvalOptions, Policy, Request, evaluate_with};

enum Want {
    Decision(String),
    ParseError(&'static str),
}

struct Case {
    policy: String,
    request: Request,
    account: AccountPrincipal,
    want: Want,
}

struct Block {
    doc: &'static str,
    cases: Vec<Case>,
}

/// `name` for allow / implicit-deny; `explicit-deny[S1,S2]`; `unknown[keys=a,b;stmts=S;can_allow=true]`.
fn summary(decision: &Decision) -> String {
    let refs = |s: &[trail_vpce::policy::StatementRef]| s.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
    match decision {
        Decision::Allow { statements } => format!("allow[{}]", refs(statements)),
        Decision::ImplicitDeny => "implicit-deny[]".to_owned(),
        Decision::ExplicitDeny { statements } => format!("explicit-deny[{}]", refs(statements)),
        Decision::Unknown { missing_keys, statements, can_allow } => format!(
            "unknown[keys={};stmts={};can_allow={can_allow}]",
            missing_keys.iter().cloned().collect::<Vec<_>>().join(","),
            refs(statements)
        ),
    }
}

// ---- builders -------------------------------------------------------------------------------------------

/// The request most cases start from: s3:GetObject on bucket/key, closed world.
fn req() -> Request {
    Request::new("s3:GetObject").resource("arn:aws:s3:::bucket/key")
}

fn kv(key: &str, value: &str) -> Request {
    req().with(key, value)
}

fn kvs(key: &str, values: &[&str]) -> Request {
    req().with_many(key, values)
}

fn open() -> Request {
    req().open_world()
}

/// A policy allowing everything when `condition` (the JSON inside `"Condition": {...}`) holds.
fn cond_policy(condition: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{{{condition}}}}}]}}"#
    )
}

/// A policy of the given statements (JSON objects, comma-separated).
fn stmts(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

fn case(policy: String, request: Request, want: &str) -> Case {
    Case { policy, request, account: AccountPrincipal::RootOnly, want: Want::Decision(want.to_owned()) }
}

/// Condition cases: (condition JSON, request, want).
fn cond_block(doc: &'static str, cases: Vec<(&str, Request, &str)>) -> Block {
    Block { doc, cases: cases.into_iter().map(|(c, r, w)| case(cond_policy(c), r, w)).collect() }
}

/// Cases sharing one policy.
fn policy_block(doc: &'static str, policy: &str, cases: Vec<(Request, &str)>) -> Block {
    Block { doc, cases: cases.into_iter().map(|(r, w)| case(policy.to_owned(), r, w)).collect() }
}

const A: &str = "allow";
const D: &str = "implicit-deny";
const X: &str = "explicit-deny";
const U: &str = "unknown";

// ---- condition operators --------------------------------------------------------------------------------

fn string_operators() -> Block {
    cond_block(
        "IAM JSON policy elements: Condition operators — String condition operators",
        vec![
            (r#""StringEquals":{"k":"abc"}"#, kv("k", "abc"), A),
            (r#""StringEquals":{"k":"abc"}"#, kv("k", "ABC"), D),
            (r#""StringEquals":{"k":"abc"}"#, kv("k", "abcd"), D),
            (r#""StringEquals":{"k":"abc"}"#, req(), D),
            (r#""StringEquals":{"k":"abc"}"#, open(), U),
            (r#""StringEquals":{"k":"abc"}"#, open().known_absent("k"), D),
            (r#""StringEquals":{"k":["x","abc"]}"#, kv("k", "abc"), A),
            (r#""StringEquals":{"k":["x","y"]}"#, kv("k", "abc"), D),
            (r#""StringEquals":{"k":"a*"}"#, kv("k", "abc"), D),
            (r#""StringEquals":{"k":"a*"}"#, kv("k", "a*"), A),
            (r#""StringEquals":{"k":5}"#, kv("k", "5"), A),
            (r#""StringEquals":{"k":true}"#, kv("k", "true"), A),
            (r#""StringEquals":{"k":""}"#, kv("k", ""), A),
            (r#""StringNotEquals":{"k":"abc"}"#, kv("k", "abc"), D),
            (r#""StringNotEquals":{"k":"abc"}"#, kv("k", "xyz"), A),
            (r#""StringNotEquals":{"k":"abc"}"#, kv("k", "ABC"), A),
            (r#""StringNotEquals":{"k":"abc"}"#, req(), A),
            (r#""StringNotEquals":{"k":"abc"}"#, open(), U),
            (r#""StringNotEquals":{"k":["a","b"]}"#, kv("k", "a"), D),
            (r#""StringNotEquals":{"k":["a","b"]}"#, kv("k", "b"), D),
            (r#""StringNotEquals":{"k":["a","b"]}"#, kv("k", "c"), A),
            (r#""StringEqualsIgnoreCase":{"k":"abc"}"#, kv("k", "ABC"), A),
            (r#""StringEqualsIgnoreCase":{"k":"AbC"}"#, kv("k", "aBc"), A),
            (r#""StringEqualsIgnoreCase":{"k":"abc"}"#, kv("k", "abd"), D),
            (r#""StringEqualsIgnoreCase":{"k":"äbc"}"#, kv("k", "ÄBC"), A),
            (r#""StringEqualsIgnoreCase":{"k":"abc"}"#, req(), D),
            (r#""StringNotEqualsIgnoreCase":{"k":"abc"}"#, kv("k", "ABC"), D),
            (r#""StringNotEqualsIgnoreCase":{"k":"abc"}"#, kv("k", "xyz"), A),
            (r#""StringNotEqualsIgnoreCase":{"k":"abc"}"#, req(), A),
            (r#""StringLike":{"k":"ab*"}"#, kv("k", "abc"), A),
            (r#""StringLike":{"k":"ab*"}"#, kv("k", "ab"), A),
            (r#""StringLike":{"k":"ab*"}"#, kv("k", "xab"), D),
            (r#""StringLike":{"k":"AB*"}"#, kv("k", "abc"), D),
            (r#""StringLike":{"k":"a?c"}"#, kv("k", "abc"), A),
            (r#""StringLike":{"k":"a?c"}"#, kv("k", "ac"), D),
            (r#""StringLike":{"k":"a?c"}"#, kv("k", "abbc"), D),
            (r#""StringLike":{"k":"*"}"#, kv("k", ""), A),
            (r#""StringLike":{"k":"*"}"#, req(), D),
            (r#""StringLike":{"k":"arn:*:role/*"}"#, kv("k", "arn:aws:iam::1:role/x"), A),
            (r#""StringLike":{"k":"*/logs/*"}"#, kv("k", "a/b/logs/c"), A),
            (r#""StringLike":{"k":["x*","ab*"]}"#, kv("k", "abc"), A),
            (r#""StringLike":{"k":"ab*"}"#, open(), U),
            (r#""StringNotLike":{"k":"ab*"}"#, kv("k", "abc"), D),
            (r#""StringNotLike":{"k":"ab*"}"#, kv("k", "xyz"), A),
            (r#""StringNotLike":{"k":"ab*"}"#, req(), A),
            (r#""StringNotLike":{"k":["a*","b*"]}"#, kv("k", "c"), A),
            (r#""StringNotLike":{"k":["a*","b*"]}"#, kv("k", "bq"), D),
            (r#""StringNotLike":{"k":"ab*"}"#, open(), U),
        ],
    )
}

fn numeric_operators() -> Block {
    cond_block(
        "IAM JSON policy elements: Condition operators — Numeric condition operators",
        vec![
            (r#""NumericEquals":{"n":"10"}"#, kv("n", "10"), A),
            (r#""NumericEquals":{"n":10}"#, kv("n", "10.0"), A),
            (r#""NumericEquals":{"n":"10"}"#, kv("n", "11"), D),
            (r#""NumericEquals":{"n":"10"}"#, kv("n", "ten"), D),
            (r#""NumericEquals":{"n":"10"}"#, req(), D),
            (r#""NumericEquals":{"n":"10"}"#, open(), U),
            (r#""NumericEquals":{"n":["1","10"]}"#, kv("n", "10"), A),
            (r#""NumericNotEquals":{"n":"10"}"#, kv("n", "11"), A),
            (r#""NumericNotEquals":{"n":"10"}"#, kv("n", "10"), D),
            (r#""NumericNotEquals":{"n":"10"}"#, req(), A),
            (r#""NumericNotEquals":{"n":"10"}"#, kv("n", "ten"), D),
            (r#""NumericNotEquals":{"n":["1","10"]}"#, kv("n", "1"), D),
            (r#""NumericLessThan":{"n":"10"}"#, kv("n", "9"), A),
            (r#""NumericLessThan":{"n":"10"}"#, kv("n", "10"), D),
            (r#""NumericLessThan":{"n":"-1.5"}"#, kv("n", "-2"), A),
            (r#""NumericLessThan":{"n":"10"}"#, req(), D),
            (r#""NumericLessThanEquals":{"n":"10"}"#, kv("n", "10"), A),
            (r#""NumericLessThanEquals":{"n":"10"}"#, kv("n", "10.5"), D),
            (r#""NumericGreaterThan":{"n":"10"}"#, kv("n", "11"), A),
            (r#""NumericGreaterThan":{"n":"10"}"#, kv("n", "10"), D),
            (r#""NumericGreaterThan":{"n":"0.5"}"#, kv("n", "0.75"), A),
            (r#""NumericGreaterThanEquals":{"n":"10"}"#, kv("n", "10"), A),
            (r#""NumericGreaterThanEquals":{"n":"10"}"#, kv("n", "9.99"), D),
            (r#""NumericLessThanIfExists":{"n":"10"}"#, req(), A),
            (r#""NumericLessThanIfExists":{"n":"10"}"#, kv("n", "20"), D),
        ],
    )
}

fn date_operators() -> Block {
    cond_block(
        "IAM JSON policy elements: Condition operators — Date condition operators",
        vec![
            (
                r#""DateGreaterThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}"#,
                kv("aws:CurrentTime", "2024-06-01T00:00:00Z"),
                A,
            ),
            (
                r#""DateGreaterThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}"#,
                kv("aws:CurrentTime", "2023-06-01T00:00:00Z"),
                D,
            ),
            (
                r#""DateGreaterThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}"#,
                kv("aws:CurrentTime", "2024-01-01T00:00:00Z"),
                D,
            ),
            (r#""DateGreaterThan":{"aws:EpochTime":"2024-01-01T00:00:00Z"}"#, kv("aws:EpochTime", "1717200000"), A),
            (r#""DateLessThan":{"aws:CurrentTime":"1704067200"}"#, kv("aws:CurrentTime", "2023-12-31T23:59:59Z"), A),
            (r#""DateLessThan":{"aws:CurrentTime":1704067200}"#, kv("aws:CurrentTime", "2024-01-01T00:00:01Z"), D),
            (
                r#""DateLessThanEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}"#,
                kv("aws:CurrentTime", "2024-01-01T00:00:00Z"),
                A,
            ),
            (
                r#""DateLessThanEquals":{"aws:CurrentTime":"2024-01-01"}"#,
                kv("aws:CurrentTime", "2024-01-01T00:00:01Z"),
                D,
            ),
            (
                r#""DateGreaterThanEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}"#,
                kv("aws:CurrentTime", "1704067200"),
                A,
            ),
            (
                r#""DateEquals":{"aws:CurrentTime":"2024-01-01T01:00:00+01:00"}"#,
                kv("aws:CurrentTime", "2024-01-01T00:00:00Z"),
                A,
            ),
            (
                r#""DateEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}"#,
                kv("aws:CurrentTime", "2024-01-02T00:00:00Z"),
                D,
            ),
            (
                r#""DateNotEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}"#,
                kv("aws:CurrentTime", "2024-01-02T00:00:00Z"),
                A,
            ),
            (
                r#""DateNotEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}"#,
                kv("aws:CurrentTime", "2024-01-01T00:00:00Z"),
                D,
            ),
            (r#""DateNotEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}"#, req(), A),
            (r#""DateGreaterThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}"#, req(), D),
            (r#""DateGreaterThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}"#, kv("aws:CurrentTime", "soon"), D),
            (r#""DateGreaterThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}"#, open(), U),
            (r#""DateLessThanIfExists":{"aws:TokenIssueTime":"2024-01-01T00:00:00Z"}"#, req(), A),
        ],
    )
}

fn bool_binary_ip_operators() -> Block {
    cond_block(
        "IAM JSON policy elements: Condition operators — Boolean, binary and IP address condition operators",
        vec![
            (r#""Bool":{"aws:SecureTransport":"true"}"#, kv("aws:SecureTransport", "true"), A),
            (r#""Bool":{"aws:SecureTransport":"true"}"#, kv("aws:SecureTransport", "TRUE"), A),
            (r#""Bool":{"aws:SecureTransport":true}"#, kv("aws:SecureTransport", "true"), A),
            (r#""Bool":{"aws:SecureTransport":"true"}"#, kv("aws:SecureTransport", "false"), D),
            (r#""Bool":{"aws:SecureTransport":"true"}"#, kv("aws:SecureTransport", "yes"), D),
            (r#""Bool":{"aws:SecureTransport":"true"}"#, req(), D),
            (r#""Bool":{"aws:SecureTransport":"false"}"#, kv("aws:SecureTransport", "false"), A),
            (r#""Bool":{"aws:SecureTransport":"false"}"#, req(), D),
            (r#""Bool":{"aws:SecureTransport":"false"}"#, open(), U),
            (r#""BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}"#, req(), A),
            (r#""BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}"#, kv("aws:MultiFactorAuthPresent", "false"), D),
            (r#""BinaryEquals":{"k":"aGVsbG8="}"#, kv("k", "aGVsbG8="), A),
            (r#""BinaryEquals":{"k":"aGVsbG8="}"#, kv("k", "aGVsbG8"), A),
            (r#""BinaryEquals":{"k":"aGVsbG8="}"#, kv("k", "d29ybGQ="), D),
            (r#""BinaryEquals":{"k":"aGVsbG8="}"#, req(), D),
            (r#""BinaryEquals":{"k":["d29ybGQ=","aGVsbG8="]}"#, kv("k", "aGVsbG8="), A),
            (r#""IpAddress":{"aws:SourceIp":"203.0.113.0/24"}"#, kv("aws:SourceIp", "203.0.113.7"), A),
            (r#""IpAddress":{"aws:SourceIp":"203.0.113.0/24"}"#, kv("aws:SourceIp", "203.0.114.1"), D),
            (r#""IpAddress":{"aws:SourceIp":"203.0.113.0/24"}"#, kv("aws:SourceIp", "2001:db8::1"), D),
            (r#""IpAddress":{"aws:SourceIp":"203.0.113.0/24"}"#, kv("aws:SourceIp", "not-an-ip"), D),
            (r#""IpAddress":{"aws:SourceIp":"203.0.113.0/24"}"#, req(), D),
            (r#""IpAddress":{"aws:SourceIp":"203.0.113.0/24"}"#, open(), U),
            (r#""IpAddress":{"aws:SourceIp":"2001:db8::/32"}"#, kv("aws:SourceIp", "2001:db8:1::5"), A),
            (r#""IpAddress":{"aws:SourceIp":"203.0.113.7"}"#, kv("aws:SourceIp", "203.0.113.7"), A),
            (r#""IpAddress":{"aws:SourceIp":"203.0.113.7"}"#, kv("aws:SourceIp", "203.0.113.8"), D),
            (r#""IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}"#, kv("aws:SourceIp", "192.168.4.4"), A),
            (r#""NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}"#, kv("aws:SourceIp", "203.0.113.7"), D),
            (r#""NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}"#, kv("aws:SourceIp", "198.51.100.1"), A),
            (r#""NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}"#, req(), A),
            (
                r#""NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}"#,
                kv("aws:SourceIp", "192.168.4.4"),
                D,
            ),
            (r#""IpAddressIfExists":{"aws:SourceIp":"203.0.113.0/24"}"#, req(), A),
            (r#""IpAddressIfExists":{"aws:SourceIp":"203.0.113.0/24"}"#, kv("aws:SourceIp", "8.8.8.8"), D),
        ],
    )
}

fn arn_operators() -> Block {
    let role = "arn:aws:iam::111122223333:role/app-web";
    cond_block(
        "IAM JSON policy elements: Condition operators — Amazon Resource Name (ARN) condition operators (ArnLike)",
        vec![
            (r#""ArnEquals":{"aws:SourceArn":"arn:aws:s3:::bucket"}"#, kv("aws:SourceArn", "arn:aws:s3:::bucket"), A),
            (r#""ArnEquals":{"aws:SourceArn":"arn:aws:s3:::bucket"}"#, kv("aws:SourceArn", "arn:aws:s3:::bucket2"), D),
            (r#""ArnEquals":{"aws:SourceArn":"arn:aws:s3:::bucket"}"#, kv("aws:SourceArn", "arn:aws:s3:::BUCKET"), D),
            (r#""ArnEquals":{"aws:SourceArn":"arn:aws:s3:::b*"}"#, kv("aws:SourceArn", "arn:aws:s3:::bucket"), A),
            (r#""ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/app-*"}"#, kv("aws:PrincipalArn", role), A),
            (
                r#""ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/app-*"}"#,
                kv("aws:PrincipalArn", "arn:aws:iam::111122223333:role/db"),
                D,
            ),
            (r#""ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/APP-*"}"#, kv("aws:PrincipalArn", role), D),
            (
                r#""ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/*"}"#,
                kv("aws:PrincipalArn", "arn:aws:iam::1:2:role/x"),
                D,
            ),
            (r#""ArnLike":{"aws:PrincipalArn":"arn:aws:iam::1111*:role/*"}"#, kv("aws:PrincipalArn", role), A),
            (r#""ArnLike":{"aws:PrincipalArn":"arn:aws:iam::????????????:role/*"}"#, kv("aws:PrincipalArn", role), A),
            (r#""ArnLike":{"aws:PrincipalArn":"arn:aws:iam::???:role/*"}"#, kv("aws:PrincipalArn", role), D),
            (r#""ArnLike":{"aws:PrincipalArn":"arn:*:iam::111122223333:*"}"#, kv("aws:PrincipalArn", role), A),
            (r#""ArnLike":{"aws:PrincipalArn":"arn:aws:*"}"#, kv("aws:PrincipalArn", role), A),
            (r#""ArnLike":{"aws:PrincipalArn":"*"}"#, kv("aws:PrincipalArn", role), A),
            (
                r#""ArnLike":{"aws:SourceArn":"arn:aws:s3:::bucket/*"}"#,
                kv("aws:SourceArn", "arn:aws:s3:::bucket/a:b:c"),
                A,
            ),
            (r#""ArnLike":{"aws:SourceArn":"arn:aws:s3:*:*:bucket"}"#, kv("aws:SourceArn", "arn:aws:s3:::bucket"), A),
            (r#""ArnLike":{"aws:SourceArn":"arn:aws:*:::bucket"}"#, kv("aws:SourceArn", "arn:aws:s3:eu:1:bucket"), D),
            (
                r#""ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/*"}"#,
                kv("aws:PrincipalArn", "cloudtrail.amazonaws.com"),
                D,
            ),
            (r#""ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/*"}"#, req(), D),
            (r#""ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/*"}"#, open(), U),
            (
                r#""ArnLike":{"aws:PrincipalArn":["arn:aws:iam::*:role/db","arn:aws:iam::*:role/app-*"]}"#,
                kv("aws:PrincipalArn", role),
                A,
            ),
            (
                r#""ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/app-web"}"#,
                kv("aws:PrincipalArn", role),
                D,
            ),
            (
                r#""ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/db"}"#,
                kv("aws:PrincipalArn", role),
                A,
            ),
            (r#""ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/db"}"#, req(), A),
            (r#""ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/app-*"}"#, kv("aws:PrincipalArn", role), D),
            (
                r#""ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/app-*"}"#,
                kv("aws:PrincipalArn", "arn:aws:iam::1:role/db"),
                A,
            ),
            (r#""ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/app-*"}"#, req(), A),
            (r#""ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/app-*"}"#, open(), U),
            (r#""ArnLikeIfExists":{"aws:SourceArn":"arn:aws:s3:::bucket"}"#, req(), A),
            (
                r#""ArnLikeIfExists":{"aws:SourceArn":"arn:aws:s3:::bucket"}"#,
                kv("aws:SourceArn", "arn:aws:s3:::other"),
                D,
            ),
        ],
    )
}

fn null_and_if_exists() -> Block {
    cond_block(
        "IAM JSON policy elements: Condition operators — ...IfExists condition operators; Condition operator to check existence of condition keys (Null)",
        vec![
            (r#""Null":{"aws:TokenIssueTime":"true"}"#, req(), A),
            (r#""Null":{"aws:TokenIssueTime":"true"}"#, kv("aws:TokenIssueTime", "2024-01-01T00:00:00Z"), D),
            (r#""Null":{"aws:TokenIssueTime":"false"}"#, kv("aws:TokenIssueTime", "2024-01-01T00:00:00Z"), A),
            (r#""Null":{"aws:TokenIssueTime":"false"}"#, req(), D),
            (r#""Null":{"aws:TokenIssueTime":true}"#, req(), A),
            (r#""Null":{"aws:TokenIssueTime":"true"}"#, open(), U),
            (r#""Null":{"aws:TokenIssueTime":"true"}"#, open().known_absent("aws:TokenIssueTime"), A),
            (r#""Null":{"aws:PrincipalTag/team":"false"}"#, kv("aws:PrincipalTag/team", ""), A),
            (r#""StringEqualsIfExists":{"k":"a"}"#, req(), A),
            (r#""StringEqualsIfExists":{"k":"a"}"#, kv("k", "a"), A),
            (r#""StringEqualsIfExists":{"k":"a"}"#, kv("k", "b"), D),
            (r#""StringEqualsIfExists":{"k":"a"}"#, open(), U),
            (r#""StringNotEqualsIfExists":{"k":"a"}"#, req(), A),
            (r#""StringNotEqualsIfExists":{"k":"a"}"#, kv("k", "a"), D),
            (r#""StringLikeIfExists":{"k":"a*"}"#, kv("k", "abc"), A),
            (r#""StringLikeIfExists":{"k":"a*"}"#, kv("k", "xbc"), D),
            (r#""StringNotLikeIfExists":{"k":"a*"}"#, req(), A),
            (r#""NumericGreaterThanIfExists":{"n":"1"}"#, req(), A),
            (r#""DateGreaterThanIfExists":{"aws:CurrentTime":"2024-01-01"}"#, req(), A),
            (
                r#""IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"},"StringEqualsIfExists":{"aws:SourceVpc":"vpc-1"}"#,
                req(),
                A,
            ),
            (
                r#""IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"},"StringEqualsIfExists":{"aws:SourceVpc":"vpc-1"}"#,
                kv("aws:SourceVpc", "vpc-2"),
                D,
            ),
        ],
    )
}

fn set_operators() -> Block {
    cond_block(
        "IAM JSON policy elements: Condition operators — Set operators for multivalued context keys (ForAllValues, ForAnyValue)",
        vec![
            (r#""ForAllValues:StringEquals":{"k":["a","b"]}"#, kvs("k", &["a"]), A),
            (r#""ForAllValues:StringEquals":{"k":["a","b"]}"#, kvs("k", &["a", "b"]), A),
            (r#""ForAllValues:StringEquals":{"k":["a","b"]}"#, kvs("k", &["a", "c"]), D),
            (r#""ForAllValues:StringEquals":{"k":["a","b"]}"#, kvs("k", &[]), A),
            (r#""ForAllValues:StringEquals":{"k":["a","b"]}"#, req(), A),
            (r#""ForAllValues:StringEquals":{"k":["a","b"]}"#, open(), U),
            (r#""ForAnyValue:StringEquals":{"k":["a","b"]}"#, kvs("k", &["c", "a"]), A),
            (r#""ForAnyValue:StringEquals":{"k":["a","b"]}"#, kvs("k", &["c"]), D),
            (r#""ForAnyValue:StringEquals":{"k":["a","b"]}"#, kvs("k", &[]), D),
            (r#""ForAnyValue:StringEquals":{"k":["a","b"]}"#, req(), D),
            (r#""ForAnyValue:StringEquals":{"k":["a","b"]}"#, open(), U),
            (r#""ForAnyValue:StringNotEquals":{"k":"a"}"#, kvs("k", &["a", "b"]), A),
            (r#""ForAnyValue:StringNotEquals":{"k":"a"}"#, kvs("k", &["a"]), D),
            (r#""ForAnyValue:StringNotEquals":{"k":"a"}"#, req(), D),
            (r#""ForAllValues:StringNotEquals":{"k":"a"}"#, kvs("k", &["b", "c"]), A),
            (r#""ForAllValues:StringNotEquals":{"k":"a"}"#, kvs("k", &["a", "b"]), D),
            (r#""ForAllValues:StringNotEquals":{"k":"a"}"#, req(), A),
            (r#""ForAllValues:StringLike":{"k":"a*"}"#, kvs("k", &["ab", "ac"]), A),
            (r#""ForAllValues:StringLike":{"k":"a*"}"#, kvs("k", &["ab", "b"]), D),
            (r#""ForAnyValue:StringLike":{"k":"a*"}"#, kvs("k", &["x", "ab"]), A),
            (r#""ForAnyValue:StringEqualsIfExists":{"k":"a"}"#, req(), A),
            (r#""ForAllValues:StringEqualsIfExists":{"k":"a"}"#, kvs("k", &["b"]), D),
            (
                r#""ForAnyValue:StringEquals":{"aws:CalledVia":"athena.amazonaws.com"}"#,
                kvs("aws:CalledVia", &["athena.amazonaws.com"]),
                A,
            ),
            (
                r#""ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}"#,
                kvs("aws:TagKeys", &["env", "team", "cost"]),
                D,
            ),
            (r#""StringEquals":{"k":"a"}"#, kvs("k", &["b", "a"]), A),
            (r#""StringNotEquals":{"k":"a"}"#, kvs("k", &["b", "a"]), D),
            (r#""StringNotEquals":{"k":"a"}"#, kvs("k", &["b", "c"]), A),
            (r#""ForAnyValue:NumericGreaterThan":{"n":"5"}"#, kvs("n", &["1", "9"]), A),
            (r#""ForAllValues:NumericGreaterThan":{"n":"5"}"#, kvs("n", &["1", "9"]), D),
            (r#""ForAnyValue:IpAddress":{"ips":"10.0.0.0/8"}"#, kvs("ips", &["8.8.8.8", "10.1.1.1"]), A),
        ],
    )
}

fn condition_logic() -> Block {
    cond_block(
        "IAM JSON policy elements: Condition — The condition block (AND across keys and operators, OR across values; key names case-insensitive)",
        vec![
            (r#""StringEquals":{"a":"1","b":"2"}"#, req().with("a", "1").with("b", "2"), A),
            (r#""StringEquals":{"a":"1","b":"2"}"#, req().with("a", "1").with("b", "3"), D),
            (r#""StringEquals":{"a":"1","b":"2"}"#, req().with("a", "1"), D),
            (r#""StringEquals":{"a":"1","b":"2"}"#, open().with("a", "1"), U),
            (r#""StringEquals":{"a":"1","b":"2"}"#, open().with("a", "0"), D),
            (r#""StringEquals":{"a":"1"},"Bool":{"c":"true"}"#, req().with("a", "1").with("c", "true"), A),
            (r#""StringEquals":{"a":"1"},"Bool":{"c":"true"}"#, req().with("a", "1").with("c", "false"), D),
            (r#""StringEquals":{"a":["1","2"]},"StringLike":{"b":"x*"}"#, req().with("a", "2").with("b", "xy"), A),
            (r#""StringEquals":{"AWS:SourceVpce":"vpce-1"}"#, kv("aws:sourcevpce", "vpce-1"), A),
            (r#""StringEquals":{"aws:sourcevpce":"vpce-1"}"#, kv("AWS:SOURCEVPCE", "vpce-1"), A),
            (r#""StringEquals":{"aws:SourceVpce":"vpce-ABC"}"#, kv("aws:SourceVpce", "vpce-abc"), D),
            (r#""stringequals":{"k":"a"}"#, kv("k", "a"), A),
            (r#""StringEquals":{"aws:PrincipalTag/Team":"blue"}"#, kv("aws:principaltag/team", "blue"), A),
        ],
    )
}

// ---- policy variables ------------------------------------------------------------------------------------

fn variables() -> Vec<Block> {
    const DOC: &str = "IAM policy elements: Variables and tags";
    let home = stmts(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/${aws:username}/*"}"#,
    );
    let obj = |key: &str| Request::new("s3:GetObject").resource(&format!("arn:aws:s3:::bucket/{key}"));
    let literal = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/${aws:username}/*"}]}"#;
    let prefix = stmts(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::bucket","Condition":{"StringLike":{"s3:prefix":"${aws:username}/*"}}}"#,
    );
    let list = |prefix: &str| Request::new("s3:ListBucket").resource("arn:aws:s3:::bucket").with("s3:prefix", prefix);
    vec![
        policy_block(
            DOC,
            &home,
            vec![
                (obj("alice/x").with("aws:username", "alice"), A),
                (obj("bob/x").with("aws:username", "alice"), D),
                (obj("alice/x"), D),
                (obj("alice/x").open_world(), U),
                (obj("alice/x").with("aws:username", "*"), D),
                (obj("*/x").with("aws:username", "*"), A),
                (obj("alice/x").with_many("aws:username", &["alice", "bob"]), D),
                (obj("alice/deep/x").with("AWS:UserName", "alice"), A),
            ],
        ),
        policy_block(
            DOC,
            literal,
            vec![(obj("${aws:username}/x"), A), (obj("alice/x").with("aws:username", "alice"), D)],
        ),
        policy_block(
            DOC,
            &prefix,
            vec![
                (list("alice/photos").with("aws:username", "alice"), A),
                (list("bob/photos").with("aws:username", "alice"), D),
                (list("alice/photos"), D),
                (list("alice/photos").open_world(), U),
            ],
        ),
        cond_block(
            DOC,
            vec![
                (r#""StringLike":{"k":"${aws:username, 'guest'}/*"}"#, kv("k", "guest/x"), A),
                (
                    r#""StringLike":{"k":"${aws:username, 'guest'}/*"}"#,
                    kv("k", "alice/x").with("aws:username", "alice"),
                    A,
                ),
                (r#""StringLike":{"k":"${aws:username, 'guest'}/*"}"#, kv("k", "alice/x"), D),
                (r#""StringLike":{"k":"a${*}b"}"#, kv("k", "a*b"), A),
                (r#""StringLike":{"k":"a${*}b"}"#, kv("k", "axb"), D),
                (r#""StringLike":{"k":"a${?}b"}"#, kv("k", "a?b"), A),
                (r#""StringLike":{"k":"a${?}b"}"#, kv("k", "axb"), D),
                (r#""StringEquals":{"k":"cost${$}"}"#, kv("k", "cost$"), A),
                (
                    r#""StringEquals":{"k":"${aws:PrincipalTag/team}"}"#,
                    kv("k", "blue").with("aws:PrincipalTag/team", "blue"),
                    A,
                ),
                (
                    r#""StringEquals":{"k":"${aws:PrincipalTag/team}"}"#,
                    kv("k", "blue").with("aws:PrincipalTag/team", "red"),
                    D,
                ),
                (r#""StringEquals":{"k":"${aws:PrincipalTag/team}"}"#, kv("k", "blue"), D),
                (r#""StringEquals":{"k":"${aws:PrincipalTag/team}"}"#, open().with("k", "blue"), U),
                (r#""StringNotEquals":{"k":"${aws:username}"}"#, kv("k", "x"), D),
                (r#""StringNotEquals":{"k":"${aws:username}"}"#, kv("k", "x").with("aws:username", "y"), A),
                (
                    r#""StringEqualsIgnoreCase":{"k":"${aws:username}"}"#,
                    kv("k", "ALICE").with("aws:username", "alice"),
                    A,
                ),
                (
                    r#""ArnLike":{"aws:SourceArn":"arn:aws:iam::${aws:PrincipalAccount}:role/*"}"#,
                    kv("aws:SourceArn", "arn:aws:iam::111122223333:role/x")
                        .with("aws:PrincipalAccount", "111122223333"),
                    A,
                ),
                (
                    r#""ArnLike":{"aws:SourceArn":"arn:aws:iam::${aws:PrincipalAccount}:role/*"}"#,
                    kv("aws:SourceArn", "arn:aws:iam::444455556666:role/x")
                        .with("aws:PrincipalAccount", "111122223333"),
                    D,
                ),
                (
                    r#""StringEquals":{"aws:ResourceAccount":"${aws:PrincipalAccount}"}"#,
                    kv("aws:ResourceAccount", "1").with("aws:PrincipalAccount", "1"),
                    A,
                ),
                (
                    r#""StringEquals":{"aws:ResourceAccount":"${aws:PrincipalAccount}"}"#,
                    kv("aws:ResourceAccount", "1").with("aws:PrincipalAccount", "2"),
                    D,
                ),
            ],
        ),
        policy_block(
            DOC,
            &stmts(
                r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:${aws:username}::bucket/x"}"#,
            ),
            vec![
                (Request::new("s3:GetObject").resource("arn:aws:s3:alice::bucket/x").with("aws:username", "alice"), D),
                (Request::new("s3:GetObject").resource("arn:aws:s3:${aws:username}::bucket/x"), A),
            ],
        ),
    ]
}

#[test]
fn conformance_suite() {
    let mut blocks = vec![
        string_operators(),
        numeric_operators(),
        date_operators(),
        bool_binary_ip_operators(),
        arn_operators(),
        null_and_if_exists(),
        set_operators(),
        condition_logic(),
    ];
    blocks.extend(variables());
    blocks.extend(more_blocks());
    let mut total = 0;
    let mut failures = Vec::new();
    for block in &blocks {
        for (i, case) in block.cases.iter().enumerate() {
            total += 1;
            let label = format!("[{}] case {i}", block.doc);
            match (&case.want, Policy::parse(&case.policy)) {
                (Want::ParseError(path), Err(err)) => {
                    if err.path() != Some(path) {
                        failures.push(format!("{label}: wanted an error at {path}, got {err}"));
                    }
                }
                (Want::ParseError(path), Ok(_)) => failures.push(format!("{label}: wanted an error at {path}, parsed")),
                (_, Err(err)) => failures.push(format!("{label}: policy does not parse: {err}\n  {}", case.policy)),
                (Want::Decision(want), Ok(policy)) => {
                    let options = EvalOptions { account_principal_means: case.account };
                    let decision = evaluate_with(&policy, &case.request, &options);
                    let got = if want.contains('[') { summary(&decision) } else { decision.name().to_owned() };
                    if got != *want {
                        failures.push(format!(
                            "{label}: wanted {want}, got {got} ({decision})\n  policy: {}\n  request: {:?}",
                            case.policy, case.request
                        ));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {total} cases failed:\n{}", failures.len(), failures.join("\n"));
    assert!(total >= 300, "the suite must keep at least 300 cases, has {total}");
    eprintln!("policy conformance: {total} cases in {} blocks", blocks.len());
}

// ---- actions, resources, principals ----------------------------------------------------------------------

fn action_blocks() -> Vec<Block> {
    let allow_action =
        |action: &str| stmts(&format!(r#"{{"Effect":"Allow","Principal":"*","Action":{action},"Resource":"*"}}"#));
    let a = |action: &str| Request::new(action).resource("arn:aws:s3:::bucket/key");
    let mut blocks = Vec::new();
    let doc = "IAM JSON policy elements: Action";
    let table: Vec<(&str, &str, &str)> = vec![
        (r#""s3:GetObject""#, "s3:GetObject", A),
        (r#""s3:GetObject""#, "s3:getobject", A),
        (r#""s3:GetObject""#, "S3:GETOBJECT", A),
        (r#""S3:getobject""#, "s3:GetObject", A),
        (r#""s3:GetObject""#, "s3:GetObjectVersion", D),
        (r#""s3:Get*""#, "s3:GetObjectVersion", A),
        (r#""s3:Get*""#, "s3:PutObject", D),
        (r#""s3:get*""#, "s3:GetBucketPolicy", A),
        (r#""s3:*Object""#, "s3:DeleteObject", A),
        (r#""s3:*Object""#, "s3:DeleteObjects", D),
        (r#""s3:?etObject""#, "s3:GetObject", A),
        (r#""s3:?etObject""#, "s3:PutObject", D),
        (r#""*""#, "dynamodb:Query", A),
        (r#""s3:*""#, "dynamodb:Query", D),
        (r#""dynamodb:*""#, "dynamodb:Query", A),
        (r#"["s3:PutObject","dynamodb:GetItem"]"#, "dynamodb:getitem", A),
        (r#"["s3:PutObject","dynamodb:GetItem"]"#, "dynamodb:PutItem", D),
        (r#""s3:Get*""#, "s3:Get", A),
        (r#""s3:GetObject*""#, "s3:GetObjectTagging", A),
    ];
    blocks.push(Block { doc, cases: table.into_iter().map(|(p, r, w)| case(allow_action(p), a(r), w)).collect() });

    let doc = "IAM JSON policy elements: NotAction";
    let not_delete = stmts(r#"{"Effect":"Allow","Principal":"*","NotAction":"s3:DeleteObject","Resource":"*"}"#);
    let not_s3 = stmts(r#"{"Effect":"Allow","Principal":"*","NotAction":"s3:*","Resource":"*"}"#);
    let deny_not = stmts(
        r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Sid":"OnlyRead","Effect":"Deny","Principal":"*","NotAction":["s3:GetObject","s3:List*"],"Resource":"*"}"#,
    );
    let not_all = stmts(r#"{"Effect":"Allow","Principal":"*","NotAction":"*","Resource":"*"}"#);
    blocks.push(policy_block(
        doc,
        &not_delete,
        vec![(a("s3:GetObject"), A), (a("s3:DeleteObject"), D), (a("S3:DELETEOBJECT"), D), (a("dynamodb:Query"), A)],
    ));
    blocks.push(policy_block(doc, &not_s3, vec![(a("dynamodb:GetItem"), A), (a("s3:GetObject"), D)]));
    blocks.push(policy_block(
        doc,
        &deny_not,
        vec![
            (a("s3:GetObject"), A),
            (a("s3:ListBucket"), A),
            (a("s3:PutObject"), "explicit-deny[OnlyRead]"),
            (a("dynamodb:PutItem"), X),
        ],
    ));
    blocks.push(policy_block(doc, &not_all, vec![(a("s3:GetObject"), D), (a("kms:Decrypt"), D)]));
    blocks
}

fn resource_blocks() -> Vec<Block> {
    let allow_resource =
        |resource: &str| stmts(&format!(r#"{{"Effect":"Allow","Principal":"*","Action":"*","Resource":{resource}}}"#));
    let r = |arn: &str| Request::new("s3:GetObject").resource(arn);
    let doc = "IAM JSON policy elements: Resource";
    let table: Vec<(&str, Request, &str)> = vec![
        (r#""arn:aws:s3:::bucket/*""#, r("arn:aws:s3:::bucket/key"), A),
        (r#""arn:aws:s3:::bucket/*""#, r("arn:aws:s3:::bucket/a/b/c"), A),
        (r#""arn:aws:s3:::bucket/*""#, r("arn:aws:s3:::bucket"), D),
        (r#""arn:aws:s3:::bucket/*""#, r("arn:aws:s3:::bucket2/key"), D),
        (r#""arn:aws:s3:::bucket/*""#, r("arn:aws:s3:::bucket/a:b"), A),
        (r#""arn:aws:s3:::Bucket/*""#, r("arn:aws:s3:::bucket/key"), D),
        (r#""arn:aws:s3:::bucket*""#, r("arn:aws:s3:::bucket-logs/x"), A),
        (r#""arn:aws:s3:::*/logs/*""#, r("arn:aws:s3:::any/logs/2024/x"), A),
        (r#""arn:aws:s3:::*/logs/*""#, r("arn:aws:s3:::any/data/x"), D),
        (r#""arn:aws:s3:::bucket/?ey""#, r("arn:aws:s3:::bucket/key"), A),
        (r#""arn:aws:s3:::bucket/?ey""#, r("arn:aws:s3:::bucket/kkey"), D),
        (r#"["arn:aws:s3:::a/*","arn:aws:s3:::bucket/*"]"#, r("arn:aws:s3:::bucket/key"), A),
        (
            r#""arn:aws:dynamodb:*:111122223333:table/Orders""#,
            r("arn:aws:dynamodb:eu-west-1:111122223333:table/Orders"),
            A,
        ),
        (
            r#""arn:aws:dynamodb:*:111122223333:table/Orders""#,
            r("arn:aws:dynamodb:eu-west-1:444455556666:table/Orders"),
            D,
        ),
        (r#""arn:aws:dynamodb:eu-*:*:table/*""#, r("arn:aws:dynamodb:eu-west-1:111122223333:table/T"), A),
        (r#""arn:aws:dynamodb:eu-*:*:table/*""#, r("arn:aws:dynamodb:us-east-1:111122223333:table/T"), D),
        (r#""arn:aws:dynamodb:*:table/T""#, r("arn:aws:dynamodb:eu-west-1:111122223333:table/T"), D),
        (
            r#""arn:aws:dynamodb:eu-west-1:111122223333:table/T/*""#,
            r("arn:aws:dynamodb:eu-west-1:111122223333:table/T/index/I"),
            A,
        ),
        (r#""arn:aws:s3:*""#, r("arn:aws:s3:::bucket/key"), A),
        (r#""arn:aws:s3:*""#, r("arn:aws:dynamodb:eu-west-1:1:table/T"), D),
        (r#""arn:aws-cn:s3:::bucket/*""#, r("arn:aws:s3:::bucket/key"), D),
        (r#""*""#, r("arn:aws:s3:::anything"), A),
        (r#""*""#, Request::new("s3:ListAllMyBuckets"), A),
        (r#""arn:aws:s3:::*""#, Request::new("s3:ListAllMyBuckets"), D),
        (r#""arn:aws:s3:::*""#, Request::new("s3:ListAllMyBuckets").open_world(), U),
        (r#"["arn:aws:s3:::x","*"]"#, Request::new("s3:ListAllMyBuckets").open_world(), A),
    ];
    let mut blocks =
        vec![Block { doc, cases: table.into_iter().map(|(p, req, w)| case(allow_resource(p), req, w)).collect() }];
    let doc = "IAM JSON policy elements: NotResource";
    let not_secret = stmts(r#"{"Effect":"Allow","Principal":"*","Action":"*","NotResource":"arn:aws:s3:::secret/*"}"#);
    blocks.push(policy_block(
        doc,
        &not_secret,
        vec![
            (r("arn:aws:s3:::bucket/key"), A),
            (r("arn:aws:s3:::secret/key"), D),
            (r("arn:aws:s3:::secret"), A),
            (Request::new("s3:ListAllMyBuckets"), A),
            (Request::new("s3:ListAllMyBuckets").open_world(), U),
        ],
    ));
    let not_any = stmts(r#"{"Effect":"Allow","Principal":"*","Action":"*","NotResource":"*"}"#);
    blocks.push(policy_block(
        doc,
        &not_any,
        vec![(r("arn:aws:s3:::bucket/key"), D), (Request::new("s3:ListAllMyBuckets"), D)],
    ));
    let deny_outside = stmts(
        r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Sid":"OnlyOurs","Effect":"Deny","Principal":"*","Action":"s3:*","NotResource":["arn:aws:s3:::ours","arn:aws:s3:::ours/*"]}"#,
    );
    blocks.push(policy_block(
        doc,
        &deny_outside,
        vec![
            (r("arn:aws:s3:::ours/key"), A),
            (r("arn:aws:s3:::ours"), A),
            (r("arn:aws:s3:::theirs/key"), "explicit-deny[OnlyOurs]"),
            (Request::new("s3:GetObject").open_world(), "unknown[keys=resource;stmts=OnlyOurs,#0;can_allow=true]"),
        ],
    ));
    blocks
}

fn principal_blocks() -> Vec<Block> {
    let doc =
        "Control access to VPC endpoints using endpoint policies — Principals; IAM JSON policy elements: Principal";
    let role = "arn:aws:iam::111122223333:role/App";
    let allow_principal = |principal: &str| {
        stmts(&format!(r#"{{"Effect":"Allow","Principal":{principal},"Action":"*","Resource":"*"}}"#))
    };
    let anonymous = || req().principal("anonymous");
    let no_principal = || req();
    let svc = |name: &str| req().service_principal(name);
    let table: Vec<(&str, Request, &str)> = vec![
        (r#""*""#, req().principal(role), A),
        (r#""*""#, anonymous(), A),
        (r#""*""#, no_principal(), A),
        (r#""*""#, svc("cloudtrail.amazonaws.com"), A),
        (r#"{"AWS":"*"}"#, anonymous(), A),
        (r#"{"AWS":"*"}"#, req().principal(role), A),
        (r#"{"AWS":"arn:aws:iam::111122223333:role/App"}"#, req().principal(role), A),
        (r#"{"AWS":"arn:aws:iam::111122223333:role/App"}"#, req().principal("arn:aws:iam::111122223333:role/Other"), D),
        (r#"{"AWS":"arn:aws:iam::111122223333:role/App"}"#, req().principal("arn:aws:iam::111122223333:role/app"), D),
        (r#"{"AWS":"arn:aws:iam::111122223333:role/App"}"#, anonymous(), D),
        (r#"{"AWS":"arn:aws:iam::111122223333:role/App"}"#, no_principal().account("111122223333"), U),
        (r#"{"AWS":"arn:aws:iam::111122223333:role/App"}"#, no_principal().account("444455556666"), D),
        (r#"{"AWS":"arn:aws:iam::111122223333:role/App"}"#, no_principal(), U),
        (r#"{"AWS":"arn:aws:iam::111122223333:role/App"}"#, svc("cloudtrail.amazonaws.com"), D),
        (
            r#"{"AWS":["arn:aws:iam::111122223333:role/A","arn:aws:iam::111122223333:role/App"]}"#,
            req().principal(role),
            A,
        ),
        (r#"{"AWS":"arn:aws:sts::111122223333:assumed-role/App/session-1"}"#, req().principal(role), U),
        (
            r#"{"AWS":"arn:aws:sts::111122223333:assumed-role/App/session-1"}"#,
            req().principal("arn:aws:iam::111122223333:role/Other"),
            D,
        ),
        (r#"{"AWS":"111122223333"}"#, req().principal("arn:aws:iam::111122223333:root"), A),
        (r#"{"AWS":"111122223333"}"#, req().principal(role), D),
        (r#"{"AWS":"111122223333"}"#, no_principal().account("111122223333"), U),
        (r#"{"AWS":"111122223333"}"#, no_principal().account("444455556666"), D),
        (r#"{"AWS":"arn:aws:iam::111122223333:root"}"#, req().principal("arn:aws:iam::111122223333:root"), A),
        (r#"{"AWS":"arn:aws:iam::111122223333:root"}"#, req().principal(role), D),
        (r#"{"AWS":"arn:aws:iam::111122223333:root"}"#, req().principal("arn:aws:iam::444455556666:root"), D),
        (r#"{"Service":"cloudtrail.amazonaws.com"}"#, svc("cloudtrail.amazonaws.com"), A),
        (r#"{"Service":"cloudtrail.amazonaws.com"}"#, svc("CloudTrail.amazonaws.com"), A),
        (r#"{"Service":"cloudtrail.amazonaws.com"}"#, svc("config.amazonaws.com"), D),
        (r#"{"Service":"cloudtrail.amazonaws.com"}"#, req().principal(role), D),
        (r#"{"Service":["config.amazonaws.com","cloudtrail.amazonaws.com"]}"#, svc("cloudtrail.amazonaws.com"), A),
        (r#"{"AWS":"111122223333","Service":"cloudtrail.amazonaws.com"}"#, svc("cloudtrail.amazonaws.com"), A),
        (r#"{"Federated":"cognito-identity.amazonaws.com"}"#, req().principal("cognito-identity.amazonaws.com"), A),
        (
            r#"{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}"#,
            req().principal(role),
            D,
        ),
    ];
    let mut blocks =
        vec![Block { doc, cases: table.into_iter().map(|(p, r, w)| case(allow_principal(p), r, w)).collect() }];
    // Interface endpoints: an account principal means every principal of the account.
    let interface = |p: &str, r: Request, w: &str| Case {
        policy: allow_principal(p),
        request: r,
        account: AccountPrincipal::AnyPrincipalInAccount,
        want: Want::Decision(w.to_owned()),
    };
    blocks.push(Block {
        doc: "Control access to VPC endpoints using endpoint policies — Policies for interface endpoints (account principals)",
        cases: vec![
            interface(r#"{"AWS":"111122223333"}"#, req().principal(role), A),
            interface(r#"{"AWS":"arn:aws:iam::111122223333:root"}"#, req().principal(role), A),
            interface(r#"{"AWS":"111122223333"}"#, req().principal("arn:aws:iam::111122223333:root"), A),
            interface(r#"{"AWS":"111122223333"}"#, req().principal("arn:aws:iam::444455556666:role/App"), D),
            interface(r#"{"AWS":"111122223333"}"#, no_principal().account("111122223333"), A),
            interface(r#"{"AWS":"111122223333"}"#, no_principal(), U),
            interface(r#"{"AWS":"111122223333"}"#, anonymous(), D),
            interface(r#"{"AWS":"111122223333"}"#, svc("cloudtrail.amazonaws.com"), D),
        ],
    });
    let not_admin = stmts(
        r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Sid":"OnlyAdmin","Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:role/Admin"},"Action":"s3:DeleteObject","Resource":"*"}"#,
    );
    let del = || Request::new("s3:DeleteObject").resource("arn:aws:s3:::bucket/key");
    blocks.push(policy_block(
        "IAM JSON policy elements: NotPrincipal",
        &not_admin,
        vec![
            (del().principal("arn:aws:iam::111122223333:role/Admin"), A),
            (del().principal(role), X),
            (del().principal("anonymous"), X),
            (del(), "unknown[keys=principal;stmts=OnlyAdmin,#0;can_allow=true]"),
            (req().principal(role), A),
        ],
    ));
    let not_everyone = stmts(r#"{"Effect":"Allow","NotPrincipal":"*","Action":"*","Resource":"*"}"#);
    blocks.push(policy_block(
        "IAM JSON policy elements: NotPrincipal",
        &not_everyone,
        vec![(req().principal(role), D), (anonymous(), D)],
    ));
    blocks
}

// ---- evaluation logic -------------------------------------------------------------------------------------

fn evaluation_blocks() -> Vec<Block> {
    let doc = "Policy evaluation logic — Explicit deny, allow and implicit deny; determining whether a request is allowed or denied";
    let vpce_policy = stmts(
        r#"{"Sid":"Allow","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"},
           {"Sid":"DenyPut","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}},
           {"Sid":"DenyHttp","Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#,
    );
    let put = || Request::new("s3:PutObject").resource("arn:aws:s3:::bucket/key");
    let get = || Request::new("s3:GetObject").resource("arn:aws:s3:::bucket/key");
    let mut blocks = vec![policy_block(
        doc,
        &vpce_policy,
        vec![
            (get(), "allow[Allow]"),
            (put().with("aws:SourceVpce", "vpce-1"), "allow[Allow]"),
            (put().with("aws:SourceVpce", "vpce-2"), "explicit-deny[DenyPut]"),
            (put(), "explicit-deny[DenyPut]"),
            (put().with("aws:SecureTransport", "false"), "explicit-deny[DenyPut,DenyHttp]"),
            (put().with("aws:SourceVpce", "vpce-1").with("aws:SecureTransport", "false"), "explicit-deny[DenyHttp]"),
            (
                put().open_world(),
                "unknown[keys=aws:securetransport,aws:sourcevpce;stmts=DenyPut,DenyHttp,Allow;can_allow=true]",
            ),
            (put().open_world().with("aws:SourceVpce", "vpce-2"), "explicit-deny[DenyPut]"),
            (
                put().open_world().with("aws:SourceVpce", "vpce-1"),
                "unknown[keys=aws:securetransport;stmts=DenyHttp,Allow;can_allow=true]",
            ),
            (put().open_world().with("aws:SourceVpce", "vpce-1").with("aws:SecureTransport", "true"), "allow[Allow]"),
            (get().open_world().known_absent("aws:SecureTransport"), "allow[Allow]"),
            (Request::new("ec2:RunInstances").with("aws:SecureTransport", "true"), "implicit-deny[]"),
            (
                Request::new("ec2:RunInstances").open_world(),
                "unknown[keys=aws:securetransport;stmts=DenyHttp;can_allow=false]",
            ),
        ],
    )];
    let maybe_allow = stmts(
        r#"{"Sid":"Org","Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}},
           {"Sid":"Mine","Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}}"#,
    );
    blocks.push(policy_block(
        doc,
        &maybe_allow,
        vec![
            (get().with("aws:PrincipalOrgID", "o-abc"), "allow[Org]"),
            (get().with("aws:PrincipalOrgID", "o-abc").with("aws:PrincipalAccount", "111122223333"), "allow[Org,Mine]"),
            (get().open_world().with("aws:PrincipalAccount", "111122223333"), "allow[Mine]"),
            (
                get().open_world().with("aws:PrincipalAccount", "444455556666"),
                "unknown[keys=aws:principalorgid;stmts=Org;can_allow=true]",
            ),
            (
                get().open_world().with("aws:PrincipalAccount", "444455556666").with("aws:PrincipalOrgID", "o-xyz"),
                "implicit-deny[]",
            ),
            (get().with("aws:PrincipalAccount", "444455556666"), "implicit-deny[]"),
        ],
    ));
    blocks.push(policy_block(doc, &stmts(""), vec![(get(), D), (get().open_world(), D)]));
    let single = r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}"#;
    blocks.push(policy_block("IAM JSON policy elements: Statement", single, vec![(get(), "allow[#0]"), (put(), D)]));
    let deny_only = stmts(r#"{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}"#);
    blocks.push(policy_block(doc, &deny_only, vec![(get(), "explicit-deny[#0]")]));
    blocks
}

// ---- realistic endpoint policies ------------------------------------------------------------------------

fn endpoint_blocks() -> Vec<Block> {
    let doc = "Control access to VPC endpoints using endpoint policies — Principals for gateway endpoints; data perimeter examples";
    let perimeter = stmts(
        r#"{"Sid":"OrgPrincipals","Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc","aws:ResourceOrgID":"o-abc"}}},
           {"Sid":"AwsOwned","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":["arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*","arn:aws:s3:::amazonlinux.eu-west-1.amazonaws.com/*"]},
           {"Sid":"OnlyTls","Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#,
    );
    let g = |arn: &str| Request::new("s3:GetObject").resource(arn);
    let ours = || g("arn:aws:s3:::ours/key").with("aws:SecureTransport", "true");
    let mut blocks = vec![policy_block(
        doc,
        &perimeter,
        vec![
            (ours().with("aws:PrincipalOrgID", "o-abc").with("aws:ResourceOrgID", "o-abc"), "allow[OrgPrincipals]"),
            (ours().with("aws:PrincipalOrgID", "o-abc").with("aws:ResourceOrgID", "o-zzz"), D),
            (ours().with("aws:PrincipalOrgID", "o-abc"), D),
            (
                ours().open_world().with("aws:PrincipalOrgID", "o-abc"),
                "unknown[keys=aws:resourceorgid;stmts=OrgPrincipals;can_allow=true]",
            ),
            (
                g("arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/sha256:abc").with("aws:SecureTransport", "true"),
                "allow[AwsOwned]",
            ),
            (
                g("arn:aws:s3:::amazonlinux.eu-west-1.amazonaws.com/x")
                    .open_world()
                    .with("aws:SecureTransport", "true"),
                "allow[AwsOwned]",
            ),
            (
                Request::new("s3:PutObject")
                    .resource("arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/x")
                    .with("aws:SecureTransport", "true"),
                D,
            ),
            (
                g("arn:aws:s3:::amazonlinux.eu-west-1.amazonaws.com/x").with("aws:SecureTransport", "false"),
                "explicit-deny[OnlyTls]",
            ),
        ],
    )];
    let arn_restricted = stmts(
        r#"{"Sid":"Apps","Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:PutObject","s3:ListBucket"],"Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*"],"Condition":{"ArnLike":{"aws:PrincipalArn":["arn:aws:iam::111122223333:role/app-*","arn:aws:iam::111122223333:role/etl"]}}}"#,
    );
    let data = |action: &str, arn: &str| Request::new(action).resource(arn);
    blocks.push(policy_block(
        doc,
        &arn_restricted,
        vec![
            (data("s3:GetObject", "arn:aws:s3:::data/x").principal("arn:aws:iam::111122223333:role/app-web"), A),
            (data("s3:ListBucket", "arn:aws:s3:::data").principal("arn:aws:iam::111122223333:role/etl"), A),
            (data("s3:GetObject", "arn:aws:s3:::data/x").principal("arn:aws:iam::111122223333:role/etl-2"), D),
            (data("s3:DeleteObject", "arn:aws:s3:::data/x").principal("arn:aws:iam::111122223333:role/etl"), D),
            (data("s3:GetObject", "arn:aws:s3:::other/x").principal("arn:aws:iam::111122223333:role/etl"), D),
            (
                data("s3:GetObject", "arn:aws:s3:::data/x").open_world(),
                "unknown[keys=aws:principalarn;stmts=Apps;can_allow=true]",
            ),
            (data("s3:GetObject", "arn:aws:s3:::data/x").principal("anonymous"), D),
        ],
    ));
    let vpce_bucket = stmts(
        r#"{"Sid":"DynamoTables","Effect":"Allow","Principal":"*","Action":["dynamodb:GetItem","dynamodb:Query","dynamodb:PutItem","dynamodb:DescribeEndpoints"],"Resource":["arn:aws:dynamodb:eu-west-1:111122223333:table/Orders","arn:aws:dynamodb:eu-west-1:111122223333:table/Orders/index/*"]},
           {"Sid":"Describe","Effect":"Allow","Principal":"*","Action":"dynamodb:DescribeEndpoints","Resource":"*"}"#,
    );
    let d = |action: &str, arn: &str| Request::new(action).resource(arn);
    blocks.push(policy_block(
        doc,
        &vpce_bucket,
        vec![
            (d("dynamodb:Query", "arn:aws:dynamodb:eu-west-1:111122223333:table/Orders/index/ByDate"), A),
            (d("dynamodb:query", "arn:aws:dynamodb:eu-west-1:111122223333:table/Orders"), A),
            (d("dynamodb:Scan", "arn:aws:dynamodb:eu-west-1:111122223333:table/Orders"), D),
            (d("dynamodb:GetItem", "arn:aws:dynamodb:eu-west-1:111122223333:table/Customers"), D),
            (Request::new("dynamodb:DescribeEndpoints"), "allow[Describe]"),
            (Request::new("dynamodb:GetItem").open_world(), "unknown[keys=resource;stmts=DynamoTables;can_allow=true]"),
        ],
    ));
    blocks
}

// ---- grammar -------------------------------------------------------------------------------------------

fn parse_error_block() -> Block {
    let bad = |policy: &str, path: &'static str| Case {
        policy: policy.to_owned(),
        request: req(),
        account: AccountPrincipal::RootOnly,
        want: Want::ParseError(path),
    };
    Block {
        doc: "IAM JSON policy element reference; Grammar of the IAM JSON policy language",
        cases: vec![
            bad(r#"[]"#, "$"),
            bad(r#"{"Version":"2012-10-17"}"#, "Statement"),
            bad(r#"{"Statement":"x"}"#, "Statement"),
            bad(r#"{"Version":"2013-01-01","Statement":[]}"#, "Version"),
            bad(r#"{"Statement":[], "Extra": 1}"#, "$"),
            bad(
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"allow","Action":"*"}]}"#,
                "Statement[1].Effect",
            ),
            bad(r#"{"Statement":[{"Action":"*","Resource":"*"}]}"#, "Statement[0]"),
            bad(r#"{"Statement":[{"Effect":"Allow","Resource":"*"}]}"#, "Statement[0]"),
            bad(r#"{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"s3:*"}]}"#, "Statement[0]"),
            bad(r#"{"Statement":[{"Effect":"Allow","Action":"GetObject"}]}"#, "Statement[0].Action[0]"),
            bad(r#"{"Statement":[{"Effect":"Allow","Action":["s3:GetObject",5]}]}"#, "Statement[0].Action[1]"),
            bad(r#"{"Statement":[{"Effect":"Allow","Action":[]}]}"#, "Statement[0].Action"),
            bad(
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Principal":"arn:aws:iam::1:root"}]}"#,
                "Statement[0].Principal",
            ),
            bad(r#"{"Statement":[{"Effect":"Allow","Action":"*","Principal":{"Aws":"*"}}]}"#, "Statement[0].Principal"),
            bad(
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Principal":"*","NotPrincipal":"*"}]}"#,
                "Statement[0]",
            ),
            bad(r#"{"Statement":[{"Effect":"Allow","Action":"*","Condition":[]}]}"#, "Statement[0].Condition"),
            bad(
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"StringEqualz":{"k":"v"}}}]}"#,
                "Statement[0].Condition.StringEqualz",
            ),
            bad(
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"NullIfExists":{"k":"true"}}}]}"#,
                "Statement[0].Condition.NullIfExists",
            ),
            bad(
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"ForSomeValues:StringEquals":{"k":"v"}}}]}"#,
                "Statement[0].Condition.ForSomeValues:StringEquals",
            ),
            bad(
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"StringEquals":{"k":{"a":1}}}}]}"#,
                "Statement[0].Condition.StringEquals.k",
            ),
            bad(
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"NumericLessThan":{"n":"ten"}}}]}"#,
                "Statement[0].Condition.NumericLessThan.n",
            ),
            bad(
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}}]}"#,
                "Statement[0].Condition.DateLessThan.aws:CurrentTime",
            ),
            bad(
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}}]}"#,
                "Statement[0].Condition.Bool.aws:SecureTransport",
            ),
            bad(
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}]}"#,
                "Statement[0].Condition.IpAddress.aws:SourceIp",
            ),
            bad(
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"BinaryEquals":{"k":"***"}}}]}"#,
                "Statement[0].Condition.BinaryEquals.k",
            ),
            bad(
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"Null":{"k":"maybe"}}}]}"#,
                "Statement[0].Condition.Null.k",
            ),
            bad(
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"StringEquals":{}}}]}"#,
                "Statement[0].Condition.StringEquals",
            ),
            bad(r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":""}]}"#, "Statement[0].Resource[0]"),
            bad(r#"{"Statement":{"Effect":"Allow","Action":"*","Sid":5}}"#, "Statement.Sid"),
        ],
    }
}

fn more_blocks() -> Vec<Block> {
    let mut blocks = action_blocks();
    blocks.extend(resource_blocks());
    blocks.extend(principal_blocks());
    blocks.extend(evaluation_blocks());
    blocks.extend(endpoint_blocks());
    blocks.push(parse_error_block());
    blocks
}
