"""A client wrapper that keeps every response and error of every call, so a test module can
check that no secret it gave (passwords, API key values, client secrets, HTTP parameter
values marked secret) ever comes back from any call."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

PASSWORD = "pw-Secret-4a1"
API_KEY_VALUE = "apikey-Secret-7c2"
CLIENT_SECRET = "client-Secret-9e3"
HEADER_SECRET = "header-Secret-1b4"
QUERY_SECRET = "query-Secret-2d5"
BODY_SECRET = "body-Secret-3f6"
NEW_PASSWORD = "pw-Secret-new-5a7"

SECRETS = (
    PASSWORD,
    API_KEY_VALUE,
    CLIENT_SECRET,
    HEADER_SECRET,
    QUERY_SECRET,
    BODY_SECRET,
    NEW_PASSWORD,
)


class Recording:
    """Calls the client's methods, keeping what each returned or raised."""

    def __init__(self, client):
        self._client = client
        self.seen: list = []

    def __getattr__(self, name):
        attr = getattr(self._client, name)
        if not callable(attr) or name.startswith("_"):
            return attr

        def call(*args, **kwargs):
            try:
                response = attr(*args, **kwargs)
            except ClientError as e:
                self.seen.append((name, e.response, str(e)))
                raise
            except Exception as e:  # client-side validation and the like
                self.seen.append((name, None, str(e)))
                raise
            self.seen.append((name, response, None))
            return response

        return call


def check_no_secret(recording: Recording) -> None:
    for name, response, message in recording.seen:
        text = repr(response) + repr(message)
        for secret in SECRETS:
            assert secret not in text, f"{name} returned a secret: {text}"
        # Secrets never come back even in part (e.g. split around an escape).
        for secret in SECRETS:
            assert secret[-8:] not in text, f"{name} returned part of a secret: {text}"


@pytest.fixture
def recorded(events):
    """``events``, recorded; after the test, no response may hold a secret."""
    recording = Recording(events)
    yield recording
    check_no_secret(recording)
