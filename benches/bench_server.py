"""Requests per second over HTTP: eventbridge-mock's server against moto's ThreadedMotoServer,
in the same run, with the same client.

    python benches/bench_server.py [--quick]

Both servers run in this process, each on threads of its own; the client is a minimal
HTTP/1.1 client on raw sockets that sends a prepared, signed-looking JSON-protocol request
(the same bytes for both servers, apart from the Host header) and reads each response whole,
so the client costs as little as Python allows and the servers are what differ. Prints
Markdown tables: one keep-alive connection, then 8 connections at once (one thread each).
Needs moto's server extra (`pip install .[bench]`).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import statistics
import sys
import threading
import time

import boto3

import eventbridge_mock

QUICK = "--quick" in sys.argv
REGION = "us-east-1"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:orders"
ENTRY = {"Source": "com.shop.orders", "DetailType": "Order Created", "Detail": json.dumps({"id": 7})}
AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/events/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64
)

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")


def prepared(host: str, port: int, operation: str, params: dict) -> bytes:
    """One request as an SDK sends it: POST /, X-Amz-Target, JSON 1.1 body, SigV4 header."""
    body = json.dumps(params).encode()
    head = (
        f"POST / HTTP/1.1\r\nHost: {host}:{port}\r\nAccept-Encoding: identity\r\n"
        f"X-Amz-Target: AWSEvents.{operation}\r\nContent-Type: application/x-amz-json-1.1\r\n"
        f"X-Amz-Date: 20260101T000000Z\r\nAuthorization: {AUTHORIZATION}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class Connection:
    """One keep-alive HTTP/1.1 connection: send a request, read its response whole."""

    def __init__(self, host: str, port: int):
        self.address = (host, port)
        self.reconnects = 0
        self._connect()

    def _connect(self) -> None:
        self.sock = socket.create_connection(self.address)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def call(self, request: bytes) -> tuple:
        self.sock.sendall(request)
        buf = self.buf
        while b"\r\n\r\n" not in buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed by the server")
            buf += chunk
        head, _, rest = buf.partition(b"\r\n\r\n")
        lower = head.lower()
        if b"transfer-encoding: chunked" in lower:
            raise ValueError("chunked responses are not read by this client")
        at = lower.index(b"content-length:") + len(b"content-length:")
        length = int(lower[at : lower.index(b"\r\n", at) if b"\r\n" in lower[at:] else len(lower)])
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed by the server")
            rest += chunk
        body, self.buf = rest[:length], rest[length:]
        if b"connection: close" in lower:
            self.sock.close()
            self.reconnects += 1
            self._connect()
        return int(head[9:12]), body


def setup(url: str, workload: str, sqs: bool) -> None:
    """The same resources on either server, made with boto3 through its endpoint (and the
    target queue on moto, which serves SQS too)."""
    events = boto3.client("events", region_name=REGION, endpoint_url=url)
    if workload == "describe_rule":
        for i in range(50):
            events.put_rule(Name=f"rule-{i:04d}", EventPattern=json.dumps({"source": [f"com.shop.other{i}"]}))
    else:
        # 10 rules, one of which matches the event and sends it to a queue.
        if sqs:
            boto3.client("sqs", region_name=REGION, endpoint_url=url).create_queue(QueueName="orders")
        for i in range(10):
            source = "com.shop.orders" if i == 0 else f"com.shop.other{i}"
            events.put_rule(Name=f"rule-{i:04d}", EventPattern=json.dumps({"source": [source]}))
        events.put_targets(Rule="rule-0000", Targets=[{"Id": "q", "Arn": QUEUE}])


REQUESTS = {
    "describe_rule": ("DescribeRule", {"Name": "rule-0007"}),
    "put_events": ("PutEvents", {"Entries": [ENTRY]}),
}


def check(conn: Connection, request: bytes, workload: str) -> None:
    status, body = conn.call(request)
    answer = json.loads(body)
    ok = answer.get("Name") == "rule-0007" if workload == "describe_rule" else answer.get("FailedEntryCount") == 0
    if status != 200 or not ok:
        raise AssertionError(f"{workload}: unexpected answer {status} {body[:200]!r}")


def one_connection(host: str, port: int, workload: str, requests: int, batches: int) -> float:
    """Median over batches of requests per second on one keep-alive connection."""
    conn = Connection(host, port)
    request = prepared(host, port, *REQUESTS[workload])
    check(conn, request, workload)
    for _ in range(max(requests // 10, 1)):  # warm up
        conn.call(request)
    rates = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(requests):
            conn.call(request)
        rates.append(requests / (time.perf_counter() - start))
    return statistics.median(rates)


def many_connections(host: str, port: int, workload: str, connections: int, seconds: float) -> float:
    """Requests per second answered in total while `connections` clients, one thread each,
    send requests back to back for `seconds`."""
    request = prepared(host, port, *REQUESTS[workload])
    conns = [Connection(host, port) for _ in range(connections)]
    for conn in conns:
        check(conn, request, workload)
    counts = [0] * connections
    go = threading.Event()
    stop_at = [0.0]

    def client(i: int) -> None:
        conn = conns[i]
        go.wait()
        n = 0
        while time.perf_counter() < stop_at[0]:
            conn.call(request)
            n += 1
        counts[i] = n

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    start = time.perf_counter()
    stop_at[0] = start + seconds
    go.set()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - start)


def measure(workload: str) -> dict:
    from moto.server import ThreadedMotoServer

    ours_requests, moto_requests = (2000, 100) if QUICK else (10000, 300)
    if workload == "put_events":
        moto_requests = 5 if QUICK else 20  # moto's PutEvents takes a good part of a second
    batches = 3 if QUICK else 7
    seconds = 2.0 if QUICK else 5.0
    result = {}
    with eventbridge_mock.server(backend=eventbridge_mock.Backend()) as ours:
        setup(ours.url, workload, sqs=False)
        host, port = ours.host, ours.port
        result["ours_1"] = one_connection(host, port, workload, ours_requests, batches)
        result["ours_8"] = many_connections(host, port, workload, 8, seconds)
    # Without a log line per request, which would slow moto down.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    try:
        host, port = moto.get_host_and_port()
        setup(f"http://{host}:{port}", workload, sqs=True)
        result["moto_1"] = one_connection(host, port, workload, moto_requests, batches)
        result["moto_8"] = many_connections(host, port, workload, 8, seconds)
    finally:
        moto.stop()
    return result


def main() -> None:
    try:
        import moto.server  # noqa: F401
    except ImportError:
        sys.exit("moto's server is not installed: pip install .[bench]")
    rows = {w: measure(w) for w in REQUESTS}
    print("| requests/s | eventbridge-mock | moto | ratio |")
    print("|---|---:|---:|---:|")
    for workload, r in rows.items():
        label = "put_events (1 entry, 10 rules, one match)" if workload == "put_events" else workload
        for n in (1, 8):
            ours, theirs = r[f"ours_{n}"], r[f"moto_{n}"]
            conns = "1 keep-alive connection" if n == 1 else f"{n} connections"
            print(f"| {label}, {conns} | {ours:,.0f} | {theirs:,.0f} | {ours / theirs:,.0f}× |")


if __name__ == "__main__":
    main()
