//! Many named patterns compiled into one matcher.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::Value;

use super::error::EventJsonError;
use super::event::Flat;
use super::index::Compiled;
use super::Pattern;

/// Named patterns, matched together. The combined matcher is rebuilt lazily after a change.
#[derive(Debug, Default)]
pub struct RuleSet {
    rules: BTreeMap<String, Pattern>,
    compiled: OnceLock<(Compiled, Vec<String>)>,
}

impl RuleSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `pattern` under `name`, replacing any pattern of that name.
    pub fn insert(&mut self, name: &str, pattern: &Pattern) {
        self.rules.insert(name.to_string(), pattern.clone());
        self.compiled = OnceLock::new();
    }

    pub fn remove(&mut self, name: &str) {
        if self.rules.remove(name).is_some() {
            self.compiled = OnceLock::new();
        }
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    fn compiled(&self) -> &(Compiled, Vec<String>) {
        self.compiled.get_or_init(|| {
            let c = Compiled::build(self.rules.values().map(|p| p.branches()));
            (c, self.rules.keys().cloned().collect())
        })
    }

    fn names(&self, ids: Vec<u32>) -> Vec<&str> {
        let names = &self.compiled().1;
        // Rule ids follow name order, so the result is already sorted.
        ids.into_iter()
            .filter_map(|i| names.get(i as usize).map(String::as_str))
            .collect()
    }

    /// Names of the patterns that match, sorted.
    pub fn matches_value(&self, event: &Value) -> Vec<&str> {
        let (c, _) = self.compiled();
        let flat = Flat::from_value(&c.trie, event);
        self.names(c.matching(&flat))
    }

    /// Like `matches_value`, reading the event from JSON text without building a `Value`.
    pub fn matches_json(&self, event_json: &str) -> Result<Vec<&str>, EventJsonError> {
        let (c, _) = self.compiled();
        let flat = Flat::from_json(&c.trie, event_json)?;
        Ok(self.names(c.matching(&flat)))
    }
}
