//! The Python binding: the only module that knows Python.
//!
//! It validates keyword arguments as botocore does (through `validate::Param`), converts them
//! to JSON, runs the engine, and converts the result back, turning timestamps into the
//! datetimes botocore would give. Engine errors become botocore exceptions; a Rust panic
//! becomes an `InternalException` instead of reaching the interpreter.

use crate::error::Error;
use crate::model::{Model, ShapeId, ShapeType};
use crate::ops;
use crate::state::{Backend, Ctx};
use crate::validate::{self, Param};
use pyo3::exceptions::{PyNotImplementedError, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Number, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, OnceLock};

/// What the package hands over once at import: the model and botocore's helpers.
struct Globals {
    model: Model,
    /// `make_error(code, message, operation_name, request_id) -> ClientError`
    make_error: Py<PyAny>,
    /// `botocore.exceptions.ParamValidationError`
    param_validation_error: Py<PyAny>,
    /// `botocore.utils.parse_timestamp`, which makes botocore's output datetimes.
    parse_timestamp: Py<PyAny>,
    /// `botocore.utils.parse_to_aware_datetime`, botocore's test of timestamp input.
    to_aware_datetime: Py<PyAny>,
    decimal: Py<PyAny>,
}

static GLOBALS: OnceLock<Globals> = OnceLock::new();

fn globals() -> PyResult<&'static Globals> {
    GLOBALS
        .get()
        .ok_or_else(|| PyRuntimeError::new_err("eventbridge_mock._native.init was not called"))
}

#[pyfunction]
fn init(
    py: Python<'_>,
    model_json: &str,
    make_error: Py<PyAny>,
    param_validation_error: Py<PyAny>,
) -> PyResult<()> {
    if GLOBALS.get().is_some() {
        return Ok(());
    }
    let model = Model::parse(model_json).map_err(PyRuntimeError::new_err)?;
    let utils = py.import("botocore.utils")?;
    let g = Globals {
        model,
        make_error,
        param_validation_error,
        parse_timestamp: utils.getattr("parse_timestamp")?.unbind(),
        to_aware_datetime: utils.getattr("parse_to_aware_datetime")?.unbind(),
        decimal: py.import("decimal")?.getattr("Decimal")?.unbind(),
    };
    let _ = GLOBALS.set(g);
    Ok(())
}

/// A caller's value, seen through botocore's validator.
struct P<'py>(Bound<'py, PyAny>);

impl<'py> P<'py> {
    fn epoch(&self) -> Option<f64> {
        let g = GLOBALS.get()?;
        let dt = g.to_aware_datetime.bind(self.0.py()).call1((&self.0,)).ok()?;
        dt.call_method0("timestamp").ok()?.extract::<f64>().ok()
    }
}

