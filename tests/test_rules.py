"""PutRule, DescribeRule, ListRules, DeleteRule, EnableRule, DisableRule."""

import pytest
from botocore.exceptions import ClientError

from conftest import (
    ACCOUNT,
    NAME_PATTERN,
    PATTERN,
    QUEUE_ARN,
    body,
    bus_arn,
    error,
    item,
    rule_arn,
    validation,
)

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/events"


def rule_not_found(name, bus="default"):
    return {
        "Code": "ResourceNotFoundException",
        "Message": f"Rule {name} does not exist on EventBus {bus}.",
    }


def bus_not_found(name):
    return {"Code": "ResourceNotFoundException", "Message": f"Event bus {name} does not exist."}


@pytest.fixture
def orders(events):
    events.create_event_bus(Name="orders")
    return "orders"


# PutRule


def test_put_rule_returns_arn(events):
    assert body(events.put_rule(Name="r1", EventPattern=PATTERN)) == {"RuleArn": rule_arn("r1")}


def test_put_rule_on_custom_bus_arn_has_bus_segment(events, orders):
    response = events.put_rule(Name="r1", EventPattern=PATTERN, EventBusName=orders)
    assert body(response) == {"RuleArn": rule_arn("r1", bus="orders")}


def test_put_rule_with_bus_arn(events, orders):
    response = events.put_rule(Name="r1", EventPattern=PATTERN, EventBusName=bus_arn("orders"))
    assert body(response) == {"RuleArn": rule_arn("r1", bus="orders")}
    assert body(events.describe_rule(Name="r1", EventBusName="orders"))["EventBusName"] == "orders"


def test_describe_rule_minimal(events):
    events.put_rule(Name="r1", EventPattern=PATTERN)
    assert body(events.describe_rule(Name="r1")) == {
        "Name": "r1",
        "Arn": rule_arn("r1"),
        "EventPattern": PATTERN,
        "State": "ENABLED",
        "EventBusName": "default",
        "CreatedBy": ACCOUNT,
    }


def test_describe_rule_all_fields(events, orders):
    events.put_rule(
        Name="r1",
        ScheduleExpression="rate(5 minutes)",
        EventPattern=PATTERN,
        State="DISABLED",
        Description="every five minutes",
        RoleArn=ROLE_ARN,
    )
    assert body(events.describe_rule(Name="r1")) == {
        "Name": "r1",
        "Arn": rule_arn("r1"),
        "EventPattern": PATTERN,
        "ScheduleExpression": "rate(5 minutes)",
        "State": "DISABLED",
        "Description": "every five minutes",
        "RoleArn": ROLE_ARN,
        "EventBusName": "default",
        "CreatedBy": ACCOUNT,
    }


@pytest.mark.parametrize("expression", ["rate(5 minutes)", "", "rate(3 minute)"])
def test_schedule_only_on_the_default_bus(events, orders, expression):
    # The bus is checked before the expression is read: an empty or invalid expression on a
    # custom bus gets this text too (docs/aws-facts.md §2.1).
    with pytest.raises(ClientError) as e:
        events.put_rule(Name="r1", ScheduleExpression=expression, EventPattern=PATTERN, EventBusName=orders)
    assert error(e) == {
        "Code": "ValidationException",
        "Message": "ScheduleExpression is supported only on the default event bus.",
    }
    with pytest.raises(events.exceptions.ResourceNotFoundException):
        events.describe_rule(Name="r1", EventBusName=orders)


def test_describe_rule_by_bus_arn(events, orders):
    events.put_rule(Name="r1", EventPattern=PATTERN, EventBusName=orders)
    response = body(events.describe_rule(Name="r1", EventBusName=bus_arn("orders")))
    assert response["Arn"] == rule_arn("r1", bus="orders")
    assert response["EventBusName"] == "orders"


