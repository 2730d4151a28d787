"""Event patterns outside a bus: try one in a notebook, or replay many events against rules.

``Pattern`` and ``test_event_pattern`` use the same compiled matcher as the buses, and
raise the client's ``InvalidEventPatternException`` for an invalid pattern.
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass, field
from typing import Iterable, Union

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

    matches: list = field(default_factory=list)
    """For each event, in order, the sorted names of the rules that matched it."""
    counts: dict = field(default_factory=dict)
    """For each rule that matched at least once, how many events it matched."""

    def __len__(self) -> int:
        return len(self.matches)

    def __repr__(self) -> str:
        return display.match_report_repr(self)

    def _repr_html_(self) -> str:
        return display.match_report_html(self)


class RuleSet(_native.RuleSet):
    """Named patterns compiled together, as on a bus: ``RuleSet({"name": pattern, ...})``."""

    def match_many(self, events: Union[Iterable[Event], str, os.PathLike]) -> MatchReport:
        """Matches every event (JSON texts or dicts, or the path of a JSON-lines file)."""
        # The result is one list per event, and none of them can form a cycle: collecting
        # garbage while they are made would only rescan them, over and over.
        collecting = gc.isenabled()
        gc.disable()
        try:
            per_event, counts = self._match_many(events)
        finally:
            if collecting:
                gc.enable()
        return MatchReport(per_event, counts)

    def __repr__(self) -> str:
        return display.ruleset_repr(self)

    def _repr_html_(self) -> str:
        return display.ruleset_html(self)


_service.service_model()  # the native module needs the model before raising its errors
