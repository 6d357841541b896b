//! [`PolicyError`]: why a policy document was rejected, with the JSON path of the offending element.

/// A policy document that could not be parsed. `Invalid` names the JSON path (`Statement[2].Condition.StringEquals`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The text is not JSON (or nests deeper than the JSON parser's recursion limit).
    #[error("policy is not valid JSON: {0}")]
    Json(String),
    /// The text is larger than the parser accepts (endpoint policies are limited to 20,480 characters).
    #[error("policy is {size} bytes; the parser refuses more than {limit}")]
    TooLarge { size: usize, limit: usize },
    /// The JSON is not a valid policy.
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl PolicyError {
    pub(crate) fn at(path: &str, message: impl Into<String>) -> PolicyError {
        PolicyError::Invalid { path: path.to_owned(), message: message.into() }
    }

    /// The JSON path of the offending element, for `Invalid`.
    pub fn path(&self) -> Option<&str> {
        match self {
            PolicyError::Invalid { path, .. } => Some(path),
            _ => None,
        }
    }
}