impl Param for P<'_> {
    fn is_none(&self) -> bool {
        self.0.is_none()
    }
    fn is_str(&self) -> bool {
        self.0.is_instance_of::<PyString>()
    }
    fn is_int(&self) -> bool {
        self.0.is_instance_of::<PyInt>()
    }
    fn is_number(&self) -> bool {
        self.0.is_instance_of::<PyInt>()
            || self.0.is_instance_of::<PyFloat>()
            || GLOBALS
                .get()
                .is_some_and(|g| self.0.is_instance(g.decimal.bind(self.0.py())).unwrap_or(false))
    }
    fn is_bool(&self) -> bool {
        self.0.is_instance_of::<PyBool>()
    }
    fn is_list(&self) -> bool {
        self.0.is_instance_of::<PyList>() || self.0.is_instance_of::<PyTuple>()
    }
    fn is_dict(&self) -> bool {
        self.0.is_instance_of::<PyDict>()
    }
    fn is_blob(&self) -> bool {
        self.0.is_instance_of::<PyBytes>()
            || self.0.is_instance_of::<PyByteArray>()
            || self.0.is_instance_of::<PyString>()
            || self.0.hasattr("read").unwrap_or(false)
    }
    fn is_timestamp(&self) -> bool {
        self.epoch().is_some()
    }
    fn size(&self) -> usize {
        self.0.len().unwrap_or(0)
    }
    fn as_f64(&self) -> f64 {
        self.0.extract::<f64>().unwrap_or(f64::NAN)
    }
    fn items(&self) -> Vec<Self> {
        match self.0.try_iter() {
            Ok(it) => it.filter_map(Result::ok).map(P).collect(),
            Err(_) => Vec::new(),
        }
    }
    fn entries(&self) -> Vec<(Self, Self)> {
        match self.0.cast::<PyDict>() {
            Ok(d) => d.iter().map(|(k, v)| (P(k), P(v))).collect(),
            Err(_) => Vec::new(),
        }
    }
    fn display(&self) -> String {
        match self.0.str() {
            Ok(s) => s.to_string_lossy().into_owned(),
            Err(_) => String::from("<unprintable>"),
        }
    }
    fn type_name(&self) -> String {
        match self.0.get_type().str() {
            Ok(s) => s.to_string_lossy().into_owned(),
            Err(_) => String::new(),
        }
    }
    fn to_json(&self, kind: ShapeType) -> Value {
        let v = &self.0;
        match kind {
            ShapeType::Boolean => Value::Bool(v.is_truthy().unwrap_or(false)),
            ShapeType::Integer | ShapeType::Long => match v.extract::<i64>() {
                Ok(i) => Value::from(i),
                Err(_) => number(v.extract::<f64>().unwrap_or(0.0)),
            },
            ShapeType::Double | ShapeType::Float => number(v.extract::<f64>().unwrap_or(0.0)),
            // botocore sends timestamps as epoch seconds, rounded to milliseconds.
            ShapeType::Timestamp => number((self.epoch().unwrap_or(0.0) * 1000.0).round() / 1000.0),
            _ => match v.extract::<String>() {
                Ok(s) => Value::String(s),
                Err(_) => match v.extract::<Vec<u8>>() {
                    Ok(b) => Value::String(String::from_utf8_lossy(&b).into_owned()),
                    Err(_) => Value::String(self.display()),
                },
            },
        }
    }
}

fn number(f: f64) -> Value {
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

/// Converts the engine's output to Python, with botocore's datetimes for timestamps.
fn output(py: Python<'_>, g: &Globals, shape: Option<ShapeId>, v: &Value) -> PyResult<Py<PyAny>> {
    let shape = shape.map(|id| g.model.shape(id));
    match (shape, v) {
        (Some(s), _) if !s.has_timestamp => Ok(pythonize::pythonize(py, v)?.unbind()),
        (Some(s), Value::Number(n)) if s.kind == ShapeType::Timestamp => {
            let secs = n.as_f64().unwrap_or(0.0);
            Ok(g.parse_timestamp.bind(py).call1((secs,))?.unbind())
        }
        (Some(s), Value::Object(o)) if s.kind == ShapeType::Structure => {
            let d = PyDict::new(py);
            for (k, item) in o {
                d.set_item(k, output(py, g, s.member(k), item)?)?;
            }
            Ok(d.into_any().unbind())
        }
        (Some(s), Value::Object(o)) if s.kind == ShapeType::Map => {
            let d = PyDict::new(py);
            for (k, item) in o {
                d.set_item(k, output(py, g, s.value, item)?)?;
            }
            Ok(d.into_any().unbind())
        }
        (Some(s), Value::Array(a)) if s.kind == ShapeType::List => {
            let items = a
                .iter()
                .map(|item| output(py, g, s.member, item))
                .collect::<PyResult<Vec<_>>>()?;
            Ok(PyList::new(py, items)?.into_any().unbind())
        }
        _ => Ok(pythonize::pythonize(py, v)?.unbind()),
    }
}

/// `Date` as an HTTP header, cached for the second it names.
fn http_date() -> String {
    use parking_lot::Mutex;
    static CACHE: Mutex<(i64, String)> = Mutex::new((i64::MIN, String::new()));
    let now = chrono::Utc::now();
    let mut c = CACHE.lock();
    if c.0 != now.timestamp() {
        *c = (
            now.timestamp(),
            now.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
        );
    }
    c.1.clone()
}

/// `ResponseMetadata` as botocore builds it from AWS's HTTP response.
fn response_metadata<'py>(
    py: Python<'py>,
    request_id: &str,
    status: u16,
    content_length: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let headers = PyDict::new(py);
    headers.set_item("x-amzn-requestid", request_id)?;
    headers.set_item("content-type", "application/x-amz-json-1.1")?;
    headers.set_item("content-length", content_length.to_string())?;
    headers.set_item("date", http_date())?;
    let meta = PyDict::new(py);
    meta.set_item("RequestId", request_id)?;
    meta.set_item("HTTPStatusCode", status)?;
    meta.set_item("HTTPHeaders", headers)?;
    meta.set_item("RetryAttempts", 0)?;
    Ok(meta)
}

