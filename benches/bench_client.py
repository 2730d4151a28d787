"""Per-call cost of eventbridge-mock against moto, same process, same workload.

    python benches/bench_client.py [--quick]

Both are called as production code calls them: through ``boto3.client("events")``, made
while the mock (``mock_events()``, or moto's ``mock_aws()``) is active. Prints the versions
measured, then Markdown tables: median microseconds per call (over batches) and the
speed-up. Needs moto and boto3 (`pip install .[bench]`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys
import time

import eventbridge_mock
from eventbridge_mock import mock_events

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

QUICK = "--quick" in sys.argv
BATCHES = 5 if QUICK else 15
PATTERN = json.dumps({"source": ["com.shop.orders"], "detail-type": ["Order Created"]})
QUEUE = "arn:aws:sqs:us-east-1:123456789012:orders"

# A ~1 KB event, as TestEventPattern receives it.
EVENT = json.dumps(
    {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "Order Created",
        "source": "com.shop.orders",
        "account": "123456789012",
        "time": "2026-01-01T00:00:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:s3:::orders-bucket"],
        "detail": {
            "orderId": "b0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d",
            "state": "paid",
            "amount": 120.5,
            "currency": "EUR",
            "customer": {"id": "c-1234", "tier": "gold", "country": "DE", "email": "user1234@example.com"},
            "items": [{"sku": f"SKU-{i:05d}", "qty": i % 4 + 1, "price": 10.25 * (i + 1)} for i in range(6)],
            "clientIp": "10.1.2.3",
            "tags": ["gift", "express"],
            "note": "x" * 380,
        },
    }
)
TEST_PATTERN = json.dumps(
    {"source": ["com.shop.orders"], "detail": {"amount": [{"numeric": [">", 100]}], "customer": {"tier": ["gold"]}}}
)


def per_call_us(fn, calls: int) -> float:
    """Median over batches of the mean cost of one call, in microseconds."""
    fn()  # warm up
    samples = []
    for _ in range(BATCHES):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(samples)


def fill_rules(client, n: int, with_target: bool) -> None:
    """`n` pattern rules on the default bus; exactly one matches the benchmark's event."""
    for i in range(n):
        source = "com.shop.orders" if i == 0 else f"com.shop.other{i}"
        client.put_rule(Name=f"rule-{i:04d}", EventPattern=json.dumps({"source": [source]}))
        if with_target and i == 0:
            client.put_targets(Rule=f"rule-{i:04d}", Targets=[{"Id": "q", "Arn": QUEUE}])


ENTRY = {"Source": "com.shop.orders", "DetailType": "Order Created", "Detail": json.dumps({"id": 7})}


def ours(name: str, rules: int, n: int) -> float:
    import boto3

    with mock_events() as mock:
        mock.backend.set_quota("rules_per_bus", 1000)  # AWS's quota of 300 is adjustable
        return per_call_us(calls(boto3.client("events", region_name="us-east-1"), name, rules), n)


def calls(c, name: str, rules: int):
    if name in ("describe_rule", "put_rule", "list_rules", "list_all_rules"):
        fill_rules(c, 50, with_target=False)
    if name == "describe_rule":
        return lambda: c.describe_rule(Name="rule-0007")
    if name == "put_rule":
        return lambda: c.put_rule(Name="rule-0007", EventPattern=PATTERN)
    if name == "list_rules":
        return lambda: c.list_rules(NamePrefix="rule-001", Limit=10)
    if name == "list_all_rules":
        return lambda: c.list_rules()
    if name == "test_event_pattern":
        return lambda: c.test_event_pattern(EventPattern=TEST_PATTERN, Event=EVENT)
    if name == "put_events":
        fill_rules(c, rules, with_target=True)
        return lambda: c.put_events(Entries=[ENTRY])
    raise KeyError(name)


def versions() -> None:
    """What was measured: moto's put_events cost depends on jsonpath-ng's version (older ones
    rebuild their parser on every call)."""
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for package in ("eventbridge-mock", "botocore", "moto", "jsonpath-ng"):
        try:
            found.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            found.append(f"{package} (not installed)")
    print(f"Python {sys.version.split()[0]}; " + ", ".join(found))
    print()


