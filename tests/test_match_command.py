"""``python -m eventbridge_mock match``, run as a user runs it: in a subprocess, with its exact
standard output, standard error and exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from importlib.metadata import version

import pytest

PROG = "python -m eventbridge_mock match"

PAID = {"source": "com.shop", "detail-type": "Order", "detail": {"state": "paid", "amount": 250}}
NEW = {"source": "com.shop", "detail-type": "Order", "detail": {"state": "new", "amount": 5}}
RULES = {
    "paid": {"detail": {"state": ["paid"]}},
    "big": '{"detail": {"amount": [{"numeric": [">", 100]}]}}',
    "never": {"source": ["elsewhere"]},
}


def run(*args: str, stdin: bytes = b"") -> tuple:
    done = subprocess.run(
        [sys.executable, "-m", "eventbridge_mock", *args], input=stdin, capture_output=True, timeout=120
    )
    return done.returncode, done.stdout.decode(), done.stderr.decode()


def error(message: str) -> tuple:
    """What a failed run gives: status 2, no output, one line on standard error."""
    return 2, "", f"{PROG}: error: {message}\n"


@pytest.fixture
def files(tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(RULES))
    events = tmp_path / "events.jsonl"
    events.write_text(f"{json.dumps(PAID)}\n\n{json.dumps(NEW)}\r\n{json.dumps(PAID)}")
    return rules, events


def test_tsv_counts_every_rule_and_names_each_event(files):
    rules, events = files
    assert run("match", str(rules), str(events)) == (0, "events\t3\nbig\t2\nnever\t0\npaid\t2\n", "")
    assert run("match", "--names", "--format", "tsv", str(rules), str(events)) == (
        0,
        "1\tbig,paid\n2\t\n3\tbig,paid\nevents\t3\nbig\t2\nnever\t0\npaid\t2\n",
        "",
    )


def test_json_format(files):
    rules, events = files
    assert run("match", "--format", "json", str(rules), str(events)) == (
        0,
        '{"events": 3, "counts": {"big": 2, "never": 0, "paid": 2}}\n',
        "",
    )
    status, out, err = run("match", "--format", "json", "--names", str(rules), str(events))
    assert (status, err) == (0, "")
    assert json.loads(out) == {
        "events": 3,
        "counts": {"big": 2, "never": 0, "paid": 2},
        "matches": [["big", "paid"], [], ["big", "paid"]],
    }
    assert out.count("\n") == 1


def test_events_from_stdin(files):
    rules, events = files
    assert run("match", "--names", str(rules), "-", stdin=events.read_bytes()) == (
        0,
        "1\tbig,paid\n2\t\n3\tbig,paid\nevents\t3\nbig\t2\nnever\t0\npaid\t2\n",
        "",
    )
    assert run("match", str(rules), "-") == (0, "events\t0\nbig\t0\nnever\t0\npaid\t0\n", "")


def test_rules_from_stdin(files):
    rules, events = files
    assert run("match", "-", str(events), stdin=rules.read_bytes()) == (
        0,
        "events\t3\nbig\t2\nnever\t0\npaid\t2\n",
        "",
    )


def test_stdin_is_read_in_chunks_that_add_up(tmp_path, files):
    rules, _ = files
    lines = [json.dumps(PAID if i % 3 else NEW) for i in range(25_001)]
    status, out, err = run("match", "--format", "json", "--names", str(rules), "-", stdin="\n".join(lines).encode())
    assert (status, err) == (0, "")
    doc = json.loads(out)
    assert doc["events"] == 25_001
    assert doc["counts"] == {"big": 16_667, "never": 0, "paid": 16_667}
    assert doc["matches"][:3] == [[], ["big", "paid"], ["big", "paid"]]
    assert len(doc["matches"]) == 25_001


def test_events_from_a_named_pipe(tmp_path, files):
    """`match rules.json <(zcat events.gz)`: the pipe is read once, whole."""
    rules, events = files
    pipe = tmp_path / "events.pipe"
    os.mkfifo(pipe)
    proc = subprocess.Popen(
        [sys.executable, "-m", "eventbridge_mock", "match", str(rules), str(pipe)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )

    def write() -> None:
        try:
            with open(pipe, "wb") as writer:  # waits for the command to open it
                writer.write(events.read_bytes())
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    out, err = proc.communicate(timeout=120)
    if writer.is_alive():  # the command never opened the pipe: let the writer go
        os.close(os.open(pipe, os.O_RDONLY | os.O_NONBLOCK))
    writer.join(10)
    assert (proc.returncode, out.decode(), err.decode()) == (0, "events\t3\nbig\t2\nnever\t0\npaid\t2\n", "")


def test_list_rules_output_from_the_cli_shape(tmp_path, files):
    _, events = files
    listed = {
        "Rules": [
            {
                "Name": "paid",
                "Arn": "arn:aws:events:us-east-1:123456789012:rule/paid",
                "EventPattern": json.dumps(RULES["paid"]),
                "State": "ENABLED",
                "EventBusName": "default",
            },
            {"Name": "nightly", "ScheduleExpression": "cron(0 3 * * ? *)", "State": "ENABLED"},
            {"Name": "hourly", "ScheduleExpression": "rate(1 hour)", "State": "DISABLED"},
            # A rule may have both: its pattern counts.
            {"Name": "both", "ScheduleExpression": "rate(1 hour)", "EventPattern": RULES["big"]},
        ]
    }
    rules = tmp_path / "listed.json"
    rules.write_text(json.dumps(listed, indent=2))
    assert run("match", str(rules), str(events)) == (
        0,
        "events\t3\nboth\t2\npaid\t2\n",
        f"{PROG}: note: left out 2 rules without an EventPattern (schedule-only): nightly, hourly\n",
    )
    listed["NextToken"] = "abc"
    listed["Rules"] = listed["Rules"][:2]
    rules.write_text(json.dumps(listed))
    assert run("match", str(rules), str(events)) == (
        0,
        "events\t3\npaid\t2\n",
        f"{PROG}: note: {rules} has a NextToken: it is one page of list-rules output, not every rule\n"
        f"{PROG}: note: left out 1 rule without an EventPattern (schedule-only): nightly\n",
    )


def test_boto3_list_rules_response(tmp_path, files):
    from eventbridge_mock import mock_events

    _, events = files
    with mock_events() as mock:
        client = mock.client()
        client.put_rule(Name="paid", EventPattern=json.dumps(RULES["paid"]))
        client.put_rule(Name="tick", ScheduleExpression="rate(5 minutes)")
        response = client.list_rules()
    assert "ResponseMetadata" in response
    rules = tmp_path / "boto3.json"
    rules.write_text(json.dumps(response))
    assert run("match", "--format", "json", str(rules), str(events)) == (
        0,
        '{"events": 3, "counts": {"paid": 2}}\n',
        f"{PROG}: note: left out 1 rule without an EventPattern (schedule-only): tick\n",
    )


def test_files_that_cannot_be_read(tmp_path, files):
    rules, events = files
    missing = tmp_path / "missing.json"
    assert run("match", str(missing), str(events)) == error(f"{missing}: No such file or directory")
    assert run("match", str(rules), str(missing)) == error(f"{missing}: No such file or directory")
    assert run("match", str(tmp_path), str(events)) == error(f"{tmp_path}: Is a directory")
    assert run("match", str(rules), str(tmp_path)) == error(f"{tmp_path}: Is a directory")
    bad = tmp_path / "latin1.json"
    bad.write_bytes(b'{"caf\xe9": {"source": ["x"]}}')
    assert run("match", str(bad), str(events)) == error(f"{bad}: not UTF-8 text (byte 6)")
    assert run("match", "-", "-") == error("RULES and EVENTS cannot both be - (standard input)")


def test_rules_that_are_not_json(tmp_path, files):
    _, events = files
    rules = tmp_path / "rules.json"
    rules.write_text('{\n  "paid": {"detail": {"state": ["paid"]}},\n  "big": {"detail": }\n}\n')
    assert run("match", str(rules), str(events)) == error(f"{rules}:3:21: not valid JSON: Expecting value")
    rules.write_text('{"a": {"x": [NaN]}}')
    assert run("match", str(rules), str(events)) == error(f"{rules}: not valid JSON: NaN is not a JSON value")
    rules.write_text("")
    assert run("match", str(rules), str(events)) == error(f"{rules}:1:1: not valid JSON: Expecting value")


@pytest.mark.parametrize(
    "doc, found",
    [
        ([{"source": ["x"]}], "a JSON array"),
        ("rules", "a JSON string"),
        (3, "a number"),
        (None, "null"),
        (True, "true"),
    ],
)
def test_rules_of_the_wrong_shape(tmp_path, files, doc, found):
    _, events = files
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(doc))
    assert run("match", str(rules), str(events)) == error(
        f"{rules}: expected an object of rule names and event patterns, or the output of "
        f"aws events list-rules; found {found}"
    )


def test_list_rules_entries_of_the_wrong_shape(tmp_path, files):
    _, events = files
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"Rules": [{"Name": "a", "EventPattern": "{}"}, "b"]}))
    assert run("match", str(rules), str(events)) == error(
        f"{rules}: Rules[1]: expected a rule, an object with a Name and an EventPattern"
    )
    rules.write_text(json.dumps({"Rules": [{"EventPattern": '{"source": ["x"]}'}]}))
    assert run("match", str(rules), str(events)) == error(
        f"{rules}: Rules[0]: expected a rule, an object with a Name and an EventPattern"
    )
    rules.write_text(json.dumps({"Rules": [{"Name": "a", "EventPattern": '{"source": ["x"]}'}] * 2}))
    assert run("match", str(rules), str(events)) == error(f'{rules}: rule "a" is listed twice')
    rules.write_text('{"a": {"source": ["x"]}, "b": {}, "a": {"source": ["y"]}}')
    assert run("match", str(rules), str(events)) == error(f'{rules}: rule "a" is given twice')


def test_invalid_pattern_names_its_rule(tmp_path, files):
    _, events = files
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"ok": {"source": ["x"]}, "bad one": {"source": "x"}}))
    assert run("match", "--format", "json", str(rules), str(events)) == error(
        f'{rules}: rule "bad one": Event pattern is not valid. Reason: "source" must be an object or an array'
    )
    rules.write_text(json.dumps({"Rules": [{"Name": "listed", "EventPattern": '{"source": ["x"'}]}))
    status, out, err = run("match", str(rules), str(events))
    assert (status, out) == (2, "")
    assert err.startswith(f'{PROG}: error: {rules}: rule "listed": Event pattern is not valid. Reason: ')
    assert err.count("\n") == 1


def test_event_lines_that_are_not_json(tmp_path, files):
    rules, _ = files
    events = tmp_path / "events.jsonl"
    events.write_text(f"{json.dumps(PAID)}\n\n{{not json\n")
    status, out, err = run("match", str(rules), str(events))
    assert (status, out) == (2, "")
    assert err.startswith(f"{PROG}: error: {events}:3: event is not JSON: ")
    assert err.count("\n") == 1
    # From standard input: the same line number, even past the first chunk of events.
    status, out, err = run("match", str(rules), "-", stdin=events.read_bytes())
    assert (status, out) == (2, "")
    assert err.startswith(f"{PROG}: error: <stdin>:3: event is not JSON: ")
    assert err.count("\n") == 1
    many = (json.dumps(PAID) + "\n") * 12_000 + "[1, 2\n"
    status, out, err = run("match", str(rules), "-", stdin=many.encode())
    assert (status, out) == (2, "")
    assert err.startswith(f"{PROG}: error: <stdin>:12001: event is not JSON: ")
    assert run("match", str(rules), "-", stdin=b'{"a": 1}\n\xff\n') == error("<stdin>:2: event is not UTF-8 text")


def test_names_that_tsv_cannot_carry(tmp_path, files):
    _, events = files
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"a,b": {"source": ["x"]}}))
    assert run("match", str(rules), str(events)) == error(
        f'{rules}: rule "a,b" cannot be printed as TSV (it has a tab, a comma or a line break): use --format json'
    )
    assert run("match", "--format", "json", str(rules), str(events)) == (
        0,
        '{"events": 3, "counts": {"a,b": 0}}\n',
        "",
    )


def test_usage_errors_are_one_line():
    assert run("match", "rules.json") == error(
        f"the following arguments are required: EVENTS (see {PROG} --help)"
    )
    assert run("match", "--format", "csv", "r", "e") == error(
        f"argument --format: invalid choice: 'csv' (choose from 'tsv', 'json') (see {PROG} --help)"
    )
    assert run() == (
        2,
        "",
        "python -m eventbridge_mock: error: the following arguments are required: COMMAND "
        "(see python -m eventbridge_mock --help)\n",
    )


def test_help_and_version():
    status, out, err = run("match", "--help")
    assert (status, err) == (0, "")
    assert "--format tsv (the default): lines of two tab-separated fields." in out
    assert '{"events": N, "counts": {RULE: COUNT, ...}}' in out
    assert "python -m eventbridge_mock match --format json rules.json events.jsonl" in out
    status, out, err = run("--help")
    assert (status, err) == (0, "")
    assert "python -m eventbridge_mock match rules.json events.jsonl" in out
    assert run("--version") == (0, f"eventbridge-mock {version('eventbridge-mock')}\n", "")


def test_demo_still_runs():
    status, out, err = run("demo")
    assert (status, err) == (0, "")
    assert out.splitlines()[1] == (
        'delivered        rule=big-orders target=audit payload={"order":1,"amount":250,"rule":"big-orders"}'
    )
