//! Error types: invalid patterns (AWS's `InvalidEventPatternException` text) and unreadable events.

use std::fmt;

/// Prefix AWS puts in front of every pattern-validation reason.
pub(crate) const PREFIX: &str = "Event pattern is not valid. Reason: ";

/// An invalid event pattern. `Display` gives the full AWS message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    reason: String,
}

impl PatternError {
    pub(crate) fn new(reason: impl Into<String>) -> Self {
        PatternError {
            reason: reason.into(),
        }
    }

    /// Nesting past AWS's limit, for a pattern given other than as text.
    pub fn nested_too_deep() -> Self {
        PatternError::new(crate::json::depth_message(crate::json::MAX_DEPTH + 1))
    }

    /// The full message, as AWS returns it in `InvalidEventPatternException`.
    pub fn message(&self) -> String {
        format!("{PREFIX}{}", self.reason)
    }

    /// Only the part after "Reason: ".
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX}{}", self.reason)
    }
}

impl std::error::Error for PatternError {}

/// An event given as text that is not a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventJsonError {
    /// Byte offset where reading stopped.
    pub offset: usize,
    pub what: &'static str,
}

impl fmt::Display for EventJsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.what == super::event::TOO_DEEP {
            // Valid JSON, past AWS's limit.
            return write!(
                f,
                "event is {}, AWS's limit (at byte {})",
                self.what, self.offset
            );
        }
        write!(
            f,
            "event is not valid JSON: {} at byte {}",
            self.what, self.offset
        )
    }
}

impl std::error::Error for EventJsonError {}
