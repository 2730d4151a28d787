"""The delivery log: read where it is kept (len() and filters convert nothing else), numbered
for good, optionally bounded, and current with the clock."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap
import threading

import freezegun
import pytest

from eventbridge_mock import Backend, Deliveries, Delivery, DeliveryLog, mock_events

QUEUE = "arn:aws:sqs:us-east-1:123456789012:q"
OTHER = "arn:aws:sqs:us-east-1:123456789012:other"


def setup(m, n: int, detail=lambda i: {"n": i}):
    c = m.client()
    c.put_rule(Name="all", EventPattern='{"source":["s"]}')
    c.put_targets(Rule="all", Targets=[{"Id": "q", "Arn": QUEUE}])
    c.put_rule(Name="odd", EventPattern='{"detail":{"odd":[true]}}')
    c.put_targets(Rule="odd", Targets=[{"Id": "o", "Arn": OTHER, "InputPath": "$.detail"}])
    for start in range(0, n, 10):
        c.put_events(Entries=[
            {"Source": "s", "DetailType": "t", "Detail": json.dumps({**detail(i), "odd": i % 2 == 1})}
            for i in range(start, min(n, start + 10))
        ])
    return c


def test_reads_like_a_list():
    with mock_events() as m:
        setup(m, 6)
        log = m.deliveries
        assert len(log) == 9  # six to the queue, three odd ones to the other target
        items = list(log)
        assert [d.index for d in items] == list(range(9))
        assert log[0] == items[0] and log[-1] == items[-1] and log[4] == items[4]
        assert log[2:5] == items[2:5] and log[::3] == items[::3] and log[::-1] == items[::-1]
        with pytest.raises(IndexError):
            log[9]
        with pytest.raises(IndexError):
            log[-10]
        assert log.last(2) == Deliveries(items[-2:]) and log.last(0) == Deliveries([])
        assert log.to(OTHER).payloads() == [{"n": 1, "odd": True}, {"n": 3, "odd": True}, {"n": 5, "odd": True}]
        assert log.to("o") == log.to(OTHER) == log.for_rule("odd")
        assert len(log.for_rule("arn:aws:events:us-east-1:123456789012:rule/all")) == 6
        assert len(log.on_bus("default")) == 9 and len(log.on_bus("other")) == 0
        assert log.succeeded() == items and log.failed() == []
        assert [e["detail"]["n"] for e in log.for_rule("all").events()] == list(range(6))
        assert log == items and repr(log) == "DeliveryLog(9 deliveries)"
        assert bool(log)
        # Every dict the backend gives makes a Delivery, with every field.
        raw = m.backend.deliveries(8)
        assert [Delivery(**d) for d in raw] == [items[8]]
        assert set(raw[0]) == {"account", "region", "event_bus_name", "rule_name", "rule_arn", "target_id",
                               "target_arn", "payload", "event", "time", "succeeded", "error", "index",
                               "forwarded", "note"}
        assert m.backend.deliveries(3, 5) == [m.backend.deliveries(3)[0], m.backend.deliveries(4)[0]]


def test_reads_convert_only_what_they_return():
    with mock_events() as m:
        setup(m, 40)
        calls = []

        class Spy:
            def __getattr__(self, name):
                attr = getattr(m.backend, name)

                def call(*args, **kwargs):
                    out = attr(*args, **kwargs)
                    if isinstance(out, list):
                        calls.append((name, len(out)))
                    return out

                return call

        log = DeliveryLog(Spy())
        assert len(log) == 60 and calls == []
        log[-1]
        log.last(3)
        log.to(OTHER)
        assert calls == [("deliveries", 1), ("deliveries", 3), ("deliveries_where", 20)]


def test_numbers_are_kept_for_good_and_the_bound_drops_the_oldest():
    with mock_events(max_deliveries=4) as m:
        setup(m, 4)  # 6 deliveries: q0 q1 o1 q2 q3 o3
        log = m.deliveries
        assert len(log) == 4 and log.dropped == 2
        assert [d.index for d in log] == [2, 3, 4, 5]
        assert log[0].payload == '{"n":1,"odd":true}' and log[0].index == 2
        assert repr(log) == "DeliveryLog(4 deliveries, 2 dropped)"
        # A number that was dropped names nothing, so marking it changes nothing.
        m.backend.mark_failed(1, "late")
        m.backend.set_forwarded(0, True, "sent")
        assert log.failed() == [] and all(d.forwarded is None for d in log)
        m.backend.mark_failed(3, "late")
        m.backend.set_forwarded(4, False, "held back")
        assert [(d.index, d.error) for d in log.failed()] == [(3, "late")]
        assert (log[2].forwarded, log[2].note) == (False, "held back")
        # Reading from a dropped number starts at the oldest kept.
        assert [d["index"] for d in m.backend.deliveries(0)] == [2, 3, 4, 5]
        assert m.backend.delivery_count() == 6
        log.clear()
        assert len(log) == 0 and log.dropped == 0 and m.backend.delivery_count() == 6
        m.client().put_events(Entries=[{"Source": "s", "DetailType": "t", "Detail": "{}"}])
        assert [d.index for d in log] == [6]
        m.backend.max_deliveries = 0
        assert len(log) == 0 and log.dropped == 1 and m.backend.max_deliveries == 0
        m.backend.max_deliveries = None
    with pytest.raises(ValueError, match="max_deliveries must be None or a whole number of at least 0, not -1"):
        Backend(max_deliveries=-1)
    with pytest.raises(TypeError, match="max_deliveries must be None or a whole number, not bool"):
        mock_events(max_deliveries=True)


def test_the_log_stays_consistent_under_threads():
    with mock_events(max_deliveries=500) as m:
        c = setup(m, 0)
        stop = threading.Event()
        seen = []

        def put():
            while not stop.is_set():
                c.put_events(Entries=[{"Source": "s", "DetailType": "t", "Detail": '{"odd": false}'}] * 10)

        def read():
            while not stop.is_set():
                items = list(m.deliveries)
                seen.append(len(items))
                assert [d.index for d in items] == sorted({d.index for d in items})
                assert len(m.deliveries) <= 500

        threads = [threading.Thread(target=put) for _ in range(2)] + [threading.Thread(target=read)]
        for t in threads:
            t.start()
        threading.Event().wait(1.0)
        stop.set()
        for t in threads:
            t.join()
        log = m.deliveries
        assert len(log) == 500
        assert log.dropped + len(log) == m.backend.delivery_count()
        assert [d.index for d in log] == list(range(m.backend.delivery_count() - 500, m.backend.delivery_count()))
        assert max(seen) <= 500


def test_memory_per_delivery_is_small():
    """50,000 deliveries of a ~250-byte event: what the log keeps beyond the payload and
    event text (measured as the process's resident memory)."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent('''
        import gc, json
        from eventbridge_mock import mock_events

        def rss():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * 4096

        with mock_events() as m:
            c = m.client()
            c.put_rule(Name="r", EventPattern='{"source":["s"]}')
            c.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:q"}])
            detail = json.dumps({"order": "x" * 60, "amount": 12.5})
            entries = [{"Source": "s", "DetailType": "t", "Detail": detail}] * 10
            for _ in range(100):
                c.put_events(Entries=entries)  # warm up
            m.deliveries.clear()
            gc.collect()
            before = rss()
            for _ in range(5_000):
                c.put_events(Entries=entries)
            after = rss()
            print(json.dumps([len(m.deliveries), len(m.deliveries[0].payload), (after - before) / 50_000]))
    ''')], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    n, payload, per_delivery = json.loads(done.stdout)
    assert n == 50_000 and 240 <= payload <= 300
    # The payload is the event's text here, kept once for both.
    assert per_delivery < payload + 1024, per_delivery


def test_reading_the_log_or_the_clock_fires_due_schedules():
    with freezegun.freeze_time("2030-05-05 10:00:00") as frozen:
        with mock_events() as m:
            c = m.client()
            c.put_rule(Name="tick", ScheduleExpression="rate(1 minute)")
            c.put_targets(Rule="tick", Targets=[{"Id": "q", "Arn": QUEUE}])
            frozen.tick(dt.timedelta(minutes=3))
            assert len(m.deliveries) == 3  # no other call needed
            frozen.tick(dt.timedelta(minutes=2))
            assert [d.event["time"] for d in m.deliveries][-2:] == ["2030-05-05T10:04:00Z", "2030-05-05T10:05:00Z"]
            frozen.tick(dt.timedelta(minutes=1))
            assert m.clock.now() == dt.datetime(2030, 5, 5, 10, 6, tzinfo=dt.timezone.utc)
            assert m.backend.delivery_len() == 6
            frozen.tick(dt.timedelta(minutes=1))
            assert m.deliveries.last(1)[0].event["time"] == "2030-05-05T10:07:00Z"


def test_scheduled_deliveries_are_forwarded_when_the_log_is_read(monkeypatch):
    from moto import mock_aws
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with freezegun.freeze_time("2030-05-05 10:00:00") as frozen:
        with mock_aws(), mock_events(forward_targets=True) as m:
            sqs = boto3.client("sqs", region_name="us-east-1")
            url = sqs.create_queue(QueueName="ticks")["QueueUrl"]
            c = m.client()
            c.put_rule(Name="tick", ScheduleExpression="rate(1 minute)")
            c.put_targets(Rule="tick", Targets=[{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:ticks"}])
            frozen.tick(dt.timedelta(minutes=2))
            assert len(m.deliveries) == 2
            assert len(m.deliveries) == 2  # forwarded once, not at every read
            bodies = [json.loads(x["Body"]) for x in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
            assert sorted(b["time"] for b in bodies) == ["2030-05-05T10:01:00Z", "2030-05-05T10:02:00Z"]
