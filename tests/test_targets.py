"""PutTargets, ListTargetsByRule, RemoveTargets, ListRuleNamesByTarget."""

import pytest
from botocore.exceptions import ClientError

from conftest import (
    LAMBDA_ARN,
    NAME_PATTERN,
    PATTERN,
    QUEUE_ARN,
    body,
    bus_arn,
    error,
    item,
    validation,
)

OK = {"FailedEntryCount": 0, "FailedEntries": []}
LIMIT = {
    "Code": "LimitExceededException",
    "Message": "The requested resource exceeds the maximum number allowed.",
}


def target(i, arn=QUEUE_ARN):
    return {"Id": f"t{i}", "Arn": arn}


def rule_not_found(name, bus="default"):
    return {
        "Code": "ResourceNotFoundException",
        "Message": f"Rule {name} does not exist on EventBus {bus}.",
    }


@pytest.fixture
def rule(events):
    events.put_rule(Name="r1", EventPattern=PATTERN)
    return "r1"


@pytest.fixture
def orders(events):
    events.create_event_bus(Name="orders")
    events.put_rule(Name="r1", EventPattern=PATTERN, EventBusName="orders")
    return "orders"


def test_put_targets_success_has_empty_failed_entries(events, rule):
    assert body(events.put_targets(Rule=rule, Targets=[target(1)])) == OK


def test_list_targets_returns_targets_as_given(events, rule):
    full = {
        "Id": "full",
        "Arn": LAMBDA_ARN,
        "RoleArn": "arn:aws:iam::123456789012:role/events",
        "Input": '{"a": 1}',
        "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 600},
        "DeadLetterConfig": {"Arn": QUEUE_ARN},
    }
    transformer = {
        "Id": "shaped",
        "Arn": QUEUE_ARN,
        "InputTransformer": {
            "InputPathsMap": {"src": "$.source"},
            "InputTemplate": '"<src>"',
        },
        "SqsParameters": {"MessageGroupId": "g"},
    }
    events.put_targets(Rule=rule, Targets=[full, {"Id": "path", "Arn": QUEUE_ARN, "InputPath": "$.detail"}, transformer])
    assert body(events.list_targets_by_rule(Rule=rule)) == {
        "Targets": [full, {"Id": "path", "Arn": QUEUE_ARN, "InputPath": "$.detail"}, transformer]
    }


def test_list_targets_of_rule_without_targets(events, rule):
    assert body(events.list_targets_by_rule(Rule=rule)) == {"Targets": []}


def test_put_targets_updates_by_id(events, rule):
    events.put_targets(Rule=rule, Targets=[target(1), target(2)])
    events.put_targets(Rule=rule, Targets=[{"Id": "t1", "Arn": LAMBDA_ARN, "Input": "{}"}])
    assert body(events.list_targets_by_rule(Rule=rule)) == {
        "Targets": [{"Id": "t1", "Arn": LAMBDA_ARN, "Input": "{}"}, target(2)]
    }


def test_put_targets_on_custom_bus(events, orders):
    assert body(events.put_targets(Rule="r1", EventBusName=orders, Targets=[target(1)])) == OK
    assert body(events.list_targets_by_rule(Rule="r1", EventBusName=bus_arn("orders"))) == {
        "Targets": [target(1)]
    }


def test_put_targets_with_bus_arn(events, orders):
    events.put_targets(Rule="r1", EventBusName=bus_arn("orders"), Targets=[target(1)])
    assert events.list_targets_by_rule(Rule="r1", EventBusName=orders)["Targets"] == [target(1)]


def test_put_targets_on_missing_rule(events, orders):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.put_targets(Rule="nope", Targets=[target(1)])
    assert error(e) == rule_not_found("nope")
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.put_targets(Rule="nope", EventBusName=bus_arn("orders"), Targets=[target(1)])
    assert error(e) == rule_not_found("nope", bus="orders")


def test_put_targets_on_missing_bus(events):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.put_targets(Rule="r1", EventBusName="nope", Targets=[target(1)])
    assert error(e) == {"Code": "ResourceNotFoundException", "Message": "Event bus nope does not exist."}


