"""How every EventBridge client in the process reaches the active mock.

While any mock is active, three functions of botocore are replaced (and put back when the
last mock stops):

- ``BaseClient._make_api_call``: a call of an EventBridge client that a mock serves goes
  straight to the engine when nobody has registered a hook for it on the client's
  ``meta.events``; with hooks (``Stubber`` among them), botocore's own ``_make_api_call``
  runs, every event is emitted as botocore emits it, and only the HTTP request is answered
  by the engine, in
- ``BaseClient._make_request``, which for such a client never sends anything;
- ``Session.create_client``, so an EventBridge client made while a mock is active gets a
  region when none is configured, and placeholder credentials when none are given (no
  credential lookup, which may reach the instance metadata service), and belongs to the
  mock of the context that made it.

Every other service, and EventBridge when no mock serves it, runs botocore's code
unchanged. aiobotocore's client and session are treated the same way when it is installed.

Which mock serves a call: a client made by ``mock.client()`` or ``eventbridge_mock.client()``
is bound to its state for good (its class does the same as these replacements, whether a
mock is active or not); any other EventBridge client is served by the mock that was
innermost where it was made, while that mock is active, else by the innermost mock active
in the calling context, else by the innermost mock active in the process.
Servers this package runs in the process register their URL here: a client pointed at
one of them talks to it over HTTP.
"""

from __future__ import annotations

import contextvars
import functools
import json
import os
import sys
import threading
from typing import Any, Dict, List, Optional, Tuple

from botocore.client import BaseClient as _BaseClient
from botocore.session import Session as _Session

from . import _native

_lock = threading.RLock()
# The active mocks of the process, innermost (latest started) last.
_active: List[Any] = []
# The mocks started in this context (thread, task), innermost last; stale entries of
# stopped mocks are skipped.
_context_mocks: contextvars.ContextVar[Tuple[Any, ...]] = contextvars.ContextVar("eventbridge_mock", default=())

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"
PLACEHOLDER_CREDENTIALS = {"aws_access_key_id": "eventbridge-mock", "aws_secret_access_key": "eventbridge-mock"}

# Attributes this module keeps on a botocore client's __dict__.
BOUND = "_eventbridge_mock_bound"  # the Route of a client the package made
OWNER = "_eventbridge_mock_owner"  # the mock whose context made the client
_SERVED = "_eventbridge_mock_served"  # the Served record below (read as an attribute too)


# Servers of this process.

_servers: set = set()


def _key(url: str) -> str:
    return url.rstrip("/").lower()


def register_server(url: str) -> None:
    """Marks ``url`` as one of this process's own servers."""
    with _lock:
        _servers.add(_key(url))
        _new_epoch()


def unregister_server(url: str) -> None:
    with _lock:
        _servers.discard(_key(url))
        _new_epoch()


def is_own_server(url: Optional[str]) -> bool:
    """Whether ``url`` (a client's endpoint) is a server this process runs."""
    return bool(url) and bool(_servers) and _key(url) in _servers


# Which mock serves.


def current_mock() -> Any:
    """The mock that serves EventBridge clients made or called in this context, or None."""
    if not _active:
        return None
    for mock in reversed(_context_mocks.get()):
        if mock in _active:
            return mock
    last = _active[-1:]  # one read: another thread may stop a mock meanwhile
    return last[0] if last else None


class Route:
    """Where one client's calls go: an engine state, an account and a region."""

    __slots__ = ("backend", "account", "call")

    def __init__(self, backend, account: str, region: str, mock=None):
        native = _native.NativeClient(backend, account, region)
        self.backend = backend
        self.account = account
        # Forwards as `mock` does, when given.
        if mock is not None and mock.forward_targets:
            from .forwarding import call_and_forward

            self.call = functools.partial(call_and_forward, mock, native)
        else:
            self.call = native.call
        """``call(operation, params, client)``"""


# Replaced whenever which mock serves a client may change (a mock starts or stops, a server
# registers), so each client's cached routing is checked by identity.
_epoch = [object()]


def _new_epoch() -> None:
    _epoch[0] = object()


class Served:
    """A client's routing, cached on it: valid while the epoch and the calling context's
    mocks are the ones it was made under (and, for a mock that follows MOTO_ACCOUNT_ID, the
    account is unchanged); its hooks are checked again when the client's handlers change."""

    __slots__ = (
        "epoch", "context", "route", "follows_moto", "moto_active", "account", "events", "inner", "lookup", "hooked",
    )

    def __init__(self, route: Optional[Route], follows_moto: bool):
        self.epoch = _epoch[0]
        self.context = _context_mocks.get()
        self.route = route
        self.follows_moto = follows_moto
        # While moto is active, its MOTO_ACCOUNT_ID is read again on every call.
        self.moto_active = follows_moto and moto_active()
        self.account = route.account if route is not None else None
        self.events = self.inner = self.lookup = None
        self.hooked: Optional[_Hooked] = None


