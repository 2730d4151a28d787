"""The server: AWS's JSON protocol over HTTP in front of the engine.

Responses and errors are compared byte for byte with what AWS sends (docs/aws-facts.md §8)
and parsed with botocore's own parser into the exception class and message a boto3 user
sees; other processes (a Python subprocess, the AWS CLI, ``python -m eventbridge_mock
serve``) share a mock's state through it; bad clients neither crash nor hold it.
"""

from __future__ import annotations

import datetime
import errno
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import boto3
import botocore.parsers
import pytest
from botocore.config import Config

import eventbridge_mock
from eventbridge_mock import _routing
from conftest import ACCOUNT, PATTERN, QUEUE_ARN, REGION

SIGNATURE = (
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/events/aws4_request, "
    "SignedHeaders=host;x-amz-target, Signature=" + "0" * 64
)
# AWS's limit on the HTTP body is unrecorded; the server's is in docs/decisions.md.
MAX_BODY = 10 * 1024 * 1024


@pytest.fixture
def server(backend):
    with eventbridge_mock.server(backend=backend) as srv:
        yield srv


def http_client(srv, **kwargs):
    """boto3 as production code makes it, pointed at the server."""
    kwargs.setdefault("region_name", REGION)
    kwargs.setdefault("aws_access_key_id", ACCOUNT)
    client = boto3.client("events", endpoint_url=srv.url, aws_secret_access_key="secret", **kwargs)
    # An active mock leaves a client pointed at one of the process's servers alone.
    assert _routing.is_own_server(client.meta.endpoint_url)
    return client


def post(srv, body: bytes, target: str | None = "AWSEvents.DescribeRule", headers: dict | None = None):
    """One raw request; returns (status, headers with lower-case names, body)."""
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
    all_headers = {"Content-Type": "application/x-amz-json-1.1", "Authorization": SIGNATURE}
    if target is not None:
        all_headers["X-Amz-Target"] = target
    all_headers.update(headers or {})
    conn.request("POST", "/", body=body, headers=all_headers)
    r = conn.getresponse()
    out = r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    conn.close()
    return out


