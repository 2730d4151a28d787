"""``mock_events``: every EventBridge client made while it is active is this project's.

It patches one function, botocore's ``Session.create_client``, which every way of making a
client goes through (``boto3.client``, ``boto3.Session(...).client``,
``botocore.session.get_session().create_client``). For ``"events"`` it returns a
``Client`` bound to the mock's state; every other service is passed to whatever was there
before, so moto (which intercepts requests, not client creation) keeps serving them.
"""

from __future__ import annotations

import functools
import inspect
import threading
import unittest
from typing import TYPE_CHECKING, Any, List, Optional

import botocore.session

from . import _native
from .client import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, Client
from .clock import Clock, When
from .deliveries import DeliveryLog

if TYPE_CHECKING:
    from ._server import Server

_lock = threading.RLock()
# The active mocks, innermost last; the innermost serves EventBridge.
_active: List["mock_events"] = []
# `Session.create_client` as it was before the first active mock started: what serves every
# other service (and EventBridge when no mock is active).
_base: Any = None


class mock_events:
    """A private, in-process EventBridge for a test.

    Use it as a context manager (``with mock_events() as mock:``), as a decorator on a
    function or a test class (with or without parentheses), or with ``start()`` and
    ``stop()``. Each start begins with empty state; starting a mock that is already active
    (a decorated function called inside its own ``with`` block) keeps its state.
    """

    def __new__(cls, account_id: Any = None, *args, **kwargs):
        if callable(account_id):
            # ``@mock_events`` without parentheses, as ``@mock_aws`` is written.
            return cls()(account_id)
        return super().__new__(cls)

    def __init__(
        self,
        account_id: Optional[str] = None,
        region_name: Optional[str] = None,
        forward_targets: bool = False,
        frozen_at: Optional[When] = None,
    ):
        self.account_id = account_id or DEFAULT_ACCOUNT_ID
        self.region_name = region_name
        self.forward_targets = forward_targets
        self.frozen_at = frozen_at
        self.backend = _native.Backend()
        self.clock = Clock(self.backend, self._forward_from if forward_targets else None)

    # The handle a test uses.

    def client(self, region_name: Optional[str] = None, account_id: Optional[str] = None, **kwargs) -> Client:
        """An EventBridge client on this mock's state."""
        region = region_name or self.region_name or DEFAULT_REGION
        return self._client_class()(
            region_name=region, account_id=account_id or self.account_id, backend=self.backend, **kwargs
        )

    @property
    def deliveries(self) -> DeliveryLog:
        """Every delivery of an event to a target, in every account and region."""
        return DeliveryLog(self.backend)

    def reset(self) -> None:
        """Forgets every resource and delivery, in every account and region."""
        self.backend.reset()
        if self.frozen_at is not None:
            self.clock.freeze(self.frozen_at)

    def server(self, port: int = 0, host: str = "127.0.0.1", **kwargs: Any) -> "Server":
        """Serves this mock's state over HTTP, so another process shares it: with
        ``AWS_ENDPOINT_URL_EVENTBRIDGE`` set to the server's ``url``, a subprocess's boto3 reaches
        the EventBridge whose ``deliveries`` the test reads. Deliveries are forwarded as this
        mock forwards them. Other arguments: ``eventbridge_mock.server``."""
        from ._server import server

        return server(
            port,
            host,
            backend=self.backend,
            account_id=self.account_id,
            region_name=self.region_name,
            forward=self._forward_from if self.forward_targets else None,
            **kwargs,
        )

    def _forward_from(self, start: int) -> None:
        """Forwards what the clock's move delivered (scheduled rules that fired)."""
        from .forwarding import forward_deliveries

        forward_deliveries(self.backend, self.client(), start)

    def _client_class(self) -> type:
        if self.forward_targets:
            from .forwarding import ForwardingClient

            return ForwardingClient
        return Client

    # Activation.

    @property
    def active(self) -> bool:
        return self in _active

    def start(self, reset: bool = True) -> "mock_events":
        """Activates the mock, with empty state unless it is active already or ``reset=False``."""
        global _base
        with _lock:
            if reset and self not in _active:
                self.reset()
            if not _active:
                current = botocore.session.Session.create_client
                if current is not _create_client:
                    # Otherwise our dispatcher is still in place (something patched over it
                    # while we were active and put it back later): `_base` is still right.
                    _base = current
                    botocore.session.Session.create_client = _create_client
            _active.append(self)
        return self

    def stop(self) -> None:
        """Deactivates the mock (its state stays readable). Stopping an inactive mock does nothing.

        Mocks may stop in any order; after the last one stops, ``Session.create_client`` is
        again exactly what it was before the first one started.
        """
        with _lock:
            if self not in _active:
                return
            # The innermost activation of this mock goes.
            del _active[len(_active) - 1 - _active[::-1].index(self)]
            if not _active and botocore.session.Session.create_client is _create_client:
                botocore.session.Session.create_client = _base
            # When something else has patched over our dispatcher, it stays under that patch:
            # with no mock active it passes every call straight to `_base`.

    def __enter__(self) -> "mock_events":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __call__(self, target):
        if inspect.isclass(target):
            return self._decorate_class(target)
        return self._decorate_function(target)

    def _decorate_function(self, func, reset: bool = True):
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args, **kwargs):
                self.start(reset=reset)
                try:
                    return await func(*args, **kwargs)
                finally:
                    self.stop()

            return async_wrapper

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            self.start(reset=reset)
            try:
                return func(*args, **kwargs)
            finally:
                self.stop()

        return wrapper

    def _decorate_class(self, cls):
        if issubclass(cls, unittest.TestCase):
            # The mock spans setUp, the test, tearDown and cleanups, fresh for each test.
            original_setup = cls.setUp

            @functools.wraps(original_setup)
            def setUp(test_self, *args, **kwargs):
                self.start()
                test_self.addCleanup(self.stop)
                original_setup(test_self, *args, **kwargs)

            cls.setUp = setUp
            return cls
        # A plain (pytest) class, decorated as moto decorates it: every public method runs
        # under the mock; the state is fresh from setup_method (or from each test method when
        # there is none) and kept through the test and teardown_method.
        has_setup = any(
            name in vars(klass) for klass in cls.__mro__ if klass is not object for name in ("setup_method", "setup")
        )
        for name, attr in list(vars(cls).items()):
            if name.startswith("_") or not inspect.isfunction(attr):
                continue  # staticmethods, classmethods, properties and nested classes stay as they are
            if name in ("setup_method", "setup"):
                reset = True
            else:
                reset = name.startswith("test") and not has_setup
            setattr(cls, name, self._decorate_function(attr, reset=reset))
        return cls

    def __repr__(self) -> str:
        state = "active" if self in _active else "inactive"
        return f"<mock_events {state} account={self.account_id}>"


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


def _create_client(session, service_name, *args, **kwargs):
    """`Session.create_client` while a mock is active: the innermost mock serves EventBridge,
    whatever was there before serves everything else."""
    innermost = _active[-1:] if service_name == "events" else []  # one read: other threads may stop mocks
    if not innermost:
        return _base(session, service_name, *args, **kwargs)
    mock = innermost[0]
    kwargs.update(zip(_CREATE_CLIENT_PARAMS, args))
    region = kwargs.get("region_name")
    config = kwargs.get("config")
    if region is None and config is not None:
        region = config.region_name
    if region is None:
        # As botocore resolves it: the session's region, its profile and the environment.
        region = session.get_config_variable("region")
    return mock.client(
        region_name=region or mock.region_name or DEFAULT_REGION,
        endpoint_url=kwargs.get("endpoint_url"),
        config=config,
    )
