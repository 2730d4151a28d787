//! The Python binding: the only module that knows Python.
//!
//! It validates keyword arguments as botocore does (through `validate::Param`), converts them
//! to JSON, runs the engine, and converts the result back, turning timestamps into the
//! datetimes botocore would give. Engine errors become botocore exceptions; a Rust panic
//! becomes an `InternalException` instead of reaching the interpreter.

use crate::error::Error;
use crate::model::{Model, ShapeType};
use crate::ops;
use crate::pattern::{Pattern, RuleSet};
use crate::request::Out;
use crate::state::{Backend, Ctx, Region};
use crate::validate::{self, Param};
use parking_lot::Mutex;
use pyo3::exceptions::{PyNotImplementedError, PyRuntimeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple,
};
use serde_json::{Number, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, OnceLock};

/// What the package hands over once at import: the model and botocore's helpers.
struct Globals {
    model: Model,
    /// `make_error(code, message, operation_name, request_id, client) -> ClientError`, the
    /// class taken from `client.exceptions` when a client is given.
    make_error: Py<PyAny>,
    /// `botocore.exceptions.ParamValidationError`
    param_validation_error: Py<PyAny>,
    /// `botocore.utils.parse_timestamp`, which makes botocore's output datetimes.
    parse_timestamp: Py<PyAny>,
    /// `botocore.utils.parse_to_aware_datetime`, botocore's test of timestamp input.
    to_aware_datetime: Py<PyAny>,
    decimal: Py<PyAny>,
    /// The `time` module: its `time()` is looked up and read on every call, so a patched
    /// time (freezegun, time-machine) reaches the engine.
    time: Py<PyAny>,
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
        time: py.import("time")?.into_any().unbind(),
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
        let dt = g
            .to_aware_datetime
            .bind(self.0.py())
            .call1((&self.0,))
            .ok()?;
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
            || GLOBALS.get().is_some_and(|g| {
                self.0
                    .is_instance(g.decimal.bind(self.0.py()))
                    .unwrap_or(false)
            })
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
        Out::Shared(shared) => shared_object(py, g, shared)?.into_any(),
        Out::Extended(shared, more) => {
            let d = shared_object(py, g, shared)?;
            for (k, item) in more {
                d.set_item(member_name(py, k), output(py, g, item)?)?;
            }
            d.into_any()
        }
    })
}

/// A shared object's conversion, made once and copied for each response (a shallow copy
/// suffices: its values are immutable Python objects).
fn shared_object<'py>(
    py: Python<'py>,
    g: &Globals,
    shared: &Arc<crate::request::Shared>,
) -> PyResult<Bound<'py, PyDict>> {
    // Keyed by the never-reused id; an entry whose object is gone is dropped when the map
    // grows past its bound.
    type Cache = rustc_hash::FxHashMap<u64, (std::sync::Weak<crate::request::Shared>, Py<PyDict>)>;
    static CACHE: Mutex<Option<Cache>> = Mutex::new(None);
    const BOUND: usize = 4096;
    if let Some((_, dict)) = CACHE
        .lock()
        .get_or_insert_with(Cache::default)
        .get(&shared.id)
    {
        return dict.bind(py).copy();
    }
    let made = output(py, g, &shared.out)?.cast_into::<PyDict>()?;
    let mut guard = CACHE.lock();
    let cache = guard.get_or_insert_with(Cache::default);
    if cache.len() >= BOUND {
        cache.retain(|_, (weak, _)| weak.strong_count() > 0);
        if cache.len() >= BOUND {
            cache.clear();
        }
    }
    cache.insert(shared.id, (Arc::downgrade(shared), made.clone().unbind()));
    drop(guard);
    made.copy()
}

/// The interned Python string for a response member name.
fn member_name<'py>(py: Python<'py>, name: &'static str) -> Bound<'py, PyString> {
    use std::cell::RefCell;
    thread_local! {
        // Keyed by address: every name is a `&'static str` literal of the engine. Per
        // thread, so the lookup takes no lock.
        static NAMES: RefCell<rustc_hash::FxHashMap<(usize, usize), Py<PyString>>> =
            RefCell::new(rustc_hash::FxHashMap::default());
    }
    NAMES.with(|names| {
        names
            .borrow_mut()
            .entry((name.as_ptr() as usize, name.len()))
            .or_insert_with(|| PyString::intern(py, name).unbind())
            .bind(py)
            .clone()
    })
}

