"""Replays: StartReplay, DescribeReplay, ListReplays, CancelReplay, and the replayed events in
the delivery log. StartReplay leaves a replay STARTING; it runs at the start of the next call
other than CancelReplay (here usually `settle`: DescribeReplay), or when the clock moves
(docs/decisions.md). Recorded AWS behaviour: docs/aws-facts-events.md §6."""

from __future__ import annotations

import datetime
import json

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, body, bus_arn, error, rule_arn

QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders"
OTHER_QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:other"
T0 = datetime.datetime(2024, 5, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)


def at(seconds: int) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


def archive_arn(name: str, region: str = REGION) -> str:
    return f"arn:aws:events:{region}:{ACCOUNT}:archive/{name}"


def replay_arn(name: str) -> str:
    return f"arn:aws:events:{REGION}:{ACCOUNT}:replay/{name}"


def entry(n: int, bus: str | None = None, source: str = "com.shop"):
    e = {"Source": source, "DetailType": "Order Placed", "Detail": json.dumps({"n": n}), "Time": at(n)}
    if bus:
        e["EventBusName"] = bus
    return e


def setup(events, bus="default", times=(0, 10, 20), archive="orders"):
    """A rule with a queue target and an archive on `bus`, then one event at each of `times`
    (seconds after T0); the delivery log is cleared afterwards. Returns the PutEvents ids."""
    if bus != "default":
        events.create_event_bus(Name=bus)
    bus_args = {} if bus == "default" else {"EventBusName": bus}
    events.put_rule(Name="orders", EventPattern='{"source": ["com.shop"]}', **bus_args)
    events.put_targets(Rule="orders", Targets=[{"Id": "q", "Arn": QUEUE}], **bus_args)
    events.create_archive(ArchiveName=archive, EventSourceArn=bus_arn(bus))
    resp = events.put_events(Entries=[entry(n, bus if bus != "default" else None) for n in times])
    events.deliveries.clear()
    return [e["EventId"] for e in resp["Entries"]]


def replay(events, name="r1", start=0, end=60, archive="orders", bus="default", description=None, **destination):
    more = {"Description": description} if description else {}
    return events.start_replay(
        ReplayName=name,
        EventSourceArn=archive_arn(archive),
        EventStartTime=at(start),
        EventEndTime=at(end),
        Destination={"Arn": bus_arn(bus), **destination},
        **more,
    )


def settle(events, name="r1"):
    """The next call runs the pending replay; DescribeReplay then shows how it ended."""
    return events.describe_replay(ReplayName=name)


def test_start_replay_response_says_starting(events):
    setup(events)
    resp = replay(events)
    assert isinstance(resp.pop("ReplayStartTime"), datetime.datetime)
    assert body(resp) == {"ReplayArn": replay_arn("r1"), "State": "STARTING"}


def test_replay_runs_at_the_next_call(events):
    setup(events)
    started = replay(events, description="again", start=0, end=15)
    assert len(events.deliveries) == 0
    d = body(events.describe_replay(ReplayName="r1"))
    assert d.pop("ReplayStartTime") == started["ReplayStartTime"]
    assert isinstance(d.pop("ReplayEndTime"), datetime.datetime)
    # EventLastReplayedTime is the minute of the latest archived event in the one-minute
    # slices the window touches (recorded: always a whole minute).
    assert d == {
        "ReplayName": "r1",
        "ReplayArn": replay_arn("r1"),
        "Description": "again",
        "State": "COMPLETED",
        "EventSourceArn": archive_arn("orders"),
        "Destination": {"Arn": bus_arn("default")},
        "EventStartTime": at(0),
        "EventEndTime": at(15),
        "EventLastReplayedTime": at(0),
    }
    assert [d.event["detail"]["n"] for d in events.deliveries] == [0, 10]


def test_any_call_runs_a_pending_replay(events):
    setup(events)
    replay(events)
    events.list_rules()
    assert len(events.deliveries) == 3
    assert events.describe_replay(ReplayName="r1")["State"] == "COMPLETED"


