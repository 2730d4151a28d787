"""moto's class decorator, on a pytest class and on a unittest.TestCase."""

import json
import unittest

import boto3
from moto import mock_aws

REGION = "us-east-1"


@mock_aws
class TestOrdersPytestClass:
    def setup_method(self, method):
        self.events = boto3.client("events", region_name=REGION)
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.url = self.sqs.create_queue(QueueName="class-queue")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop"]}))
        self.events.put_targets(Rule="orders", Targets=[{"Id": "q", "Arn": arn}])

    def test_delivers(self):
        self.events.put_events(Entries=[{"Source": "shop", "DetailType": "x", "Detail": json.dumps({"n": 1})}])
        [message] = self.sqs.receive_message(QueueUrl=self.url)["Messages"]
        assert json.loads(message["Body"])["detail"] == {"n": 1}

    def test_one_rule_from_setup(self):
        assert [r["Name"] for r in self.events.list_rules()["Rules"]] == ["orders"]


@mock_aws
class TestOrdersUnittest(unittest.TestCase):
    def setUp(self):
        self.events = boto3.client("events", region_name=REGION)
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.url = self.sqs.create_queue(QueueName="unittest-queue")["QueueUrl"]
        self.events.create_event_bus(Name="unit")
        self.events.put_rule(Name="r", EventBusName="unit", EventPattern=json.dumps({"source": ["shop"]}))
        self.events.put_targets(
            Rule="r",
            EventBusName="unit",
            Targets=[{"Id": "q", "Arn": f"arn:aws:sqs:{REGION}:123456789012:unittest-queue", "Input": '"fixed"'}],
        )

    def test_delivers_constant_input(self):
        self.events.put_events(Entries=[{"Source": "shop", "DetailType": "x", "Detail": "{}", "EventBusName": "unit"}])
        messages = self.sqs.receive_message(QueueUrl=self.url)["Messages"]
        self.assertEqual([m["Body"] for m in messages], ['"fixed"'])

    def test_bus_listed(self):
        names = [b["Name"] for b in self.events.list_event_buses()["EventBuses"]]
        self.assertEqual(names, ["default", "unit"])
