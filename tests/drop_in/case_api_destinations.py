"""API destinations and connection secrets in a process whose network is blocked: a local
endpoint is invoked, anything beyond loopback is left alone (and the harness fails the case
if it is reached), and secrets go to moto or to the Secrets Manager endpoint given."""

import json

import boto3
import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer

from eventbridge_mock import mock_events
from local_http import Answer, LocalHttp

ROLE = "arn:aws:iam::123456789012:role/events"
ENTRY = {"Source": "com.shop", "DetailType": "OrderPlaced", "Detail": '{"id": 1}'}
BASIC = {"BasicAuthParameters": {"Username": "user", "Password": "pw-Secret-4a1"}}


@pytest.fixture
def local():
    server = LocalHttp()
    yield server
    server.close()


def route(events, endpoint, kind="BASIC", auth=BASIC):
    conn = events.create_connection(Name="conn", AuthorizationType=kind, AuthParameters=auth)["ConnectionArn"]
    dest = events.create_api_destination(
        Name="hook", ConnectionArn=conn, InvocationEndpoint=endpoint, HttpMethod="POST"
    )["ApiDestinationArn"]
    events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["com.shop"]}))
    events.put_targets(Rule="orders", Targets=[{"Id": "hook", "Arn": dest, "RoleArn": ROLE, "InputPath": "$.detail"}])


@pytest.mark.eventbridge(forward_targets=True)
def test_a_local_endpoint_is_invoked(eventbridge, local):
    events = boto3.client("events")
    route(events, local.url + "/orders")
    events.put_events(Entries=[ENTRY])
    assert [(r.method, r.path, r.json) for r in local.requests] == [("POST", "/orders", {"id": 1})]
    assert [(d.succeeded, d.forwarded, d.note) for d in eventbridge.deliveries] == [(True, True, "HTTP 200")]


@pytest.mark.eventbridge(forward_targets=True)
def test_an_endpoint_on_the_internet_is_not_called(eventbridge):
    events = boto3.client("events")
    route(events, "https://hooks.example.com/orders")
    events.put_events(Entries=[ENTRY])
    assert [(d.succeeded, d.forwarded, d.note) for d in eventbridge.deliveries] == [
        (
            True,
            False,
            "not forwarded: https://hooks.example.com is not a loopback address and forward_endpoints has no "
            "entry for it",
        )
    ]


@pytest.mark.eventbridge(forward_targets=True)
def test_an_authorization_endpoint_on_the_internet_is_not_called(eventbridge, local):
    events = boto3.client("events")
    oauth = {
        "OAuthParameters": {
            "ClientParameters": {"ClientID": "id", "ClientSecret": "client-Secret-9e3"},
            "AuthorizationEndpoint": "https://login.example.com/oauth2/token",
            "HttpMethod": "POST",
        }
    }
    route(events, local.url + "/orders", kind="OAUTH_CLIENT_CREDENTIALS", auth=oauth)
    assert events.describe_connection(Name="conn")["ConnectionState"] == "AUTHORIZING"
    events.put_events(Entries=[ENTRY])
    assert local.requests == []
    assert [d.forwarded for d in eventbridge.deliveries] == [False]


@pytest.mark.eventbridge(forward_targets=True)
def test_oauth_with_a_local_authorization_endpoint(eventbridge, local):
    local.answer("/token", Answer.token("t-1"))
    events = boto3.client("events")
    oauth = {
        "OAuthParameters": {
            "ClientParameters": {"ClientID": "id", "ClientSecret": "client-Secret-9e3"},
            "AuthorizationEndpoint": local.url + "/token",
            "HttpMethod": "POST",
        }
    }
    route(events, local.url + "/orders", kind="OAUTH_CLIENT_CREDENTIALS", auth=oauth)
    assert events.describe_connection(Name="conn")["ConnectionState"] == "AUTHORIZED"
    events.put_events(Entries=[ENTRY])
    assert [r.headers["Authorization"] for r in local.to("/orders")] == ["Bearer t-1"]


@pytest.mark.eventbridge(forward_targets=True)
@mock_aws
def test_the_connection_secret_is_in_moto(eventbridge):
    events = boto3.client("events")
    events.create_connection(Name="conn", AuthorizationType="BASIC", AuthParameters=BASIC)
    secret_arn = events.describe_connection(Name="conn")["SecretArn"]
    value = boto3.client("secretsmanager").get_secret_value(SecretId=secret_arn)
    assert json.loads(value["SecretString"]) == {"username": "user", "password": "pw-Secret-4a1"}


def test_the_connection_secret_goes_to_the_endpoint_given():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    try:
        with mock_events(forward_targets=True, forward_endpoints={"secretsmanager": url}):
            events = boto3.client("events")
            events.create_connection(Name="conn", AuthorizationType="BASIC", AuthParameters=BASIC)
            secret_arn = events.describe_connection(Name="conn")["SecretArn"]
        sm = boto3.client("secretsmanager", endpoint_url=url)
        assert json.loads(sm.get_secret_value(SecretId=secret_arn)["SecretString"])["username"] == "user"
    finally:
        server.stop()
