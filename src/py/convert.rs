//! Python values to JSON text and JSON values to Python, without recursion, and errors of
//! the exploration helpers.
//!
//! A dict given as a pattern or an event is written as the JSON text `json.dumps` would
//! write, and read as text from there on: a dict and its text answer the same, by
//! construction. Nesting is followed with an explicit stack (no input can exhaust the C
//! stack, a dict that contains itself included) and stops past AWS's 1000 levels.

use crate::json::MAX_DEPTH;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple,
};
use serde_json::Value;
use std::borrow::Cow;

/// The text of a Python string. Unpaired surrogates (which UTF-8 cannot hold) become '?',
/// as Java's UTF-8 encoder makes them on AWS's side; a surrogate pair becomes its character.
pub(crate) fn text<'a>(s: &'a Bound<'_, PyString>) -> PyResult<Cow<'a, str>> {
    if let Ok(t) = s.to_str() {
        return Ok(Cow::Borrowed(t));
    }
    let units = s.call_method1("encode", ("utf-16-le", "surrogatepass"))?;
    let bytes = units.cast::<PyBytes>()?.as_bytes();
    let units = bytes
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]));
    Ok(Cow::Owned(
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(crate::json::UNPAIRED_SURROGATE))
            .collect(),
    ))
}

/// Why a Python value could not be written as JSON text.
pub(crate) enum Unwritable {
    /// Nested deeper than AWS's limit (or containing itself).
    TooDeep,
    /// Not JSON at all: a message naming the input.
    Type(String),
    Python(PyErr),
}

impl From<PyErr> for Unwritable {
    fn from(e: PyErr) -> Self {
        Unwritable::Python(e)
    }
}

/// An open container being written.
enum Open<'py> {
    /// A dict's items, as a list taken when the dict was reached.
    Items(Bound<'py, PyList>, usize),
    /// A list (a tuple is read as a list of its items).
    Seq(Bound<'py, PyList>, usize),
}

/// JSON text given as str, bytes (UTF-8) or bytearray; None for any other value.
pub(crate) fn given_text(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Option<String>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Some(text(s)?.into_owned()));
    }
    let bytes: Option<Vec<u8>> = if let Ok(b) = obj.cast::<PyBytes>() {
        Some(b.as_bytes().to_vec())
    } else if let Ok(b) = obj.cast::<PyByteArray>() {
        Some(b.to_vec())
    } else {
        None
    };
    match bytes {
        None => Ok(None),
        Some(b) => String::from_utf8(b).map(Some).map_err(|e| {
            PyValueError::new_err(format!(
                "{what}: bytes are not UTF-8 text (at byte {})",
                e.utf8_error().valid_up_to()
            ))
        }),
    }
}

/// `obj` (a dict, list, str, number, bool or None, nested) as the JSON text `json.dumps`
/// writes for it, compact. `what` names the input in errors.
pub(crate) fn write_json(obj: &Bound<'_, PyAny>, what: &str) -> Result<String, Unwritable> {
    let mut out = String::new();
    let mut open: Vec<Open<'_>> = Vec::new();
    let mut next: Option<Bound<'_, PyAny>> = Some(obj.clone());
    loop {
        if let Some(v) = next.take() {
            if let Ok(d) = v.cast::<PyDict>() {
                if open.len() >= MAX_DEPTH {
                    return Err(Unwritable::TooDeep);
                }
                out.push('{');
                open.push(Open::Items(d.items(), 0));
            } else if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
                if open.len() >= MAX_DEPTH {
                    return Err(Unwritable::TooDeep);
                }
                out.push('[');
                let list = match v.cast_into::<PyList>() {
                    Ok(l) => l,
                    Err(e) => e
                        .into_inner()
                        .cast_into::<PyTuple>()
                        .map_err(PyErr::from)?
                        .to_list(),
                };
                open.push(Open::Seq(list, 0));
            } else {
                scalar(&v, &mut out, what)?;
            }
        }
        // The next member of the innermost open container, or close it.
        let Some(top) = open.last_mut() else {
            return Ok(out);
        };
        match top {
            Open::Items(items, k) => match items.get_item(*k) {
                Ok(item) => {
                    if *k > 0 {
                        out.push(',');
                    }
                    *k += 1;
                    let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
                    write_key(&key, &mut out, what)?;
                    out.push(':');
                    next = Some(value);
                }
                Err(_) => {
                    out.push('}');
                    open.pop();
                }
            },
            Open::Seq(seq, k) => match seq.get_item(*k) {
                Ok(item) => {
                    if *k > 0 {
                        out.push(',');
                    }
                    *k += 1;
                    next = Some(item);
                }
                Err(_) => {
                    out.push(']');
                    open.pop();
                }
            },
        }
    }
}

