"""Brücke's core: domain model, persistence, services, search, reports and CLI (no Qt)."""

__version__ = "0.1.0"
