"""With forward_targets, a delivery to an API destination is an HTTP request, as EventBridge
sends it (docs/aws-facts-connections.md §3), here to a local server on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from drop_in.local_http import Answer, LocalHttp
from eventbridge_mock import _http, mock_events
from secret_hygiene import API_KEY_VALUE, CLIENT_SECRET, HEADER_SECRET, PASSWORD, QUERY_SECRET, SECRETS

ROLE = "arn:aws:iam::123456789012:role/events"
ENTRY = {"Source": "shop", "DetailType": "OrderPlaced", "Detail": json.dumps({"id": 7, "total": 30})}
AWS_HEADERS = {
    "User-Agent": "Amazon/EventBridge/ApiDestinations",
    "Content-Type": "application/json; charset=utf-8",
    "Range": "bytes=0-1048575",
    "Accept-Encoding": "gzip,deflate",
    "Connection": "close",
}


@pytest.fixture
def server():
    s = LocalHttp()
    yield s
    s.close()


@pytest.fixture
def mock():
    with mock_events(forward_targets=True, frozen_at="2026-03-01T00:00:00Z") as m:
        yield m
        # No secret reaches the delivery log.
        assert not any(s in repr(list(m.deliveries)) for s in SECRETS)


def basic(user="user", password=PASSWORD):
    return {"BasicAuthParameters": {"Username": user, "Password": password}}


def api_key(**extra):
    return {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": API_KEY_VALUE}, **extra}


def oauth(server, **extra):
    return {
        "OAuthParameters": {
            "ClientParameters": {"ClientID": "client-id", "ClientSecret": CLIENT_SECRET},
            "AuthorizationEndpoint": server.url + "/oauth/token",
            "HttpMethod": "POST",
            **extra,
        }
    }


def route(events, endpoint, auth, kind="BASIC", method="POST", target=None, name="hook"):
    """A connection, an API destination on it and a rule sending shop events to it."""
    conn = events.create_connection(Name=f"{name}-conn", AuthorizationType=kind, AuthParameters=auth)
    dest = events.create_api_destination(
        Name=name, ConnectionArn=conn["ConnectionArn"], InvocationEndpoint=endpoint, HttpMethod=method
    )["ApiDestinationArn"]
    events.put_rule(Name=name, EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(Rule=name, Targets=[{"Id": "api", "Arn": dest, "RoleArn": ROLE, **(target or {})}])
    return dest


def outcome(mock):
    return [(d.succeeded, d.forwarded, d.note, d.error) for d in mock.deliveries]


def headers_of(request, *also):
    """The request's headers EventBridge sets, and ``also``."""
    return {k: v for k, v in request.headers.items() if k in AWS_HEADERS or k in also}


def test_api_key_request_as_eventbridge_sends_it(mock, server):
    events = mock.client()
    route(
        events,
        server.url + "/orders/*/items/*",
        api_key(),
        kind="API_KEY",
        method="PUT",
        target={
            "HttpParameters": {
                "PathParameterValues": ["o-1", "a b/c"],
                "HeaderParameters": {"x-source": "eventbridge"},
                "QueryStringParameters": {"page": "2", "tag": "x&y"},
            },
            "InputTransformer": {"InputPathsMap": {"id": "$.detail.id"}, "InputTemplate": '{"order": <id>}'},
        },
    )
    events.put_events(Entries=[ENTRY])
    [request] = server.requests
    assert request.method == "PUT"
    assert request.path == "/orders/o-1/items/a%20b%2Fc?page=2&tag=x%26y"
    assert headers_of(request, "x-source", "x-api-key", "Content-Length") == {
        **AWS_HEADERS,
        "x-source": "eventbridge",
        "x-api-key": API_KEY_VALUE,
        "Content-Length": "11",
    }
    assert request.body == b'{"order":7}'
    assert outcome(mock) == [(True, True, "HTTP 200", None)]


def test_basic_authorization_and_the_payload_after_input_path(mock, server):
    events = mock.client()
    route(events, server.url + "/hook", basic(), target={"InputPath": "$.detail"})
    events.put_events(Entries=[ENTRY])
    [request] = server.requests
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(f"user:{PASSWORD}".encode()).decode()
    assert request.json == {"id": 7, "total": 30}
    assert outcome(mock) == [(True, True, "HTTP 200", None)]


