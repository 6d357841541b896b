//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/team}`, the escapes `${*}`, `${?}`, `${$}`, and
//! defaults `${aws:username, 'nobody'}`. Parsed at policy parse time into [`PatternPiece`]s; resolved per request.
//!
//! Rules (IAM policy elements: Variables and tags): variables are recognised only when the policy `Version`
//! is `2012-10-17`; only in string and ARN condition operators and in the resource part (after the fifth
//! colon) of `Resource`/`NotResource`. A variable whose key has no value (absent, or multi-valued) makes the
//! pattern match nothing, unless it has a default; a variable whose key is unknown (open world) makes the
//! match unknown. A substituted value is literal: its `*` and `?` are not wildcards.

use super::pattern::{PatternPiece, VarRef, push};
use super::wildcard::ArnPattern;

/// Parses text into pieces: `*`/`?` are wildcards when `wildcards`, `${...}` a variable when `variables`.
pub(crate) fn parse_pieces(text: &str, wildcards: bool, variables: bool) -> Vec<PatternPiece> {
    let mut out = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if variables
            && rest.starts_with("${")
            && let Some(close) = rest[2..].find('}')
        {
            let inner = &rest[2..2 + close];
            rest = &rest[2 + close + 1..];
            let piece = match inner {
                "*" | "?" | "$" => {
                    literal.push_str(inner);
                    continue;
                }
                _ => PatternPiece::Var(parse_var(inner)),
            };
            flush(&mut out, &mut literal);
            out.push(piece);
            continue;
        }
        rest = &rest[c.len_utf8()..];
        match c {
            '*' if wildcards => {
                flush(&mut out, &mut literal);
                out.push(PatternPiece::Star);
            }
            '?' if wildcards => {
                flush(&mut out, &mut literal);
                out.push(PatternPiece::One);
            }
            _ => literal.push(c),
        }
    }
    flush(&mut out, &mut literal);
    out
}

fn flush(out: &mut Vec<PatternPiece>, literal: &mut String) {
    if !literal.is_empty() {
        push(out, PatternPiece::Lit(std::mem::take(literal).into_boxed_str()));
    }
}

/// Parses the inside of `${...}`: `key` or `key, 'default'` (`''` inside quotes is one quote).
fn parse_var(inner: &str) -> VarRef {
    let invalid = VarRef { key: "".into(), default: None };
    let (key, default) = match inner.split_once(',') {
        None => (inner.trim(), None),
        Some((key, default)) => {
            let default = default.trim();
            let Some(quoted) = default.strip_prefix('\'').and_then(|d| d.strip_suffix('\'')) else {
                return invalid;
            };
            (key.trim(), Some(quoted.replace("''", "'").into_boxed_str()))
        }
    };
    if key.is_empty() || key.contains(char::is_whitespace) {
        return invalid;
    }
    VarRef { key: key.to_ascii_lowercase().into_boxed_str(), default }
}

/// Where an ARN pattern recognises variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArnVars {
    /// Policy version without variables, or an element that does not take them.
    Nowhere,
    /// `Resource`/`NotResource`: only after the fifth colon.
    ResourcePart,
    /// ARN condition operators: anywhere.
    Everywhere,
}

/// Splits an ARN pattern on colons (outside `${...}`) into at most six segments and compiles each.
pub(crate) fn parse_arn_pattern(text: &str, vars: ArnVars) -> ArnPattern {
    let mut segments = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() && segments.len() < 5 {
        // Variables before the fifth colon are literal in `Resource`, so only ARN operators keep them whole.
        if vars == ArnVars::Everywhere
            && bytes[i] == b'$'
            && bytes.get(i + 1) == Some(&b'{')
            && let Some(close) = text[i..].find('}')
        {
            i += close + 1;
            continue;
        }
        if bytes[i] == b':' {
            segments.push(&text[start..i]);
            start = i + 1;
        }
        i += 1;
    }
    segments.push(&text[start..]);
    let compiled = segments
        .iter()
        .enumerate()
        .map(|(index, segment)| {
            let variables = match vars {
                ArnVars::Nowhere => false,
                ArnVars::ResourcePart => index == 5,
                ArnVars::Everywhere => true,
            };
            parse_pieces(segment, true, variables)
        })
        .collect();
    ArnPattern::from_segments(compiled)
}

#[cfg(test)]
mod tests {
    use super::super::request::{Request, Tri};
    use super::super::wildcard::Glob;
    use super::*;

    fn lit(s: &str) -> PatternPiece {
        PatternPiece::Lit(s.into())
    }

    #[test]
    fn parses_pieces() {
        let var = |k: &str, d: Option<&str>| PatternPiece::Var(VarRef { key: k.into(), default: d.map(Into::into) });
        let cases: Vec<(&str, bool, Vec<PatternPiece>)> = vec![
            ("a*b?", true, vec![lit("a"), PatternPiece::Star, lit("b"), PatternPiece::One]),
            ("a*b", false, vec![lit("a*b")]),
            ("${aws:UserName}/*", true, vec![var("aws:username", None), lit("/"), PatternPiece::Star]),
            ("x${*}y${?}${$}", true, vec![lit("x*y?$")]),
            ("${aws:username, 'no''body'}", true, vec![var("aws:username", Some("no'body"))]),
            ("${aws:username, nobody}", true, vec![var("", None)]),
            ("${unclosed", true, vec![lit("${unclosed")]),
            ("${}", true, vec![var("", None)]),
        ];
        for (text, wildcards, want) in cases {
            assert_eq!(parse_pieces(text, wildcards, true), want, "{text}");
        }
    }

    #[test]
    fn resolves_against_requests() {
        let glob = Glob::from_pieces(parse_pieces("home/${aws:username}/*", true, true));
        let alice = Request::new("s3:ListBucket").with("aws:username", "alice");
        assert_eq!(glob.matches("home/alice/x", false, &alice), Some(Tri::True));
        assert_eq!(glob.matches("home/bob/x", false, &alice), Some(Tri::False));
        let nobody = Request::new("s3:ListBucket");
        assert_eq!(glob.matches("home//x", false, &nobody), None);
        assert_eq!(glob.matches("home/alice/x", false, &nobody.clone().open_world()), Some(Tri::Unknown));
        // A substituted value is literal.
        let star = Request::new("a").with("aws:username", "*");
        assert_eq!(glob.matches("home/alice/x", false, &star), Some(Tri::False));
        assert_eq!(glob.matches("home/*/x", false, &star), Some(Tri::True));
        let with_default = Glob::from_pieces(parse_pieces("${aws:username, 'guest'}", true, true));
        assert_eq!(with_default.matches("guest", false, &nobody), Some(Tri::True));
    }

    #[test]
    fn arn_variables_only_in_resource_part() {
        let pattern = parse_arn_pattern("arn:aws:s3:::b/${aws:username}", ArnVars::ResourcePart);
        let alice = Request::new("s3:GetObject").with("aws:username", "alice");
        assert_eq!(pattern.matches("arn:aws:s3:::b/alice", &alice), Some(Tri::True));
        let early = parse_arn_pattern("arn:aws:s3:${aws:username}::b", ArnVars::ResourcePart);
        assert_eq!(early.matches("arn:aws:s3:alice::b", &alice), Some(Tri::False));
        let everywhere = parse_arn_pattern("arn:aws:iam::${aws:PrincipalAccount}:role/R", ArnVars::Everywhere);
        let acct = Request::new("x").with("aws:PrincipalAccount", "111122223333");
        assert_eq!(everywhere.matches("arn:aws:iam::111122223333:role/R", &acct), Some(Tri::True));
    }
}
