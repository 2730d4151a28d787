"""The eventbridge fixture forwards when a marker or the ini file says so (this file is run
twice: as it is, and with ``-o eventbridge_forward_targets=true``)."""

import json

import boto3
import pytest
from moto import mock_aws

from shop import orders


def audit_queue():
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="audit")["QueueUrl"]
    return sqs, url


def route_orders_to_audit():
    events = boto3.client("events")
    events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["com.shop"]}))
    events.put_targets(Rule="orders", Targets=[{"Id": "audit", "Arn": "arn:aws:sqs:us-east-1:123456789012:audit"}])


def received(sqs, url):
    return [json.loads(m["Body"])["detail"] for m in sqs.receive_message(QueueUrl=url).get("Messages", [])]


@pytest.mark.eventbridge(forward_targets=True)
@mock_aws
def test_marker_forwards_to_moto(eventbridge):
    sqs, url = audit_queue()
    route_orders_to_audit()
    orders.place({"id": 1})
    assert received(sqs, url) == [{"id": 1}]
    assert [d.forwarded for d in eventbridge.deliveries] == [True]


@pytest.mark.eventbridge(forward_targets=False)
@mock_aws
def test_marker_turns_forwarding_off(eventbridge):
    sqs, url = audit_queue()
    route_orders_to_audit()
    orders.place({"id": 2})
    assert received(sqs, url) == []
    assert [(d.forwarded, d.json["detail"]) for d in eventbridge.deliveries] == [(None, {"id": 2})]


@mock_aws
def test_the_ini_option_decides_without_a_marker(eventbridge, pytestconfig):
    sqs, url = audit_queue()
    route_orders_to_audit()
    orders.place({"id": 3})
    forwarding = pytestconfig.getini("eventbridge_forward_targets")
    assert eventbridge.forward_targets is bool(forwarding)
    assert received(sqs, url) == ([{"id": 3}] if forwarding else [])


@pytest.mark.eventbridge(account_id="111122223333", region_name="eu-west-1")
def test_marker_sets_account_and_region(eventbridge):
    arn = boto3.Session().client("events", region_name=None).put_rule(Name="r", ScheduleExpression="rate(1 hour)")["RuleArn"]
    assert arn == "arn:aws:events:us-east-1:111122223333:rule/r"  # AWS_DEFAULT_REGION wins over the mock's
    assert eventbridge.client().meta.region_name == "us-east-1"
