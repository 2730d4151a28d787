"""A module-level client of production code, made at import before any mock, is served by
the eventbridge fixture: nothing reaches the network."""

import json

import boto3

from shop import orders

QUEUE = "arn:aws:sqs:us-east-1:123456789012:audit"


def test_module_level_client_is_served_by_the_fixture(eventbridge):
    admin = eventbridge.client()
    admin.put_rule(Name="orders", EventPattern=json.dumps({"source": ["com.shop"]}))
    admin.put_targets(Rule="orders", Targets=[{"Id": "audit", "Arn": QUEUE}])

    response = orders.place({"id": 7})

    assert response["FailedEntryCount"] == 0
    [delivery] = eventbridge.deliveries.to(QUEUE)
    assert (delivery.rule_name, delivery.target_id) == ("orders", "audit")
    assert delivery.json["detail"] == {"id": 7}
    assert delivery.json["id"] == response["Entries"][0]["EventId"]
    # botocore's own client class, as production code made it.
    assert type(orders.EVENTS).__module__ == "botocore.client"


def test_the_next_test_starts_empty(eventbridge):
    assert orders.EVENTS.list_rules()["Rules"] == []
    assert orders.place({"id": 8})["FailedEntryCount"] == 0
    assert len(eventbridge.deliveries) == 0


def test_clients_made_in_the_test_every_way(eventbridge):
    import botocore.session

    made = [
        boto3.client("events"),
        boto3.Session().client("events", region_name="eu-west-1"),
        botocore.session.get_session().create_client("events", region_name="ap-south-1"),
    ]
    for i, client in enumerate(made):
        region = client.meta.region_name
        arn = client.put_rule(Name=f"r{i}", ScheduleExpression="rate(1 hour)")["RuleArn"]
        assert arn == f"arn:aws:events:{region}:123456789012:rule/r{i}"
        assert eventbridge.client(region_name=region).describe_rule(Name=f"r{i}")["Arn"] == arn