def test_event_pattern_is_returned_as_given(events):
    pattern = '{\n  "source" : [ "orders" ],\n  "detail-type": ["created"]\n}'
    events.put_rule(Name="r1", EventPattern=pattern)
    assert events.describe_rule(Name="r1")["EventPattern"] == pattern


def test_put_rule_with_pattern_and_schedule(events):
    events.put_rule(Name="r1", EventPattern=PATTERN, ScheduleExpression="rate(1 hour)")
    response = body(events.describe_rule(Name="r1"))
    assert response["EventPattern"] == PATTERN
    assert response["ScheduleExpression"] == "rate(1 hour)"


@pytest.mark.parametrize(
    "kwargs", [{}, {"EventPattern": ""}, {"EventPattern": "", "ScheduleExpression": ""}, {"ScheduleExpression": ""}]
)
def test_put_rule_without_pattern_or_schedule(events, kwargs):
    # Empty strings count as absent (recorded: radkawar/stackd scheduled_rules.json
    # `empty-both`, `empty-pattern-only`).
    with pytest.raises(ClientError) as e:
        events.put_rule(Name="r1", **kwargs)
    assert error(e) == {
        "Code": "ValidationException",
        "Message": "Parameter(s) EventPattern or ScheduleExpression must be specified.",
    }


def test_empty_schedule_beside_a_pattern_on_the_default_bus(events):
    # Recorded (scheduled_rules.json `empty-schedule-management`): accepted and shown back.
    events.put_rule(Name="r1", EventPattern=PATTERN, ScheduleExpression="")
    response = body(events.describe_rule(Name="r1"))
    assert (response["EventPattern"], response["ScheduleExpression"]) == (PATTERN, "")
    events.put_targets(Rule="r1", Targets=[{"Id": "q", "Arn": QUEUE_ARN}])
    events.put_events(Entries=[{"Source": "orders", "DetailType": "d", "Detail": "{}"}])
    assert [d.rule_name for d in events.deliveries] == ["r1"]


def test_put_rule_on_missing_bus(events):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.put_rule(Name="r1", EventPattern=PATTERN, EventBusName="nope")
    assert error(e) == bus_not_found("nope")


def test_put_rule_invalid_name(events):
    with pytest.raises(ClientError) as e:
        events.put_rule(Name="a b", EventPattern=PATTERN)
    assert error(e) == validation(item("a b", "name", NAME_PATTERN))


def test_put_rule_name_too_long_and_bad_pattern(events):
    name = "x y" * 22
    with pytest.raises(ClientError) as e:
        events.put_rule(Name=name, EventPattern=PATTERN)
    assert error(e) == validation(
        item(name, "name", "have length less than or equal to 64"),
        item(name, "name", NAME_PATTERN),
    )


def test_put_rule_invalid_state(events):
    with pytest.raises(ClientError) as e:
        events.put_rule(Name="r1", EventPattern=PATTERN, State="ON")
    assert error(e) == validation(
        item(
            "ON",
            "state",
            "satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]",
        )
    )


def test_put_rule_several_errors_in_member_order(events):
    with pytest.raises(ClientError) as e:
        events.put_rule(
            Name="a b", EventPattern=PATTERN, State="ON", Description="d" * 513, EventBusName="x y"
        )
    assert error(e) == validation(
        item("a b", "name", NAME_PATTERN),
        item(
            "ON",
            "state",
            "satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]",
        ),
        item("d" * 513, "description", "have length less than or equal to 512"),
        item(
            "x y",
            "eventBusName",
            r"satisfy regular expression pattern: (arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[/\.\-_A-Za-z0-9]+",
        ),
    )


def test_put_rule_enabled_with_all_cloudtrail_management_events(events):
    events.put_rule(
        Name="r1", EventPattern=PATTERN, State="ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
    )
    assert (
        events.describe_rule(Name="r1")["State"] == "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
    )


def test_put_rule_invalid_event_pattern(events):
    with pytest.raises(events.exceptions.InvalidEventPatternException) as e:
        events.put_rule(Name="r1", EventPattern="[1, 2]")
    assert error(e)["Code"] == "InvalidEventPatternException"
    assert error(e)["Message"].startswith("Event pattern is not valid. Reason: ")