/// `time.time()` as the code under test sees it.
fn host_time(py: Python<'_>, g: &Globals) -> PyResult<f64> {
    g.time
        .bind(py)
        .call_method0(intern!(py, "time"))?
        .extract::<f64>()
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

    /// Forgets every resource in every account and region, and the delivery log.
    fn reset(&self) {
        self.0.reset();
    }

    /// The delivery log, oldest first: one dict per delivery of an event to a target,
    /// from the `start`-th on.
    #[pyo3(signature = (start=0))]
    fn deliveries<'py>(&self, py: Python<'py>, start: usize) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let g = globals()?;
        self.0
            .deliveries(start)
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let x = PyDict::new(py);
                x.set_item("account", &d.account)?;
                x.set_item("region", &d.region)?;
                x.set_item("event_bus_name", &d.event_bus_name)?;
                x.set_item("rule_name", &d.rule_name)?;
                x.set_item("rule_arn", &d.rule_arn)?;
                x.set_item("target_id", &d.target_id)?;
                x.set_item("target_arn", &d.target_arn)?;
                x.set_item("payload", &d.payload)?;
                x.set_item("event", pythonize::pythonize(py, d.event.as_ref())?)?;
                x.set_item("time", g.parse_timestamp.bind(py).call1((d.time,))?)?;
                x.set_item("succeeded", d.succeeded)?;
                x.set_item("error", d.error.as_deref())?;
                x.set_item("forwarded", d.forwarded)?;
                x.set_item("note", d.note.as_deref())?;
                x.set_item("index", start + i)?;
                Ok(x)
            })
            .collect()
    }

    fn clear_deliveries(&self) {
        self.0.clear_deliveries();
    }

    fn delivery_count(&self) -> usize {
        self.0.delivery_count()
    }

    /// The mock's time, in epoch seconds.
    fn clock_now(&self, py: Python<'_>) -> PyResult<f64> {
        let g = globals()?;
        if let Ok(t) = host_time(py, g) {
            self.0.clock.observe_host(t);
        }
        Ok(self.0.clock.now())
    }

    fn clock_is_frozen(&self) -> bool {
        self.0.clock.is_frozen()
    }

    /// Stops the clock at `at` (epoch seconds), or now. Moving it forward fires the
    /// scheduled rules due on the way, in time order; pending replays run.
    #[pyo3(signature = (at=None))]
    fn clock_freeze(&self, py: Python<'_>, at: Option<f64>) -> PyResult<()> {
        let now = self.clock_now(py)?;
        let target = at.unwrap_or(now);
        let b = self.0.clone();
        catch_unwind(AssertUnwindSafe(|| {
            crate::scheduler::advance(&b, now);
            crate::scheduler::rewind(&b, target);
            b.clock.freeze(target);
            crate::scheduler::advance(&b, target);
            crate::replays::run_pending(&b, target);
        }))
        .map_err(|_| PyRuntimeError::new_err("the engine failed while moving the clock"))
    }

    /// Lets the clock follow the host's time again.
    fn clock_unfreeze(&self) {
        self.0.clock.unfreeze();
    }

    /// Raises one of AWS's adjustable quotas (as a support request would): `rules_per_bus`.
    fn set_quota(&self, name: &str, value: usize) -> PyResult<()> {
        if self.0.quotas.set(name, value) {
            Ok(())
        } else {
            Err(PyValueError::new_err(format!("unknown quota {name}")))
        }
    }

    /// Records that delivery `index` failed after all (a forwarded delivery that failed).
    fn mark_failed(&self, index: usize, error: String) {
        self.0.mark_failed(index, error);
    }

    /// Connection `name` of an account and region as forwarding needs it, secrets included
    /// (`SecretString`, the value of the secret AWS keeps), or None. No EventBridge
    /// operation returns this.
    fn connection_credentials<'py>(
        &self,
        py: Python<'py>,
        account: &str,
        region: &str,
        name: &str,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let r = self.0.region(&Ctx::new(account, region));
        let found = crate::connections::credentials(&r.lock(), name);
        found.map(|v| Ok(pythonize::pythonize(py, &v)?)).transpose()
    }

    /// Points connection `name` (if it is still `connection_arn`) at the secret made for it.
    fn set_connection_secret_arn(
        &self,
        account: &str,
        region: &str,
        name: &str,
        connection_arn: &str,
        secret_arn: &str,
    ) -> bool {
        let r = self.0.region(&Ctx::new(account, region));
        let mut r = r.lock();
        crate::connections::set_secret_arn(&mut r, name, connection_arn, secret_arn)
    }

    /// Records the outcome of authorizing connection `name` (if it is still
    /// `connection_arn`): AUTHORIZED or DEAUTHORIZED.
    fn set_connection_authorized(
        &self,
        account: &str,
        region: &str,
        name: &str,
        connection_arn: &str,
        authorized: bool,
    ) -> bool {
        let now = self.0.clock.now();
        let r = self.0.region(&Ctx::new(account, region));
        let mut r = r.lock();
        crate::connections::set_authorized(&mut r, name, connection_arn, authorized, now)
    }

    /// Records whether delivery `index` was forwarded, and why not or what its target's
    /// service answered.
    #[pyo3(signature = (index, forwarded, note=None))]
    fn set_forwarded(&self, index: usize, forwarded: bool, note: Option<String>) {
        self.0.set_forwarded(index, forwarded, note);
    }
}

