"""PutEvents end to end: AWS's checks, the envelope, routing, targets' input and the log."""

from __future__ import annotations

import datetime
import json
import uuid

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders"
OTHER_QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:other"


def entry(**overrides):
    e = {"Source": "com.shop", "DetailType": "Order Placed", "Detail": json.dumps({"id": 7, "total": 120})}
    e.update(overrides)
    return {k: v for k, v in e.items() if v is not None}


def rule_with_target(client, name="orders", pattern=None, bus=None, **target):
    bus_args = {"EventBusName": bus} if bus else {}
    client.put_rule(Name=name, EventPattern=json.dumps(pattern or {"source": ["com.shop"]}), **bus_args)
    client.put_targets(Rule=name, Targets=[{"Id": "t", "Arn": QUEUE, **target}], **bus_args)


def strip(resp):
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


def test_accepted_entries_get_event_ids_in_order(events):
    resp = events.put_events(Entries=[entry(), entry(), entry()])
    assert resp["FailedEntryCount"] == 0
    ids = [e["EventId"] for e in resp["Entries"]]
    assert [list(e) for e in resp["Entries"]] == [["EventId"]] * 3
    assert all(str(uuid.UUID(i)) == i for i in ids) and len(set(ids)) == 3


@pytest.mark.parametrize(
    "bad, code, message",
    [
        (entry(Source=None), "InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."),
        (entry(Source=""), "InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."),
        (entry(DetailType=None), "InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."),
        (entry(DetailType=""), "InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."),
        (entry(Detail=None), "InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."),
        (entry(Detail="[]"), "MalformedDetail", "Detail is malformed."),
        (entry(Detail="not json"), "MalformedDetail", "Detail is malformed."),
        (entry(Detail='"a string"'), "MalformedDetail", "Detail is malformed."),
        (entry(Source="aws.ec2"), "NotAuthorizedForSourceException", "Not authorized for the source."),
    ],
)
def test_per_entry_failures(events, bad, code, message):
    rule_with_target(events)
    resp = events.put_events(Entries=[entry(), bad, entry()])
    assert resp["FailedEntryCount"] == 1
    assert resp["Entries"][1] == {"ErrorCode": code, "ErrorMessage": message}
    assert "EventId" in resp["Entries"][0] and "EventId" in resp["Entries"][2]
    assert len(events.deliveries) == 2  # the good entries still go through


def test_more_than_ten_entries_is_a_validation_error(events):
    entries = [entry(Detail="{}") for _ in range(11)]
    with pytest.raises(ClientError) as e:
        events.put_events(Entries=entries)
    item = (
        "PutEventsRequestEntry(time=null, source=com.shop, resources=null, detailType=Order Placed, "
        "detail={}, eventBusName=null, traceHeader=null)"
    )
    assert e.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "1 validation error detected: Value '["
        + ", ".join([item] * 11)
        + "]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10",
    }


def test_request_size_limit_counts_as_aws_does(events):
    # Source (8) + DetailType (12) + Detail: exactly 1 MiB is accepted, one byte more is not.
    base = len("com.shop") + len("Order Placed") + len('{"p":""}')
    ok = entry(Detail=json.dumps({"p": "x" * (1024 * 1024 - base)}, separators=(",", ":")))
    assert events.put_events(Entries=[ok])["FailedEntryCount"] == 0
    big = entry(Detail=json.dumps({"p": "x" * (1024 * 1024 - base + 1)}, separators=(",", ":")))
    with pytest.raises(ClientError) as e:
        events.put_events(Entries=[big])
    assert e.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "Total size of the entries in the request is over the limit.",
    }
    assert len(events.deliveries) == 0


def test_envelope_as_aws_builds_it(events):
    rule_with_target(events)
    when = datetime.datetime(2026, 3, 1, 8, 30, 15, 500000, tzinfo=datetime.timezone.utc)
    resp = events.put_events(Entries=[entry(Time=when, Resources=["arn:aws:s3:::b"])])
    (d,) = events.deliveries
    assert d.payload == json.dumps(
        {
            "version": "0",
            "id": resp["Entries"][0]["EventId"],
            "detail-type": "Order Placed",
            "source": "com.shop",
            "account": ACCOUNT,
            "time": "2026-03-01T08:30:15Z",
            "region": "us-east-1",
            "resources": ["arn:aws:s3:::b"],
            "detail": {"id": 7, "total": 120},
        },
        separators=(",", ":"),
    )
    assert d.event == json.loads(d.payload)
    assert (d.rule_name, d.rule_arn, d.target_id, d.target_arn, d.event_bus_name) == (
        "orders",
        f"arn:aws:events:us-east-1:{ACCOUNT}:rule/orders",
        "t",
        QUEUE,
        "default",
    )
    assert d.succeeded is True and d.error is None
    assert d.time.tzinfo is not None


