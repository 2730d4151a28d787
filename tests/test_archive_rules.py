"""The managed rule AWS attaches to an archive's bus (`Events-Archive-<name>`): what the rule
operations show of it, the ManagedRuleException texts, and what removing it does to the
archive. Every expectation is recorded from AWS (docs/aws-facts-events.md §5.3)."""

from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, body, bus_arn, error, rule_arn

QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"
RULE = "Events-Archive-a1"
MANAGED_BY = "prod.vhs.events.aws.internal"
TEMPLATE = re.compile(
    r'\{"archive-arn": "arn:aws:events:us-east-1:123456789012:archive/a1:'
    r'([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",'
    r'"event": <aws\.events\.event\.json>,"ingestion-time": <aws\.events\.event\.ingestion-time>\}'
)


@pytest.fixture
def archived(events):
    """An archive `a1` on the bus `orders`."""
    events.create_event_bus(Name="orders")
    events.create_archive(ArchiveName="a1", EventSourceArn=bus_arn("orders"))
    return events


def managed_target(events, bus="orders"):
    [target] = events.list_targets_by_rule(Rule=RULE, EventBusName=bus)["Targets"]
    return target


def put_one(events, source="com.shop", bus="orders"):
    events.put_events(Entries=[{"Source": source, "DetailType": "d", "Detail": "{}", "EventBusName": bus}])


def archived_count(events, name="a1"):
    return events.describe_archive(ArchiveName=name)["EventCount"]


def test_create_archive_puts_its_rule_on_the_bus(archived):
    events = archived
    listed = {"Name": RULE, "Arn": rule_arn(RULE, bus="orders"), "EventPattern": '{"replay-name":[{"exists":false}]}',
              "State": "ENABLED", "ManagedBy": MANAGED_BY, "EventBusName": "orders"}
    assert body(events.list_rules(EventBusName="orders")) == {"Rules": [listed]}
    assert body(events.describe_rule(Name=RULE, EventBusName="orders")) == {**listed, "CreatedBy": ACCOUNT}
    target = managed_target(events)
    template = target["InputTransformer"].pop("InputTemplate")
    assert TEMPLATE.fullmatch(template), template
    assert target == {"Id": RULE, "Arn": "arn:aws:events:us-east-1:::", "InputTransformer": {"InputPathsMap": {}}}
    assert body(events.list_tags_for_resource(ResourceARN=rule_arn(RULE, bus="orders"))) == {"Tags": []}


def test_the_rule_pattern_is_the_archive_pattern_without_replayed_events(events):
    events.create_archive(
        ArchiveName="a1", EventSourceArn=bus_arn("default"), EventPattern='{ "source" : [ "control.updated" ] }'
    )
    rule = events.describe_rule(Name=RULE)
    assert rule["EventPattern"] == '{"replay-name":[{"exists":false}],"source":["control.updated"]}'
    assert rule["Arn"] == rule_arn(RULE)
    # An archive pattern naming replay-name itself still gets `exists: false` in the rule.
    events.update_archive(ArchiveName="a1", EventPattern='{"replay-name":[{"exists":true}],"source":["probe"]}')
    assert events.describe_rule(Name=RULE)["EventPattern"] == '{"replay-name":[{"exists":false}],"source":["probe"]}'
    assert events.describe_archive(ArchiveName="a1")["EventPattern"] == (
        '{"replay-name":[{"exists":true}],"source":["probe"]}'
    )
    events.update_archive(ArchiveName="a1", EventPattern="")
    assert events.describe_rule(Name=RULE)["EventPattern"] == '{"replay-name":[{"exists":false}]}'


def test_the_rule_delivers_nothing_to_the_log_and_archiving_works_as_before(archived):
    events = archived
    events.put_rule(Name="mine", EventPattern='{"source": ["com.shop"]}', EventBusName="orders")
    events.put_targets(Rule="mine", EventBusName="orders", Targets=[{"Id": "q", "Arn": QUEUE}])
    put_one(events)
    put_one(events, source="com.other")
    assert [(d.rule_name, d.target_id) for d in events.deliveries] == [("mine", "q")]
    assert archived_count(events) == 2


