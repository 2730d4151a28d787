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

    /// Each rule's name and pattern, in name order.
    pub fn patterns(&self) -> impl Iterator<Item = (&str, &Pattern)> {
        self.rules.iter().map(|(name, p)| (name.as_str(), p))
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
        let (c, names) = self.compiled();
        c.match_json(event_json, |ids| {
            // Rule ids index `names` (both come from the same build).
            ids.iter().map(|&i| names[i as usize].as_str()).collect()
        })
    }

    /// Like `matches_json`, appending the names to `out` (cleared first), so that a caller
    /// matching many events reuses one vector. On error `out` is left empty.
    pub fn matches_json_into<'s>(
        &'s self,
        event_json: &str,
        out: &mut Vec<&'s str>,
    ) -> Result<(), EventJsonError> {
        out.clear();
        let (c, names) = self.compiled();
        c.match_json(event_json, |ids| {
            out.extend(ids.iter().map(|&i| names[i as usize].as_str()))
        })
    }

    /// The rule names in id order: the ids `match_ids` reports index this.
    pub fn rule_names(&self) -> &[String] {
        &self.compiled().1
    }

    /// Calls `f` with the ids (ascending) of the matching rules; see `rule_names`.
    pub fn match_ids<R>(
        &self,
        event_json: &str,
        f: impl FnOnce(&[u32]) -> R,
    ) -> Result<R, EventJsonError> {
        self.compiled().0.match_json(event_json, f)
    }

    /// Like `match_ids` for a parsed event.
    pub fn match_ids_value<R>(&self, event: &Value, f: impl FnOnce(&[u32]) -> R) -> R {
        let (c, _) = self.compiled();
        f(&c.matching(&Flat::from_value(&c.trie, event)))
    }

    /// Matches many events; `f` gets each event's index and its matching names (sorted),
    /// or the error for an event that is not JSON. One buffer serves the whole batch.
    pub fn match_many<'e, I>(
        &self,
        events: I,
        mut f: impl FnMut(usize, Result<&[&str], EventJsonError>),
    ) where
        I: IntoIterator<Item = &'e str>,
    {
        let mut buf = Vec::new();
        for (i, e) in events.into_iter().enumerate() {
            match self.matches_json_into(e, &mut buf) {
                Ok(()) => f(i, Ok(&buf)),
                Err(err) => f(i, Err(err)),
            }
        }
    }
}
