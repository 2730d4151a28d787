"""How the exploration objects show in a notebook and at a prompt: every ``_repr_html_`` is
parsed as HTML and checked for nesting and escaping; long collections stay bounded."""

from __future__ import annotations

import datetime
import json
from html.parser import HTMLParser

import pytest

from eventbridge_mock import Deliveries, Delivery, MatchReport, Pattern, RuleSet, mock_events

HOSTILE = '<script>alert("x")</script>&amp;'
"""A user string that would be markup if it were not escaped."""

ALLOWED_TAGS = {"div", "p", "strong", "em", "small", "code", "pre", "br", "ul", "li"}
ALLOWED_TAGS |= {"table", "thead", "tbody", "tr", "th", "td"}
VOID = {"br"}
PARENTS = {
    "li": {"ul"},
    "tr": {"thead", "tbody"},
    "td": {"tr"},
    "th": {"tr"},
    "thead": {"table"},
    "tbody": {"table"},
}


class Checked(HTMLParser):
    """Parses an HTML fragment, failing on any tag outside the few displays use, on an
    element in the wrong parent (``<li>`` outside ``<ul>``, ``<ul>`` directly in ``<ul>``)
    and on tags closed out of order. Keeps the text, entities decoded."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.stack: list = []
        self.tags: list = []
        self.attrs: list = []
        self.text: list = []
        self.feed(html)
        self.close()
        assert self.stack == [], f"unclosed {self.stack}"

    def handle_starttag(self, tag, attrs):
        assert tag in ALLOWED_TAGS, f"unexpected <{tag}>"
        parent = self.stack[-1] if self.stack else None
        if tag in PARENTS:
            assert parent in PARENTS[tag], f"<{tag}> inside <{parent}>"
        if tag == "ul":
            assert parent != "ul", "<ul> directly inside <ul>"
        self.tags.append(tag)
        self.attrs.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert tag not in VOID
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack}"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)

    @property
    def all_text(self) -> str:
        return "".join(self.text)

    def rows(self) -> list:
        return [t for t in self.tags if t == "tr"]


def test_the_checker_catches_what_it_is_for():
    for bad in ["<ul><ul><li>x</li></ul></ul>", "<li>x</li>", "<div><p>x</div></p>", "<div>", "<script>x</script>"]:
        with pytest.raises(AssertionError):
            Checked(bad)


# RuleSet


def test_ruleset_lists_its_rules_and_patterns():
    rules = RuleSet(
        {"paid": {"detail": {"state": ["paid"]}}, "big": '{"detail": {"amount": [{"numeric": [">", 1.50]}]}}'}
    )
    assert rules.patterns() == {
        "big": Pattern('{"detail": {"amount": [{"numeric": [">", 1.50]}]}}'),
        "paid": Pattern({"detail": {"state": ["paid"]}}),
    }
    assert list(rules.patterns()) == ["big", "paid"]
    assert repr(rules) == (
        """RuleSet({'big': '{"detail": {"amount": [{"numeric": [">", 1.50]}]}}', """
        """'paid': '{"detail":{"state":["paid"]}}'})"""
    )
    # The repr is Python that makes the same rules.
    again = eval(repr(rules), {"RuleSet": RuleSet})
    assert again.patterns() == rules.patterns()
    page = Checked(rules._repr_html_())
    assert page.all_text.startswith("RuleSet: 2 rules")
    # Short patterns on one line, numbers as written; long ones over lines.
    assert '{"detail": {"amount": [{"numeric": [">", 1.50]}]}}' in page.all_text
    assert '{"detail": {"state": ["paid"]}}' in page.all_text
    assert len(page.rows()) == 3  # the header and two rules
    long = RuleSet({"r": {"source": ["com.example.orders"], "detail": {"state": ["paid", "refunded"], "n": [7]}}})
    assert (
        '{\n  "source": ["com.example.orders"],\n  "detail": {"state": ["paid", "refunded"], "n": [7]}\n}'
        in Checked(long._repr_html_()).all_text
    )


def test_ruleset_display_escapes_and_stays_bounded():
    rules = RuleSet({HOSTILE: {"source": [HOSTILE]}})
    page = Checked(rules._repr_html_())
    assert HOSTILE in page.all_text
    assert json.dumps(HOSTILE) in page.all_text
    many = RuleSet({f"r{i:03}": {"source": [str(i)]} for i in range(150)})
    page = Checked(many._repr_html_())
    assert len(page.rows()) == 1 + 10 + 1 + 10
    assert "\u2026 130 more rules \u2026" in page.all_text
    assert "r000" in page.all_text and "r149" in page.all_text and "r010" not in page.all_text
    text = repr(many)
    assert text.startswith("""RuleSet({'r000': '{"source":["0"]}', 'r001': """)
    assert text.endswith("""'r009': '{"source":["9"]}', ...}) (150 rules)""")
    assert repr(RuleSet()) == "RuleSet({})"


# MatchReport


def test_match_report_repr_is_short():
    rules = RuleSet({"paid": {"detail": {"state": ["paid"]}}, "big": {"detail": {"amount": [{"numeric": [">", 100]}]}}})
    events = [{"detail": {"state": "paid", "amount": i}} for i in range(2000)]
    report = rules.match_many(events)
    assert repr(report) == "MatchReport(events=2000, counts={'big': 1899, 'paid': 2000})"
    many = MatchReport([[]] * 5, {f"r{i:02}": i for i in range(30)})
    assert repr(many) == (
        "MatchReport(events=5, counts={'r00': 0, 'r01': 1, 'r02': 2, 'r03': 3, 'r04': 4, 'r05': 5, "
        "'r06': 6, 'r07': 7, 'r08': 8, 'r09': 9, ...}) (30 rules)"
    )


def test_match_report_html_is_a_table_of_counts():
    rules = RuleSet({"paid": {"detail": {"state": ["paid"]}}, "big": {"detail": {"amount": [{"numeric": [">", 100]}]}}})
    events = [{"detail": {"state": "paid" if i % 2 else "new", "amount": i}} for i in range(2000)]
    report = rules.match_many(events)
    page = Checked(report._repr_html_())
    assert page.all_text.startswith("MatchReport: 2,000 events, 2 rules; 51 events matched no rule")
    cells = [c for c in page.text if c.strip()]
    # Most matched first, each with its count and share.
    assert cells[2:] == [
        "rule", "events matched", "share of events",
        "big", "1,899", "95.0%",
        "paid", "1,000", "50.0%",
    ]
    assert len(report._repr_html_()) < 2000  # a summary, not 2,000 lists


def test_match_report_html_escapes_and_stays_bounded():
    report = MatchReport([["x"]], {HOSTILE: 1, **{f"r{i:03}": 0 for i in range(100)}})
    page = Checked(report._repr_html_())
    assert HOSTILE in page.all_text
    assert len(page.rows()) == 1 + 10 + 1 + 10
    assert "\u2026 81 more rules \u2026" in page.all_text
    empty = Checked(MatchReport()._repr_html_())
    assert empty.all_text.startswith("MatchReport: 0 events, 0 rules; 0 events matched no rule")


# Deliveries


def delivery(index: int, **changes) -> Delivery:
    fields = dict(
        account="123456789012",
        region="us-east-1",
        event_bus_name="default",
        rule_name="orders",
        rule_arn="arn:aws:events:us-east-1:123456789012:rule/orders",
        target_id="audit",
        target_arn="arn:aws:sqs:us-east-1:123456789012:audit",
        payload='{"n": %d}' % index,
        event={},
        time=datetime.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.timezone.utc),
        succeeded=True,
        index=index,
    )
    fields.update(changes)
    return Delivery(**fields)


def cells_of(page: Checked) -> list:
    return [c for c in page.text if c.strip()]


def test_deliveries_table_shows_time_rule_target_payload_and_outcome():
    log = Deliveries(
        [
            delivery(0),
            delivery(1, forwarded=True, note="HTTP 200"),
            delivery(2, forwarded=False, note="forwarding is off for this target"),
            delivery(3, succeeded=False, error="AccessDenied: no", forwarded=True),
        ]
    )
    html = log._repr_html_()
    page = Checked(html)
    cells = cells_of(page)
    assert cells[:2] == ["Deliveries", ": 4 deliveries, 1 failed"]
    assert cells[2:8] == ["#", "time (UTC)", "rule", "target", "payload", "outcome"]
    assert cells[8:15] == [
        "0",
        "2026-01-02 03:04:05.678Z",
        "orders",
        "bus default",
        "audit",
        "arn:aws:sqs:us-east-1:123456789012:audit",
        '{"n": 0}',
    ]
    outcomes = [cells[i] for i in range(15, len(cells), 8)]
    assert outcomes == [
        "delivered",
        "delivered; forwarded: HTTP 200",
        "delivered; not forwarded: forwarding is off for this target",
        "failed: AccessDenied: no; forwarded",
    ]
    # Only the failed outcome is highlighted.
    highlighted = [a["style"] for tag, a in page.attrs if tag == "td" and "background" in a.get("style", "")]
    assert len(highlighted) == 1


def test_deliveries_display_escapes_and_stays_bounded():
    page = Checked(Deliveries([delivery(0, payload=HOSTILE, rule_name=HOSTILE, target_id=HOSTILE)])._repr_html_())
    assert page.all_text.count(HOSTILE) == 3
    long = Deliveries([delivery(i, payload="x" * 5000) for i in range(1000)])
    html = long._repr_html_()
    page = Checked(html)
    assert len(page.rows()) == 1 + 10 + 1 + 10
    assert "\u2026 980 more deliveries \u2026" in page.all_text
    assert page.all_text.startswith("Deliveries: 1,000 deliveries, 0 failed")
    assert len(html) < 30 * 1000  # payloads are clipped
    assert "x" * 299 + "\u2026" in page.all_text
    assert Checked(Deliveries([])._repr_html_()).all_text.startswith("Deliveries: 0 deliveries, 0 failed")
    # All rows up to twice the edge; one more is counted, in the singular.
    assert len(Checked(Deliveries([delivery(i) for i in range(20)])._repr_html_()).rows()) == 21
    page = Checked(Deliveries([delivery(i) for i in range(21)])._repr_html_())
    assert "\u2026 1 more delivery \u2026" in page.all_text


def test_live_delivery_log_display():
    with mock_events() as mock:
        events = mock.client()
        other = mock.client(account_id="210987654321")
        central = other.create_event_bus(Name="central")["EventBusArn"]
        events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["com.shop"]}))
        events.put_targets(
            Rule="orders",
            Targets=[{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:q"}, {"Id": "bus", "Arn": central}],
        )
        events.put_events(Entries=[{"Source": "com.shop", "DetailType": "Order", "Detail": '{"id": 1}'}])
        page = Checked(mock.deliveries._repr_html_())
        assert page.all_text.startswith("DeliveryLog: 2 deliveries, 1 failed")
        cells = cells_of(page)
        assert f"failed: Account 123456789012 is not authorized to put events on event bus {central}." in cells
        assert "delivered" in cells
        assert Checked(mock.deliveries.failed()._repr_html_()).all_text.startswith("Deliveries: 1 delivery, 1 failed")


# Explain


@pytest.mark.parametrize(
    "pattern, event",
    [
        (
            {"$or": [{"source": ["a"], "detail": {"n": [1]}}, {"detail-type": ["b"]}]},
            {"source": "x", "detail": {"n": 1}},
        ),
        ({"$or": [{"source": ["a"]}, {"detail-type": ["b"]}]}, {"detail-type": "b"}),
        ({"source": ["a"], "detail": {"n": [{"numeric": [">", 5]}]}}, {"source": "a", "detail": {"n": 1}}),
        (
            {"detail": {"items": {"k": ["a"], "v": [1]}}},
            {"detail": {"items": [{"k": "a", "v": 2}, {"k": "b", "v": 1}]}},
        ),
        ({"source": [HOSTILE]}, {"source": HOSTILE}),
    ],
)
def test_explain_html_is_valid_and_highlights_failures(pattern, event):
    why = Pattern(pattern).explain(event)
    page = Checked(why._repr_html_())
    fails = [a for tag, a in page.attrs if tag == "li" and a.get("class") == "fail"]
    if why:
        assert fails == []
        assert page.all_text.startswith("The event matches the pattern.")
    else:
        assert fails and all("background" in a["style"] for a in fails)
        # Every failing line of the text form is a highlighted item.
        failing = [line.strip() for line in str(why).splitlines() if line.strip().startswith(("Field", "Every"))]
        assert len(fails) == len(failing)


def test_explain_html_nests_alternatives_in_their_items():
    p = Pattern({"$or": [{"source": ["a"]}, {"detail-type": ["b"]}]})
    html = p.explain({"source": "x", "detail-type": "y"})._repr_html_()
    Checked(html)
    assert "<li>Alternative 1:<ul><li class=\"fail\"" in html
    assert "</ul></li><li>Alternative 2:<ul>" in html


# Pattern equality


def test_patterns_are_equal_when_their_json_values_are():
    a = Pattern({"source": ["com.shop"], "detail": {"amount": [{"numeric": [">", 100]}]}})
    b = Pattern('{"detail": {"amount": [{"numeric": [">", 100.0]}]},\n "source": ["com.shop"]}')
    assert a == b and not a != b
    assert hash(a) == hash(b)
    assert len({a, b}) == 1
    assert {a: "x"}[b] == "x"
    assert Pattern({"source": ["a", "b"]}) != Pattern({"source": ["b", "a"]})
    assert Pattern({"a": {"b": [1]}}) != Pattern({"a.b": [1]})
    assert Pattern({"source": ["1"]}) != Pattern({"source": [1]})
    # A Pattern is not its dict or its text.
    assert a != {"source": ["com.shop"], "detail": {"amount": [{"numeric": [">", 100]}]}}
    assert a != a.source
    assert (a == 1) is False
