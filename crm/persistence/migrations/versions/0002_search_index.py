"""search index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

The FTS5 tables are written out here as they were at this revision (not imported from
``crm.persistence.dialect``), so this migration keeps working whatever later code changes.
A database that already holds records is marked ``rebuild_needed``: the documents need
Brücke's folding code, which a migration must not import; ``crm.search.index`` builds them
on the first search after the upgrade.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FTS_DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "name, current, former, contact, other, suffix, flags, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3', "
    "detail = column, columnsize = 0)",
    "CREATE VIRTUAL TABLE search_names USING fts5(name, flags, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3', "
    "detail = column, columnsize = 0)",
    "CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, 'row')",
)


def upgrade() -> None:
    meta = op.create_table(
        "search_meta",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_search_meta")),
    )
    op.create_table(
        "search_terms",
        sa.Column("term", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_search_terms")),
        sqlite_with_rowid=False,
    )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in FTS_DDL:
            op.execute(statement)
    has_records = any(
        bind.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first() is not None
        for table in ("person", "organisation", "municipality", "interaction")
    )
    op.bulk_insert(
        meta,
        [
            {"key": "version", "value": "0"},
            {"key": "rebuild_needed", "value": "1" if has_records else "0"},
            {"key": "roles_as_of", "value": date.today().isoformat()},
        ],
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_vocab")
        op.execute("DROP TABLE IF EXISTS search_names")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("search_terms")
    op.drop_table("search_meta")
