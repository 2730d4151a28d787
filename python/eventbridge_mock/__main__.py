"""Command line: ``python -m eventbridge_mock demo``, ``... match RULES.json EVENTS.jsonl`` and
``... serve [--host H] [--port N]``."""

from __future__ import annotations

import argparse
import json
import sys


def demo() -> int:
    """The main job in a few calls: a rule fires, its target receives the payload, and an
    invalid request gets AWS's error."""
    from . import mock_events

    with mock_events(region_name="eu-west-1") as mock:
        import boto3

        events = boto3.client("events")  # what production code does; the mock serves it
        events.create_event_bus(Name="orders")
        events.put_rule(
            Name="big-orders",
            EventBusName="orders",
            EventPattern=json.dumps({"source": ["com.shop"], "detail": {"amount": [{"numeric": [">", 100]}]}}),
        )
        queue = "arn:aws:sqs:eu-west-1:123456789012:audit"
        events.put_targets(
            Rule="big-orders",
            EventBusName="orders",
            Targets=[
                {
                    "Id": "audit",
                    "Arn": queue,
                    "InputTransformer": {
                        "InputPathsMap": {"order": "$.detail.id", "amount": "$.detail.amount"},
                        "InputTemplate": '{"order": <order>, "amount": <amount>, "rule": <aws.events.rule-name>}',
                    },
                }
            ],
        )
        sent = events.put_events(
            Entries=[
                {"Source": "com.shop", "DetailType": "Order", "Detail": json.dumps({"id": 1, "amount": 250}),
                 "EventBusName": "orders"},
                {"Source": "com.shop", "DetailType": "Order", "Detail": json.dumps({"id": 2, "amount": 40}),
                 "EventBusName": "orders"},
                {"Source": "com.shop", "DetailType": "Order", "Detail": "not json", "EventBusName": "orders"},
            ]
        )
        print(f"put_events       FailedEntryCount={sent['FailedEntryCount']}, "
              f"third entry: {sent['Entries'][2]['ErrorCode']}: {sent['Entries'][2]['ErrorMessage']}")
        for d in mock.deliveries.to(queue):
            print(f"delivered        rule={d.rule_name} target={d.target_id} payload={d.payload}")
        why = explain_rejection(events)
        print(f"why not order 2  {why}")
        try:
            events.delete_rule(Name="big-orders", EventBusName="orders")
        except events.exceptions.ClientError as e:
            print(f"delete_rule      {e.response['Error']['Code']}: {e.response['Error']['Message']}")
    return 0


def explain_rejection(events) -> str:
    from .patterns import Pattern

    rule = events.describe_rule(Name="big-orders", EventBusName="orders")
    event = {"source": "com.shop", "detail": {"id": 2, "amount": 40}}
    return " ".join(str(Pattern(rule["EventPattern"]).explain(event)).split())


def match(rules_path: str, events_path: str, names: bool) -> int:
    """Per-rule match counts of a JSON-lines file of events against a JSON object of rules."""
    from .patterns import RuleSet

    with open(rules_path, encoding="utf-8") as f:
        rules = json.load(f)
    report = RuleSet(rules).match_many(events_path)
    if names:
        for i, matched in enumerate(report.matches, start=1):
            print(f"{i}\t{','.join(matched)}")
    print(f"events\t{len(report)}")
    for name in sorted(rules):
        print(f"{name}\t{report.counts.get(name, 0)}")
    return 0


def serve(host: str, port: int) -> int:
    """Serves EventBridge over HTTP until SIGINT or SIGTERM, then stops cleanly."""
    import signal
    import threading

    from ._server import server

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with server(port=port, host=host) as srv:
        print(f"eventbridge-mock listening on {srv.url}", flush=True)
        while not stop.wait(0.5):
            pass
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eventbridge_mock")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run a short demonstration")
    m = commands.add_parser("match", help="count which rules match a file of events")
    m.add_argument("rules", help="JSON object of rule name to event pattern")
    m.add_argument("events", help="JSON-lines file, one event per line")
    m.add_argument("--names", action="store_true", help="also print the matching rules of each event")
    s = commands.add_parser("serve", help="serve EventBridge over HTTP (AWS's JSON protocol)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    s.add_argument("--port", type=int, default=0, help="port to listen on (default 0: a free one)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo()
    if args.command == "match":
        return match(args.rules, args.events, args.names)
    if args.command == "serve":
        return serve(args.host, args.port)
    return 2


if __name__ == "__main__":
    sys.exit(main())
