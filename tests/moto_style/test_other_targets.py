"""Targets other than SQS, each read back from its moto service."""

import base64
import json

import boto3
from moto import mock_aws

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"


def rule_to(client, arn, **target):
    client.put_rule(Name="r", EventPattern=json.dumps({"source": ["shop"]}))
    client.put_targets(Rule="r", Targets=[{"Id": "t", "Arn": arn, **target}])


@mock_aws
def test_sns_topic_with_raw_sqs_subscription():
    client = boto3.client("events", region_name=REGION)
    sns = boto3.client("sns", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    topic = sns.create_topic(Name="orders")["TopicArn"]
    url = sqs.create_queue(QueueName="subscriber")["QueueUrl"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:subscriber",
        Attributes={"RawMessageDelivery": "true"},
    )
    rule_to(client, topic, InputPath="$.detail")

    client.put_events(Entries=[{"Source": "shop", "DetailType": "x", "Detail": json.dumps({"via": "sns"})}])

    [message] = sqs.receive_message(QueueUrl=url)["Messages"]
    assert json.loads(message["Body"]) == {"via": "sns"}


@mock_aws
def test_kinesis_stream_with_partition_key_path():
    client = boto3.client("events", region_name=REGION)
    kinesis = boto3.client("kinesis", region_name=REGION)
    kinesis.create_stream(StreamName="events", ShardCount=1)
    arn = kinesis.describe_stream(StreamName="events")["StreamDescription"]["StreamARN"]
    rule_to(client, arn, KinesisParameters={"PartitionKeyPath": "$.detail.key"})

    client.put_events(Entries=[{"Source": "shop", "DetailType": "x", "Detail": json.dumps({"key": "k-1"})}])

    shard = kinesis.describe_stream(StreamName="events")["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName="events", ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    [record] = kinesis.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    assert record["PartitionKey"] == "k-1"
    data = record["Data"]
    data = data if isinstance(data, bytes) else base64.b64decode(data)
    assert json.loads(data)["detail"] == {"key": "k-1"}


@mock_aws
def test_cloudwatch_logs_group():
    client = boto3.client("events", region_name=REGION)
    logs = boto3.client("logs", region_name=REGION)
    logs.create_log_group(logGroupName="/aws/events/orders")
    rule_to(client, f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:/aws/events/orders")

    event_id = client.put_events(
        Entries=[{"Source": "shop", "DetailType": "x", "Detail": json.dumps({"logged": True})}]
    )["Entries"][0]["EventId"]

    [event] = logs.filter_log_events(logGroupName="/aws/events/orders")["events"]
    assert event["logStreamName"] == event_id
    assert json.loads(event["message"])["detail"] == {"logged": True}


@mock_aws
def test_step_functions_state_machine():
    client = boto3.client("events", region_name=REGION)
    sfn = boto3.client("stepfunctions", region_name=REGION)
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    machine = sfn.create_state_machine(
        name="on-order", definition=json.dumps(definition), roleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/sfn"
    )["stateMachineArn"]
    rule_to(client, machine, Input='{"fixed": true}')

    client.put_events(Entries=[{"Source": "shop", "DetailType": "x", "Detail": "{}"}])

    [execution] = sfn.list_executions(stateMachineArn=machine)["executions"]
    assert json.loads(sfn.describe_execution(executionArn=execution["executionArn"])["input"]) == {"fixed": True}