/// AWS's JSON protocol over HTTP in front of a backend, on threads of its own (`server`).
/// Python is entered only to forward deliveries, through `forward(start)`.
#[pyclass(name = "Server", module = "eventbridge_mock._native", frozen)]
struct PyServer {
    server: Mutex<Option<crate::server::Server>>,
    addr: std::net::SocketAddr,
}

#[pymethods]
impl PyServer {
    #[new]
    #[pyo3(signature = (backend, host, port, account_id, region_name, timeout, forward=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        backend: &PyBackend,
        host: &str,
        port: u16,
        account_id: &str,
        region_name: &str,
        timeout: f64,
        forward: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        let g = globals()?;
        let forward = forward.map(|f| -> crate::wire::Forward {
            Arc::new(move |start: usize| {
                // Not at all once the interpreter is shutting down.
                Python::try_attach(|py| {
                    if let Err(e) = f.call1(py, (start,)) {
                        e.write_unraisable(py, None);
                    }
                });
            })
        });
        let service = crate::wire::Service {
            model: &g.model,
            backend: backend.0.clone(),
            default: Ctx::new(account_id, region_name),
            forward,
        };
        let mut config = crate::server::Config::new(host, port);
        config.timeout = std::time::Duration::try_from_secs_f64(timeout)
            .ok()
            .filter(|t| !t.is_zero())
            .ok_or_else(|| PyValueError::new_err(format!("timeout must be positive: {timeout}")))?;
        let server = py
            .detach(|| crate::server::Server::start(config, service))
            .map_err(|e| pyo3::exceptions::PyOSError::new_err(format!("{host}:{port}: {e}")))?;
        Ok(PyServer {
            addr: server.local_addr(),
            server: Mutex::new(Some(server)),
        })
    }

    #[getter]
    fn host(&self) -> String {
        self.addr.ip().to_string()
    }

    #[getter]
    fn port(&self) -> u16 {
        self.addr.port()
    }

    #[getter]
    fn running(&self) -> bool {
        self.server.lock().is_some()
    }

    /// Stops serving: requests under way finish, then every connection closes.
    fn stop(&self, py: Python<'_>) {
        let server = self.server.lock().take();
        if let Some(mut server) = server {
            // A request may be waiting for the interpreter to forward its deliveries.
            py.detach(move || server.stop());
        }
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

    /// Calls `operation` (as named in the model) with boto3-style keyword arguments. An
    /// error is raised as `client.exceptions` names it, when a client is given (each botocore
    /// session makes its own exception classes).
    #[pyo3(signature = (operation, params, client=None))]
    fn call(
        &self,
        py: Python<'_>,
        operation: &str,
        params: &Bound<'_, PyDict>,
        client: Option<&Bound<'_, PyAny>>,
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
        if let Ok(t) = host_time(py, g) {
            self.backend.clock.observe_host(t);
        }
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
            Err(e) => Err(self.error(py, g, operation, request_id, e, client)),
        }
    }
}

impl NativeClient {
    fn error(
        &self,
        py: Python<'_>,
        g: &Globals,
        operation: &str,
        request_id: &str,
        e: Error,
        client: Option<&Bound<'_, PyAny>>,
    ) -> PyErr {
        if e.code == ops::NOT_IMPLEMENTED {
            return PyNotImplementedError::new_err(e.message);
        }
        match g
            .make_error
            .bind(py)
            .call1((e.code, &e.message, operation, request_id, client))
        {
            Ok(exc) => PyErr::from_value(exc),
            Err(err) => err,
        }
    }
}

