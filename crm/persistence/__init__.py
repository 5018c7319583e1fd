"""Persistence: opening, checking, migrating and backing up the database."""
