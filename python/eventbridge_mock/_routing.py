"""Which EventBridge requests an active mock serves.

Servers this package runs in the process (``eventbridge_mock.server``) register their URL
here: a client pointed at one of them talks to it over HTTP, as the server exists to be
reached that way, instead of being served in-process.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_servers: set = set()


def _key(url: str) -> str:
    return url.rstrip("/").lower()


def register_server(url: str) -> None:
    """Marks ``url`` as one of this process's own servers."""
    with _lock:
        _servers.add(_key(url))


def unregister_server(url: str) -> None:
    with _lock:
        _servers.discard(_key(url))


def is_own_server(url: str | None) -> bool:
    """Whether ``url`` (a client's endpoint) is a server this process runs."""
    return bool(url) and bool(_servers) and _key(url) in _servers