def botocore_error(status: int, headers: dict, body: bytes, operation: str):
    """The exception boto3 raises for this HTTP response: botocore's JSON parser, then the
    client's exception class for the parsed code."""
    client = boto3.client("events", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    op = client.meta.service_model.operation_model(operation)
    parsed = botocore.parsers.create_parser("json").parse(
        {"status_code": status, "headers": headers, "body": body}, op.output_shape
    )
    return client.exceptions.from_code(parsed["Error"]["Code"])(parsed, operation)


def assert_aws_headers(headers: dict, body: bytes) -> None:
    assert headers["content-type"] == "application/x-amz-json-1.1"
    assert headers["content-length"] == str(len(body))
    assert str(uuid.UUID(headers["x-amzn-requestid"])) == headers["x-amzn-requestid"]
    assert re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT", headers["date"])


# Errors, byte for byte.

ERRORS = [
    (
        "an engine error",
        "AWSEvents.DescribeRule",
        b'{"Name": "nope"}',
        b'{"__type":"ResourceNotFoundException","message":"Rule nope does not exist on EventBus default."}',
        "ResourceNotFoundException",
    ),
    (
        "a service-side constraint",
        "AWSEvents.DescribeRule",
        b'{"Name": "a b"}',
        b'{"__type":"ValidationException","message":"1 validation error detected: Value \'a b\' at \'name\' '
        b"failed to satisfy constraint: Member must satisfy regular expression pattern: "
        b'[\\\\.\\\\-_A-Za-z0-9]+"}',
        "ClientError",
    ),
    (
        "a missing required member",
        "AWSEvents.DescribeRule",
        b"{}",
        b'{"__type":"ValidationException","message":"1 validation error detected: Value null at \'name\' '
        b'failed to satisfy constraint: Member must not be null"}',
        "ClientError",
    ),
    (
        "a value under its minimum",
        "AWSEvents.ListRules",
        b'{"Limit": 0}',
        b'{"__type":"ValidationException","message":"1 validation error detected: Value \'0\' at \'limit\' '
        b'failed to satisfy constraint: Member must have value greater than or equal to 1"}',
        "ClientError",
    ),
    (
        "malformed JSON",
        "AWSEvents.DescribeRule",
        b'{"Name": "r"',
        b'{"__type":"SerializationException"}',
        "ClientError",
    ),
    (
        "a member of the wrong type",
        "AWSEvents.DescribeRule",
        b'{"Name": 5}',
        b'{"__type":"SerializationException","Message":"NUMBER_VALUE can not be converted to an String"}',
        "ClientError",
    ),
    (
        "an object for a string",
        "AWSEvents.DescribeRule",
        b'{"Name": {"a": 1}}',
        b'{"__type":"SerializationException","Message":"Start of structure or map found where not expected."}',
        "ClientError",
    ),
    (
        "an unknown operation",
        "AWSEvents.DescribeRules",
        b"{}",
        b'{"__type":"UnknownOperationException"}',
        "ClientError",
    ),
    (
        "another service's target",
        "AmazonSQS.ListQueues",
        b"{}",
        b'{"__type":"UnknownOperationException"}',
        "ClientError",
    ),
    ("no target", None, b"{}", b'{"__type":"UnknownOperationException"}', "ClientError"),
]


@pytest.mark.parametrize("case,target,body,expected,exception", ERRORS, ids=[e[0] for e in ERRORS])
def test_error_responses_are_awss_bytes_and_botocore_parses_them(server, case, target, body, expected, exception):
    status, headers, got = post(server, body, target=target)
    assert (status, got) == (400, expected)
    assert_aws_headers(headers, got)
    answer = json.loads(expected)
    error = botocore_error(status, headers, got, "DescribeRule")
    assert type(error).__name__ == exception
    assert error.response["Error"] == {"Code": answer["__type"], "Message": answer.get("message", answer.get("Message", ""))}
    assert error.response["ResponseMetadata"]["RequestId"] == headers["x-amzn-requestid"]
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_errors_reach_boto3_as_the_in_process_client_raises_them(server, events):
    over_http = http_client(server)
    for client in (events, over_http):
        with pytest.raises(client.exceptions.ResourceNotFoundException) as e:
            client.describe_rule(Name="nope")
        assert e.value.response["Error"] == {"Code": "ResourceNotFoundException",
                                             "Message": "Rule nope does not exist on EventBus default."}
        assert str(e.value) == ("An error occurred (ResourceNotFoundException) when calling the DescribeRule "
                                "operation: Rule nope does not exist on EventBus default.")


def test_input_botocore_would_refuse_gets_the_services_errors(server):
    """Other SDKs and raw HTTP send anything: with botocore's own checks off, the service's."""
    raw = http_client(server, config=Config(parameter_validation=False))
    with pytest.raises(raw.exceptions.ClientError) as e:
        raw.describe_rule()
    assert e.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "1 validation error detected: Value null at 'name' failed to satisfy constraint: "
        "Member must not be null",
    }
    with pytest.raises(raw.exceptions.ClientError) as e:
        raw.put_rule(Name="", EventPattern=PATTERN, State="ON")
    assert e.value.response["Error"]["Message"] == (
        "3 validation errors detected: "
        "Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1; "
        "Value '' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: "
        r"[\.\-_A-Za-z0-9]+; "
        "Value 'ON' at 'state' failed to satisfy constraint: Member must satisfy enum value set: "
        "[ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]"
    )
    with pytest.raises(raw.exceptions.ClientError) as e:
        raw.list_rules(Limit="10")
    assert e.value.response["Error"] == {"Code": "SerializationException",
                                         "Message": "STRING_VALUE can not be converted to an Integer"}
    # Members the model does not have, and nulls, are left out as absent.
    body = json.dumps({"Name": "r", "EventPattern": PATTERN, "Extra": "x", "Description": None}).encode()
    status, headers, answer = post(server, body, target="AWSEvents.PutRule")
    assert (status, answer) == (200, b'{"RuleArn":"arn:aws:events:us-east-1:123456789012:rule/r"}')
    assert_aws_headers(headers, answer)
    assert "Description" not in raw.describe_rule(Name="r")


