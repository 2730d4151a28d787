"""``mock_events``: a drop-in for ``boto3.client("events")`` in existing test suites.

While a mock is active, every EventBridge client in the process (whenever and however it was
made) is botocore's own client served by the mock; every other service goes to what was
there before (botocore, or moto when ``mock_aws`` is active), in whatever order the mocks
start and stop; stopping restores botocore exactly.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import unittest
from unittest import mock as umock

import boto3
import boto3.session
import botocore.client
import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from moto import mock_aws

from eventbridge_mock import Client, mock_events

PATCHED = [
    (botocore.session.Session, "create_client"),
    (botocore.client.BaseClient, "_make_api_call"),
    (botocore.client.BaseClient, "_make_request"),
]
ORIGINALS = [vars(owner)[name] for owner, name in PATCHED]
ACCOUNT = "123456789012"
# Warm sessions for the checks on other services: a client from a new session costs ~0.1 s
# (models and endpoint rules are loaded per session), one from a warm session a few ms.
BOTOCORE = botocore.session.Session()
BOTO3 = boto3.Session(botocore_session=botocore.session.Session(), region_name="us-east-1")


def botocore_untouched() -> bool:
    return [vars(owner)[name] for owner, name in PATCHED] == ORIGINALS


@pytest.fixture(autouse=True)
def clean_aws_environment(monkeypatch, tmp_path):
    """No region, profile or config file from the machine running the tests; a fresh
    default boto3 session; no network (any attempt fails the test); and botocore checked
    to be untouched after each test."""
    attempts = []

    def no_network(*args, **_kwargs):
        attempts.append(args)
        raise OSError("the network is blocked in this test")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path / "empty-config"
    empty.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    assert botocore_untouched()
    yield
    assert botocore_untouched()
    assert attempts == []


def events_client(**kwargs):
    return boto3.client("events", region_name="us-east-1", **kwargs)


def assert_served_by(m, ev=None):
    """`boto3.client("events")` (or `ev`) is botocore's own client, served by `m`'s state."""
    ev = ev or events_client()
    assert type(ev).__name__ == "EventBridge" and isinstance(ev, botocore.client.BaseClient)
    ev.put_rule(Name="probe", ScheduleExpression="rate(1 hour)")
    assert "probe" in [r["Name"] for r in m.client(region_name=ev.meta.region_name).list_rules()["Rules"]]
    ev.delete_rule(Name="probe")


def reaches_http(client) -> bool:
    """Whether a call of `client` reaches botocore's HTTP layer (answered there by a canned
    response, so nothing is sent)."""
    reached = []

    def answer(request, **_kwargs):
        reached.append(request.url)
        return AWSResponse(request.url, 200, {}, None)

    client.meta.events.register_first("before-send", answer)
    try:
        client.list_event_buses()
    except Exception:  # noqa: BLE001 - the canned response has no body to parse
        pass
    finally:
        client.meta.events.unregister("before-send", answer)
    return bool(reached)


def assert_real_botocore(client=None):
    """No mock of ours serves EventBridge: a call goes to botocore's HTTP layer."""
    ev = client or BOTOCORE.create_client(
        "events", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
    )
    assert isinstance(ev, botocore.client.BaseClient) and not isinstance(ev, Client)
    assert reaches_http(ev)


def assert_sqs_untouched():
    """Without moto: SQS is botocore's client class, its calls go to HTTP."""
    sqs = BOTOCORE.create_client("sqs", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
    assert isinstance(sqs, botocore.client.BaseClient)
    assert type(sqs).__name__ == "SQS"


def assert_moto_sqs_works():
    """With moto active: SQS requests are served by moto."""
    sqs = BOTO3.client("sqs")
    assert isinstance(sqs, botocore.client.BaseClient)
    url = sqs.create_queue(QueueName="drop-in")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]] == ["hello"]


# Activation styles.


def test_context_manager():
    with mock_events() as m:
        assert m.active
        assert_served_by(m)
        assert_sqs_untouched()
    assert not m.active


