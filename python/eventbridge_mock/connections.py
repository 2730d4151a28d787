"""Connections with ``forward_targets``: their secret in Secrets Manager, and OAuth authorization.

**The secret.** EventBridge keeps a connection's credentials in a Secrets Manager secret of
the connection's account and region. With forwarding on, the mock does too, wherever
forwarding reaches Secrets Manager (moto while ``mock_aws`` is active, in the connection's
account; or ``forward_endpoints["secretsmanager"]``): CreateConnection creates the secret
``events!connection/NAME/UUID`` holding the JSON AWS writes, tagged
``aws:secretsmanager:owningService=events``, and DescribeConnection's ``SecretArn`` is its ARN;
UpdateConnection and DeauthorizeConnection write its new value; DeleteConnection deletes it.
Elsewhere the connection keeps a ``SecretArn`` that names no secret.

**OAuth.** A connection of type OAUTH_CLIENT_CREDENTIALS is authorized by fetching a token
from its authorization endpoint (where ``_http`` allows a request): created or updated, it
becomes AUTHORIZED, or DEAUTHORIZED when the endpoint refuses; an endpoint that may not be
called leaves it AUTHORIZING. Tokens are cached per connection and fetched again when
they are within 60 seconds of expiring (on the mock's clock) or an API answers 401 or 407.

No secret value appears in an error, a warning or the delivery log.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
import warnings
from typing import Any, Dict, Optional, Tuple
from urllib.parse import urlencode

import urllib3
from botocore.exceptions import BotoCoreError, ClientError

from . import _http, forwarding

OAUTH = "OAUTH_CLIENT_CREDENTIALS"
OWNING_SERVICE_TAG = {"Key": "aws:secretsmanager:owningService", "Value": "events"}
# A token this close to expiring is fetched again before use (docs/aws-facts-connections.md).
REFRESH_BEFORE_EXPIRY_SECONDS = 60


def credentials(backend, arn: str) -> Optional[Dict[str, Any]]:
    """The connection with this ARN (secret value included), or None."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or "/" not in parts[5]:
        return None
    found = backend.connection_credentials(parts[4], parts[3], parts[5].split("/")[1])
    return found if found is not None and found["ConnectionArn"] == arn else None


def secret_of(creds: Dict[str, Any]) -> Dict[str, Any]:
    return json.loads(creds["SecretString"])


def call(mock, native, operation: str, params: dict, client) -> dict:
    """``native.call`` of a connection operation, then the connection's secret and
    authorization brought up to date."""
    account, region = native.account_id, native.region_name
    name = params.get("Name")
    backend = mock.backend
    before = backend.connection_credentials(account, region, name) if isinstance(name, str) else None
    result = native.call(operation, params, client)
    after = backend.connection_credentials(account, region, name) if isinstance(name, str) else None
    try:
        _keep_secret(mock, account, region, before, after)
        if after is not None and after["AuthorizationType"] == OAUTH and after["ConnectionState"] == "AUTHORIZING":
            authorize(mock, after)
    except Exception as e:  # noqa: BLE001 - the call itself succeeded
        warnings.warn(f"eventbridge-mock: connection {name}: {type(e).__name__}", RuntimeWarning, stacklevel=3)
    return result


# The secret.


def _keep_secret(mock, account: str, region: str, before, after) -> None:
    kind, _ = forwarding.destination(mock, "secretsmanager")
    if kind is None or (before is None and after is None):
        return
    name = (after or before)["Name"]
    try:
        with forwarding.in_account(account):
            sm = forwarding._client(kind, "secretsmanager", region)
            if after is None:
                _delete(sm, before["SecretArn"])
            elif before is None or before["ConnectionArn"] != after["ConnectionArn"]:
                _create(mock, sm, after, account, region)
            elif before["SecretString"] != after["SecretString"]:
                try:
                    sm.put_secret_value(SecretId=after["SecretArn"], SecretString=after["SecretString"])
                except ClientError as e:
                    if forwarding._error_code(e) != "ResourceNotFoundException":
                        raise
                    # Made before Secrets Manager was reachable: it gets its secret now.
                    _create(mock, sm, after, account, region)
    except (ClientError, BotoCoreError) as e:
        warnings.warn(
            f"eventbridge-mock: the Secrets Manager secret of connection {name} could not be kept: "
            f"{forwarding._error_code(e)}",
            RuntimeWarning,
            stacklevel=4,
        )


