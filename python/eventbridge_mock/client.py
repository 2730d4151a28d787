"""Clients the package makes itself: ``eventbridge_mock.client()`` and ``mock.client()``.

Each is botocore's own EventBridge client (a ``botocore.client.BaseClient``, with botocore's
docstrings, ``meta.events`` hooks, paginators and exceptions) bound for good to one engine
state, account and region. ``Client`` is among its base classes, for the little the package
adds: ``account_id``, ``deliveries`` and keyword-only signatures ``inspect`` can read.
"""

from __future__ import annotations

import datetime
import functools
import inspect
import threading
from typing import Any, Optional

import botocore.session

from . import _native, _routing, _service
from .deliveries import DeliveryLog

DEFAULT_ACCOUNT_ID = _routing.DEFAULT_ACCOUNT_ID
DEFAULT_REGION = _routing.DEFAULT_REGION

_default_backend = _native.Backend()


def default_backend() -> _native.Backend:
    """The state shared by every client made outside a mock, as one AWS cloud is shared."""
    return _default_backend


class Client:
    """An EventBridge client of eventbridge-mock: botocore's client class, bound to an engine
    state, with these additions."""

    @property
    def account_id(self) -> str:
        return self.__dict__[_routing.BOUND].account

    @property
    def backend(self) -> _native.Backend:
        return self.__dict__[_routing.BOUND].backend

    @property
    def deliveries(self) -> DeliveryLog:
        """Every delivery of an event to a target in this client's mock cloud."""
        return DeliveryLog(self.backend)

    def __repr__(self) -> str:
        return f"<eventbridge_mock.Client events {self.meta.region_name} {self.account_id}>"

    # _routing's replacements of BaseClient's, which serve this client's own state whether
    # a mock is active or not.
    _make_api_call = _routing.make_api_call
    _make_request = _routing.make_request


class _Unset:
    """The default of an optional parameter: botocore sends nothing for it."""

    def __repr__(self) -> str:
        return "..."


_UNSET = _Unset()
_PYTHON_TYPES = {
    "string": str,
    "integer": int,
    "long": int,
    "boolean": bool,
    "double": float,
    "float": float,
    "timestamp": datetime.datetime,
    "list": list,
    "map": dict,
    "structure": dict,
    "blob": bytes,
}


@functools.lru_cache(maxsize=None)
def _signature(operation_name: str) -> inspect.Signature:
    """``(self, /, *, Required: type, Optional: type = ...) -> dict``, from the operation's
    input shape."""
    shape = _service.service_model().operation_model(operation_name).input_shape
    members = shape.members if shape is not None else {}
    required = set(shape.required_members) if shape is not None else set()
    parameters = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)] + [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            default=inspect.Parameter.empty if name in required else _UNSET,
            annotation=_PYTHON_TYPES.get(member.type_name, Any),
        )
        for name, member in sorted(members.items(), key=lambda item: item[0] not in required)
    ]
    return inspect.Signature(parameters, return_annotation=dict)


def _shape_class(class_attributes: dict, base_classes: list, **_kwargs) -> None:
    """``creating-client-class.events`` on the package's own session: adds ``Client`` and
    the signatures."""
    base_classes.insert(0, Client)
    for api_name in _service.service_model().operation_names:
        method = class_attributes.get(botocore.xform_name(api_name))
        if method is not None:
            method.__signature__ = _signature(api_name)


_session_lock = threading.Lock()
_sessions: list = []


def _session() -> botocore.session.Session:
    """The botocore session the package makes its clients with (made once: a new session
    loads every model file again)."""
    with _session_lock:
        if not _sessions:
            session = botocore.session.Session()
            session.register("creating-client-class.events", _shape_class)
            _sessions.append(session)
        return _sessions[0]


def _bound_client(
    backend: _native.Backend,
    account_id: str,
    region_name: Optional[str],
    mock: Any = None,
    default_region: Optional[str] = None,
    **kwargs: Any,
) -> Client:
    """A botocore EventBridge client served by ``backend`` as ``account_id``, whatever mock
    is active; forwarding as ``mock`` forwards, when given. Without ``region_name``, the
    region is botocore's (config, environment, profile), else ``default_region``, else
    us-east-1."""
    session = _session()
    kwargs = _routing.prepare_client_args(session, default_region, (), dict(kwargs, region_name=region_name))
    made = _routing.original(botocore.session.Session, "create_client")(session, "events", **kwargs)
    made.__dict__[_routing.BOUND] = _routing.Route(backend, account_id, made.meta.region_name, mock)
    return made


def client(
    region_name: Optional[str] = None,
    account_id: Optional[str] = None,
    *,
    backend: Optional[_native.Backend] = None,
    **kwargs: Any,
) -> Client:
    """An EventBridge client, like ``boto3.client("events", region_name=...)``, on
    ``backend`` (default: the process-wide ``default_backend()``)."""
    return _bound_client(
        backend if backend is not None else default_backend(),
        account_id or DEFAULT_ACCOUNT_ID,
        region_name,
        **kwargs,
    )
