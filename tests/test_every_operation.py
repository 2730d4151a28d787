"""Every operation of the installed botocore model: the client has it, a minimal valid call
succeeds, and every member of the response is modeled, with the modeled Python type. Each
test runs twice: on the in-process client, and with boto3 over HTTP through the server
(``eventbridge_mock.server``), the account given as a 12-digit access key id.

An operation the engine does not implement raises NotImplementedError here and FAILS: the
list of operations comes from botocore, not from this file, so a new operation in a newer
botocore fails too until someone implements it and adds its minimal call below.
"""

from __future__ import annotations

import datetime
import json

import boto3
import botocore.session
import pytest
from botocore import xform_name

import eventbridge_mock
from conftest import ACCOUNT, QUEUE_ARN, REGION, bus_arn, rule_arn

MODEL = botocore.session.get_session().get_service_model("events")
PARTNER = "111111111111"
SOURCE = "aws.partner/example.com/tenant/orders"
SECONDARY = "us-west-2"
ENTRY = {"Source": "com.shop", "DetailType": "Order", "Detail": json.dumps({"id": 1})}
PATTERN = json.dumps({"source": ["com.shop"]})
API_KEY_AUTH = {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "secret"}}
ENDPOINT = {
    "RoutingConfig": {
        "FailoverConfig": {
            "Primary": {"HealthCheck": "arn:aws:route53:::healthcheck/0a1b2c3d"},
            "Secondary": {"Route": SECONDARY},
        }
    },
    "EventBuses": [{"EventBusArn": bus_arn("orders")}, {"EventBusArn": bus_arn("orders", region=SECONDARY)}],
    "ReplicationConfig": {"State": "DISABLED"},
}


@pytest.fixture(params=["in-process", "over HTTP"])
def make_client(request, backend, make_client):
    """The conftest's clients, or boto3 clients reaching the same backend through the server."""
    if request.param == "in-process":
        yield make_client
        return
    sent = []
    with eventbridge_mock.server(backend=backend) as srv:

        def make(region_name: str = REGION, account_id: str = ACCOUNT):
            client = boto3.client(
                "events",
                region_name=region_name,
                endpoint_url=srv.url,
                aws_access_key_id=account_id,
                aws_secret_access_key="secret",
            )
            client.meta.events.register("before-send.events", lambda request, **_: sent.append(request.url))
            return client

        yield make
    assert sent and set(sent) == {srv.url + "/"}, "the calls did not go over HTTP"


# Prerequisites.


def rule(c):
    c.put_rule(Name="r", EventPattern=PATTERN)


def rule_with_target(c):
    rule(c)
    c.put_targets(Rule="r", Targets=[{"Id": "t", "Arn": QUEUE_ARN}])


def connection(c):
    return c.create_connection(Name="conn", AuthorizationType="API_KEY", AuthParameters=API_KEY_AUTH)["ConnectionArn"]


def api_destination(c):
    c.create_api_destination(
        Name="dest", ConnectionArn=connection(c), InvocationEndpoint="https://example.com/hook", HttpMethod="POST"
    )


def archive(c):
    return c.create_archive(ArchiveName="arch", EventSourceArn=bus_arn("default"))["ArchiveArn"]


def replay(c):
    now = datetime.datetime.now(datetime.timezone.utc)
    c.start_replay(
        ReplayName="rep",
        EventSourceArn=archive(c),
        EventStartTime=now - datetime.timedelta(hours=1),
        EventEndTime=now,
        Destination={"Arn": bus_arn("default")},
    )


def offered(c, mk):
    mk(account_id=PARTNER).create_partner_event_source(Name=SOURCE, Account=ACCOUNT)


def partner_bus(c, mk):
    offered(c, mk)
    c.create_event_bus(Name=SOURCE, EventSourceName=SOURCE)


def endpoint(c):
    c.create_endpoint(Name="ep", **ENDPOINT)


def permission(c):
    c.put_permission(Action="events:PutEvents", Principal="210987654321", StatementId="s")


