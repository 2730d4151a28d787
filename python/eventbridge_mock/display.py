"""How the exploration objects look in a notebook (``_repr_html_``) and at a prompt
(``__repr__``): rule sets, match reports and delivery logs.

Every string that comes from the user (rule names, patterns, payloads, errors) is
HTML-escaped, and big collections are shown bounded: the first and last ``EDGE`` rows and a
count of those in between.
"""

from __future__ import annotations

import collections
import datetime
import html
import json
from typing import Any, Callable, Iterable, List, Tuple

EDGE = 10
"""Rows shown at each end of a long table."""
TEXT_LIMIT = 300
"""Characters shown of a payload, an error or a pattern in a table cell."""
REPR_ITEMS = 10
"""Entries shown by a ``__repr__``."""

_FAIL_STYLE = "background:#fde2e2;color:#6b0010"


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def clip(text: str, limit: int = TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def edges(items: Iterable[Any], edge: int = EDGE) -> Tuple[List[Any], int, List[Any]]:
    """The first and last ``edge`` items and how many lie between, in one pass that keeps
    at most ``2 * edge`` items: a long log is never held whole."""
    head: List[Any] = []
    tail: collections.deque = collections.deque(maxlen=edge)
    seen = 0
    for item in items:
        if len(head) < edge:
            head.append(item)
        else:
            tail.append(item)
        seen += 1
    return head, seen - len(head) - len(tail), list(tail)


def sequence_edges(items, edge: int = EDGE) -> Tuple[List[Any], int, List[Any]]:
    """What ``edges`` gives, for a sequence whose length and slices are cheap (the delivery
    log converts only the deliveries a slice returns)."""
    n = len(items)
    if n <= 2 * edge:
        return list(items[:n]), 0, []
    return list(items[:edge]), n - 2 * edge, list(items[n - edge:])


def cell(content_html: str, style: str = "text-align:left", tag: str = "td", attrs: str = "") -> str:
    return f'<{tag}{attrs} style="vertical-align:top;{style}">{content_html}</{tag}>'


def table(
    headers: List[str],
    parts: Tuple[List[Any], int, List[Any]],
    render: Callable[[Any], List[str]],
    what: Tuple[str, str],
) -> str:
    """An HTML table with a row of cells from ``render`` for each item of ``parts`` (the
    first items, how many are left out, the last items: see ``edges``)."""
    head, skipped, tail = parts
    out = ["<table><thead><tr>", *(cell(esc(h), tag="th") for h in headers), "</tr></thead><tbody>"]
    out += ["<tr>" + "".join(render(item)) + "</tr>" for item in head]
    if skipped:
        noun = what[0] if skipped == 1 else what[1]
        more = f"<em>\u2026 {skipped:,} more {esc(noun)} \u2026</em>"
        out.append("<tr>" + cell(more, attrs=f' colspan="{len(headers)}"') + "</tr>")
    out += ["<tr>" + "".join(render(item)) + "</tr>" for item in tail]
    out.append("</tbody></table>")
    return "".join(out)


def plural(n: int, word: str, words: str = "") -> str:
    return f"{n:,} {word if n == 1 else words or word + 's'}"


def short_dict(items: List[Tuple[str, Any]], total: int) -> str:
    """``{'a': 1, 'b': 2, ...}``: at most ``REPR_ITEMS`` entries, then ``...``."""
    shown = ", ".join(f"{k!r}: {v!r}" for k, v in items[:REPR_ITEMS])
    more = ", ..." if total > REPR_ITEMS else ""
    return "{" + shown + more + "}"


# Patterns, laid out for reading: what fits in ``INLINE`` characters on one line, larger
# objects and lists one member a line, and numbers exactly as written.

INLINE = 60


class _Number(str):
    """A JSON number's text, kept as written (``1.50`` stays ``1.50``)."""


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if isinstance(value, _Number):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _layout(value: Any, indent: str = "") -> str:
    flat = _inline(value)
    if len(indent) + len(flat) <= INLINE or not isinstance(value, (dict, list)) or not value:
        return flat
    inner = indent + "  "
    if isinstance(value, dict):
        members = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_layout(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(members) + "\n" + indent + "}"
    return "[\n" + ",\n".join(inner + _layout(v, inner) for v in value) + "\n" + indent + "]"


def pattern_text(source: str) -> str:
    """A pattern's JSON text laid out over lines (or as given, should it not parse)."""
    try:
        value = json.loads(source, parse_float=_Number, parse_int=_Number)
    except ValueError:
        return source
    return _layout(value)


# RuleSet


def ruleset_repr(rules) -> str:
    patterns = rules.patterns()
    items = [(name, clip(p.source, 120)) for name, p in list(patterns.items())[:REPR_ITEMS]]
    text = f"{type(rules).__name__}({short_dict(items, len(patterns))})"
    return text if len(patterns) <= REPR_ITEMS else f"{text} ({plural(len(patterns), 'rule')})"


def ruleset_html(rules) -> str:
    patterns = rules.patterns()

    def render(item) -> List[str]:
        name, p = item
        laid_out = clip(pattern_text(p.source), 2000)
        return [cell(f"<code>{esc(name)}</code>"), cell(f'<pre style="margin:0">{esc(laid_out)}</pre>')]

    return (
        f"<div><p><strong>{esc(type(rules).__name__)}</strong>: {plural(len(patterns), 'rule')}</p>"
        + table(["rule", "pattern"], edges(patterns.items()), render, ("rule", "rules"))
        + "</div>"
    )


# MatchReport


def _counts(report) -> List[Tuple[str, int]]:
    return list((report.counts or {}).items())


def match_report_repr(report) -> str:
    counts = _counts(report)
    text = f"{type(report).__name__}(events={len(report)}, counts={short_dict(counts, len(counts))})"
    return text if len(counts) <= REPR_ITEMS else f"{text} ({plural(len(counts), 'rule')})"


def match_report_html(report) -> str:
    events = len(report)
    # Most matched first: the ends of a long table are the most and least matched rules.
    counts = sorted(_counts(report), key=lambda kv: (-kv[1], kv[0]))
    summary = f"{plural(events, 'event')}, {plural(len(counts), 'rule')}"
    matches = report.matches
    if isinstance(matches, list) and len(matches) == events:
        unmatched = sum(1 for m in matches if not m)
        summary += f"; {plural(unmatched, 'event')} matched no rule"

    def share(n: int) -> str:
        return f"{100 * n / events:.1f}%" if events else "\u2013"

    def render(item) -> List[str]:
        name, n = item
        right = "text-align:right"
        return [cell(f"<code>{esc(name)}</code>"), cell(f"{n:,}", right), cell(share(n), right)]

    return (
        f"<div><p><strong>{esc(type(report).__name__)}</strong>: {esc(summary)}</p>"
        + table(["rule", "events matched", "share of events"], edges(counts), render, ("rule", "rules"))
        + "</div>"
    )


# Deliveries


def outcome(d) -> str:
    """What became of a delivery, in words: delivered or failed (with the error), then
    whether it was forwarded to the target's service (with its note)."""
    text = "delivered" if d.succeeded else "failed"
    if d.error:
        text += f": {d.error}"
    forwarded = d.forwarded
    note = d.note
    if forwarded is not None:
        text += "; forwarded" if forwarded else "; not forwarded"
        if note:
            text += f": {note}"
    elif note:
        text += f" ({note})"
    return text


def _time(t: Any) -> str:
    if isinstance(t, datetime.datetime):
        return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + "Z"
    return str(t)


def _delivery_row(d) -> List[str]:
    left = "text-align:left"
    return [
        cell(esc(d.index), "text-align:right"),
        cell(esc(_time(d.time)), left + ";white-space:nowrap"),
        cell(
            f"<code>{esc(d.rule_name)}</code><br><small>bus {esc(d.event_bus_name)}</small>",
            left + ";white-space:nowrap",
        ),
        cell(f"<code>{esc(d.target_id)}</code><br><small>{esc(d.target_arn)}</small>"),
        # Payloads are often one long JSON line: let it wrap anywhere.
        cell(f"<code>{esc(clip(d.payload))}</code>", left + ";overflow-wrap:anywhere;min-width:20em"),
        cell(esc(clip(outcome(d))), left if d.succeeded else f"{left};{_FAIL_STYLE}"),
    ]


def deliveries_html(deliveries) -> str:
    # Length, slices and the failed filter: a long log is not converted whole.
    total, failed = len(deliveries), len(deliveries.failed())
    headers = ["#", "time (UTC)", "rule", "target", "payload", "outcome"]
    rows = table(headers, sequence_edges(deliveries), _delivery_row, ("delivery", "deliveries"))
    summary = f"{plural(total, 'delivery', 'deliveries')}, {failed:,} failed"
    return f"<div><p><strong>{esc(type(deliveries).__name__)}</strong>: {esc(summary)}</p>{rows}</div>"