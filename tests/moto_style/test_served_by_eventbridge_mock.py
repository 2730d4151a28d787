"""The one look behind the curtain: this suite's EventBridge is eventbridge-mock's.

Like the rest of the directory it does not import eventbridge_mock; the mock comes from
the directory's conftest as the ``events_mock`` fixture.
"""

import json

import boto3
from moto import mock_aws


@mock_aws
def test_events_clients_are_eventbridge_mock_and_deliveries_are_logged(events_mock):
    client = boto3.client("events", region_name="us-east-1")
    # botocore's own client, served by the mock rather than by moto.
    assert type(client).__module__ == "botocore.client"
    client.create_event_bus(Name="seen-by-the-mock")
    assert events_mock.client().describe_event_bus(Name="seen-by-the-mock")["Name"] == "seen-by-the-mock"

    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="logged")["QueueUrl"]
    arn = "arn:aws:sqs:us-east-1:123456789012:logged"
    client.put_rule(Name="r", EventPattern=json.dumps({"source": ["shop"]}))
    client.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": arn}, {"Id": "gone", "Arn": arn + "-gone"}])
    client.put_events(Entries=[{"Source": "shop", "DetailType": "x", "Detail": json.dumps({"n": 1})}])

    [delivered] = events_mock.deliveries.to(arn)
    [message] = sqs.receive_message(QueueUrl=url)["Messages"]
    assert delivered.payload == message["Body"] and delivered.succeeded
    [failed] = events_mock.deliveries.failed()
    assert failed.target_id == "gone" and "NonExistentQueue" in failed.error
