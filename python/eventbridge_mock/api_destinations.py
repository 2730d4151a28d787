"""API-destination targets with ``forward_targets``: each delivery invoked over HTTP.

The request is the one EventBridge sends (docs/aws-facts-connections.md §3): the API
destination's HttpMethod and InvocationEndpoint, each ``*`` of the endpoint replaced by the
target's PathParameterValues; the target's HttpParameters merged with the connection's
InvocationHttpParameters (the connection's values win); EventBridge's own headers; the
connection's authorization (Basic, the API key header, or an OAuth bearer token); and the
delivery's payload (after Input, InputPath or InputTransformer) as the body.

Only URLs ``_http`` allows are called; any other is logged as not forwarded, with the reason,
and nothing is sent. The answer's status goes into the delivery log's ``note``
(``"HTTP 200"``); a failure marks the delivery failed, is retried as the target's RetryPolicy
allows when AWS retries it (429, 5xx, timeouts and unreachable endpoints; 401 and 407 after
fetching a new OAuth token), and then goes to the target's dead-letter queue.
"""

from __future__ import annotations

import json
import time
from typing import Dict, List, Optional, Tuple

import urllib3
from botocore.exceptions import ClientError

from . import _http, _native, connections, forwarding
from .deliveries import Delivery

# The headers EventBridge adds to every request (docs/aws-facts-connections.md §3.2).
HEADERS = {
    "User-Agent": _http.USER_AGENT,
    "Content-Type": "application/json; charset=utf-8",
    "Range": "bytes=0-1048575",
    "Accept-Encoding": "gzip,deflate",
    "Connection": "close",
}
# Retries happen at once here (AWS spreads them over hours): a delivery stops retrying once
# its attempts have taken this long, so an endpoint that hangs cannot hold a test for long.
RETRY_BUDGET_SECONDS = 10.0


class InvocationFailed(Exception):
    """One failed attempt: ``error_code`` for the dead-letter queue, ``retryable`` as AWS."""

    def __init__(self, error_code: str, message: str, retryable: bool, status: Optional[int] = None):
        super().__init__(message)
        self.error_code = error_code
        self.retryable = retryable
        self.status = status
        self.stop = False  # Retry-After said not to try again


class NotSent(Exception):
    """Nothing may be sent; ``str`` is the note saying why."""


def forward(mock, d: Delivery) -> None:
    """Invokes the API destination of delivery ``d``; never raises."""
    backend = mock.backend
    target = forwarding._target_of(backend, d)
    try:
        request = _request(mock, d, target)
    except NotSent as e:
        backend.set_forwarded(d.index, False, str(e))
        return
    except InvocationFailed as e:
        # The API destination or its connection is gone, or deauthorized: nothing is sent.
        backend.set_forwarded(d.index, False, str(e))
        _fail(mock, d, target, e)
        return
    retries = (target.get("RetryPolicy") or {}).get("MaximumRetryAttempts", forwarding.DEFAULT_MAX_RETRIES)
    started = time.monotonic()
    attempts = 0
    while True:
        attempts += 1
        try:
            status = _invoke(mock, request)
            backend.set_forwarded(d.index, True, f"HTTP {status}")
            return
        except NotSent as e:
            backend.set_forwarded(d.index, False, str(e))
            return
        except InvocationFailed as e:
            error = e
        if not error.retryable or error.stop or attempts > retries:
            break
        if time.monotonic() - started > RETRY_BUDGET_SECONDS:
            break
    if attempts > 1:
        error.args = (f"{error} (after {attempts} attempts)",)
    backend.set_forwarded(d.index, True, str(error))
    _fail(mock, d, target, error)


def _fail(mock, d: Delivery, target: dict, error: InvocationFailed) -> None:
    mock.backend.mark_failed(d.index, str(error))
    try:
        forwarding._to_dead_letter_queue(mock, target, d, error)
    except Exception:  # noqa: BLE001 - the delivery is logged failed already
        pass


class _Request:
    """What one delivery sends, all but the authorization (which may change between tries)."""

    def __init__(self, creds: dict, secret: dict, method: str, url: str, headers: Dict[str, str], body: bytes):
        self.creds = creds
        self.secret = secret
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body


