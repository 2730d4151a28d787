"""Per-call cost of eventbridge-mock's client against moto's, same process, same workload.

    python benches/bench_client.py [--quick]

Prints a Markdown table (median microseconds per call, and the speed-up). Needs moto and
boto3 (`pip install .[bench]`). Each figure is the median over batches of calls.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

import eventbridge_mock

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

PATTERN = json.dumps({"source": ["com.shop.orders"], "detail-type": ["Order Created"]})


def per_call_us(fn, calls: int, batches: int) -> float:
    """Median over batches of the mean cost of one call, in microseconds."""
    fn()  # warm up
    samples = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(samples)


def workload(client):
    """The three calls measured, on a bus holding 50 rules."""
    for i in range(50):
        client.put_rule(Name=f"rule-{i:03d}", EventPattern=PATTERN)
    return {
        "describe_rule": lambda: client.describe_rule(Name="rule-007"),
        "put_rule": lambda: client.put_rule(Name="rule-007", EventPattern=PATTERN),
        "list_rules": lambda: client.list_rules(NamePrefix="rule-01", Limit=10),
    }


def main() -> None:
    quick = "--quick" in sys.argv
    ours_calls, moto_calls, batches = (2000, 50, 5) if quick else (20000, 300, 15)
    ours = workload(eventbridge_mock.client(region_name="us-east-1", backend=eventbridge_mock.Backend()))
    results = {name: [per_call_us(fn, ours_calls, batches)] for name, fn in ours.items()}
    try:
        import boto3
        from moto import mock_aws
    except ImportError:
        print("moto is not installed: pip install .[bench]", file=sys.stderr)
        mock_aws = None
    if mock_aws is not None:
        with mock_aws():
            theirs = workload(boto3.client("events", region_name="us-east-1"))
            for name, fn in theirs.items():
                results[name].append(per_call_us(fn, moto_calls, batches))
    print("| call | eventbridge-mock (µs) | moto (µs) | speed-up |")
    print("|---|---:|---:|---:|")
    for name, figures in results.items():
        if len(figures) == 2:
            print(f"| {name} | {figures[0]:.2f} | {figures[1]:.0f} | {figures[1] / figures[0]:.0f}× |")
        else:
            print(f"| {name} | {figures[0]:.2f} | – | – |")


if __name__ == "__main__":
    main()
