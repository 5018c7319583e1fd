"""search index on PostgreSQL

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25

SQLite got its FTS5 tables in 0002; on PostgreSQL that migration created only the plain
tables. This one adds the PostgreSQL index (tables with a generated, column-tagged
``tsvector`` and GIN indexes; see ``crm.persistence.dialect``), written out as it is at this
revision, and gives ``search_terms.term`` the "C" collation so that its prefix ranges
compare bytes as on SQLite; the lists' ``sort_key`` columns get it too, so that they sort
the same on a server with a German locale. Existing records are indexed on the first search (rebuild_needed).
Nothing changes on SQLite.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PG_DDL = (
    "CREATE OR REPLACE FUNCTION search_words(tag text, body text) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT array_remove(regexp_split_to_array("
    "regexp_replace(coalesce(body, ''), '([0-9a-z]+)', tag || '\\1', 'g'), '[^0-9a-z]+'), '') $$",
    "CREATE TABLE search_fts (rowid bigint PRIMARY KEY, name text, current text, former text, "
    "contact text, other text, suffix text, flags text, doc tsvector GENERATED ALWAYS AS "
    "(array_to_tsvector(search_words('n', name) || search_words('c', current) || "
    "search_words('f', former) || search_words('k', contact) || search_words('o', other) || "
    "search_words('s', suffix) || search_words('g', flags))) STORED)",
    "CREATE INDEX ix_search_fts_doc ON search_fts USING gin (doc)",
    "CREATE TABLE search_names (rowid bigint PRIMARY KEY, name text, flags text, "
    "doc tsvector GENERATED ALWAYS AS (array_to_tsvector(search_words('n', name) || "
    "search_words('g', flags))) STORED)",
    "CREATE INDEX ix_search_names_doc ON search_names USING gin (doc)",
    'ALTER TABLE search_terms ALTER COLUMN term TYPE varchar COLLATE "C"',
    # The lists sort by these folded keys; a server whose locale is de_DE would ignore
    # spaces and hyphens in them and order differently from SQLite (and from the key).
    'ALTER TABLE person ALTER COLUMN sort_key TYPE varchar(200) COLLATE "C"',
    'ALTER TABLE organisation ALTER COLUMN sort_key TYPE varchar(200) COLLATE "C"',
    'ALTER TABLE municipality ALTER COLUMN sort_key TYPE varchar(200) COLLATE "C"',
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for statement in PG_DDL:
        op.execute(statement)
    has_records = any(
        bind.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first() is not None
        for table in ("person", "organisation", "municipality", "interaction")
    )
    if has_records:
        op.execute("UPDATE search_meta SET value = '1' WHERE key = 'rebuild_needed'")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TABLE IF EXISTS search_names")
    op.execute("DROP TABLE IF EXISTS search_fts")
    op.execute("DROP FUNCTION IF EXISTS search_words(text, text)")
