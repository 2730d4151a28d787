//! Event patterns: parse, validate, compile and match, as Amazon EventBridge does.
//!
//! `Pattern` is one compiled pattern; `RuleSet` matches an event against many at once.
//! Facts about AWS's behaviour that the code relies on, with their sources, are in
//! docs/patterns.md.

mod arrays;
mod compile;
mod cond;
mod equality;
mod error;
mod event;
mod explain;
mod hash;
mod ignore_case;
mod index;
mod ip;
mod number;
mod ruleset;
mod syntax;
mod testevent;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use serde_json::Value;

pub use error::{EventJsonError, PatternError};
pub use event::TopField;
pub use explain::Explanation;
pub use ruleset::RuleSet;
pub(crate) use testevent::REQUIRED as TEST_EVENT_REQUIRED;
pub use testevent::{valid_time, validate_test_event, INVALID_EVENT, INVALID_EVENT_TIME};

use compile::Branch;
use event::Flat;
use index::Compiled;

/// A compiled event pattern. Immutable; clones share the compiled form.
#[derive(Debug, Clone)]
pub struct Pattern {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    source: String,
    branches: Vec<Branch>,
    compiled: Compiled,
}

impl Pattern {
    /// Parses and validates pattern text.
    pub fn parse(json: &str) -> Result<Pattern, PatternError> {
        // AWS words syntax errors as its JSON reader does (without the location suffix).
        let v = crate::json::parse(json).map_err(|e| {
            PatternError::new(match e.kind {
                crate::json::ErrorKind::TooDeep => {
                    crate::json::depth_message(crate::json::MAX_DEPTH + 1)
                }
                _ => syntax::reason(json),
            })
        })?;
        Self::build(json.to_string(), &v)
    }

    pub fn from_value(v: &Value) -> Result<Pattern, PatternError> {
        // Validate first: that bounds the depth before serialising.
        let branches = compile::compile(v)?;
        Self::assemble(v.to_string(), branches)
    }

    fn build(source: String, v: &Value) -> Result<Pattern, PatternError> {
        let branches = compile::compile(v)?;
        Self::assemble(source, branches)
    }

    fn assemble(source: String, branches: Vec<Branch>) -> Result<Pattern, PatternError> {
        let compiled = Compiled::build([branches.as_slice()]);
        Ok(Pattern {
            inner: Arc::new(Inner {
                source,
                branches,
                compiled,
            }),
        })
    }

    /// The pattern text as given (for `from_value`, its compact serialisation).
    pub fn source(&self) -> &str {
        &self.inner.source
    }

    pub(crate) fn branches(&self) -> &[Branch] {
        &self.inner.branches
    }

    pub fn matches_value(&self, event: &Value) -> bool {
        let c = &self.inner.compiled;
        !c.matching(&Flat::from_value(&c.trie, event)).is_empty()
    }

    /// Matches event JSON text; fails only when the text is not JSON.
    pub fn matches_json(&self, event_json: &str) -> Result<bool, EventJsonError> {
        self.inner
            .compiled
            .match_json(event_json, |ids| !ids.is_empty())
    }

    /// `matches_json`, also passing `f` the members of the event's top-level object (as
    /// byte ranges of the text) when the reader went through them; None when it did not
    /// (the root is not an object, or the pattern does not look inside it).
    pub fn matches_json_top<R>(
        &self,
        event_json: &str,
        f: impl FnOnce(bool, Option<&[TopField]>) -> R,
    ) -> Result<R, EventJsonError> {
        self.inner
            .compiled
            .match_json_top(event_json, true, |ids, top| f(!ids.is_empty(), top))
    }

    /// `explain` for event JSON text; fails only when the text is not JSON.
    pub fn explain_json(&self, event_json: &str) -> Result<Explanation, EventJsonError> {
        let c = &self.inner.compiled;
        let mut flat = Flat::default();
        flat.read_json(&c.trie, event_json)?;
        Ok(explain::evaluate(&self.inner.branches, c, &flat))
    }

    /// Which fields and conditions decided the outcome.
    pub fn explain(&self, event: &Value) -> Explanation {
        let c = &self.inner.compiled;
        explain::evaluate(&self.inner.branches, c, &Flat::from_value(&c.trie, event))
    }
}