def test_only_enabled_matching_pattern_rules_fire(events):
    rule_with_target(events, "match", {"detail": {"total": [{"numeric": [">", 100]}]}})
    rule_with_target(events, "nomatch", {"detail": {"total": [{"numeric": ["<", 100]}]}})
    rule_with_target(events, "disabled")
    events.disable_rule(Name="disabled")
    events.put_rule(Name="scheduled", ScheduleExpression="rate(5 minutes)")
    events.put_targets(Rule="scheduled", Targets=[{"Id": "s", "Arn": OTHER_QUEUE}])
    events.put_events(Entries=[entry()])
    assert [d.rule_name for d in events.deliveries] == ["match"]
    events.enable_rule(Name="disabled")
    events.deliveries.clear()
    events.put_events(Entries=[entry()])
    assert sorted(d.rule_name for d in events.deliveries) == ["disabled", "match"]


def test_replacing_a_pattern_reroutes(events):
    rule_with_target(events, "r", {"source": ["nope"]})
    events.put_events(Entries=[entry()])
    assert len(events.deliveries) == 0
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["com.shop"]}))
    events.put_events(Entries=[entry()])
    assert len(events.deliveries) == 1


def test_deleted_rule_no_longer_fires(events):
    rule_with_target(events)
    events.remove_targets(Rule="orders", Ids=["t"])
    events.delete_rule(Name="orders")
    events.put_events(Entries=[entry()])
    assert len(events.deliveries) == 0


def test_custom_bus_by_name_and_arn_and_missing_bus(events):
    arn = events.create_event_bus(Name="shop")["EventBusArn"]
    rule_with_target(events, bus="shop")
    rule_with_target(events, "on-default")
    resp = events.put_events(
        Entries=[entry(EventBusName="shop"), entry(EventBusName=arn), entry(EventBusName="missing")]
    )
    assert resp["FailedEntryCount"] == 0 and len(resp["Entries"]) == 3
    assert [d.event_bus_name for d in events.deliveries] == ["shop", "shop"]
    assert events.deliveries[0].rule_arn == f"arn:aws:events:us-east-1:{ACCOUNT}:rule/shop/orders"


def test_input_input_path_and_transformer(events):
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["com.shop"]}))
    events.put_targets(
        Rule="r",
        Targets=[
            {"Id": "input", "Arn": QUEUE, "Input": '{"fixed": true}'},
            {"Id": "path", "Arn": QUEUE, "InputPath": "$.detail"},
            {
                "Id": "transformer",
                "Arn": QUEUE,
                "InputTransformer": {
                    "InputPathsMap": {"id": "$.detail.id", "src": "$.source"},
                    "InputTemplate": '{"order": <id>, "from": <src>, "rule": <aws.events.rule-name>}',
                },
            },
            {
                "Id": "text",
                "Arn": QUEUE,
                "InputTransformer": {
                    "InputPathsMap": {"id": "$.detail.id"},
                    "InputTemplate": '"Order <id> via <aws.events.rule-name>"',
                },
            },
        ],
    )
    events.put_events(Entries=[entry()])
    got = {d.target_id: d.payload for d in events.deliveries}
    assert got == {
        "input": '{"fixed": true}',
        "path": '{"id":7,"total":120}',
        "transformer": '{"order":7,"from":"com.shop","rule":"r"}',
        "text": '"Order 7 via r"',
    }


def test_string_templates_drop_the_quotes_inside_arrays_and_objects(events):
    # Recorded from AWS: radkawar/stackd inputs.json `embedded-values` (tests/transform_cases.json).
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["com.shop"]}))
    template = '"<p> item; <list>; <obj>; in JSON: <n>"'
    paths = {"p": "$.detail.p", "list": "$.detail.list", "obj": "$.detail.obj", "n": "$.detail.n"}
    events.put_targets(
        Rule="r", Targets=[{"Id": "t", "Arn": QUEUE, "InputTransformer": {"InputPathsMap": paths, "InputTemplate": template}}]
    )
    detail = {"p": ["HIGH"], "list": ["A", "B"], "obj": {"a": "x", "b": "y"}, "n": {"k": [1, "z"]}}
    events.put_events(Entries=[entry(Detail=json.dumps(detail))])
    assert [d.payload for d in events.deliveries] == ['"[HIGH] item; [A,B]; {a:x,b:y}; in JSON: {k:[1,z]}"']