def test_delete_archive_removes_its_rule(archived):
    events = archived
    events.create_archive(ArchiveName="a2", EventSourceArn=bus_arn("orders"))
    events.delete_archive(ArchiveName="a1")
    assert [r["Name"] for r in events.list_rules(EventBusName="orders")["Rules"]] == ["Events-Archive-a2"]
    with pytest.raises(events.exceptions.ResourceNotFoundException):
        events.describe_rule(Name=RULE, EventBusName="orders")


def test_a_recreated_archive_has_a_new_incarnation(archived):
    events = archived
    before = TEMPLATE.fullmatch(managed_target(events)["InputTransformer"]["InputTemplate"]).group(1)
    events.delete_archive(ArchiveName="a1")
    events.create_archive(ArchiveName="a1", EventSourceArn=bus_arn("orders"))
    after = TEMPLATE.fullmatch(managed_target(events)["InputTransformer"]["InputTemplate"]).group(1)
    assert before != after


MANAGED = f"{RULE} is a managed rule."
FORCE = f"{RULE} is a managed rule. Set 'force' parameter to true to override."


@pytest.mark.parametrize(
    "call, kwargs, message",
    [
        ("put_rule", {"Name": RULE, "EventPattern": '{"source":["must.not.change"]}'}, MANAGED),
        ("enable_rule", {"Name": RULE}, MANAGED),
        ("disable_rule", {"Name": RULE}, MANAGED),
        ("delete_rule", {"Name": RULE}, FORCE),
        ("put_targets", {"Rule": RULE, "Targets": [{"Id": "owned-sqs", "Arn": QUEUE}]}, MANAGED),
        ("remove_targets", {"Rule": RULE, "Ids": [RULE]}, FORCE),
    ],
)
def test_changing_the_rule_is_refused(archived, call, kwargs, message):
    events = archived
    before = body(events.describe_rule(Name=RULE, EventBusName="orders"))
    with pytest.raises(events.exceptions.ManagedRuleException) as e:
        getattr(events, call)(EventBusName="orders", **kwargs)
    assert error(e) == {"Code": "ManagedRuleException", "Message": message}
    assert body(events.describe_rule(Name=RULE, EventBusName="orders")) == before
    assert managed_target(events)["Id"] == RULE


@pytest.mark.parametrize(
    "call, kwargs",
    [("tag_resource", {"Tags": [{"Key": "k", "Value": "v"}]}), ("untag_resource", {"TagKeys": ["k"]})],
)
def test_tagging_the_rule_is_refused(archived, call, kwargs):
    events = archived
    with pytest.raises(events.exceptions.ManagedRuleException) as e:
        getattr(events, call)(ResourceARN=rule_arn(RULE, bus="orders"), **kwargs)
    assert error(e) == {
        "Code": "ManagedRuleException",
        "Message": f"Tag related operations on the managed rule {RULE} is not allowed.",
    }


def test_putting_the_archive_target_is_refused_before_the_managed_check(archived):
    events = archived
    target = managed_target(events)
    with pytest.raises(ClientError) as e:
        events.put_targets(Rule=RULE, EventBusName="orders", Targets=[target])
    arn = "arn:aws:events:us-east-1:::"
    assert error(e) == {
        "Code": "ValidationException",
        "Message": f"Parameter {arn} is not valid. Reason: Service as target config for ARN: {arn} not found. "
        "The API call hasn't been recognized as managed rules call",
    }


def test_force_delete_needs_the_target_removed_first(archived):
    events = archived
    with pytest.raises(ClientError) as e:
        events.delete_rule(Name=RULE, EventBusName="orders", Force=True)
    assert error(e) == {"Code": "ValidationException", "Message": "Rule can't be deleted since it has targets."}
    assert events.describe_archive(ArchiveName="a1")["State"] == "ENABLED"


def test_force_removing_another_id_changes_nothing(archived):
    events = archived
    resp = events.remove_targets(Rule=RULE, EventBusName="orders", Ids=["nonexistent"], Force=True)
    assert body(resp) == {"FailedEntryCount": 0, "FailedEntries": []}
    assert events.describe_archive(ArchiveName="a1")["State"] == "ENABLED"


