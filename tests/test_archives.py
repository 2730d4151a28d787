"""Archives: CreateArchive, DescribeArchive, ListArchives, UpdateArchive, DeleteArchive, and
the events that PutEvents routing stores in them."""

from __future__ import annotations

import datetime
import json

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, body, bus_arn, error, item, validation

QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders"
DETAIL = json.dumps({"id": 7, "total": 120})


def archive_arn(name: str) -> str:
    return f"arn:aws:events:{REGION}:{ACCOUNT}:archive/{name}"


def entry(source="com.shop", detail=DETAIL, **more):
    return {"Source": source, "DetailType": "Order Placed", "Detail": detail, **more}


def size(source="com.shop", detail=DETAIL, resources=()):
    """An archived event's SizeBytes (docs/decisions.md): 14 for its time, then source,
    detail-type, compact detail and resources."""
    compact = json.dumps(json.loads(detail), separators=(",", ":"))
    return 14 + len(source) + len("Order Placed") + len(compact) + sum(len(r) for r in resources)


def counts(events, name):
    d = events.describe_archive(ArchiveName=name)
    return d["EventCount"], d["SizeBytes"]


def test_create_archive_response(events):
    resp = events.create_archive(ArchiveName="a1", EventSourceArn=bus_arn("default"))
    created = resp.pop("CreationTime")
    assert isinstance(created, datetime.datetime)
    assert body(resp) == {"ArchiveArn": archive_arn("a1"), "State": "ENABLED"}


def test_describe_archive_minimal(events):
    events.create_archive(ArchiveName="a1", EventSourceArn=bus_arn("default"))
    d = body(events.describe_archive(ArchiveName="a1"))
    assert isinstance(d.pop("CreationTime"), datetime.datetime)
    assert d == {
        "ArchiveArn": archive_arn("a1"),
        "ArchiveName": "a1",
        "EventSourceArn": bus_arn("default"),
        "State": "ENABLED",
        "RetentionDays": 0,
        "SizeBytes": 0,
        "EventCount": 0,
    }


def test_describe_archive_with_every_member(events):
    events.create_event_bus(Name="orders")
    pattern = '{"source": ["com.shop"]}'
    events.create_archive(
        ArchiveName="a1",
        EventSourceArn=bus_arn("orders"),
        Description="orders kept a week",
        EventPattern=pattern,
        RetentionDays=7,
        KmsKeyIdentifier="alias/key",
    )
    d = body(events.describe_archive(ArchiveName="a1"))
    d.pop("CreationTime")
    assert d == {
        "ArchiveArn": archive_arn("a1"),
        "ArchiveName": "a1",
        "EventSourceArn": bus_arn("orders"),
        "Description": "orders kept a week",
        "EventPattern": pattern,
        "State": "ENABLED",
        "KmsKeyIdentifier": "alias/key",
        "RetentionDays": 7,
        "SizeBytes": 0,
        "EventCount": 0,
    }


def test_archive_keeps_every_event_of_its_bus(events):
    events.create_archive(ArchiveName="all", EventSourceArn=bus_arn("default"))
    events.put_events(Entries=[entry(), entry(source="com.other"), entry(Resources=["arn:aws:s3:::b"])])
    assert counts(events, "all") == (
        3,
        size() + size(source="com.other") + size(resources=["arn:aws:s3:::b"]),
    )


def test_archive_keeps_only_events_matching_its_pattern(events):
    events.create_archive(
        ArchiveName="shop", EventSourceArn=bus_arn("default"), EventPattern='{"source": ["com.shop"]}'
    )
    events.put_events(Entries=[entry(), entry(source="com.other"), entry()])
    assert counts(events, "shop") == (2, 2 * size())


def test_archive_needs_no_rule_and_failed_entries_are_not_archived(events):
    events.create_archive(ArchiveName="all", EventSourceArn=bus_arn("default"))
    resp = events.put_events(Entries=[entry(), entry(detail="not json")])
    assert resp["FailedEntryCount"] == 1
    assert counts(events, "all") == (1, size())
    assert len(events.deliveries) == 0


def test_archive_size_counts_compact_detail(events):
    events.create_archive(ArchiveName="all", EventSourceArn=bus_arn("default"))
    spaced = '{ "id" : 7,  "total" : 120 }'
    events.put_events(Entries=[entry(detail=spaced)])
    assert counts(events, "all") == (1, size(detail=spaced))
    assert size(detail=spaced) == 14 + 8 + 12 + len('{"id":7,"total":120}')


