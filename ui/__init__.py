"""Brücke's Qt user interface."""
