"""Loaded at start-up by every Python process the drop-in tests run (it is on their
PYTHONPATH): any attempt to resolve a name or to connect anywhere but this machine's
loopback is reported on stderr and fails with OSError."""

import socket
import sys

_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def _refuse(what, host):
    sys.stderr.write(f"NETWORK ATTEMPT: {what} {host!r}\n")
    sys.stderr.flush()
    raise OSError(f"the network is blocked in this test ({what} {host!r})")


_getaddrinfo = socket.getaddrinfo
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def getaddrinfo(host, *args, **kwargs):
    if host is not None and host not in _LOOPBACK:
        _refuse("resolve", host)
    return _getaddrinfo(host, *args, **kwargs)


def _host(address):
    return address[0] if isinstance(address, tuple) else address


def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and _host(address) not in _LOOPBACK:
        _refuse("connect", _host(address))
    return _connect(self, address)


def connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and _host(address) not in _LOOPBACK:
        _refuse("connect", _host(address))
    return _connect_ex(self, address)


socket.getaddrinfo = getaddrinfo
socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