def test_the_whole_event_is_the_body_without_input(mock, server):
    events = mock.client()
    route(events, server.url + "/hook", basic())
    events.put_events(Entries=[ENTRY])
    [request] = server.requests
    [delivery] = mock.deliveries
    assert request.body == delivery.payload.encode()
    assert request.json["detail"] == {"id": 7, "total": 30}


def test_the_connections_parameters_take_precedence(mock, server):
    events = mock.client()
    auth = api_key(
        InvocationHttpParameters={
            "HeaderParameters": [
                {"Key": "x-tenant", "Value": "from-connection"},
                {"Key": "x-signature", "Value": HEADER_SECRET, "IsValueSecret": True},
            ],
            "QueryStringParameters": [{"Key": "key", "Value": QUERY_SECRET, "IsValueSecret": True}],
            "BodyParameters": [{"Key": "channel", "Value": "web"}],
        }
    )
    route(
        events,
        server.url + "/hook",
        auth,
        kind="API_KEY",
        target={
            "HttpParameters": {
                "HeaderParameters": {"x-tenant": "from-target", "x-other": "t"},
                "QueryStringParameters": {"key": "from-target", "page": "1"},
            },
            "InputPath": "$.detail",
        },
    )
    events.put_events(Entries=[ENTRY])
    [request] = server.requests
    assert request.path == f"/hook?key={QUERY_SECRET}&page=1"
    assert (request.headers["x-tenant"], request.headers["x-other"]) == ("from-connection", "t")
    assert request.headers["x-signature"] == HEADER_SECRET
    assert request.json == {"id": 7, "total": 30, "channel": "web"}


def test_body_parameters_leave_a_payload_that_is_not_an_object(mock, server):
    events = mock.client()
    auth = basic()
    auth["InvocationHttpParameters"] = {"BodyParameters": [{"Key": "channel", "Value": "web"}]}
    route(events, server.url + "/hook", auth, target={"Input": '"just text"'})
    events.put_events(Entries=[ENTRY])
    assert server.requests[0].body == b'"just text"'


def test_oauth_connection_is_authorized_with_a_token(mock, server):
    server.answer("/oauth/token", Answer.token("token-1"))
    events = mock.client()
    auth = oauth(
        server,
        OAuthHttpParameters={
            "BodyParameters": [
                {"Key": "grant_type", "Value": "client_credentials"},
                {"Key": "audience", "Value": "orders api"},
            ],
            "HeaderParameters": [{"Key": "x-auth", "Value": "yes"}],
            "QueryStringParameters": [{"Key": "realm", "Value": "shop"}],
        },
    )
    created = events.create_connection(Name="c", AuthorizationType="OAUTH_CLIENT_CREDENTIALS", AuthParameters=auth)
    assert created["ConnectionState"] == "AUTHORIZING"
    assert events.describe_connection(Name="c")["ConnectionState"] == "AUTHORIZED"
    [token_request] = server.requests
    assert token_request.method == "POST"
    assert token_request.path == "/oauth/token?realm=shop"
    basic_auth = base64.b64encode(f"client-id:{CLIENT_SECRET}".encode()).decode()
    assert {k: token_request.headers[k] for k in ("Authorization", "Content-Type", "x-auth")} == {
        "Authorization": f"Basic {basic_auth}",
        "Content-Type": "application/x-www-form-urlencoded",
        "x-auth": "yes",
    }
    assert token_request.body == b"grant_type=client_credentials&audience=orders+api"
    dest = events.create_api_destination(
        Name="d", ConnectionArn=created["ConnectionArn"], InvocationEndpoint=server.url + "/hook", HttpMethod="POST"
    )
    assert dest["ApiDestinationState"] == "ACTIVE"


def test_oauth_token_is_used_and_cached_until_it_nears_expiry(mock, server):
    server.answer("/oauth/token", Answer.token("token-1", expires_in=120), Answer.token("token-2", expires_in=120))
    events = mock.client()
    route(events, server.url + "/hook", oauth(server), kind="OAUTH_CLIENT_CREDENTIALS")
    events.put_events(Entries=[ENTRY])
    mock.clock.advance(seconds=59)
    events.put_events(Entries=[ENTRY])
    # 61 s after the token was fetched it has 59 s left: EventBridge refreshes it first.
    mock.clock.advance(seconds=2)
    events.put_events(Entries=[ENTRY])
    assert [r.headers["Authorization"] for r in server.to("/hook")] == [
        "Bearer token-1",
        "Bearer token-1",
        "Bearer token-2",
    ]
    assert len(server.to("/oauth/token")) == 2
    assert [d.note for d in mock.deliveries] == ["HTTP 200"] * 3


