//! Lint (stub).
use super::document::Policy;
use super::eval::EndpointKind;

/// Severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity { Error, Warning, Info }

/// A finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintFinding { pub severity: Severity, pub code: &'static str, pub path: String, pub message: String }

/// Lints.
pub fn lint(_text: &str, _policy: &Policy, _kind: Option<EndpointKind>) -> Vec<LintFinding> { Vec::new() }