def test_put_targets_rejects_several_input_kinds(events):
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["com.shop"]}))
    with pytest.raises(ClientError) as e:
        events.put_targets(Rule="r", Targets=[{"Id": "x", "Arn": QUEUE, "Input": "{}", "InputPath": "$.detail"}])
    assert e.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "Only one of Input, InputPath, or InputTransformer must be provided for target x.",
    }
    with pytest.raises(ClientError) as e:
        events.put_targets(
            Rule="r",
            Targets=[{"Id": "x", "Arn": QUEUE, "InputTransformer": {"InputPathsMap": {}, "InputTemplate": '"<nope>"'}}],
        )
    assert e.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "InputTemplate for target x contains invalid placeholder nope.",
    }


def test_delivery_log_filters(events):
    rule_with_target(events, "a")
    events.put_rule(Name="b", EventPattern=json.dumps({"source": ["com.shop"]}))
    events.put_targets(Rule="b", Targets=[{"Id": "o", "Arn": OTHER_QUEUE, "InputPath": "$.detail.id"}])
    events.put_events(Entries=[entry()])
    log = events.deliveries
    assert len(log) == 2
    assert log.to(OTHER_QUEUE).payloads() == [7]
    assert log.to("o") == log.to(OTHER_QUEUE)
    assert [d.target_arn for d in log.for_rule("a")] == [QUEUE]
    assert log.for_rule(f"arn:aws:events:us-east-1:{ACCOUNT}:rule/b").payloads() == [7]
    assert len(log.succeeded()) == 2 and len(log.failed()) == 0
    assert log.to(QUEUE)[0].json["detail"] == {"id": 7, "total": 120}
    log.clear()
    assert len(events.deliveries) == 0


def test_deliveries_are_shared_by_clients_of_one_backend(events, make_client):
    rule_with_target(events)
    other = make_client(region_name="us-east-1")
    other.put_events(Entries=[entry()])
    assert len(events.deliveries) == 1 and len(other.deliveries) == 1


def bus_target(client, rule, target_bus_arn, bus=None):
    bus_args = {"EventBusName": bus} if bus else {}
    client.put_rule(Name=rule, EventPattern=json.dumps({"source": ["com.shop"]}), **bus_args)
    client.put_targets(Rule=rule, Targets=[{"Id": "bus", "Arn": target_bus_arn}], **bus_args)


def test_event_bus_target_same_account_other_region(events, make_client):
    west = make_client(region_name="us-west-2")
    west_bus = west.create_event_bus(Name="central")["EventBusArn"]
    west.put_rule(Name="sink", EventBusName="central", EventPattern=json.dumps({"source": ["com.shop"]}))
    west.put_targets(Rule="sink", EventBusName="central", Targets=[{"Id": "q", "Arn": QUEUE}])
    bus_target(events, "forward", west_bus)
    events.put_events(Entries=[entry()])
    forward, sink = events.deliveries
    assert (forward.target_arn, forward.succeeded) == (west_bus, True)
    assert (sink.region, sink.event_bus_name, sink.rule_name) == ("us-west-2", "central", "sink")
    assert sink.event == forward.event


def test_cross_account_needs_the_receiving_bus_policy(events, make_client):
    other = make_client(account_id="210987654321")
    central = other.create_event_bus(Name="central")["EventBusArn"]
    other.put_rule(Name="sink", EventBusName="central", EventPattern=json.dumps({"source": ["com.shop"]}))
    other.put_targets(Rule="sink", EventBusName="central", Targets=[{"Id": "q", "Arn": QUEUE}])
    bus_target(events, "forward", central)
    events.put_events(Entries=[entry()])
    (refused,) = events.deliveries
    assert refused.succeeded is False
    assert refused.error == f"Account {ACCOUNT} is not authorized to put events on event bus {central}."
    events.deliveries.clear()
    other.put_permission(EventBusName="central", Action="events:PutEvents", Principal=ACCOUNT, StatementId="shop")
    events.put_events(Entries=[entry()])
    assert [(d.account, d.rule_name, d.succeeded) for d in events.deliveries] == [
        (ACCOUNT, "forward", True),
        ("210987654321", "sink", True),
    ]


def test_bus_loops_are_bounded(events):
    a = events.create_event_bus(Name="a")["EventBusArn"]
    b = events.create_event_bus(Name="b")["EventBusArn"]
    bus_target(events, "ab", b, bus="a")
    bus_target(events, "ba", a, bus="b")
    events.put_events(Entries=[entry(EventBusName="a")])
    log = events.deliveries
    assert len(log) == 6
    assert [d.succeeded for d in log] == [True] * 5 + [False]
    assert log[5].error == "The event has passed through too many event buses."


def test_a_failing_target_never_fails_put_events(events):
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["com.shop"]}))
    events.put_targets(Rule="r", Targets=[{"Id": "p", "Arn": QUEUE, "InputPath": "$.detail.missing"}])
    resp = events.put_events(Entries=[entry()])
    assert resp["FailedEntryCount"] == 0
    (d,) = events.deliveries
    assert d.succeeded is False and d.error
