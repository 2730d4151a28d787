"""The pattern corpus (tests/pattern_cases) through every Python entry point, and the
exploration API: Pattern, explain, test_event_pattern, RuleSet and the match command."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError

import eventbridge_mock
from eventbridge_mock import Pattern, RuleSet, test_event_pattern

CASES_DIR = pathlib.Path(__file__).parent / "pattern_cases"
CASES = sorted(CASES_DIR.rglob("*.json"))
MATCH_CASES = [c for c in CASES if "event" in json.loads(c.read_text())]
ERROR_CASES = [c for c in CASES if "error" in json.loads(c.read_text())]


def case_id(path: pathlib.Path) -> str:
    return str(path.relative_to(CASES_DIR))


def pattern_text(case: dict) -> str:
    p = case["pattern"]
    return p if isinstance(p, str) else json.dumps(p)


def test_corpus_is_large_and_split():
    assert len(CASES) >= 250
    assert len(MATCH_CASES) + len(ERROR_CASES) == len(CASES)


@pytest.mark.parametrize("path", MATCH_CASES, ids=case_id)
def test_match_cases(path, events):
    case = json.loads(path.read_text())
    text, event, expected = pattern_text(case), case["event"], case["matches"]
    assert Pattern(text).matches(event) is expected
    assert Pattern(text).matches(json.dumps(event)) is expected
    assert test_event_pattern(case["pattern"], event) is expected
    assert bool(Pattern(text).explain(event)) is expected
    result = events.test_event_pattern(EventPattern=text, Event=json.dumps(event))
    assert result["Result"] is expected
    assert RuleSet({"r": text}).match(event) == (["r"] if expected else [])


@pytest.mark.parametrize("path", ERROR_CASES, ids=case_id)
def test_error_cases(path, events):
    case = json.loads(path.read_text())
    text = pattern_text(case)
    with pytest.raises(events.exceptions.InvalidEventPatternException) as e:
        events.put_rule(Name="r", EventPattern=text)
    assert e.value.response["Error"] == {
        "Code": "InvalidEventPatternException",
        "Message": case["error"],
    }
    assert e.value.operation_name == "PutRule"
    with pytest.raises(ClientError) as e2:
        Pattern(text)
    assert e2.value.response["Error"]["Message"] == case["error"]
    with pytest.raises(events.exceptions.InvalidEventPatternException):
        events.test_event_pattern(EventPattern=text, Event=json.dumps(ENVELOPE))
    with pytest.raises(events.exceptions.ResourceNotFoundException):
        events.describe_rule(Name="r")  # nothing was stored


ENVELOPE = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "Order Placed",
    "source": "com.example.orders",
    "account": "111122223333",
    "time": "2024-05-01T12:00:00Z",
    "region": "us-east-1",
    "resources": [],
    "detail": {"state": "paid", "amount": 120.5, "items": [{"sku": "A1", "qty": 2}]},
}


def test_put_rule_stores_pattern_text_as_given(events):
    text = '{ "source" : [ "com.example.orders" ] }'
    events.put_rule(Name="r", EventPattern=text)
    assert events.describe_rule(Name="r")["EventPattern"] == text


INVALID = "Parameter Event is not valid."
INVALID_TIME = "Parameter Event is not valid. Reason: Invalid time."


def without(*keys):
    return json.dumps({k: v for k, v in ENVELOPE.items() if k not in keys})


# Recorded from AWS (radkawar/stackd patterns.json, `edge_envelope_*`; docs/patterns.md).
@pytest.mark.parametrize(
    "event, message",
    [
        ("not json", INVALID),
        ("{", INVALID),
        ("[]", INVALID),
        ("1", INVALID),
        ("{}", INVALID),
        (json.dumps({"detail": {"v": 1}}), INVALID),
        *[(without(k), INVALID) for k in ("id", "detail-type", "source", "account", "time", "region")],
        (json.dumps({**ENVELOPE, "time": 1}), INVALID_TIME),
        (json.dumps({**ENVELOPE, "time": "not-a-time"}), INVALID_TIME),
        (without("region").replace("2024-05-01T12:00:00Z", "later"), INVALID),
    ],
)
def test_test_event_pattern_validates_the_event(events, event, message):
    with pytest.raises(ClientError) as e:
        events.test_event_pattern(EventPattern='{"source": ["x"]}', Event=event)
    assert e.value.response["Error"] == {"Code": "ValidationException", "Message": message}


@pytest.mark.parametrize(
    "event",
    [
        without("version"),
        without("resources"),
        without("detail"),
        *[json.dumps({**ENVELOPE, k: 1}) for k in ("version", "id", "detail-type", "account", "region", "resources", "detail")],
        json.dumps({**ENVELOPE, "detail-type": ["Order Placed", "x"], "detail": '{"state": "paid"}'}),
        json.dumps({**ENVELOPE, "detail": None}),
    ],
)
def test_test_event_pattern_checks_presence_not_types(events, event):
    result = events.test_event_pattern(EventPattern='{"source": ["com.example.orders"]}', Event=event)
    assert result["Result"] is True


def test_test_event_pattern_result(events):
    event = json.dumps(ENVELOPE)
    ok = events.test_event_pattern(EventPattern='{"detail": {"state": ["paid"]}}', Event=event)
    no = events.test_event_pattern(EventPattern='{"detail": {"state": ["new"]}}', Event=event)
    assert (ok["Result"], no["Result"]) == (True, False)
    assert ok["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_pattern_accepts_dicts_and_reprs():
    p = Pattern({"source": ["com.example.orders"]})
    assert p.source == '{"source":["com.example.orders"]}'
    assert repr(p) == 'Pattern({"source":["com.example.orders"]})'
    assert "<pre>" in p._repr_html_()
    assert Pattern(p).source == p.source


def test_explain_names_the_failing_field_and_condition():
    p = Pattern({"source": ["com.example.orders"], "detail": {"amount": [{"numeric": [">", 500]}]}})
    why = p.explain(ENVELOPE)
    assert not why
    assert why.matched is False
    text = str(why)
    assert "detail.amount" in text and "120.5" in text and "> 500" in text
    assert "detail.amount" in why._repr_html_()
    assert p.explain({**ENVELOPE, "detail": {"amount": 900}}).matched is True


def test_explain_or_reports_every_branch():
    p = Pattern({"$or": [{"source": ["a"]}, {"detail-type": ["b"]}]})
    text = str(p.explain(ENVELOPE))
    assert '"source"' in text and '"detail-type"' in text


def test_ruleset_match_and_match_many(tmp_path):
    rules = RuleSet(
        {
            "paid": {"detail": {"state": ["paid"]}},
            "big": {"detail": {"amount": [{"numeric": [">=", 100]}]}},
            "other": {"source": ["nope"]},
        }
    )
    assert len(rules) == 3
    assert rules.match(ENVELOPE) == ["big", "paid"]
    small = {**ENVELOPE, "detail": {"state": "paid", "amount": 5}}
    report = rules.match_many([ENVELOPE, json.dumps(small)])
    assert report.matches == [["big", "paid"], ["paid"]]
    # Every rule has its count, zero included, in name order.
    assert report.counts == {"big": 1, "other": 0, "paid": 2}
    assert list(report.counts) == ["big", "other", "paid"]
    assert report.counts["other"] == 0
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(ENVELOPE) + "\n" + json.dumps(small) + "\n")
    assert rules.match_many(path).counts == {"big": 1, "other": 0, "paid": 2}
    assert rules.match_many(str(path)).matches == [["big", "paid"], ["paid"]]
    rules.remove("big")
    rules.add("state", '{"detail": {"state": [{"prefix": "pa"}]}}')
    assert rules.match(ENVELOPE) == ["paid", "state"]


def test_match_many_reads_json_lines_files(tmp_path):
    rules = RuleSet({"paid": {"detail": {"state": ["paid"]}}})
    path = tmp_path / "events.jsonl"
    # CRLF line ends, blank lines and a last line without a newline are all fine.
    line = json.dumps(ENVELOPE)
    path.write_bytes(f"{line}\r\n\n   \n{line}".encode())
    report = rules.match_many(path)
    assert report.matches == [["paid"], ["paid"]]
    assert report.counts == {"paid": 2}
    # An event that is not JSON is reported with its line number.
    path.write_text(f"{line}\n{{not json\n")
    with pytest.raises(ValueError) as e:
        rules.match_many(path)
    assert str(e.value).startswith(f"{path}:2: event is not valid JSON: expected a key at byte 1")
    with pytest.raises(ValueError) as e:
        rules.match_many(tmp_path / "missing.jsonl")
    assert str(e.value).startswith(f"{tmp_path / 'missing.jsonl'}: ")
    # Files are read a mebibyte at a time: lines crossing those blocks, and a line longer
    # than one, are read whole.
    long = json.dumps({**ENVELOPE, "detail": {**ENVELOPE["detail"], "note": "x" * 1_500_000}})
    path.write_text("\n".join([line] * 6000 + [long] + [line] * 6000) + "\n")
    report = rules.match_many(path)
    assert len(report) == 12001
    assert report.counts == {"paid": 12001}
    # A line that is not UTF-8 is an error, not a crash.
    path.write_bytes(line.encode() + b"\n\xff\xfe\n")
    with pytest.raises(ValueError):
        rules.match_many(path)


def test_ruleset_rejects_invalid_patterns():
    with pytest.raises(ClientError) as e:
        RuleSet({"bad": {"source": "x"}})
    assert e.value.response["Error"]["Code"] == "InvalidEventPatternException"


def test_match_command_prints_counts(tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"paid": {"detail": {"state": ["paid"]}}, "none": {"source": ["x"]}}))
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(ENVELOPE) + "\n" + json.dumps(ENVELOPE) + "\n")
    out = subprocess.run(
        [sys.executable, "-m", "eventbridge_mock", "match", str(rules), str(events)],
        capture_output=True, text=True, check=True,
    ).stdout
    assert out.splitlines() == ["events\t2", "none\t0", "paid\t2"]
    out = subprocess.run(
        [sys.executable, "-m", "eventbridge_mock", "match", "--names", str(rules), str(events)],
        capture_output=True, text=True, check=True,
    ).stdout
    assert out.splitlines()[:2] == ["1\tpaid", "2\tpaid"]


def test_top_level_package_exports():
    assert eventbridge_mock.test_event_pattern('{"source": ["a"]}', {"source": "a"}) is True