def test_archive_sees_only_its_own_bus(events):
    events.create_event_bus(Name="orders")
    events.create_archive(ArchiveName="default-only", EventSourceArn=bus_arn("default"))
    events.create_archive(ArchiveName="orders-only", EventSourceArn=bus_arn("orders"))
    events.put_events(Entries=[entry(EventBusName="orders"), entry(EventBusName=bus_arn("orders"))])
    assert counts(events, "default-only") == (0, 0)
    assert counts(events, "orders-only") == (2, 2 * size())


def test_events_forwarded_by_a_bus_target_are_archived_on_the_receiving_bus(events):
    events.create_event_bus(Name="orders")
    events.create_archive(ArchiveName="orders", EventSourceArn=bus_arn("orders"))
    events.put_rule(Name="forward", EventPattern='{"source": ["com.shop"]}')
    events.put_targets(Rule="forward", Targets=[{"Id": "bus", "Arn": bus_arn("orders")}])
    events.put_events(Entries=[entry(), entry(source="com.other")])
    assert counts(events, "orders") == (1, size())


def test_archives_of_other_accounts_and_regions_are_separate(events, make_client):
    west = make_client(region_name="us-west-2")
    west.create_archive(ArchiveName="a1", EventSourceArn=bus_arn("default", region="us-west-2"))
    events.create_archive(ArchiveName="a1", EventSourceArn=bus_arn("default"))
    west.put_events(Entries=[entry()])
    assert counts(west, "a1") == (1, size())
    assert counts(events, "a1") == (0, 0)
    assert west.describe_archive(ArchiveName="a1")["ArchiveArn"] == (
        f"arn:aws:events:us-west-2:{ACCOUNT}:archive/a1"
    )


def test_several_archives_on_one_bus_each_keep_the_event(events):
    events.create_archive(ArchiveName="a1", EventSourceArn=bus_arn("default"))
    events.create_archive(ArchiveName="a2", EventSourceArn=bus_arn("default"))
    events.put_events(Entries=[entry()])
    assert counts(events, "a1") == counts(events, "a2") == (1, size())


# Errors.


def test_create_archive_on_unknown_bus(events):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.create_archive(ArchiveName="a1", EventSourceArn=bus_arn("nope"))
    assert error(e) == {"Code": "ResourceNotFoundException", "Message": "Event bus nope does not exist."}


@pytest.mark.parametrize(
    "source, reason",
    [
        # Recorded from AWS (docs/aws-facts-events.md §5.2).
        (bus_arn("default", region="eu-west-1"), "Creating cross-region archive is not permitted."),
        (bus_arn("default", account="999000999000"), "Creating cross-account archive is not permitted."),
        (f"arn:aws-cn:events:{REGION}:{ACCOUNT}:event-bus/default", "Creating cross-partition archive is not permitted."),
        (f"arn:aws:events:{REGION}::event-bus/default", "Must contain an event bus ARN."),
        (f"arn:aws:events:{REGION}:{ACCOUNT}:rule/default/r", "Must contain an event bus ARN."),
    ],
)
def test_create_archive_on_a_bus_that_is_not_the_callers(events, source, reason):
    with pytest.raises(ClientError) as e:
        events.create_archive(ArchiveName="a1", EventSourceArn=source)
    assert error(e) == {
        "Code": "ValidationException",
        "Message": f"Parameter EventSourceArn is not valid. Reason: {reason}",
    }
    assert events.list_archives()["Archives"] == []


def test_create_archive_twice(events):
    events.create_event_bus(Name="orders")
    events.create_archive(ArchiveName="a1", EventSourceArn=bus_arn("default"))
    with pytest.raises(events.exceptions.ResourceAlreadyExistsException) as e:
        events.create_archive(ArchiveName="a1", EventSourceArn=bus_arn("orders"))
    assert error(e) == {"Code": "ResourceAlreadyExistsException", "Message": "Archive a1 already exists."}


def test_create_archive_with_invalid_pattern(events):
    with pytest.raises(events.exceptions.InvalidEventPatternException) as e:
        events.create_archive(
            ArchiveName="a1", EventSourceArn=bus_arn("default"), EventPattern='{"source": [{"prefix": ["a"]}]}'
        )
    assert error(e) == {
        "Code": "InvalidEventPatternException",
        "Message": "Event pattern is not valid. Reason: prefix match pattern must be a string",
    }
    assert events.list_archives()["Archives"] == []


def test_create_archive_with_pattern_cut_short(events):
    # Recorded from AWS (radkawar/stackd archives.json, control-create-pattern-invalid-json),
    # which then appends "\n at [Source: (String)\"{\"; line: 1, column: 2]" (not produced).
    with pytest.raises(events.exceptions.InvalidEventPatternException) as e:
        events.create_archive(ArchiveName="a1", EventSourceArn=bus_arn("default"), EventPattern="{")
    assert error(e) == {
        "Code": "InvalidEventPatternException",
        "Message": "Event pattern is not valid. Reason: Unexpected end-of-input: expected close marker for "
        'Object (start marker at [Source: (String)"{"; line: 1, column: 1])',
    }


