//! The checks TestEventPattern applies to its `Event` parameter (the reference the engine's
//! one-pass checks in `rules` are tested against).

use serde_json::Value;

/// AWS's message (a `ValidationException`) for an Event that is not an object or lacks a
/// required member (docs/patterns.md).
pub const INVALID_EVENT: &str = "Parameter Event is not valid.";
/// AWS's message for an Event whose `time` is not a time (docs/patterns.md).
pub const INVALID_EVENT_TIME: &str = "Parameter Event is not valid. Reason: Invalid time.";

/// Envelope members TestEventPattern requires, of any type.
pub(crate) const REQUIRED: [&str; 6] = ["id", "account", "source", "time", "region", "detail-type"];

/// Whether an envelope's `time` reads as a time: RFC 3339, as AWS writes it (docs/patterns.md).
pub fn valid_time(t: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(t).is_ok()
}

pub fn validate_test_event(event_json: &str) -> Result<Value, String> {
    let v: Value = crate::json::parse(event_json).map_err(|_| INVALID_EVENT.to_string())?;
    let Value::Object(m) = &v else {
        return Err(INVALID_EVENT.to_string());
    };
    if !REQUIRED.iter().all(|k| m.contains_key(*k)) {
        return Err(INVALID_EVENT.to_string());
    }
    match m.get("time") {
        Some(Value::String(t)) if valid_time(t) => Ok(v),
        _ => Err(INVALID_EVENT_TIME.to_string()),
    }
}