# op -> (client, make_client) -> (client to call with, kwargs). The call must succeed.
CALLS = {
    "ActivateEventSource": lambda c, mk: (partner_bus(c, mk), (c, {"Name": SOURCE}))[1],
    "CancelReplay": lambda c, mk: (replay(c), (c, {"ReplayName": "rep"}))[1],
    "CreateApiDestination": lambda c, mk: (
        c,
        {
            "Name": "dest",
            "ConnectionArn": connection(c),
            "InvocationEndpoint": "https://example.com/hook",
            "HttpMethod": "POST",
        },
    ),
    "CreateArchive": lambda c, mk: (c, {"ArchiveName": "arch", "EventSourceArn": bus_arn("default")}),
    "CreateConnection": lambda c, mk: (c, {"Name": "conn", "AuthorizationType": "API_KEY", "AuthParameters": API_KEY_AUTH}),
    "CreateEndpoint": lambda c, mk: (c, {"Name": "ep", **ENDPOINT}),
    "CreateEventBus": lambda c, mk: (c, {"Name": "orders"}),
    "CreatePartnerEventSource": lambda c, mk: (mk(account_id=PARTNER), {"Name": SOURCE, "Account": ACCOUNT}),
    "DeactivateEventSource": lambda c, mk: (partner_bus(c, mk), (c, {"Name": SOURCE}))[1],
    "DeauthorizeConnection": lambda c, mk: (connection(c), (c, {"Name": "conn"}))[1],
    "DeleteApiDestination": lambda c, mk: (api_destination(c), (c, {"Name": "dest"}))[1],
    "DeleteArchive": lambda c, mk: (archive(c), (c, {"ArchiveName": "arch"}))[1],
    "DeleteConnection": lambda c, mk: (connection(c), (c, {"Name": "conn"}))[1],
    "DeleteEndpoint": lambda c, mk: (endpoint(c), (c, {"Name": "ep"}))[1],
    "DeleteEventBus": lambda c, mk: (c.create_event_bus(Name="orders"), (c, {"Name": "orders"}))[1],
    "DeletePartnerEventSource": lambda c, mk: (
        offered(c, mk),
        (mk(account_id=PARTNER), {"Name": SOURCE, "Account": ACCOUNT}),
    )[1],
    "DeleteRule": lambda c, mk: (rule(c), (c, {"Name": "r"}))[1],
    "DescribeApiDestination": lambda c, mk: (api_destination(c), (c, {"Name": "dest"}))[1],
    "DescribeArchive": lambda c, mk: (archive(c), (c, {"ArchiveName": "arch"}))[1],
    "DescribeConnection": lambda c, mk: (connection(c), (c, {"Name": "conn"}))[1],
    "DescribeEndpoint": lambda c, mk: (endpoint(c), (c, {"Name": "ep"}))[1],
    "DescribeEventBus": lambda c, mk: (permission(c), (c, {}))[1],
    "DescribeEventSource": lambda c, mk: (offered(c, mk), (c, {"Name": SOURCE}))[1],
    "DescribePartnerEventSource": lambda c, mk: (offered(c, mk), (mk(account_id=PARTNER), {"Name": SOURCE}))[1],
    "DescribeReplay": lambda c, mk: (replay(c), (c, {"ReplayName": "rep"}))[1],
    "DescribeRule": lambda c, mk: (rule(c), (c, {"Name": "r"}))[1],
    "DisableRule": lambda c, mk: (rule(c), (c, {"Name": "r"}))[1],
    "EnableRule": lambda c, mk: (rule(c), (c, {"Name": "r"}))[1],
    "ListApiDestinations": lambda c, mk: (api_destination(c), (c, {}))[1],
    "ListArchives": lambda c, mk: (archive(c), (c, {}))[1],
    "ListConnections": lambda c, mk: (connection(c), (c, {}))[1],
    "ListEndpoints": lambda c, mk: (endpoint(c), (c, {}))[1],
    "ListEventBuses": lambda c, mk: (permission(c), (c, {}))[1],
    "ListEventSources": lambda c, mk: (offered(c, mk), (c, {}))[1],
    "ListPartnerEventSourceAccounts": lambda c, mk: (
        offered(c, mk),
        (mk(account_id=PARTNER), {"EventSourceName": SOURCE}),
    )[1],
    "ListPartnerEventSources": lambda c, mk: (
        offered(c, mk),
        (mk(account_id=PARTNER), {"NamePrefix": "aws.partner/example.com/"}),
    )[1],
    "ListReplays": lambda c, mk: (replay(c), (c, {}))[1],
    "ListRuleNamesByTarget": lambda c, mk: (rule_with_target(c), (c, {"TargetArn": QUEUE_ARN}))[1],
    "ListRules": lambda c, mk: (rule(c), (c, {}))[1],
    "ListTagsForResource": lambda c, mk: (
        c.put_rule(Name="r", EventPattern=PATTERN, Tags=[{"Key": "k", "Value": "v"}]),
        (c, {"ResourceARN": rule_arn("r")}),
    )[1],
    "ListTargetsByRule": lambda c, mk: (rule_with_target(c), (c, {"Rule": "r"}))[1],
    "PutEvents": lambda c, mk: (rule_with_target(c), (c, {"Entries": [ENTRY]}))[1],
    "PutPartnerEvents": lambda c, mk: (
        partner_bus(c, mk),
        (mk(account_id=PARTNER), {"Entries": [{**ENTRY, "Source": SOURCE}]}),
    )[1],
    "PutPermission": lambda c, mk: (c, {"Action": "events:PutEvents", "Principal": "210987654321", "StatementId": "s"}),
    "PutRule": lambda c, mk: (c, {"Name": "r", "EventPattern": PATTERN}),
    "PutTargets": lambda c, mk: (rule(c), (c, {"Rule": "r", "Targets": [{"Id": "t", "Arn": QUEUE_ARN}]}))[1],
    "RemovePermission": lambda c, mk: (permission(c), (c, {"StatementId": "s"}))[1],
    "RemoveTargets": lambda c, mk: (rule_with_target(c), (c, {"Rule": "r", "Ids": ["t"]}))[1],
    "StartReplay": lambda c, mk: (
        c,
        {
            "ReplayName": "rep",
            "EventSourceArn": archive(c),
            "EventStartTime": datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
            "EventEndTime": datetime.datetime(2026, 1, 2, tzinfo=datetime.timezone.utc),
            "Destination": {"Arn": bus_arn("default")},
        },
    ),
    "TagResource": lambda c, mk: (rule(c), (c, {"ResourceARN": rule_arn("r"), "Tags": [{"Key": "k", "Value": "v"}]}))[1],
    "TestEventPattern": lambda c, mk: (
        c,
        {
            "EventPattern": PATTERN,
            "Event": json.dumps(
                {
                    "id": "1",
                    "detail-type": "Order",
                    "source": "com.shop",
                    "account": ACCOUNT,
                    "time": "2026-01-01T00:00:00Z",
                    "region": REGION,
                    "resources": [],
                    "detail": {},
                }
            ),
        },
    ),
    "UntagResource": lambda c, mk: (
        c.put_rule(Name="r", EventPattern=PATTERN, Tags=[{"Key": "k", "Value": "v"}]),
        (c, {"ResourceARN": rule_arn("r"), "TagKeys": ["k"]}),
    )[1],
    "UpdateApiDestination": lambda c, mk: (api_destination(c), (c, {"Name": "dest"}))[1],
    "UpdateArchive": lambda c, mk: (archive(c), (c, {"ArchiveName": "arch", "Description": "d"}))[1],
    "UpdateConnection": lambda c, mk: (connection(c), (c, {"Name": "conn", "Description": "d"}))[1],
    "UpdateEndpoint": lambda c, mk: (endpoint(c), (c, {"Name": "ep", "Description": "d"}))[1],
    "UpdateEventBus": lambda c, mk: (c, {"Description": "d"}),
}

