//! What the exploration helpers (`Pattern`, `RuleSet`, `test_event_pattern`, `Schedule`)
//! take, and the errors they raise.
//!
//! A pattern or an event is JSON text (str, or UTF-8 bytes) or a dict; a dict is written as
//! the text `json.dumps` gives it, so both forms answer the same. An invalid pattern or
//! schedule expression raises the client's exception with AWS's code and message, named
//! after the helper rather than an operation the caller never called; anything else is a
//! TypeError or ValueError that names the helper and the input, an event that is JSON but
//! not an object with TestEventPattern's message (docs/decisions.md, "Errors of the
//! exploration helpers").

use super::convert::{self, Unwritable};
use super::{globals, PyPattern};
use crate::pattern::{EventJsonError, Pattern, PatternError, INVALID_EVENT};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

/// The client's exception for AWS's `code` and `message`, raised by `helper`: its
/// `operation_name` is the helper's, and its text reads `helper: message`, with `reason`
/// after it when AWS's message gives none.
pub(super) fn helper_error(
    py: Python<'_>,
    helper: &str,
    code: &str,
    message: &str,
    reason: Option<&str>,
) -> PyErr {
    let exc = globals().and_then(|g| {
        let mut id_buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
        let request_id = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut id_buf);
        let exc = g
            .make_error
            .bind(py)
            .call1((code, message, helper, &*request_id, py.None()))?;
        let text = match reason {
            Some(r) => format!("{helper}: {message} Reason: {r}"),
            None => format!("{helper}: {message}"),
        };
        exc.setattr(intern!(py, "args"), PyTuple::new(py, [text])?)?;
        Ok(exc)
    });
    match exc {
        Ok(exc) => PyErr::from_value(exc),
        Err(e) => e,
    }
}

/// AWS's InvalidEventPatternException for `e`.
pub(super) fn pattern_error(py: Python<'_>, helper: &str, e: &PatternError) -> PyErr {
    let err = crate::error::invalid_pattern(e.message());
    helper_error(py, helper, err.code, &err.message, None)
}

/// A pattern given as JSON text, a dict or a `Pattern`, compiled.
pub(super) fn pattern(py: Python<'_>, obj: &Bound<'_, PyAny>, helper: &str) -> PyResult<Pattern> {
    if let Ok(p) = obj.cast::<PyPattern>() {
        return Ok(p.get().0.clone());
    }
    let text = match convert::given_text(obj, helper)? {
        Some(t) => t,
        None => match convert::write_json(obj, helper) {
            Ok(t) => t,
            Err(Unwritable::TooDeep) => {
                return Err(pattern_error(py, helper, &PatternError::nested_too_deep()))
            }
            Err(e) => return Err(convert::type_error(e)),
        },
    };
    Pattern::parse(&text).map_err(|e| pattern_error(py, helper, &e))
}

/// A rule name given to `RuleSet`: a str.
pub(super) fn rule_name(name: &Bound<'_, PyAny>) -> PyResult<String> {
    match name.cast::<PyString>() {
        Ok(s) => Ok(convert::text(s)?.into_owned()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "RuleSet: rule names are str, not {}",
            name.get_type().name()?
        ))),
    }
}

/// An event given as JSON text or a dict, as JSON text.
pub(super) fn event_text(obj: &Bound<'_, PyAny>, helper: &str) -> PyResult<String> {
    if let Some(t) = convert::given_text(obj, helper)? {
        return Ok(t);
    }
    convert::write_json(obj, helper).map_err(|e| match e {
        Unwritable::TooDeep => PyValueError::new_err(format!(
            "{helper}: event is nested deeper than {} levels, AWS's limit",
            crate::json::MAX_DEPTH
        )),
        e => convert::type_error(e),
    })
}

/// Why JSON text is not an event.
pub(super) enum NotEvent {
    /// Not JSON: the reader's words.
    Unreadable(String),
    /// JSON, but not an object: what it is instead.
    Kind(&'static str),
}

impl NotEvent {
    /// For reading `text`, which failed with `e`, or passed: why it is not an event
    /// (None when it is one).
    pub(super) fn of(text: &str, e: Option<EventJsonError>) -> Option<NotEvent> {
        let first = text
            .bytes()
            .find(|b| !matches!(b, b' ' | b'\n' | b'\r' | b'\t'));
        if first == Some(b'{') {
            return e.map(|e| NotEvent::Unreadable(e.to_string()));
        }
        // Not an object: the rare case, read again to say what it is.
        Some(match crate::json::parse(text) {
            Ok(v) => NotEvent::Kind(kind(&v)),
            Err(j) if j.kind == crate::json::ErrorKind::NumberOutOfRange => {
                NotEvent::Kind("a number")
            }
            Err(_) => NotEvent::Unreadable(match e {
                Some(e) => e.to_string(),
                None => "event is not valid JSON".to_owned(),
            }),
        })
    }

    /// The reason as one line, for reports that list events.
    pub(super) fn describe(&self) -> String {
        match self {
            NotEvent::Unreadable(why) => why.clone(),
            NotEvent::Kind(k) => {
                format!("{INVALID_EVENT} Reason: an event is a JSON object, not {k}")
            }
        }
    }

    /// The ValueError `helper` raises: the reader's words for text that is not JSON,
    /// TestEventPattern's message (with what it is instead) for JSON that is not an object.
    pub(super) fn error(&self, helper: &str) -> PyErr {
        PyValueError::new_err(format!("{helper}: {}", self.describe()))
    }
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Null => "null",
        serde_json::Value::Object(_) => "an object",
    }
}

/// `read` (matching `event`'s text) as a helper answers: its result, or why the event is
/// none.
pub(super) fn read_event<R>(
    event: &Bound<'_, PyAny>,
    helper: &str,
    read: impl FnOnce(&str) -> Result<R, EventJsonError>,
) -> PyResult<R> {
    let text = event_text(event, helper)?;
    match read(&text) {
        Ok(r) => match NotEvent::of(&text, None) {
            None => Ok(r),
            Some(not) => Err(not.error(helper)),
        },
        Err(e) => Err(NotEvent::of(&text, Some(e))
            .unwrap_or_else(|| NotEvent::Unreadable("event is not valid JSON".into()))
            .error(helper)),
    }
}
