"""eventbridge-mock: a fast, faithful in-process Amazon EventBridge for tests."""

from .client import Client, client, default_backend

__all__ = ["Client", "client", "default_backend"]
