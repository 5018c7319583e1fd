"""person list index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

The persons list reads one page of non-archived persons in sort-key order. With an index on
``archived_at`` alone, SQLite found all ~100,000 of them and sorted them for every page
(20 ms); ``(archived_at, sort_key)`` hands out the first page in index order (0.1 ms).
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_person_archived_sort", "person", ["archived_at", "sort_key"])


def downgrade() -> None:
    op.drop_index("ix_person_archived_sort", table_name="person")
