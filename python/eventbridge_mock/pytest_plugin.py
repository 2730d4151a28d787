"""pytest plugin (registered through the ``pytest11`` entry point).

The ``eventbridge`` fixture yields an active ``mock_events`` with fresh state for each
test: every EventBridge client in the process, module-level clients of the code under test
included, is served by it. Each pytest-xdist worker is its own process, with its own state.

Its settings, for the whole suite in the ini file and for one test or class with a marker
(the marker wins)::

    [pytest]
    eventbridge_forward_targets = true
    eventbridge_account_id = 111122223333
    eventbridge_region = eu-west-1

    @pytest.mark.eventbridge(forward_targets=True, forward_endpoints={"sqs": "http://localhost:4566"})
    def test_orders(eventbridge): ...

The marker takes every keyword argument of ``mock_events``.
"""

from __future__ import annotations

import pytest

_INI = {
    "eventbridge_forward_targets": ("bool", "forward_targets", "Forward deliveries to moto (when mock_aws is active)."),
    "eventbridge_account_id": ("string", "account_id", "The account of the eventbridge fixture's mock."),
    "eventbridge_region": ("string", "region_name", "The default region of the eventbridge fixture's mock."),
}


def pytest_addoption(parser):
    for name, (kind, _, help_text) in _INI.items():
        parser.addini(name, help_text, type=kind, default=None)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "eventbridge(**kwargs): settings of the eventbridge fixture's mock, as mock_events takes them "
        "(forward_targets, forward_endpoints, account_id, region_name, frozen_at)",
    )


def settings(request) -> dict:
    """The ``mock_events`` arguments for this test: the ini file's, then the markers'
    (the closest marker wins)."""
    kwargs = {}
    for name, (_, argument, _) in _INI.items():
        value = request.config.getini(name)
        if value not in (None, ""):
            kwargs[argument] = value
    for marker in reversed(list(request.node.iter_markers("eventbridge"))):
        if marker.args:
            raise pytest.UsageError("@pytest.mark.eventbridge takes keyword arguments only")
        kwargs.update(marker.kwargs)
    return kwargs


@pytest.fixture
def eventbridge(request):
    """An active EventBridge mock, empty at the start of the test."""
    # Imported here, so a test session that never uses the fixture never loads the model.
    from .mock import mock_events

    with mock_events(**settings(request)) as mock:
        yield mock
