"""The delivery log: every event delivered to every target, as the target received it.

A typical assertion is one line::

    assert mock.deliveries.to(queue_arn).payloads() == [{"order": 1}]
"""

from __future__ import annotations

import datetime
import json
import operator
from dataclasses import dataclass
from typing import Any, Iterator, List, Optional

from . import display


@dataclass(frozen=True)
class Delivery:
    """One event delivered to one target of one rule."""

    account: str
    region: str
    event_bus_name: str
    rule_name: str
    rule_arn: str
    target_id: str
    target_arn: str
    payload: str
    """Exactly what the target received (after Input, InputPath or InputTransformer)."""
    event: dict
    """The event that matched the rule, as the envelope EventBridge builds."""
    time: datetime.datetime
    succeeded: bool
    error: Optional[str] = None
    index: int = 0
    """The delivery's number: deliveries are numbered in order from 0 when the state is
    made, and keep their number when older ones are dropped or the log is cleared."""
    forwarded: Optional[bool] = None
    """With ``forward_targets``: whether it was also sent to the target's service (moto's,
    or a configured endpoint); None when the mock does not forward."""
    note: Optional[str] = None
    """Why it was not forwarded, or what the target's service answered."""

    @property
    def json(self) -> Any:
        """The payload parsed as JSON."""
        return json.loads(self.payload)


class Deliveries:
    """A list of deliveries, with filters that return Deliveries again."""

    def __init__(self, items: List[Delivery]):
        self._items = items

    def __iter__(self) -> Iterator[Delivery]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index):
        return self._items[index]

    def __eq__(self, other) -> bool:
        if isinstance(other, Deliveries):
            return self._items == other._items
        return self._items == other

    def __repr__(self) -> str:
        return f"Deliveries({self._items!r})"

    def _repr_html_(self) -> str:
        return display.deliveries_html(self)

    def to(self, target_arn: str) -> "Deliveries":
        """Deliveries to the target with this ARN (or Id)."""
        return Deliveries([d for d in self if target_arn in (d.target_arn, d.target_id)])

    def for_rule(self, rule: str) -> "Deliveries":
        """Deliveries made by the rule with this name or ARN."""
        return Deliveries([d for d in self if rule in (d.rule_name, d.rule_arn)])

    def on_bus(self, event_bus_name: str) -> "Deliveries":
        return Deliveries([d for d in self if d.event_bus_name == event_bus_name])

    def succeeded(self) -> "Deliveries":
        return Deliveries([d for d in self if d.succeeded])

    def failed(self) -> "Deliveries":
        return Deliveries([d for d in self if not d.succeeded])

    def last(self, n: int = 1) -> "Deliveries":
        """The ``n`` most recent deliveries, oldest first."""
        n = operator.index(n)
        if n < 0:
            raise ValueError(f"Deliveries.last: n must be at least 0, not {n}")
        return Deliveries(list(self._items[len(self._items) - n:]) if n else [])

    def payloads(self) -> list:
        """Each payload parsed as JSON (or the raw string when it is not JSON)."""
        out = []
        for d in self:
            try:
                out.append(json.loads(d.payload))
            except ValueError:
                out.append(d.payload)
        return out

    def events(self) -> list:
        return [d.event for d in self]


class DeliveryLog(Deliveries):
    """The live log of a mock's state, read where it is kept: ``len()`` costs nothing, and
    a read converts only the deliveries it returns (the filters select before converting).

    With the mock's clock, every read first fires the scheduled rules that have come due
    (as a client call would), so a test whose time moved under freezegun or time-machine
    sees their deliveries without another call.
    """

    _CHUNK = 256

    def __init__(self, backend, clock=None):
        self._backend = backend
        self._clock = clock

    def _now(self) -> None:
        if self._clock is not None:
            self._clock._catch_up()

    @property
    def _items(self) -> List[Delivery]:  # type: ignore[override]
        self._now()
        return [Delivery(**d) for d in self._backend.deliveries()]

    def __len__(self) -> int:
        self._now()
        return self._backend.delivery_len()

    def __iter__(self) -> Iterator[Delivery]:
        self._now()
        start, stop = self._backend.delivery_first(), self._backend.delivery_count()
        while start < stop:
            chunk = self._backend.deliveries(start, min(stop, start + self._CHUNK))
            if not chunk:
                return
            for raw in chunk:
                yield Delivery(**raw)
            start = chunk[-1]["index"] + 1

    def __getitem__(self, index):
        self._now()
        first, n = self._backend.delivery_first(), self._backend.delivery_len()
        if isinstance(index, slice):
            lo, hi, step = index.indices(n)
            if step < 0:
                return self._items[index]
            raws = self._backend.deliveries(first + lo, first + max(lo, hi))
            return [Delivery(**d) for d in raws[::step]]
        i = operator.index(index)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("delivery index out of range")
        (raw,) = self._backend.deliveries(first + i, first + i + 1)
        return Delivery(**raw)

    def _where(self, **filters) -> Deliveries:
        self._now()
        return Deliveries([Delivery(**d) for d in self._backend.deliveries_where(**filters)])

    def to(self, target_arn: str) -> Deliveries:
        return self._where(target=target_arn)

    def for_rule(self, rule: str) -> Deliveries:
        return self._where(rule=rule)

    def on_bus(self, event_bus_name: str) -> Deliveries:
        return self._where(event_bus_name=event_bus_name)

    def succeeded(self) -> Deliveries:
        return self._where(succeeded=True)

    def failed(self) -> Deliveries:
        return self._where(succeeded=False)

    def last(self, n: int = 1) -> Deliveries:
        """The ``n`` most recent deliveries, oldest first."""
        self._now()
        n = operator.index(n)
        if n < 0:
            raise ValueError(f"DeliveryLog.last: n must be at least 0, not {n}")
        stop = self._backend.delivery_count()
        return Deliveries([Delivery(**d) for d in self._backend.deliveries(max(0, stop - n), stop)])

    @property
    def dropped(self) -> int:
        """How many deliveries ``max_deliveries`` dropped (the oldest) since the log was last
        cleared."""
        return self._backend.deliveries_dropped()

    def clear(self) -> None:
        self._backend.clear_deliveries()

    def __repr__(self) -> str:
        dropped = self.dropped
        more = f", {dropped} dropped" if dropped else ""
        return f"DeliveryLog({len(self)} deliveries{more})"
