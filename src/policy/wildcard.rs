//! Wildcard patterns, compiled once at parse time: `*` (any run of characters) and `?` (one character), with
//! literal pieces that may come from policy variables. Two shapes:
//!
//! - [`Glob`]: a whole-string pattern (`StringLike`, `Action`). `*` spans anything. Optionally ASCII
//!   case-insensitive (actions).
//! - [`ArnPattern`]: colon-separated segments (`ArnLike`, `Resource`). Segments before the last pattern
//!   segment match exactly one value segment and their wildcards never cross a colon; the last pattern
//!   segment (the resource part when the pattern has all six, or the tail of a shorter pattern such as `*`
//!   or `arn:aws:s3:*`) matches the rest of the value, colons included.
//!
//! Matching is the classic greedy algorithm with one backtrack point: linear in practice, `O(n·m)` worst case,
//! no allocation, no recursion.

use super::pattern::{PatternPiece, Resolver, Substitution};
use super::request::Tri;

/// A compiled whole-string pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Glob {
    /// `*`: matches everything.
    Any,
    /// No wildcard, no variable.
    Exact(Box<str>),
    /// Literal text followed by a single trailing `*`.
    Prefix(Box<str>),
    /// Anything else without variables.
    General(Box<[PatternPiece]>),
    /// Contains policy variables: resolved per evaluation.
    Template(Box<[PatternPiece]>),
}

impl Glob {
    /// Compiles pieces (see [`super::variables::parse_pieces`]).
    pub(crate) fn from_pieces(pieces: Vec<PatternPiece>) -> Glob {
        if pieces.iter().any(|p| matches!(p, PatternPiece::Var(_))) {
            return Glob::Template(pieces.into_boxed_slice());
        }
        match pieces.as_slice() {
            [] => Glob::Exact("".into()),
            [PatternPiece::Star] => Glob::Any,
            [PatternPiece::Lit(text)] => Glob::Exact(text.clone()),
            [PatternPiece::Lit(text), PatternPiece::Star] => Glob::Prefix(text.clone()),
            _ => Glob::General(pieces.into_boxed_slice()),
        }
    }

    /// The pieces of a general or template pattern (empty for the fast-path shapes).
    pub(crate) fn pieces(&self) -> &[PatternPiece] {
        match self {
            Glob::General(p) | Glob::Template(p) => p,
            _ => &[],
        }
    }

    /// Matches a value without variables (a `Template` is treated as matching nothing: use [`Glob::matches`]).
    pub(crate) fn matches_static(&self, value: &str, ci: bool) -> bool {
        match self {
            Glob::Any => true,
            Glob::Exact(text) => eq(text, value, ci),
            Glob::Prefix(text) => value.as_bytes().get(..text.len()).is_some_and(|head| {
                if ci { head.eq_ignore_ascii_case(text.as_bytes()) } else { head == text.as_bytes() }
            }),
            Glob::General(pieces) => match_pieces(pieces, value, ci),
            Glob::Template(_) => false,
        }
    }

    /// Matches a value, resolving variables through `resolver`. `None` when a variable has no value (the
    /// pattern then matches nothing, and negated uses of it fail too).
    pub(crate) fn matches(&self, value: &str, ci: bool, resolver: &dyn Resolver) -> Option<Tri> {
        match self {
            Glob::Template(pieces) => match super::pattern::resolve(pieces, resolver) {
                Substitution::Pieces(resolved) => Some(Tri::from_bool(match_pieces(&resolved, value, ci))),
                Substitution::NoValue => None,
                Substitution::Unknown => Some(Tri::Unknown),
            },
            _ => Some(Tri::from_bool(self.matches_static(value, ci))),
        }
    }
}

/// Byte equality, optionally ASCII case-insensitive. `value.len()` may differ: then false.
fn eq(pattern: &str, value: &str, ci: bool) -> bool {
    if ci { pattern.eq_ignore_ascii_case(value) } else { pattern == value }
}

