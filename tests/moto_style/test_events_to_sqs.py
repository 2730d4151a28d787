"""EventBridge rules delivering to SQS, tested the way moto users do."""

import json
from datetime import datetime, timezone
from unittest.mock import ANY

import boto3
import pytest
from moto import mock_aws

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"


def create_queue(sqs, name="events-queue"):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def receive(sqs, url, n=10):
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=n, WaitTimeSeconds=0).get("Messages", [])


@mock_aws
def test_event_is_delivered_to_sqs_as_the_full_envelope():
    client = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    url, arn = create_queue(sqs)
    client.put_rule(Name="orders", EventPattern=json.dumps({"source": ["com.shop"]}), State="ENABLED")
    client.put_targets(Rule="orders", Targets=[{"Id": "queue", "Arn": arn}])

    response = client.put_events(
        Entries=[
            {
                "Source": "com.shop",
                "DetailType": "Order Placed",
                "Detail": json.dumps({"orderId": "o-1", "total": 42.5, "items": [1, 2]}),
                "Resources": ["arn:aws:shop:::order/o-1"],
                "Time": datetime(2024, 3, 1, 12, 30, tzinfo=timezone.utc),
            }
        ]
    )
    assert response["FailedEntryCount"] == 0

    messages = receive(sqs, url)
    assert len(messages) == 1
    body = json.loads(messages[0]["Body"])
    assert body == {
        "version": "0",
        "id": response["Entries"][0]["EventId"],
        "detail-type": "Order Placed",
        "source": "com.shop",
        "account": ACCOUNT_ID,
        "time": "2024-03-01T12:30:00Z",
        "region": REGION,
        "resources": ["arn:aws:shop:::order/o-1"],
        "detail": {"orderId": "o-1", "total": 42.5, "items": [1, 2]},
    }
    assert list(body) == ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]


@mock_aws
def test_envelope_without_time_or_resources():
    client = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    url, arn = create_queue(sqs)
    client.put_rule(Name="all-shop", EventPattern=json.dumps({"source": ["com.shop"]}))
    client.put_targets(Rule="all-shop", Targets=[{"Id": "1", "Arn": arn}])

    client.put_events(Entries=[{"Source": "com.shop", "DetailType": "Ping", "Detail": "{}"}])

    [message] = receive(sqs, url)
    assert json.loads(message["Body"]) == {
        "version": "0",
        "id": ANY,
        "detail-type": "Ping",
        "source": "com.shop",
        "account": ACCOUNT_ID,
        "time": ANY,
        "region": REGION,
        "resources": [],
        "detail": {},
    }


@mock_aws
def test_non_matching_events_are_not_delivered():
    client = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    url, arn = create_queue(sqs)
    client.put_rule(
        Name="big-orders",
        EventPattern=json.dumps({"source": ["com.shop"], "detail": {"total": [{"numeric": [">", 100]}]}}),
    )
    client.put_targets(Rule="big-orders", Targets=[{"Id": "1", "Arn": arn}])

    client.put_events(
        Entries=[
            {"Source": "com.shop", "DetailType": "Order", "Detail": json.dumps({"total": 5})},
            {"Source": "com.other", "DetailType": "Order", "Detail": json.dumps({"total": 500})},
            {"Source": "com.shop", "DetailType": "Order", "Detail": json.dumps({"total": 150})},
        ]
    )

    messages = receive(sqs, url)
    assert [json.loads(m["Body"])["detail"] for m in messages] == [{"total": 150}]


@mock_aws
def test_prefix_and_anything_but_patterns():
    client = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    url, arn = create_queue(sqs)
    pattern = {"detail-type": [{"prefix": "Order"}], "detail": {"status": [{"anything-but": "cancelled"}]}}
    client.put_rule(Name="orders", EventPattern=json.dumps(pattern))
    client.put_targets(Rule="orders", Targets=[{"Id": "1", "Arn": arn}])

    for detail_type, status in [("Order Placed", "new"), ("Order Updated", "cancelled"), ("Refund", "new"),
                                ("Order Shipped", "shipped")]:
        client.put_events(
            Entries=[{"Source": "shop", "DetailType": detail_type, "Detail": json.dumps({"status": status})}]
        )

    bodies = [json.loads(m["Body"]) for m in receive(sqs, url)]
    assert [(b["detail-type"], b["detail"]["status"]) for b in bodies] == [
        ("Order Placed", "new"),
        ("Order Shipped", "shipped"),
    ]


@mock_aws
def test_event_id_in_the_message_matches_put_events_response():
    client = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    url, arn = create_queue(sqs)
    client.put_rule(Name="r", EventPattern=json.dumps({"source": ["a"]}))
    client.put_targets(Rule="r", Targets=[{"Id": "1", "Arn": arn}])

    entries = [{"Source": "a", "DetailType": "n", "Detail": json.dumps({"n": i})} for i in range(10)]
    response = client.put_events(Entries=entries)

    bodies = [json.loads(m["Body"]) for m in receive(sqs, url)]
    assert sorted(b["detail"]["n"] for b in bodies) == list(range(10))
    by_n = {b["detail"]["n"]: b["id"] for b in bodies}
    assert [by_n[i] for i in range(10)] == [e["EventId"] for e in response["Entries"]]


