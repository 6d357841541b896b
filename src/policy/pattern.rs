//! The shared syntax of policy patterns: the pieces a pattern compiles to (literal text, `*`, `?`, a policy
//! variable) and the substitution of variables by a request's values. Parsing lives in `variables`, matching in
//! `wildcard`; both speak this vocabulary, so neither depends on the other.

use super::request::{Lookup, Request};

/// One element of a compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PatternPiece {
    /// Literal text (already lower case for case-insensitive patterns).
    Lit(Box<str>),
    /// `*`.
    Star,
    /// `?`.
    One,
    /// A policy variable, replaced by its (literal) value at evaluation time.
    Var(VarRef),
}

/// A reference to a condition key inside `${...}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VarRef {
    /// Lower-case key; empty for a malformed variable (which never resolves).
    pub(crate) key: Box<str>,
    /// The text after `, '...'`, used when the key has no value.
    pub(crate) default: Option<Box<str>>,
}

/// The value of a variable's key in a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VarValue<'a> {
    Value(&'a str),
    NoValue,
    Unknown,
}

/// Source of variable values.
pub(crate) trait Resolver {
    fn resolve(&self, key_lower: &str) -> VarValue<'_>;
}

impl Resolver for Request {
    fn resolve(&self, key_lower: &str) -> VarValue<'_> {
        match self.lookup(key_lower) {
            Lookup::Present([single]) => VarValue::Value(single),
            Lookup::Present(_) | Lookup::Absent => VarValue::NoValue,
            Lookup::Unknown => VarValue::Unknown,
        }
    }
}

/// A resolver for which every variable has no value (tests, lint).
pub(crate) struct NoVariables;

impl Resolver for NoVariables {
    fn resolve(&self, _key_lower: &str) -> VarValue<'_> {
        VarValue::NoValue
    }
}

/// The outcome of resolving the variables of a pattern.
pub(crate) enum Substitution {
    Pieces(Vec<PatternPiece>),
    NoValue,
    Unknown,
}

/// Replaces every `Var` piece by a literal (allocates; only called for patterns that contain variables).
pub(crate) fn resolve(pieces: &[PatternPiece], resolver: &dyn Resolver) -> Substitution {
    let mut out: Vec<PatternPiece> = Vec::with_capacity(pieces.len());
    let mut unknown = false;
    for piece in pieces {
        let PatternPiece::Var(var) = piece else {
            push(&mut out, piece.clone());
            continue;
        };
        let value = if var.key.is_empty() { VarValue::NoValue } else { resolver.resolve(&var.key) };
        match (value, &var.default) {
            (VarValue::Value(text), _) => push(&mut out, PatternPiece::Lit(text.into())),
            (VarValue::NoValue, Some(default)) => push(&mut out, PatternPiece::Lit(default.clone())),
            (VarValue::NoValue, None) => return Substitution::NoValue,
            (VarValue::Unknown, _) => unknown = true,
        }
    }
    if unknown { Substitution::Unknown } else { Substitution::Pieces(out) }
}

/// Appends a piece, merging adjacent literals.
pub(crate) fn push(out: &mut Vec<PatternPiece>, piece: PatternPiece) {
    if let (Some(PatternPiece::Lit(prev)), PatternPiece::Lit(next)) = (out.last_mut(), &piece) {
        let mut merged = String::with_capacity(prev.len() + next.len());
        merged.push_str(prev);
        merged.push_str(next);
        *prev = merged.into_boxed_str();
        return;
    }
    out.push(piece);
}
