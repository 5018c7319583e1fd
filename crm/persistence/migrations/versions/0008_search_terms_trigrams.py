"""trigram index on the search words (PostgreSQL)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25

Typos are found among the words of ``search_terms`` (``crm.search.vocabulary``). Without
help that reads every word starting with the typed word's first or second letter; on a
shared server the cache of those lists lasts only until the next colleague's save, so each
typo search would fetch whole letter lists over the network. ``pg_trgm`` (a trusted
extension since PostgreSQL 13: the database owner may create it) and a GIN trigram index on
``search_terms.term`` let the server hand over only the words similar to the typed one.

Where the extension cannot be created (no CREATE right on the database, or the contrib
files are missing on the server) the migration still succeeds without the index, and
searches keep reading the letter lists (``dialect.has_trigram_index``). Nothing changes on
SQLite.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TRIGRAM_INDEX = "ix_search_terms_trgm"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    try:
        with bind.begin_nested():  # a failed CREATE EXTENSION must not abort the upgrade
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError:
        return
    op.execute(f"CREATE INDEX {TRIGRAM_INDEX} ON search_terms USING gin (term gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")  # the extension may serve others
