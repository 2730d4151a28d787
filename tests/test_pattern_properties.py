"""Property tests: for any pattern and event, every entry point agrees, and no input
crashes, hangs or is accepted by one entry point and refused by another."""

from __future__ import annotations

import json

from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import eventbridge_mock
from eventbridge_mock import Pattern, RuleSet, test_event_pattern

# One client for every generated example (hypothesis runs them all in one test call).
CLIENT = eventbridge_mock.client(backend=eventbridge_mock.Backend())

KEYS = st.sampled_from(["state", "amount", "tags", "ip", "name", "nested", "a.b", "", "ü"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.text(max_size=12),
    st.sampled_from(["paid", "PAID", "10.0.0.1", "2001:db8::1", "a*b", "", "x" * 300]),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=12,
)

OPERATORS = st.one_of(
    SCALARS,
    st.builds(lambda v: {"prefix": v}, st.one_of(st.text(max_size=4), st.integers())),
    st.builds(lambda v: {"suffix": v}, st.text(max_size=4)),
    st.builds(lambda v: {"equals-ignore-case": v}, st.text(max_size=4)),
    st.builds(lambda v: {"anything-but": v}, st.one_of(SCALARS, st.lists(SCALARS, max_size=3))),
    st.builds(lambda o, n: {"numeric": [o, n]}, st.sampled_from(["<", ">", "=", ">=", "<=", "!"]),
              st.one_of(st.integers(-10**10, 10**10), st.floats(-1e10, 1e10), st.text(max_size=3))),
    st.builds(lambda b: {"exists": b}, st.one_of(st.booleans(), st.integers(0, 1))),
    st.builds(lambda c: {"cidr": c}, st.sampled_from(["10.0.0.0/8", "10.0.0.1/33", "2001:db8::/32", "x"])),
    st.builds(lambda w: {"wildcard": w}, st.sampled_from(["*", "a*b", "**", "p\\*", "*paid*"])),
    st.dictionaries(st.sampled_from(["bogus", "numeric", "prefix"]), SCALARS, max_size=2),
)
PATTERNS = st.recursive(
    st.lists(OPERATORS, max_size=3),
    lambda inner: st.one_of(
        st.dictionaries(KEYS, inner, max_size=3),
        st.builds(lambda a, b: {"$or": [a, b]}, st.dictionaries(KEYS, inner, max_size=2),
                  st.dictionaries(KEYS, inner, max_size=2)),
    ),
    max_leaves=8,
)

ENVELOPE = {"version": "0", "id": "1", "detail-type": "t", "source": "s", "account": "1",
            "time": "2026-01-01T00:00:00Z", "region": "us-east-1", "resources": []}


def outcome(fn):
    """The result of `fn`, or the error message an invalid pattern raises."""
    try:
        return fn()
    except ClientError as e:
        return ("error", e.response["Error"]["Code"], e.response["Error"]["Message"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pattern=st.one_of(PATTERNS, st.dictionaries(KEYS, PATTERNS, max_size=2)),
       detail=st.dictionaries(KEYS, JSON, max_size=4))
def test_every_entry_point_agrees(pattern, detail):
    events = CLIENT
    event = {**ENVELOPE, "detail": detail}
    text = json.dumps({"detail": pattern}) if isinstance(pattern, (list, dict)) else json.dumps(pattern)
    by_pattern = outcome(lambda: Pattern(text).matches(event))
    by_text = outcome(lambda: Pattern(text).matches(json.dumps(event)))
    by_function = outcome(lambda: test_event_pattern(text, event))
    by_client = outcome(lambda: events.test_event_pattern(EventPattern=text, Event=json.dumps(event))["Result"])
    by_ruleset = outcome(lambda: RuleSet({"r": text}).match(event) == ["r"])
    assert by_pattern == by_text == by_function == by_client == by_ruleset


@settings(max_examples=300, deadline=None)
@given(pattern_text=st.text(max_size=60), event=JSON)
def test_arbitrary_text_never_crashes(pattern_text, event):
    events = CLIENT
    for attempt in (
        lambda: Pattern(pattern_text).matches(json.dumps(event)),
        lambda: events.test_event_pattern(EventPattern=pattern_text, Event=json.dumps(event)),
        lambda: events.put_rule(Name="r", EventPattern=pattern_text),
    ):
        try:
            attempt()
        except ClientError as e:
            assert e.response["Error"]["Code"] in ("InvalidEventPatternException", "ValidationException")
        except ValueError:
            pass  # an event that is not an object, for Pattern.matches


def test_deep_nesting_and_huge_values():
    def deep(levels):
        pattern = {"detail": {}}
        node = pattern["detail"]
        for _ in range(levels - 3):
            node["a"] = {}
            node = node["a"]
        node["b"] = ["x"]
        return pattern

    # AWS's reader takes 1000 levels of nesting (the list counts as one), and no more.
    assert Pattern(deep(1000)).matches(deep(1000)) is True
    assert outcome(lambda: Pattern(deep(1001)))[:2] == ("error", "InvalidEventPatternException")
    huge = {"detail": {"n": [{"numeric": [">", 1e308]}]}}
    assert outcome(lambda: Pattern(huge))[:2] == ("error", "InvalidEventPatternException")
    long_value = "x" * 100_000
    assert Pattern({"source": [long_value]}).matches({**ENVELOPE, "source": long_value}) is True
    assert Pattern({"source": [long_value]}).matches({**ENVELOPE, "source": long_value + "y"}) is False
