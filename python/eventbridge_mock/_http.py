"""HTTP for API destinations and OAuth authorization endpoints, kept inside the test.

A URL is called only when its host is this machine's loopback (``localhost``, 127.0.0.0/8,
``::1``: names are not resolved, as resolving may itself reach the network), or when the
mock's ``forward_endpoints`` has an entry for its origin (``"https://api.example.com"``):
the request then goes to the URL that entry gives, path and query kept. An entry that names
its own origin lets the request reach that host for real; nothing else does.

Requests use urllib3 (which botocore depends on), without retries (EventBridge's retry
policy decides), without following redirects and with AWS's 5-second limit.
"""

from __future__ import annotations

import base64
import ipaddress
from typing import Dict, Optional, Tuple
from urllib.parse import quote, urlencode

import urllib3

# EventBridge's limit on one request to an API destination (docs/aws-facts-connections.md).
TIMEOUT_SECONDS = 5.0
# What EventBridge calls itself in its requests (docs/aws-facts-connections.md §3.2).
USER_AGENT = "Amazon/EventBridge/ApiDestinations"


def basic_authorization(user: str, password: str) -> str:
    """An ``Authorization`` header's value for HTTP basic authentication."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()



def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def origin(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-case."""
    u = urllib3.util.parse_url(url)
    host = u.host or ""
    return f"{(u.scheme or 'http').lower()}://{host.lower()}" + (f":{u.port}" if u.port else "")


def target_url(mock, url: str, what: str = "") -> Tuple[Optional[str], str]:
    """The URL to call for ``url``, or None and why it is not called (``what`` names it)."""
    try:
        own, parsed = origin(url), urllib3.util.parse_url(url)
    except ValueError:
        return None, f"not forwarded: {what}{url!r} is not a valid URL"
    for key, to in mock.forward_endpoints.items():
        if "://" in key and origin(key) == own:
            return to.rstrip("/") + parsed.request_uri, ""
    if is_loopback(parsed.host or ""):
        return url, ""
    return None, (
        f"not forwarded: {what}{own} is not a loopback address and forward_endpoints has no entry for it"
    )


def with_query(url: str, pairs) -> str:
    pairs = list(pairs)
    if not pairs:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(pairs)


def with_path_parameters(endpoint: str, values) -> str:
    """Each ``*`` of the endpoint replaced, in order, by a path parameter value."""
    parts = endpoint.split("*")
    out = parts[0]
    for i, part in enumerate(parts[1:]):
        out += (quote(str(values[i]), safe="") if i < len(values) else "*") + part
    return out


def request(method: str, url: str, headers: Dict[str, str], body: Optional[bytes]):
    """Sends one request on a connection of its own, as EventBridge does (it sends
    ``Connection: close``); raises urllib3's errors (timeouts among them). A pooled
    connection could be one the server has just closed, and fail a request it never saw."""
    timeout = urllib3.Timeout(total=TIMEOUT_SECONDS)
    with urllib3.PoolManager(retries=False) as pool:
        return pool.request(method, url, headers=headers, body=body, redirect=False, timeout=timeout)