def test_moving_the_clock_runs_a_pending_replay(events, backend):
    backend.clock_freeze(T0.timestamp() + 3600)
    setup(events)
    replay(events)
    assert len(events.deliveries) == 0
    backend.clock_freeze(T0.timestamp() + 3660)
    assert len(events.deliveries) == 3
    d = events.describe_replay(ReplayName="r1")
    assert (d["State"], d["ReplayEndTime"]) == ("COMPLETED", at(3660))


def test_cancel_right_after_start(events):
    setup(events)
    replay(events)
    # Recorded from AWS: CANCELLING at once, then CANCELLED; cancelling again is refused.
    assert body(events.cancel_replay(ReplayName="r1")) == {"ReplayArn": replay_arn("r1"), "State": "CANCELLING"}
    with pytest.raises(events.exceptions.IllegalStatusException) as e:
        events.cancel_replay(ReplayName="r1")
    check(e, "IllegalStatusException", "Replay r1 is not in a valid state for this operation.")
    d = body(settle(events))
    assert isinstance(d.pop("ReplayStartTime"), datetime.datetime)
    assert isinstance(d.pop("ReplayEndTime"), datetime.datetime)
    assert d == {
        "ReplayName": "r1",
        "ReplayArn": replay_arn("r1"),
        "State": "CANCELLED",
        "EventSourceArn": archive_arn("orders"),
        "Destination": {"Arn": bus_arn("default")},
        "EventStartTime": at(0),
        "EventEndTime": at(60),
    }
    assert len(events.deliveries) == 0
    with pytest.raises(events.exceptions.IllegalStatusException) as e:
        events.cancel_replay(ReplayName="r1")
    check(e, "IllegalStatusException", "Replay r1 is not in a valid state for this operation.")


def test_cancelling_replay_is_listed_as_cancelling_until_the_next_call(events):
    setup(events)
    replay(events)
    events.cancel_replay(ReplayName="r1")
    # ListReplays is itself a call: the cancellation completes first.
    assert [(r["ReplayName"], r["State"]) for r in events.list_replays()["Replays"]] == [("r1", "CANCELLED")]


def test_replayed_events_reach_the_rules_with_replay_name(events):
    ids = setup(events)
    replay(events, name="again")
    settle(events, "again")
    delivered = events.deliveries.to(QUEUE)
    assert len(delivered) == 3
    new_ids = [d.event["id"] for d in delivered]
    # Recorded from AWS: every replay gives its events new ids.
    assert len(set(new_ids)) == 3 and not set(new_ids) & set(ids)
    for d, new_id, n in zip(delivered, new_ids, (0, 10, 20)):
        assert d.rule_name == "orders" and d.succeeded
        # The archived envelope, same time, with `replay-name` after `region`.
        assert list(d.event) == [
            "version", "id", "detail-type", "source", "account", "time", "region",
            "replay-name", "resources", "detail",
        ]
        assert d.event == {
            "version": "0",
            "id": new_id,
            "detail-type": "Order Placed",
            "source": "com.shop",
            "account": ACCOUNT,
            "time": at(n).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": REGION,
            "replay-name": "again",
            "resources": [],
            "detail": {"n": n},
        }
        assert d.json == d.event


def test_replay_window_includes_its_start_and_excludes_its_end(events):
    setup(events, times=(0, 10, 20, 30, 70))
    replay(events, start=10, end=30)
    assert settle(events)["EventLastReplayedTime"] == at(0)
    assert [d.event["detail"]["n"] for d in events.deliveries] == [10, 20]


def test_last_replayed_time_comes_from_the_minutes_the_window_touches(events):
    # Recorded (replays.json, `after-oldest-before-middle`): a window holding no event
    # still reports the minute of the latest event in its one-minute slices.
    setup(events, times=(0, 70, 200))
    replay(events, start=1, end=65)
    assert settle(events)["EventLastReplayedTime"] == at(60)
    assert len(events.deliveries) == 0
    replay(events, name="r2", start=130, end=170)
    assert "EventLastReplayedTime" not in settle(events, "r2")


