"""``mock_events``: while it is active, every EventBridge client in the process is served by it.

How calls reach it (for clients made before or after it started, by boto3, botocore or
aiobotocore) is in ``_routing``; forwarding deliveries to other services, in ``forwarding``.
"""

from __future__ import annotations

import functools
import inspect
import unittest
from typing import TYPE_CHECKING, Any, Mapping, Optional

from . import _native, _routing
from .client import DEFAULT_ACCOUNT_ID, Client, _bound_client
from .clock import Clock, When
from .deliveries import DeliveryLog

if TYPE_CHECKING:
    from ._server import Server


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
        forward_endpoints: Optional[Mapping[str, str]] = None,
    ):
        self._account_id = account_id
        self.region_name = region_name
        self.forward_targets = forward_targets
        self.forward_endpoints = dict(forward_endpoints or {})
        """Endpoint URLs by service name (``{"sqs": "http://localhost:4566"}``): where
        deliveries to that service are forwarded when moto is not active. Keys that are
        origins (``{"https://api.example.com": "http://127.0.0.1:8080"}``) send API
        destinations' and OAuth requests for that origin to the URL given; only loopback is
        called otherwise."""
        self.frozen_at = frozen_at
        self.backend = _native.Backend()
        self.clock = Clock(self.backend, self._forward_from if forward_targets else None)

    @property
    def account_id(self) -> str:
        """The account of this mock's calls (see ``current_account``)."""
        return self.current_account()

    @property
    def follows_moto_account(self) -> bool:
        """Whether the account follows moto's MOTO_ACCOUNT_ID (no account was given)."""
        return self._account_id is None

    def current_account(self) -> str:
        """The account given to the mock; else, while moto is active, moto's
        ``MOTO_ACCOUNT_ID`` (read on every call, as moto reads it); else 123456789012."""
        return _routing.account_from_environment(self._account_id, DEFAULT_ACCOUNT_ID)

    # The handle a test uses.

    def client(self, region_name: Optional[str] = None, account_id: Optional[str] = None, **kwargs) -> Client:
        """An EventBridge client on this mock's state, active or not."""
        return _bound_client(
            self.backend,
            account_id or self.current_account(),
            region_name,
            mock=self,
            default_region=self.region_name,
            **kwargs,
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
        """Forwards what the engine delivered from the ``start``-th delivery on (scheduled
        rules that fired when the clock moved, or a call's deliveries)."""
        from .forwarding import forward_deliveries

        forward_deliveries(self, start)

    # Activation.

    @property
    def active(self) -> bool:
        return _routing.is_active(self)

    def start(self, reset: bool = True) -> "mock_events":
        """Activates the mock, with empty state unless it is active already or ``reset=False``."""
        if reset and not self.active:
            self.reset()
        _routing.activate(self)
        return self

    def stop(self) -> None:
        """Deactivates the mock (its state stays readable). Stopping an inactive mock does nothing.

        Mocks may stop in any order; after the last one stops, botocore is again exactly
        what it was before the first one started.
        """
        _routing.deactivate(self)

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
        state = "active" if self.active else "inactive"
        return f"<mock_events {state} account={self.account_id}>"