def test_function_decorator_gives_fresh_state_each_call():
    seen = []
    m = mock_events()

    @m
    def body(name):
        ev = events_client()
        seen.append([r["Name"] for r in ev.list_rules()["Rules"]])
        ev.put_rule(Name=name, ScheduleExpression="rate(1 hour)")
        assert_served_by(m, ev)
        return ev

    ev = body("first")
    body("second")
    assert seen == [[], []]
    assert body.__name__ == "body"
    assert_real_botocore(ev)  # after the mock, a client made under it is botocore's again


def test_decorator_without_parentheses():
    @mock_events
    def body():
        ev = events_client()
        ev.put_rule(Name="r", ScheduleExpression="rate(1 hour)")
        return [r["Name"] for r in ev.list_rules()["Rules"]]

    assert body() == ["r"]


def test_async_function_decorator():
    m = mock_events()

    @m
    async def body():
        assert_served_by(m)
        return m.active

    assert asyncio.run(body()) is True
    assert not m.active


def test_start_and_stop():
    m = mock_events()
    assert m.start() is m
    try:
        assert_served_by(m)
    finally:
        m.stop()
    m.stop()  # stopping twice does nothing
    assert_real_botocore()


def test_start_begins_with_empty_state_but_stop_keeps_it_readable():
    m = mock_events()
    with m:
        events_client().put_rule(Name="r", ScheduleExpression="rate(1 hour)")
    assert [r["Name"] for r in m.client().list_rules()["Rules"]] == ["r"]
    with m:
        assert m.client().list_rules()["Rules"] == []


def test_restarting_an_active_mock_keeps_its_state():
    m = mock_events()

    @m
    def inner():
        return [r["Name"] for r in events_client().list_rules()["Rules"]]

    with m:
        events_client().put_rule(Name="outer", ScheduleExpression="rate(1 hour)")
        assert inner() == ["outer"]
        assert_served_by(m)  # still active after the inner activation ended


def test_reset_forgets_resources_and_deliveries():
    with mock_events() as m:
        ev = events_client()
        ev.put_rule(Name="r", EventPattern='{"source": ["a"]}')
        ev.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:q"}])
        ev.put_events(Entries=[{"Source": "a", "DetailType": "t", "Detail": "{}"}])
        assert len(m.deliveries) == 1
        m.reset()
        assert ev.list_rules()["Rules"] == [] and len(m.deliveries) == 0


@mock_events()
class TestPlainClassWithoutSetup:
    def test_one(self):
        ev = events_client()
        assert ev.list_rules()["Rules"] == []
        ev.put_rule(Name="one", ScheduleExpression="rate(1 hour)")

    def test_two(self):
        ev = events_client()
        assert ev.list_rules()["Rules"] == []
        ev.put_rule(Name="two", ScheduleExpression="rate(1 hour)")

    def test_helpers_run_under_the_mock(self):
        assert self.make() == ["helper"]
        assert self.static() == "static"

    def make(self):
        ev = events_client()
        ev.put_rule(Name="helper", ScheduleExpression="rate(1 hour)")
        return [r["Name"] for r in ev.list_rules()["Rules"]]

    @staticmethod
    def static():
        return "static"


@mock_events()
class TestPlainClassWithSetupMethod:
    def setup_method(self, method):
        self.ev = events_client()
        self.ev.put_rule(Name="from-setup", ScheduleExpression="rate(1 hour)")

    def teardown_method(self, method):
        # Still under the mock, with the test's state.
        assert "from-setup" in [r["Name"] for r in events_client().list_rules()["Rules"]]

    def test_sees_setup_resources(self):
        assert [r["Name"] for r in events_client().list_rules()["Rules"]] == ["from-setup"]
        events_client().put_rule(Name="a", ScheduleExpression="rate(1 hour)")

    def test_fresh_from_setup_each_time(self):
        assert [r["Name"] for r in self.ev.list_rules()["Rules"]] == ["from-setup"]
        events_client().put_rule(Name="b", ScheduleExpression="rate(1 hour)")


