"""The delivery log at 100,000 deliveries: memory per delivery and the cost of reading it.

    python benches/bench_deliveries.py [N]

One rule with one target (no Input: the target receives the whole event, ~250 bytes) gets
N events (default 100,000), ten per PutEvents call; a second rule sends 1% of them to another
target. Measured in this process:

- memory: the growth of the process's resident memory over the N deliveries, per delivery,
  next to the payload's size (the event's text, which the log keeps once for both);
- ``len(mock.deliveries)``: median of 1,000 calls;
- reads: the last 10 deliveries (``log.last(10)``), one delivery by index, a filter that
  selects 1% of the log (``log.to(arn)``), and, for comparison in the same run, converting the
  whole log (``list(log)``), which is what every read cost before the log was read in place;
- a bound: ``mock_events(max_deliveries=10_000)`` given the same N events: the change of
  resident memory over the second half of the events, when the log is full.

Prints Markdown.
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time

from eventbridge_mock import mock_events

QUEUE = "arn:aws:sqs:us-east-1:123456789012:q"
RARE = "arn:aws:sqs:us-east-1:123456789012:rare"


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def fill(m, n: int, start: int = 0) -> None:
    c = m.client()
    for first in range(start, start + n, 10):
        c.put_events(Entries=[
            {"Source": "shop", "DetailType": "Order Placed",
             "Detail": json.dumps({"order": f"o-{i:08d}", "amount": i % 997 + 0.5, "rare": i % 100 == 0,
                                   "customer": f"c-{i % 5000:05d}"})}
            for i in range(first, first + 10)
        ])


def setup(m) -> None:
    c = m.client()
    c.put_rule(Name="all", EventPattern='{"source": ["shop"]}')
    c.put_targets(Rule="all", Targets=[{"Id": "q", "Arn": QUEUE}])
    c.put_rule(Name="rare", EventPattern='{"detail": {"rare": [true]}}')
    c.put_targets(Rule="rare", Targets=[{"Id": "r", "Arn": RARE}])


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with mock_events() as m:
        setup(m)
        fill(m, 1_000)  # warm up allocator and caches
        m.deliveries.clear()
        gc.collect()
        before = rss()
        fill(m, n)
        grown = rss() - before
        log = m.deliveries
        count = len(log)
        payload = len(log[0].payload)
        per_delivery = grown / count
        len_s = timed(lambda: len(log), 1_000)
        last_s = timed(lambda: log.last(10), 200)
        index_s = timed(lambda: log[count // 2], 200)
        rare_s = timed(lambda: log.to(RARE), 5)
        rare_n = len(log.to(RARE))
        gc.collect()
        whole_s = timed(lambda: list(log), 1)
    with mock_events(max_deliveries=10_000) as bounded:
        setup(bounded)
        fill(bounded, n // 2)
        gc.collect()
        half = rss()
        fill(bounded, n - n // 2, start=n // 2)
        bounded_change = rss() - half
        kept, dropped = len(bounded.deliveries), bounded.deliveries.dropped

    print(f"Delivery log, {count:,} deliveries of a {payload}-byte payload (the whole event), "
          f"Python {sys.version.split()[0]}:\n")
    print("| measure | value |")
    print("|---|---:|")
    print(f"| resident memory per delivery | {per_delivery:,.0f} bytes |")
    print(f"| of which beyond the payload/event text | {per_delivery - payload:,.0f} bytes |")
    print(f"| `len(log)` | {len_s * 1e6:,.2f} µs |")
    print(f"| `log.last(10)` | {last_s * 1e6:,.1f} µs |")
    print(f"| `log[{count // 2}]` | {index_s * 1e6:,.1f} µs |")
    print(f"| `log.to(arn)` ({rare_n:,} of {count:,}) | {rare_s * 1e3:,.1f} ms |")
    print(f"| `list(log)` (every delivery converted) | {whole_s * 1e3:,.0f} ms |")
    print(f"| `max_deliveries=10_000`: resident memory change over the second {n - n // 2:,} events "
          f"| {bounded_change / 2**20:+,.1f} MiB ({kept:,} kept, {dropped:,} dropped) |")


if __name__ == "__main__":
    main()