def test_at_most_five_targets_in_one_call(events, rule):
    with pytest.raises(events.exceptions.LimitExceededException) as e:
        events.put_targets(Rule=rule, Targets=[target(i) for i in range(7)])
    assert error(e) == LIMIT
    assert body(events.list_targets_by_rule(Rule=rule)) == {"Targets": []}


def test_at_most_five_targets_across_calls(events, rule):
    events.put_targets(Rule=rule, Targets=[target(i) for i in range(5)])
    with pytest.raises(events.exceptions.LimitExceededException) as e:
        events.put_targets(Rule=rule, Targets=[target(5)])
    assert error(e) == LIMIT
    assert len(events.list_targets_by_rule(Rule=rule)["Targets"]) == 5


def test_updating_targets_of_a_full_rule_is_allowed(events, rule):
    events.put_targets(Rule=rule, Targets=[target(i) for i in range(5)])
    response = events.put_targets(Rule=rule, Targets=[target(0, LAMBDA_ARN), target(4, LAMBDA_ARN)])
    assert body(response) == OK
    arns = {t["Id"]: t["Arn"] for t in events.list_targets_by_rule(Rule=rule)["Targets"]}
    assert arns == {"t0": LAMBDA_ARN, "t1": QUEUE_ARN, "t2": QUEUE_ARN, "t3": QUEUE_ARN, "t4": LAMBDA_ARN}


def test_target_id_pattern(events, rule):
    with pytest.raises(ClientError) as e:
        events.put_targets(Rule=rule, Targets=[{"Id": "!@#$@!#$", "Arn": QUEUE_ARN}])
    assert error(e) == validation(item("!@#$@!#$", "targets.1.member.id", NAME_PATTERN))


def test_target_id_too_long_in_second_entry(events, rule):
    long_id = "i" * 65
    with pytest.raises(ClientError) as e:
        events.put_targets(Rule=rule, Targets=[target(1), {"Id": long_id, "Arn": QUEUE_ARN}])
    assert error(e) == validation(
        item(long_id, "targets.2.member.id", "have length less than or equal to 64")
    )


def test_rule_given_as_arn_is_rejected(events, rule):
    arn = "arn:aws:events:us-east-1:123456789012:rule/r1"
    with pytest.raises(ClientError) as e:
        events.put_targets(Rule=arn, Targets=[target(1)])
    assert error(e) == validation(item(arn, "rule", NAME_PATTERN))
    with pytest.raises(ClientError) as e:
        events.list_targets_by_rule(Rule=arn)
    assert error(e) == validation(item(arn, "rule", NAME_PATTERN))


def test_target_arn_must_be_an_arn(events, rule):
    with pytest.raises(ClientError) as e:
        events.put_targets(Rule=rule, Targets=[{"Id": "t1", "Arn": "not-an-arn"}])
    assert error(e) == {
        "Code": "ValidationException",
        "Message": "Parameter not-an-arn is not valid. Reason: Provided Arn is not in correct format.",
    }


def test_list_targets_of_missing_rule(events, orders):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.list_targets_by_rule(Rule="nope")
    assert error(e) == rule_not_found("nope")
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.list_targets_by_rule(Rule="nope", EventBusName=orders)
    assert error(e) == rule_not_found("nope", bus="orders")


# RemoveTargets


def test_remove_targets(events, rule):
    events.put_targets(Rule=rule, Targets=[target(1), target(2), target(3)])
    assert body(events.remove_targets(Rule=rule, Ids=["t1", "t3"])) == OK
    assert body(events.list_targets_by_rule(Rule=rule)) == {"Targets": [target(2)]}


def test_remove_unknown_target_ids_succeeds(events, rule):
    events.put_targets(Rule=rule, Targets=[target(1)])
    assert body(events.remove_targets(Rule=rule, Ids=["nope"])) == OK
    assert events.list_targets_by_rule(Rule=rule)["Targets"] == [target(1)]


def test_remove_targets_on_custom_bus_by_arn(events, orders):
    events.put_targets(Rule="r1", EventBusName=orders, Targets=[target(1)])
    events.remove_targets(Rule="r1", EventBusName=bus_arn("orders"), Ids=["t1"])
    assert events.list_targets_by_rule(Rule="r1", EventBusName=orders)["Targets"] == []


