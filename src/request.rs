//! Small helpers for reading validated requests and building responses as JSON.

use serde_json::{Map, Value};

/// A string member of a request (absent, or not a string: None).
pub fn str_of<'a>(input: &'a Value, key: &str) -> Option<&'a str> {
    input.get(key).and_then(Value::as_str)
}

pub fn bool_of(input: &Value, key: &str) -> bool {
    input.get(key).and_then(Value::as_bool).unwrap_or(false)
}

pub fn int_of(input: &Value, key: &str) -> Option<i64> {
    input.get(key).and_then(Value::as_i64)
}

pub fn list_of<'a>(input: &'a Value, key: &str) -> &'a [Value] {
    input
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// A response object whose absent members are left out, as AWS leaves them out.
#[derive(Default)]
pub struct Obj(Map<String, Value>);

impl Obj {
    pub fn new() -> Obj {
        Obj::default()
    }

    pub fn put(mut self, key: &str, value: impl Into<Value>) -> Obj {
        self.0.insert(key.to_owned(), value.into());
        self
    }

    pub fn opt<V: Into<Value>>(mut self, key: &str, value: Option<V>) -> Obj {
        if let Some(v) = value {
            self.0.insert(key.to_owned(), v.into());
        }
        self
    }

    pub fn build(self) -> Value {
        Value::Object(self.0)
    }
}