# moto's MockAWS class, once moto has been imported (its class attribute `_mocks_active`
# says whether mock_aws is active).
_moto_mock: list = [None]


def _moto_mock_class() -> Any:
    if _moto_mock[0] is None:
        _moto_mock[0] = getattr(sys.modules.get("moto.core.models"), "MockAWS", None)
    return _moto_mock[0]


def moto_active() -> bool:
    """Whether moto's ``mock_aws`` is active in this process (without importing moto)."""
    return bool(getattr(_moto_mock_class(), "_mocks_active", False))


def moto_account() -> Optional[str]:
    """moto's ``MOTO_ACCOUNT_ID`` while moto is active and it is set, else None."""
    return (os.environ.get("MOTO_ACCOUNT_ID") or None) if moto_active() else None


def _moto_moved(s: Served) -> bool:
    """Whether moto's account is no longer the one ``s`` was resolved with (a call of
    every client whose mock follows moto: kept lean)."""
    mock_aws = _moto_mock[0]
    if mock_aws is None and "moto.core.models" in sys.modules:
        mock_aws = _moto_mock_class()
    if mock_aws is None or not mock_aws._mocks_active:
        return s.account != DEFAULT_ACCOUNT_ID
    return (os.environ.get("MOTO_ACCOUNT_ID") or DEFAULT_ACCOUNT_ID) != s.account


def served(client) -> Served:
    """``client``'s routing: its bound route, or the mock that serves it now (route None
    when none does), with its hooks up to date. ``make_api_call`` inlines its checks."""
    s = client.__dict__.get(_SERVED)
    if (
        s is None
        or s.epoch is not _epoch[0]
        or s.context is not _context_mocks.get()
        or (s.follows_moto and _moto_moved(s))
    ):
        s = client.__dict__[_SERVED] = _resolve(client)
    events = client.meta.events
    if events is not s.events or (s.inner is not None and s.inner._lookup_cache is not s.lookup):
        s.events = events
        s.inner, s.lookup, s.hooked = _hooks(client, events)
    return s


def _resolve(client) -> Served:
    d = client.__dict__
    bound = d.get(BOUND)
    if bound is not None:
        return Served(bound, False)
    if not _active or client._service_model.service_name != "events" or is_own_server(client.meta.endpoint_url):
        return Served(None, False)
    owner = d.get(OWNER)
    mock = owner if owner is not None and owner in _active else current_mock()
    if mock is None:
        return Served(None, False)
    route = Route(mock.backend, mock.current_account(), client.meta.region_name or DEFAULT_REGION, mock)
    return Served(route, mock.follows_moto_account)


# Hooks: which operations someone registered a handler for.

# The events botocore's _make_api_call emits for an operation.
_CALL_EVENTS = ("provide-client-params", "before-parameter-build", "before-call", "after-call", "after-call-error")
_BUILTIN_MODULES = ("botocore.", "boto3.", "aiobotocore.", "aioboto3.")


def _builtin(handler) -> bool:
    """A handler that botocore or boto3 registers on every client (none of them changes what
    the engine answers), as opposed to one a user or a library registered. Stubber's come
    from botocore but are the user's."""
    module = getattr(getattr(handler, "func", handler), "__module__", None) or ""
    return module.startswith(_BUILTIN_MODULES) and not module.startswith("botocore.stub")


class _Hooked(dict):
    """Whether someone registered a handler for an operation's events, by operation: looked
    up at the operation's first call (looking up all 57 at once cost every new client about
    a millisecond), then kept until the client's handlers change."""

    __slots__ = ("handlers", "service_id")

    def __init__(self, handlers, service_id: str):
        super().__init__()
        self.handlers = handlers  # None: an emitter of another kind, every operation hooked
        self.service_id = service_id

    def __missing__(self, operation: str) -> bool:
        handlers = self.handlers
        hooked = handlers is None or any(
            not all(_builtin(h) for h in handlers.prefix_search(f"{event}.{self.service_id}.{operation}"))
            for event in _CALL_EVENTS
        )
        self[operation] = hooked
        return hooked


def _hooks(client, events) -> tuple:
    """The client's inner emitter, its lookup cache (botocore starts a new one on every
    register and unregister) and which operations someone registered a handler for."""
    inner = getattr(events, "_emitter", events)
    lookup = getattr(inner, "_lookup_cache", None)
    service_id = client._service_model.service_id.hyphenize()
    if lookup is None or not hasattr(inner, "_handlers"):
        # An emitter of another kind: every call takes botocore's own way.
        return None, None, _Hooked(None, service_id)
    return inner, lookup, _Hooked(inner._handlers, service_id)


