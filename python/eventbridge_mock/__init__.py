"""eventbridge-mock: a fast, faithful in-process Amazon EventBridge for tests."""

from ._native import Backend
from .client import Client, client, default_backend
from .deliveries import Deliveries, Delivery, DeliveryLog
from .patterns import Explanation, MatchReport, Pattern, RuleSet, test_event_pattern

__all__ = [
    "Backend",
    "Client",
    "Deliveries",
    "Delivery",
    "DeliveryLog",
    "Explanation",
    "MatchReport",
    "Pattern",
    "RuleSet",
    "client",
    "default_backend",
    "test_event_pattern",
]