def row(label: str, mine: float, theirs: float | None) -> str:
    if theirs is None:
        return f"| {label} | {mine:.2f} | – | – |"
    return f"| {label} | {mine:.2f} | {theirs:.0f} | {theirs / mine:,.0f}× |"


def main() -> None:
    try:
        import boto3
        from moto import mock_aws
    except ImportError:
        print("moto is not installed: pip install .[bench]", file=sys.stderr)
        mock_aws = None
    ours_calls, moto_calls = (2000, 30) if QUICK else (20000, 200)
    versions()
    cases = [("describe_rule", "describe_rule", 0), ("put_rule", "put_rule", 0),
             ("list_rules (10 of 50 rules)", "list_rules", 0), ("list_rules (all 50 rules)", "list_all_rules", 0),
             ("test_event_pattern (1 KB event)", "test_event_pattern", 0)]
    cases += [(f"put_events, 1 entry, {n} rules", "put_events", n) for n in (10, 100, 300)]
    cases += [("put_events, 1 entry, 1000 rules (quota raised)", "put_events", 1000)]
    print("| call | eventbridge-mock (µs) | moto (µs) | speed-up |")
    print("|---|---:|---:|---:|")
    for label, name, rules in cases:
        mine = ours(name, rules, ours_calls)
        theirs = None
        if mock_aws is not None and rules <= 300:
            with mock_aws():
                fn = calls(boto3.client("events", region_name="us-east-1"), name, rules)
                if name == "put_events":
                    boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="orders")
                # moto's put_events takes a fraction of a second: fewer calls suffice.
                theirs = per_call_us(fn, moto_calls if name != "put_events" else 5)
        print(row(label, mine, theirs), flush=True)
    fixture(mock_aws)
    schedules()


def fixture(mock_aws) -> None:
    """What a test pays before and after its EventBridge calls: start the mock, make a client
    with boto3 as production code does, one call, stop."""

    def with_ours():
        with mock_events():
            import boto3

            boto3.client("events").list_rules()

    def client_only():
        import boto3

        boto3.client("events")

    def with_moto():
        with mock_aws():
            import boto3

            boto3.client("events").list_rules()

    print()
    print("| test fixture: start + boto3.client('events') + one call + stop | µs |")
    print("|---|---:|")
    print(f"| eventbridge-mock | {per_call_us(with_ours, 20 if QUICK else 200):.0f} |")
    if mock_aws is not None:
        print(f"| moto | {per_call_us(with_moto, 5 if QUICK else 20):.0f} |")
    print(f"| (boto3.client('events') alone, no mock: botocore's own cost) | {per_call_us(client_only, 20 if QUICK else 200):.0f} |")


def schedules() -> None:
    """Advancing the clock a day with 100 scheduled rules of mixed rates and crons, each
    with one target: the scheduler's cost, and with the deliveries it makes."""
    expressions = ["rate(1 minute)", "rate(5 minutes)", "rate(1 hour)", "cron(0/15 * * * ? *)",
                   "cron(0 12 ? * MON-FRI *)", "cron(30 2 L * ? *)", "rate(2 hours)", "cron(0 * * * ? *)",
                   "cron(0/10 8-18 ? * 2#1 *)", "rate(10 minutes)"]
    day_start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)

    def advance() -> tuple:
        with mock_events(frozen_at=day_start) as m:
            c = m.client()
            for i in range(100):
                c.put_rule(Name=f"s{i:03d}", ScheduleExpression=expressions[i % len(expressions)])
                c.put_targets(Rule=f"s{i:03d}", Targets=[{"Id": "q", "Arn": QUEUE}])
            start = time.perf_counter()
            m.clock.advance(days=1)
            return (time.perf_counter() - start) * 1000, len(m.deliveries)

    runs = [advance() for _ in range(3 if QUICK else 7)]
    total = statistics.median(r[0] for r in runs)
    deliveries = runs[0][1]
    print()
    print("| advance the clock one day, 100 scheduled rules with one target each | ms |")
    print("|---|---:|")
    print(f"| the whole advance, with its {deliveries:,} deliveries | {total:.1f} |")
    print("(the scheduler's own part, every due instant without delivering: `cargo bench --bench schedule_day`)")


if __name__ == "__main__":
    main()