@mock_events()
class TestUnittestCase(unittest.TestCase):
    def setUp(self):
        self.ev = boto3.client("events", region_name="us-east-1")
        self.ev.create_event_bus(Name="orders")
        self.ev.put_rule(Name="r", EventBusName="orders", EventPattern='{"source": ["shop"]}')

    def tearDown(self):
        # Still under the mock, with the test's state.
        rules = boto3.client("events", region_name="us-east-1").list_rules(EventBusName="orders")["Rules"]
        assert "r" in [r["Name"] for r in rules]

    def test_resources_from_setup(self):
        rules = self.ev.list_rules(EventBusName="orders")["Rules"]
        self.assertEqual([r["Name"] for r in rules], ["r"])
        self.ev.put_rule(Name="extra", EventBusName="orders", EventPattern='{"source": ["shop"]}')

    def test_fresh_each_test(self):
        self.assertEqual(len(self.ev.list_rules(EventBusName="orders")["Rules"]), 1)
        self.ev.put_rule(Name="other", EventBusName="orders", EventPattern='{"source": ["shop"]}')


def test_unittest_case_leaves_create_client_restored():
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(TestUnittestCase)
    result = unittest.TestResult()
    suite.run(result)
    assert result.wasSuccessful() and result.testsRun == 2
    assert botocore_untouched()


# Every way of making a client.


def test_every_way_of_making_a_client_is_ours():
    with mock_events() as m:
        made = [
            boto3.client("events"),
            boto3.client("events", region_name="eu-west-1"),
            boto3.Session(region_name="eu-west-1").client("events"),
            boto3.session.Session().client("events", region_name="ap-south-1"),
            boto3.session.Session.client(boto3.session.Session(), "events", region_name="us-west-2"),
            botocore.session.get_session().create_client("events", region_name="us-east-2"),
            botocore.session.Session().create_client("events", "sa-east-1"),  # positional region
            boto3.client("events", "ca-central-1", aws_access_key_id="k", aws_secret_access_key="s"),
            boto3.client("events", endpoint_url="http://localhost:4566", region_name="eu-west-3"),
        ]
        for c in made:
            assert_served_by(m, c)
        assert [c.meta.region_name for c in made] == [
            "us-east-1", "eu-west-1", "eu-west-1", "ap-south-1", "us-west-2",
            "us-east-2", "sa-east-1", "ca-central-1", "eu-west-3",
        ]
        assert made[-1].meta.endpoint_url == "http://localhost:4566"
        # Other services are untouched.
        assert_sqs_untouched()
        assert type(boto3.client("s3", region_name="us-east-1", aws_access_key_id="k",
                                 aws_secret_access_key="s")).__name__ == "S3"


# Regions: the call's, then as boto3 resolves it, then us-east-1; the account is the mock's.


def test_region_from_the_call_wins():
    with mock_events():
        s = boto3.Session(region_name="eu-west-1")
        assert s.client("events", region_name="ap-northeast-1").meta.region_name == "ap-northeast-1"


def test_region_from_config():
    with mock_events():
        c = boto3.client("events", config=Config(region_name="eu-north-1"))
        assert c.meta.region_name == "eu-north-1"


def test_region_from_session():
    with mock_events():
        assert boto3.Session(region_name="eu-central-1").client("events").meta.region_name == "eu-central-1"
        boto3.setup_default_session(region_name="us-west-1")
        assert boto3.client("events").meta.region_name == "us-west-1"