def test_replay_sends_events_in_time_order(events):
    setup(events, times=(20, 0, 10))
    replay(events)
    settle(events)
    assert [d.event["detail"]["n"] for d in events.deliveries] == [0, 10, 20]


def test_replay_of_an_empty_window_completes_without_last_replayed_time(events):
    setup(events)
    replay(events, start=100, end=200)
    d = settle(events)
    assert d["State"] == "COMPLETED"
    assert "EventLastReplayedTime" not in d
    assert "ReplayEndTime" in d
    assert len(events.deliveries) == 0


def test_replay_only_to_filter_arns(events):
    setup(events)
    events.put_rule(Name="audit", EventPattern='{"source": ["com.shop"]}')
    events.put_targets(Rule="audit", Targets=[{"Id": "q2", "Arn": OTHER_QUEUE}])
    replay(events, FilterArns=[rule_arn("audit")])
    settle(events)
    assert {d.rule_name for d in events.deliveries} == {"audit"}
    assert len(events.deliveries.to(OTHER_QUEUE)) == 3
    assert events.describe_replay(ReplayName="r1")["Destination"] == {
        "Arn": bus_arn("default"),
        "FilterArns": [rule_arn("audit")],
    }


@pytest.mark.parametrize("filter_arns", [None, []])
def test_replay_without_filter_reaches_every_matching_rule(events, filter_arns):
    setup(events)
    events.put_rule(Name="audit", EventPattern='{"source": ["com.shop"]}')
    events.put_targets(Rule="audit", Targets=[{"Id": "q2", "Arn": OTHER_QUEUE}])
    events.put_rule(Name="elsewhere", EventPattern='{"source": ["com.other"]}')
    events.put_targets(Rule="elsewhere", Targets=[{"Id": "q3", "Arn": OTHER_QUEUE}])
    replay(events, **({} if filter_arns is None else {"FilterArns": filter_arns}))
    # Recorded: an empty FilterArns reaches every rule and is not shown back.
    assert settle(events)["Destination"] == {"Arn": bus_arn("default")}
    assert sorted(d.rule_name for d in events.deliveries) == ["audit"] * 3 + ["orders"] * 3


def test_rules_can_tell_replayed_events_apart(events):
    setup(events)
    events.put_rule(Name="live-only", EventPattern='{"replay-name": [{"exists": false}]}')
    events.put_targets(Rule="live-only", Targets=[{"Id": "q2", "Arn": OTHER_QUEUE}])
    events.put_rule(Name="replays-only", EventPattern='{"replay-name": ["r1"]}')
    events.put_targets(Rule="replays-only", Targets=[{"Id": "q3", "Arn": OTHER_QUEUE}])
    replay(events)
    settle(events)
    assert sorted({d.rule_name for d in events.deliveries}) == ["orders", "replays-only"]


def test_disabled_rules_get_no_replayed_events(events):
    setup(events)
    events.disable_rule(Name="orders")
    replay(events)
    assert settle(events)["State"] == "COMPLETED"
    assert len(events.deliveries) == 0


def test_replayed_events_are_not_archived_again(events):
    setup(events)
    before = events.describe_archive(ArchiveName="orders")
    replay(events)
    settle(events)
    assert len(events.deliveries) == 3
    after = events.describe_archive(ArchiveName="orders")
    assert before["EventCount"] == 3
    assert (after["EventCount"], after["SizeBytes"]) == (before["EventCount"], before["SizeBytes"])


def test_replay_on_a_custom_bus(events):
    setup(events, bus="orders-bus")
    replay(events, bus="orders-bus", FilterArns=[rule_arn("orders", bus="orders-bus")])
    settle(events)
    assert [d.event_bus_name for d in events.deliveries] == ["orders-bus"] * 3
    assert all(d.event["replay-name"] == "r1" for d in events.deliveries)


