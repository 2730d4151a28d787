"""Runs this directory, a suite written the way moto users test EventBridge, under
``mock_events(forward_targets=True)``: the tests themselves never mention this project.

Two start orders:

- ``ours-first`` (every test): our mock starts, then the test's own ``mock_aws``;
- ``moto-first`` (the tests in ``MOTO_FIRST``, run a second time): a ``mock_aws`` starts
  first, then ours, then the test's own (nested) one; at teardown moto's stops before ours
  (an out-of-order stop).

unittest.TestCase classes take no parameters: they run ours-first.
"""

from __future__ import annotations

import boto3
import botocore.session
import pytest
from moto import mock_aws

from eventbridge_mock import mock_events


# A cross-section of the suite (a client made from a fresh moto session costs ~0.1 s, so
# not all of it twice): the envelope, fan-out, disabled rules, FIFO, the DLQ, `with` blocks.
MOTO_FIRST = {
    "test_events_clients_are_eventbridge_mock_and_deliveries_are_logged",
    "test_event_is_delivered_to_sqs_as_the_full_envelope",
    "test_multiple_targets_on_one_rule",
    "test_disabled_rule_does_not_deliver",
    "test_with_block_style",
    "test_fifo_queue_with_message_group_id",
    "test_missing_queue_goes_to_dead_letter_queue",
    "test_input_transformer_json_template",
}


def pytest_generate_tests(metafunc):
    orders = ["ours-first", "moto-first"] if metafunc.function.__name__ in MOTO_FIRST else ["ours-first"]
    metafunc.parametrize("eventbridge_mock_in_place", orders, indirect=True)


@pytest.fixture(scope="session", autouse=True)
def shared_botocore_data_loader():
    """Speed only: the botocore sessions of the suite (moto starts each test with a new
    default session) share one data loader, so botocore's service models and endpoint
    data are parsed once per run instead of once per test."""
    original = botocore.session.create_loader
    loaders = {}

    def create_loader(search_path_string=None):
        if search_path_string not in loaders:
            loaders[search_path_string] = original(search_path_string)
        return loaders[search_path_string]

    botocore.session.create_loader = create_loader
    yield
    botocore.session.create_loader = original


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
    probe = boto3.client("events", region_name="us-east-1")
    probe.put_rule(Name="probe", ScheduleExpression="rate(1 hour)")
    assert mock.client().describe_rule(Name="probe")["Name"] == "probe"
    probe.delete_rule(Name="probe")
    yield mock
    if moto is not None:
        moto.stop()
    mock.stop()
    assert botocore.session.Session.create_client is original


@pytest.fixture
def events_mock(eventbridge_mock_in_place):
    """The mock serving the suite, for the one test that looks behind the curtain."""
    return eventbridge_mock_in_place
