"""pytest plugin (registered through the ``pytest11`` entry point).

The ``eventbridge`` fixture yields an active ``mock_events`` with fresh state for each
test: ``boto3.client("events")`` anywhere in the code under test reaches it. Each pytest-xdist
worker is its own process, with its own state.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def eventbridge():
    """An active EventBridge mock, empty at the start of the test."""
    # Imported here, so a test session that never uses the fixture never loads the model.
    from .mock import mock_events

    with mock_events() as mock:
        yield mock
