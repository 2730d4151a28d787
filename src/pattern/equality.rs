//! When two patterns are the same: the same JSON value, whatever their text.
//!
//! Object member order does not matter (JSON objects are unordered, and AWS matches
//! `{"a": .., "b": ..}` and `{"b": .., "a": ..}` alike); array order does, as in JSON.
//! Numbers compare by value (`300`, `300.0` and `3e2` are one number), as AWS matches them.
//! Patterns that match the same events in other ways (`{"a.b": [1]}` and `{"a": {"b": [1]}}`,
//! reordered lists of values) are still different patterns.

use std::hash::{Hash, Hasher};

use serde_json::{Number, Value};

use super::Pattern;

/// `v` with every object's members sorted by key and every number in one form.
fn canonical(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut members: Vec<(&String, &Value)> = m.iter().collect();
            members.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (k.clone(), canonical(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        Value::Number(n) => Value::Number(number(n)),
        other => other.clone(),
    }
}

/// A whole number as an integer, whichever way it was written; others as a float.
fn number(n: &Number) -> Number {
    match n.as_f64() {
        // Integral floats within these bounds convert to integers exactly.
        Some(f) if n.is_f64() && f.fract() == 0.0 && (0.0..1.8e19).contains(&f) => {
            Number::from(f as u64)
        }
        Some(f) if n.is_f64() && f.fract() == 0.0 && (-9.2e18..0.0).contains(&f) => {
            Number::from(f as i64)
        }
        _ => n.clone(),
    }
}

impl Pattern {
    /// The pattern's canonical text: equal patterns have the same one.
    fn canonical_text(&self) -> String {
        // The source was parsed when the pattern was made, so it is JSON.
        match serde_json::from_str::<Value>(self.source()) {
            Ok(v) => canonical(&v).to_string(),
            Err(_) => self.source().to_string(),
        }
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.source() == other.source() || self.canonical_text() == other.canonical_text()
    }
}

impl Eq for Pattern {}

impl Hash for Pattern {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.canonical_text().hash(state);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};

    use crate::pattern::Pattern;

    fn p(text: &str) -> Pattern {
        Pattern::parse(text).unwrap()
    }

    fn hash(p: &Pattern) -> u64 {
        let mut h = DefaultHasher::new();
        p.hash(&mut h);
        h.finish()
    }

    #[test]
    fn same_json_value_is_equal() {
        let pairs = [
            (
                r#"{"a": ["x"], "b": {"c": [1]}}"#,
                r#"{"b":{"c":[1]},"a":["x"]}"#,
            ),
            (r#"{"a": [300]}"#, r#"{"a": [300.0]}"#),
            (r#"{"a": [300]}"#, r#"{"a": [3e2]}"#),
            (r#"{"a": [-7]}"#, r#"{"a": [-7.0]}"#),
            (r#"{"a": [10000000000000000]}"#, r#"{"a": [1e16]}"#),
            (
                r#"{"a": [{"numeric": [">", 1.50]}]}"#,
                r#"{"a": [{"numeric": [">", 1.5]}]}"#,
            ),
        ];
        for (x, y) in pairs {
            assert!(p(x) == p(y), "{x} vs {y}");
            assert_eq!(hash(&p(x)), hash(&p(y)), "{x} vs {y}");
        }
    }

    #[test]
    fn different_json_values_differ() {
        let pairs = [
            (r#"{"a": ["x", "y"]}"#, r#"{"a": ["y", "x"]}"#),
            (r#"{"a": {"b": [1]}}"#, r#"{"a.b": [1]}"#),
            (r#"{"a": [1]}"#, r#"{"a": [1.5]}"#),
            (r#"{"a": [1]}"#, r#"{"a": ["1"]}"#),
            (r#"{"a": [null]}"#, r#"{"a": [{"exists": false}]}"#),
        ];
        for (x, y) in pairs {
            assert!(p(x) != p(y), "{x} vs {y}");
        }
    }
}
