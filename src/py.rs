//! The Python binding: the only module that knows Python.
//!
//! It validates keyword arguments as botocore does (through `validate::Param`), converts them
//! to JSON, runs the engine, and converts the result back, turning timestamps into the
//! datetimes botocore would give. Engine errors become botocore exceptions; a Rust panic
//! becomes an `InternalException` instead of reaching the interpreter.

use crate::error::Error;
use crate::model::{Model, ShapeType};
use crate::request::Out;
use crate::ops;
use crate::state::{Backend, Ctx, Region};
use parking_lot::Mutex;
use crate::validate::{self, Param};
use pyo3::exceptions::{PyNotImplementedError, PyRuntimeError, PyTypeError};
use pyo3::intern;
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
        make_error,
        param_validation_error,
        parse_timestamp: utils.getattr("parse_timestamp")?.unbind(),
        to_aware_datetime: utils.getattr("parse_to_aware_datetime")?.unbind(),
        decimal: py.import("decimal")?.getattr("Decimal")?.unbind(),
        model,
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

/// Converts a response to Python: botocore's datetimes for timestamps, and member names
/// interned once (they are the model's, a small fixed set).
fn output<'py>(py: Python<'py>, g: &Globals, v: &Out) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Out::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Out::Int(i) => i.into_pyobject(py)?.into_any(),
        Out::Time(secs) => g.parse_timestamp.bind(py).call1((*secs,))?,
        Out::Str(text) => PyString::new(py, text).into_any(),
        Out::List(items) => {
            let items = items
                .iter()
                .map(|item| output(py, g, item))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
        Out::Obj(members) => {
            let d = PyDict::new(py);
            for (k, item) in members {
                d.set_item(member_name(py, k), output(py, g, item)?)?;
            }
            d.into_any()
        }
        Out::Json(v) => pythonize::pythonize(py, v)?,
    })
}

/// The interned Python string for a response member name.
fn member_name<'py>(py: Python<'py>, name: &'static str) -> Bound<'py, PyString> {
    use std::collections::HashMap;
    static NAMES: Mutex<Option<HashMap<usize, Py<PyString>>>> = Mutex::new(None);
    let mut names = NAMES.lock();
    names
        .get_or_insert_with(HashMap::new)
        // Keyed by address: every name is a `&'static str` literal of the engine.
        .entry(name.as_ptr() as usize ^ (name.len() << 48))
        .or_insert_with(|| PyString::intern(py, name).unbind())
        .bind(py)
        .clone()
}

/// `Date` as an HTTP header, cached for the second it names.
fn http_date() -> String {
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
    let id = PyString::new(py, request_id);
    let headers = PyDict::new(py);
    headers.set_item(intern!(py, "x-amzn-requestid"), &id)?;
    headers.set_item(
        intern!(py, "content-type"),
        intern!(py, "application/x-amz-json-1.1"),
    )?;
    headers.set_item(intern!(py, "content-length"), content_length.to_string())?;
    headers.set_item(intern!(py, "date"), http_date())?;
    let meta = PyDict::new(py);
    meta.set_item(intern!(py, "RequestId"), &id)?;
    meta.set_item(intern!(py, "HTTPStatusCode"), status)?;
    meta.set_item(intern!(py, "HTTPHeaders"), headers)?;
    meta.set_item(intern!(py, "RetryAttempts"), 0)?;
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
    /// This client's account and region, looked up once.
    region: Arc<Mutex<Region>>,
}

#[pymethods]
impl NativeClient {
    #[new]
    fn new(backend: &PyBackend, account_id: &str, region_name: &str) -> Self {
        let ctx = Ctx::new(account_id, region_name);
        NativeClient {
            region: backend.0.region(&ctx),
            backend: backend.0.clone(),
            ctx,
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
        let mut id_buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
        let request_id: &str = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut id_buf);
        let result = catch_unwind(AssertUnwindSafe(|| {
            ops::call_in(&g.model, &self.backend, &self.region, operation, &input)
        }))
        .unwrap_or_else(|_| Err(crate::error::internal("the engine failed")));
        match result {
            Ok(out) => {
                let body_len = out.json_len();
                let py_out = output(py, g, &out)?;
                py_out.set_item(
                    intern!(py, "ResponseMetadata"),
                    response_metadata(py, request_id, 200, body_len)?,
                )?;
                Ok(py_out.unbind())
            }
            Err(e) => Err(self.error(py, g, operation, request_id, e)),
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

/// A client method: `Client.describe_rule` is `Operation("DescribeRule", "describe_rule")`.
/// Being native, a call goes from Python straight to the engine.
#[pyclass(module = "eventbridge_mock._native", frozen)]
struct Operation {
    api_name: String,
    method_name: String,
}

#[pymethods]
impl Operation {
    #[new]
    fn new(api_name: String, method_name: String) -> Self {
        Operation {
            api_name,
            method_name,
        }
    }

    #[getter]
    fn __name__(&self) -> &str {
        &self.method_name
    }

    #[getter]
    fn api_name(&self) -> &str {
        &self.api_name
    }

    fn __get__(
        slf: Py<Self>,
        py: Python<'_>,
        instance: Option<Bound<'_, PyAny>>,
        _owner: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        match instance {
            None => Ok(slf.into_any()),
            Some(client) => {
                let native = client.getattr(intern!(py, "_native"))?;
                let bound = BoundOperation {
                    operation: slf,
                    native: native.cast_into::<NativeClient>()?.unbind(),
                };
                Ok(Py::new(py, bound)?.into_any())
            }
        }
    }
}

/// A client method bound to its client, as `client.describe_rule`.
#[pyclass(module = "eventbridge_mock._native", frozen)]
struct BoundOperation {
    operation: Py<Operation>,
    native: Py<NativeClient>,
}

#[pymethods]
impl BoundOperation {
    #[getter]
    fn __name__(&self) -> &str {
        &self.operation.get().method_name
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn __call__(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let op = self.operation.get();
        if !args.is_empty() {
            return Err(PyTypeError::new_err(format!(
                "{}() only accepts keyword arguments.",
                op.method_name
            )));
        }
        let empty;
        let params = match kwargs {
            Some(k) => k,
            None => {
                empty = PyDict::new(py);
                &empty
            }
        };
        self.native.get().call(py, &op.api_name, params)
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(init, m)?)?;
    m.add_class::<PyBackend>()?;
    m.add_class::<NativeClient>()?;
    m.add_class::<Operation>()?;
    m.add_class::<BoundOperation>()?;
    Ok(())
}
