"""Input, InputPath and InputTransformer, read back from SQS."""

import json

import boto3
from moto import mock_aws

REGION = "us-east-1"
DETAIL = {"orderId": "o-7", "customer": {"name": "Ada", "tier": "gold"}, "total": 99}


def setup_rule_with_target(target):
    client = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="shaped")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    client.put_rule(Name="shape", EventPattern=json.dumps({"source": ["shop"]}))
    client.put_targets(Rule="shape", Targets=[{"Id": "t", "Arn": arn, **target}])
    client.put_events(Entries=[{"Source": "shop", "DetailType": "Order Placed", "Detail": json.dumps(DETAIL)}])
    return [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]


@mock_aws
def test_constant_input_replaces_the_event():
    assert setup_rule_with_target({"Input": '{"hello": "world"}'}) == ['{"hello": "world"}']


@mock_aws
def test_input_path_detail():
    [body] = setup_rule_with_target({"InputPath": "$.detail"})
    assert json.loads(body) == DETAIL


@mock_aws
def test_input_path_nested_object():
    [body] = setup_rule_with_target({"InputPath": "$.detail.customer"})
    assert json.loads(body) == {"name": "Ada", "tier": "gold"}


@mock_aws
def test_input_transformer_json_template():
    [body] = setup_rule_with_target(
        {
            "InputTransformer": {
                "InputPathsMap": {"order": "$.detail.orderId", "name": "$.detail.customer.name", "total": "$.detail.total"},
                "InputTemplate": '{"order": <order>, "who": <name>, "amount": <total>}',
            }
        }
    )
    assert json.loads(body) == {"order": "o-7", "who": "Ada", "amount": 99}


@mock_aws
def test_input_transformer_string_template():
    [body] = setup_rule_with_target(
        {
            "InputTransformer": {
                "InputPathsMap": {"order": "$.detail.orderId", "tier": "$.detail.customer.tier"},
                "InputTemplate": '"Order <order> from a <tier> customer"',
            }
        }
    )
    assert body == '"Order o-7 from a gold customer"'


@mock_aws
def test_input_transformer_with_envelope_fields_and_rule_name():
    [body] = setup_rule_with_target(
        {
            "InputTransformer": {
                "InputPathsMap": {"source": "$.source", "type": "$.detail-type"},
                "InputTemplate": '{"source": <source>, "type": <type>, "rule": "<aws.events.rule-name>"}',
            }
        }
    )
    assert json.loads(body) == {"source": "shop", "type": "Order Placed", "rule": "shape"}
