"""eventbridge-mock: a fast, faithful in-process Amazon EventBridge for tests."""

from ._native import Backend
from ._server import Server, server
from .client import Client, client, default_backend
from .clock import Clock, Schedule
from .deliveries import Deliveries, Delivery, DeliveryLog
from .mock import mock_events
from .patterns import Explanation, MatchReport, Pattern, RuleSet, test_event_pattern

__all__ = [
    "Backend",
    "Client",
    "Clock",
    "Deliveries",
    "Delivery",
    "DeliveryLog",
    "Explanation",
    "MatchReport",
    "Pattern",
    "RuleSet",
    "Schedule",
    "Server",
    "client",
    "default_backend",
    "mock_events",
    "server",
    "test_event_pattern",
]
