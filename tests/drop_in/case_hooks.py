"""Hooks registered on an EventBridge client's meta.events fire as botocore fires them, with
the same event names and arguments, while the mock answers the calls."""

import json

import boto3
import botocore.session
import pytest
from botocore.awsrequest import AWSResponse

from eventbridge_mock import _routing

EVENTS = ["provide-client-params", "before-parameter-build", "before-call", "after-call", "after-call-error"]
ARGUMENTS = {
    "provide-client-params": {"params", "model", "context"},
    "before-parameter-build": {"params", "model", "context"},
    "before-call": {"model", "params", "request_signer", "context"},
    "after-call": {"http_response", "parsed", "model", "context"},
}


def record(client):
    seen = []

    def handler(event_name, **kwargs):
        seen.append((event_name, set(kwargs)))

    for event in EVENTS:
        client.meta.events.register(f"{event}.events", handler)
    return seen


def botocores_own_events():
    """What botocore emits for the same call without any mock: its HTTP layer answered by a
    canned response, so nothing is sent."""
    client = botocore.session.get_session().create_client("events", region_name="us-east-1")
    seen = record(client)
    body = b'{"RuleArn": "arn:aws:events:us-east-1:123456789012:rule/r"}'

    def answer(request, **_kwargs):
        raw = type("Raw", (), {"stream": lambda self, **kw: iter([body])})()
        return AWSResponse(request.url, 200, {}, raw)

    client.meta.events.register_first("before-send", answer)
    client.put_rule(Name="r", ScheduleExpression="rate(1 hour)")
    return seen


# Made at import, before the fixture's mock starts.
BOTOCORES_OWN = botocores_own_events()


@pytest.mark.parametrize("made_by", ["boto3", "mock"])
def test_hooks_fire_with_botocores_names_and_arguments(eventbridge, made_by):
    client = boto3.client("events") if made_by == "boto3" else eventbridge.client()
    seen = record(client)
    client.put_rule(Name="r", ScheduleExpression="rate(1 hour)")
    assert seen == BOTOCORES_OWN
    assert [name for name, _ in seen] == [
        "provide-client-params.eventbridge.PutRule",
        "before-parameter-build.eventbridge.PutRule",
        "before-call.eventbridge.PutRule",
        "after-call.eventbridge.PutRule",
    ]
    for name, arguments in seen:
        assert ARGUMENTS[name.split(".")[0]] <= arguments


def test_a_hook_can_change_the_parameters(eventbridge):
    client = boto3.client("events")

    def describe(params, **_kwargs):
        params["Description"] = "set by a hook"

    client.meta.events.register("provide-client-params.events.PutRule", describe)
    client.put_rule(Name="r", ScheduleExpression="rate(1 hour)")
    assert eventbridge.client().describe_rule(Name="r")["Description"] == "set by a hook"


def test_after_call_sees_the_parsed_response_and_errors(eventbridge):
    client = boto3.client("events")
    parsed = []
    client.meta.events.register(
        "after-call.events.DescribeRule", lambda parsed=None, http_response=None, **kw: parsed_append(parsed, http_response)
    )

    def parsed_append(p, http):
        parsed.append((http.status_code, p.get("Error"), p.get("Name")))

    client.put_rule(Name="r", ScheduleExpression="rate(1 hour)")
    client.describe_rule(Name="r")
    with pytest.raises(client.exceptions.ResourceNotFoundException) as e:
        client.describe_rule(Name="missing")
    assert e.value.response["Error"] == {
        "Code": "ResourceNotFoundException",
        "Message": "Rule missing does not exist on EventBus default.",
    }
    assert parsed == [
        (200, None, "r"),
        (400, {"Code": "ResourceNotFoundException", "Message": "Rule missing does not exist on EventBus default."}, None),
    ]


def test_session_hooks_registered_before_the_client_fire(eventbridge):
    session = boto3.Session(region_name="us-east-1")
    seen = []
    session.events.register("before-call.events.ListRules", lambda model, **kw: seen.append(model.name))
    client = session.client("events")
    assert client.list_rules()["Rules"] == []
    assert seen == ["ListRules"]


def test_without_hooks_calls_take_the_direct_path(eventbridge):
    client = boto3.client("events")
    assert not _routing.has_hooks(client, "PutRule")
    handler = lambda **kw: None  # noqa: E731
    client.meta.events.register("before-call.events.PutRule", handler)
    assert _routing.has_hooks(client, "PutRule") and not _routing.has_hooks(client, "ListRules")
    client.meta.events.unregister("before-call.events.PutRule", handler)
    assert not _routing.has_hooks(client, "PutRule")


def test_put_events_through_hooks_delivers(eventbridge):
    client = boto3.client("events")
    seen = record(client)
    client.put_rule(Name="r", EventPattern=json.dumps({"source": ["a"]}))
    client.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:q"}])
    assert client.put_events(Entries=[{"Source": "a", "DetailType": "t", "Detail": "{}"}])["FailedEntryCount"] == 0
    assert len(eventbridge.deliveries) == 1 and len(seen) == 12
