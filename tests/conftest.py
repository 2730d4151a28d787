"""Shared fixtures and helpers for the EventBridge client tests.

Every test gets a client on a fresh, private backend (us-east-1, account 123456789012), so
tests never see each other's resources. ``make_client`` builds more clients on that same
backend, for other regions and accounts.
"""

from __future__ import annotations

import pytest

import eventbridge_mock
from eventbridge_mock import _native

ACCOUNT = "123456789012"
REGION = "us-east-1"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:queue"
LAMBDA_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:handler"
PATTERN = '{"source": ["orders"]}'


def bus_arn(name: str, region: str = REGION, account: str = ACCOUNT) -> str:
    return f"arn:aws:events:{region}:{account}:event-bus/{name}"


def rule_arn(name: str, bus: str = "default", region: str = REGION, account: str = ACCOUNT) -> str:
    path = name if bus == "default" else f"{bus}/{name}"
    return f"arn:aws:events:{region}:{account}:rule/{path}"


def body(response: dict) -> dict:
    """A response without its ResponseMetadata, for whole-dict comparisons."""
    assert "ResponseMetadata" in response
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def error(excinfo) -> dict:
    """The ``Error`` dict of a raised ClientError."""
    return excinfo.value.response["Error"]


def validation(*items: str) -> dict:
    """The ``Error`` dict of a server-side ValidationException listing ``items``."""
    n = len(items)
    head = f"{n} validation error{'' if n == 1 else 's'} detected: "
    return {"Code": "ValidationException", "Message": head + "; ".join(items)}


def item(value, path: str, constraint: str) -> str:
    """One item of a ValidationException message."""
    return f"Value '{value}' at '{path}' failed to satisfy constraint: Member must {constraint}"


NAME_PATTERN = r"satisfy regular expression pattern: [\.\-_A-Za-z0-9]+"


@pytest.fixture
def backend():
    return _native.Backend()


@pytest.fixture
def make_client(backend):
    """Makes another client on the test's backend: ``make_client(region_name=..., account_id=...)``."""

    def make(region_name: str = REGION, account_id: str = ACCOUNT, **kwargs):
        return eventbridge_mock.client(
            region_name=region_name, account_id=account_id, backend=backend, **kwargs
        )

    return make


@pytest.fixture
def events(make_client):
    client = make_client()
    yield client
    client.close()
