"""Custom event buses, FIFO queues and dead-letter queues."""

import hashlib
import json

import boto3
import pytest
from moto import mock_aws

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"


@pytest.fixture
def aws():
    with mock_aws():
        yield


@pytest.fixture
def events(aws):
    return boto3.client("events", region_name=REGION)


@pytest.fixture
def sqs(aws):
    return boto3.client("sqs", region_name=REGION)


def queue(sqs, name, **attributes):
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def test_custom_bus_delivers_to_its_rules(events, sqs):
    url, arn = queue(sqs, "custom")
    bus_arn = events.create_event_bus(Name="orders-bus")["EventBusArn"]
    assert bus_arn == f"arn:aws:events:{REGION}:{ACCOUNT_ID}:event-bus/orders-bus"
    events.put_rule(Name="on-custom", EventBusName="orders-bus", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(Rule="on-custom", EventBusName="orders-bus", Targets=[{"Id": "1", "Arn": arn}])

    events.put_events(
        Entries=[
            {"Source": "shop", "DetailType": "a", "Detail": "{}", "EventBusName": "orders-bus"},
            {"Source": "shop", "DetailType": "b", "Detail": "{}"},  # the default bus: no rule
            {"Source": "shop", "DetailType": "c", "Detail": "{}", "EventBusName": bus_arn},
        ]
    )

    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(json.loads(m["Body"])["detail-type"] for m in messages) == ["a", "c"]


def test_rule_on_default_bus_ignores_custom_bus_events(events, sqs):
    url, arn = queue(sqs, "default-only")
    events.create_event_bus(Name="other")
    events.put_rule(Name="default-rule", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(Rule="default-rule", Targets=[{"Id": "1", "Arn": arn}])

    events.put_events(Entries=[{"Source": "shop", "DetailType": "x", "Detail": "{}", "EventBusName": "other"}])

    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_fifo_queue_with_message_group_id(events, sqs):
    # EventBridge sends no deduplication id: a FIFO target needs content-based deduplication.
    url, arn = queue(sqs, "orders.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    events.put_rule(Name="to-fifo", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(
        Rule="to-fifo", Targets=[{"Id": "fifo", "Arn": arn, "SqsParameters": {"MessageGroupId": "group-1"}}]
    )

    for n in range(3):
        events.put_events(Entries=[{"Source": "shop", "DetailType": "n", "Detail": json.dumps({"n": n})}])

    messages = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["MessageGroupId", "MessageDeduplicationId"]
    )["Messages"]
    assert [json.loads(m["Body"])["detail"]["n"] for m in messages] == [0, 1, 2]
    assert {m["Attributes"]["MessageGroupId"] for m in messages} == {"group-1"}
    # The queue's own content-based id: the SHA-256 of the body.
    assert [m["Attributes"]["MessageDeduplicationId"] for m in messages] == [
        hashlib.sha256(m["Body"].encode()).hexdigest() for m in messages
    ]


def test_fifo_queue_without_content_based_deduplication_refuses(events, sqs):
    _, arn = queue(sqs, "strict.fifo", FifoQueue="true")
    dlq_url, dlq_arn = queue(sqs, "fifo-dlq")
    events.put_rule(Name="to-fifo", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(
        Rule="to-fifo",
        Targets=[{
            "Id": "fifo",
            "Arn": arn,
            "SqsParameters": {"MessageGroupId": "group-1"},
            "DeadLetterConfig": {"Arn": dlq_arn},
        }],
    )

    events.put_events(Entries=[{"Source": "shop", "DetailType": "n", "Detail": json.dumps({"n": 1})}])

    [message] = sqs.receive_message(QueueUrl=dlq_url, MessageAttributeNames=["All"])["Messages"]
    assert json.loads(message["Body"])["detail"] == {"n": 1}
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "InvalidParameterValue"
    assert attributes["TARGET_ARN"] == arn


def test_missing_queue_goes_to_dead_letter_queue(events, sqs):
    dlq_url, dlq_arn = queue(sqs, "dlq")
    missing = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:does-not-exist"
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(
        Rule="r",
        Targets=[
            {
                "Id": "gone",
                "Arn": missing,
                "RetryPolicy": {"MaximumRetryAttempts": 0, "MaximumEventAgeInSeconds": 60},
                "DeadLetterConfig": {"Arn": dlq_arn},
            }
        ],
    )

    response = events.put_events(Entries=[{"Source": "shop", "DetailType": "x", "Detail": json.dumps({"a": 1})}])
    assert response["FailedEntryCount"] == 0  # delivery failures are not PutEvents failures

    [message] = sqs.receive_message(QueueUrl=dlq_url, MessageAttributeNames=["All"])["Messages"]
    body = json.loads(message["Body"])
    assert body["id"] == response["Entries"][0]["EventId"] and body["detail"] == {"a": 1}
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["RULE_ARN"] == f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/r"
    assert attributes["TARGET_ARN"] == missing
    assert set(attributes) == {"RULE_ARN", "TARGET_ARN", "ERROR_CODE", "ERROR_MESSAGE"}


def test_missing_queue_without_dead_letter_queue_is_dropped_quietly(events, sqs):
    url, arn = queue(sqs, "alive")
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(
        Rule="r",
        Targets=[
            {"Id": "gone", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:gone"},
            {"Id": "alive", "Arn": arn},
        ],
    )

    assert events.put_events(Entries=[{"Source": "shop", "DetailType": "x", "Detail": "{}"}])["FailedEntryCount"] == 0
    assert len(sqs.receive_message(QueueUrl=url)["Messages"]) == 1


def test_target_on_another_regions_bus(events, aws):
    west_events = boto3.client("events", region_name="eu-west-1")
    west_sqs = boto3.client("sqs", region_name="eu-west-1")
    url, arn = queue(west_sqs, "west")
    west_events.put_rule(Name="west", EventPattern=json.dumps({"source": ["shop"]}))
    west_events.put_targets(Rule="west", Targets=[{"Id": "q", "Arn": arn}])
    events.put_rule(Name="cross", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(
        Rule="cross",
        Targets=[{
            "Id": "bus",
            "Arn": f"arn:aws:events:eu-west-1:{ACCOUNT_ID}:event-bus/default",
            "RoleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/cross-region",
        }],
    )

    events.put_events(Entries=[{"Source": "shop", "DetailType": "x", "Detail": json.dumps({"from": "east"})}])

    [message] = west_sqs.receive_message(QueueUrl=url)["Messages"]
    body = json.loads(message["Body"])
    assert body["region"] == REGION and body["detail"] == {"from": "east"}


def test_describe_and_list_like_moto_users_check(events):
    arn = events.put_rule(Name="desc", EventPattern=json.dumps({"source": ["a"]}), Description="d")["RuleArn"]
    events.put_targets(Rule="desc", Targets=[{"Id": "1", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:q"}])

    rule = events.describe_rule(Name="desc")
    assert {k: rule[k] for k in ("Name", "Arn", "State", "Description", "EventBusName")} == {
        "Name": "desc", "Arn": arn, "State": "ENABLED", "Description": "d", "EventBusName": "default",
    }
    assert json.loads(rule["EventPattern"]) == {"source": ["a"]}
    assert events.list_targets_by_rule(Rule="desc")["Targets"] == [
        {"Id": "1", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:q"}
    ]
    assert events.list_rule_names_by_target(TargetArn=f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:q")["RuleNames"] == ["desc"]
    with pytest.raises(events.exceptions.ResourceNotFoundException):
        events.describe_rule(Name="nope")