def has_hooks(client, operation: str) -> bool:
    """Whether a handler other than botocore's own is registered for ``operation``'s events."""
    return served(client).hooked[operation]


# The replacements.

_originals: Dict[Tuple[type, str], Any] = {}
_replacements: Dict[Tuple[type, str], Any] = {}
# Whether the original was inherited rather than the class's own attribute.
_inherited: Dict[Tuple[type, str], bool] = {}


def make_api_call(self, operation_name, api_params):
    """``BaseClient._make_api_call`` while a mock is active (and always for the package's
    own clients). Every call passes here: ``served``'s checks are inlined."""
    try:
        s = self._eventbridge_mock_served
    except AttributeError:
        s = None
    if (
        s is None
        or s.epoch is not _epoch[0]
        or s.context is not _context_mocks.get()
        or (
            s.follows_moto
            # moto's account can have moved only if moto is or was active, or was imported
            # since its class was looked for; then `_moto_moved` looks.
            and (s.moto_active or (_moto_mock[0]._mocks_active if _moto_mock[0] else "moto.core.models" in sys.modules))
            and _moto_moved(s)
        )
        or self.meta.events is not s.events
        or (s.inner is not None and s.inner._lookup_cache is not s.lookup)
    ):
        s = served(self)
    if s.route is None or s.hooked[operation_name]:
        return original(_BaseClient, "_make_api_call")(self, operation_name, api_params)
    return s.route.call(operation_name, api_params, self)


def make_request(self, operation_model, request_dict, request_context):
    """``BaseClient._make_request`` while a mock is active: the engine answers."""
    route = served(self).route
    if route is None:
        return original(_BaseClient, "_make_request")(self, operation_model, request_dict, request_context)
    return answer(self, route, operation_model, request_dict, request_context)


def answer(client, route: Route, operation_model, request_dict, request_context):
    """The engine's answer to the request botocore built, as ``(http_response, parsed)``."""
    from botocore.exceptions import ClientError

    body = request_dict.get("body") or b"{}"
    try:
        params = json.loads(body)
        try:
            parsed = route.call(operation_model.name, params, client)
        except ClientError as e:
            parsed = e.response
        return _HttpResponse.of(request_dict.get("url", ""), parsed), parsed
    except Exception as e:
        client.meta.events.emit(
            f"after-call-error.{client._service_model.service_id.hyphenize()}.{operation_model.name}",
            exception=e,
            context=request_context,
        )
        raise


class _Raw:
    """The body of an answer, for botocore's AWSResponse."""

    def __init__(self, content: bytes):
        self._content = content

    def stream(self, **_kwargs):
        yield self._content


class _HttpResponse:
    @staticmethod
    def of(url: str, parsed: dict):
        from botocore.awsrequest import AWSResponse

        meta = parsed.get("ResponseMetadata", {})
        if "Error" in parsed:
            error = parsed["Error"]
            document: Any = {"__type": error.get("Code"), "message": error.get("Message")}
        else:
            document = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
        content = json.dumps(document, default=_epoch_seconds, separators=(",", ":")).encode()
        return AWSResponse(url, meta.get("HTTPStatusCode", 200), dict(meta.get("HTTPHeaders", {})), _Raw(content))


def _epoch_seconds(value):
    if hasattr(value, "timestamp"):
        return value.timestamp()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _create_client(session, service_name, *args, **kwargs):
    """``Session.create_client`` while a mock is active."""
    original = _originals[(_Session, "create_client")]
    mock = current_mock() if service_name == "events" else None
    if mock is None:
        return original(session, service_name, *args, **kwargs)
    client = original(session, service_name, **prepare_client_args(session, mock.region_name, args, kwargs))
    client.__dict__[OWNER] = mock
    return client


# botocore's create_client parameters after service_name, for positional calls.
_CREATE_CLIENT_PARAMS = (
    "region_name",
    "api_version",
    "use_ssl",
    "verify",
    "endpoint_url",
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "config",
    "aws_account_id",
)


def prepare_client_args(session, default_region: Optional[str], args, kwargs) -> dict:
    """``create_client``'s keyword arguments for an EventBridge client a mock serves: the
    region as botocore resolves it (argument, config, session, profile, environment), then
    ``default_region``, then us-east-1; placeholder credentials unless keys are given."""
    kwargs = dict(kwargs)
    kwargs.update(zip(_CREATE_CLIENT_PARAMS, args))
    config = kwargs.get("config")
    region = kwargs.get("region_name") or (config.region_name if config is not None else None)
    if region is None:
        region = session.get_config_variable("region")
    kwargs["region_name"] = region or default_region or DEFAULT_REGION
    if kwargs.get("aws_access_key_id") is None or kwargs.get("aws_secret_access_key") is None:
        kwargs.update(PLACEHOLDER_CREDENTIALS)
        kwargs["aws_session_token"] = None
    return kwargs


