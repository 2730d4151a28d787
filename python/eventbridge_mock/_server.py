"""``server()``: the engine over HTTP, for code that runs in another process.

The server speaks AWS's JSON protocol for EventBridge, so boto3 with ``endpoint_url``, the
AWS CLI with ``--endpoint-url`` and other languages' SDKs reach it unchanged. It runs in Rust
on threads of its own and calls the engine directly; Python is entered only to forward
deliveries, when the served mock forwards them (``mock_events(forward_targets=True)``).
"""

from __future__ import annotations

import atexit
import ipaddress
import threading
from typing import Callable, List, Optional

from . import _native, _routing
from .client import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, default_backend

DEFAULT_TIMEOUT = 30.0

_lock = threading.Lock()
_running: List["Server"] = []


class Server:
    """A running server. ``url`` is its endpoint; ``stop()`` (or leaving a ``with`` block)
    ends it."""

    def __init__(self, native: _native.Server):
        self._native = native
        self.host = native.host
        """The address it listens on."""
        self.port = native.port
        self.url = _url(self.host, self.port)
        self._urls = _urls(self.host, self.port)
        for url in self._urls:
            _routing.register_server(url)
        with _lock:
            _running.append(self)

    @property
    def running(self) -> bool:
        return self._native.running

    def stop(self) -> None:
        """Stops serving: requests under way finish, then every connection closes. Stopping a
        stopped server does nothing."""
        self._native.stop()
        for url in self._urls:
            _routing.unregister_server(url)
        with _lock:
            if self in _running:
                _running.remove(self)

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<eventbridge_mock.Server {self.url} {state}>"


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _urls(host: str, port: int) -> List[str]:
    """The URLs a client in this process may use for the server."""
    urls = {_url(host, port)}
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is not None and (ip.is_loopback or ip.is_unspecified):
        urls |= {f"http://localhost:{port}", f"http://127.0.0.1:{port}"}
    return sorted(urls)


def server(
    port: int = 0,
    host: str = "127.0.0.1",
    *,
    backend: Optional[_native.Backend] = None,
    account_id: Optional[str] = None,
    region_name: Optional[str] = None,
    timeout: float = DEFAULT_TIMEOUT,
    forward: Optional[Callable[[int], None]] = None,
) -> Server:
    """Serves EventBridge over HTTP on ``host:port`` (port 0 picks a free one).

    ``backend`` is the state served (default: the process-wide one that
    ``eventbridge_mock.client()`` uses; ``mock_events().server()`` serves its mock's). A
    request is served in the account of its access key id when that is 12 digits, else in
    ``account_id`` (default ``123456789012``), and in the region of its signature, else
    ``region_name`` (default ``us-east-1``). ``timeout`` (seconds) bounds how long a request
    may take to arrive and a connection may stay idle. ``forward`` is called with the
    delivery count before each call that delivered something.
    """
    native = _native.Server(
        backend if backend is not None else default_backend(),
        host,
        port,
        account_id or DEFAULT_ACCOUNT_ID,
        region_name or DEFAULT_REGION,
        timeout,
        forward,
    )
    return Server(native)


@atexit.register
def _stop_all() -> None:
    # Before the interpreter goes: a request must not try to forward into a dying one.
    with _lock:
        servers = list(_running)
    for s in servers:
        s.stop()