def test_a_401_fetches_a_new_oauth_token_and_retries(mock, server):
    server.answer("/oauth/token", Answer.token("old"), Answer.token("new"))
    server.answer("/hook", Answer(401), Answer(200))
    events = mock.client()
    route(
        events, server.url + "/hook", oauth(server), kind="OAUTH_CLIENT_CREDENTIALS",
        target={"RetryPolicy": {"MaximumRetryAttempts": 1}},
    )
    events.put_events(Entries=[ENTRY])
    assert [r.headers["Authorization"] for r in server.to("/hook")] == ["Bearer old", "Bearer new"]
    assert outcome(mock) == [(True, True, "HTTP 200", None)]


def test_an_authorization_endpoint_that_refuses_deauthorizes_the_connection(mock, server):
    server.answer("/oauth/token", Answer(400, b'{"error": "invalid_client"}'))
    events = mock.client()
    dest = route(events, server.url + "/hook", oauth(server), kind="OAUTH_CLIENT_CREDENTIALS")
    assert events.describe_connection(Name="hook-conn")["ConnectionState"] == "DEAUTHORIZED"
    assert events.describe_api_destination(Name="hook")["ApiDestinationState"] == "INACTIVE"
    events.put_events(Entries=[ENTRY])
    conn = events.describe_connection(Name="hook-conn")["ConnectionArn"]
    assert server.to("/hook") == []
    assert outcome(mock) == [
        (False, False, f"Connection {conn} is DEAUTHORIZED.", f"Connection {conn} is DEAUTHORIZED.")
    ]
    assert dest


def test_a_token_that_cannot_be_renewed_deauthorizes_the_connection(mock, server):
    server.answer("/oauth/token", Answer.token("token-1", expires_in=100), Answer(500))
    events = mock.client()
    route(events, server.url + "/hook", oauth(server), kind="OAUTH_CLIENT_CREDENTIALS",
          target={"RetryPolicy": {"MaximumRetryAttempts": 0}})
    mock.clock.advance(seconds=50)
    events.put_events(Entries=[ENTRY])
    conn = events.describe_connection(Name="hook-conn")
    assert conn["ConnectionState"] == "DEAUTHORIZED"
    message = (
        f"Connection {conn['ConnectionArn']} could not be authorized: the authorization endpoint "
        f"{server.url} answered HTTP 500"
    )
    assert server.to("/hook") == []
    assert outcome(mock) == [(False, True, message, message)]


def test_a_token_without_expiry_is_kept_until_refused(mock, server):
    server.answer("/oauth/token", Answer.token("forever", expires_in=None))
    events = mock.client()
    route(events, server.url + "/hook", oauth(server), kind="OAUTH_CLIENT_CREDENTIALS")
    events.put_events(Entries=[ENTRY])
    mock.clock.advance(days=30)
    events.put_events(Entries=[ENTRY])
    assert len(server.to("/oauth/token")) == 1
    assert [r.headers["Authorization"] for r in server.to("/hook")] == ["Bearer forever"] * 2


# Failures, retries and the dead-letter queue.


def test_server_errors_are_retried_as_the_retry_policy_allows(mock, server):
    server.answer("/hook", Answer(503))
    events = mock.client()
    route(events, server.url + "/hook", basic(), target={"RetryPolicy": {"MaximumRetryAttempts": 2}})
    events.put_events(Entries=[ENTRY])
    assert len(server.to("/hook")) == 3
    assert outcome(mock) == [
        (False, True, "HTTP 503 (after 3 attempts)", "HTTP 503 (after 3 attempts)")
    ]


def test_a_server_error_then_success(mock, server):
    server.answer("/hook", Answer(500), Answer(502), Answer(201))
    events = mock.client()
    route(events, server.url + "/hook", basic())
    events.put_events(Entries=[ENTRY])
    assert len(server.to("/hook")) == 3
    assert outcome(mock) == [(True, True, "HTTP 201", None)]


