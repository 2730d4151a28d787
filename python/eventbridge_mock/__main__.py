"""Command line: ``python -m eventbridge_mock demo`` and ``... match RULES.json EVENTS.jsonl``."""

from __future__ import annotations

import argparse
import json
import sys


def demo() -> int:
    """A short tour: a custom bus, a rule with a pattern, a target, and AWS's errors."""
    import eventbridge_mock

    events = eventbridge_mock.client(region_name="eu-west-1", backend=eventbridge_mock.Backend())
    bus = events.create_event_bus(Name="orders")["EventBusArn"]
    print(f"created bus      {bus}")
    rule = events.put_rule(
        Name="big-orders",
        EventBusName="orders",
        EventPattern=json.dumps({"source": ["com.shop"], "detail": {"amount": [{"numeric": [">", 100]}]}}),
    )["RuleArn"]
    print(f"created rule     {rule}")
    events.put_targets(
        Rule="big-orders",
        EventBusName="orders",
        Targets=[{"Id": "audit", "Arn": "arn:aws:sqs:eu-west-1:123456789012:audit"}],
    )
    targets = events.list_targets_by_rule(Rule="big-orders", EventBusName="orders")["Targets"]
    print(f"targets          {targets}")
    try:
        events.delete_rule(Name="big-orders", EventBusName="orders")
    except events.exceptions.ClientError as e:
        print(f"delete_rule      {e.response['Error']['Code']}: {e.response['Error']['Message']}")
    try:
        events.describe_rule(Name="no such rule")
    except events.exceptions.ClientError as e:
        print(f"describe_rule    {e.response['Error']['Code']}: {e.response['Error']['Message']}")
    return 0


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eventbridge_mock")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run a short demonstration")
    m = commands.add_parser("match", help="count which rules match a file of events")
    m.add_argument("rules", help="JSON object of rule name to event pattern")
    m.add_argument("events", help="JSON-lines file, one event per line")
    m.add_argument("--names", action="store_true", help="also print the matching rules of each event")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo()
    if args.command == "match":
        return match(args.rules, args.events, args.names)
    return 2


if __name__ == "__main__":
    sys.exit(main())
