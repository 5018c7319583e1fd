"""Browsing records: the list pages with their filter bar, and the detail panes."""