/// Pattern text from a JSON string or a dict, as the exploration API accepts either.
fn pattern_text(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(text) = obj.extract::<String>() {
        return Ok(text);
    }
    let v: Value = pythonize::depythonize(obj)?;
    Ok(v.to_string())
}

/// The same exception the client raises for an invalid pattern.
fn pattern_error(py: Python<'_>, e: crate::pattern::PatternError) -> PyErr {
    let err = crate::error::invalid_pattern(e.message());
    match globals() {
        Ok(g) => {
            let mut id_buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
            let request_id = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut id_buf);
            match g.make_error.bind(py).call1((
                err.code,
                &err.message,
                "TestEventPattern",
                &*request_id,
                py.None(),
            )) {
                Ok(exc) => PyErr::from_value(exc),
                Err(e) => e,
            }
        }
        Err(e) => e,
    }
}

fn compile(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Pattern> {
    if let Ok(p) = obj.cast::<PyPattern>() {
        return Ok(p.get().0.clone());
    }
    Pattern::parse(&pattern_text(obj)?).map_err(|e| pattern_error(py, e))
}

/// An event given as JSON text or as a dict.
enum EventArg {
    Text(String),
    Value(Value),
}

impl EventArg {
    fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<EventArg> {
        match obj.extract::<String>() {
            Ok(text) => Ok(EventArg::Text(text)),
            Err(_) => Ok(EventArg::Value(pythonize::depythonize(obj)?)),
        }
    }

    fn value(self) -> PyResult<Value> {
        match self {
            EventArg::Value(v) => Ok(v),
            EventArg::Text(t) => serde_json::from_str(&t)
                .map_err(|e| PyValueError::new_err(format!("event is not JSON: {e}"))),
        }
    }
}

fn json_error(e: crate::pattern::EventJsonError) -> PyErr {
    PyValueError::new_err(format!("event is not JSON: {e}"))
}

/// A compiled event pattern, for notebooks and tests.
#[pyclass(name = "Pattern", module = "eventbridge_mock", frozen)]
struct PyPattern(Pattern);

#[pymethods]
impl PyPattern {
    #[new]
    fn new(py: Python<'_>, pattern: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyPattern(compile(py, pattern)?))
    }

    /// The pattern text.
    #[getter]
    fn source(&self) -> &str {
        self.0.source()
    }

    /// Whether AWS would match `event` (JSON text or a dict) with this pattern.
    fn matches(&self, event: &Bound<'_, PyAny>) -> PyResult<bool> {
        match EventArg::from_py(event)? {
            EventArg::Text(t) => self.0.matches_json(&t).map_err(json_error),
            EventArg::Value(v) => Ok(self.0.matches_value(&v)),
        }
    }

    /// Why `event` matched or not: each field and condition, for each `$or` branch.
    fn explain(&self, event: &Bound<'_, PyAny>) -> PyResult<PyExplanation> {
        Ok(PyExplanation(
            self.0.explain(&EventArg::from_py(event)?.value()?),
        ))
    }

    fn __repr__(&self) -> String {
        format!("Pattern({})", self.0.source())
    }

    /// Equal when the patterns are the same JSON value (member order aside).
    fn __eq__(&self, other: PyRef<'_, PyPattern>) -> bool {
        self.0 == other.0
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.0.hash(&mut h);
        h.finish()
    }

    fn _repr_html_(&self) -> String {
        format!(
            "<code>Pattern</code><pre>{}</pre>",
            html_escape(&pretty(self.0.source()))
        )
    }
}

fn pretty(json: &str) -> String {
    serde_json::from_str::<Value>(json)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| json.to_owned())
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The outcome of `Pattern.explain`: truthy when the event matched.
#[pyclass(name = "Explanation", module = "eventbridge_mock", frozen)]
struct PyExplanation(crate::pattern::Explanation);

#[pymethods]
impl PyExplanation {
    #[getter]
    fn matched(&self) -> bool {
        self.0.matched()
    }

    fn __bool__(&self) -> bool {
        self.0.matched()
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self) -> String {
        self.0.to_string()
    }

    fn _repr_html_(&self) -> String {
        self.0.to_html()
    }
}

/// Whether `pattern` matches `event`; each may be JSON text or a dict.
#[pyfunction]
fn test_event_pattern(
    py: Python<'_>,
    pattern: &Bound<'_, PyAny>,
    event: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    PyPattern(compile(py, pattern)?).matches(event)
}

/// The results of matching many events, as rule ids: names become Python strings once.
#[derive(Default)]
struct Batch {
    /// Per rule id: how many events it matched.
    counts: Vec<u64>,
    matched: Vec<u32>,
    /// Where each event's ids end in `matched`.
    ends: Vec<usize>,
}

impl Batch {
    fn new(rules: usize) -> Self {
        Batch {
            counts: vec![0; rules],
            ..Default::default()
        }
    }

    fn record(&mut self, ids: &[u32]) {
        for &i in ids {
            self.counts[i as usize] += 1;
        }
        self.matched.extend_from_slice(ids);
        self.ends.push(self.matched.len());
    }

    fn into_python<'py>(
        self,
        py: Python<'py>,
        names: &[String],
    ) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyDict>)> {
        let strs: Vec<Bound<'py, PyString>> = names.iter().map(|n| PyString::new(py, n)).collect();
        let mut lists = Vec::with_capacity(self.ends.len());
        let mut start = 0;
        for &end in &self.ends {
            lists.push(PyList::new(
                py,
                self.matched[start..end].iter().map(|&i| &strs[i as usize]),
            )?);
            start = end;
        }
        // Ids follow name order, so the counts come out sorted by name.
        let counts = PyDict::new(py);
        for (s, &c) in strs.iter().zip(&self.counts) {
            if c > 0 {
                counts.set_item(s, c)?;
            }
        }
        Ok((PyList::new(py, lists)?, counts))
    }
}

