"""Generated input through the Python API: any pattern, event, transformer or schedule gets
an answer or a clear Python error (never a crash or another exception), and the forms that
must agree do. Bounded to a few seconds each (max_examples)."""

from __future__ import annotations

import datetime as dt
import json
import math

from botocore.exceptions import ClientError, ParamValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import eventbridge_mock
from eventbridge_mock import Backend, Pattern, RuleSet, Schedule, mock_events, test_event_pattern

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CLEAR = (ClientError, TypeError, ValueError)

KEYS = st.sampled_from(["a", "b", "a.b", "detail", "source", "", "\ud800", "é"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=10**300, max_value=10**320),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.sampled_from(["a", "10.0.0.1", "\ud800", "\udfff", "?", "a*"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(KEYS, inner, max_size=3),
        st.dictionaries(st.one_of(st.integers(), st.booleans(), st.none()), inner, max_size=2),
    ),
    max_leaves=10,
)
ODD = st.one_of(VALUES, st.sets(st.integers(), max_size=2), st.binary(max_size=8), st.just(object()))


def answer(fn):
    """What `fn` gives: a result, or the class and text of a clear error."""
    try:
        return ("ok", fn())
    except ClientError as e:
        return ("client", e.response["Error"]["Code"], e.response["Error"]["Message"])
    except (TypeError, ValueError) as e:
        return (type(e).__name__,)


def dumps(value):
    """`value` as json.dumps writes it, or None where json.dumps cannot."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return None


@FAST
@given(pattern=ODD, event=ODD)
def test_patterns_and_events_as_values_or_text(pattern, event):
    for attempt in (
        lambda: Pattern(pattern).matches(event),
        lambda: Pattern(pattern).explain(event).matched,
        lambda: test_event_pattern(pattern, event),
        lambda: RuleSet({"r": pattern}).match(event),
        lambda: RuleSet({"r": pattern}).match_many([event], errors="skip").counts,
    ):
        try:
            attempt()
        except CLEAR:
            pass
    # A dict and the text json.dumps writes for it are the same pattern and the same event.
    # (A str is already text; any other value is written as json.dumps writes it.)
    as_text = lambda v: None if isinstance(v, (str, bytes)) else dumps(v)  # noqa: E731
    text_p, text_e = as_text(pattern), as_text(event)
    if text_p is not None:
        assert answer(lambda: json.loads(Pattern(pattern).source)) == answer(lambda: json.loads(Pattern(text_p).source))
    if text_p is not None and text_e is not None:
        try:
            p = Pattern(text_p)
        except ClientError:
            return
        by_value = answer(lambda: p.matches(event))
        by_text = answer(lambda: p.matches(text_e))
        assert by_value[:2] == by_text[:2]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=40), detail=VALUES)
def test_the_client_and_the_helpers_read_events_alike(text, detail):
    envelope = {"version": "0", "id": "1", "detail-type": "t", "source": "s", "account": "1",
                "time": "2026-01-01T00:00:00Z", "region": "r", "resources": [], "detail": detail}
    event = dumps(envelope)
    with mock_events() as m:
        client = m.client()
        for pattern in ('{"detail": {"a": [{"exists": true}]}}', '{"detail": {"b": [{"prefix": "a"}]}}'):
            by_client = answer(lambda: client.test_event_pattern(EventPattern=pattern, Event=event)["Result"])
            if event is not None and isinstance(detail, dict):
                # The same answer, or both refuse the event (each in its own words).
                by_helper = answer(lambda: Pattern(pattern).matches(event))
                assert by_client == by_helper or "ok" not in (by_client[0], by_helper[0])
            # Arbitrary text is refused or answered, never anything else.
            answer(lambda: client.test_event_pattern(EventPattern=pattern, Event=text))
            answer(lambda: client.test_event_pattern(EventPattern=text or "x", Event=event or "{}"))


PLACEHOLDER = st.sampled_from(["<a>", "<b_1>", "<aws.events.event>", "<aws.events.event.json>",
                               "<aws.events.rule-name>", "<missing>", "<>", "<a"])
TEMPLATES = st.lists(st.one_of(PLACEHOLDER, st.sampled_from(['{', '}', '"', ':', ',', '[', ']', ' ', 'x', '1'])),
                     max_size=12).map("".join)


@FAST
@given(keys=st.lists(st.text(alphabet="ab_.-1 A", min_size=0, max_size=5), max_size=3),
       paths=st.lists(st.sampled_from(["$.detail", "$.detail.a", "$", "$.x[0]", "detail", "$..a", "$.a["]), max_size=3),
       template=TEMPLATES, detail=st.dictionaries(KEYS, VALUES, max_size=3))
def test_transformers_are_checked_and_rendered(keys, paths, template, detail):
    with mock_events() as m:
        c = m.client()
        c.put_rule(Name="r", EventPattern='{"source": ["s"]}')
        target = {"Id": "t", "Arn": "arn:aws:sqs:us-east-1:123456789012:q",
                  "InputTransformer": {"InputPathsMap": dict(zip(keys, paths)), "InputTemplate": template or " "}}
        try:
            c.put_targets(Rule="r", Targets=[target])
        except (ClientError, ParamValidationError):
            return
        text = dumps(detail)
        if text is None:
            return
        out = c.put_events(Entries=[{"Source": "s", "DetailType": "t", "Detail": text}])
        if out["FailedEntryCount"] == 0:
            (d,) = m.deliveries
            assert isinstance(d.payload, str)


EXPRESSIONS = st.one_of(
    st.builds("rate({} {})".format, st.one_of(st.integers(-2, 10**10), st.text(max_size=3)),
              st.sampled_from(["minute", "minutes", "hour", "hours", "day", "days", "Days", "week"])),
    st.builds(lambda fields: f"cron({' '.join(fields)})",
              st.lists(st.sampled_from(["*", "?", "0", "5", "0/15", "L", "LW", "15W", "3#2", "6L", "MON-FRI",
                                        "JAN", "1-5", "2026", "60", "*/0", "L-3", ",", ""]), min_size=4, max_size=7)),
    st.text(max_size=20),
)


@FAST
@given(expression=EXPRESSIONS, after=st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(9999, 1, 1)),
       n=st.integers(0, 40))
def test_schedules_answer_or_say_why(expression, after, n):
    try:
        s = Schedule(expression)
    except ClientError as e:
        assert e.response["Error"] == {"Code": "ValidationException", "Message": "Parameter ScheduleExpression is not valid."}
        assert " Reason: " in str(e)
        return
    due = s.next(after=after, n=n)
    after_utc = after.replace(tzinfo=dt.timezone.utc)
    assert len(due) <= n and due == sorted(set(due)) and all(t > after_utc for t in due)
    # A rule with the schedule fires on a moving clock without trouble.
    with mock_events(frozen_at="2026-01-01T00:00:00Z") as m:
        c = m.client()
        c.put_rule(Name="r", ScheduleExpression=expression)
        c.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:q"}])
        m.clock.advance(hours=2)
        assert all(math.isfinite(d.time.timestamp()) for d in m.deliveries)


def test_the_default_backend_is_untouched():
    # The fuzzing above used private mocks only.
    assert isinstance(eventbridge_mock.default_backend(), Backend)