/// Length in bytes of the character starting at `pos` (1 for a non-boundary or ASCII byte).
fn char_len(bytes: &[u8], pos: usize) -> usize {
    match bytes.get(pos) {
        Some(b) if *b < 0x80 => 1,
        Some(b) if *b >= 0xF0 => 4,
        Some(b) if *b >= 0xE0 => 3,
        Some(b) if *b >= 0xC0 => 2,
        _ => 1,
    }
}

/// Greedy wildcard matching over pieces (`Var` pieces never match: resolve them first).
pub(crate) fn match_pieces(pieces: &[PatternPiece], value: &str, ci: bool) -> bool {
    let bytes = value.as_bytes();
    let (mut p, mut v) = (0usize, 0usize);
    // Backtrack point: piece index after the last star, and the value position that star now ends at.
    let mut star: Option<(usize, usize)> = None;
    loop {
        if p < pieces.len() {
            match &pieces[p] {
                PatternPiece::Star => {
                    star = Some((p + 1, v));
                    p += 1;
                    continue;
                }
                PatternPiece::One if v < bytes.len() => {
                    v += char_len(bytes, v);
                    p += 1;
                    continue;
                }
                PatternPiece::Lit(text) => {
                    let t = text.as_bytes();
                    let end = v + t.len();
                    if end <= bytes.len()
                        && (if ci { t.eq_ignore_ascii_case(&bytes[v..end]) } else { t == &bytes[v..end] })
                    {
                        v = end;
                        p += 1;
                        continue;
                    }
                }
                _ => {}
            }
        } else if v == bytes.len() {
            return true;
        }
        // Mismatch: let the last star swallow one more character.
        match star {
            Some((next_p, star_v)) if star_v < bytes.len() => {
                let nv = star_v + char_len(bytes, star_v);
                star = Some((next_p, nv));
                p = next_p;
                v = nv;
            }
            _ => return false,
        }
    }
}

/// Joins adjacent literal pieces.
fn merge_literals(pieces: Vec<PatternPiece>) -> Vec<PatternPiece> {
    let mut out: Vec<PatternPiece> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        match (out.last_mut(), piece) {
            (Some(PatternPiece::Lit(prev)), PatternPiece::Lit(next)) => {
                *prev = format!("{prev}{next}").into_boxed_str()
            }
            (_, piece) => out.push(piece),
        }
    }
    out
}

/// A compiled ARN pattern: 1 to 6 colon-separated segments (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ArnPattern {
    segments: Box<[Glob]>,
    /// When every segment but the last is plain text, the pattern is one whole-string glob (literal colons
    /// fix the split): the common case (`arn:aws:s3:::bucket/*`), matched with a single comparison.
    whole: Option<Glob>,
}

impl ArnPattern {
    /// Builds a pattern from per-segment pieces (at most six; the caller splits on colons outside variables).
    pub(crate) fn from_segments(segments: Vec<Vec<PatternPiece>>) -> ArnPattern {
        let literal_init = segments.split_last().is_some_and(|(_, init)| {
            init.iter().all(|pieces| pieces.iter().all(|p| matches!(p, PatternPiece::Lit(_))))
        });
        let whole = literal_init.then(|| {
            let mut pieces = Vec::new();
            let mut prefix = String::new();
            let last = segments.len() - 1;
            for (i, segment) in segments.iter().enumerate() {
                if i == last {
                    if !prefix.is_empty() {
                        pieces.push(PatternPiece::Lit(std::mem::take(&mut prefix).into_boxed_str()));
                    }
                    pieces.extend(segment.iter().cloned());
                } else {
                    for piece in segment {
                        if let PatternPiece::Lit(text) = piece {
                            prefix.push_str(text);
                        }
                    }
                    prefix.push(':');
                }
            }
            Glob::from_pieces(merge_literals(pieces))
        });
        ArnPattern { segments: segments.into_iter().map(Glob::from_pieces).collect(), whole }
    }

