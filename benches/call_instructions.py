"""Instructions per call through ``boto3.client("events")``, counted by callgrind.

    python benches/call_instructions.py

The machine's wall-clock time drifts; instruction counts do not. For each call it runs a
child process under ``valgrind --tool=callgrind`` twice, making the call 200 and then 1,200
times after the same setup, and prints the difference divided by 1,000: the cost of one
call, setup and start-up cancelled out (the test fixture's rows: 6 and 26 times, divided by
20). ``PYTHONHASHSEED=0`` keeps the runs comparable.
Needs valgrind and boto3.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

CALLS = {
    "describe_rule": "c.describe_rule(Name='rule-0007')",
    "put_rule": "c.put_rule(Name='rule-0007', EventPattern='{\"source\": [\"x\"]}')",
    "list_rules (10 of 50 rules)": "c.list_rules(NamePrefix='rule-001', Limit=10)",
    "list_rules (all 50 rules)": "c.list_rules()",
    "test_event_pattern (1 KB event)": "c.test_event_pattern(EventPattern=TEST_PATTERN, Event=EVENT)",
    "put_events, 1 entry, 50 rules": "c.put_events(Entries=[ENTRY])",
}

# What a test pays around its calls (no mock started beforehand), counted over fewer repeats.
FIXTURE = {
    "test fixture: start + boto3.client('events') + one call + stop":
        "with mock_events(): boto3.client('events').list_rules()",
    "(boto3.client('events') alone, no mock: botocore's own cost)": "boto3.client('events')",
}


def child(statement: str, n: int) -> None:
    """The measured process: a mock, 50 rules (one matches the entry, with a target), then
    ``statement`` ``n`` times; for the fixture's rows, the statement alone."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import boto3
    from bench_client import EVENT, TEST_PATTERN

    from eventbridge_mock import mock_events

    if statement in FIXTURE.values():
        code = compile(f"for _ in range({n}):\n    {statement}", "<calls>", "exec")
        exec(code, {"boto3": boto3, "mock_events": mock_events})
        return
    mock_events().start()
    c = boto3.client("events", region_name="us-east-1")
    for i in range(50):
        source = "com.shop.orders" if i == 0 else f"com.shop.other{i}"
        c.put_rule(Name=f"rule-{i:04d}", EventPattern=json.dumps({"source": [source]}))
    c.put_targets(Rule="rule-0000", Targets=[{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:orders"}])
    entry = {"Source": "com.shop.orders", "DetailType": "Order Created", "Detail": json.dumps({"id": 7})}
    code = compile(f"for _ in range({n}):\n    {statement}", "<calls>", "exec")
    exec(code, {"c": c, "EVENT": EVENT, "TEST_PATTERN": TEST_PATTERN, "ENTRY": entry})


def count(statement: str, n: int) -> int:
    env = dict(os.environ, PYTHONHASHSEED="0")
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         sys.executable, __file__, "--child", statement, str(n)],
        env=env, capture_output=True, text=True, check=True,
    ).stderr
    return int(re.search(r"Collected : (\d+)", out).group(1))


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
        return
    if shutil.which("valgrind") is None:
        print("call_instructions: valgrind is not installed; nothing measured")
        return
    print("| call | instructions per call |")
    print("|---|---:|")
    for label, statement in CALLS.items():
        per_call = (count(statement, 1200) - count(statement, 200)) / 1000
        print(f"| {label} | {per_call:,.0f} |")
    for label, statement in FIXTURE.items():
        # botocore loads the service model at the first run, in both counts: it cancels out.
        per_call = (count(statement, 26) - count(statement, 6)) / 20
        print(f"| {label} | {per_call:,.0f} |")


if __name__ == "__main__":
    main()