/// Calls `f` with each line of the file at `path` (without its `\n` or `\r\n`), reading
/// a mebibyte at a time into one buffer: a big file is never held whole. Stops at the
/// first error `f` returns (the inner result).
fn json_lines(
    path: &std::path::Path,
    mut f: impl FnMut(&[u8]) -> PyResult<()>,
) -> std::io::Result<PyResult<()>> {
    use std::io::Read;
    const BLOCK: u64 = 1 << 20;
    let mut file = std::fs::File::open(path)?;
    let mut buf: Vec<u8> = Vec::new();
    let mut line = |l: &[u8]| f(l.strip_suffix(b"\r").unwrap_or(l));
    loop {
        // What is left in `buf` is the start of a line, already searched for a newline.
        let searched = buf.len();
        buf.reserve(BLOCK as usize);
        let got = (&mut file).take(BLOCK).read_to_end(&mut buf)?;
        let mut start = 0;
        for at in memchr::memchr_iter(b'\n', &buf[searched..]) {
            let end = searched + at;
            if let Err(e) = line(&buf[start..end]) {
                return Ok(Err(e));
            }
            start = end + 1;
        }
        if got == 0 {
            // The last line may have no newline.
            return Ok(if start < buf.len() {
                line(&buf[start..])
            } else {
                Ok(())
            });
        }
        buf.drain(..start);
    }
}

/// Many named patterns compiled together: which rules match an event.
#[pyclass(name = "RuleSet", module = "eventbridge_mock", subclass)]
struct PyRuleSet(RuleSet);

#[pymethods]
impl PyRuleSet {
    /// `rules` maps rule names to patterns (JSON text, dicts or `Pattern`s).
    #[new]
    #[pyo3(signature = (rules=None))]
    fn new(py: Python<'_>, rules: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let mut set = RuleSet::new();
        if let Some(rules) = rules {
            let items = rules.call_method0("items")?;
            for item in items.try_iter()? {
                let (name, pattern): (String, Bound<'_, PyAny>) = item?.extract()?;
                set.insert(&name, &compile(py, &pattern)?);
            }
        }
        Ok(PyRuleSet(set))
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }

    fn add(&mut self, py: Python<'_>, name: &str, pattern: &Bound<'_, PyAny>) -> PyResult<()> {
        let p = compile(py, pattern)?;
        self.0.insert(name, &p);
        Ok(())
    }

    fn remove(&mut self, name: &str) {
        self.0.remove(name);
    }

    /// Each rule's pattern by name, in name order.
    fn patterns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (name, p) in self.0.patterns() {
            d.set_item(name, PyPattern(p.clone()))?;
        }
        Ok(d)
    }

