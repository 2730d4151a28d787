"""The virtual clock and scheduled rules that fire when the test moves time."""

from __future__ import annotations

import datetime as dt
import json

import freezegun
import pytest
from botocore.exceptions import ClientError

import eventbridge_mock
from eventbridge_mock import Schedule, mock_events

UTC = dt.timezone.utc
QUEUE = "arn:aws:sqs:us-east-1:123456789012:q"
START = dt.datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def mock():
    with mock_events(frozen_at=START) as m:
        yield m


def scheduled(client, name, expression, target_id="q", **target):
    client.put_rule(Name=name, ScheduleExpression=expression)
    client.put_targets(Rule=name, Targets=[{"Id": target_id, "Arn": QUEUE, **target}])


def times(deliveries):
    return [d.event["time"] for d in deliveries]


def test_an_hour_of_rate_one_minute_gives_sixty_distinct_instants(mock):
    c = mock.client()
    scheduled(c, "tick", "rate(1 minute)")
    mock.clock.advance(hours=1)
    fired = mock.deliveries.for_rule("tick")
    assert len(fired) == 60
    assert times(fired) == [f"2026-01-01T00:{m:02d}:00Z" for m in range(1, 60)] + ["2026-01-01T01:00:00Z"]
    assert len({d.event["id"] for d in fired}) == 60


def test_scheduled_event_is_the_event_aws_sends(mock):
    c = mock.client()
    scheduled(c, "tick", "rate(5 minutes)")
    mock.clock.advance(minutes=5)
    (d,) = mock.deliveries
    event = json.loads(d.payload)
    assert event == {
        "version": "0",
        "id": event["id"],
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-01-01T00:05:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/tick"],
        "detail": {},
    }
    assert list(event) == ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]
    assert d.time == dt.datetime(2026, 1, 1, 0, 5).replace(tzinfo=UTC).astimezone(d.time.tzinfo)


def test_cron_every_fifteen_minutes_over_a_day_gives_96(mock):
    c = mock.client()
    scheduled(c, "quarter", "cron(0/15 * * * ? *)")
    mock.clock.advance(days=1)
    assert len(mock.deliveries) == 96


def test_rate_counts_from_creation(mock):
    mock.clock.set(dt.datetime(2026, 1, 1, 0, 0, 30, tzinfo=UTC))
    c = mock.client()
    scheduled(c, "tick", "rate(1 minute)")
    mock.clock.advance(seconds=59)
    assert len(mock.deliveries) == 0
    mock.clock.advance(seconds=1)
    assert times(mock.deliveries) == ["2026-01-01T00:01:30Z"]


def test_changing_the_schedule_restarts_the_count_and_replacing_it_unchanged_does_not(mock):
    c = mock.client()
    scheduled(c, "tick", "rate(10 minutes)")
    mock.clock.advance(minutes=5)
    c.put_rule(Name="tick", ScheduleExpression="rate(10 minutes)", Description="same schedule")
    mock.clock.advance(minutes=5)
    assert times(mock.deliveries) == ["2026-01-01T00:10:00Z"]
    c.put_rule(Name="tick", ScheduleExpression="rate(15 minutes)")
    mock.clock.advance(minutes=15)
    assert times(mock.deliveries)[-1] == "2026-01-01T00:25:00Z"


