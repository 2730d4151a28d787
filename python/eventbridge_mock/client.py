"""``Client``: the methods, surface and behaviour of ``boto3.client("events")``."""

from __future__ import annotations

import os

from botocore import xform_name
from botocore.client import ClientMeta
from botocore.config import Config
from botocore.hooks import HierarchicalEmitter
from botocore.paginate import Paginator

from . import _native, _service
from .deliveries import DeliveryLog

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"

_default_backend = _native.Backend()


def default_backend() -> _native.Backend:
    """The state shared by every client made outside a mock, as one AWS cloud is shared."""
    return _default_backend


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _endpoint(region: str) -> str:
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://events.{region}.{suffix}"


class Client:
    """An EventBridge client backed by the in-process engine.

    Every operation of botocore's EventBridge model is a snake_case method taking the same
    keyword arguments and returning the same dict as boto3's client.
    """

    def __init__(
        self,
        region_name: str | None = None,
        account_id: str | None = None,
        *,
        backend: _native.Backend | None = None,
        endpoint_url: str | None = None,
        config: Config | None = None,
        **_credentials_and_transport,
    ):
        if region_name is None and config is not None:
            region_name = config.region_name
        region = region_name or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
        self._backend = backend if backend is not None else default_backend()
        self._native = _native.NativeClient(self._backend, account_id or DEFAULT_ACCOUNT_ID, region)
        model = _service.service_model()
        client_config = Config(region_name=region)
        if config is not None:
            client_config = config.merge(client_config)
        self.meta = ClientMeta(
            events=HierarchicalEmitter(),
            client_config=client_config,
            endpoint_url=endpoint_url or _endpoint(region),
            service_model=model,
            method_to_api_mapping=_METHOD_TO_API,
            partition=_partition(region),
        )
        self.exceptions = _service.exceptions()

    def __repr__(self) -> str:
        return f"<eventbridge_mock.Client events {self.meta.region_name} {self._native.account_id}>"

    @property
    def account_id(self) -> str:
        return self._native.account_id

    @property
    def deliveries(self) -> DeliveryLog:
        """Every delivery of an event to a target in this client's mock cloud."""
        return DeliveryLog(self._backend)

    def can_paginate(self, operation_name: str) -> bool:
        # An unknown method name raises KeyError, as in boto3.
        return _METHOD_TO_API[operation_name] in _service.paginator_config()

    def get_paginator(self, operation_name: str) -> Paginator:
        if not self.can_paginate(operation_name):
            from botocore.exceptions import OperationNotPageableError

            raise OperationNotPageableError(operation_name=operation_name)
        api_name = _METHOD_TO_API[operation_name]
        return Paginator(
            getattr(self, operation_name),
            _service.paginator_config()[api_name],
            self.meta.service_model.operation_model(api_name),
        )

    @property
    def waiter_names(self) -> list:
        return []

    def get_waiter(self, waiter_name: str):
        # EventBridge defines no waiters; boto3 answers exactly this.
        raise ValueError(f"Waiter does not exist: {waiter_name}")

    def close(self) -> None:
        """Nothing to release: there is no connection pool."""


_METHOD_TO_API = {
    xform_name(name): name for name in _service.service_model().operation_names
}
# Each method is a native descriptor: a call goes from Python straight to the engine.
for _method, _api in _METHOD_TO_API.items():
    setattr(Client, _method, _native.Operation(_api, _method))


def client(region_name: str | None = None, account_id: str | None = None, **kwargs) -> Client:
    """A new EventBridge client, like ``boto3.client("events", region_name=...)``."""
    return Client(region_name=region_name, account_id=account_id, **kwargs)
