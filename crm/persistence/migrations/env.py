"""Alembic environment: always run programmatically with a connection from Brücke."""

from __future__ import annotations

from alembic import context

from crm.domain import Base

config = context.config
target_metadata = Base.metadata


def include_object(obj: object, name: str | None, type_: str, reflected: bool,
                   compare_to: object) -> bool:
    """The full-text search tables are managed by crm.persistence.dialect, not the models."""
    return not (type_ == "table" and name is not None and name.startswith("search_"))


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("Brücke runs its migrations with a connection (crm.persistence).")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
