//! The delivery log as Python sees it: one dict per delivery, made only for the deliveries
//! asked for.

use super::convert::to_python;
use crate::delivery_log::Entry;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDateTime, PyDict, PyInt, PyString, PyTzInfo};
use std::sync::Arc;

/// `max_deliveries` as given: None, or a whole number of at least 0.
pub(super) fn bound(max: Option<&Bound<'_, PyAny>>) -> PyResult<Option<usize>> {
    let Some(max) = max.filter(|m| !m.is_none()) else {
        return Ok(None);
    };
    if max.is_instance_of::<PyBool>() || !max.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "max_deliveries must be None or a whole number, not {}",
            max.get_type().name()?
        )));
    }
    max.extract::<usize>().map(Some).map_err(|_| {
        PyValueError::new_err(format!(
            "max_deliveries must be None or a whole number of at least 0, not {max}"
        ))
    })
}

/// The deliveries numbered as given, as the dicts `Delivery(**d)` takes.
pub(super) fn dicts<'py>(
    py: Python<'py>,
    entries: &[(usize, Entry)],
) -> PyResult<Vec<Bound<'py, PyDict>>> {
    // Deliveries of one event come together, and share its text: it is read once.
    let mut last: Option<(Arc<str>, serde_json::Value)> = None;
    let mut out = Vec::with_capacity(entries.len());
    let utc = PyTzInfo::utc(py)?.to_owned();
    for (index, e) in entries {
        if !last.as_ref().is_some_and(|(t, _)| Arc::ptr_eq(t, &e.event)) {
            let v = crate::json::parse(&e.event).unwrap_or(serde_json::Value::Null);
            last = Some((e.event.clone(), v));
        }
        let event = match &last {
            Some((_, v)) => to_python(py, v)?,
            None => py.None().into_bound(py),
        };
        let r = &*e.route;
        let d = PyDict::new(py);
        let put = |k: &Bound<'py, PyString>, v: Bound<'py, PyAny>| d.set_item(k, v);
        let s = |t: &str| PyString::new(py, t).into_any();
        put(intern!(py, "account"), s(&r.account))?;
        put(intern!(py, "region"), s(&r.region))?;
        put(intern!(py, "event_bus_name"), s(&r.event_bus_name))?;
        put(intern!(py, "rule_name"), s(&r.rule_name))?;
        put(intern!(py, "rule_arn"), s(&r.rule_arn))?;
        put(intern!(py, "target_id"), s(&r.target_id))?;
        put(intern!(py, "target_arn"), s(&r.target_arn))?;
        put(intern!(py, "payload"), s(e.payload()))?;
        put(intern!(py, "event"), event)?;
        // An aware datetime in UTC (making one in the local zone costs far more).
        put(
            intern!(py, "time"),
            PyDateTime::from_timestamp(py, e.time, Some(&utc))?.into_any(),
        )?;
        put(
            intern!(py, "succeeded"),
            PyBool::new(py, e.succeeded).to_owned().into_any(),
        )?;
        d.set_item(intern!(py, "error"), e.error.as_deref())?;
        d.set_item(intern!(py, "forwarded"), e.forwarded)?;
        d.set_item(intern!(py, "note"), e.note.as_deref())?;
        d.set_item(intern!(py, "index"), *index)?;
        out.push(d);
    }
    Ok(out)
}
