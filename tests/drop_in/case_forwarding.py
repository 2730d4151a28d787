"""Forwarding reaches moto (in the target's account) or an endpoint given for the service,
and nothing else: without either, nothing is sent and the delivery log says why."""

import json

import boto3
import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer

from eventbridge_mock import mock_events

PATTERN = json.dumps({"source": ["com.shop"]})
ENTRY = {"Source": "com.shop", "DetailType": "OrderPlaced", "Detail": '{"id": 1}'}


def sqs_in(account=None, **kwargs):
    """An SQS client of moto's account ``account`` (moto's x-moto-account-id header)."""
    sqs = boto3.client("sqs", region_name="us-east-1", **kwargs)
    if account:
        def header(params, **_kwargs):
            params["headers"]["x-moto-account-id"] = account

        sqs.meta.events.register("before-call", header)
    return sqs


def bodies(sqs, url):
    return [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]


def test_without_moto_nothing_is_sent_and_the_log_says_why():
    with mock_events(forward_targets=True) as m:
        events = boto3.client("events")
        events.put_rule(Name="r", EventPattern=PATTERN)
        events.put_targets(Rule="r", Targets=[
            {"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:orders"},
            {"Id": "t", "Arn": "arn:aws:sns:us-east-1:123456789012:orders"},
            {"Id": "c", "Arn": "arn:aws:ecs:us-east-1:123456789012:cluster/c",
             "RoleArn": "arn:aws:iam::123456789012:role/r",
             "EcsParameters": {"TaskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/t:1"}},
        ])
        assert events.put_events(Entries=[ENTRY])["FailedEntryCount"] == 0
        outcome = {d.target_id: (d.succeeded, d.forwarded, d.note) for d in m.deliveries}
    assert outcome == {
        "q": (True, False, "not forwarded: sqs is not mocked (moto's mock_aws is not active) and "
                           "forward_endpoints has no endpoint for it"),
        "t": (True, False, "not forwarded: sns is not mocked (moto's mock_aws is not active) and "
                           "forward_endpoints has no endpoint for it"),
        "c": (True, False, "not forwarded: ecs targets are not forwarded"),
    }


def test_without_forwarding_the_log_has_no_forwarding_outcome():
    with mock_events() as m:
        events = boto3.client("events")
        events.put_rule(Name="r", EventPattern=PATTERN)
        events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:orders"}])
        events.put_events(Entries=[ENTRY])
        [d] = m.deliveries
    assert (d.succeeded, d.forwarded, d.note) == (True, None, None)


def test_with_moto_deliveries_reach_moto():
    with mock_aws(), mock_events(forward_targets=True) as m:
        sqs = sqs_in()
        url = sqs.create_queue(QueueName="orders")["QueueUrl"]
        events = boto3.client("events")
        events.put_rule(Name="r", EventPattern=PATTERN)
        events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:orders"}])
        events.put_events(Entries=[ENTRY])
        assert [b["detail"] for b in bodies(sqs, url)] == [{"id": 1}]
        [d] = m.deliveries
        assert (d.succeeded, d.forwarded, d.note) == (True, True, None)


def test_deliveries_land_in_the_targets_moto_account():
    account = "111122223333"
    with mock_aws(), mock_events(account_id=account, forward_targets=True):
        theirs, default = sqs_in(account), sqs_in()
        url = theirs.create_queue(QueueName="orders")["QueueUrl"]
        default_url = default.create_queue(QueueName="orders")["QueueUrl"]
        events = boto3.client("events")
        events.put_rule(Name="r", EventPattern=PATTERN)
        events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": f"arn:aws:sqs:us-east-1:{account}:orders"}])
        events.put_events(Entries=[ENTRY])
        [body] = bodies(theirs, url)
        assert body["account"] == account
        assert bodies(default, default_url) == []


def test_the_account_follows_moto_account_id(monkeypatch):
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "444455556666")
    with mock_aws(), mock_events(forward_targets=True) as m:
        assert m.account_id == "444455556666"
        sqs = sqs_in()
        url = sqs.create_queue(QueueName="orders")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        assert queue_arn == "arn:aws:sqs:us-east-1:444455556666:orders"
        events = boto3.client("events")
        assert events.put_rule(Name="r", EventPattern=PATTERN)["RuleArn"] == "arn:aws:events:us-east-1:444455556666:rule/r"
        events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": queue_arn}])
        events.put_events(Entries=[ENTRY])
        assert [b["account"] for b in bodies(sqs, url)] == ["444455556666"]
    # Without moto, MOTO_ACCOUNT_ID means nothing.
    with mock_events() as m:
        assert m.account_id == "123456789012"


@pytest.fixture
def moto_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_forward_endpoints_send_to_the_given_endpoint(moto_server):
    sqs = sqs_in(endpoint_url=moto_server)
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    with mock_events(forward_targets=True, forward_endpoints={"sqs": moto_server}) as m:
        events = boto3.client("events")
        events.put_rule(Name="r", EventPattern=PATTERN)
        events.put_targets(Rule="r", Targets=[
            {"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:orders"},
            {"Id": "t", "Arn": "arn:aws:sns:us-east-1:123456789012:orders"},
        ])
        events.put_events(Entries=[ENTRY])
        outcome = {d.target_id: (d.forwarded, d.note) for d in m.deliveries}
    assert [b["detail"] for b in bodies(sqs, url)] == [{"id": 1}]
    assert outcome == {
        "q": (True, None),
        "t": (False, "not forwarded: sns is not mocked (moto's mock_aws is not active) and "
                     "forward_endpoints has no endpoint for it"),
    }


def test_dead_letters_go_where_sqs_is_forwarded_not_to_the_failed_service(moto_server):
    """An SNS target whose topic is missing (at the endpoint given for sns) fails; its
    dead-letter message goes to the endpoint given for sqs."""
    sns_server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    sns_server.start()
    try:
        host, port = sns_server.get_host_and_port()
        sqs = sqs_in(endpoint_url=moto_server)
        dlq_url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
        endpoints = {"sqs": moto_server, "sns": f"http://{host}:{port}"}
        with mock_events(forward_targets=True, forward_endpoints=endpoints) as m:
            events = boto3.client("events")
            events.put_rule(Name="r", EventPattern=PATTERN)
            events.put_targets(Rule="r", Targets=[{
                "Id": "t",
                "Arn": "arn:aws:sns:us-east-1:123456789012:missing",
                "DeadLetterConfig": {"Arn": "arn:aws:sqs:us-east-1:123456789012:dlq"},
            }])
            events.put_events(Entries=[ENTRY])
            [d] = m.deliveries
        assert (d.succeeded, d.forwarded) == (False, True)
        assert d.error == d.note and d.note.startswith("NotFound: ")
        assert [b["detail"] for b in bodies(sqs, dlq_url)] == [{"id": 1}]
    finally:
        sns_server.stop()