# Replacing a rule


def test_put_rule_again_replaces_and_resets_omitted_fields(events):
    first = events.put_rule(
        Name="r1",
        EventPattern=PATTERN,
        ScheduleExpression="rate(5 minutes)",
        State="DISABLED",
        Description="first",
        RoleArn=ROLE_ARN,
    )
    second = events.put_rule(Name="r1", EventPattern='{"source": ["payments"]}')
    assert first["RuleArn"] == second["RuleArn"] == rule_arn("r1")
    assert body(events.describe_rule(Name="r1")) == {
        "Name": "r1",
        "Arn": rule_arn("r1"),
        "EventPattern": '{"source": ["payments"]}',
        "State": "ENABLED",
        "EventBusName": "default",
        "CreatedBy": ACCOUNT,
    }
    assert [r["Name"] for r in events.list_rules()["Rules"]] == ["r1"]


def test_put_rule_again_keeps_targets(events):
    events.put_rule(Name="r1", EventPattern=PATTERN)
    events.put_targets(Rule="r1", Targets=[{"Id": "t1", "Arn": QUEUE_ARN}])
    events.put_rule(Name="r1", ScheduleExpression="rate(1 day)")
    assert body(events.list_targets_by_rule(Rule="r1")) == {
        "Targets": [{"Id": "t1", "Arn": QUEUE_ARN}]
    }


def test_put_rule_tags_only_at_creation(events):
    events.put_rule(Name="r1", EventPattern=PATTERN, Tags=[{"Key": "team", "Value": "a"}])
    events.put_rule(
        Name="r1",
        EventPattern=PATTERN,
        Tags=[{"Key": "team", "Value": "b"}, {"Key": "new", "Value": "x"}],
    )
    assert body(events.list_tags_for_resource(ResourceARN=rule_arn("r1"))) == {
        "Tags": [{"Key": "team", "Value": "a"}]
    }
    events.put_rule(Name="r1", EventPattern=PATTERN)
    assert body(events.list_tags_for_resource(ResourceARN=rule_arn("r1"))) == {
        "Tags": [{"Key": "team", "Value": "a"}]
    }


def test_same_rule_name_on_two_buses(events, orders):
    events.put_rule(Name="r1", EventPattern=PATTERN)
    events.put_rule(Name="r1", EventPattern='{"source": ["other"]}', EventBusName=orders)
    assert events.describe_rule(Name="r1")["EventPattern"] == PATTERN
    assert events.describe_rule(Name="r1", EventBusName=orders)["EventPattern"] == '{"source": ["other"]}'
    events.delete_rule(Name="r1")
    assert events.describe_rule(Name="r1", EventBusName=orders)["Name"] == "r1"


# DescribeRule


def test_describe_missing_rule(events):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.describe_rule(Name="nope")
    assert error(e) == rule_not_found("nope")


def test_describe_missing_rule_on_custom_bus_names_the_bus(events, orders):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.describe_rule(Name="nope", EventBusName=bus_arn("orders"))
    assert error(e) == rule_not_found("nope", bus="orders")


def test_describe_rule_on_missing_bus(events):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.describe_rule(Name="r1", EventBusName="nope")
    assert error(e) == bus_not_found("nope")


# ListRules


def test_list_rules_items(events):
    events.put_rule(Name="b", ScheduleExpression="rate(1 day)", Description="d", RoleArn=ROLE_ARN)
    events.put_rule(Name="a", EventPattern=PATTERN, State="DISABLED")
    assert body(events.list_rules()) == {
        "Rules": [
            {
                "Name": "a",
                "Arn": rule_arn("a"),
                "EventPattern": PATTERN,
                "State": "DISABLED",
                "EventBusName": "default",
            },
            {
                "Name": "b",
                "Arn": rule_arn("b"),
                "ScheduleExpression": "rate(1 day)",
                "State": "ENABLED",
                "Description": "d",
                "RoleArn": ROLE_ARN,
                "EventBusName": "default",
            },
        ]
    }