def test_archive_name_too_long(events):
    name = "a" * 49
    with pytest.raises(ClientError) as e:
        events.create_archive(ArchiveName=name, EventSourceArn=bus_arn("default"))
    assert error(e) == validation(item(name, "archiveName", "have length less than or equal to 48"))


@pytest.mark.parametrize(
    "call, more", [("describe_archive", {}), ("delete_archive", {}), ("update_archive", {"Description": "d"})]
)
def test_unknown_archive(events, call, more):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        getattr(events, call)(ArchiveName="nope", **more)
    assert error(e) == {"Code": "ResourceNotFoundException", "Message": "Archive nope does not exist."}


@pytest.mark.parametrize("name", ["nope", "a1"])
def test_update_archive_without_a_member_to_change(events, name):
    # Recorded from AWS: the check comes before the lookup (an unknown archive gets it too).
    events.create_archive(ArchiveName="a1", EventSourceArn=bus_arn("default"), Description="d")
    with pytest.raises(ClientError) as e:
        events.update_archive(ArchiveName=name)
    assert error(e) == {
        "Code": "ValidationException",
        "Message": "At least one of EventPattern, RetentionDays or Description must be provided.",
    }
    assert events.describe_archive(ArchiveName="a1")["Description"] == "d"


def test_update_archive_with_only_a_kms_key(events):
    # Recorded: KmsKeyIdentifier alone is enough (the message names the other three only).
    events.create_archive(ArchiveName="a1", EventSourceArn=bus_arn("default"), KmsKeyIdentifier="alias/k")
    assert events.update_archive(ArchiveName="a1", KmsKeyIdentifier="")["State"] == "ENABLED"
    assert "KmsKeyIdentifier" not in events.describe_archive(ArchiveName="a1")


# ListArchives.


def list_names(events, **kwargs):
    return [a["ArchiveName"] for a in events.list_archives(**kwargs)["Archives"]]


def test_list_archives_items(events):
    assert body(events.list_archives()) == {"Archives": []}
    events.create_archive(
        ArchiveName="a1", EventSourceArn=bus_arn("default"), Description="d", EventPattern='{"source": ["com.shop"]}'
    )
    events.put_events(Entries=[entry()])
    [a] = events.list_archives()["Archives"]
    assert isinstance(a.pop("CreationTime"), datetime.datetime)
    assert a == {
        "ArchiveName": "a1",
        "EventSourceArn": bus_arn("default"),
        "State": "ENABLED",
        "RetentionDays": 0,
        "SizeBytes": size(),
        "EventCount": 1,
    }


def test_list_archives_filters(events):
    events.create_event_bus(Name="orders")
    events.create_archive(ArchiveName="orders-1", EventSourceArn=bus_arn("orders"))
    events.create_archive(ArchiveName="orders-2", EventSourceArn=bus_arn("default"))
    events.create_archive(ArchiveName="all", EventSourceArn=bus_arn("default"))
    assert list_names(events) == ["all", "orders-1", "orders-2"]
    assert list_names(events, NamePrefix="orders") == ["orders-1", "orders-2"]
    assert list_names(events, EventSourceArn=bus_arn("default")) == ["all", "orders-2"]
    assert list_names(events, EventSourceArn=bus_arn("orders")) == ["orders-1"]
    assert list_names(events, State="ENABLED") == ["all", "orders-1", "orders-2"]
    assert list_names(events, State="DISABLED") == []


def test_list_archives_pages(events):
    for i in range(5):
        events.create_archive(ArchiveName=f"a{i}", EventSourceArn=bus_arn("default"))
    first = events.list_archives(Limit=2)
    assert [a["ArchiveName"] for a in first["Archives"]] == ["a0", "a1"]
    second = events.list_archives(Limit=2, NextToken=first["NextToken"])
    assert [a["ArchiveName"] for a in second["Archives"]] == ["a2", "a3"]
    third = events.list_archives(Limit=2, NextToken=second["NextToken"])
    assert [a["ArchiveName"] for a in third["Archives"]] == ["a4"]
    assert "NextToken" not in third


def test_list_archives_with_unknown_source_bus(events):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.list_archives(EventSourceArn=bus_arn("nope"))
    assert error(e) == {"Code": "ResourceNotFoundException", "Message": "Event bus nope does not exist."}


def test_list_archives_takes_one_filter(events):
    with pytest.raises(ClientError) as e:
        events.list_archives(NamePrefix="a", State="ENABLED")
    assert error(e) == {
        "Code": "ValidationException",
        "Message": "At most one filter is allowed for ListArchives. "
        "Use either : State, EventSourceArn, or NamePrefix.",
    }