def test_a_body_over_the_limit_is_refused_as_aws_refuses_it(server):
    sock = socket.create_connection((server.host, server.port), timeout=10)
    sock.sendall(
        f"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSEvents.PutEvents\r\n"
        f"Content-Length: {MAX_BODY + 1}\r\n\r\n".encode()
        + b'{"Entries": [' * 1000
    )
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        chunk = sock.recv(1)
        assert chunk, head
        head += chunk
    lines = head.decode().split("\r\n")
    assert lines[0] == "HTTP/1.1 413 Payload Too Large"
    headers = dict(line.lower().split(": ", 1) for line in lines[1:] if line)
    assert headers["content-length"] == "0" and headers["connection"] == "close"
    assert set(headers) == {"content-length", "connection", "date"}
    # The server closes the connection rather than read what follows.
    sock.settimeout(10)
    assert sock.recv(100) == b""
    # botocore makes of it what boto3 showed for AWS's 413 (docs/aws-facts.md §8.1).
    error = botocore_error(413, headers, b"", "PutEvents")
    assert error.response["Error"] == {"Code": "413", "Message": ""}
    # A body of exactly the limit is read (and here is no JSON).
    status, _, body = post(server, b" " * (MAX_BODY - 2) + b"{]", target="AWSEvents.PutEvents")
    assert (status, body) == (400, b'{"__type":"SerializationException"}')


def test_a_slow_client_times_out_and_others_are_served_meanwhile(backend):
    with eventbridge_mock.server(backend=backend, timeout=0.5) as srv:
        never_finishes = socket.create_connection((srv.host, srv.port))
        never_finishes.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSEvents.ListRules\r\n")
        slow_body = socket.create_connection((srv.host, srv.port))
        slow_body.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSEvents.ListRules\r\nContent-Length: 20\r\n\r\n{")
        client = http_client(srv)
        client.put_rule(Name="r", EventPattern=PATTERN)
        assert client.describe_rule(Name="r")["Name"] == "r"
        started = time.monotonic()
        never_finishes.settimeout(10)
        assert never_finishes.recv(100) == b""  # closed without an answer
        assert time.monotonic() - started < 5
        slow_body.settimeout(10)
        assert slow_body.recv(100).startswith(b"HTTP/1.1 408 Request Timeout\r\n")
        assert client.list_rules()["Rules"][0]["Name"] == "r"


def test_garbage_and_many_connections_do_not_take_it_down(server):
    def garbage(payload: bytes) -> None:
        with socket.create_connection((server.host, server.port), timeout=10) as s:
            try:
                s.sendall(payload)
                s.shutdown(socket.SHUT_WR)
                while s.recv(4096):
                    pass
            except (ConnectionResetError, BrokenPipeError, OSError) as e:
                # The server may answer 400 and close before the garbage has all arrived.
                assert e.errno in (errno.ECONNRESET, errno.EPIPE, errno.ENOTCONN), e

    payloads = [b"\x00\xff" * 5000, b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\n\r\n",
                b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                b"POST / HTTP/1.1\r\nX-Amz-Target: AWSEvents.PutEvents\r\nContent-Length: 5\r\n\r\n\xff\xfe\x00{["]
    errors = []

    def hammer(i: int) -> None:
        try:
            c = http_client(server)
            for j in range(20):
                c.put_rule(Name=f"r{i}-{j}", EventPattern=PATTERN)
            garbage(payloads[i % len(payloads)])
        except Exception as e:  # noqa: BLE001 - collected and reported below
            errors.append(e)

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    names = [r["Name"] for page in http_client(server).get_paginator("list_rules").paginate() for r in page["Rules"]]
    assert len(names) == 200


# The account, the region and the state served.


def test_the_account_is_a_12_digit_access_key_else_the_mocks(backend):
    with eventbridge_mock.mock_events(account_id="111122223333") as mock, mock.server() as srv:
        http_client(srv, aws_access_key_id="AKIAIOSFODNN7EXAMPLE").create_event_bus(Name="a")
        http_client(srv, aws_access_key_id="444455556666", region_name="eu-west-1").create_event_bus(Name="b")
        buses = {b["Arn"] for region, account in [(REGION, "111122223333"), ("eu-west-1", "444455556666")]
                 for b in mock.client(region_name=region, account_id=account).list_event_buses()["EventBuses"]}
    assert buses == {
        "arn:aws:events:us-east-1:111122223333:event-bus/default",
        "arn:aws:events:us-east-1:111122223333:event-bus/a",
        "arn:aws:events:eu-west-1:444455556666:event-bus/default",
        "arn:aws:events:eu-west-1:444455556666:event-bus/b",
    }


def test_without_a_signature_the_servers_account_and_region(backend):
    with eventbridge_mock.server(backend=backend, account_id="210987654321", region_name="ap-south-1") as srv:
        status, headers, body = post(srv, b'{"Name": "x"}', target="AWSEvents.CreateEventBus",
                                     headers={"Authorization": "none"})
    assert status == 200
    assert json.loads(body) == {"EventBusArn": "arn:aws:events:ap-south-1:210987654321:event-bus/x"}
    assert_aws_headers(headers, body)


def test_timestamps_are_epoch_seconds_from_the_mocks_clock():
    with eventbridge_mock.mock_events(frozen_at="2026-01-02T03:04:05.678Z") as mock, mock.server() as srv:
        status, _, body = post(srv, b"{}", target="AWSEvents.ListEventBuses")
        assert status == 200
        assert json.loads(body)["EventBuses"][0]["CreationTime"] == 1767323045.678
        created = http_client(srv).describe_event_bus()["CreationTime"]
        assert created == datetime.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.timezone.utc)