def disabled(events, **more):
    d = body(events.describe_archive(ArchiveName="a1"))
    d.pop("CreationTime")
    return d == {
        "ArchiveArn": f"arn:aws:events:{REGION}:{ACCOUNT}:archive/a1",
        "ArchiveName": "a1",
        "EventSourceArn": bus_arn("orders"),
        "State": "DISABLED",
        "StateReason": "Managed rule for the archive was forcefully deleted.",
        "RetentionDays": 0,
        "SizeBytes": 0,
        "EventCount": 0,
        **more,
    }


def test_force_removing_its_target_disables_the_archive(archived):
    events = archived
    incarnation = TEMPLATE.fullmatch(managed_target(events)["InputTransformer"]["InputTemplate"]).group(1)
    events.remove_targets(Rule=RULE, EventBusName="orders", Ids=[RULE], Force=True)
    assert disabled(events)
    assert events.describe_rule(Name=RULE, EventBusName="orders")["State"] == "ENABLED"
    assert events.list_targets_by_rule(Rule=RULE, EventBusName="orders")["Targets"] == []
    [listed] = events.list_archives(State="DISABLED")["Archives"]
    assert listed["StateReason"] == "Managed rule for the archive was forcefully deleted."
    put_one(events)
    assert archived_count(events) == 0
    # UpdateArchive puts the target back (same incarnation) and enables the archive.
    assert events.update_archive(ArchiveName="a1", Description="repair")["State"] == "ENABLED"
    assert TEMPLATE.fullmatch(managed_target(events)["InputTransformer"]["InputTemplate"]).group(1) == incarnation
    assert "StateReason" not in events.describe_archive(ArchiveName="a1")
    put_one(events)
    assert archived_count(events) == 1


def test_force_deleting_the_rule_and_repairing_it(archived):
    events = archived
    events.remove_targets(Rule=RULE, EventBusName="orders", Ids=[RULE], Force=True)
    assert body(events.delete_rule(Name=RULE, EventBusName="orders", Force=True)) == {}
    assert events.list_rules(EventBusName="orders")["Rules"] == []
    assert disabled(events)
    events.update_archive(ArchiveName="a1", Description="repair-check", EventPattern='{"source":["repaired"]}')
    [rule] = events.list_rules(EventBusName="orders")["Rules"]
    assert (rule["Name"], rule["EventPattern"]) == (RULE, '{"replay-name":[{"exists":false}],"source":["repaired"]}')
    assert events.describe_archive(ArchiveName="a1")["State"] == "ENABLED"


def test_an_archive_whose_bus_is_gone_cannot_be_updated(archived):
    events = archived
    events.delete_event_bus(Name="orders")
    assert disabled(events)
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.update_archive(ArchiveName="a1", Description="must-not-save")
    assert error(e) == {"Code": "ResourceNotFoundException", "Message": "Archive a1 managed rule does not exist."}
    assert "Description" not in events.describe_archive(ArchiveName="a1")


def test_create_archive_over_an_ordinary_rule_of_that_name(events):
    events.put_rule(Name=RULE, EventPattern='{"source":["owned.manual"]}', Description="owned ordinary rule")
    with pytest.raises(events.exceptions.ResourceAlreadyExistsException) as e:
        events.create_archive(ArchiveName="a1", EventSourceArn=bus_arn("default"), EventPattern='{"source":["x"]}')
    assert error(e) == {
        "Code": "ResourceAlreadyExistsException",
        "Message": f"A rule with the pattern '{RULE}' already exists. "
        "Please choose a different archive name or delete your rule, then, try again.",
    }
    assert events.list_archives()["Archives"] == []
    rule = events.describe_rule(Name=RULE)
    assert ("ManagedBy" in rule, rule["EventPattern"]) == (False, '{"source":["owned.manual"]}')


def test_the_rule_is_never_replayed_to(archived):
    events = archived
    put_one(events)
    events.start_replay(
        ReplayName="r1",
        EventSourceArn=f"arn:aws:events:{REGION}:{ACCOUNT}:archive/a1",
        EventStartTime=0,
        EventEndTime=4_000_000_000,
        Destination={"Arn": bus_arn("orders"), "FilterArns": [rule_arn(RULE, bus="orders")]},
    )
    assert events.describe_replay(ReplayName="r1")["State"] == "COMPLETED"
    assert len(events.deliveries) == 0
    assert archived_count(events) == 1
    assert json.loads(events.describe_rule(Name=RULE, EventBusName="orders")["EventPattern"]) == {
        "replay-name": [{"exists": False}]
    }