    /// True for the single pattern `*`.
    pub(crate) fn is_any(&self) -> bool {
        matches!(&*self.segments, [Glob::Any])
    }

    /// The compiled segments.
    pub(crate) fn segments(&self) -> &[Glob] {
        &self.segments
    }

    /// Matches an ARN (case-sensitive). `None` when a variable has no value.
    pub(crate) fn matches(&self, value: &str, resolver: &dyn Resolver) -> Option<Tri> {
        if let Some(whole) = &self.whole {
            return whole.matches(value, false, resolver);
        }
        let (last, init) = self.segments.split_last()?;
        let mut rest = value;
        let mut result = Tri::True;
        for segment in init {
            let Some((head, tail)) = rest.split_once(':') else {
                return Some(Tri::False);
            };
            result = result.and(segment.matches(head, false, resolver)?);
            if result == Tri::False {
                return Some(Tri::False);
            }
            rest = tail;
        }
        Some(result.and(last.matches(rest, false, resolver)?))
    }
}

#[cfg(test)]
mod tests {
    use super::super::pattern::NoVariables;
    use super::super::variables::{ArnVars, parse_arn_pattern, parse_pieces};
    use super::*;

    fn glob(text: &str) -> Glob {
        Glob::from_pieces(parse_pieces(text, true, false))
    }

    #[test]
    fn glob_table() {
        let cases = [
            ("*", "", true),
            ("*", "anything:at/all", true),
            ("abc", "abc", true),
            ("abc", "abcd", false),
            ("a*", "abc", true),
            ("a*", "b", false),
            ("a*c", "abbbc", true),
            ("a*c", "abbbd", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("a?c", "aéc", true),
            ("*a*b*c*", "xxaxxbxxcxx", true),
            ("*a*b*c*", "xxaxxcxxbxx", false),
            ("", "", true),
            ("", "x", false),
            ("??", "é€", true),
            ("*.txt", "dir/a.txt", true),
            ("**", "x", true),
            ("a*b?", "aXXbY", true),
            ("a*b?", "aXXb", false),
        ];
        for (pattern, value, want) in cases {
            assert_eq!(glob(pattern).matches_static(value, false), want, "{pattern} vs {value}");
        }
    }

    #[test]
    fn case_insensitive_glob() {
        assert!(glob("s3:get*").matches_static("S3:GetObject", true));
        assert!(!glob("s3:get*").matches_static("S3:GetObject", false));
        assert!(glob("s3:getobject").matches_static("s3:GETOBJECT", true));
    }

    #[test]
    fn arn_table() {
        let cases = [
            ("*", "arn:aws:s3:::b/k", true),
            ("arn:aws:s3:::b/*", "arn:aws:s3:::b/k:with:colons", true),
            ("arn:aws:s3:::b/*", "arn:aws:s3:::c/k", false),
            ("arn:aws:*:::b", "arn:aws:s3:::b", true),
            ("arn:aws:*:::b", "arn:aws:s3:x::b", false),
            ("arn:aws:s3:*", "arn:aws:s3:::bucket", true),
            ("arn:aws:iam::*:role/R", "arn:aws:iam::111122223333:role/R", true),
            ("arn:aws:iam::1*:role/R", "arn:aws:iam::111122223333:role/R", true),
            ("arn:aws:iam::?:role/R", "arn:aws:iam::12:role/R", false),
            ("arn:aws:s3:::B", "arn:aws:s3:::b", false),
            ("arn:aws:s3:::b", "arn:aws:s3::b", false),
            ("arn:*:s3:::b", "arn:aws:s3:::b", true),
        ];
        for (pattern, value, want) in cases {
            let compiled = parse_arn_pattern(pattern, ArnVars::Nowhere);
            assert_eq!(compiled.matches(value, &NoVariables), Some(Tri::from_bool(want)), "{pattern} vs {value}");
        }
    }
}