def test_the_process_wide_state_by_default():
    with eventbridge_mock.server() as srv:
        name = f"shared-{uuid.uuid4().hex[:8]}"
        http_client(srv).create_event_bus(Name=name)
        names = [b["Name"] for b in eventbridge_mock.client(region_name=REGION).list_event_buses()["EventBuses"]]
        assert name in names


def test_url_stop_and_the_registry_of_own_servers(backend):
    srv = eventbridge_mock.server(backend=backend)
    assert srv.url == f"http://127.0.0.1:{srv.port}" and srv.port != 0
    assert srv.running and _routing.is_own_server(srv.url)
    assert _routing.is_own_server(f"http://localhost:{srv.port}/")
    assert repr(srv) == f"<eventbridge_mock.Server {srv.url} running>"
    srv.stop()
    srv.stop()
    assert not srv.running and not _routing.is_own_server(srv.url)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((srv.host, srv.port), timeout=5)


def test_a_port_in_use_is_an_os_error_and_a_timeout_must_be_positive(server, backend):
    with pytest.raises(OSError, match=f"127.0.0.1:{server.port}"):
        eventbridge_mock.server(port=server.port, backend=backend)
    for timeout in (0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="timeout must be positive"):
            eventbridge_mock.server(backend=backend, timeout=timeout)


def test_ipv6_loopback(backend):
    try:
        srv = eventbridge_mock.server(host="::1", backend=backend)
    except OSError:
        pytest.skip("this machine has no IPv6 loopback")
    with srv:
        assert srv.host == "::1" and srv.url == f"http://[::1]:{srv.port}"
        client = http_client(srv)
        client.create_event_bus(Name="six")
        assert client.describe_event_bus(Name="six")["Name"] == "six"


# Other processes sharing a mock.

PUT_EVENTS = textwrap.dedent(
    """
    import json, boto3
    events = boto3.client("events")   # production code, unchanged
    out = events.put_events(Entries=[
        {"Source": "orders", "DetailType": "Order", "Detail": json.dumps({"id": 1, "amount": 250})}])
    print(out["FailedEntryCount"], len(out["Entries"][0]["EventId"]))
    """
)


def subprocess_env(url: str) -> dict:
    env = dict(os.environ)
    env.update(AWS_ENDPOINT_URL_EVENTBRIDGE=url, AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE",
               AWS_SECRET_ACCESS_KEY="secret", AWS_DEFAULT_REGION=REGION)
    return env


