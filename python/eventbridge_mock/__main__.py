"""Command line: ``python -m eventbridge_mock demo``, ``... match RULES EVENTS`` and
``... serve [--host H] [--port N]`` (``--help`` describes them)."""

from __future__ import annotations

import argparse
import json
import os
import re
import stat
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


PROG = "python -m eventbridge_mock"

MATCH_HELP = """\
Matches every event of EVENTS against every rule of RULES, as EventBridge matches events
on a bus, and prints how many events each rule matched.

RULES is a JSON file (or - for standard input) of one of two shapes:
  - an object of rule names to event patterns, each pattern a JSON object or its text:
      {"big-orders": {"detail": {"amount": [{"numeric": [">", 100]}]}}}
  - the output of `aws events list-rules` or of boto3's list_rules(): an object whose
    "Rules" is a list of rules, each with its Name and EventPattern (other members are
    ignored). Rules without an EventPattern (schedule-only rules) match no event: they
    are left out, with a note on standard error.

EVENTS is a JSON-lines file (or - for standard input): one event, a JSON object, per
line. Blank lines are skipped; a line may end in CRLF.

Output (standard output):
  --format tsv (the default): lines of two tab-separated fields. With --names, first
    one line per event, in order: the event's number (1 for the first event; blank
    lines are not events) and the names of the rules it matched, comma-separated
    (empty when none). Then "events" and the number of events. Then, for every rule in
    name order, its name and how many events it matched (0 included).
  --format json: one JSON object on one line:
    {"events": N, "counts": {RULE: COUNT, ...}} with every rule, in name order; with
    --names also "matches": a list with, for each event in order, the sorted names of
    the rules it matched.

Exit status: 0 on success. 2 on any error, which is one line on standard error (a file
that cannot be read, JSON that does not parse, with its line and column, rules of
another shape, an invalid pattern with its rule, an event line that is not JSON with its
line number), and then nothing is printed on standard output.

Examples:
  python -m eventbridge_mock match rules.json events.jsonl
  aws events list-rules --event-bus-name orders > rules.json
  python -m eventbridge_mock match --format json rules.json events.jsonl
  zcat events.jsonl.gz | python -m eventbridge_mock match --names rules.json -
"""

MAIN_EPILOG = """\
Examples:
  python -m eventbridge_mock demo
  python -m eventbridge_mock match rules.json events.jsonl
  python -m eventbridge_mock match --help
  python -m eventbridge_mock serve --port 4010
"""

STDIN = "-"
CHUNK = 10_000
"""Events matched at a time when they come from standard input."""


class CommandError(Exception):
    """Bad input to a command: printed as one line on standard error, exit status 2."""

    def __init__(self, message: str, prog: str = f"{PROG} match"):
        super().__init__(message)
        self.prog = prog


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's usage errors, as one line too
        raise CommandError(f"{message} (see {self.prog} --help)", self.prog)