@pytest.mark.parametrize("status", [400, 403, 404, 409, 302])
def test_other_statuses_fail_without_retry(mock, server, status):
    server.answer("/hook", Answer(status, headers={"Location": server.url + "/elsewhere"}))
    events = mock.client()
    route(events, server.url + "/hook", basic(), target={"RetryPolicy": {"MaximumRetryAttempts": 5}})
    events.put_events(Entries=[ENTRY])
    assert len(server.requests) == 1
    assert outcome(mock) == [(False, True, f"HTTP {status}", f"HTTP {status}")]


def test_throttling_is_retried_until_a_negative_retry_after(mock, server):
    server.answer("/hook", Answer(429), Answer(429, headers={"Retry-After": "-1"}), Answer(200))
    events = mock.client()
    route(events, server.url + "/hook", basic(), target={"RetryPolicy": {"MaximumRetryAttempts": 5}})
    events.put_events(Entries=[ENTRY])
    assert len(server.requests) == 2
    assert outcome(mock) == [(False, True, "HTTP 429 (after 2 attempts)", "HTTP 429 (after 2 attempts)")]


def test_a_401_deauthorizes_a_basic_connection(mock, server):
    server.answer("/hook", Answer(401))
    events = mock.client()
    route(events, server.url + "/hook", basic(), target={"RetryPolicy": {"MaximumRetryAttempts": 5}})
    events.put_events(Entries=[ENTRY])
    assert len(server.requests) == 1
    assert events.describe_connection(Name="hook-conn")["ConnectionState"] == "DEAUTHORIZED"
    assert events.describe_api_destination(Name="hook")["ApiDestinationState"] == "INACTIVE"
    events.put_events(Entries=[ENTRY])
    assert len(server.requests) == 1
    conn = events.describe_connection(Name="hook-conn")["ConnectionArn"]
    assert outcome(mock)[1] == (False, False, f"Connection {conn} is DEAUTHORIZED.", f"Connection {conn} is DEAUTHORIZED.")


def test_a_timeout_is_retried(mock, server, monkeypatch):
    monkeypatch.setattr(_http, "TIMEOUT_SECONDS", 0.2)
    server.answer("/hook", Answer(200, delay=0.5), Answer(200))
    events = mock.client()
    route(events, server.url + "/hook", basic())
    events.put_events(Entries=[ENTRY])
    assert len(server.requests) == 2
    assert outcome(mock) == [(True, True, "HTTP 200", None)]


def test_an_endpoint_that_does_not_answer_in_time_fails(mock, server, monkeypatch):
    monkeypatch.setattr(_http, "TIMEOUT_SECONDS", 0.1)
    server.answer("/hook", Answer(200, delay=0.3))
    events = mock.client()
    route(events, server.url + "/hook", basic(), target={"RetryPolicy": {"MaximumRetryAttempts": 0}})
    events.put_events(Entries=[ENTRY])
    origin = server.url
    assert outcome(mock) == [
        (False, True, f"POST {origin} did not answer within 0.1 seconds", f"POST {origin} did not answer within 0.1 seconds")
    ]


def test_an_endpoint_nobody_listens_on_fails_after_retries(mock):
    closed = LocalHttp()
    url = closed.url
    closed.close()
    events = mock.client()
    route(events, url + "/hook", basic(), target={"RetryPolicy": {"MaximumRetryAttempts": 1}})
    events.put_events(Entries=[ENTRY])
    [(succeeded, forwarded, note, error)] = outcome(mock)
    assert (succeeded, forwarded) == (False, True)
    assert note == error
    assert note.startswith(f"POST {url} could not be reached (") and note.endswith(") (after 2 attempts)")


def test_a_failed_delivery_goes_to_the_dead_letter_queue(server):
    server.answer("/hook", Answer(500))
    with mock_aws(), mock_events(forward_targets=True) as mock:
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
        events = mock.client()
        dest = route(
            events,
            server.url + "/hook",
            basic(),
            target={
                "RetryPolicy": {"MaximumRetryAttempts": 1},
                "DeadLetterConfig": {"Arn": "arn:aws:sqs:us-east-1:123456789012:dlq"},
            },
        )
        events.put_events(Entries=[ENTRY])
        [message] = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"]
    [delivery] = mock.deliveries
    assert message["Body"] == delivery.payload
    assert {k: v["StringValue"] for k, v in message["MessageAttributes"].items()} == {
        "RULE_ARN": "arn:aws:events:us-east-1:123456789012:rule/hook",
        "TARGET_ARN": dest,
        "ERROR_CODE": "HTTP_500",
        "ERROR_MESSAGE": "HTTP 500 (after 2 attempts)",
    }