fn write_str(s: &str, out: &mut String) {
    // serde_json's escaping: the same text a pattern given as a dict always had.
    out.push_str(&Value::String(s.to_owned()).to_string());
}

/// A key as `json.dumps` writes it: strings, and numbers, booleans and None as strings.
fn write_key(key: &Bound<'_, PyAny>, out: &mut String, what: &str) -> Result<(), Unwritable> {
    if let Ok(s) = key.cast::<PyString>() {
        write_str(&text(s)?, out);
        return Ok(());
    }
    if key.is_none()
        || key.is_instance_of::<PyBool>()
        || key.is_instance_of::<PyInt>()
        || key.is_instance_of::<PyFloat>()
    {
        let mut k = String::new();
        scalar(key, &mut k, what)?;
        write_str(&k, out);
        return Ok(());
    }
    Err(Unwritable::Type(format!(
        "{what}: keys must be str, int, float, bool or None, not {}",
        type_name(key)
    )))
}

fn scalar(v: &Bound<'_, PyAny>, out: &mut String, what: &str) -> Result<(), Unwritable> {
    if v.is_none() {
        out.push_str("null");
    } else if let Ok(b) = v.cast::<PyBool>() {
        out.push_str(if b.is_true() { "true" } else { "false" });
    } else if let Ok(s) = v.cast::<PyString>() {
        write_str(&text(s)?, out);
    } else if v.is_instance_of::<PyInt>() {
        if let Ok(i) = v.extract::<i64>() {
            out.push_str(itoa::Buffer::new().format(i));
        } else if let Ok(u) = v.extract::<u64>() {
            out.push_str(itoa::Buffer::new().format(u));
        } else {
            // All the digits, as json.dumps writes them; the reader sees a huge number.
            let digits = v.str().map_err(|e| {
                Unwritable::Type(format!("{what}: an integer too long to write: {e}"))
            })?;
            out.push_str(&digits.to_string_lossy());
        }
    } else if v.is_instance_of::<PyFloat>() {
        let f: f64 = v.extract()?;
        match serde_json::Number::from_f64(f) {
            Some(n) => out.push_str(&n.to_string()),
            // json.dumps's words, which no JSON reader (nor AWS's) accepts.
            None if f.is_nan() => out.push_str("NaN"),
            None if f > 0.0 => out.push_str("Infinity"),
            None => out.push_str("-Infinity"),
        }
    } else {
        return Err(Unwritable::Type(format!(
            "{what}: a {} is not JSON (give JSON text, or dicts, lists, strings, numbers, booleans and None)",
            type_name(v)
        )));
    }
    Ok(())
}

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "value".into())
}

/// A type error for `Unwritable::Type`, a Python error as it was.
pub(crate) fn type_error(e: Unwritable) -> PyErr {
    match e {
        Unwritable::Type(m) => PyTypeError::new_err(m),
        Unwritable::Python(e) => e,
        Unwritable::TooDeep => {
            PyValueError::new_err(format!("nested deeper than {MAX_DEPTH} levels"))
        }
    }
}

/// A container made for `to_python`, and the members it still needs.
enum Fill<'v, 'py> {
    List(Bound<'py, PyList>, std::slice::Iter<'v, Value>),
    Dict(Bound<'py, PyDict>, serde_json::map::Iter<'v>),
}

/// `v` as a Python object; a container is made empty and goes on `open` to be filled.
fn made<'v, 'py>(
    py: Python<'py>,
    v: &'v Value,
    open: &mut Vec<Fill<'v, 'py>>,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any(),
            _ => PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any(),
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let l = PyList::empty(py);
            open.push(Fill::List(l.clone(), items.iter()));
            l.into_any()
        }
        Value::Object(members) => {
            let d = PyDict::new(py);
            open.push(Fill::Dict(d.clone(), members.iter()));
            d.into_any()
        }
    })
}

/// A parsed JSON value as Python objects (dicts, lists, str, int, float, bool, None),
/// containers filled from an explicit stack.
pub(crate) fn to_python<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    let mut open = Vec::new();
    let root = made(py, v, &mut open)?;
    while let Some(top) = open.last_mut() {
        match top {
            Fill::List(l, items) => match items.next() {
                Some(item) => {
                    let l = l.clone();
                    l.append(made(py, item, &mut open)?)?;
                }
                None => {
                    open.pop();
                }
            },
            Fill::Dict(d, members) => match members.next() {
                Some((k, item)) => {
                    let d = d.clone();
                    d.set_item(k, made(py, item, &mut open)?)?;
                }
                None => {
                    open.pop();
                }
            },
        }
    }
    Ok(root)
}