/// The state of one mock cloud: every account and region.
#[pyclass(name = "Backend", module = "eventbridge_mock._native", frozen)]
struct PyBackend(Arc<Backend>);

#[pymethods]
impl PyBackend {
    #[new]
    fn new() -> Self {
        PyBackend(Arc::new(Backend::new()))
    }

    /// Forgets every resource in every account and region.
    fn reset(&self) {
        self.0.reset();
    }
}

/// One client's view: a backend, an account and a region.
#[pyclass(name = "NativeClient", module = "eventbridge_mock._native", frozen)]
struct NativeClient {
    backend: Arc<Backend>,
    ctx: Ctx,
}

#[pymethods]
impl NativeClient {
    #[new]
    fn new(backend: &PyBackend, account_id: &str, region_name: &str) -> Self {
        NativeClient {
            backend: backend.0.clone(),
            ctx: Ctx::new(account_id, region_name),
        }
    }

    #[getter]
    fn account_id(&self) -> &str {
        &self.ctx.account
    }

    #[getter]
    fn region_name(&self) -> &str {
        &self.ctx.region
    }

    /// Calls `operation` (as named in the model) with boto3-style keyword arguments.
    #[pyo3(signature = (operation, params))]
    fn call(
        &self,
        py: Python<'_>,
        operation: &str,
        params: &Bound<'_, PyDict>,
    ) -> PyResult<Py<PyAny>> {
        let g = globals()?;
        let op = g
            .model
            .operation(operation)
            .ok_or_else(|| PyNotImplementedError::new_err(operation.to_owned()))?;
        let input = match op.input {
            Some(shape) => {
                let p = P(params.clone().into_any());
                if let Err(report) = validate::client_side(&g.model, shape, &p) {
                    let kwargs = PyDict::new(py);
                    kwargs.set_item("report", report)?;
                    let e = g.param_validation_error.bind(py).call((), Some(&kwargs))?;
                    return Err(PyErr::from_value(e));
                }
                validate::to_json(&g.model, shape, &p)
            }
            None => Value::Object(Default::default()),
        };
        let request_id = uuid::Uuid::new_v4().to_string();
        let result = catch_unwind(AssertUnwindSafe(|| {
            ops::call(&g.model, &self.backend, &self.ctx, operation, &input)
        }))
        .unwrap_or_else(|_| Err(crate::error::internal("the engine failed")));
        match result {
            Ok(out) => {
                let body_len = serde_json::to_vec(&out).map_or(0, |b| b.len());
                let py_out = output(py, g, op.output, &out)?;
                let dict = py_out.bind(py).cast::<PyDict>()?.clone();
                dict.set_item(
                    "ResponseMetadata",
                    response_metadata(py, &request_id, 200, body_len)?,
                )?;
                Ok(py_out)
            }
            Err(e) => Err(self.error(py, g, operation, &request_id, e)),
        }
    }
}

impl NativeClient {
    fn error(&self, py: Python<'_>, g: &Globals, operation: &str, request_id: &str, e: Error) -> PyErr {
        if e.code == ops::NOT_IMPLEMENTED {
            return PyNotImplementedError::new_err(e.message);
        }
        match g
            .make_error
            .bind(py)
            .call1((e.code, &e.message, operation, request_id))
        {
            Ok(exc) => PyErr::from_value(exc),
            Err(err) => err,
        }
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(init, m)?)?;
    m.add_class::<PyBackend>()?;
    m.add_class::<NativeClient>()?;
    Ok(())
}