# UpdateArchive and DeleteArchive.


def test_update_archive(events):
    created = events.create_archive(ArchiveName="a1", EventSourceArn=bus_arn("default"), Description="old")
    resp = body(events.update_archive(
        ArchiveName="a1", Description="new", EventPattern='{"source": ["com.shop"]}', RetentionDays=3
    ))
    assert resp == {"ArchiveArn": archive_arn("a1"), "State": "ENABLED", "CreationTime": created["CreationTime"]}
    d = events.describe_archive(ArchiveName="a1")
    assert (d["Description"], d["EventPattern"], d["RetentionDays"]) == ("new", '{"source": ["com.shop"]}', 3)
    # The new pattern applies to the events that come next.
    events.put_events(Entries=[entry(), entry(source="com.other")])
    assert counts(events, "a1") == (1, size())


def test_update_archive_keeps_what_it_omits(events):
    events.create_archive(
        ArchiveName="a1", EventSourceArn=bus_arn("default"), Description="d", EventPattern='{"source": ["x"]}',
        RetentionDays=4,
    )
    events.update_archive(ArchiveName="a1", RetentionDays=5)
    d = events.describe_archive(ArchiveName="a1")
    assert (d["Description"], d["EventPattern"], d["RetentionDays"]) == ("d", '{"source": ["x"]}', 5)


def test_empty_strings_clear_or_omit_members(events):
    # Recorded: at create and at update, "" means none for Description, EventPattern and
    # KmsKeyIdentifier.
    events.create_archive(
        ArchiveName="a1", EventSourceArn=bus_arn("default"), Description="", EventPattern="", KmsKeyIdentifier=""
    )
    d = body(events.describe_archive(ArchiveName="a1"))
    assert not {"Description", "EventPattern", "KmsKeyIdentifier"} & set(d)
    events.update_archive(ArchiveName="a1", Description="d", EventPattern='{"source": ["x"]}')
    events.update_archive(ArchiveName="a1", Description="", EventPattern="")
    d = body(events.describe_archive(ArchiveName="a1"))
    assert not {"Description", "EventPattern"} & set(d)
    events.put_events(Entries=[entry(source="anything")])
    assert counts(events, "a1") == (1, size(source="anything"))


def test_update_archive_with_invalid_pattern(events):
    events.create_archive(ArchiveName="a1", EventSourceArn=bus_arn("default"))
    with pytest.raises(events.exceptions.InvalidEventPatternException):
        events.update_archive(ArchiveName="a1", EventPattern="[1, 2]")
    assert "EventPattern" not in events.describe_archive(ArchiveName="a1")


def test_delete_archive(events):
    events.create_archive(ArchiveName="a1", EventSourceArn=bus_arn("default"))
    assert body(events.delete_archive(ArchiveName="a1")) == {}
    assert events.list_archives()["Archives"] == []
    with pytest.raises(events.exceptions.ResourceNotFoundException):
        events.describe_archive(ArchiveName="a1")
    # The name is free again, and the new archive starts empty.
    events.put_events(Entries=[entry()])
    events.create_archive(ArchiveName="a1", EventSourceArn=bus_arn("default"))
    assert counts(events, "a1") == (0, 0)


# Retention, by the mock's clock.

DAY = 86400.0


def test_retention_drops_events_older_than_retention_days(events, backend):
    start = 1_750_000_000.0
    backend.clock_freeze(start)
    events.create_archive(ArchiveName="week", EventSourceArn=bus_arn("default"), RetentionDays=1)
    events.create_archive(ArchiveName="forever", EventSourceArn=bus_arn("default"))
    events.put_events(Entries=[entry()])
    backend.clock_freeze(start + DAY / 2)
    events.put_events(Entries=[entry(source="com.other")])
    backend.clock_freeze(start + DAY)
    assert counts(events, "week") == (2, size() + size(source="com.other"))
    backend.clock_freeze(start + DAY + 1)
    assert counts(events, "week") == (1, size(source="com.other"))
    assert [a["EventCount"] for a in events.list_archives()["Archives"]] == [2, 1]
    backend.clock_freeze(start + 2 * DAY)
    assert counts(events, "week") == (0, 0)
    assert counts(events, "forever") == (2, size() + size(source="com.other"))


def test_retention_counts_from_when_the_event_was_archived(events, backend):
    start = 1_750_000_000.0
    backend.clock_freeze(start)
    events.create_archive(ArchiveName="a1", EventSourceArn=bus_arn("default"), RetentionDays=1)
    # An event whose own time is long past is still kept for a full day.
    events.put_events(Entries=[entry(Time=datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc))])
    backend.clock_freeze(start + DAY - 1)
    assert counts(events, "a1") == (1, size())