def test_replayed_events_follow_bus_targets_and_keep_replay_name(events):
    setup(events)
    events.create_event_bus(Name="copy")
    events.create_archive(ArchiveName="copy", EventSourceArn=bus_arn("copy"))
    events.put_rule(Name="forward", EventPattern='{"source": ["com.shop"]}')
    events.put_targets(Rule="forward", Targets=[{"Id": "bus", "Arn": bus_arn("copy")}])
    events.put_rule(Name="on-copy", EventPattern='{"source": ["com.shop"]}', EventBusName="copy")
    events.put_targets(Rule="on-copy", EventBusName="copy", Targets=[{"Id": "q", "Arn": OTHER_QUEUE}])
    replay(events, FilterArns=[rule_arn("forward")])
    settle(events)
    on_copy = events.deliveries.on_bus("copy")
    assert len(on_copy) == 3 and all(d.event["replay-name"] == "r1" for d in on_copy)
    # Still a replayed event: the receiving bus's archive does not keep it.
    assert events.describe_archive(ArchiveName="copy")["EventCount"] == 0


def test_deleting_the_archive_keeps_its_replays(events):
    setup(events)
    replay(events)
    # DeleteArchive is a call: the replay runs before the archive goes.
    events.delete_archive(ArchiveName="orders")
    assert len(events.deliveries) == 3
    assert events.describe_replay(ReplayName="r1")["State"] == "COMPLETED"
    assert events.describe_replay(ReplayName="r1")["EventSourceArn"] == archive_arn("orders")


# Errors.


def check(excinfo, code, message):
    assert error(excinfo) == {"Code": code, "Message": message}


@pytest.mark.parametrize("start, end", [(10, 10), (20, 10)])
def test_end_must_be_after_start(events, start, end):
    setup(events)
    with pytest.raises(ClientError) as e:
        replay(events, start=start, end=end)
    check(e, "ValidationException",
          "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.")


def test_unknown_archive(events):
    with pytest.raises(ClientError) as e:
        replay(events, archive="nope")
    check(e, "ValidationException", "Parameter EventSourceArn is not valid. Reason: Archive nope does not exist.")


def test_archive_of_another_region(events, make_client):
    setup(events)
    with pytest.raises(ClientError) as e:
        events.start_replay(
            ReplayName="r1",
            EventSourceArn=archive_arn("orders", region="eu-west-1"),
            EventStartTime=at(0),
            EventEndTime=at(60),
            Destination={"Arn": bus_arn("default")},
        )
    check(e, "ValidationException", "Parameter EventSourceArn is not valid. Reason: Archive orders does not exist.")


def test_unknown_destination_bus(events):
    setup(events)
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        replay(events, bus="nope")
    check(e, "ResourceNotFoundException", "Event bus nope does not exist.")


def test_cross_bus_replay(events):
    setup(events)
    events.create_event_bus(Name="other")
    with pytest.raises(ClientError) as e:
        replay(events, bus="other")
    check(e, "ValidationException",
          "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.")


def test_destination_must_be_a_bus(events):
    setup(events)
    with pytest.raises(ClientError) as e:
        events.start_replay(
            ReplayName="r1",
            EventSourceArn=archive_arn("orders"),
            EventStartTime=at(0),
            EventEndTime=at(60),
            Destination={"Arn": rule_arn("orders")},
        )
    check(e, "ValidationException", "Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.")


def test_checks_run_in_aws_order(events):
    # An unknown archive is reported before a bad destination or time window.
    with pytest.raises(ClientError) as e:
        replay(events, archive="nope", bus="nope", start=10, end=0)
    assert "Archive nope does not exist." in error(e)["Message"]
    setup(events)
    # An unknown destination bus before the time window.
    with pytest.raises(ClientError) as e:
        replay(events, bus="nope", start=10, end=0)
    assert error(e)["Message"] == "Event bus nope does not exist."


@pytest.mark.parametrize("same_archive", [True, False])
def test_replay_names_are_unique(events, same_archive):
    setup(events)
    events.create_archive(ArchiveName="second", EventSourceArn=bus_arn("default"))
    replay(events)
    settle(events)
    n = len(events.deliveries)
    assert n == 3
    with pytest.raises(events.exceptions.ResourceAlreadyExistsException) as e:
        replay(events, archive="orders" if same_archive else "second")
    check(e, "ResourceAlreadyExistsException", "Replay r1 already exists.")
    assert len(events.deliveries) == n