    /// The names of the rules that match `event`, sorted.
    #[pyo3(name = "match")]
    fn match_one(&self, event: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
        let names = match EventArg::from_py(event)? {
            EventArg::Text(t) => self.0.matches_json(&t).map_err(json_error)?,
            EventArg::Value(v) => self.0.matches_value(&v),
        };
        Ok(names.into_iter().map(str::to_owned).collect())
    }

    /// Matches every event of `events` (an iterable of JSON texts or dicts, or the path of
    /// a JSON-lines file) and returns `(per_event_matches, per_rule_counts)`. No Python
    /// code runs per event; names are counted by index and become Python strings once.
    fn _match_many<'py>(
        &self,
        py: Python<'py>,
        events: &Bound<'py, PyAny>,
    ) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyDict>)> {
        let rules = &self.0;
        let mut batch = Batch::new(rules.len());
        let path: Option<std::path::PathBuf> =
            if events.is_instance_of::<PyString>() || events.hasattr("__fspath__")? {
                Some(events.extract()?)
            } else {
                None
            };
        match path {
            Some(path) => {
                // "PATH: error", or "PATH:LINE: error" for one event.
                let fail = |e: &dyn std::fmt::Display| {
                    PyValueError::new_err(format!("{}:{e}", path.display()))
                };
                let mut line_no = 0;
                json_lines(&path, |line| {
                    line_no += 1;
                    let Ok(event) = std::str::from_utf8(line) else {
                        return Err(fail(&format!("{line_no}: event is not UTF-8 text")));
                    };
                    if event.trim().is_empty() {
                        return Ok(());
                    }
                    rules
                        .match_ids(event, |ids| batch.record(ids))
                        .map_err(|e| fail(&format!("{line_no}: event is not JSON: {e}")))
                })
                .map_err(|e| fail(&format!(" {e}")))??;
            }
            None => {
                for event in events.try_iter()? {
                    let event = event?;
                    if let Ok(text) = event.cast::<PyString>() {
                        rules
                            .match_ids(text.to_str()?, |ids| batch.record(ids))
                            .map_err(json_error)?;
                    } else {
                        let v: Value = pythonize::depythonize(&event)?;
                        rules.match_ids_value(&v, |ids| batch.record(ids));
                    }
                }
            }
        }
        batch.into_python(py, rules.rule_names())
    }
}

/// A schedule expression, for seeing when a rule will fire.
#[pyclass(name = "Schedule", module = "eventbridge_mock", frozen)]
struct PySchedule {
    expression: String,
    schedule: crate::schedule::Schedule,
}

#[pymethods]
impl PySchedule {
    /// Raises the client's ValidationException for an expression AWS would refuse.
    #[new]
    fn new(py: Python<'_>, expression: &str) -> PyResult<Self> {
        match crate::schedule::Schedule::parse(expression) {
            Ok(schedule) => Ok(PySchedule {
                expression: expression.to_owned(),
                schedule,
            }),
            Err(e) => {
                let g = globals()?;
                let exc = g.make_error.bind(py).call1((
                    crate::error::VALIDATION,
                    e.message(),
                    "PutRule",
                    uuid::Uuid::new_v4().to_string(),
                    py.None(),
                ))?;
                Err(PyErr::from_value(exc))
            }
        }
    }

    #[getter]
    fn expression(&self) -> &str {
        &self.expression
    }

    /// The next `n` due instants (epoch seconds) after `after`; a rate schedule counts
    /// from `since` (when its rule was created), which defaults to `after`.
    #[pyo3(signature = (after, n=1, since=None))]
    fn _next(&self, after: f64, n: usize, since: Option<f64>) -> Vec<i64> {
        let since = since.unwrap_or(after);
        self.schedule
            .next(since.floor() as i64, after.floor() as i64, n.min(100_000))
    }

    fn __str__(&self) -> String {
        self.schedule.to_string()
    }

    fn __repr__(&self) -> String {
        format!("Schedule({:?}: {})", self.expression, self.schedule)
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(init, m)?)?;
    m.add_class::<PyBackend>()?;
    m.add_class::<NativeClient>()?;
    m.add_class::<PyServer>()?;
    m.add_class::<PyPattern>()?;
    m.add_class::<PyExplanation>()?;
    m.add_class::<PyRuleSet>()?;
    m.add_class::<PySchedule>()?;
    m.add_function(wrap_pyfunction!(test_event_pattern, m)?)?;
    Ok(())
}
