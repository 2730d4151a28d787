"""No input crashes the interpreter, every error is a clear Python error, and the helpers, the
client and the bus read JSON alike (AWS's reader: 1000 levels, the last of duplicate keys,
unpaired surrogates as '?', numbers past a double's range that compare with nothing)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from botocore.exceptions import ClientError

from eventbridge_mock import MatchReport, Pattern, RuleSet, Schedule, mock_events, test_event_pattern
from eventbridge_mock.patterns import MatchError

QUEUE = "arn:aws:sqs:us-east-1:123456789012:q"
ENVELOPE = {"version": "0", "id": "1", "detail-type": "t", "source": "s", "account": "123456789012",
            "time": "2026-01-01T00:00:00Z", "region": "us-east-1", "resources": []}
DEPTH = "Document nesting depth (1001) exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNestingDepth()`)"


def nested(levels: int, leaf):
    """A dict `levels` containers deep (the leaf's own container counted)."""
    value = leaf
    for _ in range(levels - (1 if isinstance(leaf, (list, dict)) else 0)):
        value = {"a": value}
    return value


def nested_text(levels: int, leaf) -> str:
    """`nested` as JSON text (json.dumps stops at Python's recursion limit)."""
    inner = json.dumps(leaf)
    n = levels - (1 if isinstance(leaf, (list, dict)) else 0)
    return '{"a":' * n + inner + "}" * n


def run_isolated(code: str) -> list:
    """Runs `code` in a fresh interpreter (a crash there cannot take the suite down); it
    prints one JSON line per outcome."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"interpreter died ({done.returncode}): {done.stderr[-2000:]}"
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_no_deep_or_cyclic_input_crashes_the_interpreter():
    outcomes = run_isolated('''
        import json
        from eventbridge_mock import Pattern, RuleSet, test_event_pattern

        deep = {}
        for _ in range(10_000):
            deep = {"a": deep}
        deep_list = []
        for _ in range(10_000):
            deep_list = [deep_list]
        cycle = {}
        cycle["a"] = cycle
        p = Pattern({"a": [1]})
        rules = RuleSet({"r": {"a": [1]}})
        attempts = {
            "Pattern(dict)": lambda: Pattern(deep),
            "Pattern(cycle)": lambda: Pattern(cycle),
            "Pattern(text)": lambda: Pattern('{"a":' * 10_000 + '[1]' + '}' * 10_000),
            "matches(dict)": lambda: p.matches(deep),
            "matches(list)": lambda: p.matches({"a": deep_list}),
            "matches(cycle)": lambda: p.matches(cycle),
            "matches(text)": lambda: p.matches('{"a":' * 10_000 + '1' + '}' * 10_000),
            "explain(dict)": lambda: p.explain(deep),
            "test_event_pattern": lambda: test_event_pattern({"a": [1]}, deep),
            "RuleSet.match": lambda: rules.match(deep),
            "match_many": lambda: rules.match_many([deep], errors="skip").skipped,
        }
        for name, attempt in attempts.items():
            try:
                out = ["returned", repr(attempt())[:200]]
            except Exception as e:
                out = ["raised", type(e).__name__, str(e)]
            print(json.dumps([name] + out))
    ''')
    got = {o[0]: o[1:] for o in outcomes}
    too_deep_pattern = ["raised", "InvalidEventPatternException", f"Pattern: Event pattern is not valid. Reason: {DEPTH}"]
    assert got["Pattern(dict)"] == too_deep_pattern
    assert got["Pattern(cycle)"] == too_deep_pattern
    assert got["Pattern(text)"] == too_deep_pattern
    for name, helper in [("matches(dict)", "Pattern.matches"), ("matches(list)", "Pattern.matches"),
                         ("matches(cycle)", "Pattern.matches"), ("explain(dict)", "Pattern.explain"),
                         ("test_event_pattern", "test_event_pattern"), ("RuleSet.match", "RuleSet.match")]:
        assert got[name] == ["raised", "ValueError", f"{helper}: event is nested deeper than 1000 levels, AWS's limit"]
    assert got["matches(text)"] == ["raised", "ValueError",
                                    "Pattern.matches: event is nested deeper than 1000 levels, AWS's limit (at byte 5000)"]
    assert got["match_many"] == ["returned", "[(0, \"event is nested deeper than 1000 levels, AWS's limit\")]"]


@pytest.mark.parametrize("levels", [999, 1000, 1001])
def test_dict_and_text_answer_the_same_at_the_depth_limit(levels):
    event = nested(levels, [1])
    pattern = nested(levels, [1])

    def outcome(fn):
        try:
            return fn()
        except (ClientError, ValueError) as e:
            return type(e).__name__

    assert outcome(lambda: Pattern(pattern).source) == outcome(lambda: Pattern(nested_text(levels, [1])).source)
    p = Pattern(nested(min(levels, 1000), [1]))
    by_dict = outcome(lambda: p.matches(event))
    assert by_dict == outcome(lambda: p.matches(nested_text(levels, [1])))
    assert by_dict == (True if levels <= 1000 else "ValueError")


@pytest.mark.parametrize("call, error, message", [
    (lambda: Pattern("\ud800"), "InvalidEventPatternException",
     "Pattern: Event pattern is not valid. Reason: Unexpected character ('?' (code 63)): expected a valid value "
     "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"),
    (lambda: Pattern(b"{}"), "InvalidEventPatternException",
     "Pattern: Event pattern is not valid. Reason: Empty objects are not allowed"),
    (lambda: Pattern(b"\xff"), "ValueError", "Pattern: bytes are not UTF-8 text (at byte 0)"),
    (lambda: Pattern({"a": {1, 2}}), "TypeError",
     "Pattern: a set is not JSON (give JSON text, or dicts, lists, strings, numbers, booleans and None)"),
    (lambda: Pattern({("a",): [1]}), "TypeError", "Pattern: keys must be str, int, float, bool or None, not tuple"),
    (lambda: Pattern(5), "InvalidEventPatternException", "Pattern: Event pattern is not valid. Reason: Filter is not an object"),
    (lambda: Pattern({"a": [float("nan")]}), "InvalidEventPatternException",
     "Pattern: Event pattern is not valid. Reason: Non-standard token 'NaN': enable "
     "`JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow"),
    (lambda: Pattern({"a": [1]}).matches(object()), "TypeError",
     "Pattern.matches: a object is not JSON (give JSON text, or dicts, lists, strings, numbers, booleans and None)"),
    (lambda: Pattern({"a": [1]}).matches("{"), "ValueError",
     "Pattern.matches: event is not valid JSON: expected a key at byte 1"),
    (lambda: Pattern({"a": [1]}).matches({"a": float("nan")}), "ValueError",
     "Pattern.matches: event is not valid JSON: expected a value at byte 5"),
    (lambda: RuleSet({"bad": {"a": "x"}}), "InvalidEventPatternException",
     "RuleSet rule \"bad\": Event pattern is not valid. Reason: \"a\" must be an object or an array"),
    (lambda: RuleSet([1, 2]), "TypeError", "RuleSet: rules are a mapping of rule names to patterns, not list"),
    (lambda: RuleSet({1: {"a": [1]}}), "TypeError", "RuleSet: rule names are str, not int"),
    (lambda: RuleSet().add(None, {"a": [1]}), "TypeError", "RuleSet: rule names are str, not NoneType"),
    (lambda: test_event_pattern("[", {}), "InvalidEventPatternException",
     "test_event_pattern: Event pattern is not valid. Reason: Filter is not an object"),
    (lambda: test_event_pattern('{"a": [', {}), "InvalidEventPatternException",
     "test_event_pattern: Event pattern is not valid. Reason: Unexpected end-of-input: expected close marker for "
     "Array (start marker at [Source: (String)\"{\"a\": [\"; line: 1, column: 7])"),
    (lambda: Schedule("rate(1 minutes)"), "ClientError",
     "Schedule(\"rate(1 minutes)\"): Parameter ScheduleExpression is not valid. Reason: a rate of 1 takes the "
     "singular unit: minute, hour or day"),
    (lambda: Schedule("rate(1 day)").next(n=-1), "ValueError", "Schedule.next: n must be at least 0, not -1"),
    (lambda: Schedule("rate(1 day)").next(n="2"), "TypeError", "Schedule.next: n must be a whole number, not str"),
])
def test_every_error_is_a_clear_python_error(call, error, message):
    with pytest.raises(Exception) as e:
        call()
    assert type(e.value).__name__ == error
    assert str(e.value) == message
    assert isinstance(e.value, (ClientError, TypeError, ValueError))


def test_helper_errors_are_the_clients_classes_named_after_the_helper():
    with pytest.raises(ClientError) as e:
        Pattern({"source": "x"})
    assert type(e.value).__name__ == "InvalidEventPatternException"
    assert e.value.response["Error"] == {
        "Code": "InvalidEventPatternException",
        "Message": 'Event pattern is not valid. Reason: "source" must be an object or an array',
    }
    assert e.value.operation_name == "Pattern"
    assert "operation" not in str(e.value)
    with pytest.raises(ClientError) as e:
        Schedule("cron(0 12 * * * *)")
    assert e.value.response["Error"] == {"Code": "ValidationException", "Message": "Parameter ScheduleExpression is not valid."}
    assert e.value.operation_name == 'Schedule("cron(0 12 * * * *)")'
    assert str(e.value) == ('Schedule("cron(0 12 * * * *)"): Parameter ScheduleExpression is not valid. '
                            "Reason: day-of-month and day-of-week cannot both be given: one of them must be '?'")


@pytest.mark.parametrize("expression, reason", [
    ("rate(5 minute)", "a rate over 1 takes the plural unit: minutes, hours or days"),
    ("rate(0 minutes)", "the value of a rate is a positive whole number"),
    ("rate(5 weeks)", "the unit of a rate is minute(s), hour(s) or day(s), in lower case"),
    ("rate(10)", "rate() takes a value and a unit separated by one space, as in rate(5 minutes)"),
    ("cron(0 12 * * ?)", "cron() takes six fields (minutes, hours, day-of-month, month, day-of-week, year), not 5"),
    ("cron(71 8 1 * ? *)", "71 in the minutes field is not in 0-59"),
    ("cron(0 8 ? * NOT *)", "'NOT' is not a value of the day-of-week field"),
    ("cron(*/60 * * * ? *)", "the step after '/' in the minutes field is a whole number from 1 to 59"),
    ("cron(0 0 ? * ? *)", "day-of-month and day-of-week cannot both be '?'"),
    ("cron(0 0 ? * 3#6 *)", "in the day-of-week field, d#n takes one weekday d and n from 1 to 5"),
    ("every day", "an expression is rate(value unit) or cron(fields), with nothing around it"),
])
def test_schedule_names_the_rule_a_bad_expression_breaks(expression, reason):
    with pytest.raises(ClientError) as e:
        Schedule(expression)
    assert e.value.response["Error"]["Message"] == "Parameter ScheduleExpression is not valid."
    assert str(e.value).endswith(f"Reason: {reason}")


def test_schedule_instants_past_year_9999_are_left_out():
    assert Schedule("rate(3000000 days)").next(after="2026-01-01T00:00:00Z") == []
    assert len(Schedule("rate(1 day)").next(after="2026-01-01T00:00:00Z", n=0)) == 0
    assert len(Schedule("rate(1 day)").next(after="9999-12-29T00:00:00Z", n=5)) == 2


def test_huge_numbers_in_events_compare_with_nothing():
    exists = Pattern({"detail": {"n": [{"exists": True}]}})
    numeric = Pattern({"detail": {"n": [{"numeric": [">", 0]}]}})
    for n in ["1e400", "-1e999", "1" + "0" * 400]:
        text = '{"detail":{"n":%s}}' % n
        assert exists.matches(text) is True
        assert numeric.matches(text) is False
    for n in [10**40, 10**400, -(10**400)]:
        assert exists.matches({"detail": {"n": n}}) is True
        assert numeric.matches({"detail": {"n": n}}) is False
    # 10**40 is the double 1e40 whichever way it comes: it equals that literal only.
    assert Pattern({"detail": {"n": [1e40]}}).matches({"detail": {"n": 10**40}}) is True
    assert Pattern({"a": [2**64]}).matches('{"a": 18446744073709551616}') is True
    # One such event does not fail a batch.
    rules = RuleSet({"any": {"detail": {"n": [{"exists": True}]}}})
    report = rules.match_many(['{"detail":{"n":1e400}}', '{"detail":{"n":1}}'])
    assert (report.matches, report.counts) == ([["any"], ["any"]], {"any": 2})


def test_nan_and_infinity_in_a_dict_pattern_are_refused_as_their_text_is():
    for value in [float("nan"), float("inf"), float("-inf")]:
        with pytest.raises(ClientError) as by_dict:
            Pattern({"a": [value]})
        with pytest.raises(ClientError) as by_text:
            Pattern(json.dumps({"a": [value]}))
        assert by_dict.value.response["Error"] == by_text.value.response["Error"]


def bus_matches(pattern: str, detail: str) -> bool:
    """Whether a rule with `pattern` delivers an event with `detail` on the bus."""
    with mock_events() as m:
        c = m.client()
        c.put_rule(Name="r", EventPattern=pattern)
        c.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": QUEUE}])
        out = c.put_events(Entries=[{"Source": "s", "DetailType": "t", "Detail": detail}])
        assert out["FailedEntryCount"] == 0, out
        return len(m.deliveries) == 1


def everywhere(pattern: str, detail: str) -> set:
    """The answers of TestEventPattern, Pattern, test_event_pattern, RuleSet and the bus."""
    event = '{"version":"0","id":"1","detail-type":"t","source":"s","account":"123456789012",' \
            '"time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":[],"detail":%s}' % detail
    with mock_events() as m:
        client = m.client()
        answers = {
            client.test_event_pattern(EventPattern=pattern, Event=event)["Result"],
            Pattern(pattern).matches(event),
            test_event_pattern(pattern, event),
            RuleSet({"r": pattern}).match(event) == ["r"],
            bus_matches(pattern, detail),
        }
    return answers


@pytest.mark.parametrize("detail, expected", [
    ('{"a":1,"a":2}', False),
    ('{"a":2,"a":1}', True),
    ('{"a":{"b":1},"a":[1]}', True),
    ('{"a":[1],"a":{"b":1}}', False),
])
def test_duplicate_keys_the_last_wins_everywhere(detail, expected):
    assert everywhere('{"detail":{"a":[1]}}', detail) == {expected}


@pytest.mark.parametrize("pattern_value, detail_value, expected", [
    ("\\ud800", "\\udfff", True),   # both read as '?', as AWS's matcher sees them
    ("\\ud800", "?", True),
    ("\\ud800", "\\ud800\\udc00", False),  # a pair is a character (U+10000)
    ("?", "\\udc00", True),
    ("x", "\\ud800", False),
])
def test_unpaired_surrogates_read_as_question_marks_everywhere(pattern_value, detail_value, expected):
    pattern = '{"detail":{"s":["%s"]}}' % pattern_value
    assert everywhere(pattern, '{"s":"%s"}' % detail_value) == {expected}


def test_raw_surrogates_in_python_strings_read_as_question_marks():
    assert Pattern({"s": ["\ud800"]}).matches({"s": "\udfff"}) is True
    assert Pattern({"s": ["\ud800"]}).matches({"s": "?"}) is True
    assert Pattern({"s": ["\ud800\udc00"]}).matches({"s": "\U00010000"}) is True
    with mock_events() as m:
        c = m.client()
        c.put_rule(Name="r", EventPattern=json.dumps({"detail": {"s": ["\ud800"]}}, ensure_ascii=False))
        assert json.loads(c.describe_rule(Name="r")["EventPattern"]) == {"detail": {"s": ["?"]}}
        assert c.test_event_pattern(
            EventPattern='{"source":["s\udfff"]}', Event=json.dumps({**ENVELOPE, "source": "s?"}))["Result"] is True


def test_putevents_reads_details_to_aws_depth():
    with mock_events() as m:
        c = m.client()
        ok = c.put_events(Entries=[{"Source": "s", "DetailType": "t", "Detail": nested_text(1000, 1)}])
        too_deep = c.put_events(Entries=[{"Source": "s", "DetailType": "t", "Detail": nested_text(1001, 1)}])
    assert ok["FailedEntryCount"] == 0
    assert too_deep["Entries"] == [{"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}]


def test_events_that_are_not_objects_get_testeventpatterns_message():
    p = Pattern({"a": [1]})
    for event, kind in [("[1]", "an array"), ([{"a": 1}], "an array"), ('"x"', "a string"), (5, "a number"),
                        ("null", "null"), ("1e400", "a number")]:
        with pytest.raises(ValueError) as e:
            p.matches(event)
        assert str(e.value) == f"Pattern.matches: Parameter Event is not valid. Reason: an event is a JSON object, not {kind}"
    with pytest.raises(ValueError, match=r"^RuleSet.match: Parameter Event is not valid\. Reason: an event is a JSON "):
        RuleSet({"r": {"a": [1]}}).match("[]")
    with pytest.raises(ValueError, match=r"^test_event_pattern: Parameter Event is not valid\. "):
        test_event_pattern({"a": [1]}, "[]")
    # The client's TestEventPattern refuses the same events with AWS's error.
    with mock_events() as m:
        with pytest.raises(ClientError) as e:
            m.client().test_event_pattern(EventPattern='{"a": [1]}', Event="[1]")
    assert e.value.response["Error"] == {"Code": "ValidationException", "Message": "Parameter Event is not valid."}


class TestInputTransformerValidation:
    TARGET = {"Id": "t", "Arn": QUEUE}

    def put(self, paths, template):
        with mock_events() as m:
            c = m.client()
            c.put_rule(Name="r", EventPattern='{"source":["s"]}')
            with pytest.raises(ClientError) as e:
                c.put_targets(Rule="r", Targets=[{**self.TARGET, "InputTransformer": {
                    "InputPathsMap": paths, "InputTemplate": template}}])
        return e.value.response["Error"]

    @pytest.mark.parametrize("key", ["a.b", "AWS.x", "key with space", "ü"])
    def test_paths_map_keys_follow_the_model(self, key):
        assert self.put({key: "$.detail"}, f"<{key}>") == {
            "Code": "ValidationException",
            "Message": f"1 validation error detected: Value '{{{key}=$.detail}}' at "
                       "'targets.1.member.inputTransformer.inputPathsMap' failed to satisfy constraint: Map keys "
                       "must satisfy constraint: [Member must have length less than or equal to 256, Member must "
                       "have length greater than or equal to 1, Member must satisfy regular expression pattern: "
                       "[A-Za-z0-9\\_\\-]+]",
        }

    @pytest.mark.parametrize("template", ['{"<a>": 1}', '{"x": {"pre-<a>": [1]}}', '{"x": [{"<a>": 1}]}'])
    def test_a_placeholder_cannot_be_an_object_key(self, template):
        assert self.put({"a": "$.detail"}, template) == {
            "Code": "ValidationException",
            "Message": "InputTemplate for target t contains placeholder a used as an object key.",
        }

    def test_placeholders_in_values_stay_valid(self):
        with mock_events() as m:
            c = m.client()
            c.put_rule(Name="r", EventPattern='{"source":["s"]}')
            c.put_targets(Rule="r", Targets=[{**self.TARGET, "InputTransformer": {
                "InputPathsMap": {"a_1": "$.source"}, "InputTemplate": '{"k": "<a_1>", "n": <a_1>}'}}])
            c.put_events(Entries=[{"Source": "s", "DetailType": "t", "Detail": "{}"}])
            assert m.deliveries.payloads() == [{"k": "s", "n": "s"}]


def test_match_many_reports_a_bad_line_with_the_counts_so_far(tmp_path):
    rules = RuleSet({"paid": {"detail": {"state": ["paid"]}}, "never": {"source": ["nope"]}})
    good = json.dumps({**ENVELOPE, "detail": {"state": "paid"}})
    path = tmp_path / "events.jsonl"
    path.write_text(f"{good}\n{good}\n[1, 2]\n{good}\n")
    with pytest.raises(MatchError) as e:
        rules.match_many(path)
    assert isinstance(e.value, ValueError)
    assert e.value.line == 3
    assert str(e.value) == f"{path}:3: Parameter Event is not valid. Reason: an event is a JSON object, not an array"
    assert e.value.report.counts == {"never": 0, "paid": 2}
    assert len(e.value.report) == 2
    skipped = rules.match_many(path, errors="skip")
    assert skipped.counts == {"never": 0, "paid": 3}
    assert skipped.skipped == [(3, "Parameter Event is not valid. Reason: an event is a JSON object, not an array")]
    path.write_text(f"{good}\n{{oops\n")
    assert rules.match_many(path, errors="skip").skipped == [(2, "event is not valid JSON: expected a key at byte 1")]
    # An iterable reports positions.
    report = rules.match_many([good, b"\xff", {"x": {1}}, good], errors="skip")
    assert report.counts["paid"] == 2
    assert report.skipped == [
        (1, "bytes are not UTF-8 text (at byte 0)"),
        (2, "a set is not JSON (give JSON text, or dicts, lists, strings, numbers, booleans and None)"),
    ]
    with pytest.raises(MatchError) as e:
        rules.match_many([good, "{oops"])
    assert str(e.value).startswith("event 1: event is not valid JSON: ")
    with pytest.raises(ValueError):
        rules.match_many([], errors="ignore")


def test_match_many_accepts_a_byte_order_mark_and_counts_only(tmp_path):
    rules = RuleSet({"paid": {"detail": {"state": ["paid"]}}, "never": {"source": ["nope"]}})
    good = json.dumps({**ENVELOPE, "detail": {"state": "paid"}})
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + f"{good}\n{good}\n".encode())
    assert rules.match_many(path).matches == [["paid"], ["paid"]]
    report = rules.match_many(path, counts_only=True)
    assert report == MatchReport(None, {"never": 0, "paid": 2}, 2, [])
    assert len(report) == 2
    assert rules.match_many([good] * 3, counts_only=True).counts == {"never": 0, "paid": 3}
    # A byte order mark anywhere else is no JSON.
    path.write_bytes(f"{good}\n".encode() + b"\xef\xbb\xbf" + good.encode())
    assert rules.match_many(path, errors="skip").skipped[0][0] == 2


def test_over_http_json_is_read_as_in_process():
    import boto3

    event = json.dumps({**ENVELOPE, "source": "s?", "detail": {"a": 1, "a": 2}})
    with mock_events() as m, m.server() as server:
        http = boto3.client("events", region_name="us-east-1", endpoint_url=server.url,
                            aws_access_key_id="x", aws_secret_access_key="y")
        for client in (http, m.client()):
            assert client.test_event_pattern(EventPattern='{"source": ["s\ud800"]}', Event=event)["Result"] is True
            for levels, outcome in ((999, True), (1000, "Parameter Event is not valid.")):
                deep_event = event[:-1] + ', "deep": ' + nested_text(levels, [1]) + "}"
                try:
                    got = client.test_event_pattern(EventPattern='{"source": ["s?"]}', Event=deep_event)["Result"]
                except ClientError as e:
                    got = e.response["Error"]["Message"]
                assert got == outcome
