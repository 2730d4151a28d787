//! The checks TestEventPattern applies to its `Event` parameter.

use serde_json::Value;

/// AWS's message (a `ValidationException`) for any Event it refuses (docs/patterns.md).
pub(crate) const INVALID_EVENT: &str = "Parameter Event is not valid.";

/// Envelope fields TestEventPattern requires, each a string.
const REQUIRED: &[&str] = &["id", "account", "source", "time", "region", "detail-type"];

pub fn validate_test_event(event_json: &str) -> Result<Value, String> {
    let v: Value = crate::json::parse(event_json).map_err(|_| INVALID_EVENT.to_string())?;
    let Value::Object(m) = &v else {
        return Err(INVALID_EVENT.to_string());
    };
    for k in REQUIRED {
        if !matches!(m.get(*k), Some(Value::String(_))) {
            return Err(INVALID_EVENT.to_string());
        }
    }
    if let Some(r) = m.get("resources") {
        let Value::Array(items) = r else {
            return Err(INVALID_EVENT.to_string());
        };
        if !items.iter().all(Value::is_string) {
            return Err(INVALID_EVENT.to_string());
        }
    }
    if let Some(d) = m.get("detail") {
        if !d.is_object() {
            return Err(INVALID_EVENT.to_string());
        }
    }
    Ok(v)
}