def test_list_rules_empty(events):
    assert body(events.list_rules()) == {"Rules": []}


def test_list_rules_name_prefix(events):
    for name in ["orders-2", "payments", "orders-1", "order"]:
        events.put_rule(Name=name, EventPattern=PATTERN)
    names = [r["Name"] for r in events.list_rules(NamePrefix="orders")["Rules"]]
    assert names == ["orders-1", "orders-2"]
    assert [r["Name"] for r in events.list_rules(NamePrefix="order")["Rules"]] == [
        "order",
        "orders-1",
        "orders-2",
    ]
    assert body(events.list_rules(NamePrefix="zzz")) == {"Rules": []}


def test_list_rules_only_for_the_bus(events, orders):
    events.put_rule(Name="on-default", EventPattern=PATTERN)
    events.put_rule(Name="on-orders", EventPattern=PATTERN, EventBusName=orders)
    assert [r["Name"] for r in events.list_rules()["Rules"]] == ["on-default"]
    assert body(events.list_rules(EventBusName=bus_arn("orders"))) == {
        "Rules": [
            {
                "Name": "on-orders",
                "Arn": rule_arn("on-orders", bus="orders"),
                "EventPattern": PATTERN,
                "State": "ENABLED",
                "EventBusName": "orders",
            }
        ]
    }


def test_list_rules_on_missing_bus(events):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.list_rules(EventBusName="nope")
    assert error(e) == bus_not_found("nope")


# DeleteRule


def test_delete_rule(events):
    events.put_rule(Name="r1", EventPattern=PATTERN)
    assert body(events.delete_rule(Name="r1")) == {}
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.describe_rule(Name="r1")
    assert error(e) == rule_not_found("r1")


def test_delete_rule_with_targets_fails(events):
    events.put_rule(Name="r1", EventPattern=PATTERN)
    events.put_targets(Rule="r1", Targets=[{"Id": "t1", "Arn": QUEUE_ARN}])
    with pytest.raises(ClientError) as e:
        events.delete_rule(Name="r1")
    assert error(e) == {
        "Code": "ValidationException",
        "Message": "Rule can't be deleted since it has targets.",
    }
    with pytest.raises(ClientError) as e:
        events.delete_rule(Name="r1", Force=True)
    assert error(e)["Message"] == "Rule can't be deleted since it has targets."
    events.remove_targets(Rule="r1", Ids=["t1"])
    assert body(events.delete_rule(Name="r1")) == {}


def test_delete_missing_rule_succeeds(events, orders):
    assert body(events.delete_rule(Name="nope")) == {}
    assert body(events.delete_rule(Name="nope", EventBusName=orders)) == {}


def test_delete_rule_twice_succeeds(events):
    events.put_rule(Name="r1", EventPattern=PATTERN)
    events.delete_rule(Name="r1")
    assert body(events.delete_rule(Name="r1")) == {}


def test_delete_rule_on_missing_bus_fails(events):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.delete_rule(Name="r1", EventBusName="nope")
    assert error(e) == bus_not_found("nope")


def test_delete_rule_on_custom_bus_by_arn(events, orders):
    events.put_rule(Name="r1", EventPattern=PATTERN, EventBusName=orders)
    events.delete_rule(Name="r1", EventBusName=bus_arn("orders"))
    assert body(events.list_rules(EventBusName=orders)) == {"Rules": []}


def test_recreated_rule_has_no_tags(events):
    events.put_rule(Name="r1", EventPattern=PATTERN, Tags=[{"Key": "k", "Value": "v"}])
    events.delete_rule(Name="r1")
    events.put_rule(Name="r1", EventPattern=PATTERN)
    assert body(events.list_tags_for_resource(ResourceARN=rule_arn("r1"))) == {"Tags": []}