@pytest.mark.parametrize(
    "expression, start, span, expected",
    [
        # The last day of each month of a leap year.
        ("cron(0 12 L * ? *)", dt.datetime(2028, 1, 1), dt.timedelta(days=366),
         ["2028-01-31", "2028-02-29", "2028-03-31", "2028-04-30", "2028-05-31", "2028-06-30",
          "2028-07-31", "2028-08-31", "2028-09-30", "2028-10-31", "2028-11-30", "2028-12-31"]),
        # The nearest weekday to the 15th: Sat 15 Feb 2025 -> Fri 14, Sun 15 Jun 2025 -> Mon 16.
        ("cron(0 8 15W * ? *)", dt.datetime(2025, 2, 1), dt.timedelta(days=150),
         ["2025-02-14", "2025-03-14", "2025-04-15", "2025-05-15", "2025-06-16"]),
        # The second Tuesday of each month.
        ("cron(0 9 ? * 3#2 *)", dt.datetime(2026, 1, 1), dt.timedelta(days=90),
         ["2026-01-13", "2026-02-10", "2026-03-10"]),
        # The last Friday of the month, across a month end.
        ("cron(30 17 ? * 6L *)", dt.datetime(2026, 1, 20), dt.timedelta(days=45),
         ["2026-01-30", "2026-02-27"]),
        # Weekdays only.
        ("cron(0 6 ? * MON-FRI *)", dt.datetime(2026, 1, 1), dt.timedelta(days=7),
         ["2026-01-01", "2026-01-02", "2026-01-05", "2026-01-06", "2026-01-07"]),
    ],
)
def test_cron_calendar_cases(expression, start, span, expected):
    start = start.replace(tzinfo=UTC)
    with mock_events(frozen_at=start) as m:
        scheduled(m.client(), "r", expression)
        m.clock.advance(span)
        assert [t[:10] for t in times(m.deliveries)] == expected


def test_disabled_rules_do_not_fire_and_reenabling_does_not_catch_up(mock):
    c = mock.client()
    scheduled(c, "tick", "rate(1 minute)")
    c.disable_rule(Name="tick")
    mock.clock.advance(minutes=10)
    assert len(mock.deliveries) == 0
    c.enable_rule(Name="tick")
    mock.clock.advance(minutes=1)
    assert times(mock.deliveries) == ["2026-01-01T00:11:00Z"]


def test_deleted_rules_do_not_fire(mock):
    c = mock.client()
    scheduled(c, "tick", "rate(1 minute)")
    mock.clock.advance(minutes=2)
    c.remove_targets(Rule="tick", Ids=["q"])
    c.delete_rule(Name="tick")
    mock.clock.advance(minutes=10)
    assert len(mock.deliveries) == 2


def test_transformers_apply_to_scheduled_events(mock):
    c = mock.client()
    scheduled(
        c,
        "nightly",
        "cron(0 2 * * ? *)",
        InputTransformer={
            "InputPathsMap": {"when": "$.time", "rule": "$.resources[0]"},
            "InputTemplate": '{"run_at": <when>, "by": <rule>, "name": <aws.events.rule-name>}',
        },
    )
    mock.clock.advance(days=2)
    assert mock.deliveries.payloads() == [
        {"run_at": f"2026-01-0{d}T02:00:00Z", "by": "arn:aws:events:us-east-1:123456789012:rule/nightly", "name": "nightly"}
        for d in (1, 2)
    ]


def test_a_rule_with_pattern_and_schedule_does_both(mock):
    c = mock.client()
    c.put_rule(Name="both", ScheduleExpression="rate(1 hour)", EventPattern=json.dumps({"source": ["shop"]}))
    c.put_targets(Rule="both", Targets=[{"Id": "q", "Arn": QUEUE}])
    c.put_events(Entries=[{"Source": "shop", "DetailType": "t", "Detail": "{}"}])
    mock.clock.advance(hours=1)
    assert [d.event["source"] for d in mock.deliveries] == ["shop", "aws.events"]


def test_schedules_fire_in_time_order_across_regions_and_accounts(mock):
    scheduled(mock.client(region_name="eu-west-1"), "every-2", "rate(2 minutes)")
    scheduled(mock.client(account_id="210987654321"), "every-3", "rate(3 minutes)")
    mock.clock.advance(minutes=6)
    assert [(d.rule_name, d.event["time"][11:16]) for d in mock.deliveries] == [
        ("every-2", "00:02"), ("every-3", "00:03"), ("every-2", "00:04"), ("every-2", "00:06"), ("every-3", "00:06"),
    ]


