"""leaner write indexes

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26

Every new person, role and contact point updated indexes nothing reads:
``ix_person_archived_at`` and ``ix_role_organisation_id`` are the first column of
``ix_person_archived_sort`` and ``ix_role_org_title_end``, which serve the same look-ups;
and a person's contact point (most of them) has no organisation or role, yet entered both
owner indexes with a NULL. Those two now hold only the points that have such an owner
(``WHERE … IS NOT NULL``: a look-up by owner implies it, on both engines).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_OWNERS = ("organisation_id", "role_id")


def upgrade() -> None:
    op.drop_index("ix_person_archived_at", table_name="person")
    op.drop_index("ix_role_organisation_id", table_name="role")
    for owner in _OWNERS:
        op.drop_index(f"ix_contact_point_{owner}", table_name="contact_point")
        op.create_index(f"ix_contact_point_{owner}", "contact_point", [owner],
                        sqlite_where=sa.text(f"{owner} IS NOT NULL"),
                        postgresql_where=sa.text(f"{owner} IS NOT NULL"))


def downgrade() -> None:
    for owner in _OWNERS:
        op.drop_index(f"ix_contact_point_{owner}", table_name="contact_point")
        op.create_index(f"ix_contact_point_{owner}", "contact_point", [owner])
    op.create_index("ix_role_organisation_id", "role", ["organisation_id"])
    op.create_index("ix_person_archived_at", "person", ["archived_at"])