def read_json(path: str) -> object:
    """The JSON document in ``path`` (``-``: standard input)."""
    name = "<stdin>" if path == STDIN else path
    try:
        if path == STDIN:
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as f:
                data = f.read()
    except OSError as e:
        raise CommandError(f"{name}: {e.strerror or e}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise CommandError(f"{name}: not UTF-8 text (byte {e.start + 1})") from None
    seen: dict = {}

    def pairs(members: list) -> dict:
        # Called for each object, the outermost last: what it leaves in `seen` is about
        # the document's own members.
        counts: dict = {}
        for key, _ in members:
            counts[key] = counts.get(key, 0) + 1
        seen["duplicates"] = [key for key, n in counts.items() if n > 1]
        return dict(members)

    def constant(word: str):
        raise CommandError(f"{name}: not valid JSON: {word} is not a JSON value")

    try:
        doc = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as e:
        raise CommandError(f"{name}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}") from None
    if isinstance(doc, dict) and seen["duplicates"]:
        raise CommandError(f"{name}: rule {json.dumps(seen['duplicates'][0])} is given twice")
    return doc


def kind(value: object) -> str:
    if isinstance(value, list):
        return "a JSON array"
    if isinstance(value, str):
        return "a JSON string"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return "a number"


def rule_patterns(doc: object, name: str) -> tuple:
    """``({rule name: pattern}, [notes])`` from either shape: the notes say what was left
    out."""
    if not isinstance(doc, dict):
        raise CommandError(
            f"{name}: expected an object of rule names and event patterns, or the output of "
            f"aws events list-rules; found {kind(doc)}"
        )
    if not isinstance(doc.get("Rules"), list):
        return doc, []
    notes = []
    if doc.get("NextToken"):
        notes.append(f"{name} has a NextToken: it is one page of list-rules output, not every rule")
    patterns: dict = {}
    skipped = []
    for i, rule in enumerate(doc["Rules"]):
        if not isinstance(rule, dict) or not isinstance(rule.get("Name"), str):
            raise CommandError(f"{name}: Rules[{i}]: expected a rule, an object with a Name and an EventPattern")
        rule_name = rule["Name"]
        if rule_name in patterns or rule_name in skipped:
            raise CommandError(f"{name}: rule {json.dumps(rule_name)} is listed twice")
        if rule.get("EventPattern") is None:
            skipped.append(rule_name)
        else:
            patterns[rule_name] = rule["EventPattern"]
    if skipped:
        rules_word = "rule" if len(skipped) == 1 else "rules"
        notes.append(
            f"left out {len(skipped)} {rules_word} without an EventPattern (schedule-only): {', '.join(skipped)}"
        )
    return patterns, notes


def compile_rules(patterns: dict, name: str):
    from botocore.exceptions import ClientError

    from .patterns import RuleSet

    rules = RuleSet()
    for rule_name, pattern in patterns.items():
        try:
            rules.add(rule_name, pattern)
        except ClientError as e:
            raise CommandError(f"{name}: rule {json.dumps(rule_name)}: {e.response['Error']['Message']}") from None
        except (TypeError, ValueError) as e:
            raise CommandError(f"{name}: rule {json.dumps(rule_name)}: {e}") from None
    return rules


def match_file(rules, path: str, names: bool) -> tuple:
    """``(events, counts, matches or None)`` for a JSON-lines file, read by the engine."""
    # Checked without opening it: a pipe (`<(zcat ...)`) can be read only once.
    try:
        is_dir = stat.S_ISDIR(os.stat(path).st_mode)
    except OSError as e:
        raise CommandError(f"{path}: {e.strerror or e}") from None
    if is_dir:
        raise CommandError(f"{path}: Is a directory")
    try:
        report = rules.match_many(path)
    except ValueError as e:  # "PATH:LINE: reason", or "PATH: reason (os error N)"
        raise CommandError(re.sub(r" \(os error \d+\)$", "", str(e))) from None
    return len(report), dict(report.counts), report.matches if names else None


def match_stream(rules, stream, names: bool) -> tuple:
    """Like ``match_file`` for lines from ``stream`` (bytes), matched a chunk at a time."""
    events = 0
    counts: dict = {}
    matches: list = [] if names else None

    def flush(batch: list, line_numbers: list) -> None:
        nonlocal events
        try:
            report = rules.match_many(batch)
        except ValueError as e:
            # Find the line: matching one event at a time raises the same error.
            for text, line_no in zip(batch, line_numbers):
                try:
                    rules.match(text)
                except ValueError as line_error:
                    raise CommandError(f"<stdin>:{line_no}: {line_error}") from None
            raise CommandError(f"<stdin>: {e}") from None
        events += len(report)
        for rule, n in report.counts.items():
            counts[rule] = counts.get(rule, 0) + n
        if names:
            matches.extend(report.matches)

    batch: list = []
    line_numbers: list = []
    for line_no, raw in enumerate(stream, start=1):
        line = raw[:-1] if raw.endswith(b"\n") else raw
        line = line[:-1] if line.endswith(b"\r") else line
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            raise CommandError(f"<stdin>:{line_no}: event is not UTF-8 text") from None
        if not text.strip():
            continue
        batch.append(text)
        line_numbers.append(line_no)
        if len(batch) == CHUNK:
            flush(batch, line_numbers)
            batch, line_numbers = [], []
    if batch:
        flush(batch, line_numbers)
    return events, counts, matches


def match(rules_path: str, events_path: str, names: bool = False, output: str = "tsv") -> int:
    """Per-rule match counts of a JSON-lines file of events against a file of rules."""
    if rules_path == STDIN and events_path == STDIN:
        raise CommandError("RULES and EVENTS cannot both be - (standard input)")
    rules_name = "<stdin>" if rules_path == STDIN else rules_path
    patterns, notes = rule_patterns(read_json(rules_path), rules_name)
    if output == "tsv":
        for rule_name in patterns:
            if any(c in rule_name for c in "\t\r\n,"):
                raise CommandError(
                    f"{rules_name}: rule {json.dumps(rule_name)} cannot be printed as TSV "
                    "(it has a tab, a comma or a line break): use --format json"
                )
    rules = compile_rules(patterns, rules_name)
    if events_path == STDIN:
        events, counts, matches = match_stream(rules, sys.stdin.buffer, names)
    else:
        events, counts, matches = match_file(rules, events_path, names)
    # Notes only once nothing failed: an error is the one line on standard error.
    for text in notes:
        print(f"{PROG} match: note: {text}", file=sys.stderr)
    every = {rule_name: counts.get(rule_name, 0) for rule_name in sorted(patterns)}
    if output == "json":
        doc = {"events": events, "counts": every}
        if matches is not None:
            doc["matches"] = matches
        print(json.dumps(doc))
        return 0
    out = []
    if matches is not None:
        out += [f"{i}\t{','.join(matched)}" for i, matched in enumerate(matches, start=1)]
    out.append(f"events\t{events}")
    out += [f"{rule_name}\t{n}" for rule_name, n in every.items()]
    print("\n".join(out))
    return 0


def serve(host: str, port: int) -> int:
    """Serves EventBridge over HTTP until SIGINT or SIGTERM, then stops cleanly."""
    import signal
    import threading

    from ._server import server

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    if not 0 <= port <= 65535:
        raise CommandError(f"--port {port}: not a port number (0 to 65535)", f"{PROG} serve")
    try:
        srv = server(port=port, host=host)
    except OSError as e:  # in use, not permitted, no such address
        raise CommandError(str(e), f"{PROG} serve") from None
    with srv:
        print(f"eventbridge-mock listening on {srv.url}", flush=True)
        while not stop.wait(0.5):
            pass
    return 0


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return f"eventbridge-mock {installed('eventbridge-mock')}"
    except PackageNotFoundError:
        return "eventbridge-mock (version unknown: the package is not installed)"


def main(argv: list[str] | None = None) -> int:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = Parser(
        prog=PROG,
        description="eventbridge-mock: an in-process Amazon EventBridge for tests.",
        epilog=MAIN_EPILOG,
        formatter_class=formatter,
    )
    parser.add_argument("--version", action="version", version=version())
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("demo", help="run a short demonstration", description="Runs a short demonstration.")
    m = commands.add_parser(
        "match",
        help="count which rules match a file of events",
        description=MATCH_HELP,
        formatter_class=formatter,
    )
    m.add_argument("rules", metavar="RULES", help="rules: {name: pattern} or list-rules output (- for stdin)")
    m.add_argument("events", metavar="EVENTS", help="JSON-lines file of events (- for stdin)")
    m.add_argument("--names", action="store_true", help="also print the matching rules of each event")
    m.add_argument("--format", choices=["tsv", "json"], default="tsv", help="output format (default: tsv)")
    s = commands.add_parser(
        "serve",
        help="serve EventBridge over HTTP (AWS's JSON protocol) until interrupted",
        description="Serves EventBridge over HTTP until SIGINT or SIGTERM; prints its URL first.",
    )
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    s.add_argument("--port", type=int, default=0, help="port to listen on (default 0: a free one)")
    try:
        args = parser.parse_args(argv)
        if args.command == "demo":
            return demo()
        if args.command == "serve":
            return serve(args.host, args.port)
        return match(args.rules, args.events, args.names, args.format)
    except CommandError as e:
        print(f"{e.prog}: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as other command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