def test_every_timestamp_follows_the_clock(mock):
    c = mock.client()
    created = c.create_event_bus(Name="b")
    assert created["EventBusArn"].endswith(":event-bus/b")
    bus = c.describe_event_bus(Name="b")
    assert bus["CreationTime"] == START and bus["LastModifiedTime"] == START
    mock.clock.advance(minutes=3)
    c.put_permission(EventBusName="b", Action="events:PutEvents", Principal="111122223333", StatementId="s")
    bus = c.describe_event_bus(Name="b")
    assert bus["CreationTime"] == START
    assert bus["LastModifiedTime"] == START + dt.timedelta(minutes=3)
    c.put_rule(Name="r", EventPattern=json.dumps({"source": ["shop"]}))
    c.put_targets(
        Rule="r",
        Targets=[{"Id": "q", "Arn": QUEUE, "InputTransformer": {"InputPathsMap": {}, "InputTemplate": '"<aws.events.event.ingestion-time>"'}}],
    )
    c.put_events(Entries=[{"Source": "shop", "DetailType": "t", "Detail": "{}"}])
    (d,) = mock.deliveries
    assert d.event["time"] == "2026-01-01T00:03:00Z"
    assert d.payload == '"2026-01-01T00:03:00Z"'
    assert mock.clock.now() == START + dt.timedelta(minutes=3)


def test_clock_api(mock):
    assert mock.clock.frozen
    assert mock.clock.now() == START
    assert mock.clock.advance(dt.timedelta(seconds=90)) == START + dt.timedelta(seconds=90)
    assert mock.clock.set("2026-02-01T00:00:00Z") == dt.datetime(2026, 2, 1, tzinfo=UTC)
    with pytest.raises(ValueError):
        mock.clock.advance(seconds=-1)
    mock.clock.unfreeze()
    assert not mock.clock.frozen
    assert abs((mock.clock.now() - dt.datetime.now(UTC)).total_seconds()) < 5


def test_freezegun_reaches_the_engine():
    with freezegun.freeze_time("2030-05-05 10:00:00") as frozen:
        with mock_events() as m:
            c = m.client()
            c.create_event_bus(Name="b")
            assert c.describe_event_bus(Name="b")["CreationTime"] == dt.datetime(2030, 5, 5, 10, tzinfo=UTC)
            scheduled(c, "tick", "rate(1 minute)")
            frozen.tick(dt.timedelta(minutes=3))
            c.list_rules()  # any call notices that time moved, and due schedules fire
            assert times(m.deliveries) == ["2030-05-05T10:01:00Z", "2030-05-05T10:02:00Z", "2030-05-05T10:03:00Z"]


def test_schedule_preview():
    s = Schedule("cron(0/15 * * * ? *)")
    assert s.next(after=START, n=3) == [START + dt.timedelta(minutes=m) for m in (15, 30, 45)]
    assert "Schedule(" in repr(s) and s.expression == "cron(0/15 * * * ? *)"
    rate = Schedule("rate(2 hours)")
    assert rate.next(after=START, n=2, since=START - dt.timedelta(minutes=30)) == [
        START + dt.timedelta(minutes=90), START + dt.timedelta(minutes=210)]
    with pytest.raises(ClientError) as e:
        Schedule("rate(1 minutes)")
    assert e.value.response["Error"] == {"Code": "ValidationException", "Message": "Parameter ScheduleExpression is not valid."}
    assert eventbridge_mock.Schedule is Schedule


def test_scheduled_deliveries_are_forwarded_when_the_clock_moves(monkeypatch):
    from moto import mock_aws
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws(), mock_events(forward_targets=True, frozen_at=START) as m:
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="ticks")["QueueUrl"]
        c = m.client()
        c.put_rule(Name="tick", ScheduleExpression="rate(1 minute)")
        c.put_targets(Rule="tick", Targets=[{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:ticks"}])
        m.clock.advance(minutes=3)
        bodies = [json.loads(x["Body"]) for x in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
        assert sorted(b["time"] for b in bodies) == ["2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z", "2026-01-01T00:03:00Z"]
        assert {b["detail-type"] for b in bodies} == {"Scheduled Event"}