@mock_aws
def test_multiple_targets_on_one_rule():
    client = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    url1, arn1 = create_queue(sqs, "first")
    url2, arn2 = create_queue(sqs, "second")
    client.put_rule(Name="fan-out", EventPattern=json.dumps({"source": ["fan"]}))
    client.put_targets(Rule="fan-out", Targets=[{"Id": "a", "Arn": arn1}, {"Id": "b", "Arn": arn2}])

    client.put_events(Entries=[{"Source": "fan", "DetailType": "x", "Detail": json.dumps({"k": "v"})}])

    for url in (url1, url2):
        [message] = receive(sqs, url)
        assert json.loads(message["Body"])["detail"] == {"k": "v"}


@mock_aws
def test_two_rules_to_one_queue_deliver_twice():
    client = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    url, arn = create_queue(sqs)
    for name in ("by-source", "by-type"):
        client.put_rule(
            Name=name,
            EventPattern=json.dumps({"source": ["svc"]} if name == "by-source" else {"detail-type": ["Done"]}),
        )
        client.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": arn}])

    client.put_events(Entries=[{"Source": "svc", "DetailType": "Done", "Detail": "{}"}])

    messages = receive(sqs, url)
    assert len(messages) == 2
    assert len({json.loads(m["Body"])["id"] for m in messages}) == 1


@mock_aws
def test_disabled_rule_does_not_deliver():
    client = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    url, arn = create_queue(sqs)
    client.put_rule(Name="off", EventPattern=json.dumps({"source": ["x"]}), State="DISABLED")
    client.put_targets(Rule="off", Targets=[{"Id": "1", "Arn": arn}])

    client.put_events(Entries=[{"Source": "x", "DetailType": "y", "Detail": "{}"}])
    assert receive(sqs, url) == []

    assert client.describe_rule(Name="off")["State"] == "DISABLED"


@mock_aws
def test_disable_then_enable_rule():
    client = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    url, arn = create_queue(sqs)
    client.put_rule(Name="toggle", EventPattern=json.dumps({"source": ["x"]}))
    client.put_targets(Rule="toggle", Targets=[{"Id": "1", "Arn": arn}])

    client.disable_rule(Name="toggle")
    client.put_events(Entries=[{"Source": "x", "DetailType": "while-disabled", "Detail": "{}"}])
    client.enable_rule(Name="toggle")
    client.put_events(Entries=[{"Source": "x", "DetailType": "while-enabled", "Detail": "{}"}])

    assert [json.loads(m["Body"])["detail-type"] for m in receive(sqs, url)] == ["while-enabled"]


@mock_aws
def test_removed_target_no_longer_receives():
    client = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    url, arn = create_queue(sqs)
    client.put_rule(Name="r", EventPattern=json.dumps({"source": ["x"]}))
    client.put_targets(Rule="r", Targets=[{"Id": "1", "Arn": arn}])
    client.remove_targets(Rule="r", Ids=["1"])
    client.delete_rule(Name="r")

    client.put_events(Entries=[{"Source": "x", "DetailType": "y", "Detail": "{}"}])

    assert receive(sqs, url) == []
    assert client.list_rules()["Rules"] == []


@mock_aws
def test_failed_entries_are_reported_and_not_delivered():
    client = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    url, arn = create_queue(sqs)
    client.put_rule(Name="r", EventPattern=json.dumps({"source": ["x"]}))
    client.put_targets(Rule="r", Targets=[{"Id": "1", "Arn": arn}])

    response = client.put_events(
        Entries=[
            {"Source": "x", "DetailType": "ok", "Detail": "{}"},
            {"Source": "x", "DetailType": "bad", "Detail": "not json"},
        ]
    )

    assert response["FailedEntryCount"] == 1
    assert response["Entries"][1] == {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
    assert [json.loads(m["Body"])["detail-type"] for m in receive(sqs, url)] == ["ok"]


def test_with_block_style():
    with mock_aws():
        client = boto3.client("events", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        url, arn = create_queue(sqs)
        client.put_rule(Name="r", EventPattern=json.dumps({"source": ["blocks"]}))
        client.put_targets(Rule="r", Targets=[{"Id": "1", "Arn": arn}])
        client.put_events(Entries=[{"Source": "blocks", "DetailType": "t", "Detail": json.dumps({"a": 1})}])
        [message] = receive(sqs, url)
        assert json.loads(message["Body"])["detail"] == {"a": 1}


@pytest.mark.parametrize("region", ["us-west-2", "eu-central-1"])
@mock_aws
def test_rules_and_queues_in_other_regions(region):
    client = boto3.client("events", region_name=region)
    sqs = boto3.client("sqs", region_name=region)
    url, arn = create_queue(sqs)
    assert arn == f"arn:aws:sqs:{region}:{ACCOUNT_ID}:events-queue"
    client.put_rule(Name="r", EventPattern=json.dumps({"source": ["x"]}))
    client.put_targets(Rule="r", Targets=[{"Id": "1", "Arn": arn}])

    client.put_events(Entries=[{"Source": "x", "DetailType": "y", "Detail": "{}"}])

    [message] = receive(sqs, url)
    assert json.loads(message["Body"])["region"] == region