def _request(mock, d: Delivery, target: dict) -> _Request:
    _, region, account, resource = forwarding._arn_parts(d.target_arn)
    name = resource.split("/")[1] if "/" in resource else resource
    native = _native.NativeClient(mock.backend, account, region)
    try:
        destination = native.call("DescribeApiDestination", {"Name": name})
    except ClientError:
        destination = None
    if destination is None or destination["ApiDestinationArn"] != d.target_arn:
        raise InvocationFailed("NO_RESOURCE", f"API destination {d.target_arn} does not exist.", False)
    creds = connections.credentials(mock.backend, destination["ConnectionArn"])
    if creds is None:
        raise InvocationFailed(
            "NO_RESOURCE", f"Connection {destination['ConnectionArn']} does not exist.", False
        )
    if creds["ConnectionState"] == "DEAUTHORIZED":
        raise InvocationFailed("NO_PERMISSIONS", f"Connection {creds['ConnectionArn']} is DEAUTHORIZED.", False)
    http = target.get("HttpParameters") or {}
    endpoint = _http.with_path_parameters(destination["InvocationEndpoint"], http.get("PathParameterValues") or [])
    url, reason = _http.target_url(mock, endpoint)
    if url is None:
        raise NotSent(reason)
    secret = connections.secret_of(creds)
    invocation = secret.get("invocation_http_parameters") or {}
    # The target's parameters, then the connection's, which take precedence.
    query = dict(http.get("QueryStringParameters") or {})
    query.update(connections._pairs(invocation.get("query_string_parameters")))
    headers = dict(HEADERS)
    headers.update(http.get("HeaderParameters") or {})
    headers.update(connections._pairs(invocation.get("header_parameters")))
    body = _body(d.payload, connections._pairs(invocation.get("body_parameters")))
    return _Request(creds, secret, destination["HttpMethod"], _http.with_query(url, query.items()), headers, body)


def _body(payload: str, parameters: List[Tuple[str, str]]) -> bytes:
    """The payload, with the connection's body parameters added when it is a JSON object."""
    if parameters:
        try:
            document = json.loads(payload)
        except ValueError:
            document = None
        if isinstance(document, dict):
            document.update(parameters)
            payload = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return payload.encode()


def _authorization(mock, request: _Request) -> Dict[str, str]:
    kind, secret = request.creds["AuthorizationType"], request.secret
    if kind == "BASIC":
        return {"Authorization": _http.basic_authorization(secret.get("username", ""), secret.get("password", ""))}
    if kind == "API_KEY":
        return {secret.get("api_key_name", ""): secret.get("api_key_value", "")}
    try:
        value = connections.token(mock, request.creds, mock.backend.clock_now())
    except connections.NotAllowed as e:
        raise NotSent(str(e)) from None
    except connections.AuthorizationFailed as e:
        # EventBridge deauthorizes a connection whose token it cannot get.
        connections.set_authorized(mock, request.creds, False)
        raise InvocationFailed("NO_PERMISSIONS", f"Connection {request.creds['ConnectionArn']} could not be "
                               f"authorized: {e}", e.retryable) from None
    if request.creds["ConnectionState"] != "AUTHORIZED":
        connections.set_authorized(mock, request.creds, True)
    return {"Authorization": f"Bearer {value}"}


def _invoke(mock, request: _Request) -> int:
    """One attempt; the status of a 2xx answer, else raises InvocationFailed."""
    headers = dict(request.headers)
    headers.update(_authorization(mock, request))
    where = f"{request.method} {_http.origin(request.url)}"
    try:
        response = _http.request(request.method, request.url, headers, request.body)
    except urllib3.exceptions.NewConnectionError as e:
        # Before TimeoutError: urllib3 makes a refused connection a kind of timeout.
        raise InvocationFailed("NETWORK_ERROR", f"{where} could not be reached ({type(e).__name__})",
                               True) from None
    except urllib3.exceptions.TimeoutError:
        raise InvocationFailed("TIMEOUT", f"{where} did not answer within {_http.TIMEOUT_SECONDS:g} seconds",
                               True) from None
    except urllib3.exceptions.HTTPError as e:
        raise InvocationFailed("NETWORK_ERROR", f"{where} could not be reached ({type(e).__name__})",
                               True) from None
    status = response.status
    if 200 <= status < 300:
        return status
    oauth = request.creds["AuthorizationType"] == connections.OAUTH
    if status in (401, 407):
        if oauth:
            connections.forget_token(request.creds)  # the next attempt fetches a new one
        else:
            connections.set_authorized(mock, request.creds, False)
    retryable = status == 429 or status >= 500 or (oauth and status in (401, 407))
    code = "THROTTLING" if status == 429 else f"HTTP_{status}"
    error = InvocationFailed(code, f"HTTP {status}", retryable, status)
    error.stop = _retry_after(response) < 0
    raise error


def _retry_after(response) -> float:
    try:
        return float(response.headers.get("Retry-After", "0"))
    except ValueError:
        return 0.0  # an HTTP date: the mock does not wait