def test_remove_targets_of_missing_rule(events):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.remove_targets(Rule="unknown", Ids=["t1"])
    assert error(e) == rule_not_found("unknown")


def test_removed_targets_free_the_limit(events, rule):
    events.put_targets(Rule=rule, Targets=[target(i) for i in range(5)])
    events.remove_targets(Rule=rule, Ids=["t0"])
    assert body(events.put_targets(Rule=rule, Targets=[target(9)])) == OK


# ListRuleNamesByTarget


def test_list_rule_names_by_target(events, rule):
    for name in ["c", "a", "b"]:
        events.put_rule(Name=name, EventPattern=PATTERN)
    events.put_targets(Rule="c", Targets=[target(1)])
    events.put_targets(Rule="a", Targets=[target(2)])
    events.put_targets(Rule="b", Targets=[target(1, LAMBDA_ARN)])
    assert body(events.list_rule_names_by_target(TargetArn=QUEUE_ARN)) == {"RuleNames": ["a", "c"]}
    assert body(events.list_rule_names_by_target(TargetArn=LAMBDA_ARN)) == {"RuleNames": ["b"]}


def test_list_rule_names_by_unknown_target(events, rule):
    assert body(events.list_rule_names_by_target(TargetArn=QUEUE_ARN)) == {"RuleNames": []}


def test_list_rule_names_by_target_only_on_the_bus(events, rule, orders):
    events.put_targets(Rule="r1", Targets=[target(1)])
    events.put_rule(Name="r2", EventPattern=PATTERN, EventBusName=orders)
    events.put_targets(Rule="r2", EventBusName=orders, Targets=[target(1)])
    assert events.list_rule_names_by_target(TargetArn=QUEUE_ARN)["RuleNames"] == ["r1"]
    assert events.list_rule_names_by_target(TargetArn=QUEUE_ARN, EventBusName=orders)["RuleNames"] == [
        "r2"
    ]
    assert events.list_rule_names_by_target(TargetArn=QUEUE_ARN, EventBusName=bus_arn("orders"))[
        "RuleNames"
    ] == ["r2"]


def test_list_rule_names_by_target_forgets_removed_targets(events, rule):
    events.put_targets(Rule=rule, Targets=[target(1)])
    events.remove_targets(Rule=rule, Ids=["t1"])
    assert events.list_rule_names_by_target(TargetArn=QUEUE_ARN)["RuleNames"] == []


def test_list_rule_names_by_target_on_missing_bus(events):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.list_rule_names_by_target(TargetArn=QUEUE_ARN, EventBusName="nope")
    assert error(e) == {"Code": "ResourceNotFoundException", "Message": "Event bus nope does not exist."}


def test_duplicate_ids_in_one_call_last_wins(events, rule):
    response = events.put_targets(Rule=rule, Targets=[target(1), target(1, LAMBDA_ARN)])
    assert body(response) == OK
    assert events.list_targets_by_rule(Rule=rule)["Targets"] == [target(1, LAMBDA_ARN)]


FIFO_QUEUE_ARN = QUEUE_ARN + ".fifo"


def test_fifo_queue_target_needs_sqs_parameters(events, rule):
    # AWS's text, quoted in awslabs/aws-ddk issue #183 and hashicorp/terraform issue #20263.
    with pytest.raises(ClientError) as e:
        events.put_targets(Rule=rule, Targets=[target(1), {"Id": "fifo-target", "Arn": FIFO_QUEUE_ARN}])
    assert error(e) == {
        "Code": "ValidationException",
        "Message": "Parameter(s) SqsParameters must be specified for target: fifo-target.",
    }
    assert events.list_targets_by_rule(Rule=rule)["Targets"] == []
    fifo = {"Id": "fifo-target", "Arn": FIFO_QUEUE_ARN, "SqsParameters": {"MessageGroupId": "g"}}
    assert body(events.put_targets(Rule=rule, Targets=[fifo])) == OK
    assert events.list_targets_by_rule(Rule=rule)["Targets"] == [fifo]