def test_a_subprocess_puts_events_and_the_test_reads_the_deliveries():
    with eventbridge_mock.mock_events() as mock, mock.server() as srv:
        events = mock.client()
        events.put_rule(Name="orders", EventPattern=PATTERN)
        events.put_targets(Rule="orders", Targets=[{"Id": "q", "Arn": QUEUE_ARN, "InputPath": "$.detail"}])
        done = subprocess.run([sys.executable, "-c", PUT_EVENTS], env=subprocess_env(srv.url),
                              capture_output=True, text=True, timeout=60)
        assert (done.returncode, done.stdout, done.stderr) == (0, "0 36\n", "")
        assert mock.deliveries.to(QUEUE_ARN).payloads() == [{"id": 1, "amount": 250}]
        [delivery] = mock.deliveries
        assert (delivery.account, delivery.region, delivery.rule_name) == (ACCOUNT, REGION, "orders")


def test_a_forwarding_mock_forwards_what_a_subprocess_put():
    from moto import mock_aws

    with mock_aws(), eventbridge_mock.mock_events(forward_targets=True) as mock, mock.server() as srv:
        sqs = boto3.client("sqs", region_name=REGION)
        queue_url = sqs.create_queue(QueueName="queue")["QueueUrl"]
        events = mock.client()
        events.put_rule(Name="orders", EventPattern=PATTERN)
        events.put_targets(Rule="orders", Targets=[{"Id": "q", "Arn": QUEUE_ARN, "InputPath": "$.detail"}])
        done = subprocess.run([sys.executable, "-c", PUT_EVENTS], env=subprocess_env(srv.url),
                              capture_output=True, text=True, timeout=60)
        assert (done.returncode, done.stderr) == (0, "")
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
        assert [json.loads(m["Body"]) for m in messages] == [{"id": 1, "amount": 250}]


def serve(*args: str) -> tuple:
    proc = subprocess.Popen([sys.executable, "-m", "eventbridge_mock", "serve", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    return proc, line


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_the_serve_command_prints_its_url_first_and_stops_cleanly(sig):
    proc, line = serve()
    try:
        m = re.fullmatch(r"eventbridge-mock listening on (http://127\.0\.0\.1:(\d+))\n", line)
        assert m and int(m.group(2)) != 0, line
        client = boto3.client("events", endpoint_url=m.group(1), region_name=REGION,
                              aws_access_key_id=ACCOUNT, aws_secret_access_key="secret")
        client.put_rule(Name="r", EventPattern=PATTERN)
        assert client.describe_rule(Name="r")["Arn"] == f"arn:aws:events:{REGION}:{ACCOUNT}:rule/r"
    finally:
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    assert (proc.returncode, out, err) == (0, "", "")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", int(m.group(2))), timeout=5)


def test_the_serve_command_takes_host_and_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc, line = serve("--host", "127.0.0.1", "--port", str(port))
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert (line, proc.returncode, err) == (f"eventbridge-mock listening on http://127.0.0.1:{port}\n", 0, "")


def test_the_serve_command_reports_a_bad_port_in_one_line(server):
    for port, message in [(str(server.port), f"127.0.0.1:{server.port}: "), ("70000", "--port 70000: not a port number")]:
        done = subprocess.run([sys.executable, "-m", "eventbridge_mock", "serve", "--port", port],
                              capture_output=True, text=True, timeout=60)
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr.startswith(f"python -m eventbridge_mock serve: error: {message}"), done.stderr
        assert done.stderr.count("\n") == 1


@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_the_aws_cli_with_endpoint_url():
    with eventbridge_mock.mock_events() as mock, mock.server() as srv:
        env = subprocess_env(srv.url)
        del env["AWS_ENDPOINT_URL_EVENTBRIDGE"]  # the CLI's own flag this time

        def aws(*args: str):
            return subprocess.run(["aws", "events", *args, "--endpoint-url", srv.url, "--output", "json"],
                                  env=env, capture_output=True, text=True, timeout=120)

        put = aws("put-rule", "--name", "orders", "--event-pattern", PATTERN)
        assert put.returncode == 0, put.stderr
        assert json.loads(put.stdout) == {"RuleArn": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/orders"}
        assert mock.client().describe_rule(Name="orders")["EventPattern"] == PATTERN
        missing = aws("describe-rule", "--name", "nope")
        assert missing.returncode == 255 and missing.stdout == ""
        assert missing.stderr.strip() == ("An error occurred (ResourceNotFoundException) when calling the "
                                          "DescribeRule operation: Rule nope does not exist on EventBus default.")
