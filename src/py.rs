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
use pyo3::exceptions::{PyNotImplementedError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple,
};
use serde_json::{Number, Value};
use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, OnceLock};

#[path = "py/args.rs"]
mod args;
#[path = "py/convert.rs"]
mod convert;
#[path = "py/log.rs"]
mod log;
#[path = "py/matching.rs"]
mod matching;

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
            _ => match v.cast::<PyString>() {
                // Unpaired surrogates read as '?', as AWS's Java side encodes them.
                Ok(s) => Value::String(convert::text(s).map(Cow::into_owned).unwrap_or_default()),
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
fn http_date(py: Python<'_>) -> Py<PyString> {
    // One Python string per second: every response of that second shares it.
    static CACHE: Mutex<Option<(i64, Py<PyString>)>> = Mutex::new(None);
    let now = chrono::Utc::now();
    let mut c = CACHE.lock();
    match &*c {
        Some((second, text)) if *second == now.timestamp() => text.clone_ref(py),
        _ => {
            let text = now.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
            let text = PyString::new(py, &text).unbind();
            *c = Some((now.timestamp(), text.clone_ref(py)));
            text
        }
    }
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
    headers.set_item(
        intern!(py, "content-length"),
        PyString::new(py, itoa::Buffer::new().format(content_length)),
    )?;
    headers.set_item(intern!(py, "date"), http_date(py))?;
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
    /// `max_deliveries`: keep at most this many deliveries in the log (the oldest are
    /// dropped, and counted); None keeps all.
    #[new]
    #[pyo3(signature = (max_deliveries=None))]
    fn new(max_deliveries: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let b = Backend::new();
        b.set_max_deliveries(log::bound(max_deliveries)?);
        Ok(PyBackend(Arc::new(b)))
    }

    /// Forgets every resource in every account and region, and the delivery log.
    fn reset(&self) {
        self.0.reset();
    }

    /// The delivery log, oldest first: one dict per delivery of an event to a target,
    /// numbered from `start` to before `stop` (every delivery keeps its number; a number
    /// no longer kept is passed over).
    #[pyo3(signature = (start=0, stop=None))]
    fn deliveries<'py>(
        &self,
        py: Python<'py>,
        start: usize,
        stop: Option<usize>,
    ) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let entries = self.0.with_deliveries(|log| {
            log.range(start, stop.unwrap_or(usize::MAX))
                .map(|(i, e)| (i, e.clone()))
                .collect::<Vec<_>>()
        });
        log::dicts(py, &entries)
    }

    /// The deliveries (dicts, oldest first) to a target (ARN or Id), by a rule (name or
    /// ARN), on a bus, or that succeeded or failed: each filter given narrows the choice.
    #[pyo3(signature = (target=None, rule=None, event_bus_name=None, succeeded=None))]
    fn deliveries_where<'py>(
        &self,
        py: Python<'py>,
        target: Option<&str>,
        rule: Option<&str>,
        event_bus_name: Option<&str>,
        succeeded: Option<bool>,
    ) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let filter = crate::delivery_log::Filter {
            target,
            rule,
            event_bus_name,
            succeeded,
        };
        let entries = self.0.with_deliveries(|log| {
            log.find(&filter, 0)
                .into_iter()
                .filter_map(|i| Some((i, log.get(i)?.clone())))
                .collect::<Vec<_>>()
        });
        log::dicts(py, &entries)
    }

    fn clear_deliveries(&self) {
        self.0.clear_deliveries();
    }

    /// The number the next delivery will get: every delivery logged so far, counted.
    fn delivery_count(&self) -> usize {
        self.0.delivery_count()
    }

    /// How many deliveries the log keeps.
    fn delivery_len(&self) -> usize {
        self.0.with_deliveries(|log| log.len())
    }

    /// The number of the oldest delivery kept.
    fn delivery_first(&self) -> usize {
        self.0.with_deliveries(|log| log.first())
    }

    /// How many deliveries `max_deliveries` has dropped since the log was last cleared.
    fn deliveries_dropped(&self) -> u64 {
        self.0.with_deliveries(|log| log.dropped())
    }

    #[getter]
    fn max_deliveries(&self) -> Option<usize> {
        self.0.with_deliveries(|log| log.max())
    }

    #[setter]
    fn set_max_deliveries(&self, max: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        self.0.set_max_deliveries(log::bound(max)?);
        Ok(())
    }

    /// Notices the host's time and fires the scheduled rules due by then, as the start of
    /// a client call does; returns the mock's time (epoch seconds).
    fn clock_tick(&self, py: Python<'_>) -> PyResult<f64> {
        let now = self.clock_now(py)?;
        let b = self.0.clone();
        catch_unwind(AssertUnwindSafe(|| crate::scheduler::advance(&b, now)))
            .map_err(|_| PyRuntimeError::new_err("the engine failed while firing schedules"))?;
        Ok(now)
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

/// A compiled event pattern, for notebooks and tests.
#[pyclass(name = "Pattern", module = "eventbridge_mock", frozen)]
struct PyPattern(Pattern);

#[pymethods]
impl PyPattern {
    /// `pattern`: JSON text (str or UTF-8 bytes), a dict, or a `Pattern`.
    #[new]
    fn new(py: Python<'_>, pattern: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyPattern(args::pattern(py, pattern, "Pattern")?))
    }

    /// The pattern text.
    #[getter]
    fn source(&self) -> &str {
        self.0.source()
    }

    /// Whether AWS would match `event` (JSON text or a dict) with this pattern.
    fn matches(&self, event: &Bound<'_, PyAny>) -> PyResult<bool> {
        args::read_event(event, "Pattern.matches", |t| self.0.matches_json(t))
    }

    /// Why `event` matched or not: each field and condition, for each `$or` branch.
    fn explain(&self, event: &Bound<'_, PyAny>) -> PyResult<PyExplanation> {
        args::read_event(event, "Pattern.explain", |t| self.0.explain_json(t)).map(PyExplanation)
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
    crate::json::parse(json)
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
    const HELPER: &str = "test_event_pattern";
    let p = args::pattern(py, pattern, HELPER)?;
    args::read_event(event, HELPER, |t| p.matches_json(t))
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
        if let Some(rules) = rules.filter(|r| !r.is_none()) {
            if !rules.hasattr(intern!(py, "items"))? {
                return Err(PyTypeError::new_err(format!(
                    "RuleSet: rules are a mapping of rule names to patterns, not {}",
                    rules.get_type().name()?
                )));
            }
            for item in rules.call_method0(intern!(py, "items"))?.try_iter()? {
                let (name, pattern): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
                let name = args::rule_name(&name)?;
                let helper = format!("RuleSet rule {name:?}");
                set.insert(&name, &args::pattern(py, &pattern, &helper)?);
            }
        }
        Ok(PyRuleSet(set))
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }

    fn add(
        &mut self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        pattern: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let name = args::rule_name(name)?;
        let p = args::pattern(py, pattern, &format!("RuleSet rule {name:?}"))?;
        self.0.insert(&name, &p);
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
        args::read_event(event, "RuleSet.match", |t| {
            self.0
                .matches_json(t)
                .map(|names| names.into_iter().map(str::to_owned).collect())
        })
    }

    /// Matches every event of `events` (an iterable of JSON texts or dicts, or the path of
    /// a JSON-lines file). Returns `(per_event_matches or None with counts_only,
    /// per_rule_counts, events_matched, skipped, failure)`, where `skipped` lists the
    /// unreadable events passed over (`skip`) as (line or position, reason) and `failure`
    /// is the one that stopped the run.
    #[pyo3(signature = (events, counts_only=false, skip=false))]
    fn _match_many<'py>(
        &self,
        py: Python<'py>,
        events: &Bound<'py, PyAny>,
        counts_only: bool,
        skip: bool,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let rules = &self.0;
        let mut run = matching::Run::new(rules, counts_only, skip);
        if events.is_instance_of::<PyString>() || events.hasattr("__fspath__")? {
            let path: std::path::PathBuf = events.extract()?;
            run.file(&path)
                .map_err(|e| PyValueError::new_err(format!("{}: {e}", path.display())))?;
        } else {
            run.items(events)?;
        }
        let (lists, counts, n) = run.batch.into_python(py, rules.rule_names())?;
        (lists, counts, n, run.skipped, run.failure).into_pyobject(py)
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
    /// Raises the client's ValidationException, with AWS's message, for an expression AWS
    /// would refuse; its text names the documented rule the expression breaks.
    #[new]
    fn new(py: Python<'_>, expression: &Bound<'_, PyString>) -> PyResult<Self> {
        let expression = convert::text(expression)?.into_owned();
        match crate::schedule::Schedule::parse(&expression) {
            Ok(schedule) => Ok(PySchedule {
                expression,
                schedule,
            }),
            Err(e) => Err(args::helper_error(
                py,
                &format!("Schedule({expression:?})"),
                crate::error::VALIDATION,
                e.message(),
                Some(e.reason()),
            )),
        }
    }

    #[getter]
    fn expression(&self) -> &str {
        &self.expression
    }

    /// The next `n` due instants (epoch seconds) after `after`; a rate schedule counts
    /// from `since` (when its rule was created), which defaults to `after`. Instants past
    /// the last second a Python datetime holds (9999-12-31T23:59:59Z) are left out.
    #[pyo3(signature = (after, n=1, since=None))]
    fn _next(&self, after: f64, n: usize, since: Option<f64>) -> Vec<i64> {
        const LAST_DATETIME: i64 = 253_402_300_799;
        let since = since.unwrap_or(after);
        let mut due =
            self.schedule
                .next(since.floor() as i64, after.floor() as i64, n.min(100_000));
        due.retain(|&t| t <= LAST_DATETIME);
        due
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
