"""Event patterns outside a bus: try one in a notebook, or replay many events against rules.

``Pattern`` and ``test_event_pattern`` use the same compiled matcher as the buses, and
raise the client's ``InvalidEventPatternException`` for an invalid pattern.
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass, field
from typing import Iterable, Optional, Union

from . import _native, _service, display

Pattern = _native.Pattern
Explanation = _native.Explanation

Event = Union[str, dict]


def test_event_pattern(pattern: Union[str, dict], event: Event) -> bool:
    """Whether AWS would match ``event`` with ``pattern`` (each JSON text or a dict)."""
    return _native.test_event_pattern(pattern, event)


test_event_pattern.__test__ = False  # not a pytest test, despite its name


@dataclass
class MatchReport:
    """What ``RuleSet.match_many`` found: per-event matches and per-rule counts."""

    matches: Optional[list] = field(default_factory=list)
    """For each event matched, in order, the sorted names of the rules that matched it
    (None with ``counts_only``: no per-event lists are kept)."""
    counts: dict = field(default_factory=dict)
    """For every rule, by name in sorted order, how many events it matched (zero included)."""
    events: int = 0
    """How many events were matched."""
    skipped: list = field(default_factory=list)
    """With ``errors="skip"``: each event passed over, as ``(line, reason)``: its line in a
    file (from 1) or its position in an iterable (from 0)."""

    def __len__(self) -> int:
        return len(self.matches) if self.matches is not None else self.events

    def __repr__(self) -> str:
        return display.match_report_repr(self)

    def _repr_html_(self) -> str:
        return display.match_report_html(self)


class MatchError(ValueError):
    """An event ``match_many`` could not read; the events before it were matched, and their
    results are in ``report``."""

    def __init__(self, message: str, line: int, reason: str, report: MatchReport):
        super().__init__(message)
        self.line = line
        """The event's line in a file (from 1), or its position in an iterable (from 0)."""
        self.reason = reason
        self.report = report


class RuleSet(_native.RuleSet):
    """Named patterns compiled together, as on a bus: ``RuleSet({"name": pattern, ...})``."""

    def match_many(
        self,
        events: Union[Iterable[Event], str, os.PathLike],
        *,
        counts_only: bool = False,
        errors: str = "raise",
    ) -> MatchReport:
        """Matches every event (JSON texts or dicts, or the path of a JSON-lines file).

        ``counts_only=True`` keeps only the per-rule counts, so memory stays flat however
        many events there are. An event that cannot be read (not JSON, or not an object)
        raises ``MatchError`` with its line and the results so far (``errors="raise"``), or
        is passed over and listed in ``report.skipped`` (``errors="skip"``).
        """
        if errors not in ("raise", "skip"):
            raise ValueError(f"RuleSet.match_many: errors must be 'raise' or 'skip', not {errors!r}")
        # The result is one list per event, and none of them can form a cycle: collecting
        # garbage while they are made would only rescan them, over and over.
        collecting = gc.isenabled()
        gc.disable()
        try:
            per_event, counts, n, skipped, failure = self._match_many(events, counts_only, errors == "skip")
        finally:
            if collecting:
                gc.enable()
        report = MatchReport(per_event, counts, n, skipped)
        if failure is not None:
            line, reason = failure
            where = f"{os.fspath(events)}:{line}" if isinstance(events, (str, os.PathLike)) else f"event {line}"
            raise MatchError(f"{where}: {reason}", line, reason, report)
        return report

    def __repr__(self) -> str:
        return display.ruleset_repr(self)

    def _repr_html_(self) -> str:
        return display.ruleset_html(self)


_service.service_model()  # the native module needs the model before raising its errors