# EnableRule / DisableRule


def test_disable_and_enable_rule(events):
    events.put_rule(Name="r1", EventPattern=PATTERN)
    assert body(events.disable_rule(Name="r1")) == {}
    assert events.describe_rule(Name="r1")["State"] == "DISABLED"
    assert events.list_rules()["Rules"][0]["State"] == "DISABLED"
    assert body(events.disable_rule(Name="r1")) == {}
    assert events.describe_rule(Name="r1")["State"] == "DISABLED"
    assert body(events.enable_rule(Name="r1")) == {}
    assert events.describe_rule(Name="r1")["State"] == "ENABLED"


def test_enable_rule_on_custom_bus_by_arn(events, orders):
    events.put_rule(Name="r1", EventPattern=PATTERN, State="DISABLED", EventBusName=orders)
    events.enable_rule(Name="r1", EventBusName=bus_arn("orders"))
    assert events.describe_rule(Name="r1", EventBusName=orders)["State"] == "ENABLED"


@pytest.mark.parametrize("method", ["enable_rule", "disable_rule"])
def test_enable_disable_missing_rule(events, orders, method):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        getattr(events, method)(Name="nope")
    assert error(e) == rule_not_found("nope")
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        getattr(events, method)(Name="nope", EventBusName=orders)
    assert error(e) == rule_not_found("nope", bus="orders")


@pytest.mark.parametrize("method", ["enable_rule", "disable_rule"])
def test_enable_disable_on_missing_bus(events, method):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        getattr(events, method)(Name="r1", EventBusName="nope")
    assert error(e) == bus_not_found("nope")


def test_rules_are_per_region_and_account(events, make_client):
    events.put_rule(Name="r1", EventPattern=PATTERN)
    west = make_client(region_name="eu-west-1", account_id="111122223333")
    assert body(west.list_rules()) == {"Rules": []}
    assert body(west.put_rule(Name="r1", EventPattern=PATTERN)) == {
        "RuleArn": "arn:aws:events:eu-west-1:111122223333:rule/r1"
    }
    assert west.describe_rule(Name="r1")["CreatedBy"] == "111122223333"


# Schedule expressions


@pytest.mark.parametrize(
    "expression",
    ["rate(1 minute)", "rate(5 minutes)", "rate(1 hour)", "rate(12 hours)", "rate(1 day)", "rate(7 days)", "cron(0 12 * * ? *)", "cron(0/15 * * * ? *)"],
)
def test_valid_schedule_expressions(events, expression):
    events.put_rule(Name="r1", ScheduleExpression=expression)
    assert events.describe_rule(Name="r1")["ScheduleExpression"] == expression


@pytest.mark.parametrize(
    "expression", ["rate(3 minute)", "rate(1 minutes)", "rate(0 minutes)", "cron(bad)", "every 5 minutes"]
)
def test_invalid_schedule_expression(events, expression):
    with pytest.raises(ClientError) as e:
        events.put_rule(Name="r1", ScheduleExpression=expression)
    assert error(e) == {"Code": "ValidationException", "Message": "Parameter ScheduleExpression is not valid."}
    with pytest.raises(events.exceptions.ResourceNotFoundException):
        events.describe_rule(Name="r1")


# Quotas


def test_at_most_300_rules_per_bus(events):
    for i in range(300):
        events.put_rule(Name=f"r{i:03d}", EventPattern=PATTERN)
    with pytest.raises(events.exceptions.LimitExceededException) as e:
        events.put_rule(Name="one-more", EventPattern=PATTERN)
    assert error(e) == {
        "Code": "LimitExceededException",
        "Message": "The requested resource exceeds the maximum number allowed.",
    }
    # Replacing an existing rule is still possible, and other buses have their own quota.
    events.put_rule(Name="r000", ScheduleExpression="rate(1 day)")
    events.create_event_bus(Name="orders")
    events.put_rule(Name="one-more", EventPattern=PATTERN, EventBusName="orders")
