"""Runs this directory, a suite written the way moto users test EventBridge, under
``mock_events(forward_targets=True)``: the tests themselves never mention this project.

Every test runs twice, once per start order:

- ``ours-first``: our mock starts, then the test's own ``mock_aws``;
- ``moto-first``: a ``mock_aws`` starts first, then ours, then the test's (nested) one,
  and moto's stops before ours at teardown (an out-of-order stop).
"""

from __future__ import annotations

import boto3
import botocore.session
import pytest
from moto import mock_aws

from eventbridge_mock import Client, mock_events


@pytest.fixture(autouse=True, params=["ours-first", "moto-first"])
def eventbridge_mock_in_place(request, monkeypatch):
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    original = botocore.session.Session.create_client
    moto = mock_aws() if request.param == "moto-first" else None
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