def test_describe_unknown_replay(events):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.describe_replay(ReplayName="nope")
    check(e, "ResourceNotFoundException", "Replay nope does not exist.")


def test_cancel_unknown_replay(events):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.cancel_replay(ReplayName="nope")
    check(e, "ResourceNotFoundException", "Replay nope does not exist.")


def test_cancel_completed_replay(events):
    setup(events)
    replay(events)
    settle(events)
    with pytest.raises(events.exceptions.IllegalStatusException) as e:
        events.cancel_replay(ReplayName="r1")
    check(e, "IllegalStatusException", "Replay r1 is not in a valid state for this operation.")
    assert events.describe_replay(ReplayName="r1")["State"] == "COMPLETED"


# ListReplays.


def names(events, **kwargs):
    return [r["ReplayName"] for r in events.list_replays(**kwargs)["Replays"]]


def test_list_replays_items(events):
    assert body(events.list_replays()) == {"Replays": []}
    setup(events)
    replay(events, name="full", start=0, end=15)
    replay(events, name="empty", start=100, end=200)
    full, empty = sorted(events.list_replays()["Replays"], key=lambda r: r["ReplayName"] != "full")
    assert isinstance(full.pop("ReplayStartTime"), datetime.datetime)
    assert isinstance(full.pop("ReplayEndTime"), datetime.datetime)
    assert full == {
        "ReplayName": "full",
        "EventSourceArn": archive_arn("orders"),
        "State": "COMPLETED",
        "EventStartTime": at(0),
        "EventEndTime": at(15),
        "EventLastReplayedTime": at(0),
    }
    assert "EventLastReplayedTime" not in empty


def test_list_replays_filters_and_pages(events):
    setup(events)
    events.create_archive(ArchiveName="second", EventSourceArn=bus_arn("default"))
    for i in range(3):
        replay(events, name=f"orders-{i}")
    replay(events, name="second-0", archive="second")
    assert names(events) == ["orders-0", "orders-1", "orders-2", "second-0"]
    assert names(events, NamePrefix="orders") == ["orders-0", "orders-1", "orders-2"]
    assert names(events, EventSourceArn=archive_arn("second")) == ["second-0"]
    assert names(events, State="COMPLETED") == ["orders-0", "orders-1", "orders-2", "second-0"]
    assert names(events, State="RUNNING") == []
    first = events.list_replays(Limit=3)
    assert [r["ReplayName"] for r in first["Replays"]] == ["orders-0", "orders-1", "orders-2"]
    rest = events.list_replays(Limit=3, NextToken=first["NextToken"])
    assert [r["ReplayName"] for r in rest["Replays"]] == ["second-0"]
    assert "NextToken" not in rest


def test_list_replays_takes_one_filter(events):
    with pytest.raises(ClientError) as e:
        events.list_replays(NamePrefix="a", EventSourceArn=archive_arn("orders"))
    check(e, "ValidationException",
          "At most one filter is allowed for ListReplays. Use either : State, EventSourceArn, or NamePrefix.")


def test_replay_skips_events_past_the_archive_retention(events, backend):
    start = 1_750_000_000.0
    backend.clock_freeze(start)
    events.put_rule(Name="orders", EventPattern='{"source": ["com.shop"]}')
    events.put_targets(Rule="orders", Targets=[{"Id": "q", "Arn": QUEUE}])
    events.create_archive(ArchiveName="orders", EventSourceArn=bus_arn("default"), RetentionDays=1)
    events.put_events(Entries=[entry(0)])
    backend.clock_freeze(start + 86400)
    events.put_events(Entries=[entry(10)])
    backend.clock_freeze(start + 86400 + 1)
    events.deliveries.clear()
    replay(events)
    settle(events)
    assert [d.event["detail"]["n"] for d in events.deliveries] == [10]
