"""Alembic environment: always run programmatically with a connection from Brücke."""

from __future__ import annotations

from alembic import context

from crm.domain import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("Brücke runs its migrations with a connection (crm.persistence).")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
