"""The mock's clock, which every timestamp of the engine reads, and schedule previews.

Unfrozen, the clock follows Python's ``time.time()`` as read on each call, so freezegun and
time-machine reach the engine as they reach the code under test. Frozen, it stands still
until the test moves it; moving it forward fires every scheduled rule due on the way, once
per due instant, in time order, with the instant as the event's ``time``.
"""

from __future__ import annotations

import datetime
from typing import Callable, List, Optional, Union

from . import _native, _service

When = Union[datetime.datetime, float, int, str]


def _epoch(when: When) -> float:
    if isinstance(when, datetime.datetime):
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.timezone.utc)  # naive means UTC, as in botocore
        return when.timestamp()
    if isinstance(when, str):
        return _epoch(datetime.datetime.fromisoformat(when.replace("Z", "+00:00")))
    return float(when)


def _datetime(epoch: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc)


class Clock:
    """``mock.clock``: ``freeze``, ``set``, ``advance``, ``now``, ``unfreeze``."""

    def __init__(self, backend: _native.Backend, after_move: Optional[Callable[[int], None]] = None):
        self._backend = backend
        # Called with the delivery count before a move, when the mock forwards deliveries.
        self._after_move = after_move

    def now(self) -> datetime.datetime:
        """The mock's current time (UTC). Reading it fires the scheduled rules due by then,
        as a client call would."""
        return _datetime(self._catch_up())

    def _catch_up(self) -> float:
        """Fires the schedules due by now (forwarding what they deliver when the mock
        forwards); returns the mock's time in epoch seconds."""
        start = self._backend.delivery_count()
        now = self._backend.clock_tick()
        if self._after_move is not None and self._backend.delivery_count() != start:
            self._after_move(start)
        return now

    @property
    def frozen(self) -> bool:
        return self._backend.clock_is_frozen()

    def freeze(self, at: Optional[When] = None) -> datetime.datetime:
        """Stops the clock, at ``at`` or now. Moving it forward fires due schedules."""
        start = self._backend.delivery_count()
        self._backend.clock_freeze(None if at is None else _epoch(at))
        if self._after_move is not None:
            self._after_move(start)
        return self.now()

    def set(self, when: When) -> datetime.datetime:
        """Moves the clock to ``when`` and keeps it there."""
        return self.freeze(when)

    def advance(
        self,
        delta: Union[datetime.timedelta, float, int, None] = None,
        *,
        seconds: float = 0,
        minutes: float = 0,
        hours: float = 0,
        days: float = 0,
    ) -> datetime.datetime:
        """Moves the clock forward (and freezes it there), firing due schedules."""
        step = datetime.timedelta(seconds=seconds, minutes=minutes, hours=hours, days=days)
        if isinstance(delta, datetime.timedelta):
            step += delta
        elif delta is not None:
            step += datetime.timedelta(seconds=delta)
        if step < datetime.timedelta(0):
            raise ValueError("the clock only moves forward; use set() to go back")
        return self.freeze(self._backend.clock_now() + step.total_seconds())

    def unfreeze(self) -> None:
        """Lets the clock follow Python's time again."""
        self._backend.clock_unfreeze()

    def __repr__(self) -> str:
        state = "frozen" if self.frozen else "running"
        return f"<Clock {state} at {self.now().isoformat()}>"


class Schedule:
    """A rule's schedule expression: ``Schedule("cron(0/15 * * * ? *)").next(after, n)``.

    An expression AWS would refuse raises the client's ValidationException.
    """

    def __init__(self, expression: str):
        _service.service_model()  # errors are botocore's classes
        self._native = _native.Schedule(expression)

    @property
    def expression(self) -> str:
        return self._native.expression

    def next(self, after: Optional[When] = None, n: int = 1, since: Optional[When] = None) -> List[datetime.datetime]:
        """The next ``n`` due instants after ``after`` (default: now). A rate schedule
        counts from ``since``, when its rule was created (default: ``after``). Fewer come
        back when the schedule ends (cron stops after 2199) or its instants pass the year
        9999, the last a datetime holds."""
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"Schedule.next: n must be a whole number, not {type(n).__name__}")
        if n < 0:
            raise ValueError(f"Schedule.next: n must be at least 0, not {n}")
        start = _epoch(after) if after is not None else datetime.datetime.now(datetime.timezone.utc).timestamp()
        since_epoch = _epoch(since) if since is not None else None
        return [_datetime(t) for t in self._native._next(start, min(n, 100_000), since_epoch)]

    def __str__(self) -> str:
        return str(self._native)

    def __repr__(self) -> str:
        return repr(self._native)

    def _repr_html_(self) -> str:
        times = "".join(f"<li>{t.isoformat()}</li>" for t in self.next(n=5))
        return f"<code>{self.expression}</code>: {self}<ul>{times}</ul>"