def test_a_deleted_api_destination_is_not_called(mock, server):
    events = mock.client()
    dest = route(events, server.url + "/hook", basic())
    events.delete_api_destination(Name="hook")
    events.put_events(Entries=[ENTRY])
    assert server.requests == []
    message = f"API destination {dest} does not exist."
    assert outcome(mock) == [(False, False, message, message)]


# What may be called.


def test_a_url_beyond_loopback_is_not_called(mock):
    events = mock.client()
    route(events, "https://hooks.example.com/orders", basic())
    events.put_events(Entries=[ENTRY])
    note = (
        "not forwarded: https://hooks.example.com is not a loopback address and forward_endpoints has no "
        "entry for it"
    )
    assert outcome(mock) == [(True, False, note, None)]


def test_an_authorization_endpoint_beyond_loopback_is_not_called():
    with mock_events(forward_targets=True) as mock:
        events = mock.client()
        auth = {
            "OAuthParameters": {
                "ClientParameters": {"ClientID": "id", "ClientSecret": CLIENT_SECRET},
                "AuthorizationEndpoint": "https://auth.example.com/token",
                "HttpMethod": "POST",
            }
        }
        route(events, "http://127.0.0.1:9/hook", auth, kind="OAUTH_CLIENT_CREDENTIALS")
        assert events.describe_connection(Name="hook-conn")["ConnectionState"] == "AUTHORIZING"
        events.put_events(Entries=[ENTRY])
        note = (
            "not forwarded: the authorization endpoint https://auth.example.com is not a loopback address "
            "and forward_endpoints has no entry for it"
        )
        assert outcome(mock) == [(True, False, note, None)]


def test_forward_endpoints_send_an_origin_elsewhere(server):
    with mock_events(
        forward_targets=True, forward_endpoints={"https://hooks.example.com": server.url + "/proxy"}
    ) as mock:
        events = mock.client()
        route(events, "https://hooks.example.com/orders/*", basic(), target={"HttpParameters": {"PathParameterValues": ["9"], "QueryStringParameters": {"a": "1"}}})
        events.put_events(Entries=[ENTRY])
        assert [r.path for r in server.requests] == ["/proxy/orders/9?a=1"]
        assert outcome(mock) == [(True, True, "HTTP 200", None)]


def test_without_forwarding_nothing_is_called(server):
    with mock_events() as mock:
        events = mock.client()
        route(events, server.url + "/hook", basic())
        events.put_events(Entries=[ENTRY])
        assert server.requests == []
        assert outcome(mock) == [(True, None, None, None)]


def test_deliveries_over_the_server_are_invoked_too(mock, server):
    events = mock.client()
    route(events, server.url + "/hook", basic(), target={"InputPath": "$.detail"})
    with mock.server() as srv:
        remote = boto3.client(
            "events", region_name="us-east-1", endpoint_url=srv.url,
            aws_access_key_id="123456789012", aws_secret_access_key="x",
        )
        remote.put_events(Entries=[ENTRY])
    assert [r.json for r in server.requests] == [{"id": 7, "total": 30}]
    assert outcome(mock) == [(True, True, "HTTP 200", None)]


@pytest.mark.parametrize("method", ["GET", "DELETE", "PATCH", "OPTIONS", "HEAD"])
def test_every_method_of_the_api_destination(mock, server, method):
    events = mock.client()
    route(events, server.url + "/hook", basic(), method=method, target={"Input": '{"a": 1}'})
    events.put_events(Entries=[ENTRY])
    [request] = server.requests
    assert (request.method, request.body) == (method, b'{"a": 1}')


def test_the_readme_examples_run(server):
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Connection secrets in Secrets Manager"):readme.index("### Migrating from moto")]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 2
    for block in blocks:
        exec(block, {"json": json, "boto3": boto3, "threading": __import__("threading"),
                     "mock_aws": mock_aws, "mock_events": mock_events})