def test_region_from_environment(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-2")
    with mock_events():
        assert boto3.client("events").meta.region_name == "ap-southeast-2"
        assert botocore.session.get_session().create_client("events").meta.region_name == "ap-southeast-2"
        assert boto3.Session(region_name="eu-west-2").client("events").meta.region_name == "eu-west-2"


def test_region_from_profile(monkeypatch, tmp_path):
    config = tmp_path / "config"
    config.write_text("[default]\nregion = eu-south-1\n\n[profile dev]\nregion = me-south-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    with mock_events():
        assert boto3.client("events").meta.region_name == "eu-south-1"
        assert boto3.Session(profile_name="dev").client("events").meta.region_name == "me-south-1"
        monkeypatch.setenv("AWS_PROFILE", "dev")
        assert boto3.Session().client("events").meta.region_name == "me-south-1"
        # The environment's region comes before the profile's, as in botocore.
        monkeypatch.setenv("AWS_DEFAULT_REGION", "af-south-1")
        assert boto3.Session().client("events").meta.region_name == "af-south-1"


def test_region_defaults_to_us_east_1_then_the_mocks():
    with mock_events():
        assert boto3.client("events").meta.region_name == "us-east-1"
    with mock_events(region_name="eu-west-1"):
        assert boto3.client("events").meta.region_name == "eu-west-1"
        assert boto3.client("events", region_name="us-west-2").meta.region_name == "us-west-2"


def test_account_comes_from_the_mock():
    with mock_events(account_id="111122223333"):
        ev = boto3.client("events", region_name="eu-west-1")
        arn = ev.put_rule(Name="r", ScheduleExpression="rate(1 hour)")["RuleArn"]
        assert arn == "arn:aws:events:eu-west-1:111122223333:rule/r"
        assert ev.describe_event_bus()["Arn"] == "arn:aws:events:eu-west-1:111122223333:event-bus/default"
    with mock_events():
        arn = boto3.client("events").put_rule(Name="r", ScheduleExpression="rate(1 hour)")["RuleArn"]
        assert arn == f"arn:aws:events:us-east-1:{ACCOUNT}:rule/r"


def test_clients_share_state_across_regions_and_accounts():
    with mock_events() as m:
        east = boto3.client("events", region_name="us-east-1")
        west = boto3.Session(region_name="eu-west-1").client("events")
        queue = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:west-queue"
        # us-east-1's default bus forwards to eu-west-1's, whose rule targets a queue.
        east.put_rule(Name="to-west", EventPattern='{"source": ["shop"]}')
        east.put_targets(Rule="to-west", Targets=[{
            "Id": "bus",
            "Arn": f"arn:aws:events:eu-west-1:{ACCOUNT}:event-bus/default",
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/events",
        }])
        west.put_rule(Name="to-queue", EventPattern='{"source": ["shop"]}')
        west.put_targets(Rule="to-queue", Targets=[{"Id": "q", "Arn": queue}])
        assert east.put_events(Entries=[{"Source": "shop", "DetailType": "t", "Detail": '{"n": 1}'}])[
            "FailedEntryCount"] == 0
        [delivery] = m.deliveries.to(queue)
        assert delivery.region == "eu-west-1" and delivery.json["region"] == "us-east-1"
        assert delivery.json["detail"] == {"n": 1}
        # Another account's client on the same mock sees its own (empty) region, the same state.
        other = m.client(region_name="eu-west-1", account_id="210987654321")
        assert other.list_rules()["Rules"] == []
        assert [r["Name"] for r in m.client(region_name="eu-west-1").list_rules()["Rules"]] == ["to-queue"]


# Threads.


def test_threads_each_with_their_own_client():
    n_threads, rules_each, events_each = 8, 5, 20
    errors = []
    barrier = threading.Barrier(n_threads)

    def work(i):
        try:
            ev = boto3.client("events", region_name="us-east-1")
            barrier.wait()
            for j in range(rules_each):
                ev.put_rule(Name=f"t{i}-r{j}", EventPattern=json.dumps({"source": [f"thread{i}"]}))
                ev.put_targets(Rule=f"t{i}-r{j}", Targets=[{"Id": "q", "Arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:q{i}"}])
            for k in range(0, events_each, 10):
                entries = [{"Source": f"thread{i}", "DetailType": "t", "Detail": json.dumps({"k": k + e})}
                           for e in range(10)]
                assert ev.put_events(Entries=entries)["FailedEntryCount"] == 0
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)

    with mock_events() as m:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(n_threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        names = [r["Name"] for page in m.client().get_paginator("list_rules").paginate() for r in page["Rules"]]
        assert sorted(names) == sorted(f"t{i}-r{j}" for i in range(n_threads) for j in range(rules_each))
        assert len(m.deliveries) == n_threads * rules_each * events_each
        for i in range(n_threads):
            to_queue = m.deliveries.to(f"arn:aws:sqs:us-east-1:{ACCOUNT}:q{i}")
            assert len(to_queue) == rules_each * events_each
            assert {d.json["source"] for d in to_queue} == {f"thread{i}"}


# Other services, in every order of starting and stopping.


def test_without_moto_other_services_are_botocores():
    with mock_events():
        assert_sqs_untouched()


def test_ours_then_moto():
    with mock_events() as m:
        with mock_aws():
            assert_served_by(m)
            assert_moto_sqs_works()
            sqs = boto3.client("sqs", region_name="us-east-1")  # the default session, as most suites do
            assert sqs.create_queue(QueueName="default-session")["QueueUrl"].endswith("/default-session")
        assert_served_by(m)


def test_moto_then_ours():
    with mock_aws():
        with mock_events() as m:
            assert_served_by(m)
            assert_moto_sqs_works()
        assert_real_botocore()
        assert_moto_sqs_works()


def test_decorators_ours_outside():
    m = mock_events()

    @m
    @mock_aws
    def body():
        assert_served_by(m)
        assert_moto_sqs_works()

    body()


def test_decorators_moto_outside():
    m = mock_events()

    @mock_aws
    @m
    def body():
        assert_served_by(m)
        assert_moto_sqs_works()

    body()


def test_nested_mocks_of_ours_innermost_serves():
    with mock_events() as outer:
        outer_client = events_client()
        with mock_aws():
            with mock_events() as inner:
                assert_served_by(inner)
                assert_moto_sqs_works()
            assert_served_by(outer)
        assert_served_by(outer, outer_client)
        assert_served_by(outer)


@pytest.mark.parametrize(
    "starts, stops",
    [
        ("ours moto", "ours moto"),
        ("moto ours", "moto ours"),
        ("a b", "a b"),
        ("a moto b", "a moto b"),
        ("a moto b", "b a moto"),
        ("moto a b", "a moto b"),
        ("a b moto", "moto b a"),
    ],
)
def test_out_of_order_stops_restore_exactly(starts, stops):
    moto = mock_aws()
    ours = {"ours": mock_events(), "a": mock_events(), "b": mock_events()}
    running = []
    for name in starts.split():
        (moto if name == "moto" else ours[name]).start()
        running.append(name)
    for name in stops.split():
        (moto if name == "moto" else ours[name]).stop()
        running.remove(name)
        innermost = [ours[n] for n in running if n != "moto"]
        if innermost:
            assert_served_by(innermost[-1])
        else:
            assert_real_botocore()
        if "moto" in running:
            assert_moto_sqs_works()
        else:
            assert_sqs_untouched()
    assert botocore_untouched()


def test_a_patch_over_ours_stays_correct_and_is_restored_later():
    calls = []

    def spy(session, service_name, *args, **kwargs):
        calls.append(service_name)
        return patched_over(session, service_name, *args, **kwargs)

    m = mock_events().start()
    patched_over = botocore.session.Session.create_client
    patcher = umock.patch.object(botocore.session.Session, "create_client", spy)
    patcher.start()
    assert_served_by(m)
    m.stop()  # the spy stays in place, over a dispatcher that now passes everything through
    assert botocore.session.Session.create_client is spy
    assert_real_botocore()
    patcher.stop()  # puts our (now transparent) dispatcher back
    assert_real_botocore()
    assert_sqs_untouched()
    assert "events" in calls
    with mock_events() as again:
        assert_served_by(again)
    assert botocore_untouched()


# The pytest fixture: fresh state for each test.


@pytest.mark.parametrize("name", ["first", "second"])
def test_fixture_gives_fresh_state(eventbridge, name):
    ev = boto3.client("events", region_name="us-east-1")
    assert_served_by(eventbridge, ev)
    assert ev.list_rules()["Rules"] == [] and len(eventbridge.deliveries) == 0
    ev.put_rule(Name=name, ScheduleExpression="rate(1 hour)")


def test_fixture_state_is_fresh_in_another_test(eventbridge):
    assert boto3.client("events").list_rules()["Rules"] == []
    boto3.client("events").put_rule(Name="first", ScheduleExpression="rate(1 hour)")
