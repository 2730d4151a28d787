"""Mocks in concurrent threads: a client belongs to the with block that made it; a thread
without a block of its own is served by the mock active in the process."""

import threading

import boto3

from eventbridge_mock import mock_events
from shop import orders


def rule_names(mock):
    return [r["Name"] for r in mock.client().list_rules()["Rules"]]


def test_each_with_block_serves_its_own_thread():
    barrier = threading.Barrier(2)
    results, errors = {}, []

    def work(i):
        try:
            with mock_events(account_id=str(i) * 12) as m:
                barrier.wait()  # both mocks are active from here on
                arn = boto3.client("events").put_rule(Name=f"t{i}", ScheduleExpression="rate(1 hour)")["RuleArn"]
                barrier.wait()
                results[i] = (arn, rule_names(m))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results == {
        1: ("arn:aws:events:us-east-1:111111111111:rule/t1", ["t1"]),
        2: ("arn:aws:events:us-east-1:222222222222:rule/t2", ["t2"]),
    }


def test_a_client_belongs_to_the_block_that_made_it():
    with mock_events() as first:
        mine = boto3.client("events")
        started, done = threading.Event(), threading.Event()

        def other_thread():
            with mock_events():  # innermost in the process from now on
                started.set()
                done.wait()

        t = threading.Thread(target=other_thread)
        t.start()
        started.wait()
        try:
            # From a third thread, which has no block of its own: still the first mock's.
            third = threading.Thread(target=mine.put_rule, kwargs={"Name": "mine", "ScheduleExpression": "rate(1 hour)"})
            third.start()
            third.join()
            boto3.client("events").put_rule(Name="made-here", ScheduleExpression="rate(1 hour)")
        finally:
            done.set()
            t.join()
        assert rule_names(first) == ["made-here", "mine"]


def test_a_thread_without_a_block_uses_the_process_mock():
    with mock_events() as m:
        t = threading.Thread(target=orders.EVENTS.put_rule, kwargs={"Name": "from-thread", "ScheduleExpression": "rate(1 hour)"})
        t.start()
        t.join()
        assert rule_names(m) == ["from-thread"]