# aiobotocore: the same, with coroutines.


async def _aio_make_api_call(self, operation_name, api_params):
    s = served(self)
    if s.route is None or s.hooked[operation_name]:
        return await _originals[(_AioBaseClient, "_make_api_call")](self, operation_name, api_params)
    return s.route.call(operation_name, api_params, self)


async def _aio_make_request(self, operation_model, request_dict, request_context):
    route = served(self).route
    if route is None:
        return await _originals[(_AioBaseClient, "_make_request")](
            self, operation_model, request_dict, request_context
        )
    return answer(self, route, operation_model, request_dict, request_context)


def _aio_create_client(session, service_name, *args, **kwargs):
    original = _originals[(_AioSession, "create_client")]
    mock = current_mock() if service_name == "events" else None
    if mock is None:
        return original(session, service_name, *args, **kwargs)
    context = original(session, service_name, **prepare_client_args(session, mock.region_name, args, kwargs))
    return _OwnedClientContext(context, mock)


class _OwnedClientContext:
    """aiobotocore's client context manager, marking the client it makes as the mock's."""

    def __init__(self, context, mock):
        self._context = context
        self._mock = mock

    async def __aenter__(self):
        client = await self._context.__aenter__()
        client.__dict__[OWNER] = self._mock
        return client

    async def __aexit__(self, *exc):
        return await self._context.__aexit__(*exc)


# Installing and removing the replacements.

_AioBaseClient: Any = None
_AioSession: Any = None


def _targets() -> List[Tuple[type, str, Any]]:
    global _AioBaseClient, _AioSession
    targets = [
        (_BaseClient, "_make_api_call", make_api_call),
        (_BaseClient, "_make_request", make_request),
        (_Session, "create_client", _create_client),
    ]
    if _AioBaseClient is None and _aiobotocore_installed():
        from aiobotocore.client import AioBaseClient
        from aiobotocore.session import AioSession

        _AioBaseClient, _AioSession = AioBaseClient, AioSession
    if _AioBaseClient is not None:
        targets += [
            (_AioBaseClient, "_make_api_call", _aio_make_api_call),
            (_AioBaseClient, "_make_request", _aio_make_request),
            (_AioSession, "create_client", _aio_create_client),
        ]
    return targets


def _aiobotocore_installed() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("aiobotocore") is not None
    except (ImportError, ValueError):
        return False


def original(owner: type, name: str):
    """``owner.name`` as it was before any mock started."""
    return _originals.get((owner, name)) or getattr(owner, name)


def _install() -> None:
    for owner, name, replacement in _targets():
        if owner.__dict__.get(name) is not replacement:
            # Otherwise ours is still in place (something patched over it while a mock was
            # active and put it back later): the original we keep is still right.
            _originals[(owner, name)] = getattr(owner, name)
            _inherited[(owner, name)] = name not in owner.__dict__
            setattr(owner, name, replacement)
        _replacements[(owner, name)] = replacement


def _uninstall() -> None:
    for (owner, name), replacement in _replacements.items():
        # When something else has patched over ours, ours stays under that patch: with no
        # mock active it passes every call straight to the original.
        if owner.__dict__.get(name) is replacement:
            if _inherited[(owner, name)]:
                delattr(owner, name)
            else:
                setattr(owner, name, _originals[(owner, name)])


def activate(mock) -> None:
    """Makes ``mock`` the innermost active mock of the process and of this context."""
    with _lock:
        if not _active:
            _install()
        _active.append(mock)
        _new_epoch()
    _context_mocks.set(_context_mocks.get() + (mock,))


def deactivate(mock) -> bool:
    """Ends the innermost activation of ``mock``; False when it was not active."""
    with _lock:
        if mock not in _active:
            return False
        del _active[len(_active) - 1 - _active[::-1].index(mock)]
        _new_epoch()
        if not _active:
            _uninstall()
    stack = _context_mocks.get()
    if mock in stack:
        i = len(stack) - 1 - stack[::-1].index(mock)
        _context_mocks.set(stack[:i] + stack[i + 1 :])
    return True


def is_active(mock) -> bool:
    return mock in _active


def account_from_environment(explicit: Optional[str], default: str) -> str:
    """The account of a mock's calls: its own when given; else moto's ``MOTO_ACCOUNT_ID``
    while moto is active, so ARNs agree with moto's resources; else the default."""
    return explicit or moto_account() or default