PYTHON_TYPES = {
    "string": str,
    "integer": int,
    "long": int,
    "boolean": bool,
    "timestamp": datetime.datetime,
    "blob": bytes,
    "double": float,
    "float": float,
    "list": list,
    "structure": dict,
    "map": dict,
}


def check_shape(value, shape, path):
    """Every member of `value` is modeled by `shape`, with the modeled Python type."""
    expected = PYTHON_TYPES[shape.type_name]
    assert isinstance(value, expected), f"{path}: {type(value).__name__} is not {expected.__name__}"
    if expected is int:
        assert not isinstance(value, bool), f"{path}: bool where {shape.type_name} is modeled"
    if shape.type_name == "structure":
        for key, member in value.items():
            assert key in shape.members, f"{path}.{key} is not a member of {shape.name}"
            check_shape(member, shape.members[key], f"{path}.{key}")
    elif shape.type_name == "list":
        for i, member in enumerate(value):
            check_shape(member, shape.member, f"{path}[{i}]")
    elif shape.type_name == "map":
        for key, member in value.items():
            check_shape(key, shape.key, f"{path} key")
            check_shape(member, shape.value, f"{path}[{key!r}]")


def test_every_modeled_operation_has_a_minimal_call():
    assert sorted(MODEL.operation_names) == sorted(CALLS), "operations without a minimal call in CALLS"


@pytest.mark.parametrize("operation", MODEL.operation_names)
def test_operation(operation, events, make_client):
    method = xform_name(operation)
    assert callable(getattr(events, method, None)), f"the client has no {method}"
    assert operation in CALLS, f"no minimal call for {operation}"
    client, kwargs = CALLS[operation](events, make_client)
    op_model = MODEL.operation_model(operation)
    response = getattr(client, method)(**kwargs)
    assert isinstance(response.pop("ResponseMetadata"), dict)
    output = op_model.output_shape
    if output is None:
        assert response == {}
    else:
        check_shape(response, output, operation)
