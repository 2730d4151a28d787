"""Runs this directory, a suite written the way moto users test EventBridge, under
``mock_events(forward_targets=True)``: the tests themselves never mention this project.

Two start orders:

- ``ours-first`` (every test): our mock starts, then the test's own ``mock_aws``;
- ``moto-first`` (the modules in ``MOTO_FIRST``, run a second time): a ``mock_aws`` starts
  first, then ours, then the test's own (nested) one; at teardown moto's stops before ours
  (an out-of-order stop).

unittest.TestCase classes take no parameters: they run ours-first.
"""

from __future__ import annotations

import boto3
import botocore.session
import pytest
from moto import mock_aws

from eventbridge_mock import Client, mock_events


MOTO_FIRST = {"test_events_to_sqs", "test_buses_and_dlq", "test_served_by_eventbridge_mock"}


def pytest_generate_tests(metafunc):
    orders = ["ours-first", "moto-first"] if metafunc.module.__name__.rsplit(".", 1)[-1] in MOTO_FIRST else ["ours-first"]
    metafunc.parametrize("eventbridge_mock_in_place", orders, indirect=True)


@pytest.fixture(autouse=True)
def eventbridge_mock_in_place(request, monkeypatch):
    order = getattr(request, "param", "ours-first")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    original = botocore.session.Session.create_client
    moto = mock_aws() if order == "moto-first" else None
    if moto is not None:
        moto.start()
    mock = mock_events(forward_targets=True).start()
    # The suite's EventBridge is ours; everything else is what was there before.
    assert isinstance(boto3.client("events", region_name="us-east-1"), Client)
    yield mock
    if moto is not None:
        moto.stop()
    mock.stop()
    assert botocore.session.Session.create_client is original


@pytest.fixture
def events_mock(eventbridge_mock_in_place):
    """The mock serving the suite, for the one test that looks behind the curtain."""
    return eventbridge_mock_in_place
