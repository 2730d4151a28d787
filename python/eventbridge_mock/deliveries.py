"""The delivery log: every event delivered to every target, as the target received it.

A typical assertion is one line::

    assert mock.deliveries.to(queue_arn).payloads() == [{"order": 1}]
"""

from __future__ import annotations

import datetime
import json
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
    """The delivery's position in the log."""
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
    """The live log of a mock's state: re-read on every use, and clearable."""

    def __init__(self, backend):
        self._backend = backend

    @property
    def _items(self) -> List[Delivery]:  # type: ignore[override]
        return [Delivery(**d) for d in self._backend.deliveries()]

    def clear(self) -> None:
        self._backend.clear_deliveries()

    def __repr__(self) -> str:
        return f"DeliveryLog({len(self)} deliveries)"