def _create(mock, sm, creds, account: str, region: str) -> None:
    args: Dict[str, Any] = {
        "Name": f"events!connection/{creds['Name']}/{uuid.uuid4()}",
        "SecretString": creds["SecretString"],
        "Tags": [OWNING_SERVICE_TAG],
    }
    if creds.get("KmsKeyIdentifier"):
        args["KmsKeyId"] = creds["KmsKeyIdentifier"]
    arn = sm.create_secret(**args)["ARN"]
    mock.backend.set_connection_secret_arn(account, region, creds["Name"], creds["ConnectionArn"], arn)


def _delete(sm, secret_arn: str) -> None:
    try:
        sm.delete_secret(SecretId=secret_arn, ForceDeleteWithoutRecovery=True)
    except ClientError as e:
        if forwarding._error_code(e) != "ResourceNotFoundException":
            raise


# OAuth.


class NotAllowed(Exception):
    """The authorization endpoint may not be called; ``str`` is the note saying why."""


class AuthorizationFailed(Exception):
    """The authorization endpoint gave no token. ``retryable``: it may give one later."""

    def __init__(self, message: str, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


# Tokens by (connection ARN, digest of its secret), so new credentials never use an old token.
_tokens: Dict[Tuple[str, str], Tuple[str, Optional[float]]] = {}
_tokens_lock = threading.Lock()


def _token_key(creds) -> Tuple[str, str]:
    return creds["ConnectionArn"], hashlib.sha256(creds["SecretString"].encode()).hexdigest()


def forget_token(creds) -> None:
    with _tokens_lock:
        _tokens.pop(_token_key(creds), None)


def token(mock, creds, now: float) -> str:
    """The connection's access token, fetched when none is cached or it is about to expire."""
    key = _token_key(creds)
    with _tokens_lock:
        cached = _tokens.get(key)
    if cached is not None and (cached[1] is None or cached[1] - now > REFRESH_BEFORE_EXPIRY_SECONDS):
        return cached[0]
    value, expires_in = _fetch_token(mock, secret_of(creds))
    with _tokens_lock:
        _tokens[key] = (value, None if expires_in is None else now + expires_in)
    return value


def _fetch_token(mock, secret: dict) -> Tuple[str, Optional[float]]:
    url, reason = _http.target_url(mock, secret.get("authorization_endpoint", ""), "the authorization endpoint ")
    if url is None:
        raise NotAllowed(reason)
    params = secret.get("oauth_http_parameters") or {}
    url = _http.with_query(url, _pairs(params.get("query_string_parameters")))
    headers = {"User-Agent": _http.USER_AGENT}
    headers.update(_pairs(params.get("header_parameters")))
    headers["Authorization"] = _http.basic_authorization(secret.get("client_id", ""), secret.get("client_secret", ""))
    body = urlencode(_pairs(params.get("body_parameters"))).encode() or None
    if body is not None:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    where = f"the authorization endpoint {_http.origin(url)}"
    try:
        response = _http.request(secret.get("http_method", "POST"), url, headers, body)
    except urllib3.exceptions.HTTPError as e:
        raise AuthorizationFailed(f"{where} could not be reached ({type(e).__name__})", True) from None
    if not 200 <= response.status < 300:
        retryable = response.status == 429 or response.status >= 500
        raise AuthorizationFailed(f"{where} answered HTTP {response.status}", retryable)
    try:
        answer = json.loads(response.data)
        value = answer["access_token"]
        expires_in = answer.get("expires_in")
        return str(value), None if expires_in is None else float(expires_in)
    except (ValueError, TypeError, KeyError):
        raise AuthorizationFailed(f"{where} answered without an access_token", False) from None


def _pairs(items) -> list:
    return [(p.get("key", ""), p.get("value", "")) for p in items or []]


def authorize(mock, creds) -> None:
    """Authorizes an OAuth connection: AUTHORIZED with a token, DEAUTHORIZED when refused."""
    try:
        token(mock, creds, mock.backend.clock_now())
    except NotAllowed:
        return
    except AuthorizationFailed:
        set_authorized(mock, creds, False)
        return
    set_authorized(mock, creds, True)


def set_authorized(mock, creds, authorized: bool) -> None:
    _, region, account, resource = forwarding._arn_parts(creds["ConnectionArn"])
    mock.backend.set_connection_authorized(
        account, region, resource.split("/")[1], creds["ConnectionArn"], authorized
    )
